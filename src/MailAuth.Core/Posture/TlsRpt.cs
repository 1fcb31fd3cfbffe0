using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Findings;

namespace MailAuth.Posture
{
    /// <summary>A parsed SMTP TLS Reporting record (RFC 8460 §3). Immutable; no network.</summary>
    public sealed class TlsRptRecord
    {
        private TlsRptRecord(string text, bool isValid, IReadOnlyList<string> reportUris, IReadOnlyList<PostureTag> tags, IReadOnlyList<Finding> findings)
        {
            Text = text;
            IsValid = isValid;
            ReportUris = ResultList.From(reportUris);
            Tags = ResultList.From(tags);
            Findings = FindingResults.From(findings);
        }

        public string Text { get; }

        /// <summary>A sender can use the record: v=TLSRPTv1 first and at least one usable rua URI.</summary>
        public bool IsValid { get; }

        /// <summary>The rua URIs as written.</summary>
        public ResultList<string> ReportUris { get; }

        public ResultList<PostureTag> Tags { get; }

        public ResultList<Finding> Findings { get; }

        public override string ToString() => Text;

        /// <summary>Parses a record; problems become findings, never exceptions.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
        public static TlsRptRecord Parse(string text, string? subject = null)
        {
            if (text is null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            var findings = new List<Finding>();
            if (!TagList.TryParse(text, caseInsensitiveNames: false, out List<PostureTag> tags, out string? error))
            {
                findings.Add(new Finding(FindingCatalog.TlsRpt.Malformed, $"The TLS-RPT record is not a list of field=value pairs (RFC 8460 §3): {error}.", subject));
                return new TlsRptRecord(text, false, Array.Empty<string>(), Array.Empty<PostureTag>(), findings);
            }

            // RFC 8460 §3: tlsrpt-record = %s"v=TLSRPTv1" 1*(field-delim tlsrpt-field).
            if (tags.Count == 0 || !string.Equals(tags[0].Name, "v", StringComparison.Ordinal) || !string.Equals(tags[0].Value, "TLSRPTv1", StringComparison.Ordinal))
            {
                findings.Add(new Finding(FindingCatalog.TlsRpt.Malformed, "The record must start with v=TLSRPTv1 (RFC 8460 §3).", subject));
                return new TlsRptRecord(text, false, Array.Empty<string>(), tags, findings);
            }

            string? rua = tags.FirstOrDefault(t => string.Equals(t.Name, "rua", StringComparison.Ordinal))?.Value;
            if (rua is null || rua.Length == 0)
            {
                findings.Add(new Finding(FindingCatalog.TlsRpt.RuaMissing, "The record has no rua= field; RFC 8460 §3 requires at least one mailto: or https: destination.", subject));
                return new TlsRptRecord(text, false, Array.Empty<string>(), tags, findings);
            }

            string[] uris = PostureHelpers.SplitList(rua, ',');
            int usable = 0;
            foreach (string uri in uris)
            {
                if (IsUsableUri(uri, out string? why))
                {
                    usable++;
                }
                else
                {
                    findings.Add(new Finding(FindingCatalog.TlsRpt.RuaInvalid, $"rua destination '{TagList.Shorten(uri)}' {why} (RFC 8460 §3: mailto: or https: URIs).", subject));
                }
            }

            return new TlsRptRecord(text, usable > 0, uris, tags, findings);
        }

        private static bool IsUsableUri(string uri, out string? why)
        {
            why = null;
            if (uri.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
            {
                string address = uri.Substring("mailto:".Length);
                int query = address.IndexOf('?');
                if (query >= 0)
                {
                    address = address.Substring(0, query);
                }

                int at = address.LastIndexOf('@');
                if (at <= 0 || at == address.Length - 1 || address.IndexOf(' ') >= 0)
                {
                    why = "is not a mailto: URI with an address";
                    return false;
                }

                return true;
            }

            if (uri.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
            {
                if (!PostureHelpers.IsHttpsUrl(uri, out _))
                {
                    why = "is not a valid https: URL";
                    return false;
                }

                return true;
            }

            why = "uses a scheme other than mailto: or https:";
            return false;
        }
    }

    /// <summary>The TLS-RPT policy of a domain (TXT at _smtp._tls.&lt;domain&gt;).</summary>
    public sealed class TlsRptReport
    {
        internal TlsRptReport(string domain, string queryName, PostureStatus status, string? errorMessage, TlsRptRecord? record,
            int recordCount, IReadOnlyList<Finding> findings, DnsResponse? response)
        {
            Domain = domain;
            QueryName = queryName;
            StatusCode = status;
            ErrorMessage = errorMessage;
            Record = record;
            RecordCount = recordCount;
            Findings = FindingResults.From(findings);
            Response = response;
        }

        public string Domain { get; }

        public string QueryName { get; }

        public string Status => StatusCode.ToString();

        internal PostureStatus StatusCode { get; }

        public string? ErrorMessage { get; }

        /// <summary>The record applies: exactly one v=TLSRPTv1 record, and it is valid.</summary>
        public bool IsValid => RecordCount == 1 && (Record?.IsValid ?? false);

        public string? RecordText => Record?.Text;

        /// <summary>rua URIs joined with ';'.</summary>
        public string ReportUriText => Record is null ? string.Empty : string.Join(";", Record.ReportUris);

        /// <summary>How many v=TLSRPTv1 records were published.</summary>
        public int RecordCount { get; }

        public string FindingText => PostureHelpers.Ids(Findings);

        public TlsRptRecord? Record { get; }

        public ResultList<Finding> Findings { get; }

        /// <summary>The TXT answer for the record (null inside a domain report, whose DnsEvidence has it).</summary>
        public DnsResponse? Response { get; private set; }

        /// <summary>Every DNS answer the report rests on, in completion order (empty inside a domain report, whose DnsEvidence has them).</summary>
        public DnsEvidence DnsEvidence { get; internal set; } = DnsEvidence.Empty;

        /// <summary>Inside a domain report: its DnsEvidence holds the DNS responses, so this report drops its copy.</summary>
        internal void OmitDnsResponses()
        {
            Response = null;
            DnsEvidence = DnsEvidence.Empty;
        }

        public override string ToString() => $"{QueryName}: {Status} {RecordText}";
    }

    /// <summary>Looks up a domain's TLS-RPT record. Thread-safe.</summary>
    public sealed class TlsRptResolver
    {
        private readonly IDnsResolver _dns;

        public TlsRptResolver(IDnsResolver dns)
        {
            _dns = dns ?? throw new ArgumentNullException(nameof(dns));
        }

        /// <exception cref="ArgumentException">Not a domain name.</exception>
        /// <exception cref="OperationCanceledException">Cancelled.</exception>
        public async Task<TlsRptReport> ResolveAsync(string domain, CancellationToken cancellationToken = default)
        {
            string name = MailAuth.Names.DomainNameInput.Require(domain, nameof(domain));
            string queryName = "_smtp._tls." + name;
            VersionedTxtLookup lookup = await VersionedTxtLookup.QueryAsync(_dns, queryName, "v=TLSRPTv1", cancellationToken).ConfigureAwait(false);
            var findings = new List<Finding>();
            switch (lookup.Status)
            {
                case PostureStatus.LookupFailed:
                    findings.Add(new Finding(FindingCatalog.TlsRpt.LookupFailed, $"The TLS-RPT lookup failed ({lookup.ErrorMessage}).", queryName));
                    return WithEvidence(new TlsRptReport(name, queryName, lookup.Status, lookup.ErrorMessage, null, 0, findings, lookup.Response));
                case PostureStatus.NotFound:
                    findings.Add(new Finding(FindingCatalog.TlsRpt.NotFound, "No TLS-RPT record: senders cannot report TLS delivery failures to the domain (RFC 8460).", queryName));
                    return WithEvidence(new TlsRptReport(name, queryName, lookup.Status, null, null, 0, findings, lookup.Response));
            }

            TlsRptRecord record = TlsRptRecord.Parse(lookup.Records[0], queryName);
            findings.AddRange(record.Findings);
            if (lookup.Records.Count > 1)
            {
                // RFC 8460 §3: if the number of records is not one, senders assume no TLSRPT.
                findings.Insert(0, new Finding(FindingCatalog.TlsRpt.Multiple,
                    $"{lookup.Records.Count} v=TLSRPTv1 records are published; senders then treat the domain as not using TLS-RPT (RFC 8460 §3).", queryName));
            }

            return WithEvidence(new TlsRptReport(name, queryName, lookup.Status, null, record, lookup.Records.Count, findings, lookup.Response));
        }

        private static TlsRptReport WithEvidence(TlsRptReport report)
        {
            report.DnsEvidence = report.Response is null ? DnsEvidence.Empty : DnsEvidence.From(new[] { report.Response });
            return report;
        }
    }
}
