using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using MimeKit;
using MimeKit.Utils;

namespace MailAuth.Headers
{
    /// <summary>
    /// Entry points of header forensics: text, lines (<see cref="MailHeaderLineReader"/>), files,
    /// streams, MimeKit messages. Parsing is local and synchronous; nothing here touches DNS.
    /// </summary>
    public static class MailHeaderAnalyzer
    {
        /// <summary>
        /// Reports on pasted or loaded text: one report, or one per message for mbox text.
        /// Throws <see cref="MailHeaderFormatException"/> (NoHeaderFields) when no header field is found.
        /// </summary>
        public static IReadOnlyList<MailHeaderReport> AnalyzeText(string text, MailHeaderOptions? options = null)
        {
            if (text == null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            var reader = new MailHeaderLineReader(options, "string");
            var reports = new List<MailHeaderReport>();
            reports.AddRange(reader.AddLine(text));
            reports.AddRange(reader.Complete());
            return reports;
        }

        /// <summary>
        /// Reports on a file (.eml, .txt, mbox), read as UTF-8 line by line: one report per message,
        /// yielded as each message ends, so a large mbox is streamed with flat memory.
        /// </summary>
        public static IEnumerable<MailHeaderReport> AnalyzeFile(string path, MailHeaderOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            if (path == null)
            {
                throw new ArgumentNullException(nameof(path));
            }

            if (path.Trim().Length == 0)
            {
                throw new ArgumentException("The path is empty.", nameof(path));
            }

            if (!File.Exists(path))
            {
                throw new FileNotFoundException("The header file does not exist: " + path, path);
            }

            return AnalyzeFileIterator(path, options, cancellationToken);
        }

        private static IEnumerable<MailHeaderReport> AnalyzeFileIterator(string path, MailHeaderOptions? options,
            CancellationToken cancellationToken)
        {
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 65536))
            {
                foreach (var r in AnalyzeStreamIterator(stream, options, path, cancellationToken))
                {
                    yield return r;
                }
            }
        }

        /// <summary>Like <see cref="AnalyzeFile"/> over an open stream (left open).</summary>
        public static IEnumerable<MailHeaderReport> AnalyzeStream(Stream stream, MailHeaderOptions? options = null,
            string? source = null, CancellationToken cancellationToken = default)
        {
            if (stream == null)
            {
                throw new ArgumentNullException(nameof(stream));
            }

            if (!stream.CanRead)
            {
                throw new ArgumentException("The stream cannot be read.", nameof(stream));
            }

            return AnalyzeStreamIterator(stream, options, source ?? "stream", cancellationToken);
        }

        private static IEnumerable<MailHeaderReport> AnalyzeStreamIterator(Stream stream, MailHeaderOptions? options,
            string source, CancellationToken cancellationToken)
        {
            var opts = options ?? MailHeaderOptions.Default;
            var reader = new MailHeaderLineReader(opts, source);

            // A line is capped so a file without line breaks (binary garbage) cannot fill memory.
            var maxLine = Math.Max(1024, Math.Min(opts.MaxMessageLength, 1024 * 1024));
            using (var text = new StreamReader(stream, new UTF8Encoding(false, false), true, 65536, leaveOpen: true))
            {
                var sb = new StringBuilder();
                var buffer = new char[8192];
                var pendingCr = false;
                int read;
                while ((read = text.Read(buffer, 0, buffer.Length)) > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    for (var i = 0; i < read; i++)
                    {
                        var c = buffer[i];
                        if (pendingCr)
                        {
                            pendingCr = false;
                            if (c == '\n')
                            {
                                continue;
                            }
                        }

                        if (c == '\r' || c == '\n')
                        {
                            pendingCr = c == '\r';
                            foreach (var r in reader.AddLine(sb.ToString()))
                            {
                                yield return r;
                            }

                            sb.Clear();
                        }
                        else if (sb.Length < maxLine)
                        {
                            sb.Append(c);
                        }
                    }
                }

                if (sb.Length > 0)
                {
                    foreach (var r in reader.AddLine(sb.ToString()))
                    {
                        yield return r;
                    }
                }
            }

            foreach (var r in reader.Complete())
            {
                yield return r;
            }
        }

