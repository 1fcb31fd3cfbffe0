using System;
using System.IO;
using System.Text;

namespace MailAuth.Html
{
    /// <summary>
    /// The one encoder of the HTML report. Every value that comes from a header, a DNS answer or a
    /// report goes through it at the point where it is written. The report quotes every attribute
    /// value with <c>"</c>, so one encoding is right in both contexts it uses: element text (HTML
    /// and SVG) and double-quoted attribute values. Nothing from input is ever written as markup,
    /// an attribute name, a URL or CSS.
    /// </summary>
    public static class HtmlEncoding
    {
        /// <summary>
        /// Encodes a value for element text or a double-quoted attribute value: <c>&amp; &lt; &gt;
        /// &quot; '</c> become character references; control characters, unpaired surrogates and
        /// noncharacters become U+FFFD; bidirectional overrides and isolates (which can make
        /// <c>moc.knab</c> read as <c>bank.com</c>) are shown as <c>[U+202E]</c>. Null is empty.
        /// </summary>
        public static string Encode(string? value)
        {
            if (string.IsNullOrEmpty(value))
            {
                return string.Empty;
            }

            if (!NeedsEncoding(value!))
            {
                return value!;
            }

            var builder = new StringBuilder(value!.Length + 16);
            using (var writer = new StringWriter(builder, System.Globalization.CultureInfo.InvariantCulture))
            {
                Encode(writer, value);
            }

            return builder.ToString();
        }

        /// <summary>Writes <paramref name="value"/> encoded as <see cref="Encode(string?)"/> does.</summary>
        public static void Encode(TextWriter writer, string? value)
        {
            if (writer is null)
            {
                throw new ArgumentNullException(nameof(writer));
            }

            if (string.IsNullOrEmpty(value))
            {
                return;
            }

            int start = 0;
            for (int i = 0; i < value!.Length; i++)
            {
                char c = value[i];
                string? replacement;
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                    continue;
                }

                replacement = Replacement(c);
                if (replacement is null)
                {
                    continue;
                }

                if (i > start)
                {
                    writer.Write(value.Substring(start, i - start));
                }

                writer.Write(replacement);
                start = i + 1;
            }

            if (start < value.Length)
            {
                writer.Write(start == 0 ? value : value.Substring(start));
            }
        }

        /// <summary>
        /// A fragment id made from a value (a finding id): letters, digits, '-' and '_' kept, every
        /// other character '_', so it is safe in <c>id="…"</c> and <c>href="#…"</c> as written.
        /// </summary>
        public static string AnchorId(string prefix, string? value)
        {
            if (prefix is null)
            {
                throw new ArgumentNullException(nameof(prefix));
            }

            var builder = new StringBuilder(prefix.Length + (value?.Length ?? 0));
            foreach (char c in prefix + (value ?? string.Empty))
            {
                builder.Append((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ? c : '_');
            }

            return builder.ToString();
        }

        private static bool NeedsEncoding(string value)
        {
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                    continue;
                }

                if (Replacement(c) != null)
                {
                    return true;
                }
            }

            return false;
        }

        private static string? Replacement(char c)
        {
            switch (c)
            {
                case '&': return "&amp;";
                case '<': return "&lt;";
                case '>': return "&gt;";
                case '"': return "&quot;";
                case '\'': return "&#39;";
                case '\t':
                case '\n':
                    return null;
                case '\r':
                    return "\n";
            }

            if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || char.IsSurrogate(c) || c == '\uFFFE' || c == '\uFFFF' || (c >= '\uFDD0' && c <= '\uFDEF'))
            {
                return "\uFFFD";
            }

            if ((c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069'))
            {
                return "[U+" + ((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture) + "]";
            }

            return null;
        }
    }
}
