using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace MailAuth.Reports
{
    /// <summary>Options of a DMARC or TLS-RPT import.</summary>
    public sealed class ReportImportOptions
    {
        /// <summary>Bounds on decompression and values (zip bombs, huge text).</summary>
        public ReportReadLimits Limits { get; set; } = new ReportReadLimits();

        /// <summary>
        /// Records held back until the whole report has been read and found valid, so a bad report
        /// yields no records at all. A larger report streams: records past this many are written
        /// as they are read, and a problem found later ends it with <see cref="DmarcReportImport.Error"/>.
        /// Default 50,000 (about 25 MB); a 1,000,000-record report then streams.
        /// </summary>
        public int HoldBackRecords { get; set; } = 50000;

        /// <summary>
        /// Asked for each report before its records are given out: the origin of the same report
        /// (org_name + report_id) already kept elsewhere (a database), or null. Reports seen earlier
        /// in the same importer are recognized without it.
        /// </summary>
        public Func<string, string, string?>? KnownReport { get; set; }
    }

    /// <summary>What the import of one report document gave: its records, a duplicate note, or an error.</summary>
    public sealed class DmarcReportImport
    {
        private IEnumerable<DmarcReportRecord>? _records;

        internal DmarcReportImport(DmarcAggregateReport? report, IEnumerable<DmarcReportRecord>? records, ReportImportProblem? error, string? duplicateOf)
        {
            Report = report;
            _records = records;
            Error = error;
            DuplicateOf = duplicateOf;
        }

        /// <summary>The report (null when the document could not be read as one).</summary>
        public DmarcAggregateReport? Report { get; }

        /// <summary>Why the document is not a valid report; null for a good one. For a report that streamed (larger than <see cref="ReportImportOptions.HoldBackRecords"/>), set when enumeration of <see cref="Records"/> ends early.</summary>
        public ReportImportProblem? Error { get; internal set; }

        /// <summary>For a duplicate: where the same report (org_name + report_id, RFC 9990 §3.5.4) was first seen; its records are not given out again.</summary>
        public string? DuplicateOf { get; }

        /// <summary>The note for a duplicate.</summary>
        public string? DuplicateNote => DuplicateOf is null || Report is null ? null
            : $"{Report.Origin}: duplicate report {Report.OrgName} {Report.ReportId} (same org_name and report_id as the one from {DuplicateOf}, RFC 9990 §3.5.4); imported once.";

        /// <summary>The records (enumerate once); empty for an error or a duplicate.</summary>
        public IEnumerable<DmarcReportRecord> Records => _records ?? Array.Empty<DmarcReportRecord>();

        internal void SetRecords(IEnumerable<DmarcReportRecord> records) => _records = records;

        /// <summary>Records were given out before the whole report was read (it is larger than the hold-back).</summary>
        public bool Streamed { get; internal set; }
    }

    /// <summary>A file read by <see cref="DmarcReportImporter.ParseFile"/>: its imports, or null when it must stream.</summary>
    public sealed class DmarcParsedFile
    {
        internal DmarcParsedFile(string file, IReadOnlyList<DmarcReportImport>? imports)
        {
            File = file;
            Imports = imports;
        }

        public string File { get; }

        /// <summary>Null when a report in it is larger than the hold-back (read again, streaming, by Admit).</summary>
        public IReadOnlyList<DmarcReportImport>? Imports { get; }

        public bool TooLarge => Imports is null;
    }

    /// <summary>A document that is not a valid report: the file, where in it, the error id and the exact reason.</summary>
    public sealed class ReportImportProblem
    {
        internal ReportImportProblem(string sourceFile, string? location, string errorId, string reason, bool isReadError, Exception? exception)
        {
            SourceFile = sourceFile;
            Location = location;
            ErrorId = errorId;
            Reason = reason;
            IsReadError = isReadError;
            Exception = exception;
        }

        public string SourceFile { get; }

        /// <summary>The message, attachment and zip entry, when the problem is inside a container.</summary>
        public string? Location { get; }

        /// <summary>InvalidDmarcReport.&lt;kind&gt; (InvalidTlsRptReport.&lt;kind&gt;), or FileReadError for a file that cannot be read.</summary>
        public string ErrorId { get; }

        /// <summary>The reason, starting with what is wrong ("truncated XML: ...").</summary>
        public string Reason { get; }

        /// <summary>The file could not be read (I/O, permissions), as opposed to holding no valid report.</summary>
        public bool IsReadError { get; }

        internal Exception? Exception { get; }

        /// <summary>The file, the place in it, and the reason: the error message.</summary>
        public string Message => (Location is null ? SourceFile : SourceFile + " (" + Location + ")") + ": " + Reason;

        public override string ToString() => Message;
    }

    /// <summary>
    /// Imports DMARC aggregate reports from files: every report in a file (see
    /// <see cref="ReportContainerReader"/>), each read with <see cref="DmarcReportXmlReader"/>, each
    /// report given out once however often it arrives (RFC 9990 §3.5.4: org_name + report_id), and a
    /// bad document is one <see cref="ReportImportProblem"/> while the rest go on. One instance per
    /// batch (it remembers the reports seen); not thread-safe.
    /// </summary>
    public sealed class DmarcReportImporter
    {
        private readonly ReportImportOptions _options;
        private readonly Dictionary<string, string> _seen = new Dictionary<string, string>(StringComparer.Ordinal);

        public DmarcReportImporter(ReportImportOptions? options = null)
        {
            _options = options ?? new ReportImportOptions();
            _options.Limits.Validated();
            if (_options.HoldBackRecords < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(options), "HoldBackRecords must be 0 or more.");
            }
        }

        /// <summary>Reports seen so far (not duplicates).</summary>
        public int ReportCount => _seen.Count;

        /// <summary>The reports in one file, in file order.</summary>
        /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
        public IEnumerable<DmarcReportImport> ImportFile(string path, CancellationToken cancellationToken = default)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new ArgumentException("Give the path of a report file.", nameof(path));
            }

            var container = new ReportContainerReader(_options.Limits, cancellationToken);
            return Import(container.Read(path), path, cancellationToken);
        }

        /// <summary>The reports in bytes (a file's content, a mail, an attachment), named <paramref name="name"/> in messages.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
        public IEnumerable<DmarcReportImport> ImportBytes(byte[] data, string name, CancellationToken cancellationToken = default)
        {
            if (data is null)
            {
                throw new ArgumentNullException(nameof(data));
            }

            var container = new ReportContainerReader(_options.Limits, cancellationToken);
            return Import(container.Read(data, string.IsNullOrEmpty(name) ? "input" : name), name, cancellationToken);
        }

        /// <summary>
        /// Reads one file on any thread, without touching the importer's duplicate state: every
        /// report held whole, or <see cref="DmarcParsedFile.TooLarge"/> when one is larger than the
        /// hold-back. <see cref="Admit"/> then gives the imports out, on the caller's thread, in order.
        /// </summary>
        public DmarcParsedFile ParseFile(string path, CancellationToken cancellationToken = default)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new ArgumentException("Give the path of a report file.", nameof(path));
            }

            var container = new ReportContainerReader(_options.Limits, cancellationToken);
            var imports = new List<DmarcReportImport>();
            foreach (DmarcReportImport import in Import(container.Read(path), path, cancellationToken, detached: true))
            {
                if (import.Streamed)
                {
                    return new DmarcParsedFile(path, null);
                }

                imports.Add(import);
            }

            return new DmarcParsedFile(path, imports);
        }

        /// <summary>A file whose reading threw something unexpected: one problem in its place.</summary>
        internal static DmarcParsedFile Failed(string file, Exception exception) =>
            new DmarcParsedFile(file, new[] { new DmarcReportImport(null, null, Problem(file, null, exception), null) });

        /// <summary>
        /// The imports of a file read by <see cref="ParseFile"/>, checked for duplicates against the
        /// reports given out so far (and <see cref="ReportImportOptions.KnownReport"/>); a file too
        /// large to hold is read again here, streaming. Call in input order, from one thread.
        /// </summary>
        public IEnumerable<DmarcReportImport> Admit(DmarcParsedFile parsed, CancellationToken cancellationToken = default)
        {
            if (parsed is null)
            {
                throw new ArgumentNullException(nameof(parsed));
            }

            if (parsed.Imports is null)
            {
                foreach (DmarcReportImport import in ImportFile(parsed.File, cancellationToken))
                {
                    yield return import;
                }

                yield break;
            }

            foreach (DmarcReportImport import in parsed.Imports)
            {
                if (import.Error != null || import.Report is null || import.DuplicateOf != null)
                {
                    yield return import;
                    continue;
                }

                string? first = Duplicate(import.Report);
                if (first != null)
                {
                    yield return new DmarcReportImport(import.Report, null, null, first);
                    continue;
                }

                Remember(import.Report);
                yield return import;
            }
        }

        private IEnumerable<DmarcReportImport> Import(IEnumerable<ReportContainerItem> items, string file, CancellationToken cancellationToken, bool detached = false)
        {
            using IEnumerator<ReportContainerItem> e = items.GetEnumerator();
            while (true)
            {
                ReportContainerItem item;
                ReportImportProblem? failure = null;
                try
                {
                    if (!e.MoveNext())
                    {
                        yield break;
                    }

                    item = e.Current;
                }
                catch (Exception ex) when (IsReportProblem(ex))
                {
                    item = null!;
                    failure = Problem(file, null, ex);
                }

                if (failure != null)
                {
                    yield return new DmarcReportImport(null, null, failure, null);
                    yield break;
                }

                if (item.Document is null)
                {
                    string id = item.IsReadError ? "FileReadError" : ReportErrorIds.Dmarc(item.ErrorKind!);
                    yield return new DmarcReportImport(null, null, new ReportImportProblem(item.SourceFile, item.Location, id, item.Message!, item.IsReadError, null), null);
                    continue;
                }

                DmarcReportImport result = ImportDocument(item.Document, cancellationToken, detached);
                yield return result;
                if (detached && result.Streamed)
                {
                    yield break;
                }
            }
        }

        private DmarcReportImport ImportDocument(ReportDocument document, CancellationToken cancellationToken, bool detached = false)
        {
            var report = new DmarcAggregateReport(document.SourceFile, document.Location);
            var held = new List<DmarcReportRecord>();
            IEnumerator<DmarcReportRecord>? e = null;
            try
            {
                Stream stream = document.Open();
                DmarcReportXmlReader reader = DmarcReportXmlReader.Open(stream, report, _options.Limits, cancellationToken);
                e = reader.ReadRecords().GetEnumerator();
                while (e.MoveNext())
                {
                    held.Add(e.Current);
                    if (held.Count > _options.HoldBackRecords && detached)
                    {
                        // Too large to hold on a worker: the file is read again, streaming, in order.
                        e.Dispose();
                        return new DmarcReportImport(report, null, null, null) { Streamed = true };
                    }

                    if (held.Count > _options.HoldBackRecords)
                    {
                        // Larger than the hold-back: check what can be checked now, then stream.
                        string? earlier = Duplicate(report);
                        if (earlier != null)
                        {
                            e.Dispose();
                            return new DmarcReportImport(report, null, null, earlier);
                        }

                        Remember(report);
                        var import = new DmarcReportImport(report, null, null, null) { Streamed = true };
                        IEnumerator<DmarcReportRecord> rest = e;
                        e = null;
                        import.SetRecords(Stream(import, held, rest, document));
                        return import;
                    }
                }

                e.Dispose();
                e = null;
            }
            catch (Exception ex) when (IsReportProblem(ex))
            {
                e?.Dispose();
                return new DmarcReportImport(report.ReportId.Length > 0 ? report : null, null, Problem(document.SourceFile, document.Location, ex), null);
            }

            if (detached)
            {
                return new DmarcReportImport(report, held, null, null);
            }

            string? first = Duplicate(report);
            if (first != null)
            {
                return new DmarcReportImport(report, null, null, first);
            }

            Remember(report);
            return new DmarcReportImport(report, held, null, null);
        }

        private IEnumerable<DmarcReportRecord> Stream(DmarcReportImport import, List<DmarcReportRecord> held, IEnumerator<DmarcReportRecord> rest, ReportDocument document)
        {
            foreach (DmarcReportRecord record in held)
            {
                yield return record;
            }

            held.Clear();
            using (rest)
            {
                while (true)
                {
                    DmarcReportRecord record;
                    try
                    {
                        if (!rest.MoveNext())
                        {
                            yield break;
                        }

                        record = rest.Current;
                    }
                    catch (Exception ex) when (IsReportProblem(ex))
                    {
                        import.Error = Problem(document.SourceFile, document.Location, ex);
                        yield break;
                    }

                    yield return record;
                }
            }
        }

        private string? Duplicate(DmarcAggregateReport report)
        {
            string key = report.Key;
            if (_seen.TryGetValue(key, out string? origin))
            {
                return origin;
            }

            return _options.KnownReport?.Invoke(report.OrgName, report.ReportId);
        }

        private void Remember(DmarcAggregateReport report) => _seen[report.Key] = report.Origin;

        internal static bool IsReportProblem(Exception ex) =>
            ex is ReportFormatException || ex is ReportLimitException || ex is IOException || ex is UnauthorizedAccessException
            || ex is InvalidDataException || ex is System.Xml.XmlException;

        internal static ReportImportProblem Problem(string file, string? location, Exception ex, string prefix = ReportErrorIds.DmarcPrefix)
        {
            switch (ex)
            {
                case ReportFormatException format:
                    return new ReportImportProblem(file, location, prefix + "." + format.ErrorId, format.Message, false, ex);
                case ReportLimitException limit:
                    return new ReportImportProblem(file, location, prefix + "." + ReportErrorIds.SizeLimit, limit.Message, false, ex);
                case InvalidDataException data:
                    return new ReportImportProblem(file, location, prefix + "." + ReportErrorIds.Compression, "damaged compressed data: " + data.Message, false, ex);
                case System.Xml.XmlException xml:
                    return new ReportImportProblem(file, location, prefix + "." + ReportErrorIds.NotXml, "not well-formed XML: " + xml.Message, false, ex);
                default:
                    return new ReportImportProblem(file, location, "FileReadError", "cannot be read: " + ex.Message, true, ex);
            }
        }
    }
}
