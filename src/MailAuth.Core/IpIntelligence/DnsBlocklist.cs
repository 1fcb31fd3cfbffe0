using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;

namespace MailAuth.IpIntelligence
{
    /// <summary>One blocklist that lists an address: the zone, the A record it answered and what that code means.</summary>
    public sealed class DnsBlocklistListing
    {
        internal DnsBlocklistListing(string zone, string returnCode, string meaning, string? text)
        {
            Zone = zone;
            ReturnCode = returnCode;
            Meaning = meaning;
            Text = text;
        }

        public string Zone { get; }

        /// <summary>The A record of the query name, 127.0.0.x (RFC 5782 §2.1).</summary>
        public string ReturnCode { get; }

        /// <summary>What the list operator documents for that code.</summary>
        public string Meaning { get; }

        /// <summary>The TXT record at the same name, when the list publishes one (usually a removal URL).</summary>
        public string? Text { get; }

        /// <summary>"zen.spamhaus.org=127.0.0.4": the CSV cell of a report's Listings.</summary>
        public override string ToString() => Zone + "=" + ReturnCode;
    }

    /// <summary>
    /// DNS blocklists (DNSxL, RFC 5782): query names, the default set and the return codes their
    /// operators document.
    /// </summary>
    public static class DnsBlocklists
    {
        /// <summary>
        /// Checked when -Blocklist is not given: the lists receivers most often consult, each free for
        /// low-volume use (docs/intelligence.md says why these and their terms of use).
        /// </summary>
        public static IReadOnlyList<string> DefaultZones { get; } = new[]
        {
            "zen.spamhaus.org",
            "bl.spamcop.net",
            "b.barracudacentral.org",
            "psbl.surriel.com",
        };

        /// <summary>
        /// Domain blocklists (RHSBL / URI DNSBL) asked about the domains a header report names with
        /// -Enrich: Spamhaus DBL, SURBL and URIBL, the three lists mail filters consult for domains.
        /// </summary>
        public static IReadOnlyList<string> DefaultDomainZones { get; } = new[]
        {
            "dbl.spamhaus.org",
            "multi.surbl.org",
            "multi.uribl.com",
        };

        // Lists whose operators publish IPv4 data only: an IPv6 query there answers NXDOMAIN for
        // every address, which would read as "not listed". They are skipped for IPv6.
        private static readonly HashSet<string> s_ipv4Only = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "bl.spamcop.net", "b.barracudacentral.org", "psbl.surriel.com",
        };

        /// <summary>The zone publishes IPv6 data (all but the known IPv4-only lists of the default set).</summary>
        public static bool SupportsIPv6(string zone) => !s_ipv4Only.Contains(zone);

        /// <summary>
        /// The name to query: the address reversed (octets for IPv4, RFC 5782 §2.1; nibbles for IPv6,
        /// §2.4) under the zone.
        /// </summary>
        /// <exception cref="ArgumentNullException">An argument is null.</exception>
        public static string QueryName(IPAddress ip, string zone)
        {
            if (ip is null)
            {
                throw new ArgumentNullException(nameof(ip));
            }

            if (zone is null)
            {
                throw new ArgumentNullException(nameof(zone));
            }

            string reverse = IpIntelligenceResolver.ReverseName(ip);
            string suffix = ip.AddressFamily == AddressFamily.InterNetworkV6 ? ".ip6.arpa" : ".in-addr.arpa";
            return reverse.Substring(0, reverse.Length - suffix.Length) + "." + zone.TrimEnd('.');
        }

