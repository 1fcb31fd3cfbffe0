using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;

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
        /// The handler requests go through (tests serve the policy from 127.0.0.1). Null: an
        /// HttpClientHandler with redirects off and the platform's certificate validation.
        /// </summary>
        public HttpMessageHandler? HttpHandler { get; set; }

        /// <summary>
        /// Replaces certificate validation of the default handler (ignored with <see cref="HttpHandler"/>).
        /// RFC 8461 §3.3 requires a valid certificate for mta-sts.&lt;domain&gt;; only relax it to test.
        /// </summary>
        public Func<HttpRequestMessage, X509Certificate2?, X509Chain?, SslPolicyErrors, bool>? ServerCertificateValidation { get; set; }

        /// <summary>RFC 8461 §3.3: senders may cap the body; 64 KiB is the suggested limit.</summary>
        public int MaxPolicyBytes { get; set; } = 64 * 1024;
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
            Findings = ResultList.From(findings);
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

        /// <summary>The TXT answer for the record (null inside a domain report, whose Trace has it).</summary>
        public DnsResponse? Response { get; private set; }

        /// <summary>Inside a domain report: its Trace holds the DNS responses, so this report drops its copy.</summary>
        internal void OmitDnsResponses() => Response = null;

        public override string ToString() => $"{QueryName}: {Status} {Mode}";
    }

    /// <summary>Checks MTA-STS (RFC 8461): the TXT record, the HTTPS policy and the MX match. Thread-safe.</summary>
    public sealed class MtaStsResolver : IDisposable
    {
        private readonly IDnsResolver _dns;
        private readonly MtaStsOptions _options;
        private readonly Lazy<HttpClient> _http;

        /// <summary>Creates a resolver; share it so the HTTP connections are reused. Dispose it when done.</summary>
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

            _http = new Lazy<HttpClient>(CreateClient, LazyThreadSafetyMode.ExecutionAndPublication);
        }

        /// <summary>
        /// Checks the domain. <paramref name="mxHosts"/>: the domain's MX hosts when already known
        /// (the domain report passes them); null: looked up here.
        /// </summary>
        /// <exception cref="ArgumentException">Not a domain name.</exception>
        /// <exception cref="OperationCanceledException">Cancelled.</exception>
        public Task<MtaStsReport> ResolveAsync(string domain, IReadOnlyList<string>? mxHosts = null, CancellationToken cancellationToken = default)
        {
            return ResolveAsync(_dns, domain, mxHosts, cancellationToken);
        }

        /// <summary>The same, querying through <paramref name="dns"/> (the domain report's recording resolver).</summary>
        internal async Task<MtaStsReport> ResolveAsync(IDnsResolver dns, string domain, IReadOnlyList<string>? mxHosts, CancellationToken cancellationToken)
        {
            string name = PostureDomain.Normalize(domain, nameof(domain));
            string queryName = "_mta-sts." + name;
            string url = "https://mta-sts." + name + "/.well-known/mta-sts.txt";
            var findings = new List<Finding>();

            Task<MxReport?> mxTask = mxHosts is null && _options.FetchPolicy
                ? LookupMxAsync(dns, name, cancellationToken)
                : Task.FromResult<MxReport?>(null);
            VersionedTxtLookup lookup = await VersionedTxtLookup.QueryAsync(dns, queryName, "v=STSv1", cancellationToken).ConfigureAwait(false);
            if (lookup.Status != PostureStatus.Found)
            {
                if (lookup.Status == PostureStatus.LookupFailed)
                {
                    findings.Add(new Finding(PostureFindingIds.MtaStsLookupFailed, FindingSeverity.Error, $"The MTA-STS lookup failed ({lookup.ErrorMessage}).", queryName));
                }

                return new MtaStsReport(name, queryName, lookup.Status, lookup.ErrorMessage, null, 0, MtaStsFetchStatus.NotFetched, url, null, null,
                    Array.Empty<string>(), Array.Empty<string>(), findings, lookup.Response);
            }

            MtaStsRecord record = MtaStsRecord.Parse(lookup.Records[0], queryName);
            findings.AddRange(record.Findings);
            if (lookup.Records.Count > 1)
            {
                // RFC 8461 §3.1: with more than one v=STSv1 record, senders assume no MTA-STS.
                findings.Insert(0, new Finding(PostureFindingIds.MtaStsMultiple, FindingSeverity.Error,
                    $"{lookup.Records.Count} v=STSv1 records are published; senders then treat the domain as not using MTA-STS (RFC 8461 §3.1).", queryName));
            }

            if (!_options.FetchPolicy)
            {
                findings.Add(new Finding(PostureFindingIds.MtaStsNotFetched, FindingSeverity.Information, "The HTTPS policy was not fetched (fetching is turned off).", url));
                return new MtaStsReport(name, queryName, lookup.Status, null, record, lookup.Records.Count, MtaStsFetchStatus.NotFetched, url, null, null,
                    mxHosts ?? Array.Empty<string>(), Array.Empty<string>(), findings, lookup.Response);
            }

            (string? body, string? fetchError, string? contentType) = await FetchAsync(url, cancellationToken).ConfigureAwait(false);
            MxReport? mx = await mxTask.ConfigureAwait(false);
            IReadOnlyList<string> hosts = mxHosts ?? (mx?.Hosts.Where(h => h.Host != ".").Select(h => h.Host).ToArray() ?? Array.Empty<string>());
            if (body is null)
            {
                findings.Add(new Finding(PostureFindingIds.MtaStsPolicyFetchFailed, FindingSeverity.Error,
                    $"The policy could not be fetched from {url}: {fetchError}", url));
                return new MtaStsReport(name, queryName, lookup.Status, null, record, lookup.Records.Count, MtaStsFetchStatus.Failed, url, fetchError, null,
                    hosts, Array.Empty<string>(), findings, lookup.Response);
            }

            if (contentType != null && !string.Equals(contentType, "text/plain", StringComparison.OrdinalIgnoreCase))
            {
                findings.Add(new Finding(PostureFindingIds.MtaStsPolicyMalformed, FindingSeverity.Warning,
                    $"The policy is served as {contentType}; RFC 8461 §3.2 requires text/plain and some senders reject anything else.", url));
            }

            MtaStsPolicy policy = MtaStsPolicy.Parse(body, url);
            findings.AddRange(policy.Findings);
            string[] unmatched = policy.ModeCode == MtaStsMode.None ? Array.Empty<string>() : hosts.Where(h => !policy.MatchesAny(h)).ToArray();
            if (unmatched.Length > 0)
            {
                // RFC 8461 §4.1: senders (in enforce mode) refuse to deliver to MX hosts not matched.
                findings.Add(new Finding(PostureFindingIds.MtaStsMxMismatch, policy.ModeCode == MtaStsMode.Enforce ? FindingSeverity.Error : FindingSeverity.Warning,
                    $"MX host(s) {string.Join(", ", unmatched)} match no mx pattern of the policy ({string.Join(", ", policy.MxPatterns)}); senders enforcing the policy will not deliver to them (RFC 8461 §4.1).", name));
            }

            return new MtaStsReport(name, queryName, lookup.Status, null, record, lookup.Records.Count, MtaStsFetchStatus.Fetched, url, null, policy,
                hosts, unmatched, findings, lookup.Response);
        }

        public void Dispose()
        {
            if (_http.IsValueCreated)
            {
                _http.Value.Dispose();
            }
        }

        private static async Task<MxReport?> LookupMxAsync(IDnsResolver dns, string domain, CancellationToken cancellationToken)
        {
            return await new MxResolver(dns).ResolveAsync(domain, resolveHosts: false, cancellationToken).ConfigureAwait(false);
        }

        private HttpClient CreateClient()
        {
            HttpMessageHandler handler = _options.HttpHandler ?? CreateDefaultHandler();
            return new HttpClient(handler, disposeHandler: _options.HttpHandler is null)
            {
                // Our own per-request timeout applies; the client's must not cut in first.
                Timeout = System.Threading.Timeout.InfiniteTimeSpan,
            };
        }

        private HttpClientHandler CreateDefaultHandler()
        {
            var handler = new HttpClientHandler
            {
                // RFC 8461 §3.3: "HTTP 3xx redirects MUST NOT be followed".
                AllowAutoRedirect = false,
                UseCookies = false,
            };
            if (_options.ServerCertificateValidation != null)
            {
                handler.ServerCertificateCustomValidationCallback = _options.ServerCertificateValidation;
            }

            return handler;
        }

        /// <summary>Body, or null with the reason. Never throws except on caller cancellation.</summary>
        private async Task<(string? Body, string? Error, string? ContentType)> FetchAsync(string url, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.FetchTimeout);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                using HttpResponseMessage response = await _http.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                int code = (int)response.StatusCode;
                if (code >= 300 && code < 400)
                {
                    return (null, $"HTTP {code} redirect to {response.Headers.Location}; RFC 8461 §3.3 forbids following redirects.", null);
                }

                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return (null, $"HTTP {code} {response.ReasonPhrase}; only 200 is a policy (RFC 8461 §3.3).", null);
                }

                string? contentType = response.Content.Headers.ContentType?.MediaType;
                using Stream stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                var buffer = new MemoryStream();
                var chunk = new byte[8192];
                while (true)
                {
                    int read = await stream.ReadAsync(chunk, 0, chunk.Length, timeout.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    buffer.Write(chunk, 0, read);
                    if (buffer.Length > _options.MaxPolicyBytes)
                    {
                        return (null, $"The policy is larger than {_options.MaxPolicyBytes} bytes.", contentType);
                    }
                }

                return (new UTF8Encoding(false, false).GetString(buffer.ToArray()), null, contentType);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (null, $"No complete answer within {_options.FetchTimeout.TotalSeconds:0.#} s.", null);
            }
            catch (HttpRequestException ex)
            {
                return (null, Describe(ex), null);
            }
            catch (IOException ex)
            {
                return (null, Describe(ex), null);
            }
        }

        /// <summary>The innermost message says what went wrong (certificate, refused, name).</summary>
        private static string Describe(Exception ex)
        {
            var parts = new List<string>();
            for (Exception? e = ex; e != null; e = e.InnerException)
            {
                if (!parts.Contains(e.Message))
                {
                    parts.Add(e.Message);
                }
            }

            return string.Join(" ", parts);
        }
    }
}
