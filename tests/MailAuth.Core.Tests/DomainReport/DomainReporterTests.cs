using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Threading.Tasks;
using MailAuth.Core.Tests.Posture;
using MailAuth.DomainReport;
using MailAuth.Posture;
using MailAuth.Testing.Dns;
using MailAuth.Testing.Http;

namespace MailAuth.Core.Tests.DomainReport
{
    public class DomainReporterTests
    {
        private static string RsaKey(int bits)
        {
            using RSA rsa = RSA.Create(bits);
            return Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
        }

        /// <summary>A domain that does everything right.</summary>
        private static void AddGoodDomain(PostureTestDns dns, string domain, string key)
        {
            dns.Add(domain, ZoneRecordType.MX, "10 mx1." + domain)
                .Add("mx1." + domain, ZoneRecordType.A, "192.0.2.25")
                .Txt(domain, "v=spf1 mx -all")
                .Txt("_dmarc." + domain, "v=DMARC1; p=reject; rua=mailto:dmarc@" + domain)
                .Txt("selector1._domainkey." + domain, "v=DKIM1; k=rsa; p=" + key)
                .Txt("default._bimi." + domain, "v=BIMI1; l=https://brand." + domain + "/logo.svg; a=https://brand." + domain + "/vmc.pem")
                .Txt("_mta-sts." + domain, "v=STSv1; id=2024")
                .Txt("_smtp._tls." + domain, "v=TLSRPTv1; rua=mailto:tls@" + domain);
        }

        private static DomainReportOptions NoFetch(params string[] selectors) => new DomainReportOptions
        {
            DkimSelectors = selectors.Length == 0 ? null : selectors,
            MtaSts = new MtaStsOptions { FetchPolicy = false },
        };