        /// <summary>
        /// A report on a MimeKit <c>MimeMessage</c> (or <c>HeaderList</c>), taken as <see cref="object"/>
        /// so callers need no MimeKit reference. Throws <see cref="ArgumentException"/> for other types.
        /// The body's Content-* fields are listed after the message's own (MimeKit stores them apart).
        /// </summary>
        public static MailHeaderReport AnalyzeMimeMessage(object message, MailHeaderOptions? options = null)
        {
            if (message == null)
            {
                throw new ArgumentNullException(nameof(message));
            }

            var opts = options ?? MailHeaderOptions.Default;
            switch (message)
            {
                case MimeMessage mime:
                    // MimeKit keeps the Content-* fields on the body entity: they follow the others here.
                    var fields = MailHeaderReportBuilder.FromHeaderList(mime.Headers, opts);
                    if (mime.Body != null)
                    {
                        foreach (var f in MailHeaderReportBuilder.FromHeaderList(mime.Body.Headers, opts))
                        {
                            fields.Add(new MailHeaderField(fields.Count, f.Name, f.Value, f.RawValue));
                        }
                    }

                    var report = MailHeaderReportBuilder.Build(fields, opts, "MimeMessage", 1, mime.Body != null,
                        Array.Empty<string>(), truncated: false);
                    if (opts.KeepMessageForVerification)
                    {
                        report.RetainedMessage = mime;
                    }

                    return report;
                case HeaderList list:
                    return MailHeaderReportBuilder.Build(MailHeaderReportBuilder.FromHeaderList(list, opts), opts,
                        "HeaderList", 1, false, Array.Empty<string>(), truncated: false);
                default:
                    throw new ArgumentException(
                        $"Expected a MimeKit.MimeMessage or MimeKit.HeaderList, got {message.GetType().FullName}.", nameof(message));
            }
        }

        /// <summary>
        /// Dispatches on the input type for a cmdlet's -InputObject: string (text), FileInfo (file),
        /// Stream, MimeMessage, HeaderList. Throws <see cref="MailHeaderFormatException"/>
        /// (UnsupportedInput) for anything else.
        /// </summary>
        public static IEnumerable<MailHeaderReport> AnalyzeObject(object input, MailHeaderOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            switch (input)
            {
                case null:
                    throw new ArgumentNullException(nameof(input));
                case string s:
                    return AnalyzeText(s, options);
                case FileInfo file:
                    return AnalyzeFile(file.FullName, options, cancellationToken);
                case Stream stream:
                    return AnalyzeStream(stream, options, null, cancellationToken);
                case MimeMessage _:
                case HeaderList _:
                    return new[] { AnalyzeMimeMessage(input, options) };
                default:
                    throw new MailHeaderFormatException(MailHeaderFormatException.UnsupportedInput,
                        $"Cannot read mail headers from a {input.GetType().FullName}; pass text, a file, a stream or a MimeMessage.");
            }
        }

