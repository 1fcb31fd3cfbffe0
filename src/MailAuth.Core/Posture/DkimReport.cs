using System;
using System.Collections.Generic;
using System.Linq;
using MailAuth.Dns;

namespace MailAuth.Posture
{
    /// <summary>
    /// The key record at one selector: lookup state, the key's facts, CNAME chain. One flat row
    /// (ConvertTo-Json -Depth 4 writes it whole even inside a domain report); the report's
    /// Findings hold this selector's findings and its Trace the DNS answer.
    /// </summary>
    public sealed class DkimSelectorResult
    {
        internal DkimSelectorResult(string domain, string selector, string queryName, PostureStatus status,
            string? errorMessage, DkimKeyRecord? record, IReadOnlyList<string> otherRecords,
            IReadOnlyList<string> cnameChain, IReadOnlyList<Finding> findings, DnsResponse? response)
        {
            Domain = domain;
            Selector = selector;
            QueryName = queryName;
            StatusCode = status;
            ErrorMessage = errorMessage;
            KeyRecord = record;
            OtherRecords = ResultList.From(otherRecords);
            CnameChain = ResultList.From(cnameChain);
            FindingList = findings.Listed();
            Response = response;
        }

        public string Domain { get; }

        public string Selector { get; }

        /// <summary>&lt;selector&gt;._domainkey.&lt;domain&gt;</summary>
        public string QueryName { get; }

        public string Status => StatusCode.ToString();

        internal PostureStatus StatusCode { get; }

        public string? ErrorMessage { get; }

        /// <summary>The record text, when found.</summary>
        public string? RecordText => KeyRecord?.Text;

        public bool IsValid => KeyRecord?.IsValid ?? false;

        public string? KeyType => KeyTypeCode?.ToString();

        internal DkimKeyType? KeyTypeCode => KeyRecord?.KeyTypeCode;

        public int? KeyBits => KeyRecord?.KeyBits;

        public bool IsTesting => KeyRecord?.IsTesting ?? false;

        public bool IsStrict => KeyRecord?.IsStrict ?? false;

        public bool IsRevoked => KeyRecord?.IsRevoked ?? false;

        /// <summary>h= joined with ':'; empty when all algorithms are allowed.</summary>
        public string HashAlgorithms => KeyRecord is null ? string.Empty : string.Join(":", KeyRecord.HashAlgorithms);

        /// <summary>The CNAME targets followed, joined with " -> ".</summary>
        public string CnameText => string.Join(" -> ", CnameChain);

        /// <summary>The chain goes to a Microsoft 365 tenant (…onmicrosoft.com).</summary>
        public bool IsMicrosoft365 => CnameChain.Any(n => n.EndsWith(".onmicrosoft.com", StringComparison.OrdinalIgnoreCase));

        /// <summary>This selector's finding ids (the report's Findings has them in full).</summary>
        public string FindingText => PostureHelpers.Ids(FindingList);

        /// <summary>The parsed key record (DkimKeyRecord.Parse of RecordText gives the same).</summary>
        internal DkimKeyRecord? KeyRecord { get; }

        /// <summary>Further TXT records at the name (RFC 6376 §3.6.2.2 leaves the choice undefined).</summary>
        public ResultList<string> OtherRecords { get; }

        public ResultList<string> CnameChain { get; }

        internal IReadOnlyList<Finding> FindingList { get; }

        internal DnsResponse? Response { get; }

        /// <summary>The CNAME target a signing service expects at this selector (Get-DkimSigningConfig), when given.</summary>
        public string? ExpectedCname { get; private set; }

        /// <summary>A copy that records the expected CNAME target and, when the DNS disagrees, the finding saying so.</summary>
        internal DkimSelectorResult WithExpectedCname(string expected, Finding? mismatch)
        {
            var findings = mismatch is null ? FindingList : new[] { mismatch }.Concat(FindingList).ToList();
            return new DkimSelectorResult(Domain, Selector, QueryName, StatusCode, ErrorMessage, KeyRecord, OtherRecords, CnameChain, findings, Response)
            {
                ExpectedCname = expected,
            };
        }

