using System;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using MailAuth.Core.Tests.Posture;
using MailAuth.IpIntelligence;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Intelligence
{
    /// <summary>
    /// Get-MailIpReport's core over a loopback DNS world: PTR zones, Team Cymru TXT answers in the
    /// format https://team-cymru.com/community-services/ip-asn-mapping/ documents, and blocklist
    /// zones answering each return code Spamhaus documents (https://www.spamhaus.org/faqs/dnsbl-usage/).
    /// </summary>
    public class MailIpReportTests
    {
        private const string Zen = "zen.spamhaus.org";

        // Names written out by hand from RFC 1035 §3.5 / RFC 3596 §2.5 / RFC 5782 §2.1, §2.4.
        private const string GooglePtr = "41.220.85.209.in-addr.arpa";
        private const string MicrosoftV6Nibbles = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.3.0.4.f.1.1.1.0.1.0.a.2";

        private static PostureTestDns World()
        {
            var dns = new PostureTestDns();
            // Google's outbound relay, forward-confirmed.
            dns.Add(GooglePtr, ZoneRecordType.PTR, "mail-sor-f41.google.com")
                .Add("mail-sor-f41.google.com", ZoneRecordType.A, "209.85.220.41")
                .Txt("41.220.85.209.origin.asn.cymru.com", "15169 | 209.85.128.0/17 | US | arin | 2005-09-12")
                .Txt("AS15169.asn.cymru.com", "15169 | US | arin | 2000-03-30 | GOOGLE - Google LLC, US");
            // Exchange Online over IPv6.
            dns.Add(MicrosoftV6Nibbles + ".ip6.arpa", ZoneRecordType.PTR, "mail-westeurope01on2001.outbound.protection.outlook.com")
                .Add("mail-westeurope01on2001.outbound.protection.outlook.com", ZoneRecordType.AAAA, "2a01:111:f403:c000::1")
                .Txt(MicrosoftV6Nibbles + ".origin6.asn.cymru.com", "8075 | 2a01:111:f400::/40 | US | arin | 2008-03-17")
                .Txt("AS8075.asn.cymru.com", "8075 | US | arin | 1997-02-14 | MICROSOFT-CORP-MSN-AS-BLOCK - Microsoft Corporation, US");
            // A cable customer: PTR without a matching A (no FCrDNS), listed in the PBL twice.
            dns.Add("201.45.12.86.in-addr.arpa", ZoneRecordType.PTR, "cpc95112-bagu17-2-0-cust456.1-3.cable.virginm.net")
                .Add("cpc95112-bagu17-2-0-cust456.1-3.cable.virginm.net", ZoneRecordType.A, "86.12.45.202")
                .Txt("201.45.12.86.origin.asn.cymru.com", "5089 | 86.0.0.0/11 | GB | ripencc | 2005-12-12")
                .Txt("AS5089.asn.cymru.com", "5089 | GB | ripencc | 1995-07-04 | NTL - Virgin Media Limited, GB")
                .Add("201.45.12.86." + Zen, ZoneRecordType.A, "127.0.0.11")
                .Add("201.45.12.86." + Zen, ZoneRecordType.A, "127.0.0.10");
            // A spam source on a VPS range: SBL and XBL on ZEN, listed by SpamCop with its TXT reason.
            dns.Txt("12.219.234.185.origin.asn.cymru.com", "204601 | 185.234.216.0/22 | NL | ripencc | 2018-04-09")
                .Txt("AS204601.asn.cymru.com", "204601 | NL | ripencc | 2017-02-20 | ZEN-ECN, NL")
                .Add("12.219.234.185." + Zen, ZoneRecordType.A, "127.0.0.2")
                .Add("12.219.234.185." + Zen, ZoneRecordType.A, "127.0.0.4")
                .Add("12.219.234.185.bl.spamcop.net", ZoneRecordType.A, "127.0.0.2")
                .Txt("12.219.234.185.bl.spamcop.net", "Blocked - see https://www.spamcop.net/bl.shtml?185.234.219.12");
            return dns;
        }

        [Fact]
        public async Task GoogleRelayIsForwardConfirmedWithItsAsnAndNotListed()
        {
            using var dns = World();
            MailIpReport r = await new MailIpReporter(dns.Resolver()).ReportAsync("209.85.220.41");
            Assert.Equal("209.85.220.41", r.IPAddress);
            Assert.Equal("mail-sor-f41.google.com", r.PtrName);
            Assert.True(r.ForwardConfirmed);
            Assert.Equal(15169, r.Asn);
            Assert.Equal("GOOGLE - Google LLC, US", r.AsName);
            Assert.Equal("209.85.128.0/17", r.Prefix);
            Assert.Equal("US", r.Country);
            Assert.Equal("arin", r.Registry);
            Assert.Empty(r.Listings);
            Assert.Equal(0, r.ListedCount);
            Assert.Equal("NotListed", r.Status);
            Assert.Empty(r.LookupErrors);
            Assert.Equal(DnsBlocklists.DefaultZones, r.CheckedBlocklists);
            Assert.Equal("Google", r.Service);
            // RFC 5782 §2.1: the reversed octets under each zone, as A queries.
            Assert.Contains("A 41.220.85.209.zen.spamhaus.org", dns.Queries);
            Assert.Contains("A 41.220.85.209.b.barracudacentral.org", dns.Queries);
        }

        [Fact]
        public async Task IPv6UsesNibblesForPtrAsnAndBlocklistsAndSkipsIPv4OnlyLists()
        {
            using var dns = World();
            MailIpReport r = await new MailIpReporter(dns.Resolver()).ReportAsync("2a01:111:f403:c000::1");
            Assert.Equal("mail-westeurope01on2001.outbound.protection.outlook.com", r.PtrName);
            Assert.True(r.ForwardConfirmed);
            Assert.Equal(8075, r.Asn);
            Assert.Equal("2a01:111:f400::/40", r.Prefix);
            Assert.Contains("PTR " + MicrosoftV6Nibbles + ".ip6.arpa", dns.Queries);
            Assert.Contains("TXT " + MicrosoftV6Nibbles + ".origin6.asn.cymru.com", dns.Queries);
            Assert.Contains("A " + MicrosoftV6Nibbles + "." + Zen, dns.Queries);
            Assert.Equal(new[] { Zen }, r.CheckedBlocklists);
            Assert.DoesNotContain(dns.Queries, q => q.EndsWith("bl.spamcop.net", StringComparison.Ordinal));
            Assert.Equal("NotListed", r.Status);
        }

        [Fact]
        public async Task ListingsCarryZoneCodeMeaningAndText()
        {
            using var dns = World();
            MailIpReport r = await new MailIpReporter(dns.Resolver()).ReportAsync("185.234.219.12");
            Assert.Equal("Listed", r.Status);
            Assert.Null(r.PtrName);
            Assert.Null(r.ForwardConfirmed);
            Assert.Equal(204601, r.Asn);
            Assert.Equal("NL", r.Country);
            Assert.Equal(2, r.ListedCount);
            Assert.Equal(3, r.Listings.Count);
            Assert.Equal("zen.spamhaus.org=127.0.0.2; zen.spamhaus.org=127.0.0.4; bl.spamcop.net=127.0.0.2", r.Listings.ToString());
            Assert.StartsWith("SBL:", r.Listings[0].Meaning);
            Assert.StartsWith("XBL:", r.Listings[1].Meaning);
            Assert.StartsWith("SpamCop", r.Listings[2].Meaning);
            Assert.Equal("Blocked - see https://www.spamcop.net/bl.shtml?185.234.219.12", r.Listings[2].Text);
        }

        [Fact]
        public async Task PtrWithoutMatchingAddressIsNotForwardConfirmed()
        {
            using var dns = World();
            MailIpReport r = await new MailIpReporter(dns.Resolver()).ReportAsync("86.12.45.201");
            Assert.Equal("cpc95112-bagu17-2-0-cust456.1-3.cable.virginm.net", r.PtrName);
            Assert.False(r.ForwardConfirmed);
            Assert.Equal("GB", r.Country);
            Assert.Equal("ripencc", r.Registry);
            Assert.Equal(new[] { "127.0.0.10", "127.0.0.11" }, r.Listings.Select(l => l.ReturnCode));
            Assert.All(r.Listings, l => Assert.StartsWith("PBL:", l.Meaning));
            Assert.Equal(1, r.ListedCount);
        }

        [Theory]
        // https://www.spamhaus.org/faqs/dnsbl-usage/ "return codes" for zen.spamhaus.org.
        [InlineData("127.0.0.2", "SBL:")]
        [InlineData("127.0.0.3", "SBL CSS:")]
        [InlineData("127.0.0.4", "XBL:")]
        [InlineData("127.0.0.5", "XBL:")]
        [InlineData("127.0.0.6", "XBL:")]
        [InlineData("127.0.0.7", "XBL:")]
        [InlineData("127.0.0.9", "DROP:")]
        [InlineData("127.0.0.10", "PBL:")]
        [InlineData("127.0.0.11", "PBL:")]
        public async Task EverySpamhausReturnCodeIsAListingWithItsMeaning(string code, string meaning)
        {
            using var dns = new PostureTestDns().Add("37.165.146.45." + Zen, ZoneRecordType.A, code);
            MailIpReport r = await new MailIpReporter(dns.Resolver(), new MailIpReportOptions { Blocklists = new[] { Zen } }).ReportAsync("45.146.165.37");
            DnsBlocklistListing listing = Assert.Single(r.Listings);
            Assert.Equal(Zen, listing.Zone);
            Assert.Equal(code, listing.ReturnCode);
            Assert.StartsWith(meaning, listing.Meaning);
            Assert.Equal("Listed", r.Status);
        }

        [Theory]
        [InlineData("127.255.255.252", "typing error")]
        [InlineData("127.255.255.254", "public or open resolver")]
        [InlineData("127.255.255.255", "excessive number of queries")]
        public async Task SpamhausRefusalsAreErrorsNeverListings(string code, string reason)
        {
            using var dns = new PostureTestDns().Add("37.165.146.45." + Zen, ZoneRecordType.A, code);
            MailIpReport r = await new MailIpReporter(dns.Resolver(), new MailIpReportOptions { Blocklists = new[] { Zen } }).ReportAsync("45.146.165.37");
            Assert.Empty(r.Listings);
            Assert.Equal(0, r.ListedCount);
            Assert.Equal("LookupFailed", r.Status);
            string error = Assert.Single(r.LookupErrors);
            Assert.Contains(reason, error);
            Assert.Contains(code, error);
            if (code != "127.255.255.252")
            {
                Assert.Contains("private resolver", error);
                Assert.Contains("Data Query Service (DQS) key", error);
            }
        }

        [Fact]
        public async Task RefusalOnDqsZoneIsRecognizedToo()
        {
            const string Dqs = "aip7yig6sahg6ehsohn5shco3z.zen.dq.spamhaus.net";
            using var dns = new PostureTestDns().Add("37.165.146.45." + Dqs, ZoneRecordType.A, "127.255.255.255");
            MailIpReport r = await new MailIpReporter(dns.Resolver(), new MailIpReportOptions { Blocklists = new[] { Dqs } }).ReportAsync("45.146.165.37");
            Assert.Equal("LookupFailed", r.Status);
            Assert.Empty(r.Listings);
        }

        [Fact]
        public async Task TimeoutAndServFailAreLookupErrorsNotNotListed()
        {
            using var dns = World()
                .Fault("41.220.85.209.bl.slow.example", DnsFault.Timeout)
                .Fault("41.220.85.209." + Zen, DnsFault.ServFail);
            MailIpReport r = await new MailIpReporter(dns.Resolver(), new MailIpReportOptions { Blocklists = new[] { Zen, "bl.slow.example", "bl.spamcop.net" } }).ReportAsync("209.85.220.41");
            Assert.Equal("LookupFailed", r.Status);
            Assert.Empty(r.Listings);
            Assert.Equal(2, r.LookupErrors.Count);
            Assert.Contains(r.LookupErrors, e => e.StartsWith("zen.spamhaus.org:", StringComparison.Ordinal) && e.Contains("unknown"));
            Assert.Contains(r.LookupErrors, e => e.StartsWith("bl.slow.example:", StringComparison.Ordinal) && e.Contains("failed"));
            // The PTR and ASN parts still answered.
            Assert.True(r.ForwardConfirmed);
            Assert.Equal(15169, r.Asn);
        }

        [Fact]
        public async Task ListedOnOneListAndFailedOnAnotherIsListedWithTheError()
        {
            using var dns = World().Fault("12.219.234.185.b.barracudacentral.org", DnsFault.Timeout);
            MailIpReport r = await new MailIpReporter(dns.Resolver()).ReportAsync("185.234.219.12");
            Assert.Equal("Listed", r.Status);
            Assert.Contains(r.LookupErrors, e => e.StartsWith("b.barracudacentral.org:", StringComparison.Ordinal));
        }

        [Fact]
        public async Task AnAnswerOutside127IsNoListing()
        {
            // A resolver that rewrites NXDOMAIN to an ad server's address.
            using var dns = new PostureTestDns().Add("37.165.146.45.bl.spamcop.net", ZoneRecordType.A, "198.105.254.11");
            MailIpReport r = await new MailIpReporter(dns.Resolver(), new MailIpReportOptions { Blocklists = new[] { "bl.spamcop.net" } }).ReportAsync("45.146.165.37");
            Assert.Empty(r.Listings);
            Assert.Equal("LookupFailed", r.Status);
            Assert.Contains("RFC 5782 §2.1", Assert.Single(r.LookupErrors));
        }

        [Fact]
        public async Task PtrAndAsnFailuresAreLookupErrors()
        {
            using var dns = World().Fault(GooglePtr, DnsFault.ServFail).Fault("41.220.85.209.origin.asn.cymru.com", DnsFault.ServFail);
            MailIpReport r = await new MailIpReporter(dns.Resolver(), new MailIpReportOptions { Blocklists = Array.Empty<string>() }).ReportAsync("209.85.220.41");
            Assert.Null(r.PtrName);
            Assert.Null(r.ForwardConfirmed);
            Assert.Null(r.Asn);
            Assert.Equal(2, r.LookupErrors.Count);
            Assert.Equal("NotChecked", r.Status);
            Assert.Empty(r.CheckedBlocklists);
        }

        [Theory]
        [InlineData("10.20.30.40")]
        [InlineData("192.168.1.10")]
        [InlineData("172.16.5.4")]
        [InlineData("100.64.0.1")]
        [InlineData("127.0.0.1")]
        [InlineData("169.254.10.10")]
        [InlineData("192.0.2.1")]
        [InlineData("::1")]
        [InlineData("fd12:3456::1")]
        [InlineData("fe80::1")]
        [InlineData("2001:db8::25")]
        public async Task SpecialPurposeAddressesAreNotPublicAndNotLookedUp(string ip)
        {
            using var dns = World();
            MailIpReport r = await new MailIpReporter(dns.Resolver()).ReportAsync(ip);
            Assert.Equal("NotPublic", r.Status);
            Assert.Empty(dns.Queries);
        }

        [Theory]
        [InlineData("[209.85.220.41]")]
        [InlineData(" 209.85.220.41 ")]
        public async Task TakesAddressLiteralsAndSpaces(string text)
        {
            using var dns = World();
            MailIpReport r = await new MailIpReporter(dns.Resolver()).ReportAsync(text);
            Assert.Equal("209.85.220.41", r.IPAddress);
        }

        [Fact]
        public async Task MappedIPv4IsReportedAsIPv4()
        {
            using var dns = World();
            MailIpReport r = await new MailIpReporter(dns.Resolver()).ReportAsync("::ffff:209.85.220.41");
            Assert.Equal("209.85.220.41", r.IPAddress);
            Assert.Equal(15169, r.Asn);
        }

        [Theory]
        [InlineData("")]
        [InlineData("not-an-ip")]
        [InlineData("209.85.220")]
        [InlineData("300.1.1.1")]
        // inet_aton shorthand and a leading zero (octal to inet_aton, decimal to RFC 5321): refused, not guessed.
        [InlineData("127.1")]
        [InlineData("010.0.0.1")]
        public async Task RefusesTextThatIsNoAddress(string text)
        {
            using var dns = World();
            await Assert.ThrowsAnyAsync<ArgumentException>(() => new MailIpReporter(dns.Resolver()).ReportAsync(text));
        }

        [Fact]
        public void ChecksItsArguments()
        {
            Assert.Throws<ArgumentNullException>(() => new MailIpReporter(null!));
            using var dns = new PostureTestDns();
            Assert.ThrowsAny<ArgumentException>(() => new MailIpReporter(dns.Resolver(), new MailIpReportOptions { Blocklists = new[] { "not a zone" } }));
            Assert.Throws<ArgumentNullException>(() => DnsBlocklists.QueryName(null!, Zen));
            Assert.Throws<ArgumentNullException>(() => DnsBlocklists.Meaning(Zen, null!));
        }

        [Theory]
        [InlineData(21)]
        [InlineData(22)]
        public async Task RandomPublicAddressesAreQueriedReversedAndFound(int seed)
        {
            // Each random global address is listed at the name the test builds itself from RFC 5782
            // §2.1 (octets) and §2.4 (nibbles); the reporter must ask exactly that name.
            var random = new Random(seed);
            using var dns = new PostureTestDns();
            var addresses = new System.Collections.Generic.List<IPAddress>();
            while (addresses.Count < 40)
            {
                IPAddress ip;
                if (random.Next(2) == 0)
                {
                    var b = new byte[4];
                    random.NextBytes(b);
                    ip = new IPAddress(b);
                }
                else
                {
                    var b = new byte[16];
                    random.NextBytes(b);
                    b[0] = (byte)(0x20 | (b[0] & 0x1F));
                    ip = new IPAddress(b);
                }

                if (!MailIpReporter.IsGlobal(ip) || addresses.Contains(ip))
                {
                    continue;
                }

                addresses.Add(ip);
                dns.Add(HandReversed(ip) + "." + Zen, ZoneRecordType.A, "127.0.0.3");
            }

            var reporter = new MailIpReporter(dns.Resolver(), new MailIpReportOptions { Blocklists = new[] { Zen } });
            MailIpReport[] reports = await Task.WhenAll(addresses.Select(a => reporter.ReportAsync(a.ToString())));
            for (int i = 0; i < reports.Length; i++)
            {
                Assert.True(reports[i].Status == "Listed", $"seed {seed}: {addresses[i]} read {reports[i].Status}");
                Assert.Equal("127.0.0.3", Assert.Single(reports[i].Listings).ReturnCode);
            }
        }

        private static string HandReversed(IPAddress ip)
        {
            byte[] b = ip.GetAddressBytes();
            if (b.Length == 4)
            {
                return $"{b[3]}.{b[2]}.{b[1]}.{b[0]}";
            }

            string hex = string.Concat(b.Select(x => x.ToString("x2")));
            return string.Join(".", hex.Reverse());
        }
    }
}
