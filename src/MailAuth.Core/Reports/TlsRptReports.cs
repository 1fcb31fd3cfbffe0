using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;

namespace MailAuth.Reports
{
    /// <summary>
    /// One row of an SMTP TLS report (RFC 8460 §4.4): a policy with its session totals and one of
    /// its failure-details, or the policy alone when it had no failures. The session totals are the
    /// policy's and repeat on each of its rows (sum FailedSessionCount per row; group by
    /// ReportId and PolicyNumber for the totals).
    /// </summary>
    public sealed class TlsRptReportRow
    {
        internal TlsRptReportRow() { }

        public string OrganizationName { get; internal set; } = string.Empty;

        public string ReportId { get; internal set; } = string.Empty;

        /// <summary>date-range/start-datetime, UTC (RFC 8460 §4.4, RFC 3339).</summary>
        public DateTime StartDate { get; internal set; }

        public DateTime EndDate { get; internal set; }

        public string? ContactInfo { get; internal set; }

        /// <summary>1 for the report's first policy, 2 for the next.</summary>
        public int PolicyNumber { get; internal set; }

        /// <summary>policy-type: sts, tlsa or no-policy-found (RFC 8460 §4.4).</summary>
        public string PolicyType { get; internal set; } = string.Empty;

        public string PolicyDomain { get; internal set; } = string.Empty;

        /// <summary>mx-host, several joined with ", ".</summary>
        public string? MxHost { get; internal set; }

        public long TotalSuccessfulSessionCount { get; internal set; }

        public long TotalFailureSessionCount { get; internal set; }

        /// <summary>result-type (RFC 8460 §4.3, such as certificate-expired); null on a policy row without failures.</summary>
        public string? ResultType { get; internal set; }

        public string? SendingMtaIp { get; internal set; }

        public string? ReceivingMxHostname { get; internal set; }

        public string? ReceivingMxHelo { get; internal set; }

        public string? ReceivingIp { get; internal set; }

        /// <summary>failed-session-count of this failure-details entry; 0 on a row without failures.</summary>
        public long FailedSessionCount { get; internal set; }

        public string? AdditionalInformation { get; internal set; }

        public string? FailureReasonCode { get; internal set; }

        public string SourceFile { get; internal set; } = string.Empty;

        /// <summary>policy-string: the policy as the sender saw it.</summary>
        public ResultList<string> PolicyString { get; internal set; } = ResultList<string>.Empty;

        /// <summary>Where in the file (message, attachment, zip entry); null for a plain file.</summary>
        public string? Location { get; internal set; }

        public override string ToString() => ResultType is null
            ? $"{PolicyDomain} {PolicyType}: {TotalSuccessfulSessionCount} ok, {TotalFailureSessionCount} failed"
            : $"{PolicyDomain} {PolicyType}: {ResultType} x{FailedSessionCount} {ReceivingMxHostname}";
    }

    /// <summary>The import of one TLS report document: its rows, a duplicate note, or an error.</summary>
    public sealed class TlsRptReportImport
    {
        internal TlsRptReportImport(IReadOnlyList<TlsRptReportRow> rows, ReportImportProblem? error, string? duplicateNote)
        {
            Rows = rows;
            Error = error;
            DuplicateNote = duplicateNote;
        }

        public IReadOnlyList<TlsRptReportRow> Rows { get; }

        public ReportImportProblem? Error { get; }

        public string? DuplicateNote { get; }
    }

    /// <summary>
    /// Imports SMTP TLS reports (RFC 8460 §4.4 JSON) from .json, gzip (application/tlsrpt+gzip,
    /// §5.3), zip, mails and mbox, with the same bounds as DMARC reports; one report once
    /// (organization-name + report-id); a bad document is one problem with the reason.
    /// </summary>
    public sealed class TlsRptReportImporter
    {
        private const int MaxDocumentChars = 64 * 1024 * 1024;
        private readonly ReportImportOptions _options;
        private readonly Dictionary<string, string> _seen = new Dictionary<string, string>(StringComparer.Ordinal);

        public TlsRptReportImporter(ReportImportOptions? options = null)
        {
            _options = options ?? new ReportImportOptions();
            _options.Limits.Validated();
        }

        /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
        public IEnumerable<TlsRptReportImport> ImportFile(string path, CancellationToken cancellationToken = default)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new ArgumentException("Give the path of a report file.", nameof(path));
            }