        [Fact]
        public async Task GoodDomainGetsAnAWithEveryCheckFilledIn()
        {
            using var dns = new PostureTestDns();
            AddGoodDomain(dns, "example.com", RsaKey(2048));
            dns.Add("mta-sts.example.com", ZoneRecordType.A, "127.0.0.1");
            using var https = new LoopbackHttpsServer("mta-sts.example.com");
            https.Serve("mta-sts.example.com", "/.well-known/mta-sts.txt", new HttpAnswer { Body = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmax_age: 1209600\r\n" });
            var observed = new System.Collections.Concurrent.ConcurrentBag<string>();
            using var reporter = new DomainReporter(dns.Resolver(), new DomainReportOptions
            {
                MtaSts = new MtaStsOptions { PolicyPort = https.Port, ServerCertificateValidation = MtaStsOptions.TrustCertificate(https.Thumbprint) },
                TraceObserver = r => observed.Add(r.QueryTypeCode + " " + r.QueryName),
            });

            MailDomainReport report = await reporter.GetReportAsync("Example.com.");

            // Every check's queries are in the trace and reach the observer (-Verbose).
            foreach (string query in new[] { "MX example.com", "TXT example.com", "TXT _dmarc.example.com", "TXT selector1._domainkey.example.com",
                "TXT default._bimi.example.com", "TXT _mta-sts.example.com", "TXT _smtp._tls.example.com", "A mx1.example.com",
                "A mta-sts.example.com", "AAAA mta-sts.example.com" })
            {
                Assert.Contains(report.DnsEvidence, r => r.QueryTypeCode + " " + r.QueryName == query);
                Assert.Contains(query, observed);
            }

            Assert.Equal("example.com", report.Domain);
            Assert.Null(report.InputNote); // a trailing dot is the same name (RFC 1034 §3.1)
            Assert.NotEqual(DomainReportStatus.LookupFailed, report.StatusCode);
            Assert.Null(report.ErrorMessage);
            Assert.Equal(MailDomainGrade.A, report.GradeCode);
            Assert.Equal(100, report.Score);
            Assert.Equal("10 mx1.example.com", report.MxHosts);
            Assert.Equal("Found", report.SpfStatus);
            Assert.Equal("-", report.SpfAll);
            Assert.Equal(1, report.SpfLookups); // "mx": one DNS-querying term (RFC 7208 §4.6.4)
            Assert.Equal("Reject", report.DmarcPolicy);
            Assert.Equal("Reject", report.DmarcEffectivePolicy);
            Assert.True(report.DmarcRua);
            Assert.Equal("selector1", report.DkimSelectors);
            Assert.Equal(2048, report.DkimMinKeyBits);
            Assert.True(report.BimiValid);
            Assert.Equal("Enforce", report.MtaStsMode);
            Assert.True(report.MtaStsMxMatch);
            Assert.Equal("mailto:tls@example.com", report.TlsRptRua);
            Assert.Equal(0, report.ErrorCount);
            Assert.True(report.QueryCount > 10);
            Assert.Equal(report.Findings.OrderByDescending(f => f.SeverityCode).Select(f => f.Id), report.Findings.Select(f => f.Id));
        }

        [Fact]
        public async Task TheDnsTraceIsKeptOnlyWhenAskedForAndSubReportsNeverRepeatIt()
        {
            using var dns = new PostureTestDns();
            AddGoodDomain(dns, "example.com", RsaKey(2048));
            var observed = new System.Collections.Concurrent.ConcurrentBag<string>();
            DomainReportOptions options = NoFetch("selector1");
            options.TraceObserver = r => observed.Add(r.QueryName);
            using var reporter = new DomainReporter(dns.Resolver(), options);

            MailDomainReport report = await reporter.GetReportAsync("example.com");

            // QueryCount counts every query the observer saw.
            Assert.Equal(observed.Count, report.QueryCount);

            // The sub-reports leave their DNS responses to the report's DnsEvidence.
            Assert.Empty(report.Mx!.DnsEvidence);
            Assert.Empty(report.Spf!.DnsEvidence);
            Assert.Empty(report.Dmarc!.DnsEvidence);
            Assert.True(report.Dmarc.QueryCount > 0);
            Assert.Empty(report.Dkim!.DnsEvidence);
            Assert.Empty(report.Bimi!.DnsEvidence);
            Assert.Empty(report.MtaSts!.DnsEvidence);
            Assert.Empty(report.TlsRpt!.DnsEvidence);
            Assert.Null(report.MtaSts!.Response);
            Assert.Null(report.TlsRpt!.Response);

            Assert.Equal(report.QueryCount, report.DnsEvidence.Count);
            Assert.Contains(report.DnsEvidence, r => r.QueryName == "_dmarc.example.com" && r.Status == "Found");
            Assert.Empty(report.Spf!.DnsEvidence);
        }

        [Fact]
        public async Task WeakPostureGradesLowWithReasons()
        {
            using var dns = new PostureTestDns()
                .Add("weak.example", ZoneRecordType.MX, "10 mx.weak.example")
                .Add("mx.weak.example", ZoneRecordType.A, "192.0.2.1")
                .Txt("weak.example", "v=spf1 +all")
                .Txt("_dmarc.weak.example", "v=DMARC1; p=none")
                .Add("nodmarc.example", ZoneRecordType.MX, "10 mx.weak.example")
                .Txt("nodmarc.example", "v=spf1 mx -all")
                .Txt("s1._domainkey.nodmarc.example", "v=DKIM1; p=" + RsaKey(2048))
                .Add("monitor.example", ZoneRecordType.MX, "10 mx.weak.example")
                .Txt("monitor.example", "v=spf1 mx -all")
                .Txt("_dmarc.monitor.example", "v=DMARC1; p=none; rua=mailto:d@monitor.example")
                .Txt("s1._domainkey.monitor.example", "v=DKIM1; p=" + RsaKey(2048))
                .Txt("_mta-sts.monitor.example", "v=STSv1; id=1")
                .Txt("_smtp._tls.monitor.example", "v=TLSRPTv1; rua=mailto:t@monitor.example");
            using var reporter = new DomainReporter(dns.Resolver(), NoFetch("s1"));

            MailDomainReport weak = await reporter.GetReportAsync("weak.example");
            Assert.Equal(MailDomainGrade.F, weak.GradeCode); // +all caps at F
            Assert.Equal(DomainReportStatus.Findings, weak.StatusCode);
            Assert.Contains(weak.GradeReasons, r => r.Contains("+all", StringComparison.Ordinal));

            MailDomainReport noDmarc = await reporter.GetReportAsync("nodmarc.example");
            Assert.Equal("NotFound", noDmarc.DmarcStatus);
            Assert.True(noDmarc.GradeCode >= MailDomainGrade.D, $"grade {noDmarc.GradeCode}");

            MailDomainReport monitor = await reporter.GetReportAsync("monitor.example");
            Assert.Equal(MailDomainGrade.C, monitor.GradeCode); // all else fine, p=none caps at C
            Assert.Contains(monitor.GradeReasons, r => r.StartsWith("cap C", StringComparison.Ordinal));
        }

        [Fact]
        public async Task IncludeExcludeAndSelectorsDecideWhatIsQueried()
        {
            using var dns = new PostureTestDns();
            AddGoodDomain(dns, "example.com", RsaKey(1024));
            using var reporter = new DomainReporter(dns.Resolver(), new DomainReportOptions
            {
                Include = DomainCheck.Dmarc | DomainCheck.Dkim | DomainCheck.Mx,
                Exclude = DomainCheck.Mx,
                DkimSelectors = new[] { "selector1", "custom" },
            });

            MailDomainReport report = await reporter.GetReportAsync("example.com");

            Assert.Equal(DomainCheck.Dmarc | DomainCheck.Dkim, report.ChecksCode);
            Assert.Null(report.Mx);
            Assert.Null(report.MxHosts);
            Assert.Null(report.Spf);
            Assert.Null(report.Bimi);
            Assert.Null(report.MtaSts);
            Assert.Null(report.TlsRpt);
            Assert.NotNull(report.Dmarc);
            Assert.Equal(1024, report.DkimMinKeyBits);
            Assert.Contains(report.Findings, f => f.Id == "DKIM-KEY-WEAK");
            Assert.DoesNotContain(dns.Queries, q => q.StartsWith("MX ", StringComparison.Ordinal));
            Assert.DoesNotContain(dns.Queries, q => q.Contains("_bimi", StringComparison.Ordinal) || q.Contains("_mta-sts", StringComparison.Ordinal) || q.Contains("_smtp._tls", StringComparison.Ordinal));
            var dkimQueries = dns.Queries.Where(q => q.Contains("._domainkey.", StringComparison.Ordinal)).OrderBy(q => q, StringComparer.Ordinal).ToArray();
            Assert.Equal(new[] { "TXT custom._domainkey.example.com", "TXT selector1._domainkey.example.com" }, dkimQueries);
            Assert.NotNull(report.GradeCode); // graded over the checks that ran
        }

        [Fact]
        public async Task ExcludingEverythingChecksAndGradesNothing()
        {
            using var dns = new PostureTestDns();
            AddGoodDomain(dns, "example.com", RsaKey(2048));
            using var reporter = new DomainReporter(dns.Resolver(), new DomainReportOptions { Exclude = DomainCheck.All });

            MailDomainReport report = await reporter.GetReportAsync("example.com");

            Assert.Equal(DomainCheck.None, report.ChecksCode);
            Assert.Equal(DomainReportStatus.Ok, report.StatusCode);
            Assert.Null(report.GradeCode);
            Assert.Empty(dns.Queries);
        }

        [Fact]
        public async Task TimeBudgetEndsInLookupFailed()
        {
            using var dns = new PostureTestDns();
            AddGoodDomain(dns, "slow.example", RsaKey(2048));
            dns.Zone.SetLatency("_dmarc.slow.example", TimeSpan.FromSeconds(2));
            using var reporter = new DomainReporter(dns.Resolver(), new DomainReportOptions
            {
                TimeBudget = TimeSpan.FromMilliseconds(400),
                MtaSts = new MtaStsOptions { FetchPolicy = false },
                DkimSelectors = new[] { "selector1" },
            });

            var watch = System.Diagnostics.Stopwatch.StartNew();
            MailDomainReport report = await reporter.GetReportAsync("slow.example");

            Assert.True(watch.ElapsedMilliseconds < 1950, $"took {watch.ElapsedMilliseconds} ms");
            Assert.Equal(DomainReportStatus.LookupFailed, report.StatusCode);
            Assert.StartsWith("time budget exceeded", report.ErrorMessage);
            Assert.Contains("DMARC", report.ErrorMessage);
            Assert.Null(report.GradeCode);
            Assert.NotNull(report.Mx); // what finished is kept
        }

        [Theory]
        [InlineData(DnsFault.ServFail)]
        [InlineData(DnsFault.Timeout)]
        [InlineData(DnsFault.Garbage)]
        public async Task AFailedDmarcLookupIsNeverNoRecord(DnsFault fault)
        {
            using var dns = new PostureTestDns();
            AddGoodDomain(dns, "example.com", RsaKey(2048));
            dns.Fault("_dmarc.example.com", fault);
            using var reporter = new DomainReporter(dns.Resolver(), NoFetch("selector1"));

            MailDomainReport report = await reporter.GetReportAsync("example.com");

            Assert.Equal(DomainReportStatus.LookupFailed, report.StatusCode);
            Assert.Equal("LookupFailed", report.DmarcStatus);
            Assert.Null(report.DmarcRua);       // unknown, not "no rua"
            Assert.Null(report.DmarcTestMode);
            Assert.Contains("DMARC:", report.ErrorMessage);
            Assert.Null(report.GradeCode);
            Assert.Equal("Found", report.SpfStatus); // the other checks still report
        }

        [Fact]
        public async Task BadInputIsInvalidInputWithoutQueries()
        {
            using var dns = new PostureTestDns();
            using var reporter = new DomainReporter(dns.Resolver(), NoFetch());

            MailDomainReport report = await reporter.GetReportAsync("not a domain");

            Assert.Equal(DomainReportStatus.InvalidInput, report.StatusCode);
            Assert.Equal("not a domain", report.Input);
            Assert.Null(report.Domain);
            Assert.Contains("rule InvalidCharacter", report.ErrorMessage);
            Assert.Null(report.GradeCode);

            MailDomainReport none = await reporter.GetReportAsync(null);
            Assert.Equal(DomainReportStatus.InvalidInput, none.StatusCode);
            Assert.Equal(string.Empty, none.Input);
            Assert.Empty(dns.Queries);
        }

        [Fact]
        public async Task OneResolverCacheServesEveryDomain()
        {
            using var dns = new PostureTestDns()
                .Add("shared-mx.example.net", ZoneRecordType.A, "192.0.2.9");
            for (int i = 0; i < 5; i++)
            {
                dns.Add($"d{i}.example", ZoneRecordType.MX, "10 shared-mx.example.net");
            }

            using var reporter = new DomainReporter(dns.Resolver(), new DomainReportOptions { Include = DomainCheck.Mx });
            for (int i = 0; i < 5; i++)
            {
                MailDomainReport report = await reporter.GetReportAsync($"d{i}.example");
                Assert.Equal(1, report.Mx!.ResolvingHostCount);
            }

            Assert.Equal(1, dns.Queries.Count(q => q == "A shared-mx.example.net"));
        }

        [Fact]
        public void ConstructorChecksItsArguments()
        {
            using var dns = new PostureTestDns();
            Assert.Throws<ArgumentNullException>(() => new DomainReporter(null!));
            Assert.Throws<ArgumentOutOfRangeException>(() => new DomainReporter(dns.Resolver(), new DomainReportOptions { TimeBudget = TimeSpan.FromSeconds(-1) }));
            Assert.ThrowsAny<ArgumentException>(() => new DomainReporter(dns.Resolver(), new DomainReportOptions { DkimSelectors = new[] { "bad selector" } }));
            Assert.ThrowsAny<ArgumentException>(() => new DomainReporter(dns.Resolver(), new DomainReportOptions { BimiSelector = "a..b" }));
        }
    }
}
