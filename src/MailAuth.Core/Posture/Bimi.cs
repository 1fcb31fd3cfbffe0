using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dmarc;
using MailAuth.Dns;
using MailAuth.Findings;

namespace MailAuth.Posture
{
    /// <summary>
    /// A parsed BIMI assertion record (draft-brand-indicators-for-message-identification §4.2):
    /// v=BIMI1; l=&lt;https SVG URL&gt;; a=&lt;https PEM URL&gt;. Immutable; no network.
    /// </summary>
    public sealed class BimiRecord
    {
        private BimiRecord(string text)
        {
            Text = text;
        }

        public string Text { get; }

        /// <summary>The syntax is usable (version first, l= and a= well formed when present).</summary>
        public bool IsValid { get; private set; }

        /// <summary>l= and a= are both empty (or absent): the domain declines to show a logo.</summary>
        public bool IsDeclination { get; private set; }

        /// <summary>l=: where the SVG Tiny PS logo is.</summary>
        public string? Location { get; private set; }

        /// <summary>a=: where the evidence document (VMC/CMC PEM) is.</summary>
        public string? Authority { get; private set; }

        public ResultList<PostureTag> Tags { get; private set; } = ResultList<PostureTag>.Empty;

        public ResultList<Finding> Findings { get; private set; } = ResultList<Finding>.Empty;

        public override string ToString() => Text;

        /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
        public static BimiRecord Parse(string text, string? subject = null)
        {
            if (text is null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            var record = new BimiRecord(text);
            var findings = new List<Finding>();
            record.IsValid = record.Parse(findings, subject);
            record.Findings = FindingResults.From(findings);
            return record;
        }

        private bool Parse(List<Finding> findings, string? subject)
        {
            if (!TagList.TryParse(Text, caseInsensitiveNames: true, out List<PostureTag> tags, out string? error))
            {
                findings.Add(new Finding(FindingCatalog.Bimi.Malformed, $"The BIMI record is not a tag list: {error}.", subject));
                return false;
            }

            Tags = ResultList.From(tags);
            if (tags.Count == 0 || !string.Equals(tags[0].Name, "v", StringComparison.OrdinalIgnoreCase)
                || !string.Equals(tags[0].Value, "BIMI1", StringComparison.OrdinalIgnoreCase))
            {
                findings.Add(new Finding(FindingCatalog.Bimi.Malformed, "The record must start with v=BIMI1.", subject));
                return false;
            }

            Location = TagList.Find(tags, "l");
            Authority = TagList.Find(tags, "a");
            bool noLocation = string.IsNullOrEmpty(Location);
            bool noAuthority = string.IsNullOrEmpty(Authority);
            if (noLocation && noAuthority)
            {
                IsDeclination = true;
                findings.Add(new Finding(FindingCatalog.Bimi.Declined,
                    "l= and a= are empty: the domain declines to publish a brand indicator.", subject));
                return true;
            }

            bool ok = true;
            if (!noLocation)
            {
                // The logo must be fetched over HTTPS and be an SVG (SVG Tiny Portable/Secure).
                if (!PostureHelpers.IsHttpsUrl(Location!, out Uri? uri))
                {
                    ok = false;
                    findings.Add(new Finding(FindingCatalog.Bimi.LocationInvalid,
                        $"l={TagList.Shorten(Location!)} is not an https: URL; the logo must be served over HTTPS.", subject));
                }
                else if (!uri!.AbsolutePath.EndsWith(".svg", StringComparison.OrdinalIgnoreCase))
                {
                    findings.Add(new Finding(FindingCatalog.Bimi.LocationInvalid, FindingSeverity.Warning,
                        $"l={TagList.Shorten(Location!)} does not name an .svg file; BIMI logos are SVG Tiny PS documents.", subject));
                }
            }

            if (noAuthority)
            {
                findings.Add(new Finding(FindingCatalog.Bimi.AuthorityMissing,
                    "No a= evidence document (VMC or CMC): most mailbox providers show no logo without one.", subject));
            }
            else if (!PostureHelpers.IsHttpsUrl(Authority!, out _))
            {
                ok = false;
                findings.Add(new Finding(FindingCatalog.Bimi.AuthorityInvalid,
                    $"a={TagList.Shorten(Authority!)} is not an https: URL to the PEM evidence document.", subject));
            }

            return ok;
        }
    }

    /// <summary>A domain's BIMI record and whether its DMARC policy qualifies it.</summary>
    public sealed class BimiReport
    {
        internal BimiReport(string domain, string selector, string queryName, PostureStatus status, string? errorMessage,
            BimiRecord? record, int recordCount, bool? dmarcQualifies, string? dmarcNote, IReadOnlyList<Finding> findings)
        {
            Domain = domain;
            Selector = selector;
            QueryName = queryName;
            StatusCode = status;
            ErrorMessage = errorMessage;
            Record = record;
            RecordCount = recordCount;
            DmarcQualifies = dmarcQualifies;
            DmarcNote = dmarcNote;
            Findings = FindingResults.From(findings);
        }

