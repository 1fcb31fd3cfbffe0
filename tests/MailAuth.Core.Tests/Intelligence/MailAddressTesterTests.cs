using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using MailAuth.Addresses;
using MailAuth.Core.Tests.Posture;
using MailAuth.Posture;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Intelligence
{
    /// <summary>Test-MailAddress's core: routing by RFC 5321 §5.1 and RFC 7505 over loopback DNS, and the SMTP probe against aiosmtpd.</summary>
    public class MailAddressTesterTests
    {
        private static PostureTestDns World()
        {
            var dns = new PostureTestDns();
            // Microsoft 365 as tenants publish it.
            dns.Add("contoso.com", ZoneRecordType.MX, "0 contoso-com.mail.protection.outlook.com")
                .Add("contoso-com.mail.protection.outlook.com", ZoneRecordType.A, "52.101.68.10")
                .Txt("contoso.com", "v=spf1 include:spf.protection.outlook.com -all")
                .Txt("spf.protection.outlook.com", "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip6:2a01:111:f403::/49 -all")
                .Txt("_dmarc.contoso.com", "v=DMARC1; p=reject; rua=mailto:dmarc@contoso.com");
            // RFC 7505: a parked domain.
            dns.Add("parked.example", ZoneRecordType.MX, "0 .");
            // No MX, an A record: the implicit MX.
            dns.Add("legacy.example", ZoneRecordType.A, "198.51.100.25");
            // A domain whose MX query SERVFAILs.
            dns.Add("broken.example", ZoneRecordType.A, "198.51.100.26").Fault("broken.example", DnsFault.ServFail, ZoneRecordType.MX);
            // MX mistakes: a CNAME exchange, an IP address as exchange, an exchange with no address.
            dns.Add("alias.example", ZoneRecordType.MX, "10 mx.alias.example")
                .Add("mx.alias.example", ZoneRecordType.CNAME, "mail.hoster.example")
                .Add("mail.hoster.example", ZoneRecordType.A, "198.51.100.30");
            dns.Add("literal.example", ZoneRecordType.MX, "10 198.51.100.31");
            dns.Add("dangling.example", ZoneRecordType.MX, "10 mx.gone.example");
            // Exchanges on this machine, for the SMTP probe.
            dns.Add("probe.example", ZoneRecordType.MX, "10 mx1.probe.example")
                .Add("mx1.probe.example", ZoneRecordType.A, "127.0.0.1");
            return dns;
        }

        [Fact]
        public async Task MxFoundIsDeliverableWithTheExchangesAndPosture()
        {
            using var dns = World();
            MailAddressReport r = await new MailAddressTester(dns.Resolver()).TestAsync("Megan.Bowen@Contoso.com");
            Assert.True(r.SyntaxValid);
            Assert.Equal("Megan.Bowen", r.LocalPart);
            Assert.Equal("contoso.com", r.Domain);
            Assert.Equal("Found", r.MxStatus);
            Assert.Equal(new[] { "0 contoso-com.mail.protection.outlook.com" }, r.Exchanges);
            Assert.Equal("Yes", r.Deliverable);
            Assert.Contains("contoso-com.mail.protection.outlook.com", r.DeliverableReason);
            Assert.Equal("SPF OK -all; DMARC p=reject", r.Posture);
            Assert.Empty(r.Findings);
            Assert.Null(r.SmtpProbe);
        }

        [Fact]
        public async Task NullMxIsNotDeliverable()
        {
            using var dns = World();
            MailAddressReport r = await new MailAddressTester(dns.Resolver()).TestAsync("info@parked.example");
            Assert.Equal("NullMx", r.MxStatus);
            Assert.Equal("No", r.Deliverable);
            Assert.Contains("RFC 7505", r.DeliverableReason);
            Assert.Contains(r.Findings, f => f.Id == "MX-NULL");
        }

        [Fact]
        public async Task NoMxWithAnAddressIsTheImplicitMx()
        {
            using var dns = World();
            MailAddressReport r = await new MailAddressTester(dns.Resolver()).TestAsync("postmaster@legacy.example");
            Assert.Equal("ImplicitMx", r.MxStatus);
            Assert.Equal("Yes", r.Deliverable);
            Assert.Equal(new[] { "0 legacy.example" }, r.Exchanges);
            Assert.Contains(r.Findings, f => f.Id == "ADDR-IMPLICIT-MX");
            Assert.Equal("SPF NotFound; DMARC NotFound", r.Posture);
        }

        [Fact]
        public async Task NoMxAndNoAddressIsNotFound()
        {
            using var dns = World();
            MailAddressReport r = await new MailAddressTester(dns.Resolver()).TestAsync("someone@nowhere.example");
            Assert.Equal("NotFound", r.MxStatus);
            Assert.Equal("No", r.Deliverable);
            Assert.Contains("NXDOMAIN", r.DeliverableReason);
            Assert.Contains(r.Findings, f => f.Id == "ADDR-NO-ROUTE" && f.SeverityCode == FindingSeverity.Error);
        }

        [Fact]
        public async Task ServFailIsLookupFailedAndUnknownNeverNotFound()
        {
            using var dns = World();
            MailAddressReport r = await new MailAddressTester(dns.Resolver()).TestAsync("someone@broken.example");
            Assert.Equal("LookupFailed", r.MxStatus);
            Assert.Equal("Unknown", r.Deliverable);
            Assert.Contains(r.Findings, f => f.Id == "MX-LOOKUP-FAILED");
        }

        [Fact]
        public async Task MxMistakesAreFindings()
        {
            using var dns = World();
            var tester = new MailAddressTester(dns.Resolver());
            MailAddressReport alias = await tester.TestAsync("a@alias.example");
            Assert.Equal("Yes", alias.Deliverable);
            Assert.Contains(alias.Findings, f => f.Id == "MX-CNAME");

            MailAddressReport literal = await tester.TestAsync("a@literal.example");
            Assert.Equal("No", literal.Deliverable);
            Assert.Contains(literal.Findings, f => f.Id == "MX-IP-LITERAL");

            MailAddressReport dangling = await tester.TestAsync("a@dangling.example");
            Assert.Equal("Found", dangling.MxStatus);
            Assert.Equal("No", dangling.Deliverable);
            Assert.Contains(dangling.Findings, f => f.Id == "MX-HOST-NOT-RESOLVING");
        }

        [Fact]
        public async Task BadSyntaxIsAResultNamingTheRuleWithoutDns()
        {
            using var dns = World();
            MailAddressReport r = await new MailAddressTester(dns.Resolver()).TestAsync("megan..bowen@contoso.com");
            Assert.False(r.SyntaxValid);
            Assert.Equal("LocalPartDot", r.SyntaxRule);
            Assert.Contains("RFC 5321 §4.1.2", r.SyntaxError);
            Assert.Equal("No", r.Deliverable);
            Assert.Null(r.MxStatus);
            Assert.Equal("ADDR-SYNTAX-INVALID", Assert.Single(r.Findings).Id);
            Assert.Empty(dns.Queries);
        }

        [Fact]
        public async Task EmptyInputThrowsAndNullIsChecked()
        {
            using var dns = World();
            var tester = new MailAddressTester(dns.Resolver());
            await Assert.ThrowsAsync<ArgumentException>(() => tester.TestAsync("  "));
            await Assert.ThrowsAsync<ArgumentException>(() => tester.TestAsync(null!));
            Assert.Throws<ArgumentNullException>(() => new MailAddressTester(null!));
        }

        [Fact]
        public async Task UnicodeDomainIsLookedUpAsALabels()
        {
            using var dns = World();
            dns.Add("xn--bcher-kva.example", ZoneRecordType.MX, "10 mx.xn--bcher-kva.example").Add("mx.xn--bcher-kva.example", ZoneRecordType.A, "198.51.100.40");
            MailAddressReport r = await new MailAddressTester(dns.Resolver()).TestAsync("josé@bücher.example");
            Assert.Equal("xn--bcher-kva.example", r.Domain);
            Assert.Equal("Found", r.MxStatus);
            Assert.True(r.RequiresSmtpUtf8);
            Assert.Contains(r.Findings, f => f.Id == "ADDR-SMTPUTF8-REQUIRED");
        }

        [Fact]
        public async Task ADomainIsLookedUpOnceForManyAddresses()
        {
            using var dns = World();
            var tester = new MailAddressTester(dns.Resolver(), new MailAddressTestOptions { IncludePosture = false });
            MailAddressReport[] reports = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => tester.TestAsync($"user{i}@contoso.com")));
            Assert.All(reports, r => Assert.Equal("Yes", r.Deliverable));
            Assert.Equal(1, dns.Queries.Count(q => q == "MX contoso.com"));
            Assert.Equal(1, tester.CachedDomainCount);
        }

        private static SmtpProbeOptions Probe(int port) => new SmtpProbeOptions { Port = port, TotalTimeout = TimeSpan.FromSeconds(10), ConnectTimeout = TimeSpan.FromSeconds(3) };

        [Theory]
        [InlineData("megan@probe.example", "Accepted", 250, "Yes")]
        [InlineData("nobody@probe.example", "Rejected", 550, "No")]
        [InlineData("greylisted@probe.example", "TemporaryFailure", 450, "Unknown")]
        public async Task SmtpProbeReadsRcptReplies(string address, string outcome, int code, string deliverable)
        {
            using var smtp = new AiosmtpdServer();
            using var dns = World();
            MailAddressReport r = await new MailAddressTester(dns.Resolver(), new MailAddressTestOptions { Smtp = Probe(smtp.Port) }).TestAsync(address);
            SmtpProbeResult probe = r.SmtpProbe!;
            Assert.Equal(outcome, probe.Outcome);
            Assert.Equal(code, probe.RcptCode);
            Assert.Equal(deliverable, r.Deliverable);
            Assert.Equal("mx1.probe.example", probe.Host);
            Assert.Equal("127.0.0.1", probe.Address);
            Assert.False(probe.StartTlsOffered);
            Assert.True(probe.SmtpUtf8Offered);
            Assert.Contains(r.Findings, f => f.Id == "ADDR-STARTTLS-NOT-OFFERED");
            // EHLO, MAIL FROM:<>, RCPT TO, QUIT, and never DATA.
            string[] sent = probe.Transcript.Where(l => l.StartsWith("C: ", StringComparison.Ordinal)).Select(l => l.Substring(3)).ToArray();
            Assert.Equal(new[] { "EHLO [127.0.0.1]", "MAIL FROM:<>", "RCPT TO:<" + address + ">", "QUIT" }, sent);
            Assert.DoesNotContain("DATA", smtp.Stderr);
            Assert.StartsWith("SMTP " + code, r.DeliverableReason);
            if (code == 250)
            {
                Assert.Contains("catch-all", probe.Meaning);
            }
        }

        [Fact]
        public async Task SmtpProbeSeesStartTls()
        {
            using var smtp = new AiosmtpdServer(startTls: true);
            using var dns = World();
            MailAddressReport r = await new MailAddressTester(dns.Resolver(), new MailAddressTestOptions { Smtp = Probe(smtp.Port) }).TestAsync("alex@probe.example");
            Assert.True(r.SmtpProbe!.StartTlsOffered);
            Assert.DoesNotContain(r.Findings, f => f.Id == "ADDR-STARTTLS-NOT-OFFERED");
            Assert.Equal("Accepted", r.SmtpProbe.Outcome);
        }

        [Fact]
        public async Task SmtpProbeWithNothingListeningIsUnreachable()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            using var dns = World();
            MailAddressReport r = await new MailAddressTester(dns.Resolver(), new MailAddressTestOptions { Smtp = Probe(port) }).TestAsync("megan@probe.example");
            Assert.Equal("Unreachable", r.SmtpProbe!.Outcome);
            Assert.Equal("Unknown", r.Deliverable);
            Assert.Null(r.SmtpProbe.RcptCode);
        }

        [Fact]
        public async Task SmtpProbeOfASilentServerEndsWithinItsBudget()
        {
            // A server that accepts the connection and never greets.
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            try
            {
                int port = ((IPEndPoint)listener.LocalEndpoint).Port;
                Task<TcpClient> accepted = listener.AcceptTcpClientAsync();
                using var dns = World();
                var options = new SmtpProbeOptions { Port = port, TotalTimeout = TimeSpan.FromSeconds(2), ConnectTimeout = TimeSpan.FromSeconds(1) };
                var clock = Stopwatch.StartNew();
                MailAddressReport r = await new MailAddressTester(dns.Resolver(), new MailAddressTestOptions { Smtp = options, IncludePosture = false }).TestAsync("megan@probe.example");
                clock.Stop();
                Assert.Equal("Unreachable", r.SmtpProbe!.Outcome);
                Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 6);
                (await accepted).Dispose();
            }
            finally
            {
                listener.Stop();
            }
        }
    }
}
