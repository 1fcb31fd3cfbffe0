using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Findings;

namespace MailAuth.Posture
{
    /// <summary>What happened to the HTTPS policy fetch.</summary>
    public enum MtaStsFetchStatus
    {
        /// <summary>Not attempted: fetching is off, or there is no usable _mta-sts record.</summary>
        NotFetched,
        /// <summary>The policy was retrieved (it may still be invalid; see the findings).</summary>
        Fetched,
        /// <summary>Connection, certificate, status code, redirect, size or timeout problem; see FetchError.</summary>
        Failed,
    }

    /// <summary>How MTA-STS policies are fetched.</summary>
    public sealed class MtaStsOptions
    {
        /// <summary>Fetch the HTTPS policy (default). Off: only the _mta-sts TXT record is checked.</summary>
        public bool FetchPolicy { get; set; } = true;

        /// <summary>Time allowed for the whole fetch (RFC 8461 §3.3 suggests a minute; audits want less).</summary>
        public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(15);

        /// <summary>
        /// Replaces certificate validation: called with the policy host name, the server's
        /// certificate, its chain and the platform's verdict; true accepts. Null (default): only a
        /// certificate with no errors (trusted chain, in date, valid for mta-sts.&lt;domain&gt;) is
        /// accepted, as RFC 8461 §3.3 requires. Only relax it to test (see <see cref="TrustCertificate"/>).
        /// </summary>
        public Func<string, X509Certificate2?, X509Chain?, SslPolicyErrors, bool>? ServerCertificateValidation { get; set; }

        /// <summary>
        /// TCP port of the policy host. RFC 8461 §3.3 fetches over HTTPS, port 443; the setting
        /// exists only so tests can reach a local server on a free port.
        /// </summary>
        public int PolicyPort { get; set; } = 443;

        /// <summary>RFC 8461 §3.3: senders may cap the body; 64 KiB is the suggested limit.</summary>
        public int MaxPolicyBytes { get; set; } = 64 * 1024;

        /// <summary>
        /// For tests with a self-signed certificate: a <see cref="ServerCertificateValidation"/> that
        /// accepts the certificate with this SHA-1 thumbprint in place of a trusted chain. Every
        /// other check stays: the certificate must still be valid for the host name.
        /// </summary>
        /// <exception cref="ArgumentException">Empty thumbprint.</exception>
        public static Func<string, X509Certificate2?, X509Chain?, SslPolicyErrors, bool> TrustCertificate(string thumbprint)
        {
            if (string.IsNullOrWhiteSpace(thumbprint))
            {
                throw new ArgumentException("Give the certificate's SHA-1 thumbprint (hex).", nameof(thumbprint));
            }

            string expected = thumbprint.Replace(" ", string.Empty).Replace(":", string.Empty).Trim();
            return (host, certificate, chain, errors) =>
                certificate != null
                && string.Equals(certificate.Thumbprint, expected, StringComparison.OrdinalIgnoreCase)
                && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
        }
    }

    /// <summary>The MTA-STS state of a domain: TXT record, HTTPS policy and MX match.</summary>
    public sealed class MtaStsReport
    {
        internal MtaStsReport(string domain, string queryName, PostureStatus status, string? errorMessage, MtaStsRecord? record,
            int recordCount, MtaStsFetchStatus fetchStatus, string policyUrl, string? fetchError, MtaStsPolicy? policy,
            IReadOnlyList<string> mxHosts, IReadOnlyList<string> unmatchedMxHosts, IReadOnlyList<Finding> findings, DnsResponse? response)
        {
            Domain = domain;
            QueryName = queryName;
            StatusCode = status;
            ErrorMessage = errorMessage;
            Record = record;
            RecordCount = recordCount;
            FetchStatusCode = fetchStatus;
            PolicyUrl = policyUrl;
            FetchError = fetchError;
            Policy = policy;
            MxHosts = ResultList.From(mxHosts);
            UnmatchedMxHosts = ResultList.From(unmatchedMxHosts);
            Findings = FindingResults.From(findings);
            Response = response;
        }

        public string Domain { get; }

        /// <summary>_mta-sts.&lt;domain&gt;</summary>
        public string QueryName { get; }

        /// <summary>State of the TXT lookup (the policy fetch is in <see cref="FetchStatus"/>).</summary>
        public string Status => StatusCode.ToString();

        internal PostureStatus StatusCode { get; }

        public string? ErrorMessage { get; }

        public string? RecordText => Record?.Text;

        public string? Id => Record?.Id;

