using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Findings;

namespace MailAuth.Posture
{
    /// <summary>Whether an MX host has addresses.</summary>
    public enum MxHostResolution
    {
        /// <summary>A or AAAA records were found.</summary>
        Resolves,
        /// <summary>Both the A and the AAAA lookups answered NXDOMAIN or NODATA.</summary>
        DoesNotResolve,
        /// <summary>No address was found and a lookup failed: unknown.</summary>
        LookupFailed,
        /// <summary>Not looked up (an IP literal, a null MX, or host checks turned off).</summary>
        NotChecked,
    }

    /// <summary>
    /// One MX record and what its exchange resolves to: a flat row (the report's Findings hold
    /// this host's findings, FindingText their ids).
    /// </summary>
    public sealed class MxHost
    {
        internal MxHost(int preference, string host, bool isIpLiteral, MxHostResolution resolution,
            IReadOnlyList<IPAddress> addresses, IReadOnlyList<string> cnameChain, string? errorMessage, IReadOnlyList<Finding>? findings = null)
        {
            FindingList = (findings ?? Array.Empty<Finding>()).Listed();
            Preference = preference;
            Host = host;
            IsIpLiteral = isIpLiteral;
            ResolutionCode = resolution;
            Addresses = addresses.Select(a => a.ToString()).ToResultList();
            CnameChain = ResultList.From(cnameChain);
            ErrorMessage = errorMessage;
        }

        public int Preference { get; }

        /// <summary>The exchange name, lower case, no trailing dot.</summary>
        public string Host { get; }

        /// <summary>The exchange is an address written as a name; RFC 5321 §5.1 requires a domain name.</summary>
        public bool IsIpLiteral { get; }

        /// <summary>The exchange is an alias (CNAME), which RFC 2181 §10.3 forbids.</summary>
        public bool IsCname => CnameChain.Count > 0;

        public string Resolution => ResolutionCode.ToString();

        internal MxHostResolution ResolutionCode { get; }

        public ResultList<string> Addresses { get; }

        public string AddressText => string.Join(";", Addresses);

        public ResultList<string> CnameChain { get; }

        public string? ErrorMessage { get; }

        /// <summary>This host's finding ids.</summary>
        public string FindingText => PostureHelpers.Ids(FindingList);

        internal IReadOnlyList<Finding> FindingList { get; }

        public override string ToString() => $"{Preference} {Host} ({Resolution})";
    }

    /// <summary>The MX records of a domain (RFC 5321 §5.1, RFC 7505 null MX).</summary>
    public sealed class MxReport
    {
        internal MxReport(string domain, PostureStatus status, string? errorMessage, IReadOnlyList<MxHost> hosts,
            bool isNullMx, IReadOnlyList<Finding> findings, IReadOnlyList<DnsResponse> trace)
        {
            Domain = domain;
            StatusCode = status;
            ErrorMessage = errorMessage;
            Hosts = ResultList.From(hosts);
            IsNullMx = isNullMx;
            Findings = FindingResults.From(findings);
            DnsEvidence = DnsEvidence.From(trace);
        }

        public string Domain { get; }

        /// <summary>State of the MX lookup itself (host lookups show in each host and in the findings).</summary>
        public string Status => StatusCode.ToString();

        internal PostureStatus StatusCode { get; }

        public string? ErrorMessage { get; }

        /// <summary>The domain publishes "0 ." alone: it accepts no mail (RFC 7505 §3).</summary>
        public bool IsNullMx { get; }

        public int HostCount => Hosts.Count;

        /// <summary>"10 mx1.example.com;20 mx2.example.com", by preference.</summary>
        public string HostText => string.Join(";", Hosts.Select(h => h.Preference.ToString(CultureInfo.InvariantCulture) + " " + h.Host));

        public int ResolvingHostCount => Hosts.Count(h => h.ResolutionCode == MxHostResolution.Resolves);

        public string FindingText => PostureHelpers.Ids(Findings);