        internal static bool IsSpamhaus(string zone) =>
            zone.EndsWith("spamhaus.org", StringComparison.OrdinalIgnoreCase) || zone.EndsWith("spamhaus.net", StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// For an answer that is not a listing: why the list refused to answer; null for a listing.
        /// Spamhaus answers 127.255.255.252/254/255 when it will not answer (its "return codes" page);
        /// an address outside 127.0.0.0/8 is no DNSxL answer at all (RFC 5782 §2.1) and usually
        /// means a resolver that rewrites NXDOMAIN.
        /// </summary>
        public static string? RefusalReason(string zone, IPAddress code)
        {
            if (zone is null)
            {
                throw new ArgumentNullException(nameof(zone));
            }

            if (code is null)
            {
                throw new ArgumentNullException(nameof(code));
            }

            byte[] b = code.GetAddressBytes();
            if (code.AddressFamily != AddressFamily.InterNetwork || b[0] != 127)
            {
                return $"{zone} answered {code}, which is outside 127.0.0.0/8 and so no blocklist answer (RFC 5782 §2.1); the resolver may be rewriting NXDOMAIN. Use a resolver that does not.";
            }

            if (IsSpamhaus(zone) && b[1] == 255 && b[2] == 255)
            {
                const string Advice = "Query Spamhaus from a private resolver of your own, not a public one (8.8.8.8, 1.1.1.1, ...), or use a Spamhaus Data Query Service (DQS) key zone (<key>.zen.dq.spamhaus.net) with -Blocklist.";
                switch (b[3])
                {
                    case 252:
                        return $"{zone} answered 127.255.255.252: the query was refused as a typing error in the DNSBL name. Check the zone name.";
                    case 254:
                        return $"{zone} answered 127.255.255.254: the query was refused because it came through a public or open resolver. {Advice}";
                    case 255:
                        return $"{zone} answered 127.255.255.255: the query was refused because the resolver sent an excessive number of queries. {Advice}";
                }
            }

            return null;
        }

        /// <summary>For a domain-list answer that is not a listing: why the list refused; null for a listing.</summary>
        public static string? DomainRefusalReason(string zone, IPAddress code)
        {
            string? common = RefusalReason(zone, code);
            if (common != null)
            {
                return common;
            }

            byte[] b = code.GetAddressBytes();
            if (IsSpamhaus(zone) && b[1] == 0 && b[2] == 1 && b[3] == 255)
            {
                // https://www.spamhaus.org/faqs/domain-blocklist/: 127.0.1.255 "IP queries prohibited".
                return $"{zone} answered 127.0.1.255: the DBL does not take IP addresses as queries.";
            }

            if (b[1] == 0 && b[2] == 0 && b[3] == 1
                && (zone.EndsWith("surbl.org", StringComparison.OrdinalIgnoreCase) || zone.EndsWith("uribl.com", StringComparison.OrdinalIgnoreCase)))
            {
                // SURBL and URIBL answer 127.0.0.1 when they refuse the resolver (public resolver, over the free limit).
                return $"{zone} answered 127.0.0.1: the query was refused (a public resolver, or over the free query limit). Query from a private resolver of your own, or use the list's data feed.";
            }

            return null;
        }

        /// <summary>What a domain-list return code means, as the list's operator documents it.</summary>
        public static string DomainMeaning(string zone, IPAddress code)
        {
            if (zone is null)
            {
                throw new ArgumentNullException(nameof(zone));
            }

            if (code is null)
            {
                throw new ArgumentNullException(nameof(code));
            }

            byte[] b = code.GetAddressBytes();
            if (IsSpamhaus(zone) && b[0] == 127 && b[1] == 0 && b[2] == 1)
            {
                // https://www.spamhaus.org/faqs/domain-blocklist/ return codes.
                switch (b[3])
                {
                    case 2: return "DBL: spam domain";
                    case 4: return "DBL: phish domain";
                    case 5: return "DBL: malware domain";
                    case 6: return "DBL: botnet C&C domain";
                    case 102: return "DBL: abused legit spam";
                    case 103: return "DBL: abused spammed redirector domain";
                    case 104: return "DBL: abused legit phish";
                    case 105: return "DBL: abused legit malware";
                    case 106: return "DBL: abused legit botnet C&C";
                }
            }

            if (zone.EndsWith("surbl.org", StringComparison.OrdinalIgnoreCase) && b[0] == 127 && b[1] == 0 && b[2] == 0)
            {
                // SURBL multi: a bitmask of lists (8 PH, 16 MW, 64 ABUSE, 128 CR).
                var lists = new List<string>();
                if ((b[3] & 8) != 0) lists.Add("PH phishing");
                if ((b[3] & 16) != 0) lists.Add("MW malware");
                if ((b[3] & 64) != 0) lists.Add("ABUSE spam");
                if ((b[3] & 128) != 0) lists.Add("CR cracked site");
                if (lists.Count > 0)
                {
                    return "SURBL: " + string.Join(", ", lists);
                }
            }

            if (zone.EndsWith("uribl.com", StringComparison.OrdinalIgnoreCase) && b[0] == 127 && b[1] == 0 && b[2] == 0)
            {
                // URIBL multi: a bitmask (2 black, 4 grey, 8 red).
                var lists = new List<string>();
                if ((b[3] & 2) != 0) lists.Add("black: spam domain");
                if ((b[3] & 4) != 0) lists.Add("grey: bulk sender");
                if ((b[3] & 8) != 0) lists.Add("red: seen in spam recently");
                if (lists.Count > 0)
                {
                    return "URIBL " + string.Join(", ", lists);
                }
            }

            return "listed (" + code + ")";
        }

        /// <summary>What a return code means on this list, as its operator documents it.</summary>
        public static string Meaning(string zone, IPAddress code)
        {
            if (zone is null)
            {
                throw new ArgumentNullException(nameof(zone));
            }

            if (code is null)
            {
                throw new ArgumentNullException(nameof(code));
            }

            byte[] b = code.GetAddressBytes();
            string text = code.ToString();
            if (IsSpamhaus(zone) && b.Length == 4 && b[0] == 127 && b[1] == 0 && b[2] == 0)
            {
                // https://www.spamhaus.org/faqs/dnsbl-usage/#200 (ZEN return codes).
                switch (b[3])
                {
                    case 2:
                        return "SBL: Spamhaus Block List, a verified spam source or spam service";
                    case 3:
                        return "SBL CSS: Spamhaus Combined Spam Sources, low-reputation (snowshoe) sending";
                    case 4:
                    case 5:
                    case 6:
                    case 7:
                        return "XBL: Exploits Block List (CBL), a host infected or hijacked by malware, a botnet or an open proxy";
                    case 9:
                        return "DROP: Don't Route Or Peer, a netblock hijacked or leased by spammers";
                    case 10:
                        return "PBL: Policy Block List (ISP maintained), an end-user range that should not send mail directly to MX hosts";
                    case 11:
                        return "PBL: Policy Block List (Spamhaus maintained), an end-user range that should not send mail directly to MX hosts";
                }
            }

            if (b.Length == 4 && b[0] == 127 && b[1] == 0 && b[2] == 0 && b[3] == 2)
            {
                if (zone.Equals("bl.spamcop.net", StringComparison.OrdinalIgnoreCase))
                {
                    return "SpamCop: reported as a spam source by SpamCop users and spam traps (listings expire after 24 hours without reports)";
                }

                if (zone.Equals("b.barracudacentral.org", StringComparison.OrdinalIgnoreCase))
                {
                    return "Barracuda Reputation Block List: poor sending reputation";
                }

                if (zone.Equals("psbl.surriel.com", StringComparison.OrdinalIgnoreCase))
                {
                    return "PSBL: Passive Spam Block List, sent mail to spam traps";
                }
            }

            return "listed (" + text + ")";
        }
    }