        /// <summary>Exactly one valid record.</summary>
        public bool IsRecordValid => RecordCount == 1 && (Record?.IsValid ?? false);

        public int RecordCount { get; }

        public string FetchStatus => FetchStatusCode.ToString();

        internal MtaStsFetchStatus FetchStatusCode { get; }

        public string PolicyUrl { get; }

        public string? FetchError { get; }

        /// <summary>The policy's mode, when fetched and readable.</summary>
        public string? Mode => ModeCode?.ToString();

        internal MtaStsMode? ModeCode => Policy?.ModeCode;

        public long? MaxAge => Policy?.MaxAge;

        /// <summary>mx patterns joined with ';'.</summary>
        public string MxPatternText => Policy is null ? string.Empty : string.Join(";", Policy.MxPatterns);

        /// <summary>Every MX host matches a pattern (null when not known: no policy or no MX list).</summary>
        public bool? MxMatch => Policy is null || MxHosts.Count == 0 ? (bool?)null : UnmatchedMxHosts.Count == 0;

        public string UnmatchedMxText => string.Join(";", UnmatchedMxHosts);

        public string FindingText => PostureHelpers.Ids(Findings);

        public MtaStsRecord? Record { get; }

        public MtaStsPolicy? Policy { get; }

        /// <summary>The domain's MX hosts the policy was compared with.</summary>
        public ResultList<string> MxHosts { get; }

        public ResultList<string> UnmatchedMxHosts { get; }

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

        public override string ToString() => $"{QueryName}: {Status} {Mode}";
    }

    /// <summary>Checks MTA-STS (RFC 8461): the TXT record, the HTTPS policy and the MX match. Thread-safe.</summary>
    public sealed class MtaStsResolver : IDisposable
    {
        private readonly IDnsResolver _dns;
        private readonly MtaStsOptions _options;

        /// <summary>
        /// Creates a resolver. The policy host is looked up through <paramref name="dns"/> too
        /// (RFC 8461 §3.3 fetch over our own resolver, never the operating system's).
        /// </summary>
        public MtaStsResolver(IDnsResolver dns, MtaStsOptions? options = null)
        {
            _dns = dns ?? throw new ArgumentNullException(nameof(dns));
            _options = options ?? new MtaStsOptions();
            if (_options.FetchTimeout <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(options), _options.FetchTimeout, "MtaStsOptions.FetchTimeout must be positive.");
            }

            if (_options.MaxPolicyBytes <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(options), _options.MaxPolicyBytes, "MtaStsOptions.MaxPolicyBytes must be positive.");
            }

