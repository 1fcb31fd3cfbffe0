using System;
using System.Threading.Tasks;
using MailAuth.Posture;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Posture
{
    public class MtaStsTests
    {
        private const string Host = "mta-sts.example.com";
        private const string Path = "/.well-known/mta-sts.txt";

        private static PostureTestDns Zone() => new PostureTestDns()
            .Txt("_mta-sts.example.com", "v=STSv1; id=20240101T000000")
            .Add("example.com", ZoneRecordType.MX, "10 mx1.example.com")
            .Add("example.com", ZoneRecordType.MX, "20 backup.mail.example.net");

        [Fact]
        public async Task PolicyIsFetchedOverHttpsAndMxHostsMatch()
        {
            using var dns = Zone();
            using var https = new LocalHttpsServer(Host);
            https.Serve(Host, Path, new HttpAnswer { Body = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: *.mail.example.net\r\nmax_age: 604800\r\n" });
            using var resolver = new MtaStsResolver(dns.Resolver(), new MtaStsOptions { HttpHandler = https.CreateHandler(trustOurCertificate: true) });

            MtaStsReport report = await resolver.ResolveAsync("example.com");

            Assert.Equal(PostureStatus.Found, report.StatusCode);
            Assert.True(report.IsRecordValid);
            Assert.Equal("20240101T000000", report.Id);
            Assert.Equal(MtaStsFetchStatus.Fetched, report.FetchStatusCode);
            Assert.Equal(MtaStsMode.Enforce, report.ModeCode);
            Assert.Equal(604800, report.MaxAge);
            Assert.Equal("mx1.example.com;*.mail.example.net", report.MxPatternText);
            Assert.Equal(new[] { "mx1.example.com", "backup.mail.example.net" }, report.MxHosts);
            Assert.True(report.MxMatch);
            Assert.True(report.Policy!.IsValid);
            Assert.Empty(report.Findings);
            Assert.Equal(1, https.RequestCount);
        }

        [Fact]
        public async Task UntrustedCertificateFailsTheFetchByDefault()
        {
            using var dns = Zone();
            using var https = new LocalHttpsServer(Host);
            https.Serve(Host, Path, new HttpAnswer { Body = "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 604800\n" });
            using var resolver = new MtaStsResolver(dns.Resolver(), new MtaStsOptions { HttpHandler = https.CreateHandler(trustOurCertificate: false) });

            MtaStsReport report = await resolver.ResolveAsync("example.com");

            Assert.Equal(PostureStatus.Found, report.StatusCode);
            Assert.Equal(MtaStsFetchStatus.Failed, report.FetchStatusCode);
            Assert.Null(report.Policy);
            Assert.Null(report.MxMatch);
            Assert.Contains("SSL", report.FetchError, StringComparison.OrdinalIgnoreCase);
            Assert.Contains(report.Findings, f => f.Id == PostureFindingIds.MtaStsPolicyFetchFailed && f.SeverityCode == FindingSeverity.Error);
        }

        [Fact]
        public async Task MxHostOutsideThePatternsIsAMismatch()
        {
            using var dns = Zone();
            using var https = new LocalHttpsServer(Host);
            // "*.example.net" covers one label only: backup.mail.example.net does not match (RFC 8461 §4.1).
            https.Serve(Host, Path, new HttpAnswer { Body = "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: *.example.net\nmax_age: 604800\n" });
            using var resolver = new MtaStsResolver(dns.Resolver(), new MtaStsOptions { HttpHandler = https.CreateHandler(true) });

            MtaStsReport report = await resolver.ResolveAsync("example.com");

            Assert.False(report.MxMatch);
            Assert.Equal("backup.mail.example.net", report.UnmatchedMxText);
            Assert.Contains(report.Findings, f => f.Id == PostureFindingIds.MtaStsMxMismatch && f.SeverityCode == FindingSeverity.Error);
        }

        [Theory]
        [InlineData(301, PostureFindingIds.MtaStsPolicyFetchFailed)]
        [InlineData(404, PostureFindingIds.MtaStsPolicyFetchFailed)]
        public async Task RedirectsAndErrorsAreNotPolicies(int status, string expectedId)
        {
            using var dns = Zone();
            using var https = new LocalHttpsServer(Host);
            https.Serve(Host, Path, new HttpAnswer { Status = status, Location = "https://elsewhere.example/policy", Body = "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 604800\n" });
            using var resolver = new MtaStsResolver(dns.Resolver(), new MtaStsOptions { HttpHandler = https.CreateHandler(true) });

            MtaStsReport report = await resolver.ResolveAsync("example.com");

            Assert.Equal(MtaStsFetchStatus.Failed, report.FetchStatusCode);
            Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), report.FetchError);
            Assert.Contains(report.Findings, f => f.Id == expectedId);
        }

        [Fact]
        public async Task OversizedPolicyAndWrongContentType()
        {
            using var dns = Zone();
            using var https = new LocalHttpsServer(Host);
            string policy = "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: *.mail.example.net\nmax_age: 604800\n";
            https.Serve(Host, Path, new HttpAnswer { ContentType = "text/html", Body = policy });
            using var small = new MtaStsResolver(dns.Resolver(), new MtaStsOptions { HttpHandler = https.CreateHandler(true), MaxPolicyBytes = 32 });
            using var normal = new MtaStsResolver(dns.Resolver(), new MtaStsOptions { HttpHandler = https.CreateHandler(true) });

            MtaStsReport capped = await small.ResolveAsync("example.com");
            Assert.Equal(MtaStsFetchStatus.Failed, capped.FetchStatusCode);
            Assert.Contains("larger than 32 bytes", capped.FetchError);

            MtaStsReport html = await normal.ResolveAsync("example.com");
            Assert.Equal(MtaStsFetchStatus.Fetched, html.FetchStatusCode);
            Assert.True(html.Policy!.IsValid);
            Assert.Contains(html.Findings, f => f.Id == PostureFindingIds.MtaStsPolicyMalformed && f.SeverityCode == FindingSeverity.Warning && f.Message.Contains("text/html", StringComparison.Ordinal));
        }

        [Fact]
        public async Task SlowServerHitsTheFetchTimeout()
        {
            using var dns = Zone();
            using var https = new LocalHttpsServer(Host);
            https.Serve(Host, Path, new HttpAnswer { Delay = TimeSpan.FromSeconds(5), Body = "version: STSv1\n" });
            using var resolver = new MtaStsResolver(dns.Resolver(), new MtaStsOptions { HttpHandler = https.CreateHandler(true), FetchTimeout = TimeSpan.FromMilliseconds(500) });

            var watch = System.Diagnostics.Stopwatch.StartNew();
            MtaStsReport report = await resolver.ResolveAsync("example.com");

            Assert.True(watch.ElapsedMilliseconds < 4000, $"took {watch.ElapsedMilliseconds} ms");
            Assert.Equal(MtaStsFetchStatus.Failed, report.FetchStatusCode);
            Assert.Contains("within", report.FetchError);
        }

        [Fact]
        public async Task FetchingCanBeTurnedOff()
        {
            using var dns = Zone();
            using var https = new LocalHttpsServer(Host);
            using var resolver = new MtaStsResolver(dns.Resolver(), new MtaStsOptions { FetchPolicy = false, HttpHandler = https.CreateHandler(true) });

            MtaStsReport report = await resolver.ResolveAsync("example.com");

            Assert.Equal(PostureStatus.Found, report.StatusCode);
            Assert.Equal(MtaStsFetchStatus.NotFetched, report.FetchStatusCode);
            Assert.Equal(0, https.RequestCount);
            Assert.DoesNotContain(dns.Queries, q => q.StartsWith("MX ", StringComparison.Ordinal));
            Assert.Contains(report.Findings, f => f.Id == PostureFindingIds.MtaStsNotFetched);
        }

        [Theory]
        [InlineData("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", PostureFindingIds.MtaStsMaxAgeInvalid)]
        [InlineData("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n", PostureFindingIds.MtaStsMaxAgeInvalid)]
        [InlineData("version: STSv1\nmode: enforce\nmx: a.example\n", PostureFindingIds.MtaStsMaxAgeInvalid)]
        [InlineData("version: STSv1\nmode: strict\nmx: a.example\nmax_age: 86400\n", PostureFindingIds.MtaStsPolicyMalformed)]
        [InlineData("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 86400\n", PostureFindingIds.MtaStsPolicyMalformed)]
        [InlineData("version: STSv1\nmode: enforce\nmax_age: 86400\n", PostureFindingIds.MtaStsPolicyNoMx)]
        [InlineData("version: STSv1\nmode: enforce\nmx: bad host\nmax_age: 86400\n", PostureFindingIds.MtaStsPolicyMalformed)]
        [InlineData("<html>not a policy</html>", PostureFindingIds.MtaStsPolicyMalformed)]
        public void InvalidPolicies(string body, string expectedId)
        {
            MtaStsPolicy policy = MtaStsPolicy.Parse(body);
            Assert.False(policy.IsValid);
            Assert.Contains(policy.Findings, f => f.Id == expectedId && f.SeverityCode == FindingSeverity.Error);
        }

        [Fact]
        public void ModesAndMaxAgeNotes()
        {
            MtaStsPolicy testing = MtaStsPolicy.Parse("version: STSv1\nmode: testing\nmx: a.example\nmax_age: 3600\n");
            Assert.True(testing.IsValid);
            Assert.Contains(testing.Findings, f => f.Id == PostureFindingIds.MtaStsModeTesting);
            Assert.Contains(testing.Findings, f => f.Id == PostureFindingIds.MtaStsMaxAgeShort);

            MtaStsPolicy none = MtaStsPolicy.Parse("version: STSv1\nmode: none\nmax_age: 31557600\n");
            Assert.True(none.IsValid); // mx may be absent in mode none
            Assert.Contains(none.Findings, f => f.Id == PostureFindingIds.MtaStsModeNone);
        }

        [Theory]
        [InlineData("mx.example.com", "MX.example.com.", true)]
        [InlineData("*.example.com", "mx.example.com", true)]
        [InlineData("*.example.com", "a.b.example.com", false)]
        [InlineData("*.example.com", "example.com", false)]
        [InlineData("mx.example.com", "mx2.example.com", false)]
        public void PatternMatching(string pattern, string host, bool expected)
        {
            Assert.Equal(expected, MtaStsPolicy.Matches(pattern, host));
        }

        [Theory]
        [InlineData("v=STSv1; id=", PostureFindingIds.MtaStsIdInvalid)]
        [InlineData("v=STSv1; id=abc-def", PostureFindingIds.MtaStsIdInvalid)]
        [InlineData("v=STSv1; id=123456789012345678901234567890123", PostureFindingIds.MtaStsIdInvalid)]
        [InlineData("v=STSv1", PostureFindingIds.MtaStsIdInvalid)]
        [InlineData("id=1; v=STSv1", PostureFindingIds.MtaStsRecordMalformed)]
        public void InvalidRecords(string text, string expectedId)
        {
            MtaStsRecord record = MtaStsRecord.Parse(text);
            Assert.False(record.IsValid);
            Assert.Contains(record.Findings, f => f.Id == expectedId);
        }

        [Fact]
        public async Task TxtFailureIsLookupFailedAndTwoRecordsAreFlagged()
        {
            using var dns = new PostureTestDns()
                .Fault("_mta-sts.a.example", DnsFault.ServFail)
                .Txt("_mta-sts.b.example", "v=STSv1; id=1")
                .Txt("_mta-sts.b.example", "v=STSv1; id=2");
            using var resolver = new MtaStsResolver(dns.Resolver(), new MtaStsOptions { FetchPolicy = false });

            MtaStsReport a = await resolver.ResolveAsync("a.example");
            Assert.Equal(PostureStatus.LookupFailed, a.StatusCode);
            Assert.Contains(a.Findings, f => f.Id == PostureFindingIds.MtaStsLookupFailed);

            MtaStsReport b = await resolver.ResolveAsync("b.example");
            Assert.False(b.IsRecordValid);
            Assert.Contains(b.Findings, f => f.Id == PostureFindingIds.MtaStsMultiple);
        }

        [Fact]
        public async Task ArgumentsAreChecked()
        {
            using var dns = new PostureTestDns();
            Assert.Throws<ArgumentNullException>(() => new MtaStsResolver(null!));
            Assert.Throws<ArgumentOutOfRangeException>(() => new MtaStsResolver(dns.Resolver(), new MtaStsOptions { FetchTimeout = TimeSpan.Zero }));
            Assert.Throws<ArgumentOutOfRangeException>(() => new MtaStsResolver(dns.Resolver(), new MtaStsOptions { MaxPolicyBytes = 0 }));
            Assert.False(MtaStsPolicy.Matches(null!, "mx.example.com"));
            Assert.Throws<ArgumentNullException>(() => MtaStsPolicy.Parse(null!));
            Assert.Throws<ArgumentNullException>(() => MtaStsRecord.Parse(null!));
            using var resolver = new MtaStsResolver(dns.Resolver());
            await Assert.ThrowsAsync<ArgumentException>(() => resolver.ResolveAsync("user@@example.com"));
        }
    }
}
