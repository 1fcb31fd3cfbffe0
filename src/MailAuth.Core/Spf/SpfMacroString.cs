using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailAuth.Spf
{
    /// <summary>What a macro-string is used for: it decides which macro letters are allowed (RFC 7208 §7.1).</summary>
    internal enum SpfMacroUse
    {
        /// <summary>A domain-spec: letters s l o d i p h v only.</summary>
        DomainSpec,
        /// <summary>The explanation text fetched by exp= (§6.2): c r t allowed too, and spaces.</summary>
        Explanation,
        /// <summary>The value of an unknown modifier: never expanded, only checked for macro syntax.</summary>
        UnknownModifier,
    }

    /// <summary>The kind of one piece of a macro-string.</summary>
    public enum SpfMacroPartKind
    {
        /// <summary>Literal text copied as is.</summary>
        Literal,
        /// <summary>A macro "%{...}" replaced by a value.</summary>
        Macro,
        /// <summary>"%%": a literal percent sign.</summary>
        Percent,
        /// <summary>"%_": a space.</summary>
        Space,
        /// <summary>"%-": the URL-encoded space "%20".</summary>
        UrlSpace,
    }

    /// <summary>One piece of a parsed macro-string (RFC 7208 §7.1).</summary>
    public sealed class SpfMacroPart
    {
        internal SpfMacroPart(SpfMacroPartKind kind, string text, char letter = '\0', bool urlEscape = false,
            int rightParts = 0, bool reverse = false, string delimiters = "")
        {
            Kind = kind;
            Text = text;
            Letter = letter;
            UrlEscape = urlEscape;
            RightParts = rightParts;
            Reverse = reverse;
            Delimiters = delimiters;
        }

        public SpfMacroPartKind Kind { get; }

        /// <summary>The source text of this piece ("%{ir}", "example.com", "%%").</summary>
        public string Text { get; }

        /// <summary>The macro letter, lower case (s l o d i p h c r t v); '\0' for other kinds.</summary>
        public char Letter { get; }

        /// <summary>True when the letter was written in upper case: the value is URL-escaped (§7.3).</summary>
        public bool UrlEscape { get; }

        /// <summary>The DIGIT transformer: how many right-hand parts to keep; 0 when absent (keep all).</summary>
        public int RightParts { get; }

        /// <summary>The 'r' transformer: reverse the parts.</summary>
        public bool Reverse { get; }

        /// <summary>The delimiters to split on; empty means ".".</summary>
        public string Delimiters { get; }

        public override string ToString() => Text;
    }

    /// <summary>The values macros expand to during one check_host() (RFC 7208 §7.2).</summary>
    internal sealed class SpfMacroValues
    {
        public string Sender = string.Empty;
        public string LocalPart = string.Empty;
        public string SenderDomain = string.Empty;
        public string Domain = string.Empty;
        public IPAddress Ip = IPAddress.None;
        public string Helo = string.Empty;
        public string? ValidatedName;
        public string ReceiverName = "unknown";
        public long Timestamp;
    }

    /// <summary>A parsed macro-string (RFC 7208 §7.1), expanded per evaluation.</summary>
    public sealed class SpfMacroString
    {
        // Upper bound on an expansion: domain names are cut to 253 anyway (§7.3), and an explanation
        // longer than this is no use to anybody; it keeps a "macro bomb" from costing memory.
        internal const int MaxExpansionLength = 8192;

        private const string Delimiters = ".-+,/_=";

        private SpfMacroString(string text, IReadOnlyList<SpfMacroPart> parts)
        {
            Text = text;
            Parts = parts;
            foreach (SpfMacroPart part in parts)
            {
                if (part.Kind == SpfMacroPartKind.Macro)
                {
                    HasMacros = true;
                    if (part.Letter == 'p')
                    {
                        UsesValidatedName = true;
                    }
                }
            }
        }

        /// <summary>The source text.</summary>
        public string Text { get; }

        public IReadOnlyList<SpfMacroPart> Parts { get; }

        /// <summary>True when at least one "%{...}" macro is present (the value depends on the check).</summary>
        public bool HasMacros { get; }

        /// <summary>True when %{p} is used: expanding needs DNS (§7.3, the validated domain name).</summary>
        public bool UsesValidatedName { get; }

        public override string ToString() => Text;

        internal static bool TryParse(string text, SpfMacroUse use, out SpfMacroString? result, out string? reason)
        {
            result = null;
            var parts = new List<SpfMacroPart>();
            var literal = new StringBuilder();
            int i = 0;
            while (i < text.Length)
            {
                char c = text[i];
                if (c == '%')
                {
                    if (i + 1 >= text.Length)
                    {
                        reason = "a '%' at the end; write '%%' for a literal percent sign";
                        return false;
                    }

                    char next = text[i + 1];
                    if (next == '%' || next == '_' || next == '-')
                    {
                        FlushLiteral(parts, literal);
                        SpfMacroPartKind kind = next == '%' ? SpfMacroPartKind.Percent : next == '_' ? SpfMacroPartKind.Space : SpfMacroPartKind.UrlSpace;
                        parts.Add(new SpfMacroPart(kind, text.Substring(i, 2)));
                        i += 2;
                        continue;
                    }

                    if (next != '{')
                    {
                        reason = $"'%{next}' is not a macro: a '%' must be followed by '{{', '%', '_' or '-' (§7.1)";
                        return false;
                    }

                    int close = text.IndexOf('}', i + 2);
                    if (close < 0)
                    {
                        reason = "a macro '%{' is not closed by '}'";
                        return false;
                    }

                    if (!TryParseMacro(text.Substring(i, close - i + 1), use, out SpfMacroPart? macro, out reason))
                    {
                        return false;
                    }

                    FlushLiteral(parts, literal);
                    parts.Add(macro!);
                    i = close + 1;
                    continue;
                }

                // macro-literal = %x21-24 / %x26-7E; the explanation text may also hold spaces (§6.2).
                bool allowed = (c >= '!' && c <= '~') || (c == ' ' && use == SpfMacroUse.Explanation);
                if (!allowed)
                {
                    reason = c > '~'
                        ? $"the non-ASCII character U+{(int)c:X4}: SPF records are 7-bit ASCII (§3.1)"
                        : $"the control or space character 0x{(int)c:X2} is not allowed here";
                    return false;
                }

                literal.Append(c);
                i++;
            }

            FlushLiteral(parts, literal);
            result = new SpfMacroString(text, parts);
            reason = null;
            return true;
        }

        private static void FlushLiteral(List<SpfMacroPart> parts, StringBuilder literal)
        {
            if (literal.Length > 0)
            {
                parts.Add(new SpfMacroPart(SpfMacroPartKind.Literal, literal.ToString()));
                literal.Clear();
            }
        }

        // macro-expand = "%{" macro-letter transformers *delimiter "}"; transformers = *DIGIT [ "r" ]
        private static bool TryParseMacro(string source, SpfMacroUse use, out SpfMacroPart? part, out string? reason)
        {
            part = null;
            string body = source.Substring(2, source.Length - 3);
            if (body.Length == 0)
            {
                reason = "an empty macro '%{}'";
                return false;
            }

            char letter = body[0];
            char lower = char.ToLowerInvariant(letter);
            bool known = "slodiphvcrt".IndexOf(lower) >= 0 && letter < 128;
            if (!known)
            {
                reason = $"'{source}' uses the unknown macro letter '{letter}' (allowed: s l o d i p h v; c r t in exp text only)";
                return false;
            }

            // c, r and t only make sense in the explanation text (§7.1, §7.2).
            if ((lower == 'c' || lower == 'r' || lower == 't') && use == SpfMacroUse.DomainSpec)
            {
                reason = $"'{source}': the macro letter '{letter}' is only allowed in explanation text (§7.1)";
                return false;
            }

            int j = 1;
            int digitsStart = j;
            while (j < body.Length && body[j] >= '0' && body[j] <= '9')
            {
                j++;
            }

            int rightParts = 0;
            if (j > digitsStart)
            {
                string digits = body.Substring(digitsStart, j - digitsStart).TrimStart('0');
                if (digits.Length == 0)
                {
                    reason = $"'{source}': the number of parts must not be zero (§7.3)";
                    return false;
                }

                // More parts than any name can have means "all of them" (§7.3); cap to avoid overflow.
                rightParts = digits.Length > 3 ? 999 : int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
            }

            bool reverse = false;
            if (j < body.Length && (body[j] == 'r' || body[j] == 'R'))
            {
                reverse = true;
                j++;
            }

            string delimiters = body.Substring(j);
            foreach (char d in delimiters)
            {
                if (Delimiters.IndexOf(d) < 0)
                {
                    reason = $"'{source}': '{d}' is not a macro delimiter (allowed: . - + , / _ =)";
                    return false;
                }
            }

            part = new SpfMacroPart(SpfMacroPartKind.Macro, source, lower, char.IsUpper(letter), rightParts, reverse, delimiters);
            reason = null;
            return true;
        }

        internal string Expand(SpfMacroValues values)
        {
            var builder = new StringBuilder();
            foreach (SpfMacroPart part in Parts)
            {
                switch (part.Kind)
                {
                    case SpfMacroPartKind.Literal:
                        builder.Append(part.Text);
                        break;
                    case SpfMacroPartKind.Percent:
                        builder.Append('%');
                        break;
                    case SpfMacroPartKind.Space:
                        builder.Append(' ');
                        break;
                    case SpfMacroPartKind.UrlSpace:
                        builder.Append("%20");
                        break;
                    default:
                        builder.Append(ExpandMacro(part, values));
                        break;
                }

                if (builder.Length > MaxExpansionLength)
                {
                    builder.Length = MaxExpansionLength;
                    break;
                }
            }

            return builder.ToString();
        }

        private static string ExpandMacro(SpfMacroPart part, SpfMacroValues values)
        {
            string value = part.Letter switch
            {
                's' => values.Sender,
                'l' => values.LocalPart,
                'o' => values.SenderDomain,
                'd' => values.Domain,
                'i' => DottedIp(values.Ip),
                'p' => values.ValidatedName ?? "unknown",
                'v' => values.Ip.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "in-addr",
                'h' => values.Helo,
                'c' => values.Ip.ToString(),
                'r' => values.ReceiverName,
                't' => values.Timestamp.ToString(CultureInfo.InvariantCulture),
                _ => string.Empty,
            };

            if (part.RightParts > 0 || part.Reverse || part.Delimiters.Length > 0)
            {
                string delimiters = part.Delimiters.Length == 0 ? "." : part.Delimiters;
                List<string> pieces = new List<string>(value.Split(delimiters.ToCharArray()));
                if (part.Reverse)
                {
                    pieces.Reverse();
                }

                if (part.RightParts > 0 && part.RightParts < pieces.Count)
                {
                    pieces = pieces.GetRange(pieces.Count - part.RightParts, part.RightParts);
                }

                value = string.Join(".", pieces);
            }

            return part.UrlEscape ? UrlEscape(value) : value;
        }

        /// <summary>
        /// The "i" form: dotted quad, or dot-separated nibbles for IPv6 (§7.3). Nibbles are upper
        /// case as the openspf RFC 7208 suite expects (v-macro-ip6); DNS matching ignores case.
        /// </summary>
        internal static string DottedIp(IPAddress ip)
        {
            if (ip.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return ip.ToString();
            }

            byte[] bytes = ip.GetAddressBytes();
            var builder = new StringBuilder(63);
            foreach (byte b in bytes)
            {
                if (builder.Length > 0)
                {
                    builder.Append('.');
                }

                builder.Append("0123456789ABCDEF"[b >> 4]).Append('.').Append("0123456789ABCDEF"[b & 0xF]);
            }

            return builder.ToString();
        }

        // Upper-case macro letters are URL-escaped: everything outside RFC 3986 "unreserved" (§7.3).
        private static string UrlEscape(string value)
        {
            var builder = new StringBuilder(value.Length);
            foreach (byte b in Encoding.UTF8.GetBytes(value))
            {
                char c = (char)b;
                bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~';
                if (unreserved)
                {
                    builder.Append(c);
                }
                else
                {
                    builder.Append('%').Append(((int)b).ToString("X2", CultureInfo.InvariantCulture));
                }
            }

            return builder.ToString();
        }
    }
}
