using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using MimeKit;

namespace MailAuth.Headers
{
    /// <summary>
    /// Collects input line by line (as Get-Content delivers it) and hands back reports. A plain
    /// paste gives one report at <see cref="Complete"/>; an mbox (RFC 4155: messages start with a
    /// "From " line) gives each message's report as soon as the next one starts, so memory stays
    /// flat. Not thread-safe.
    /// </summary>
    public sealed class MailHeaderLineReader
    {
        // Lines kept after the header block: enough to pick the right block in a messy paste,
        // small enough that long bodies do not pile up in memory.
        private const int BodyKeepChars = 1024 * 1024;

        private static readonly IReadOnlyList<MailHeaderReport> s_none = Array.Empty<MailHeaderReport>();

        private readonly MailHeaderOptions _options;
        private readonly string? _source;
        private List<string> _lines = new List<string>();
        private long _chars;
        private long _bodyChars;
        private bool _seenField;
        private bool _inBody;
        private bool _inFieldRun;
        private long _headerChars;
        private bool _truncated;
        private bool _headerTruncated;
        private bool _droppedBody;
        private bool? _mbox;
        private bool _previousBlank = true;
        private int _messageNumber;

        /// <param name="options">Analysis settings; defaults when null.</param>
        /// <param name="source">What the lines come from (a path), copied to <see cref="MailHeaderReport.Source"/>.</param>
        public MailHeaderLineReader(MailHeaderOptions? options = null, string? source = null)
        {
            _options = options ?? MailHeaderOptions.Default;
            _source = source;
        }

        /// <summary>Lines received so far, all messages together.</summary>
        public long LineCount { get; private set; }

        /// <summary>
        /// Adds one line (without its terminator; a string holding several lines is split).
        /// Returns the reports of mbox messages this line completed, usually none.
        /// </summary>
        public IReadOnlyList<MailHeaderReport> AddLine(string? line)
        {
            line ??= "";
            if (line.IndexOf('\n') >= 0 || line.IndexOf('\r') >= 0)
            {
                List<MailHeaderReport>? done = null;
                foreach (var part in SplitLines(line))
                {
                    var r = AddOne(part);
                    if (r.Count > 0)
                    {
                        done ??= new List<MailHeaderReport>();
                        done.AddRange(r);
                    }
                }

                return (IReadOnlyList<MailHeaderReport>?)done ?? s_none;
            }

            return AddOne(line);
        }

        /// <summary>
        /// Ends the input and returns the remaining report(s). For input that is not an mbox,
        /// throws <see cref="MailHeaderFormatException"/> (NoHeaderFields) when no header field was found.
        /// </summary>
        public IReadOnlyList<MailHeaderReport> Complete()
        {
            var report = Finish(isFinal: true);
            _mbox = null;
            _previousBlank = true;
            _messageNumber = 0;
            return report == null ? s_none : new[] { report };
        }

        internal static IEnumerable<string> SplitLines(string text)
        {
            var start = 0;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (c == '\r' || c == '\n')
                {
                    yield return text.Substring(start, i - start);
                    if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                    {
                        i++;
                    }

                    start = i + 1;
                }
            }

            if (start < text.Length)
            {
                yield return text.Substring(start);
            }
        }

        private IReadOnlyList<MailHeaderReport> AddOne(string line)
        {
            LineCount++;
            var blank = line.Trim().Length == 0;
            if (_mbox == null && !blank)
            {
                _mbox = IsMboxSeparator(line);
            }

            IReadOnlyList<MailHeaderReport> result = s_none;
            if (_mbox == true && _previousBlank && IsMboxSeparator(line))
            {
                if (HasContent())
                {
                    var report = Finish(isFinal: false);
                    if (report != null)
                    {
                        result = new[] { report };
                    }
                }

                _previousBlank = false;
                return result;
            }

            _previousBlank = blank;
            if (_mbox == true && line.StartsWith(">", StringComparison.Ordinal))
            {
                // mboxrd quoting (RFC 4155 §2): one ">" was added before a ">*From " line.
                var k = 0;
                while (k < line.Length && line[k] == '>')
                {
                    k++;
                }

                if (string.CompareOrdinal(line, k, "From ", 0, 5) == 0)
                {
                    line = line.Substring(1);
                }
            }

            Store(line, blank);
            return result;
        }

