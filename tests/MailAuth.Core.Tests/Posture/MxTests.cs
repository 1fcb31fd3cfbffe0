using System;
using System.Linq;
using System.Threading.Tasks;
using MailAuth.Posture;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Posture
{
    public class MxTests
    {
        [Fact]
        public async Task HostsArePreferenceOrderedAndResolved()
        {
            using var dns = new PostureTestDns()
                .Add("example.com", ZoneRecordType.MX, "20 mx2.example.com")
                .Add("example.com", ZoneRecordType.MX, "10 mx1.example.com")
                .Add("mx1.example.com", ZoneRecordType.A, "192.0.2.10")
                .Add("mx1.example.com", ZoneRecordType.AAAA, "2001:db8::10")
                .Add("mx2.example.com", ZoneRecordType.AAAA, "2001:db8::20");
            MxReport report = await new MxResolver(dns.Resolver()).ResolveAsync("Example.COM.");

            Assert.Equal("example.com", report.Domain);
            Assert.Equal(PostureStatus.Found, report.StatusCode);
            Assert.Equal("10 mx1.example.com;20 mx2.example.com", report.HostText);
            Assert.Equal(2, report.ResolvingHostCount);
            Assert.Equal("192.0.2.10;2001:db8::10", report.Hosts[0].AddressText);
            Assert.Empty(report.Findings);
            Assert.False(report.IsNullMx);
        }

        [Fact]
        public async Task NullMxAlone()
        {
            using var dns = new PostureTestDns().Add("nomail.example", ZoneRecordType.MX, "0 .");
            MxReport report = await new MxResolver(dns.Resolver()).ResolveAsync("nomail.example");

            Assert.True(report.IsNullMx);
            Assert.Equal("MX-NULL", Assert.Single(report.Findings).Id);
            Assert.Equal(FindingSeverity.Information, report.Findings[0].SeverityCode);
        }

        [Fact]
        public async Task NullMxBesideOthersIsAnError()
        {
            using var dns = new PostureTestDns()
                .Add("mixed.example", ZoneRecordType.MX, "0 .")
                .Add("mixed.example", ZoneRecordType.MX, "10 mx.mixed.example")
                .Add("mx.mixed.example", ZoneRecordType.A, "192.0.2.1");
            MxReport report = await new MxResolver(dns.Resolver()).ResolveAsync("mixed.example");

            Assert.False(report.IsNullMx);
            Assert.Contains(report.Findings, f => f.Id == "MX-NULL-WITH-OTHERS" && f.SeverityCode == FindingSeverity.Error);
        }

        [Fact]
        public async Task CnameIpLiteralAndUnresolvableHosts()
        {
            using var dns = new PostureTestDns()
                .Add("example.com", ZoneRecordType.MX, "10 alias.example.com")
                .Add("example.com", ZoneRecordType.MX, "20 192.0.2.7")
                .Add("example.com", ZoneRecordType.MX, "30 gone.example.com")
                .Add("example.com", ZoneRecordType.MX, "40 empty.example.com")
                .Add("alias.example.com", ZoneRecordType.CNAME, "real.example.net")
                .Add("real.example.net", ZoneRecordType.A, "192.0.2.8")
                .Txt("empty.example.com", "no address here");
            MxReport report = await new MxResolver(dns.Resolver()).ResolveAsync("example.com");

            MxHost alias = report.Hosts[0];
            Assert.True(alias.IsCname);
            Assert.Equal(MxHostResolution.Resolves, alias.ResolutionCode);
            Assert.Contains(report.Findings, f => f.Id == "MX-CNAME" && f.Subject == "alias.example.com");

            Assert.True(report.Hosts[1].IsIpLiteral);
            Assert.Contains(report.Findings, f => f.Id == "MX-IP-LITERAL" && f.SeverityCode == FindingSeverity.Error);
            Assert.DoesNotContain(dns.Queries, q => q.EndsWith(" 192.0.2.7", StringComparison.Ordinal));

            Assert.Equal(MxHostResolution.DoesNotResolve, report.Hosts[2].ResolutionCode); // NXDOMAIN
            Assert.Equal(MxHostResolution.DoesNotResolve, report.Hosts[3].ResolutionCode); // NODATA
            Assert.Equal(2, report.Findings.Count(f => f.Id == "MX-HOST-NOT-RESOLVING"));
            Assert.DoesNotContain(report.Findings, f => f.Id == "MX-NO-HOST-RESOLVES");
        }

        [Theory]
        [InlineData(DnsFault.ServFail)]
        [InlineData(DnsFault.Timeout)]
        public async Task FailedHostLookupIsNeverDoesNotResolve(DnsFault fault)
        {
            using var dns = new PostureTestDns()
                .Add("example.com", ZoneRecordType.MX, "10 mx.example.com")
                .Fault("mx.example.com", fault);
            MxReport report = await new MxResolver(dns.Resolver()).ResolveAsync("example.com");

            Assert.Equal(PostureStatus.Found, report.StatusCode);
            Assert.Equal(MxHostResolution.LookupFailed, report.Hosts[0].ResolutionCode);
            Assert.NotNull(report.Hosts[0].ErrorMessage);
            Assert.Contains(report.Findings, f => f.Id == "MX-HOST-LOOKUP-FAILED");
            Assert.DoesNotContain(report.Findings, f => f.Id == "MX-HOST-NOT-RESOLVING" || f.Id == "MX-NO-HOST-RESOLVES");
        }

        [Fact]
        public async Task FailedMxLookupIsLookupFailed()
        {
            using var dns = new PostureTestDns().Fault("example.com", DnsFault.ServFail, ZoneRecordType.MX);
            MxReport report = await new MxResolver(dns.Resolver()).ResolveAsync("example.com");

            Assert.Equal(PostureStatus.LookupFailed, report.StatusCode);
            Assert.Contains("MX example.com", report.ErrorMessage);
            Assert.DoesNotContain(report.Findings, f => f.Id == "MX-NONE");
        }

        [Fact]
        public async Task NoMxAndNoHostResolving()
        {
            using var dns = new PostureTestDns()
                .Add("nomx.example", ZoneRecordType.A, "192.0.2.1")
                .Add("dead.example", ZoneRecordType.MX, "10 gone.dead.example");
            MxReport none = await new MxResolver(dns.Resolver()).ResolveAsync("nomx.example");
            Assert.Equal(PostureStatus.NotFound, none.StatusCode);
            Assert.Equal("MX-NONE", Assert.Single(none.Findings).Id);

            MxReport dead = await new MxResolver(dns.Resolver()).ResolveAsync("dead.example");
            Assert.Contains(dead.Findings, f => f.Id == "MX-NO-HOST-RESOLVES");
        }

        [Fact]
        public async Task ArgumentsAreChecked()
        {
            Assert.Throws<ArgumentNullException>(() => new MxResolver(null!));
            using var dns = new PostureTestDns();
            var resolver = new MxResolver(dns.Resolver());
            await Assert.ThrowsAsync<ArgumentNullException>(() => resolver.ResolveAsync(null!));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => resolver.ResolveAsync("a..b"));
        }
    }
}
