using System;
using System.Collections.Generic;
using System.Text;

namespace MailAuth.Headers
{
    /// <summary>The header block recovered from a paste, ready for MimeKit.</summary>
    internal sealed class NormalizedHeaders
    {
        public NormalizedHeaders(string headerText, int fieldCount, bool hasBody, IReadOnlyList<string> notes)
        {
            HeaderText = headerText;
            FieldCount = fieldCount;
            HasBody = hasBody;
            Notes = notes;
        }

        /// <summary>CRLF lines, each field starting at column 0, folded lines starting with white space.</summary>
        public string HeaderText { get; }

        public int FieldCount { get; }

        public bool HasBody { get; }

        /// <summary>What had to be repaired, in plain words (leading lines skipped, indentation removed, ...).</summary>
        public IReadOnlyList<string> Notes { get; }

        /// <summary>Index of the first line after the header block and its closing blank line.</summary>
        public int BodyStart { get; set; }
    }

    /// <summary>
    /// Turns what people paste (Outlook's "Internet headers" box, Gmail's "Show original" page,
    /// a trace viewer) into an RFC 5322 §2.2 header block: finds where the fields start, removes
    /// indentation that copy-paste added to every line, re-joins lines that lost their folding
    /// white space and drops the blank lines some viewers put between fields.
    /// </summary>
    internal static class HeaderTextNormalizer
    {
        // Fields that mark a real transport header block, as opposed to a summary table (Gmail's
        // "Show original" lists From/To/Subject/SPF/DKIM above the raw message) or a quoted
        // "From: / Sent: / To:" block in a forwarded body.
        private static readonly HashSet<string> s_anchorFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Received", "Return-Path", "Delivered-To", "Message-ID", "Date", "Authentication-Results",
            "ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results", "DKIM-Signature",
            "Received-SPF", "MIME-Version", "X-Received", "X-Forefront-Antispam-Report", "X-Microsoft-Antispam",
        };

        public static NormalizedHeaders? Normalize(IReadOnlyList<string> lines)
        {
            if (lines == null)
            {
                throw new ArgumentNullException(nameof(lines));
            }

            lines = CleanLineStarts(lines);
            var notes = new List<string>();
            Block? fallback = null;
            Block? chosen = null;
            var i = 0;
            while (i < lines.Count)
            {
                if (!IsFieldStart(lines[i], out _))
                {
                    i++;
                    continue;
                }

                var block = ReadBlock(lines, i);
                if (block.HasAnchor)
                {
                    chosen = block;
                    break;
                }

                fallback ??= block;
                i = Math.Max(block.End, i + 1);
            }

            chosen ??= fallback;
            if (chosen == null)
            {
                return null;
            }

            if (chosen.Start > 0)
            {
                notes.Add($"Skipped {chosen.Start} line(s) before the first header field.");
            }

            if (chosen.Indent > 0)
            {
                notes.Add($"Removed {chosen.Indent} character(s) of indentation common to every line.");
            }

            if (chosen.DoubleSpaced)
            {
                notes.Add("Removed blank lines between header fields (double-spaced paste).");
            }

            if (chosen.StrayLines > 0)
            {
                notes.Add($"Joined {chosen.StrayLines} line(s) that had lost their folding white space to the field above.");
            }

            var hasBody = false;
            for (var j = chosen.End; j < lines.Count; j++)
            {
                if (lines[j].Trim().Length > 0)
                {
                    hasBody = true;
                    break;
                }
            }

            return new NormalizedHeaders(chosen.Text.ToString(), chosen.FieldCount, hasBody, notes) { BodyStart = chosen.End };
        }

        /// <summary>
        /// Web pages turn indentation into no-break spaces (U+00A0) and some editors leave a byte
        /// order mark on the first line; both would hide a field or its folding.
        /// </summary>
        private static IReadOnlyList<string> CleanLineStarts(IReadOnlyList<string> lines)
        {
            List<string>? cleaned = null;
            for (var i = 0; i < lines.Count; i++)
            {
                var line = lines[i];
                if (line.Length == 0 || (line[0] != '\u00a0' && line[0] != '\ufeff' && line[0] != '\u200b'))
                {
                    cleaned?.Add(line);
                    continue;
                }

                if (cleaned == null)
                {
                    cleaned = new List<string>(lines.Count);
                    for (var j = 0; j < i; j++)
                    {
                        cleaned.Add(lines[j]);
                    }
                }

                var k = 0;
                var sb = new StringBuilder();
                while (k < line.Length && (line[k] == '\u00a0' || line[k] == '\ufeff' || line[k] == '\u200b' || line[k] == ' ' || line[k] == '\t'))
                {
                    if (line[k] == '\u00a0' || line[k] == ' ' || line[k] == '\t')
                    {
                        sb.Append(line[k] == '\t' ? '\t' : ' ');
                    }

                    k++;
                }

                cleaned.Add(sb.Append(line, k, line.Length - k).ToString());
            }

            return (IReadOnlyList<string>?)cleaned ?? lines;
        }

