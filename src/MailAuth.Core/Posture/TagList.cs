using System;
using System.Collections.Generic;

namespace MailAuth.Posture
{
    /// <summary>One tag=value pair of a tag list.</summary>
    public sealed class PostureTag
    {
        public PostureTag(string name, string value)
        {
            Name = name;
            Value = value;
        }

        public string Name { get; }

        public string Value { get; }

        public override string ToString() => Name + "=" + Value;
    }

    /// <summary>
    /// The RFC 6376 §3.2 tag list (also the shape of BIMI, TLS-RPT and MTA-STS TXT records):
    /// tag-spec *( ";" tag-spec ) [ ";" ], tag-spec = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS].
    /// </summary>
    internal static class TagList
    {
        /// <summary>
        /// Splits <paramref name="text"/> into tags. Returns false with a reason at the first
        /// syntax error: an empty tag-spec, a missing "=", a bad tag-name, or a duplicate tag
        /// (RFC 6376 §3.2: "if a tag name does occur more than once, the entire tag-list is invalid").
        /// </summary>
        public static bool TryParse(string text, bool caseInsensitiveNames, out List<PostureTag> tags, out string? error)
        {
            tags = new List<PostureTag>();
            error = null;
            var seen = new HashSet<string>(caseInsensitiveNames ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
            // By index, not Split and Trim: a DKIM key's p= runs to hundreds of characters and every
            // domain of a bulk audit has a few, so each is copied once, as its value.
            int specCount = 1;
            foreach (char c in text)
            {
                if (c == ';')
                {
                    specCount++;
                }
            }

            int start = 0;
            for (int i = 0; i < specCount; i++)
            {
                int end = text.IndexOf(';', start);
                if (end < 0)
                {
                    end = text.Length;
                }

                int from = start;
                int to = end;
                start = end + 1;
                TrimWsp(text, ref from, ref to);
                if (from == to)
                {
                    // Only a trailing ";" is allowed by the grammar; tolerate an empty last spec.
                    if (i == specCount - 1)
                    {
                        continue;
                    }

                    error = $"the tag list has an empty element (\";;\" or a leading \";\") at position {i + 1}";
                    return false;
                }

                int equals = text.IndexOf('=', from, to - from);
                if (equals < 0)
                {
                    error = $"'{Shorten(text.Substring(from, to - from))}' has no '=': every element must be tag=value";
                    return false;
                }

                int nameFrom = from;
                int nameTo = equals;
                TrimWsp(text, ref nameFrom, ref nameTo);
                int valueFrom = equals + 1;
                int valueTo = to;
                TrimWsp(text, ref valueFrom, ref valueTo);
                string name = text.Substring(nameFrom, nameTo - nameFrom);
                string value = text.Substring(valueFrom, valueTo - valueFrom);
                if (!IsTagName(name))
                {
                    error = $"'{Shorten(name)}' is not a tag name (a letter, then letters, digits or '_')";
                    return false;
                }

                if (!seen.Add(name))
                {
                    error = $"the tag '{name}' occurs more than once";
                    return false;
                }

                tags.Add(new PostureTag(name, value));
            }

            return true;
        }

        // Narrows [from, to) past the white space the grammar allows around tags and values (RFC 6376 §3.2: FWS).
        private static void TrimWsp(string text, ref int from, ref int to)
        {
            while (from < to && IsWsp(text[from]))
            {
                from++;
            }

            while (to > from && IsWsp(text[to - 1]))
            {
                to--;
            }
        }

        private static bool IsWsp(char c) => c == ' ' || c == '\t' || c == '\r' || c == '\n';

        /// <summary>tag-name = ALPHA *ALNUMPUNC, ALNUMPUNC = ALPHA / DIGIT / "_" (RFC 6376 §3.2).</summary>
        public static bool IsTagName(string name)
        {
            if (name.Length == 0 || !IsAlpha(name[0]))
            {
                return false;
            }

            foreach (char c in name)
            {
                if (!IsAlpha(c) && !(c >= '0' && c <= '9') && c != '_')
                {
                    return false;
                }
            }

            return true;
        }

        public static string? Find(IReadOnlyList<PostureTag> tags, string name)
        {
            foreach (PostureTag tag in tags)
            {
                if (string.Equals(tag.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return tag.Value;
                }
            }

            return null;
        }

        internal static string Shorten(string text) => text.Length <= 60 ? text : text.Substring(0, 57) + "...";

        private static bool IsAlpha(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