        internal static MailHeaderReport AnalyzeLines(List<string> lines, MailHeaderOptions options, string? source,
            int messageNumber, bool truncated, bool droppedBody, bool throwIfEmpty, bool headerTruncated = false)
        {
            var normalized = HeaderTextNormalizer.Normalize(lines);
            if (normalized == null)
            {
                if (throwIfEmpty)
                {
                    throw new MailHeaderFormatException(MailHeaderFormatException.NoHeaderFields,
                        "No header fields found: no line looks like \"Name: value\". Paste the message's full internet headers.");
                }

                return MailHeaderReportBuilder.Build(Array.Empty<MailHeaderField>(), options, source, messageNumber,
                    droppedBody || lines.Count > 0, Array.Empty<string>(), truncated);
            }

            var fields = ParseFields(normalized.HeaderText, options);
            var report = MailHeaderReportBuilder.Build(fields, options, source, messageNumber,
                normalized.HasBody || droppedBody, normalized.Notes, truncated, headerTruncated);
            if (options.KeepMessageForVerification && !truncated && !droppedBody)
            {
                // The repaired header block and the body lines as read (CRLF, RFC 5322 §2.1), for
                // DKIM and ARC verification later (MailHeaderVerifier).
                var text = new StringBuilder(normalized.HeaderText).Append("\r\n");
                for (var i = normalized.BodyStart; i < lines.Count; i++)
                {
                    text.Append(lines[i]).Append("\r\n");
                }

                report.RetainedMessage = text.ToString();
            }

            return report;
        }

        /// <summary>MimeKit's header parser over the repaired text; a plain splitter if MimeKit refuses it.</summary>
        // MimeKit's header parser slows down quadratically on one very long folded field (a
        // 1 MB field takes seconds); past this size the block is split here, in one pass, and
        // only the RFC 2047 decoding is left to MimeKit.
        private const int LargeFieldThreshold = 64 * 1024;

        internal static List<MailHeaderField> ParseFields(string headerText, MailHeaderOptions options)
        {
            if (LongestField(headerText) > LargeFieldThreshold)
            {
                return SplitFields(headerText, options);
            }

            try
            {
                var bytes = Encoding.UTF8.GetBytes(headerText + "\r\n");
                using (var stream = new MemoryStream(bytes, writable: false))
                {
                    var list = HeaderList.Load(ParserOptions.Default, stream);
                    if (list.Count > 0)
                    {
                        return MailHeaderReportBuilder.FromHeaderList(list, options);
                    }
                }
            }
            catch (FormatException)
            {
                // Includes MimeKit's ParseException. Fall through: keep every field even when MimeKit cannot.
            }

            return SplitFields(headerText, options);
        }

        private static int LongestField(string headerText)
        {
            var longest = 0;
            var start = 0;
            for (var i = 0; i < headerText.Length; i++)
            {
                // A field starts after a line break that is not followed by folding white space.
                if (headerText[i] == '\n' && (i + 1 >= headerText.Length || (headerText[i + 1] != ' ' && headerText[i + 1] != '\t')))
                {
                    longest = Math.Max(longest, i - start);
                    start = i + 1;
                }
            }

            return Math.Max(longest, headerText.Length - start);
        }

        private static List<MailHeaderField> SplitFields(string headerText, MailHeaderOptions options)
        {
            var fields = new List<MailHeaderField>();
            string? name = null;
            var raw = new StringBuilder();
            foreach (var line in MailHeaderLineReader.SplitLines(headerText))
            {
                if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
                {
                    raw.Append("\r\n").Append(line);
                    continue;
                }

                Flush();
                var colon = line.IndexOf(':');
                if (colon > 0)
                {
                    name = line.Substring(0, colon);
                    raw.Append(line.Substring(colon + 1));
                }
            }

            Flush();
            return fields;

            void Flush()
            {
                if (name != null)
                {
                    var r = raw.ToString().Trim();
                    string value = r;
                    if (MailHeaderReportBuilder.EncodedWords(r) <= options.MaxEncodedWordsPerField)
                    {
                        try
                        {
                            value = Rfc2047.DecodeText(ParserOptions.Default, Encoding.UTF8.GetBytes(r));
                        }
                        catch (Exception)
                        {
                            value = r;
                        }
                    }

                    // Unfold as RFC 5322 §2.2.3: remove the line breaks, keep the white space.
                    value = value.Replace("\r\n", "").Replace("\n", "").Trim();
                    fields.Add(new MailHeaderField(fields.Count, name, value, r));
                }

                name = null;
                raw.Clear();
            }
        }
    }
}
