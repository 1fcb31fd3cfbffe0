using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using MailAuth.Core.Tests.Posture;
using MailAuth.Headers;
using MailAuth.IpIntelligence;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Intelligence
{
    /// <summary>Get-MailHeaderReport -Enrich over the bundled phishing sample and loopback blocklists.</summary>
    public class MailHeaderEnricherTests
    {
        // The bundled sample's edge client is 203.0.113.45, documentation space (RFC 5737) that no
        // list covers; the copy here gives it a public address on a VPS range instead.
        private static MailHeaderReport Phish()
        {
            string text = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "samples/phish-spf-pass-unaligned.txt"))
                .Replace("203.0.113.45", "185.234.219.12", StringComparison.Ordinal);
            return MailHeaderAnalyzer.AnalyzeText(text).Single();
        }

        [Fact]
        public async Task AnnotatesPublicHopsAndListsDomains()
        {
            MailHeaderReport report = Phish();
            Assert.Contains(report.Hops, h => h.FromIp == "185.234.219.12");
            using var dns = new PostureTestDns()
                .Txt("12.219.234.185.origin.asn.cymru.com", "204601 | 185.234.216.0/22 | NL | ripencc | 2018-04-09")
                .Txt("AS204601.asn.cymru.com", "204601 | NL | ripencc | 2017-02-20 | ZEN-ECN, NL")
                .Add("12.219.234.185.zen.spamhaus.org", ZoneRecordType.A, "127.0.0.2")
                // https://www.spamhaus.org/faqs/domain-blocklist/: 127.0.1.4 phish domain; SURBL 8 = PH.
                .Add("example.org.dbl.spamhaus.org", ZoneRecordType.A, "127.0.1.4")
                .Add("example.org.multi.surbl.org", ZoneRecordType.A, "127.0.0.8")
                // URIBL refuses the resolver: an error, not a listing.
                .Add("example.org.multi.uribl.com", ZoneRecordType.A, "127.0.0.1");
            await new MailHeaderEnricher(dns.Resolver(), new MailIpReportOptions { Blocklists = new[] { "zen.spamhaus.org" } }).EnrichAsync(report);

            MailHop hop = report.Hops.First(h => h.FromIp == "185.234.219.12");
            Assert.Equal("AS204601 ZEN-ECN, NL", hop.Owner);
            Assert.Equal("Listed", hop.IpStatus);
            Assert.Equal("zen.spamhaus.org=127.0.0.2", hop.Listings);
            // Private and documentation clients are not looked up.
            Assert.All(report.Hops.Where(h => h.FromIp != "185.234.219.12"), h => Assert.Null(h.IpStatus));

            Assert.Contains("example.org: dbl.spamhaus.org=127.0.1.4 (DBL: phish domain)", report.DomainListings);
            Assert.Contains("example.org: multi.surbl.org=127.0.0.8 (SURBL: PH phishing)", report.DomainListings);
            Assert.DoesNotContain(report.DomainListings, l => l.Contains("uribl", StringComparison.Ordinal));
            Assert.Contains(report.EnrichErrors, e => e.Contains("multi.uribl.com answered 127.0.0.1", StringComparison.Ordinal));
            Assert.Contains(report.Findings, f => f.Id == "HDR-IP-LISTED" && f.Subject == "185.234.219.12");
            Assert.Contains(report.Findings, f => f.Id == "HDR-DOMAIN-LISTED" && f.SeverityCode == FindingSeverity.Error);
            Assert.Equal(report.Findings.Count, report.FindingCount);
            Assert.StartsWith(report.Findings[0].Id, report.TopFinding);
        }

        [Fact]
        public async Task AFailingDomainListIsAnErrorNotClean()
        {
            MailHeaderReport report = Phish();
            int before = report.FindingCount;
            using var dns = new PostureTestDns().Fault("example.org.dbl.spamhaus.org", DnsFault.ServFail);
            await new MailHeaderEnricher(dns.Resolver(), new MailIpReportOptions { Blocklists = Array.Empty<string>() }, new[] { "dbl.spamhaus.org" }).EnrichAsync(report);
            Assert.Empty(report.DomainListings);
            Assert.Contains(report.EnrichErrors, e => e.StartsWith("example.org: dbl.spamhaus.org:", StringComparison.Ordinal));
            Assert.Equal(before, report.FindingCount);
        }

        [Theory]
        [InlineData("dbl.spamhaus.org", "127.0.1.2", "DBL: spam domain")]
        [InlineData("dbl.spamhaus.org", "127.0.1.5", "DBL: malware domain")]
        [InlineData("dbl.spamhaus.org", "127.0.1.6", "DBL: botnet C&C domain")]
        [InlineData("dbl.spamhaus.org", "127.0.1.102", "DBL: abused legit spam")]
        [InlineData("dbl.spamhaus.org", "127.0.1.103", "DBL: abused spammed redirector domain")]
        [InlineData("dbl.spamhaus.org", "127.0.1.104", "DBL: abused legit phish")]
        [InlineData("dbl.spamhaus.org", "127.0.1.105", "DBL: abused legit malware")]
        [InlineData("dbl.spamhaus.org", "127.0.1.106", "DBL: abused legit botnet C&C")]
        [InlineData("multi.surbl.org", "127.0.0.24", "SURBL: PH phishing, MW malware")]
        [InlineData("multi.surbl.org", "127.0.0.64", "SURBL: ABUSE spam")]
        [InlineData("multi.uribl.com", "127.0.0.2", "URIBL black: spam domain")]
        [InlineData("multi.uribl.com", "127.0.0.14", "URIBL black: spam domain, grey: bulk sender, red: seen in spam recently")]
        public void DomainReturnCodesReadAsDocumented(string zone, string code, string meaning)
        {
            Assert.Equal(meaning, DnsBlocklists.DomainMeaning(zone, System.Net.IPAddress.Parse(code)));
            Assert.Null(DnsBlocklists.DomainRefusalReason(zone, System.Net.IPAddress.Parse(code)));
        }

        [Fact]
        public async Task ChecksItsArguments()
        {
            Assert.Throws<ArgumentNullException>(() => new MailHeaderEnricher(null!));
            using var dns = new PostureTestDns();
            Assert.ThrowsAny<ArgumentException>(() => new MailHeaderEnricher(dns.Resolver(), null, new[] { "not a zone" }));
            await Assert.ThrowsAsync<ArgumentNullException>(() => new MailHeaderEnricher(dns.Resolver()).EnrichAsync(null!));
            Assert.Throws<ArgumentNullException>(() => DnsBlocklists.DomainMeaning(null!, System.Net.IPAddress.Loopback));
            Assert.Throws<ArgumentNullException>(() => DnsBlocklists.RefusalReason("zen.spamhaus.org", null!));
            Assert.Throws<ArgumentNullException>(() => MailIpReporter.IsGlobal(null!));
        }

        [Theory]
        [InlineData("dbl.spamhaus.org", "127.0.1.255")]
        [InlineData("dbl.spamhaus.org", "127.255.255.254")]
        [InlineData("multi.surbl.org", "127.0.0.1")]
        [InlineData("multi.uribl.com", "127.0.0.1")]
        public void DomainRefusalsAreErrors(string zone, string code)
        {
            Assert.NotNull(DnsBlocklists.DomainRefusalReason(zone, System.Net.IPAddress.Parse(code)));
        }
    }
}