        public string Domain { get; }

        public string Selector { get; }

        /// <summary>The name the record applied from (the domain's, or the Organizational Domain's as fallback).</summary>
        public string QueryName { get; }

        public string Status => StatusCode.ToString();

        internal PostureStatus StatusCode { get; }

        public string? ErrorMessage { get; }

        /// <summary>Exactly one valid v=BIMI1 record.</summary>
        public bool IsValid => RecordCount == 1 && (Record?.IsValid ?? false);

        public string? RecordText => Record?.Text;

        public string? Location => Record?.Location;

        public string? Authority => Record?.Authority;

        public int RecordCount { get; }

        /// <summary>
        /// DMARC at enforcement: quarantine or reject with no pct below 100, for the domain and its
        /// Organizational Domain. Null when DMARC could not be looked up.
        /// </summary>
        public bool? DmarcQualifies { get; }

        public string? DmarcNote { get; }

        public string FindingText => PostureHelpers.Ids(Findings);

        public BimiRecord? Record { get; }

        public ResultList<Finding> Findings { get; }

        /// <summary>Every DNS answer the report rests on, in completion order (empty inside a domain report, whose DnsEvidence has them).</summary>
        public DnsEvidence DnsEvidence { get; internal set; } = DnsEvidence.Empty;

        /// <summary>Inside a domain report: its DnsEvidence holds the DNS responses, so this report drops its copy.</summary>
        internal void OmitDnsResponses() => DnsEvidence = DnsEvidence.Empty;

        public override string ToString() => $"{QueryName}: {Status} {RecordText}";
    }

    /// <summary>Looks up BIMI records and checks the DMARC prerequisite. Thread-safe.</summary>
    public sealed class BimiResolver
    {
        public const string DefaultSelector = "default";

        private readonly IDnsResolver _dns;

        public BimiResolver(IDnsResolver dns)
        {
            _dns = dns ?? throw new ArgumentNullException(nameof(dns));
        }

        /// <summary>
        /// TXT at &lt;selector&gt;._bimi.&lt;domain&gt;, falling back to the Organizational Domain; then
        /// the DMARC prerequisite. <paramref name="dmarc"/> may carry the domain's already resolved
        /// DMARC policy (the domain report passes it) to save the lookups.
        /// </summary>
        /// <exception cref="ArgumentException">The domain or selector is not a DNS name.</exception>
        /// <exception cref="OperationCanceledException">Cancelled.</exception>
        public Task<BimiReport> ResolveAsync(string domain, string? selector = null, DmarcPolicy? dmarc = null, CancellationToken cancellationToken = default) =>
            ResolveAlongsideDmarcAsync(domain, selector, dmarc is null ? null : Task.FromResult<DmarcPolicy?>(dmarc), cancellationToken);

        /// <summary>
        /// As above, with the DMARC policy still being resolved (the domain report's): the BIMI query
        /// goes out at once, beside it, so a domain whose DNS does not answer waits out one timeout,
        /// not two in a row. A null or failed task: the policy is resolved here.
        /// </summary>
        internal async Task<BimiReport> ResolveAlongsideDmarcAsync(string domain, string? selector, Task<DmarcPolicy?>? dmarc, CancellationToken cancellationToken)
        {
            var recorder = new RecordingDnsResolver(_dns);
            BimiReport report = await ResolveAsync(recorder, domain, selector, dmarc, cancellationToken).ConfigureAwait(false);
            report.DnsEvidence = DnsEvidence.From(recorder.Responses);
            return report;
        }

        private static async Task<BimiReport> ResolveAsync(IDnsResolver dns, string domain, string? selector, Task<DmarcPolicy?>? dmarc, CancellationToken cancellationToken)
        {
            string name = MailAuth.Names.DomainNameInput.Require(domain, nameof(domain));
            string sel = selector is null ? DefaultSelector : MailAuth.Names.DomainName.ParseSelector(selector, nameof(selector));
            var dmarcResolver = new DmarcResolver(dns);
            Task<DmarcPolicy> dmarcTask = GivenOrResolvedAsync(dmarcResolver, name, dmarc, cancellationToken);

            string queryName = sel + "._bimi." + name;
            VersionedTxtLookup lookup = await VersionedTxtLookup.QueryAsync(dns, queryName, "v=BIMI1", cancellationToken).ConfigureAwait(false);
            DmarcPolicy policy = await dmarcTask.ConfigureAwait(false);

            // Draft §7.3: no record at the domain: try the same selector at the Organizational Domain.
            string? orgDomain = policy.OrganizationalDomain;
            if (lookup.Status == PostureStatus.NotFound && orgDomain != null && !string.Equals(orgDomain, name, StringComparison.Ordinal))
            {
                lookup = await VersionedTxtLookup.QueryAsync(dns, sel + "._bimi." + orgDomain, "v=BIMI1", cancellationToken).ConfigureAwait(false);
            }

            var findings = new List<Finding>();
            if (lookup.Status == PostureStatus.LookupFailed)
            {
                findings.Add(new Finding(FindingCatalog.Bimi.LookupFailed, $"The BIMI lookup failed ({lookup.ErrorMessage}).", lookup.QueryName));
                return new BimiReport(name, sel, lookup.QueryName, lookup.Status, lookup.ErrorMessage, null, 0, null, null, findings);
            }

            if (lookup.Status == PostureStatus.NotFound)
            {
                return new BimiReport(name, sel, lookup.QueryName, lookup.Status, null, null, 0, null, null, findings);
            }

            BimiRecord record = BimiRecord.Parse(lookup.Records[0], lookup.QueryName);
            findings.AddRange(record.Findings);
            if (lookup.Records.Count > 1)
            {
                findings.Insert(0, new Finding(FindingCatalog.Bimi.Multiple,
                    $"{lookup.Records.Count} v=BIMI1 records at {lookup.QueryName}; receivers then use none.", lookup.QueryName));
            }

            (bool? qualifies, string note) = await CheckDmarcAsync(dmarcResolver, name, policy, findings, cancellationToken).ConfigureAwait(false);
            return new BimiReport(name, sel, lookup.QueryName, lookup.Status, null, record, lookup.Records.Count, qualifies, note, findings);
        }