        /// <summary>
        /// A field line: optional indentation, a field name of printable US-ASCII except ":"
        /// (RFC 5322 §3.6.8 ftext), then ":". "http://..." is not a field.
        /// </summary>
        internal static bool IsFieldStart(string line, out int indent)
        {
            indent = 0;
            while (indent < line.Length && (line[indent] == ' ' || line[indent] == '\t'))
            {
                indent++;
            }

            // RFC 5322 ftext would also allow specials such as "=", "[", "@"; no real field name
            // uses them, and refusing them (and names without a letter) keeps flattened
            // continuation text like "h=From:To:...", "[IPv6:2001:db8::1]" or "09:14:04 +0000"
            // from passing for a field when a paste lost its folding.
            var j = indent;
            var letter = false;
            while (j < line.Length && line[j] >= 33 && line[j] <= 126 && line[j] != ':')
            {
                var c = line[j];
                if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
                {
                    letter = true;
                }
                else if ("=[]()<>\",;@\\".IndexOf(c) >= 0)
                {
                    return false;
                }

                j++;
            }

            if (j == indent || !letter || j >= line.Length || line[j] != ':' || j - indent > 100)
            {
                return false;
            }

            return !(j + 2 < line.Length && line[j + 1] == '/' && line[j + 2] == '/');
        }

        private static int IndentOf(string line)
        {
            var n = 0;
            while (n < line.Length && (line[n] == ' ' || line[n] == '\t'))
            {
                n++;
            }

            return n;
        }

        private static bool IsBlank(string line)
        {
            return IndentOf(line) == line.Length;
        }

        private sealed class Block
        {
            public int Start;
            public int End;          // first line after the block (and after its closing blank line, if any)
            public int Indent;
            public int FieldCount;
            public int StrayLines;
            public bool HasAnchor;
            public bool DoubleSpaced;
            public StringBuilder Text = new StringBuilder();
        }

        private static Block ReadBlock(IReadOnlyList<string> lines, int start)
        {
            IsFieldStart(lines[start], out var indent);

            // A paste whose first line lost its indentation while every later line kept it
            // (selection started at the first character): take the later lines' indentation.
            var laterIndent = CommonLaterFieldIndent(lines, start, indent);
            var doubleSpaced = IsDoubleSpaced(lines, start);
            var block = new Block { Start = start, Indent = laterIndent ?? indent, DoubleSpaced = doubleSpaced };
            var i = start;
            while (i < lines.Count)
            {
                var line = lines[i];
                if (IsBlank(line))
                {
                    if (doubleSpaced && i + 1 < lines.Count && !IsBlank(lines[i + 1])
                        && (IsFieldStart(lines[i + 1], out _) || IndentOf(lines[i + 1]) > block.Indent))
                    {
                        i++;
                        continue;
                    }

                    i++;
                    break;
                }

                var own = IndentOf(line);
                if (i == start || (own <= block.Indent && IsFieldStart(line, out _)))
                {
                    AppendField(block, line.Substring(own));
                }
                else if (own > block.Indent)
                {
                    // Folded line (RFC 5322 §2.2.3): keep one white space character so it stays folded.
                    block.Text.Append(line.Substring(block.Indent)).Append("\r\n");
                }
                else
                {
                    block.StrayLines++;
                    block.Text.Append(' ').Append(line.TrimStart(' ', '\t')).Append("\r\n");
                }

                i++;
            }

            block.End = i;
            return block;
        }

        private static void AppendField(Block block, string field)
        {
            var colon = field.IndexOf(':');
            var name = field.Substring(0, colon);
            block.FieldCount++;
            if (s_anchorFields.Contains(name))
            {
                block.HasAnchor = true;
            }

            block.Text.Append(field).Append("\r\n");
        }

        private static int? CommonLaterFieldIndent(IReadOnlyList<string> lines, int start, int firstIndent)
        {
            if (firstIndent != 0)
            {
                return null;
            }

            int? common = null;
            var fields = 0;
            for (var i = start + 1; i < lines.Count && i < start + 200; i++)
            {
                if (IsBlank(lines[i]))
                {
                    break;
                }

                var own = IndentOf(lines[i]);
                if (own == 0)
                {
                    return null;
                }

                if (IsFieldStart(lines[i], out _))
                {
                    fields++;
                    common = common == null ? own : Math.Min(common.Value, own);
                }
            }

            // Folded continuation lines of the first field are indented too; only when several
            // later lines read as fields at one indentation is this the copy-paste pattern.
            return fields >= 2 ? common : null;
        }

        private static bool IsDoubleSpaced(IReadOnlyList<string> lines, int start)
        {
            // Text, blank, text, blank, ... for at least four lines of text, two of them fields
            // (continuation lines may sit between the blanks too).
            var fields = 0;
            for (var n = 0; n < 4; n++)
            {
                var i = start + 2 * n;
                if (i >= lines.Count || IsBlank(lines[i]) || (n < 3 && (i + 1 >= lines.Count || !IsBlank(lines[i + 1]))))
                {
                    return false;
                }

                if (IsFieldStart(lines[i], out _))
                {
                    fields++;
                }
            }

            return fields >= 2;
        }
    }
}