        public override string ToString() => $"{QueryName}: {Status}" + (KeyBits.HasValue ? $" {KeyType} {KeyBits}" : string.Empty);
    }

    /// <summary>The DKIM key records of a domain over a set of selectors.</summary>
    public sealed class DkimReport
    {
        internal DkimReport(string domain, bool usedDefaultSelectors, IReadOnlyList<DkimSelectorResult> selectors, IReadOnlyList<Finding> findings, string? selectorChoice = null)
        {
            Domain = domain;
            UsedDefaultSelectors = usedDefaultSelectors;
            SelectorChoice = selectorChoice ?? (usedDefaultSelectors ? "the common list" : "given");
            AllSelectors = selectors;

            // Discovery tries some thirty names; one that has no record and no CNAME says only that
            // it was tried (SelectorsTried), so it is not a row. Selectors given are always rows.
            Selectors = selectors.Where(s => !usedDefaultSelectors || s.StatusCode != PostureStatus.NotFound || s.CnameChain.Count > 0).ToResultList();
            SelectorsTried = selectors.Select(s => s.Selector).ToResultList();
            Findings = FindingResults.From(findings);
            DnsEvidence = DnsEvidence.From(selectors.Where(s => s.Response != null).Select(s => s.Response!));
        }

        public string Domain { get; }

        /// <summary>True when no selectors were given: the common list, or those chosen from the domain's services, were tried.</summary>
        public bool UsedDefaultSelectors { get; }

        /// <summary>How the selectors were chosen: "given", "the common list", or "chosen: Microsoft 365 (MX); short list".</summary>
        public string SelectorChoice { get; }

        /// <summary>
        /// Found when any selector has a record; LookupFailed when none was found and a lookup
        /// failed (the failed one might hold a key); NotFound otherwise.
        /// </summary>
        public string Status => StatusCode.ToString();

        internal PostureStatus StatusCode => Found.Count > 0
            ? PostureStatus.Found
            : AllSelectors.Any(s => s.StatusCode == PostureStatus.LookupFailed) ? PostureStatus.LookupFailed : PostureStatus.NotFound;

        public string? ErrorMessage => AllSelectors.FirstOrDefault(s => s.StatusCode == PostureStatus.LookupFailed)?.ErrorMessage;

        /// <summary>Selectors with a record, in the order tried.</summary>
        public ResultList<DkimSelectorResult> Found => ResultList.From(Selectors.Where(s => s.StatusCode == PostureStatus.Found).ToArray());

        /// <summary>Found selectors joined with ';'.</summary>
        public string SelectorsFound => string.Join(";", Found.Select(s => s.Selector));

        /// <summary>The smallest RSA key among valid, unrevoked records (null when none).</summary>
        public int? SmallestRsaBits => Found.Where(s => s.IsValid && s.KeyTypeCode == DkimKeyType.Rsa && s.KeyBits.HasValue)
            .Select(s => s.KeyBits).Min();

        public int FailedLookupCount => AllSelectors.Count(s => s.StatusCode == PostureStatus.LookupFailed);

        public string FindingText => PostureHelpers.Ids(Findings);

        /// <summary>
        /// One row per selector given, in order. With the default list (UsedDefaultSelectors), the
        /// selectors that answered only: a record, a CNAME or a failed lookup.
        /// </summary>
        public ResultList<DkimSelectorResult> Selectors { get; }

        /// <summary>Every selector queried, in order.</summary>
        public ResultList<string> SelectorsTried { get; }

        /// <summary>All findings: each selector's, then the report's own.</summary>
        public ResultList<Finding> Findings { get; }

        /// <summary>The DNS answer of each selector, in the order tried (empty inside a domain report, whose DnsEvidence has them).</summary>
        public DnsEvidence DnsEvidence { get; private set; }

        /// <summary>Every selector's result, the ones without a record included.</summary>
        internal IReadOnlyList<DkimSelectorResult> AllSelectors { get; }

        /// <summary>Inside a domain report: its Trace holds the DNS responses, so this report drops its copy.</summary>
        internal void OmitDnsResponses() => DnsEvidence = DnsEvidence.Empty;

        public override string ToString() => $"{Domain}: {Status} [{SelectorsFound}]";
    }
}