        private static async Task<DmarcPolicy> GivenOrResolvedAsync(DmarcResolver resolver, string name, Task<DmarcPolicy?>? given, CancellationToken cancellationToken)
        {
            DmarcPolicy? policy = null;
            if (given != null)
            {
                try
                {
                    policy = await given.ConfigureAwait(false);
                }
                catch (Exception ex) when (!(ex is OperationCanceledException))
                {
                    // The caller's check failed on its own: resolve it here.
                }
            }

            return policy != null && string.Equals(policy.Domain, name, StringComparison.Ordinal)
                ? policy
                : await resolver.ResolveAsync(new DmarcQuery(name), new DmarcOptions { CompareMethods = false, CheckReportAuthorization = false }, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// BIMI draft §4.3 / §7.4: the Author Domain's DMARC policy must be quarantine or reject
        /// with pct=100 (or absent), and the Organizational Domain's too (its p=, and sp= when the
        /// author domain is a subdomain).
        /// </summary>
        private static async Task<(bool?, string)> CheckDmarcAsync(DmarcResolver resolver, string domain, DmarcPolicy policy, List<Finding> findings, CancellationToken cancellationToken)
        {
            if (policy.StatusCode == DmarcStatus.LookupFailed)
            {
                findings.Add(new Finding(FindingCatalog.Bimi.DmarcLookupFailed,
                    $"The DMARC prerequisite could not be checked: {policy.ErrorMessage}", domain));
                return (null, "DMARC lookup failed");
            }

            var problems = new List<string>();
            Judge(policy, policy.EffectivePolicyCode, "the domain", problems, findings);

            string? org = policy.OrganizationalDomain;
            if (org != null && !string.Equals(org, domain, StringComparison.Ordinal) && policy.StatusCode == DmarcStatus.Found
                && !string.Equals(policy.RecordDomain, org, StringComparison.Ordinal))
            {
                // The domain has its own record: the Organizational Domain's p= must also enforce.
                DmarcPolicy orgPolicy = await resolver.ResolveAsync(new DmarcQuery(org), new DmarcOptions { CompareMethods = false, CheckReportAuthorization = false }, cancellationToken).ConfigureAwait(false);
                if (orgPolicy.StatusCode == DmarcStatus.LookupFailed)
                {
                    findings.Add(new Finding(FindingCatalog.Bimi.DmarcLookupFailed,
                        $"The Organizational Domain's DMARC policy could not be checked: {orgPolicy.ErrorMessage}", org));
                    return (null, "DMARC lookup of the Organizational Domain failed");
                }

                Judge(orgPolicy, orgPolicy.PolicyCode, "the Organizational Domain " + org, problems, findings);
            }

            return problems.Count == 0 ? (true, "DMARC enforced") : (false, string.Join("; ", problems));
        }

        private static void Judge(DmarcPolicy policy, DmarcPolicyAction? action, string who, List<string> problems, List<Finding> findings)
        {
            if (policy.StatusCode != DmarcStatus.Found || action is null || action == DmarcPolicyAction.None)
            {
                string what = policy.StatusCode != DmarcStatus.Found ? "has no DMARC policy" : "has DMARC policy none";
                problems.Add(who + " " + what);
                findings.Add(new Finding(FindingCatalog.Bimi.DmarcNotEnforced,
                    $"BIMI requires DMARC at enforcement (quarantine or reject), but {who} {what}; no logo will be shown.", policy.Domain));
                return;
            }

            if ((policy.Percentage ?? 100) < 100)
            {
                problems.Add($"{who} has pct={policy.Percentage}");
                findings.Add(new Finding(FindingCatalog.Bimi.DmarcPct,
                    $"BIMI requires pct=100 (or none), but {who} has pct={policy.Percentage}.", policy.Domain));
            }
        }
    }
}
