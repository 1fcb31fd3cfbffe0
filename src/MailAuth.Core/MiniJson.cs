using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace MailAuth
{
    /// <summary>
    /// A small JSON reader (RFC 8259) for TLS reports and DNS archives: objects, arrays, strings,
    /// numbers (double), true/false/null; depth bounded. The core targets netstandard2.0 and runs in
    /// Windows PowerShell 5.1, where a System.Text.Json dependency would clash with the host's.
    /// </summary>
    internal static class MiniJson
    {
        private const int MaxDepth = 64;

        public static object? Parse(string text)
        {
            int i = 0;
            object? value = Value(text, ref i, 0);
            Skip(text, ref i);
            if (i < text.Length)
            {
                throw new FormatException($"unexpected '{text[i]}' after the JSON value at character {i}.");
            }

            return value;
        }

        private static object? Value(string s, ref int i, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new FormatException("the JSON nests deeper than 64 levels.");
            }

            Skip(s, ref i);
            if (i >= s.Length)
            {
                throw new FormatException("the JSON ends early (truncated).");
            }

            char c = s[i];
            switch (c)
            {
                case '{':
                    {
                        i++;
                        var o = new Dictionary<string, object?>(StringComparer.Ordinal);
                        Skip(s, ref i);
                        if (i < s.Length && s[i] == '}')
                        {
                            i++;
                            return o;
                        }

                        while (true)
                        {
                            Skip(s, ref i);
                            string key = String(s, ref i);
                            Skip(s, ref i);
                            Expect(s, ref i, ':');
                            o[key] = Value(s, ref i, depth + 1);
                            Skip(s, ref i);
                            if (i < s.Length && s[i] == ',')
                            {
                                i++;
                                continue;
                            }

                            Expect(s, ref i, '}');
                            return o;
                        }
                    }

                case '[':
                    {
                        i++;
                        var a = new List<object?>();
                        Skip(s, ref i);
                        if (i < s.Length && s[i] == ']')
                        {
                            i++;
                            return a;
                        }

                        while (true)
                        {
                            a.Add(Value(s, ref i, depth + 1));
                            Skip(s, ref i);
                            if (i < s.Length && s[i] == ',')
                            {
                                i++;
                                continue;
                            }

                            Expect(s, ref i, ']');
                            return a;
                        }
                    }

                case '"':
                    return String(s, ref i);
                case 't':
                    Word(s, ref i, "true");
                    return true;
                case 'f':
                    Word(s, ref i, "false");
                    return false;
                case 'n':
                    Word(s, ref i, "null");
                    return null;
                default:
                    int start = i;
                    while (i < s.Length && "+-0123456789.eE".IndexOf(s[i]) >= 0)
                    {
                        i++;
                    }

                    if (i == start || !double.TryParse(s.Substring(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
                    {
                        throw new FormatException($"unexpected '{c}' at character {start}.");
                    }

                    return d;
            }
        }

        private static string String(string s, ref int i)
        {
            Expect(s, ref i, '"');
            var b = new StringBuilder();
            while (true)
            {
                if (i >= s.Length)
                {
                    throw new FormatException("the JSON ends inside a string (truncated).");
                }

                char c = s[i++];
                if (c == '"')
                {
                    return b.ToString();
                }

                if (c != '\\')
                {
                    b.Append(c);
                    continue;
                }

                if (i >= s.Length)
                {
                    throw new FormatException("the JSON ends inside a string (truncated).");
                }

                char e = s[i++];
                switch (e)
                {
                    case 'n': b.Append('\n'); break;
                    case 't': b.Append('\t'); break;
                    case 'r': b.Append('\r'); break;
                    case 'b': b.Append('\b'); break;
                    case 'f': b.Append('\f'); break;
                    case 'u':
                        if (i + 4 > s.Length || !int.TryParse(s.Substring(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code))
                        {
                            throw new FormatException($"a bad \\u escape at character {i}.");
                        }

                        b.Append((char)code);
                        i += 4;
                        break;
                    default: b.Append(e); break;
                }
            }
        }

        private static void Word(string s, ref int i, string word)
        {
            if (string.CompareOrdinal(s, i, word, 0, word.Length) != 0)
            {
                throw new FormatException($"unexpected '{s[i]}' at character {i}.");
            }

            i += word.Length;
        }

        private static void Expect(string s, ref int i, char c)
        {
            if (i >= s.Length)
            {
                throw new FormatException("the JSON ends early (truncated).");
            }

            if (s[i] != c)
            {
                throw new FormatException($"expected '{c}' at character {i}, found '{s[i]}'.");
            }

            i++;
        }

        /// <summary>Appends <paramref name="text"/> as a JSON string (RFC 8259 §7): quotes, backslash and control characters escaped; null as null.</summary>
        public static void AppendString(StringBuilder b, string? text)
        {
            if (text is null)
            {
                b.Append("null");
                return;
            }

            b.Append('"');
            foreach (char c in text)
            {
                switch (c)
                {
                    case '"': b.Append("\\\""); break;
                    case '\\': b.Append("\\\\"); break;
                    case '\n': b.Append("\\n"); break;
                    case '\r': b.Append("\\r"); break;
                    case '\t': b.Append("\\t"); break;
                    default:
                        if (c < ' ' || char.IsSurrogate(c) || c == '\u2028' || c == '\u2029')
                        {
                            b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            b.Append(c);
                        }

                        break;
                }
            }

            b.Append('"');
        }

        private static void Skip(string s, ref int i)
        {
            while (i < s.Length && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n' || s[i] == '\uFEFF'))
            {
                i++;
            }
        }
    }
}
