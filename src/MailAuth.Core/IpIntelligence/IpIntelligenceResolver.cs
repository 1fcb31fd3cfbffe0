using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Names;

namespace MailAuth.IpIntelligence
{
    /// <summary>
    /// What DNS says about a sending IP: its PTR names, whether one resolves back to it
    /// (forward-confirmed reverse DNS, FCrDNS), and its BGP origin ASN with the AS name from Team
    /// Cymru's DNS service; plus the known mail service it belongs to, when one fits.
    /// </summary>
    public sealed class IpIntelligenceResult
    {
        internal IpIntelligenceResult(string ip)
        {
            IPAddress = ip;
        }

        public string IPAddress { get; }

        /// <summary>The first PTR name that resolves back to the address, else the first PTR name.</summary>
        public string? PtrName { get; internal set; }

        public ResultList<string> PtrNames { get; internal set; } = ResultList<string>.Empty;

        /// <summary>A PTR name's A/AAAA records include the address (FCrDNS); null when there is no PTR or a lookup failed.</summary>
        public bool? ForwardConfirmed { get; internal set; }

        /// <summary>BGP origin AS (origin.asn.cymru.com / origin6.asn.cymru.com).</summary>
        public long? Asn { get; internal set; }

        /// <summary>The announced prefix the address is in.</summary>
        public string? AsnPrefix { get; internal set; }

        /// <summary>The prefix's registry country code (not a location).</summary>
        public string? AsnCountry { get; internal set; }

        public string? AsnRegistry { get; internal set; }

        /// <summary>The AS description (AS&lt;n&gt;.asn.cymru.com).</summary>
        public string? AsnName { get; internal set; }

        /// <summary>DNS problems met on the way (each lookup that failed, by name).</summary>
        public ResultList<string> Errors { get; internal set; } = ResultList<string>.Empty;

        public override string ToString() =>
            IPAddress + (PtrName is null ? string.Empty : " " + PtrName + (ForwardConfirmed == true ? " (FCrDNS)" : string.Empty))
            + (Asn is null ? string.Empty : " AS" + Asn.Value.ToString(CultureInfo.InvariantCulture) + (AsnName is null ? string.Empty : " " + AsnName));
    }

    /// <summary>
    /// PTR, FCrDNS and ASN lookups over the toolkit's resolver, cached per address and per AS for
    /// the life of the instance (reports repeat the same sources thousands of times), and safe to
    /// call from many tasks at once: one lookup per address however many ask. For reports (issue 16)
    /// and IP intelligence (issue 17).
    /// </summary>
    public sealed class IpIntelligenceResolver
    {
        /// <summary>Team Cymru's IP to ASN DNS zones (https://team-cymru.com/community-services/ip-asn-mapping).</summary>
        public const string OriginZone = "origin.asn.cymru.com";
        public const string Origin6Zone = "origin6.asn.cymru.com";
        public const string AsnZone = "asn.cymru.com";