            var container = new ReportContainerReader(_options.Limits, cancellationToken);
            using IEnumerator<ReportContainerItem> e = container.Read(path).GetEnumerator();
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
                catch (Exception ex) when (DmarcReportImporter.IsReportProblem(ex))
                {
                    item = null!;
                    failure = DmarcReportImporter.Problem(path, null, ex, ReportErrorIds.TlsRptPrefix);
                }

                if (failure != null)
                {
                    yield return new TlsRptReportImport(Array.Empty<TlsRptReportRow>(), failure, null);
                    yield break;
                }

                if (item.Document is null)
                {
                    string kind = item.ErrorKind == ReportErrorIds.NotDmarc ? ReportErrorIds.NotTlsRpt : item.ErrorKind!;
                    string message = item.Message!.Replace("not a DMARC report", "not a TLS report");
                    yield return new TlsRptReportImport(Array.Empty<TlsRptReportRow>(),
                        new ReportImportProblem(item.SourceFile, item.Location, item.IsReadError ? "FileReadError" : ReportErrorIds.TlsRpt(kind), message, item.IsReadError, null), null);
                    continue;
                }

                yield return ImportDocument(item.Document);
            }
        }

        private TlsRptReportImport ImportDocument(ReportDocument document)
        {
            try
            {
                string text;
                using (Stream stream = document.Open())
                using (var reader = new StreamReader(stream, new UTF8Encoding(false, false), true))
                {
                    var buffer = new char[81920];
                    var builder = new StringBuilder();
                    int n;
                    while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        builder.Append(buffer, 0, n);
                        if (builder.Length > MaxDocumentChars)
                        {
                            throw new ReportFormatException(ReportErrorIds.SizeLimit, "compressed size limit exceeded: a TLS report longer than 64 MB is not read.");
                        }
                    }

                    text = builder.ToString();
                }

                string trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
                if (trimmed.StartsWith("<", StringComparison.Ordinal))
                {
                    throw new ReportFormatException(ReportErrorIds.NotTlsRpt, "not a TLS report: the document is XML (a DMARC aggregate report? Import-DmarcReport reads those).");
                }

                object? json = MiniJson.Parse(text);
                List<TlsRptReportRow> rows = Rows(json, document);
                string org = rows.Count > 0 ? rows[0].OrganizationName : string.Empty;
                string id = rows.Count > 0 ? rows[0].ReportId : string.Empty;
                string key = org.Trim().ToLowerInvariant() + "\u001f" + id.Trim();
                string origin = document.Location is null ? document.SourceFile : document.SourceFile + " (" + document.Location + ")";
                if (_seen.TryGetValue(key, out string? first))
                {
                    return new TlsRptReportImport(Array.Empty<TlsRptReportRow>(), null,
                        $"{origin}: duplicate TLS report {org} {id} (same organization-name and report-id as the one from {first}); imported once.");
                }

                _seen[key] = origin;
                return new TlsRptReportImport(rows, null, null);
            }
            catch (Exception ex) when (DmarcReportImporter.IsReportProblem(ex) || ex is FormatException)
            {
                ReportImportProblem problem = ex is FormatException
                    ? new ReportImportProblem(document.SourceFile, document.Location, ReportErrorIds.TlsRpt(ReportErrorIds.NotJson), "not valid JSON: " + ex.Message, false, ex)
                    : DmarcReportImporter.Problem(document.SourceFile, document.Location, ex, ReportErrorIds.TlsRptPrefix);
                return new TlsRptReportImport(Array.Empty<TlsRptReportRow>(), problem, null);
            }
        }

        private static List<TlsRptReportRow> Rows(object? json, ReportDocument document)
        {
            if (!(json is Dictionary<string, object?> root) || !root.ContainsKey("policies") && !root.ContainsKey("organization-name"))
            {
                throw new ReportFormatException(ReportErrorIds.NotTlsRpt, "not a TLS report: the JSON has no organization-name and policies (RFC 8460 §4.4).");
            }

            string org = Str(root, "organization-name") ?? throw Missing("organization-name");
            string id = Str(root, "report-id") ?? throw Missing("report-id");
            var range = root.TryGetValue("date-range", out object? r) ? r as Dictionary<string, object?> : null;
            if (range is null)
            {
                throw Missing("date-range");
            }

            DateTime start = Date(range, "start-datetime");
            DateTime end = Date(range, "end-datetime");
            if (start > end)
            {
                throw new ReportFormatException(ReportErrorIds.BeginAfterEnd,
                    string.Format(CultureInfo.InvariantCulture, "begin after end: date-range starts {0:yyyy-MM-dd HH:mm:ss} UTC, after its end {1:yyyy-MM-dd HH:mm:ss} UTC (RFC 8460 §4.4).", start, end));
            }

            if (!(root.TryGetValue("policies", out object? p) && p is List<object?> policies))
            {
                throw Missing("policies");
            }

            var rows = new List<TlsRptReportRow>();
            int number = 0;
            foreach (object? entry in policies)
            {
                number++;
                if (!(entry is Dictionary<string, object?> item) || !(item.TryGetValue("policy", out object? pol) && pol is Dictionary<string, object?> policy))
                {
                    throw new ReportFormatException(ReportErrorIds.MissingElement, $"not a complete TLS report: policies[{number - 1}] has no policy object (RFC 8460 §4.4).");
                }

                var summary = item.TryGetValue("summary", out object? s) ? s as Dictionary<string, object?> : null;
                TlsRptReportRow Row() => new TlsRptReportRow
                {
                    OrganizationName = org,
                    ReportId = id,
                    StartDate = start,
                    EndDate = end,
                    ContactInfo = Str(root, "contact-info"),
                    PolicyNumber = number,
                    PolicyType = Str(policy, "policy-type") ?? string.Empty,
                    PolicyDomain = (Str(policy, "policy-domain") ?? string.Empty).ToLowerInvariant(),
                    MxHost = Strings(policy, "mx-host") is { Count: > 0 } mx ? string.Join(", ", mx) : null,
                    PolicyString = ResultList.From(Strings(policy, "policy-string")),
                    TotalSuccessfulSessionCount = summary is null ? 0 : Num(summary, "total-successful-session-count"),
                    TotalFailureSessionCount = summary is null ? 0 : Num(summary, "total-failure-session-count"),
                    SourceFile = document.SourceFile,
                    Location = document.Location,
                };

                var failures = item.TryGetValue("failure-details", out object? f) ? f as List<object?> : null;
                if (failures is null || failures.Count == 0)
                {
                    rows.Add(Row());
                    continue;
                }

                foreach (object? detail in failures)
                {
                    if (!(detail is Dictionary<string, object?> d))
                    {
                        continue;
                    }

                    TlsRptReportRow row = Row();
                    row.ResultType = Str(d, "result-type");
                    row.SendingMtaIp = Str(d, "sending-mta-ip");
                    row.ReceivingMxHostname = Str(d, "receiving-mx-hostname");
                    row.ReceivingMxHelo = Str(d, "receiving-mx-helo");
                    row.ReceivingIp = Str(d, "receiving-ip");
                    row.FailedSessionCount = Num(d, "failed-session-count");
                    row.AdditionalInformation = Str(d, "additional-information");
                    row.FailureReasonCode = Str(d, "failure-reason-code");
                    rows.Add(row);
                }
            }

            return rows;
        }

        private static ReportFormatException Missing(string name) =>
            new ReportFormatException(ReportErrorIds.MissingElement, $"not a complete TLS report: it has no {name} (RFC 8460 §4.4).");

        private static string? Str(Dictionary<string, object?> o, string name) =>
            o.TryGetValue(name, out object? v) && v != null ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;

        private static List<string> Strings(Dictionary<string, object?> o, string name)
        {
            if (!o.TryGetValue(name, out object? v) || v is null)
            {
                return new List<string>();
            }

            // mx-host is a list in RFC 8460 §4.4 and a string in its example (and in many reports).
            return v is List<object?> list ? list.Where(x => x != null).Select(x => Convert.ToString(x, CultureInfo.InvariantCulture)!).ToList() : new List<string> { Convert.ToString(v, CultureInfo.InvariantCulture)! };
        }

        private static long Num(Dictionary<string, object?> o, string name) =>
            o.TryGetValue(name, out object? v) && v is double d ? (long)d : 0;

        private static DateTime Date(Dictionary<string, object?> o, string name)
        {
            string text = Str(o, name) ?? throw Missing("date-range/" + name);
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset value))
            {
                throw new ReportFormatException(ReportErrorIds.InvalidValue, $"invalid value: date-range/{name} is '{text}', not an RFC 3339 date-time (RFC 8460 §4.4).");
            }

            return value.UtcDateTime;
        }
    }
}
