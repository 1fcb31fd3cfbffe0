using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Posture;

namespace MailAuth.DomainReport
{
    /// <summary>The SPF part of a domain report: the record, its lookups, the all qualifier and the top warning.</summary>
    public sealed class SpfSummary
    {
        internal SpfSummary(PostureStatus status, string? errorMessage, string? record, int recordCount, string allQualifier,
            int? lookupCount, bool isValid, IReadOnlyList<Finding> findings, object? detail)
        {
            Status = status;
            ErrorMessage = errorMessage;
            Record = record;
            RecordCount = recordCount;
            AllQualifier = allQualifier;
            LookupCount = lookupCount;
            IsValid = isValid;
            Findings = findings;
            Detail = detail;
        }

        public PostureStatus Status { get; }

        public string? ErrorMessage { get; }

        public string? Record { get; }

        /// <summary>How many v=spf1 records were published (more than one is a permerror, RFC 7208 §4.5).</summary>
        public int RecordCount { get; }

        /// <summary>The qualifier of the top-level all mechanism ("-", "~", "?", "+"), empty when absent.</summary>
        public string AllQualifier { get; }

        /// <summary>DNS-querying terms counted against the limit of 10 (RFC 7208 §4.6.4), when known.</summary>
        public int? LookupCount { get; }

        /// <summary>Exactly one record and no error-level finding.</summary>
        public bool IsValid { get; }

        /// <summary>The most severe finding's message, empty when none.</summary>
        public string TopWarning => Findings.OrderByDescending(f => f.Severity).FirstOrDefault(f => f.Severity >= FindingSeverity.Warning)?.Message ?? string.Empty;

        public IReadOnlyList<Finding> Findings { get; }

        /// <summary>The SPF engine's full report, when it produced this summary.</summary>
        public object? Detail { get; }

        public override string ToString() => $"{Status} {Record}";

        /// <summary>
        /// A record-level check (RFC 7208 §4.5 selection, top-level all and terms). Used until the
        /// SPF engine's record report is wired in.
        /// </summary>
        internal static async Task<SpfSummary> InspectAsync(IDnsResolver dns, string domain, CancellationToken cancellationToken)
        {
            DnsResponse response = await dns.QueryAsync(domain, DnsRecordType.TXT, cancellationToken).ConfigureAwait(false);
            var findings = new List<Finding>();
            if (response.Status == DnsLookupStatus.Failed)
            {
                string error = $"TXT {domain}: {response.Error ?? response.ResponseCode}";
                findings.Add(new Finding("SPF-LOOKUP-FAILED", FindingSeverity.Error, $"The SPF lookup failed ({error}).", domain));
                return new SpfSummary(PostureStatus.LookupFailed, error, null, 0, string.Empty, null, false, findings, null);
            }

            // RFC 7208 §4.5: records that begin with "v=spf1" (case-insensitive) followed by a space or end.
            string[] records = response.Texts.Where(t =>
                t.StartsWith("v=spf1", StringComparison.OrdinalIgnoreCase) && (t.Length == 6 || t[6] == ' ')).ToArray();
            if (records.Length == 0)
            {
                findings.Add(new Finding("SPF-NOT-FOUND", FindingSeverity.Warning, "No SPF record: receivers get SPF result none for mail from this domain (RFC 7208 §4.5).", domain));
                return new SpfSummary(PostureStatus.NotFound, null, null, 0, string.Empty, null, false, findings, null);
            }

            if (records.Length > 1)
            {
                findings.Add(new Finding("SPF-MULTIPLE-RECORDS", FindingSeverity.Error, $"{records.Length} SPF records are published; RFC 7208 §4.5 makes that a permerror.", domain));
            }

            string record = records[0];
            string[] terms = record.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
            string all = string.Empty;
            int lookups = 0;
            foreach (string term in terms)
            {
                string bare = term.TrimStart('+', '-', '~', '?');
                string name = bare.Split(':', '/', '=')[0].ToLowerInvariant();
                if (string.Equals(name, "all", StringComparison.Ordinal) && bare.Length == 3)
                {
                    all = term.Length > bare.Length ? term.Substring(0, 1) : "+";
                }

                // RFC 7208 §4.6.4: these terms cause DNS queries (top level only here).
                if (name == "include" || name == "a" || name == "mx" || name == "ptr" || name == "exists" || (name == "redirect" && bare.IndexOf('=') > 0))
                {
                    lookups++;
                }
            }

            if (all == "+")
            {
                findings.Add(new Finding("SPF-ALL-PASS", FindingSeverity.Error, "+all lets every host on the Internet pass SPF for this domain.", domain));
            }
            else if (all.Length == 0 && !terms.Any(t => t.StartsWith("redirect=", StringComparison.OrdinalIgnoreCase)))
            {
                findings.Add(new Finding("SPF-NO-ALL", FindingSeverity.Warning, "The record ends without an all mechanism or redirect; unmatched hosts get neutral.", domain));
            }

            bool valid = records.Length == 1 && findings.All(f => f.Severity != FindingSeverity.Error);
            return new SpfSummary(PostureStatus.Found, null, record, records.Length, all, lookups, valid, findings, null);
        }
    }
}
