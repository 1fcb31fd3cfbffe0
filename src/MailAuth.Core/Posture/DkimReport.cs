using System;
using System.Collections.Generic;
using System.Linq;
using MailAuth.Dns;

namespace MailAuth.Posture
{
    /// <summary>The key record at one selector: lookup state, parsed record, CNAME chain, findings.</summary>
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
            Record = record;
            OtherRecords = ResultList.From(otherRecords);
            CnameChain = ResultList.From(cnameChain);
            Findings = ResultList.From(findings);
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
        public string? RecordText => Record?.Text;

        public bool IsValid => Record?.IsValid ?? false;

        public string? KeyType => KeyTypeCode?.ToString();

        internal DkimKeyType? KeyTypeCode => Record?.KeyTypeCode;

        public int? KeyBits => Record?.KeyBits;

        public bool IsTesting => Record?.IsTesting ?? false;

        public bool IsStrict => Record?.IsStrict ?? false;

        public bool IsRevoked => Record?.IsRevoked ?? false;

        /// <summary>h= joined with ':'; empty when all algorithms are allowed.</summary>
        public string HashAlgorithms => Record is null ? string.Empty : string.Join(":", Record.HashAlgorithms);

        /// <summary>The CNAME targets followed, joined with " -> ".</summary>
        public string CnameText => string.Join(" -> ", CnameChain);

        /// <summary>The chain goes to a Microsoft 365 tenant (…onmicrosoft.com).</summary>
        public bool IsMicrosoft365 => CnameChain.Any(n => n.EndsWith(".onmicrosoft.com", StringComparison.OrdinalIgnoreCase));

        public string FindingText => PostureHelpers.Ids(Findings);

        public DkimKeyRecord? Record { get; }

        /// <summary>Further TXT records at the name (RFC 6376 §3.6.2.2 leaves the choice undefined).</summary>
        public ResultList<string> OtherRecords { get; }

        public ResultList<string> CnameChain { get; }

        public ResultList<Finding> Findings { get; }

        public DnsResponse? Response { get; }

        public override string ToString() => $"{QueryName}: {Status}" + (KeyBits.HasValue ? $" {KeyType} {KeyBits}" : string.Empty);
    }

    /// <summary>The DKIM key records of a domain over a set of selectors.</summary>
    public sealed class DkimReport
    {
        internal DkimReport(string domain, bool usedDefaultSelectors, IReadOnlyList<DkimSelectorResult> selectors, IReadOnlyList<Finding> findings)
        {
            Domain = domain;
            UsedDefaultSelectors = usedDefaultSelectors;
            Selectors = ResultList.From(selectors);
            Findings = ResultList.From(findings);
        }

        public string Domain { get; }

        /// <summary>True when no selectors were given and <see cref="DkimSelectors.Common"/> was tried.</summary>
        public bool UsedDefaultSelectors { get; }

        /// <summary>
        /// Found when any selector has a record; LookupFailed when none was found and a lookup
        /// failed (the failed one might hold a key); NotFound otherwise.
        /// </summary>
        public string Status => StatusCode.ToString();

        internal PostureStatus StatusCode => Found.Count > 0
            ? PostureStatus.Found
            : Selectors.Any(s => s.StatusCode == PostureStatus.LookupFailed) ? PostureStatus.LookupFailed : PostureStatus.NotFound;

        public string? ErrorMessage => Selectors.FirstOrDefault(s => s.StatusCode == PostureStatus.LookupFailed)?.ErrorMessage;

        /// <summary>Selectors with a record, in the order tried.</summary>
        public ResultList<DkimSelectorResult> Found => ResultList.From(Selectors.Where(s => s.StatusCode == PostureStatus.Found).ToArray());

        /// <summary>Found selectors joined with ';'.</summary>
        public string SelectorsFound => string.Join(";", Found.Select(s => s.Selector));

        /// <summary>The smallest RSA key among valid, unrevoked records (null when none).</summary>
        public int? SmallestRsaBits => Found.Where(s => s.IsValid && s.KeyTypeCode == DkimKeyType.Rsa && s.KeyBits.HasValue)
            .Select(s => s.KeyBits).Min();

        public int FailedLookupCount => Selectors.Count(s => s.StatusCode == PostureStatus.LookupFailed);

        public string FindingText => PostureHelpers.Ids(Findings);

        public ResultList<DkimSelectorResult> Selectors { get; }

        /// <summary>All findings: each selector's, then the report's own.</summary>
        public ResultList<Finding> Findings { get; }

        public override string ToString() => $"{Domain}: {Status} [{SelectorsFound}]";
    }
}