        private const int MaxPtrNames = 5;
        private readonly IDnsResolver _dns;
        private readonly bool _lookupAsn;
        private readonly ConcurrentDictionary<string, Lazy<Task<IpIntelligenceResult>>> _cache = new ConcurrentDictionary<string, Lazy<Task<IpIntelligenceResult>>>(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<long, Lazy<Task<string?>>> _asNames = new ConcurrentDictionary<long, Lazy<Task<string?>>>();

        /// <param name="dns">The resolver.</param>
        /// <param name="lookupAsn">Ask Team Cymru for the origin AS; false when an MMDB file gives it instead.</param>
        /// <exception cref="ArgumentNullException"><paramref name="dns"/> is null.</exception>
        public IpIntelligenceResolver(IDnsResolver dns, bool lookupAsn = true)
        {
            _dns = dns ?? throw new ArgumentNullException(nameof(dns));
            _lookupAsn = lookupAsn;
        }

        /// <summary>Addresses looked up so far.</summary>
        public int CachedCount => _cache.Count;

        /// <summary>What DNS says about <paramref name="ipAddress"/>; DNS failures are in the result's Errors, never thrown.</summary>
        /// <exception cref="ArgumentException">The text is not an IP address.</exception>
        public Task<IpIntelligenceResult> LookupAsync(string ipAddress, CancellationToken cancellationToken = default)
        {
            if (ipAddress is null || !System.Net.IPAddress.TryParse(ipAddress.Trim(), out IPAddress? ip))
            {
                throw new ArgumentException($"'{ipAddress}' is not an IP address.", nameof(ipAddress));
            }

            string key = ip.ToString();
            Lazy<Task<IpIntelligenceResult>> lazy = _cache.GetOrAdd(key, k => new Lazy<Task<IpIntelligenceResult>>(() => LookupCoreAsync(ip, cancellationToken)));
            return lazy.Value;
        }

        private async Task<IpIntelligenceResult> LookupCoreAsync(IPAddress ip, CancellationToken cancellationToken)
        {
            var result = new IpIntelligenceResult(ip.ToString());
            var errors = new List<string>();
            Task ptr = PtrAsync(ip, result, errors, cancellationToken);
            Task asn = _lookupAsn ? AsnAsync(ip, result, errors, cancellationToken) : Task.CompletedTask;
            await Task.WhenAll(ptr, asn).ConfigureAwait(false);
            lock (errors)
            {
                result.Errors = ResultList.From(errors);
            }

            return result;
        }

        private async Task PtrAsync(IPAddress ip, IpIntelligenceResult result, List<string> errors, CancellationToken cancellationToken)
        {
            string reverse = ReverseName(ip);
            DnsResponse response = await _dns.QueryAsync(reverse, DnsRecordType.PTR, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == DnsLookupStatus.Failed)
            {
                Add(errors, $"PTR {reverse} failed: {response.Error ?? response.ResponseCode}");
                return;
            }

            string[] names = response.Records.Where(r => r.TypeCode == DnsRecordType.PTR && !string.IsNullOrEmpty(r.Target))
                .Select(r => r.Target!.TrimEnd('.').ToLowerInvariant()).Distinct(StringComparer.Ordinal).Take(MaxPtrNames).ToArray();
            result.PtrNames = ResultList.From(names);
            if (names.Length == 0)
            {
                return;
            }

            // FCrDNS: a PTR name whose address records hold the address (RFC 8601 §3 "iprev" reasoning).
            DnsRecordType type = ip.AddressFamily == AddressFamily.InterNetworkV6 ? DnsRecordType.AAAA : DnsRecordType.A;
            bool anyFailed = false;
            foreach (string name in names)
            {
                DnsResponse forward = await _dns.QueryAsync(name, type, cancellationToken).ConfigureAwait(false);
                if (forward.StatusCode == DnsLookupStatus.Failed)
                {
                    anyFailed = true;
                    Add(errors, $"{type} {name} failed: {forward.Error ?? forward.ResponseCode}");
                    continue;
                }

                if (forward.Records.Any(r => r.AddressValue != null && r.AddressValue.Equals(ip)))
                {
                    result.PtrName = name;
                    result.ForwardConfirmed = true;
                    return;
                }
            }

            result.PtrName = names[0];
            result.ForwardConfirmed = anyFailed ? (bool?)null : false;
        }

        private async Task AsnAsync(IPAddress ip, IpIntelligenceResult result, List<string> errors, CancellationToken cancellationToken)
        {
            string name = ip.AddressFamily == AddressFamily.InterNetworkV6
                ? ReverseName(ip).Replace(".ip6.arpa", "." + Origin6Zone)
                : ReverseName(ip).Replace(".in-addr.arpa", "." + OriginZone);
            DnsResponse response = await _dns.QueryAsync(name, DnsRecordType.TXT, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == DnsLookupStatus.Failed)
            {
                Add(errors, $"TXT {name} failed: {response.Error ?? response.ResponseCode}");
                return;
            }

            // "15169 | 8.8.8.0/24 | US | arin | 1992-12-01"; several origins are space-separated.
            string? text = response.Texts.FirstOrDefault();
            if (text is null)
            {
                return;
            }

            string[] fields = text.Split('|').Select(f => f.Trim()).ToArray();
            string firstAsn = fields[0].Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty;
            if (!long.TryParse(firstAsn, NumberStyles.None, CultureInfo.InvariantCulture, out long asn))
            {
                return;
            }

            result.Asn = asn;
            result.AsnPrefix = fields.Length > 1 && fields[1].Length > 0 ? fields[1] : null;
            result.AsnCountry = fields.Length > 2 && fields[2].Length > 0 ? fields[2] : null;
            result.AsnRegistry = fields.Length > 3 && fields[3].Length > 0 ? fields[3] : null;
            result.AsnName = await _asNames.GetOrAdd(asn, a => new Lazy<Task<string?>>(() => AsNameAsync(a, errors, cancellationToken))).Value.ConfigureAwait(false);
        }

        private async Task<string?> AsNameAsync(long asn, List<string> errors, CancellationToken cancellationToken)
        {
            string name = "AS" + asn.ToString(CultureInfo.InvariantCulture) + "." + AsnZone;
            DnsResponse response = await _dns.QueryAsync(name, DnsRecordType.TXT, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == DnsLookupStatus.Failed)
            {
                Add(errors, $"TXT {name} failed: {response.Error ?? response.ResponseCode}");
                return null;
            }

            // "15169 | US | arin | 2000-03-30 | GOOGLE - Google LLC, US"
            string? text = response.Texts.FirstOrDefault();
            string[] fields = text?.Split('|') ?? Array.Empty<string>();
            return fields.Length >= 5 ? fields[4].Trim() : null;
        }

        private static void Add(List<string> errors, string error)
        {
            lock (errors)
            {
                errors.Add(error);
            }
        }

        /// <summary>d.c.b.a.in-addr.arpa, or the nibbles of ip6.arpa (RFC 3596 §2.5).</summary>
        public static string ReverseName(IPAddress ip) => DomainName.ReverseName(ip);
    }
}