    /// <summary>The blocklist answers for one address.</summary>
    internal sealed class DnsBlocklistOutcome
    {
        public List<DnsBlocklistListing> Listings { get; } = new List<DnsBlocklistListing>();

        public List<string> Errors { get; } = new List<string>();

        public List<string> Checked { get; } = new List<string>();
    }

    /// <summary>Asks each zone about one address, all at once. Thread-safe.</summary>
    internal sealed class DnsBlocklistChecker
    {
        private readonly IDnsResolver _dns;

        public DnsBlocklistChecker(IDnsResolver dns)
        {
            _dns = dns ?? throw new ArgumentNullException(nameof(dns));
        }

        public async Task<DnsBlocklistOutcome> CheckAsync(IPAddress ip, IReadOnlyList<string> zones, CancellationToken cancellationToken)
        {
            var outcome = new DnsBlocklistOutcome();
            string[] asked = zones.Where(z => ip.AddressFamily == AddressFamily.InterNetwork || DnsBlocklists.SupportsIPv6(z)).ToArray();
            var answers = await Task.WhenAll(asked.Select(zone => CheckZoneAsync(ip, zone, cancellationToken))).ConfigureAwait(false);
            for (int i = 0; i < asked.Length; i++)
            {
                outcome.Checked.Add(asked[i]);
                outcome.Listings.AddRange(answers[i].Listings);
                outcome.Errors.AddRange(answers[i].Errors);
            }

            return outcome;
        }