            if (_options.PolicyPort < 1 || _options.PolicyPort > 65535)
            {
                throw new ArgumentOutOfRangeException(nameof(options), _options.PolicyPort, "MtaStsOptions.PolicyPort must be 1 to 65535.");
            }
        }

        /// <summary>
        /// Checks the domain. <paramref name="mxHosts"/>: the domain's MX hosts when already known
        /// (the domain report passes them); null: looked up here.
        /// </summary>
        /// <exception cref="ArgumentException">Not a domain name.</exception>
        /// <exception cref="OperationCanceledException">Cancelled.</exception>
        public async Task<MtaStsReport> ResolveAsync(string domain, IReadOnlyList<string>? mxHosts = null, CancellationToken cancellationToken = default)
        {
            var recorder = new RecordingDnsResolver(_dns);
            MtaStsReport report = await ResolveAsync(recorder, domain, mxHosts, cancellationToken).ConfigureAwait(false);
            report.DnsEvidence = DnsEvidence.From(recorder.Responses);
            return report;
        }

        /// <summary>The same, querying through <paramref name="dns"/> (the domain report's recording resolver).</summary>
        internal async Task<MtaStsReport> ResolveAsync(IDnsResolver dns, string domain, IReadOnlyList<string>? mxHosts, CancellationToken cancellationToken)
        {
            string name = MailAuth.Names.DomainNameInput.Require(domain, nameof(domain));
            string queryName = "_mta-sts." + name;
            string policyHost = "mta-sts." + name;
            string url = "https://" + policyHost + MtaStsPolicyFetcher.PolicyPath;
            var findings = new List<Finding>();

            Task<MxReport?> mxTask = mxHosts is null && _options.FetchPolicy
                ? LookupMxAsync(dns, name, cancellationToken)
                : Task.FromResult<MxReport?>(null);
            VersionedTxtLookup lookup = await VersionedTxtLookup.QueryAsync(dns, queryName, "v=STSv1", cancellationToken).ConfigureAwait(false);
            if (lookup.Status != PostureStatus.Found)
            {
                if (lookup.Status == PostureStatus.LookupFailed)
                {
                    findings.Add(new Finding(FindingCatalog.MtaSts.LookupFailed, $"The MTA-STS lookup failed ({lookup.ErrorMessage}).", queryName));
                }

                return new MtaStsReport(name, queryName, lookup.Status, lookup.ErrorMessage, null, 0, MtaStsFetchStatus.NotFetched, url, null, null,
                    Array.Empty<string>(), Array.Empty<string>(), findings, lookup.Response);
            }

            MtaStsRecord record = MtaStsRecord.Parse(lookup.Records[0], queryName);
            findings.AddRange(record.Findings);
            if (lookup.Records.Count > 1)
            {
                // RFC 8461 §3.1: with more than one v=STSv1 record, senders assume no MTA-STS.
                findings.Insert(0, new Finding(FindingCatalog.MtaSts.Multiple,
                    $"{lookup.Records.Count} v=STSv1 records are published; senders then treat the domain as not using MTA-STS (RFC 8461 §3.1).", queryName));
            }

            if (!_options.FetchPolicy)
            {
                findings.Add(new Finding(FindingCatalog.MtaSts.NotFetched, "The HTTPS policy was not fetched (fetching is turned off).", url));
                return new MtaStsReport(name, queryName, lookup.Status, null, record, lookup.Records.Count, MtaStsFetchStatus.NotFetched, url, null, null,
                    mxHosts ?? Array.Empty<string>(), Array.Empty<string>(), findings, lookup.Response);
            }

            MtaStsPolicyFetcher.Result fetch = await MtaStsPolicyFetcher.FetchAsync(dns, policyHost, _options, cancellationToken).ConfigureAwait(false);
            (string? body, string? fetchError, string? contentType) = (fetch.Body, fetch.Error, fetch.ContentType);
            MxReport? mx = await mxTask.ConfigureAwait(false);
            IReadOnlyList<string> hosts = mxHosts ?? (mx?.Hosts.Where(h => h.Host != ".").Select(h => h.Host).ToArray() ?? Array.Empty<string>());
            if (body is null)
            {
                findings.Add(new Finding(FindingCatalog.MtaSts.PolicyFetchFailed,
                    $"The policy could not be fetched from {url}: {fetchError}", url));
                return new MtaStsReport(name, queryName, lookup.Status, null, record, lookup.Records.Count, MtaStsFetchStatus.Failed, url, fetchError, null,
                    hosts, Array.Empty<string>(), findings, lookup.Response);
            }

            if (contentType != null && !string.Equals(contentType, "text/plain", StringComparison.OrdinalIgnoreCase))
            {
                findings.Add(new Finding(FindingCatalog.MtaSts.PolicyMalformed, FindingSeverity.Warning,
                    $"The policy is served as {contentType}; RFC 8461 §3.2 requires text/plain and some senders reject anything else.", url));
            }

            MtaStsPolicy policy = MtaStsPolicy.Parse(body, url);
            findings.AddRange(policy.Findings);
            string[] unmatched = policy.ModeCode == MtaStsMode.None ? Array.Empty<string>() : hosts.Where(h => !policy.MatchesAny(h)).ToArray();
            if (unmatched.Length > 0)
            {
                // RFC 8461 §4.1: senders (in enforce mode) refuse to deliver to MX hosts not matched.
                findings.Add(new Finding(FindingCatalog.MtaSts.MxMismatch, policy.ModeCode == MtaStsMode.Enforce ? FindingSeverity.Error : FindingSeverity.Warning,
                    $"MX host(s) {string.Join(", ", unmatched)} match no mx pattern of the policy ({string.Join(", ", policy.MxPatterns)}); senders enforcing the policy will not deliver to them (RFC 8461 §4.1).", name));
            }

            return new MtaStsReport(name, queryName, lookup.Status, null, record, lookup.Records.Count, MtaStsFetchStatus.Fetched, url, null, policy,
                hosts, unmatched, findings, lookup.Response);
        }

        /// <summary>Nothing is held (each fetch is one connection, closed when done); kept so callers can dispose.</summary>
        public void Dispose()
        {
        }

        private static async Task<MxReport?> LookupMxAsync(IDnsResolver dns, string domain, CancellationToken cancellationToken)
        {
            return await new MxResolver(dns).ResolveAsync(domain, resolveHosts: false, cancellationToken).ConfigureAwait(false);
        }
    }
}
