using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Posture;

namespace MailAuth.IpIntelligence
{
    /// <summary>What the blocklists say about an address, as one word.</summary>
    public enum MailIpStatus
    {
        /// <summary>At least one blocklist lists the address.</summary>
        Listed,
        /// <summary>Every blocklist asked answered, and none lists it.</summary>
        NotListed,
        /// <summary>No list lists it, but at least one did not answer or refused: not known.</summary>
        LookupFailed,
        /// <summary>No blocklist was asked (-Blocklist @()).</summary>
        NotChecked,
        /// <summary>A private, loopback, documentation or other special-purpose address (RFC 6890): no public data exists, nothing was asked.</summary>
        NotPublic,
    }

    /// <summary>Who a sending IP belongs to and whether it is listed: Get-MailIpReport's row.</summary>
    public sealed class MailIpReport
    {
        internal MailIpReport(string ip)
        {
            IPAddress = ip;
        }

        public string IPAddress { get; }

        /// <summary>The PTR name that resolves back to the address (FCrDNS), else the first PTR name.</summary>
        public string? PtrName { get; internal set; }

        /// <summary>A PTR name's A/AAAA records hold the address; null when there is no PTR name or a lookup failed.</summary>
        public bool? ForwardConfirmed { get; internal set; }

        /// <summary>BGP origin AS (Team Cymru).</summary>
        public long? Asn { get; internal set; }

        /// <summary>The AS description (AS&lt;n&gt;.asn.cymru.com).</summary>
        public string? AsName { get; internal set; }

        /// <summary>The announced prefix the address is in.</summary>
        public string? Prefix { get; internal set; }

        /// <summary>The prefix's registration country (ISO 3166 code): where the holder registered, not where the machine is.</summary>
        public string? Country { get; internal set; }

        /// <summary>The regional Internet registry: arin, ripencc, apnic, lacnic, afrinic.</summary>
        public string? Registry { get; internal set; }

        public ResultList<DnsBlocklistListing> Listings { get; internal set; } = ResultList<DnsBlocklistListing>.Empty;

        public int ListedCount => Listings.Select(l => l.Zone).Distinct(StringComparer.OrdinalIgnoreCase).Count();

        public string Status => StatusCode.ToString();

        internal MailIpStatus StatusCode { get; set; }

        /// <summary>Every lookup that failed or was refused, with what it means.</summary>
        public ResultList<string> LookupErrors { get; internal set; } = ResultList<string>.Empty;

        /// <summary>The PTR, forward, ASN and blocklist answers the report rests on (docs/dns-archive.md).</summary>
        public DnsEvidence DnsEvidence { get; internal set; } = DnsEvidence.Empty;

        /// <summary>All PTR names (at most five).</summary>
        public ResultList<string> PtrNames { get; internal set; } = ResultList<string>.Empty;

        /// <summary>The blocklist zones asked about this address.</summary>
        public ResultList<string> CheckedBlocklists { get; internal set; } = ResultList<string>.Empty;

        /// <summary>Where Asn, AsName and Prefix come from: TeamCymru, or the MMDB database type.</summary>
        public string? OwnerSource { get; internal set; }

        /// <summary>A known mail service the forward-confirmed PTR name or the AS belongs to (Microsoft 365, Google, ...), when one fits.</summary>
        public string? Service { get; internal set; }

        public override string ToString() =>
            IPAddress + (PtrName is null ? string.Empty : " " + PtrName)
            + (Asn is null ? string.Empty : " AS" + Asn.Value.ToString(CultureInfo.InvariantCulture))
            + " " + Status;
    }

    /// <summary>Options for <see cref="MailIpReporter"/>.</summary>
    public sealed class MailIpReportOptions
    {
        /// <summary>Blocklist zones to ask (default: <see cref="DnsBlocklists.DefaultZones"/>); empty asks none.</summary>
        public IReadOnlyList<string> Blocklists { get; set; } = DnsBlocklists.DefaultZones;

        /// <summary>An MMDB file with AS data (GeoLite2-ASN, IPinfo Lite): used instead of Team Cymru's DNS.</summary>
        public MmdbIpDatabase? AsnDatabase { get; set; }

        /// <summary>An MMDB file with country data (GeoLite2-Country or City, IPinfo Lite): Country comes from it.</summary>
        public MmdbIpDatabase? CountryDatabase { get; set; }
    }

    /// <summary>
    /// Builds <see cref="MailIpReport"/>s: PTR, FCrDNS and ASN through <see cref="IpIntelligenceResolver"/>
    /// (cached per address and AS), the blocklists at the same time. Thread-safe.
    /// </summary>
    public sealed class MailIpReporter
    {
        private readonly IDnsResolver _dns;
        private readonly string[] _zones;
        private readonly MmdbIpDatabase? _asnDatabase;
        private readonly MmdbIpDatabase? _countryDatabase;

        /// <exception cref="ArgumentNullException"><paramref name="dns"/> is null.</exception>
        /// <exception cref="ArgumentException">A blocklist zone is not a domain name.</exception>
        public MailIpReporter(IDnsResolver dns, MailIpReportOptions? options = null)
        {
            if (dns is null)
            {
                throw new ArgumentNullException(nameof(dns));
            }

            options ??= new MailIpReportOptions();
            _asnDatabase = options.AsnDatabase;
            _countryDatabase = options.CountryDatabase;
            _dns = dns;
            _zones = (options.Blocklists ?? Array.Empty<string>())
                .Select(z => MailAuth.Names.DomainNameInput.Require(z, "blocklist"))
                .Distinct(StringComparer.Ordinal).ToArray();
        }