        /// <summary>Asks each domain list about <paramref name="domain"/> (RFC 5782 §2.3: the name itself under the zone).</summary>
        public async Task<DnsBlocklistOutcome> CheckDomainAsync(string domain, IReadOnlyList<string> zones, CancellationToken cancellationToken)
        {
            var outcome = new DnsBlocklistOutcome();
            var answers = await Task.WhenAll(zones.Select(zone => CheckNameAsync(domain + "." + zone, zone, true, cancellationToken))).ConfigureAwait(false);
            for (int i = 0; i < zones.Count; i++)
            {
                outcome.Checked.Add(zones[i]);
                outcome.Listings.AddRange(answers[i].Listings);
                outcome.Errors.AddRange(answers[i].Errors);
            }

            return outcome;
        }

        private Task<DnsBlocklistOutcome> CheckZoneAsync(IPAddress ip, string zone, CancellationToken cancellationToken) =>
            CheckNameAsync(DnsBlocklists.QueryName(ip, zone), zone, false, cancellationToken);

        private async Task<DnsBlocklistOutcome> CheckNameAsync(string name, string zone, bool domainList, CancellationToken cancellationToken)
        {
            var outcome = new DnsBlocklistOutcome();
            DnsResponse response = await _dns.QueryAsync(name, DnsRecordType.A, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == DnsLookupStatus.Failed)
            {
                // RFC 5782 §2.1: only NXDOMAIN (or no A record) means "not listed"; a list that did not
                // answer says nothing either way.
                outcome.Errors.Add($"{zone}: A {name} failed ({response.Error ?? response.ResponseCode}); whether the address is listed is unknown.");
                return outcome;
            }

            if (response.StatusCode == DnsLookupStatus.NotFound)
            {
                return outcome;
            }

            var codes = response.Records.Where(r => r.AddressValue != null).Select(r => r.AddressValue!).Distinct().ToList();
            var listed = new List<IPAddress>();
            foreach (IPAddress code in codes)
            {
                string? refusal = domainList ? DnsBlocklists.DomainRefusalReason(zone, code) : DnsBlocklists.RefusalReason(zone, code);
                if (refusal != null)
                {
                    outcome.Errors.Add(refusal);
                }
                else
                {
                    listed.Add(code);
                }
            }

            if (listed.Count == 0)
            {
                return outcome;
            }

            // RFC 5782 §2.1: a listed entry may have a TXT record with the reason; worth one query per hit.
            DnsResponse txt = await _dns.QueryAsync(name, DnsRecordType.TXT, cancellationToken).ConfigureAwait(false);
            string? text = txt.StatusCode == DnsLookupStatus.Found ? txt.Texts.FirstOrDefault() : null;
            foreach (IPAddress code in listed.OrderBy(c => c.GetAddressBytes()[3]))
            {
                outcome.Listings.Add(new DnsBlocklistListing(zone, code.ToString(), domainList ? DnsBlocklists.DomainMeaning(zone, code) : DnsBlocklists.Meaning(zone, code), text));
            }

            return outcome;
        }
    }
}
