using System;
using System.Collections.Generic;
using System.Text;

namespace MailAuth.Headers
{
    /// <summary>One item of a method/property list: a key=value pair, a bare word, or a comment.</summary>
    internal readonly struct ScannedItem
    {
        public ScannedItem(string? key, string value, bool isComment)
        {
            Key = key;
            Value = value;
            IsComment = isComment;
        }

        /// <summary>Null for a bare word or a comment.</summary>
        public string? Key { get; }

        public string Value { get; }

        public bool IsComment { get; }
    }

    /// <summary>
    /// Hand-written lexer for the RFC 8601 §2.2 / RFC 7208 §9.1 grammar: CFWS with nested
    /// comments and quoted-pairs (RFC 5322 §3.2.2), quoted-strings, key [CFWS] "=" [CFWS] value.
    /// It never throws: an unterminated comment or quote runs to the end of the text.
    /// </summary>
    internal static class StructuredValueScanner
    {
        /// <summary>Splits at ";" outside comments and quoted-strings.</summary>
        public static List<string> SplitTopLevel(string text, char separator)
        {
            var parts = new List<string>();
            var depth = 0;
            var inQuote = false;
            var start = 0;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (c == '\\' && (inQuote || depth > 0))
                {
                    i++;
                    continue;
                }

                if (inQuote)
                {
                    if (c == '"')
                    {
                        inQuote = false;
                    }

                    continue;
                }

                if (c == '"' && depth == 0)
                {
                    inQuote = true;
                }
                else if (c == '(')
                {
                    depth++;
                }
                else if (c == ')' && depth > 0)
                {
                    depth--;
                }
                else if (c == separator && depth == 0)
                {
                    parts.Add(text.Substring(start, i - start));
                    start = i + 1;
                }
            }

            parts.Add(text.Substring(start));
            return parts;
        }

        public static List<ScannedItem> Scan(string text)
        {
            var items = new List<ScannedItem>();
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c) || c == ';')
                {
                    i++;
                    continue;
                }

                if (c == '(')
                {
                    items.Add(new ScannedItem(null, ReadComment(text, ref i), true));
                    continue;
                }

                if (c == '"')
                {
                    items.Add(new ScannedItem(null, ReadQuoted(text, ref i), false));
                    continue;
                }

                var word = ReadAtom(text, ref i, stopAtEquals: true);
                var save = i;
                var pending = new List<string>();
                SkipCfws(text, ref i, pending);
                if (i < text.Length && text[i] == '=' && word.Length > 0)
                {
                    i++;
                    SkipCfws(text, ref i, pending);
                    string value;
                    if (i < text.Length && text[i] == '"')
                    {
                        value = ReadQuoted(text, ref i);
                    }
                    else
                    {
                        value = ReadAtom(text, ref i, stopAtEquals: false);
                    }

                    items.Add(new ScannedItem(word, value, false));
                    foreach (var comment in pending)
                    {
                        items.Add(new ScannedItem(null, comment, true));
                    }
                }
                else
                {
                    i = save;
                    if (word.Length == 0)
                    {
                        // A lone "=" or similar stray punctuation: skip it.
                        i++;
                        continue;
                    }

                    items.Add(new ScannedItem(null, word, false));
                }
            }

            return items;
        }

        private static void SkipCfws(string text, ref int i, List<string> comments)
        {
            while (i < text.Length)
            {
                if (char.IsWhiteSpace(text[i]))
                {
                    i++;
                }
                else if (text[i] == '(')
                {
                    comments.Add(ReadComment(text, ref i));
                }
                else
                {
                    break;
                }
            }
        }

        private static string ReadAtom(string text, ref int i, bool stopAtEquals)
        {
            var start = i;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c) || c == '(' || c == ';' || c == '"' || (stopAtEquals && c == '='))
                {
                    break;
                }

                i++;
            }

            return text.Substring(start, i - start);
        }

        /// <summary>Reads "(...)" with nesting and quoted-pairs; returns the inner text.</summary>
        public static string ReadComment(string text, ref int i)
        {
            var sb = new StringBuilder();
            var depth = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (c == '\\' && i + 1 < text.Length)
                {
                    sb.Append(text[i + 1]);
                    i += 2;
                    continue;
                }

                if (c == '(')
                {
                    if (depth > 0)
                    {
                        sb.Append(c);
                    }

                    depth++;
                }
                else if (c == ')')
                {
                    depth--;
                    if (depth == 0)
                    {
                        i++;
                        break;
                    }

                    sb.Append(c);
                }
                else
                {
                    sb.Append(c);
                }

                i++;
            }

            return sb.ToString().Trim();
        }

        private static string ReadQuoted(string text, ref int i)
        {
            var sb = new StringBuilder();
            i++; // opening quote
            while (i < text.Length)
            {
                var c = text[i];
                if (c == '\\' && i + 1 < text.Length)
                {
                    sb.Append(text[i + 1]);
                    i += 2;
                    continue;
                }

                i++;
                if (c == '"')
                {
                    break;
                }

                sb.Append(c);
            }

            return sb.ToString();
        }
    }
}