        /// <summary>
        /// RFC 4155 §2: "From " sender date. A digit is required so that a pasted sentence such
        /// as "From my phone, the headers:" or an unquoted "From the team" body line is not one.
        /// </summary>
        private static bool IsMboxSeparator(string line)
        {
            if (!line.StartsWith("From ", StringComparison.Ordinal))
            {
                return false;
            }

            var tokens = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length < 3)
            {
                return false;
            }

            foreach (var c in line)
            {
                if (c >= '0' && c <= '9')
                {
                    return true;
                }
            }

            return false;
        }

        private bool HasContent()
        {
            foreach (var l in _lines)
            {
                if (l.Trim().Length > 0)
                {
                    return true;
                }
            }

            return _truncated || _droppedBody;
        }

        private void Store(string line, bool blank)
        {
            var isField = HeaderTextNormalizer.IsFieldStart(line, out _);
            _inFieldRun = isField || (_inFieldRun && !blank && (line[0] == ' ' || line[0] == '\t'));
            if (isField)
            {
                _seenField = true;

                // What followed the first blank line may still be the header (Gmail's "Show
                // original" table comes first, double-spaced pastes): the budget counts only a
                // run of lines without a field.
                _bodyChars = 0;
                if (_droppedBody)
                {
                    // Lines were dropped and fields follow: header text may be missing.
                    _truncated = true;
                }
            }
            else if (_seenField && blank)
            {
                _inBody = true;
            }

            if (_inBody && !_inFieldRun && !_options.KeepMessageForVerification)
            {
                _bodyChars += line.Length + 1;
                if (_bodyChars > BodyKeepChars)
                {
                    if (!blank)
                    {
                        _droppedBody = true;
                    }

                    return;
                }
            }

            if (_inFieldRun)
            {
                // Header text past MaxHeaderLength is not a real message's (docs/limits.md).
                // The line that crosses the limit keeps its first part, so one huge field (a 1 MB
                // Subject) still leaves the fields before it and its own name readable.
                long budget = _options.MaxHeaderLength - _headerChars;
                _headerChars += line.Length + 1;
                if (_headerChars > _options.MaxHeaderLength)
                {
                    if (_headerTruncated || budget <= 0)
                    {
                        _headerTruncated = true;
                        return;
                    }

                    _headerTruncated = true;
                    line = line.Substring(0, (int)Math.Min(line.Length, budget));
                }
            }

            _chars += line.Length + 1;
            if (_chars > _options.MaxMessageLength)
            {
                _truncated = true;
                return;
            }

            _lines.Add(line);
        }

        private MailHeaderReport? Finish(bool isFinal)
        {
            var lines = _lines;
            var truncated = _truncated;
            var headerTruncated = _headerTruncated;
            var droppedBody = _droppedBody;
            var isMbox = _mbox == true;
            _lines = new List<string>();
            _chars = 0;
            _bodyChars = 0;
            _seenField = false;
            _inBody = false;
            _inFieldRun = false;
            _truncated = false;
            _headerTruncated = false;
            _headerChars = 0;
            _droppedBody = false;

            if (isMbox && !HasAnyContent(lines) && !truncated && !droppedBody)
            {
                return null;
            }

            _messageNumber++;
            var source = isMbox ? (_source ?? "mbox") + " #" + _messageNumber : _source;
            return MailHeaderAnalyzer.AnalyzeLines(lines, _options, source, _messageNumber, truncated, droppedBody,
                throwIfEmpty: !isMbox, headerTruncated: headerTruncated);
        }

        private static bool HasAnyContent(List<string> lines)
        {
            foreach (var l in lines)
            {
                if (l.Trim().Length > 0)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
