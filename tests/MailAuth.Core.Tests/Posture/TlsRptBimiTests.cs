using System;
using System.Threading.Tasks;
using MailAuth.Names;
using MailAuth.Posture;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Posture
{
    public class TlsRptTests
    {
        [Fact]
        public async Task ValidRecordWithBothSchemes()
        {
            using var dns = new PostureTestDns()
                .Txt("_smtp._tls.example.com", "v=TLSRPTv1; rua=mailto:tls@example.com,https://reports.example.com/tlsrpt")
                .Txt("_smtp._tls.example.com", "unrelated verification text");
            TlsRptReport report = await new TlsRptResolver(dns.Resolver()).ResolveAsync("example.com");

            Assert.Equal(PostureStatus.Found, report.StatusCode);
            Assert.True(report.IsValid);
            Assert.Equal(1, report.RecordCount);
            Assert.Equal("mailto:tls@example.com;https://reports.example.com/tlsrpt", report.ReportUriText);
            Assert.Empty(report.Findings);
        }

        [Theory]
        [InlineData("v=TLSRPTv1;", "TLSRPT-RUA-MISSING")]
        [InlineData("v=TLSRPTv1; rua=http://reports.example.com/x", "TLSRPT-RUA-INVALID")]
        [InlineData("v=TLSRPTv1; rua=mailto:nobody", "TLSRPT-RUA-INVALID")]
        [InlineData("v=TLSRPTv1; rua", "TLSRPT-MALFORMED")]
        public void InvalidRecords(string text, string expectedId)
        {
            TlsRptRecord record = TlsRptRecord.Parse(text);
            Assert.False(record.IsValid);
            Assert.Contains(record.Findings, f => f.Id == expectedId && f.SeverityCode == FindingSeverity.Error);
        }

        [Fact]
        public void OneBadUriBesideAGoodOneKeepsTheRecordUsable()
        {
            TlsRptRecord record = TlsRptRecord.Parse("v=TLSRPTv1; rua=ftp://x.example/, mailto:tls@example.com");
            Assert.True(record.IsValid);
            Assert.Contains(record.Findings, f => f.Id == "TLSRPT-RUA-INVALID");
        }

        [Fact]
        public async Task WrongVersionCaseIsNotARecordAndTwoRecordsAreNone()
        {
            using var dns = new PostureTestDns()
                .Txt("_smtp._tls.a.example", "v=tlsrptv1; rua=mailto:x@a.example")  // %s"v=TLSRPTv1": case-sensitive
                .Txt("_smtp._tls.b.example", "v=TLSRPTv1; rua=mailto:x@b.example")
                .Txt("_smtp._tls.b.example", "v=TLSRPTv1; rua=mailto:y@b.example");
            var resolver = new TlsRptResolver(dns.Resolver());

            TlsRptReport a = await resolver.ResolveAsync("a.example");
            Assert.Equal(PostureStatus.NotFound, a.StatusCode);
            Assert.Contains(a.Findings, f => f.Id == "TLSRPT-NOT-FOUND");

            TlsRptReport b = await resolver.ResolveAsync("b.example");
            Assert.Equal(2, b.RecordCount);
            Assert.False(b.IsValid);
            Assert.Contains(b.Findings, f => f.Id == "TLSRPT-MULTIPLE");
        }

        [Fact]
        public async Task FailureIsLookupFailed()
        {
            using var dns = new PostureTestDns().Fault("_smtp._tls.example.com", DnsFault.ServFail);
            TlsRptReport report = await new TlsRptResolver(dns.Resolver()).ResolveAsync("example.com");
            Assert.Equal(PostureStatus.LookupFailed, report.StatusCode);
            Assert.NotNull(report.ErrorMessage);
            Assert.DoesNotContain(report.Findings, f => f.Id == "TLSRPT-NOT-FOUND");
        }

        [Fact]
        public async Task ArgumentsAreChecked()
        {
            Assert.Throws<ArgumentNullException>(() => new TlsRptResolver(null!));
            Assert.Throws<ArgumentNullException>(() => TlsRptRecord.Parse(null!));
            using var dns = new PostureTestDns();
            // A URL is read as its host (docs/domain-names.md); a name with a space is refused.
            await Assert.ThrowsAsync<DomainNameException>(() => new TlsRptResolver(dns.Resolver()).ResolveAsync("a b.example"));
        }
    }

    public class BimiTests
    {
        private const string Good = "v=BIMI1; l=https://brand.example.com/logo.svg; a=https://brand.example.com/vmc.pem";

        [Fact]
        public async Task ValidRecordWithEnforcedDmarc()
        {
            using var dns = new PostureTestDns()
                .Txt("default._bimi.example.com", Good)
                .Txt("_dmarc.example.com", "v=DMARC1; p=reject");
            BimiReport report = await new BimiResolver(dns.Resolver()).ResolveAsync("example.com");

            Assert.Equal(PostureStatus.Found, report.StatusCode);
            Assert.True(report.IsValid);
            Assert.Equal("https://brand.example.com/logo.svg", report.Location);
            Assert.Equal("https://brand.example.com/vmc.pem", report.Authority);
            Assert.True(report.DmarcQualifies);
            Assert.Empty(report.Findings);
        }

        [Theory]
        [InlineData("v=DMARC1; p=none", "BIMI-DMARC-NOT-ENFORCED")]
        [InlineData("v=DMARC1; p=quarantine; pct=50", "BIMI-DMARC-PCT")]
        public async Task DmarcBelowEnforcementDisqualifies(string dmarc, string expectedId)
        {
            using var dns = new PostureTestDns()
                .Txt("default._bimi.example.com", Good)
                .Txt("_dmarc.example.com", dmarc);
            BimiReport report = await new BimiResolver(dns.Resolver()).ResolveAsync("example.com");

            Assert.True(report.IsValid);
            Assert.False(report.DmarcQualifies);
            Assert.Contains(report.Findings, f => f.Id == expectedId);
        }

        [Fact]
        public async Task SubdomainNeedsTheOrganizationalDomainEnforcedToo()
        {
            using var dns = new PostureTestDns()
                .Txt("default._bimi.news.example.com", Good)
                .Txt("_dmarc.news.example.com", "v=DMARC1; p=reject")
                .Txt("_dmarc.example.com", "v=DMARC1; p=none");
            BimiReport report = await new BimiResolver(dns.Resolver()).ResolveAsync("news.example.com");

            Assert.False(report.DmarcQualifies);
            Assert.Contains(report.Findings, f => f.Id == "BIMI-DMARC-NOT-ENFORCED" && f.Subject == "example.com");
        }

        [Fact]
        public async Task FallsBackToTheOrganizationalDomainAndHonoursSelector()
        {
            using var dns = new PostureTestDns()
                .Txt("brand._bimi.example.com", "v=BIMI1; l=https://brand.example.com/logo.svg")
                .Txt("_dmarc.example.com", "v=DMARC1; p=quarantine")
                .Add("shop.example.com", ZoneRecordType.A, "192.0.2.1");
            BimiReport report = await new BimiResolver(dns.Resolver()).ResolveAsync("shop.example.com", "brand");

            Assert.Equal(PostureStatus.Found, report.StatusCode);
            Assert.Equal("brand._bimi.example.com", report.QueryName);
            Assert.True(report.DmarcQualifies);
            Assert.Contains(report.Findings, f => f.Id == "BIMI-AUTHORITY-MISSING" && f.SeverityCode == FindingSeverity.Warning);
        }

        [Theory]
        [InlineData("v=BIMI1; l=http://brand.example.com/logo.svg", "BIMI-LOCATION-INVALID", false)]
        [InlineData("v=BIMI1; l=https://brand.example.com/logo.png; a=https://b.example/v.pem", "BIMI-LOCATION-INVALID", true)]
        [InlineData("v=BIMI1; l=https://b.example/l.svg; a=ftp://b.example/v.pem", "BIMI-AUTHORITY-INVALID", false)]
        [InlineData("v=BIMI1; l=; a=", "BIMI-DECLINED", true)]
        [InlineData("l=https://b.example/l.svg; v=BIMI1", "BIMI-MALFORMED", false)]
        public void RecordSyntax(string text, string expectedId, bool valid)
        {
            BimiRecord record = BimiRecord.Parse(text);
            Assert.Equal(valid, record.IsValid);
            Assert.Contains(record.Findings, f => f.Id == expectedId);
        }

        [Fact]
        public async Task FailuresAreLookupFailed()
        {
            using var dns = new PostureTestDns()
                .Fault("default._bimi.a.example", DnsFault.ServFail)
                .Txt("_dmarc.a.example", "v=DMARC1; p=reject")
                .Txt("default._bimi.b.example", Good)
                .Fault("_dmarc.b.example", DnsFault.ServFail);
            var resolver = new BimiResolver(dns.Resolver());

            BimiReport a = await resolver.ResolveAsync("a.example");
            Assert.Equal(PostureStatus.LookupFailed, a.StatusCode);

            BimiReport b = await resolver.ResolveAsync("b.example");
            Assert.Equal(PostureStatus.Found, b.StatusCode);
            Assert.Null(b.DmarcQualifies);
            Assert.Contains(b.Findings, f => f.Id == "BIMI-DMARC-LOOKUP-FAILED");
        }

        [Fact]
        public async Task ArgumentsAreChecked()
        {
            Assert.Throws<ArgumentNullException>(() => new BimiResolver(null!));
            Assert.Throws<ArgumentNullException>(() => BimiRecord.Parse(null!));
            using var dns = new PostureTestDns();
            await Assert.ThrowsAnyAsync<ArgumentException>(() => new BimiResolver(dns.Resolver()).ResolveAsync("example.com", "bad sel"));
        }
    }
}