        /// <summary>The zones asked, normalized.</summary>
        public IReadOnlyList<string> Blocklists => _zones;

        /// <summary>The report for one address. DNS failures are in LookupErrors, never thrown.</summary>
        /// <exception cref="ArgumentException">Not an IP address.</exception>
        /// <exception cref="OperationCanceledException">Cancelled.</exception>
        public async Task<MailIpReport> ReportAsync(string ipAddress, CancellationToken cancellationToken = default)
        {
            if (ipAddress is null || ipAddress.Trim().Length == 0)
            {
                throw new ArgumentException("The IP address is empty.", nameof(ipAddress));
            }

            // The toolkit's one client-address reader (ClientAddress): literals and zones taken, the
            // inet_aton shorthands and leading zeros refused with both readings named.
            if (!ClientAddress.TryParse(ipAddress, out IPAddress? ip, out string? error))
            {
                throw new ArgumentException(error, nameof(ipAddress));
            }

            if (ip!.IsIPv4MappedToIPv6)
            {
                // ::ffff:192.0.2.1 is an IPv4 sender seen over a dual-stack socket (RFC 4291 §2.5.5.2).
                ip = ip.MapToIPv4();
            }

            var report = new MailIpReport(ip.ToString());
            if (!IsGlobal(ip))
            {
                report.StatusCode = MailIpStatus.NotPublic;
                return report;
            }

            // Each report records its own answers as its DNS evidence; the session resolver's cache
            // still answers an address or AS seen before without asking again.
            var dns = new RecordingDnsResolver(_dns);
            Task<IpIntelligenceResult> intelligence = new IpIntelligenceResolver(dns, lookupAsn: _asnDatabase is null).LookupAsync(report.IPAddress, cancellationToken);
            Task<DnsBlocklistOutcome> blocklists = new DnsBlocklistChecker(dns).CheckAsync(ip, _zones, cancellationToken);
            IpIntelligenceResult found = await intelligence.ConfigureAwait(false);
            DnsBlocklistOutcome listed = await blocklists.ConfigureAwait(false);
            report.DnsEvidence = DnsEvidence.From(dns.Responses);

            report.PtrName = found.PtrName;
            report.PtrNames = found.PtrNames;
            report.ForwardConfirmed = found.ForwardConfirmed;
            report.Asn = found.Asn;
            report.AsName = found.AsnName;
            report.Prefix = found.AsnPrefix;
            report.Country = found.AsnCountry;
            report.Registry = found.AsnRegistry;
            report.OwnerSource = found.Asn != null ? "TeamCymru" : null;
            if (_asnDatabase != null)
            {
                MmdbRecord? owner = _asnDatabase.Lookup(ip);
                report.Asn = owner?.Asn;
                report.AsName = owner?.AsName;
                report.Prefix = owner?.Prefix;
                report.Country = owner?.Country;
                report.OwnerSource = owner?.Asn != null ? _asnDatabase.DatabaseType : null;
            }

            if (_countryDatabase != null)
            {
                report.Country = _countryDatabase.Lookup(ip)?.Country ?? report.Country;
            }

            report.Service = KnownMailServices.Match(found.ForwardConfirmed == true ? found.PtrName : null, report.Asn, null, null)?.Service;
            report.Listings = ResultList.From(listed.Listings);
            report.CheckedBlocklists = ResultList.From(listed.Checked);
            report.LookupErrors = ResultList.From(found.Errors.Concat(listed.Errors).ToArray());
            report.StatusCode = listed.Checked.Count == 0 ? MailIpStatus.NotChecked
                : listed.Listings.Count > 0 ? MailIpStatus.Listed
                : listed.Errors.Count > 0 ? MailIpStatus.LookupFailed
                : MailIpStatus.NotListed;
            return report;
        }

        /// <summary>
        /// False for the special-purpose ranges of the IANA registries (RFC 6890) that are not
        /// globally reachable: private, shared (RFC 6598), loopback, link-local, documentation
        /// (RFC 5737, RFC 3849), benchmarking, multicast and reserved. No blocklist or routing data
        /// exists for them.
        /// </summary>
        public static bool IsGlobal(IPAddress ip)
        {
            if (ip is null)
            {
                throw new ArgumentNullException(nameof(ip));
            }

            byte[] b = ip.GetAddressBytes();
            if (ip.AddressFamily == AddressFamily.InterNetwork)
            {
                return !(b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224
                    || (b[0] == 100 && (b[1] & 0xC0) == 64)
                    || (b[0] == 169 && b[1] == 254)
                    || (b[0] == 172 && (b[1] & 0xF0) == 16)
                    || (b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2))
                    || (b[0] == 192 && b[1] == 168)
                    || (b[0] == 198 && (b[1] & 0xFE) == 18)
                    || (b[0] == 198 && b[1] == 51 && b[2] == 100)
                    || (b[0] == 203 && b[1] == 0 && b[2] == 113));
            }

            if (ip.IsIPv6LinkLocal || ip.IsIPv6Multicast || ip.IsIPv6SiteLocal || ip.Equals(System.Net.IPAddress.IPv6Loopback) || ip.Equals(System.Net.IPAddress.IPv6Any))
            {
                return false;
            }

            // fc00::/7 unique local (RFC 4193), 2001:db8::/32 documentation (RFC 3849); global unicast is 2000::/3.
            return (b[0] & 0xE0) == 0x20 && !(b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8);
        }
    }
}