        /// <summary>Sorted by preference, then name.</summary>
        public ResultList<MxHost> Hosts { get; }

        public ResultList<Finding> Findings { get; }

        /// <summary>Every DNS response read (empty inside a domain report, whose DnsEvidence has them).</summary>
        public DnsEvidence DnsEvidence { get; private set; }

        /// <summary>Inside a domain report: its Trace holds the DNS responses, so this report drops its copy.</summary>
        internal void OmitDnsResponses() => DnsEvidence = DnsEvidence.Empty;

        public override string ToString() => $"{Domain}: {Status} {HostText}";
    }

    /// <summary>Looks up a domain's MX records and checks each exchange. Thread-safe.</summary>
    public sealed class MxResolver
    {
        private readonly IDnsResolver _dns;

        public MxResolver(IDnsResolver dns)
        {
            _dns = dns ?? throw new ArgumentNullException(nameof(dns));
        }

        /// <summary>
        /// The MX records of <paramref name="domain"/>; with <paramref name="resolveHosts"/>, the
        /// A and AAAA records of every exchange, concurrently.
        /// </summary>
        /// <exception cref="ArgumentException">Not a domain name.</exception>
        /// <exception cref="OperationCanceledException">Cancelled.</exception>
        public async Task<MxReport> ResolveAsync(string domain, bool resolveHosts = true, CancellationToken cancellationToken = default)
        {
            string name = MailAuth.Names.DomainNameInput.Require(domain, nameof(domain));
            var recorder = new RecordingDnsResolver(_dns);
            DnsResponse response = await recorder.QueryAsync(name, DnsRecordType.MX, cancellationToken).ConfigureAwait(false);
            var findings = new List<Finding>();
            PostureStatus status = PostureHelpers.ToStatus(response);
            if (status == PostureStatus.LookupFailed)
            {
                string error = PostureHelpers.FailureText(response);
                findings.Add(new Finding(FindingCatalog.Mx.LookupFailed, $"The MX lookup failed ({error}); the mail servers are unknown.", name));
                return new MxReport(name, status, error, Array.Empty<MxHost>(), false, findings, recorder.Responses);
            }

            if (status == PostureStatus.NotFound)
            {
                // RFC 5321 §5.1: with no MX, senders fall back to the domain's own A/AAAA (implicit MX).
                findings.Add(new Finding(FindingCatalog.Mx.None,
                    "No MX records: senders deliver to the domain's own address (implicit MX, RFC 5321 §5.1). Publish MX records, or a null MX (\"0 .\", RFC 7505) if the domain takes no mail.", name));
                return new MxReport(name, status, null, Array.Empty<MxHost>(), false, findings, recorder.Responses);
            }

            var records = response.Records
                .Where(r => r.TypeCode == DnsRecordType.MX)
                .Select(r => (Preference: r.Preference, Host: (r.Target ?? string.Empty).TrimEnd('.').ToLowerInvariant()))
                .Distinct()
                .OrderBy(r => r.Preference).ThenBy(r => r.Host, StringComparer.Ordinal)
                .ToList();

            // RFC 7505 §3: a null MX is a single record with preference 0 and the root as exchange.
            bool hasNull = records.Any(r => r.Host.Length == 0);
            if (hasNull)
            {
                if (records.Count == 1)
                {
                    findings.Add(new Finding(FindingCatalog.Mx.Null,
                        "Null MX (RFC 7505): the domain declares that it accepts no mail.", name));
                    var only = new MxHost(records[0].Preference, ".", false, MxHostResolution.NotChecked, Array.Empty<IPAddress>(), Array.Empty<string>(), null);
                    return new MxReport(name, status, null, new[] { only }, true, findings, recorder.Responses);
                }

                findings.Add(new Finding(FindingCatalog.Mx.NullWithOthers,
                    "A null MX (\".\") is published beside other MX records; RFC 7505 §3 requires it to be the only one, and senders may treat the domain as taking no mail or ignore the null MX.", name));
            }

            MxHost[] hosts = await Task.WhenAll(records.Select(r => CheckHostAsync(recorder, r.Preference, r.Host, resolveHosts, cancellationToken))).ConfigureAwait(false);
            findings.AddRange(hosts.SelectMany(h => h.FindingList));
            if (resolveHosts && hosts.Length > 0 && !hosts.Any(h => h.ResolutionCode == MxHostResolution.Resolves)
                && hosts.All(h => h.ResolutionCode == MxHostResolution.DoesNotResolve || h.IsIpLiteral || h.Host == "."))
            {
                findings.Add(new Finding(FindingCatalog.Mx.NoHostResolves,
                    "No MX host has an address: mail to this domain cannot be delivered.", name));
            }

            return new MxReport(name, status, null, hosts, false, findings, recorder.Responses);
        }

        private static async Task<MxHost> CheckHostAsync(IDnsResolver dns, int preference, string host, bool resolve, CancellationToken cancellationToken)
        {
            var findings = new List<Finding>();
            if (host.Length == 0)
            {
                return new MxHost(preference, ".", false, MxHostResolution.NotChecked, Array.Empty<IPAddress>(), Array.Empty<string>(), null);
            }

            string bare = host.Trim('[', ']');
            if (IPAddress.TryParse(bare, out _) && (bare.IndexOf(':') >= 0 || bare.Split('.').Length == 4))
            {
                // RFC 5321 §5.1 / RFC 7505 §3: the exchange must be a domain name; an address in
                // its place is looked up as a name and fails.
                Add(findings, new Finding(FindingCatalog.Mx.IpLiteral,
                    $"MX {host} is an IP address, not a host name; RFC 5321 §5.1 requires a domain name with A/AAAA records.", host));
                return new MxHost(preference, host, true, MxHostResolution.NotChecked, Array.Empty<IPAddress>(), Array.Empty<string>(), null, findings);
            }

            if (!resolve)
            {
                return new MxHost(preference, host, false, MxHostResolution.NotChecked, Array.Empty<IPAddress>(), Array.Empty<string>(), null);
            }

            HostAddressAnswers answers;
            try
            {
                answers = await HostAddressAnswers.QueryAsync(dns, host, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                Add(findings, new Finding(FindingCatalog.Mx.HostNotResolving,
                    $"MX {host} is not a name that can be looked up: {ex.Message}", host));
                return new MxHost(preference, host, false, MxHostResolution.DoesNotResolve, Array.Empty<IPAddress>(), Array.Empty<string>(), ex.Message, findings);
            }

            IPAddress[] addresses = answers.IPv4.Concat(answers.IPv6).ToArray();
            IReadOnlyList<string> chain = answers.CanonicalNames;
            if (chain.Count > 0)
            {
                Add(findings, new Finding(FindingCatalog.Mx.Cname,
                    $"MX {host} is an alias (CNAME to {chain[chain.Count - 1]}); RFC 2181 §10.3 and RFC 5321 §5.1 require the exchange to be the canonical name.", host));
            }

            MxHostResolution resolution;
            string? error = null;
            if (addresses.Length > 0)
            {
                resolution = MxHostResolution.Resolves;
            }
            else if (answers.Failed.Count > 0)
            {
                resolution = MxHostResolution.LookupFailed;
                error = PostureHelpers.FailureText(answers.Failed[0]);
                Add(findings, new Finding(FindingCatalog.Mx.HostLookupFailed,
                    $"The address lookup of MX {host} failed ({error}); whether it resolves is unknown.", host));
            }
            else
            {
                resolution = MxHostResolution.DoesNotResolve;
                Add(findings, new Finding(FindingCatalog.Mx.HostNotResolving,
                    $"MX {host} has no A or AAAA records ({(answers.A.IsNxDomain ? "NXDOMAIN" : "no data")}); mail routed to it cannot be delivered.", host));
            }

            return new MxHost(preference, host, false, resolution, addresses, chain, error, findings);
        }

        private static void Add(List<Finding> findings, Finding finding) => findings.Add(finding);
    }
}
