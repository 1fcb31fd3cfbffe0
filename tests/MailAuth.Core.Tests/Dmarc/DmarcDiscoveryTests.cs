using System;
using System.Linq;
using System.Threading.Tasks;
using MailAuth.Names;
using MailAuth.Dmarc;

namespace MailAuth.Core.Tests.Dmarc
{
    public class DmarcDiscoveryTests
    {
        private const string Reject = "v=DMARC1; p=reject; rua=mailto:dmarc@example.com";

        private static DmarcQuery Query(string domain, DmarcDiscoveryMethod method = DmarcDiscoveryMethod.TreeWalk)
            => new DmarcQuery(domain) { Method = method };

        private static DmarcOptions Single() => new DmarcOptions { CompareMethods = false };

        [Fact]
        public void TreeWalkNamesFollowRfc9989Example()
        {
            // RFC 9989 §4.10: the eight queries listed for a.b.c.d.e.f.g.h.i.j.mail.example.com.
            Assert.Equal(new[]
            {
                "a.b.c.d.e.f.g.h.i.j.mail.example.com", "g.h.i.j.mail.example.com", "h.i.j.mail.example.com",
                "i.j.mail.example.com", "j.mail.example.com", "mail.example.com", "example.com", "com",
            }, DmarcResolver.GetTreeWalkNames("a.b.c.d.e.f.g.h.i.j.mail.example.com"));

            // Eight labels: 8 >= 8, so the second name keeps seven labels — one label dropped.
            Assert.Equal(8, DmarcResolver.GetTreeWalkNames("a.b.c.d.e.f.example.com").Count);
            Assert.Equal("b.c.d.e.f.example.com", DmarcResolver.GetTreeWalkNames("a.b.c.d.e.f.example.com")[1]);
            Assert.Equal(new[] { "mail.example.com", "example.com", "com" }, DmarcResolver.GetTreeWalkNames("mail.example.com"));
            Assert.Equal(new[] { "com" }, DmarcResolver.GetTreeWalkNames("com"));
        }

        [Fact]
        public async Task TreeWalkClimbsSeveralLabelsToTheOrganizationalDomain()
        {
            using var dns = new DmarcTestDns().Txt("_dmarc.example.com", Reject).A("a.b.mail.example.com");
            DmarcPolicy result = await dns.ResolveAsync(Query("a.b.mail.example.com"), Single());

            Assert.Equal(DmarcStatus.Found, result.StatusCode);
            Assert.Equal("example.com", result.RecordDomain);
            Assert.Equal("example.com", result.OrganizationalDomain);
            Assert.Equal(DmarcPolicyAction.Reject, result.EffectivePolicyCode);

            // The walk does not stop at example.com (no psd tag): it goes on to com (RFC 9989 §4.10 steps 5-7).
            Assert.Equal(new[]
            {
                "TXT _dmarc.a.b.mail.example.com", "TXT _dmarc.b.mail.example.com", "TXT _dmarc.mail.example.com",
                "TXT _dmarc.example.com", "TXT _dmarc.com",
            }, dns.DmarcQueries);
            Assert.Contains(result.Findings, f => f.Id == "DMARC-INHERITED");
            Assert.Equal(dns.Queries.Count, result.QueryCount);
        }

        [Fact]
        public async Task LongNamesAreWalkedInAtMostEightQueries()
        {
            const string from = "a.b.c.d.e.f.g.h.i.j.mail.example.com";
            using var dns = new DmarcTestDns()
                .Txt("_dmarc.e.f.g.h.i.j.mail.example.com", "v=DMARC1; p=none; rua=mailto:x@example.com")
                .Txt("_dmarc.example.com", Reject)
                .A(from);
            DmarcPolicy result = await dns.ResolveAsync(Query(from), Single());

            Assert.Equal(8, dns.DmarcQueries.Count);
            Assert.DoesNotContain("TXT _dmarc.e.f.g.h.i.j.mail.example.com", dns.DmarcQueries);
            Assert.Equal("TXT _dmarc.g.h.i.j.mail.example.com", dns.DmarcQueries[1]);
            Assert.Equal("example.com", result.RecordDomain);
            Assert.Contains(result.Findings, f => f.Id == "DMARC-WALK-SHORTENED");
        }

        [Fact]
        public async Task DuplicatesAreDiscardedAndTheTreeWalkGoesOn()
        {
            using var dns = new DmarcTestDns()
                .Txt("_dmarc.sub.example.com", "v=DMARC1; p=none")
                .Txt("_dmarc.sub.example.com", "v=DMARC1; p=quarantine")
                .Txt("_dmarc.sub.example.com", "some other text")
                .Txt("_dmarc.example.com", Reject);
            DmarcPolicy result = await dns.ResolveAsync(Query("sub.example.com"), Single());

            Assert.Equal(DmarcStatus.Found, result.StatusCode);
            Assert.Equal("example.com", result.RecordDomain);
            Finding duplicate = Assert.Single(result.Findings, f => f.Id == "DMARC-DUPLICATE-RECORDS");
            Assert.Equal("_dmarc.sub.example.com", duplicate.Subject);
            Assert.Contains("2 DMARC records", duplicate.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task DuplicatesStopDiscoveryUnderTheRfc7489Method()
        {
            using var dns = new DmarcTestDns()
                .Txt("_dmarc.sub.example.com", "v=DMARC1; p=none")
                .Txt("_dmarc.sub.example.com", "v=DMARC1; p=quarantine")
                .Txt("_dmarc.example.com", Reject);
            DmarcPolicy result = await dns.ResolveAsync(Query("sub.example.com", DmarcDiscoveryMethod.PublicSuffixList), Single());

            // RFC 7489 §6.6.3 step 5: several records end discovery; the Organizational Domain is not asked.
            Assert.Equal(DmarcStatus.NotFound, result.StatusCode);
            Assert.Null(result.RecordDomain);
            Assert.Equal(new[] { "TXT _dmarc.sub.example.com" }, dns.DmarcQueries);
            Assert.Contains(result.Findings, f => f.Id == "DMARC-DUPLICATE-RECORDS");
            Assert.Contains(result.Findings, f => f.Id == "DMARC-NO-RECORD");
            Assert.Null(result.ErrorMessage);
        }

        [Fact]
        public async Task DuplicatesAtTheOrganizationalDomainMeanNoPolicyUnderRfc7489()
        {
            using var dns = new DmarcTestDns()
                .Txt("_dmarc.example.com", "v=DMARC1; p=none")
                .Txt("_dmarc.example.com", "v=DMARC1; p=reject");
            DmarcPolicy result = await dns.ResolveAsync(Query("www.example.com", DmarcDiscoveryMethod.PublicSuffixList), Single());
            Assert.Equal(DmarcStatus.NotFound, result.StatusCode);
            Assert.Equal("example.com", result.OrganizationalDomain);
            Assert.Contains(result.Findings, f => f.Id == "DMARC-DUPLICATE-RECORDS");
        }

        [Fact]
        public async Task MethodsDisagreeWhenPsdNMarksALowerOrganizationalDomain()
        {
            using var dns = new DmarcTestDns()
                .Txt("_dmarc.dept.example.com", "v=DMARC1; p=quarantine; psd=n; rua=mailto:d@dept.example.com")
                .Txt("_dmarc.example.com", Reject)
                .A("mail.dept.example.com");
            DmarcPolicy walk = await dns.ResolveAsync(Query("mail.dept.example.com"));

            Assert.Equal("dept.example.com", walk.RecordDomain);
            Assert.Equal("dept.example.com", walk.OrganizationalDomain);
            Assert.Equal(DmarcPolicyAction.Quarantine, walk.EffectivePolicyCode);
            Assert.Equal("example.com", walk.AlternateRecordDomain);
            Assert.Equal("example.com", walk.AlternateOrganizationalDomain);
            Assert.False(walk.MethodsAgree);
            Assert.Contains(walk.Findings, f => f.Id == "DMARC-METHODS-DISAGREE");

            using var dns2 = new DmarcTestDns()
                .Txt("_dmarc.dept.example.com", "v=DMARC1; p=quarantine; psd=n; rua=mailto:d@dept.example.com")
                .Txt("_dmarc.example.com", Reject)
                .A("mail.dept.example.com");
            DmarcPolicy list = await dns2.ResolveAsync(Query("mail.dept.example.com", DmarcDiscoveryMethod.PublicSuffixList));
            Assert.Equal("example.com", list.RecordDomain);
            Assert.Equal(DmarcPolicyAction.Reject, list.EffectivePolicyCode);
            Assert.Equal("dept.example.com", list.AlternateRecordDomain);
            Assert.False(list.MethodsAgree);
        }

        [Fact]
        public async Task MethodsDisagreeOnAPrivateSuffix()
        {
            // github.io is a PRIVATE-section suffix: RFC 7489 stops at someone.github.io, the walk
            // finds the record published at github.io itself.
            using var dns = new DmarcTestDns().Txt("_dmarc.github.io", Reject).A("someone.github.io");
            DmarcPolicy walk = await dns.ResolveAsync(Query("someone.github.io"));
            Assert.Equal("github.io", walk.RecordDomain);
            Assert.Null(walk.AlternateRecordDomain);
            Assert.Equal(DmarcStatus.NotFound, walk.AlternateStatusCode);
            Assert.Equal("someone.github.io", walk.AlternateOrganizationalDomain);
            Assert.Contains(walk.Findings, f => f.Id == "DMARC-METHODS-DISAGREE");
            Assert.Contains(walk.Findings, f => f.Id == "DMARC-PUBLIC-SUFFIX" && f.SeverityCode == FindingSeverity.Warning);
        }

        [Fact]
        public async Task MethodsAgreeOnAPlainDomain()
        {
            using var dns = new DmarcTestDns().Txt("_dmarc.example.com", Reject);
            DmarcPolicy result = await dns.ResolveAsync(Query("example.com"));
            Assert.True(result.MethodsAgree);
            Assert.DoesNotContain(result.Findings, f => f.Id == "DMARC-METHODS-DISAGREE");
            Assert.Equal(DmarcPolicySource.P, result.PolicySourceCode);
            Assert.Null(result.DomainExists);
        }

        [Theory]
        [InlineData(TestFault.ServFail, DmarcDiscoveryMethod.TreeWalk)]
        [InlineData(TestFault.Timeout, DmarcDiscoveryMethod.TreeWalk)]
        [InlineData(TestFault.ServFail, DmarcDiscoveryMethod.PublicSuffixList)]
        [InlineData(TestFault.Timeout, DmarcDiscoveryMethod.PublicSuffixList)]
        public async Task AFailedPolicyQueryIsLookupFailedNotNotFound(TestFault fault, DmarcDiscoveryMethod method)
        {
            using var dns = new DmarcTestDns().Fault("_dmarc.example.com", fault);
            DmarcPolicy result = await dns.ResolveAsync(Query("example.com", method));
            Assert.Equal(DmarcStatus.LookupFailed, result.StatusCode);
            Assert.Contains("_dmarc.example.com", result.ErrorMessage, StringComparison.Ordinal);
            Assert.Null(result.EffectivePolicyCode);
            Assert.Contains(result.Findings, f => f.Id == "DMARC-LOOKUP-FAILED");
        }

        [Theory]
        [InlineData(DmarcDiscoveryMethod.TreeWalk)]
        [InlineData(DmarcDiscoveryMethod.PublicSuffixList)]
        public async Task AFailedParentQueryIsLookupFailed(DmarcDiscoveryMethod method)
        {
            using var dns = new DmarcTestDns().Fault("_dmarc.example.com", TestFault.ServFail).A("www.example.com");
            DmarcPolicy result = await dns.ResolveAsync(Query("www.example.com", method));
            Assert.Equal(DmarcStatus.LookupFailed, result.StatusCode);
            Assert.Contains("_dmarc.example.com", result.ErrorMessage, StringComparison.Ordinal);
        }

        [Fact]
        public async Task AFailureAboveAFoundRecordOnlyClouldsTheOrganizationalDomain()
        {
            using var dns = new DmarcTestDns().Txt("_dmarc.example.com", Reject).Fault("_dmarc.com", TestFault.Timeout);
            DmarcPolicy result = await dns.ResolveAsync(Query("example.com"), Single());
            Assert.Equal(DmarcStatus.Found, result.StatusCode);
            Assert.Equal(DmarcPolicyAction.Reject, result.EffectivePolicyCode);
            Assert.Contains(result.Findings, f => f.Id == "DMARC-ORGDOMAIN-INCOMPLETE");
        }

        [Theory]
        [InlineData(DmarcDiscoveryMethod.TreeWalk)]
        [InlineData(DmarcDiscoveryMethod.PublicSuffixList)]
        public async Task NxDomainIsNotFound(DmarcDiscoveryMethod method)
        {
            using var dns = new DmarcTestDns();
            DmarcPolicy result = await dns.ResolveAsync(Query("example.com", method));
            Assert.Equal(DmarcStatus.NotFound, result.StatusCode);
            Assert.Null(result.ErrorMessage);
            Assert.Null(result.Record);
            Assert.Contains(result.Findings, f => f.Id == "DMARC-NO-RECORD");
            Assert.Equal("example.com", result.OrganizationalDomain);
        }

        [Fact]
        public async Task NonDmarcTextIsIgnored()
        {
            using var dns = new DmarcTestDns().Txt("_dmarc.example.com", "v=spf1 -all").Txt("_dmarc.example.com", "p=reject; v=DMARC1");
            DmarcPolicy result = await dns.ResolveAsync(Query("example.com"));
            Assert.Equal(DmarcStatus.NotFound, result.StatusCode);
            Assert.DoesNotContain(result.Findings, f => f.Id == "DMARC-DUPLICATE-RECORDS");
        }

        [Fact]
        public async Task PsdYesGivesTheOrganizationalDomainOneLabelBelow()
        {
            // RFC 9989 Appendix B.4.3.
            using var dns = new DmarcTestDns()
                .Txt("_dmarc.bank.example", "v=DMARC1; p=reject; sp=quarantine; np=reject; psd=y; rua=mailto:psd@bank.example")
                .Txt("_dmarc.giant.bank.example", "v=DMARC1; p=none; rua=mailto:d@giant.bank.example")
                .A("mail.mega.bank.example");

            DmarcPolicy mega = await dns.ResolveAsync(Query("mail.mega.bank.example"), Single());
            Assert.Equal("mega.bank.example", mega.OrganizationalDomain);
            Assert.Equal("bank.example", mega.RecordDomain);
            Assert.Equal(DmarcPolicySource.Sp, mega.PolicySourceCode);
            Assert.Equal(DmarcPolicyAction.Quarantine, mega.EffectivePolicyCode);
            Assert.True(mega.DomainExists);

            DmarcPolicy giant = await dns.ResolveAsync(Query("mail.giant.bank.example"), Single());
            Assert.Equal("giant.bank.example", giant.OrganizationalDomain);
            Assert.Equal("giant.bank.example", giant.RecordDomain);
            Assert.Equal(DmarcPolicyAction.None, giant.EffectivePolicyCode);
        }

        [Fact]
        public async Task PsdPolicyOnATopLevelDomainIsNotedAsPublicSuffix()
        {
            using var dns = new DmarcTestDns().Txt("_dmarc.com", "v=DMARC1; p=reject; psd=y; rua=mailto:psd@nic.com");
            DmarcPolicy result = await dns.ResolveAsync(Query("nowhere.com"), Single());
            Assert.Equal("com", result.RecordDomain);
            Assert.Equal("nowhere.com", result.OrganizationalDomain);
            Assert.False(result.DomainExists);
            Assert.Contains(result.Findings, f => f.Id == "DMARC-PUBLIC-SUFFIX" && f.SeverityCode == FindingSeverity.Information);
        }

        [Fact]
        public async Task ExternalReportDestinationsAreChecked()
        {
            using var dns = new DmarcTestDns()
                .Txt("_dmarc.example.com",
                    "v=DMARC1; p=reject; rua=mailto:a@reports.example.net,mailto:b@other.example.org; ruf=mailto:f@example.com,mailto:g@mail.example.com")
                .Txt("example.com._report._dmarc.reports.example.net", "v=DMARC1");
            DmarcPolicy result = await dns.ResolveAsync(Query("example.com"), Single());

            Assert.Equal(2, result.ReportAuthorizations.Count);
            DmarcReportAuthorization good = Assert.Single(result.ReportAuthorizations, a => a.Host == "reports.example.net");
            Assert.True(good.IsAuthorized);
            Assert.Equal("example.com._report._dmarc.reports.example.net", good.QueryName);
            DmarcReportAuthorization bad = Assert.Single(result.ReportAuthorizations, a => a.Host == "other.example.org");
            Assert.Equal(DmarcStatus.NotFound, bad.StatusCode);
            Finding finding = Assert.Single(result.Findings, f => f.Id == "DMARC-REPORT-UNAUTHORIZED");
            Assert.Equal("other.example.org", finding.Subject);
            Assert.DoesNotContain(dns.Queries, q => q.Contains("._report._dmarc.example.com", StringComparison.Ordinal));
            Assert.Equal("mailto:a@reports.example.net;mailto:b@other.example.org", result.ReportUriText);
            Assert.Equal("mailto:f@example.com;mailto:g@mail.example.com", result.FailureReportUriText);
        }

        [Fact]
        public async Task AFailedAuthorizationCheckIsReportedAsSuch()
        {
            using var dns = new DmarcTestDns()
                .Txt("_dmarc.example.com", "v=DMARC1; p=reject; rua=mailto:a@reports.example.net")
                .Fault("example.com._report._dmarc.reports.example.net", TestFault.ServFail)
                .Txt("example.com._report._dmarc.reports.example.net", "v=DMARC1");
            DmarcPolicy result = await dns.ResolveAsync(Query("example.com"), Single());
            Assert.Equal(DmarcStatus.LookupFailed, Assert.Single(result.ReportAuthorizations).StatusCode);
            Assert.Contains(result.Findings, f => f.Id == "DMARC-REPORT-CHECK-FAILED");
            Assert.DoesNotContain(result.Findings, f => f.Id == "DMARC-REPORT-UNAUTHORIZED");
        }

        [Fact]
        public async Task AuthorizationRecordMustStartWithTheVersion()
        {
            using var dns = new DmarcTestDns()
                .Txt("_dmarc.example.com", "v=DMARC1; p=reject; rua=mailto:a@reports.example.net")
                .Txt("example.com._report._dmarc.reports.example.net", "p=none; v=DMARC1");
            DmarcPolicy result = await dns.ResolveAsync(Query("example.com"), Single());
            Assert.False(Assert.Single(result.ReportAuthorizations).IsAuthorized);
        }

        [Theory]
        [InlineData("User@Sub.Example.COM.", "sub.example.com")]
        [InlineData("<user@example.com>", "example.com")]
        [InlineData("Test User <test@Example.com>", "example.com")]
        [InlineData("EXAMPLE.com", "example.com")]
        [InlineData("bücher.example", "xn--bcher-kva.example")]
        public async Task AddressesAndCaseAreNormalized(string input, string domain)
        {
            using var dns = new DmarcTestDns();
            DmarcPolicy result = await dns.ResolveAsync(Query(input), Single());
            Assert.Equal(domain, result.Domain);
            Assert.Equal(input, result.Input);
            Assert.Equal("TXT _dmarc." + domain, dns.DmarcQueries[0]);
        }

        [Theory]
        [InlineData("")]
        [InlineData("   ")]
        [InlineData("a..example.com")]
        [InlineData(".example.com")]
        [InlineData("exa mple.com")]
        [InlineData("user@")]
        [InlineData("-bad.example.com")]
        public async Task BadDomainsAreRejectedWithTheValue(string input)
        {
            using var dns = new DmarcTestDns();
            ArgumentException error = await Assert.ThrowsAnyAsync<ArgumentException>(() => dns.ResolveAsync(Query(input)));
            Assert.Contains($"'{input}'", error.Message, StringComparison.Ordinal);
            // The shared refusal (docs/domain-names.md): the rule, and what to give instead.
            Assert.Contains("(rule ", error.Message, StringComparison.Ordinal);
            Assert.Contains("contoso.com", error.Message, StringComparison.Ordinal);
            Assert.Empty(dns.Queries);
        }

        [Fact]
        public async Task OverlongNamesAreRejected()
        {
            using var dns = new DmarcTestDns();
            string longLabel = new string('a', 64) + ".example.com";
            ArgumentException label = await Assert.ThrowsAnyAsync<ArgumentException>(() => dns.ResolveAsync(Query(longLabel)));
            Assert.Contains("at most 63", label.Message, StringComparison.Ordinal);

            string longName = string.Join(".", Enumerable.Repeat(new string('b', 60), 5)) + ".com";
            ArgumentException name = await Assert.ThrowsAnyAsync<ArgumentException>(() => dns.ResolveAsync(Query(longName)));
            Assert.Contains("at most 253", name.Message, StringComparison.Ordinal);

            await Assert.ThrowsAsync<ArgumentNullException>(() => dns.Resolver().ResolveAsync(null!));
            Assert.Throws<ArgumentNullException>(() => new DmarcResolver(null!));
            Assert.Throws<ArgumentNullException>(() => new DmarcQuery(null!));
        }

        [Fact]
        public async Task ANameTooLongForDmarcIsNotQueried()
        {
            // 251 characters: valid, but "_dmarc." in front passes the 253 limit, so it cannot exist.
            string domain = string.Join(".", Enumerable.Repeat(new string('c', 61), 4)) + ".com";
            Assert.Equal(251, domain.Length);
            using var dns = new DmarcTestDns().Txt("_dmarc.com", "v=DMARC1; p=reject; psd=y");
            DmarcPolicy result = await dns.ResolveAsync(Query(domain), Single());
            Assert.DoesNotContain("TXT _dmarc." + domain, dns.DmarcQueries);
            Assert.Equal("com", result.RecordDomain);
        }

        [Fact]
        public async Task TraceObserverSeesEveryQuery()
        {
            var seen = new System.Collections.Concurrent.ConcurrentBag<string>();
            using var dns = new DmarcTestDns().Txt("_dmarc.example.com", Reject);
            DmarcPolicy result = await dns.ResolveAsync(Query("example.com"),
                new DmarcOptions { TraceObserver = r => seen.Add(r.QueryName) });
            Assert.Equal(result.DnsEvidence.Count, seen.Count);
            Assert.Contains("_dmarc.example.com", seen);
        }

        [Fact]
        public async Task AReplacementPublicSuffixListIsUsed()
        {
            // With a list where example.com is itself a suffix, RFC 7489 looks for no parent record.
            using var dns = new DmarcTestDns().Txt("_dmarc.example.com", Reject);
            var options = new DmarcOptions { CompareMethods = false, PublicSuffixList = PublicSuffixList.FromText("com\nexample.com\n") };
            DmarcPolicy result = await dns.ResolveAsync(Query("www.example.com", DmarcDiscoveryMethod.PublicSuffixList), options);
            Assert.Equal("www.example.com", result.OrganizationalDomain);
            Assert.Equal(DmarcStatus.NotFound, result.StatusCode);

            using var dns2 = new DmarcTestDns().Txt("_dmarc.example.com", Reject);
            DmarcPolicy embedded = await dns2.ResolveAsync(Query("www.example.com", DmarcDiscoveryMethod.PublicSuffixList), Single());
            Assert.Equal("example.com", embedded.RecordDomain);
        }
    
        [Fact]
        public async Task ExternalDestinationsAreCheckedConcurrently()
        {
            using var dns = new DmarcTestDns()
                .Txt("_dmarc.example.com", "v=DMARC1; p=reject; rua=mailto:a@one.example.net,mailto:b@two.example.org,mailto:c@three.example.info")
                .Txt("example.com._report._dmarc.one.example.net", "v=DMARC1")
                .Txt("example.com._report._dmarc.two.example.org", "v=DMARC1")
                .Txt("example.com._report._dmarc.three.example.info", "v=DMARC1")
                .Latency("example.com._report._dmarc.one.example.net", TimeSpan.FromSeconds(1))
                .Latency("example.com._report._dmarc.two.example.org", TimeSpan.FromSeconds(1))
                .Latency("example.com._report._dmarc.three.example.info", TimeSpan.FromSeconds(1));
            DmarcPolicy result = await dns.ResolveAsync(Query("example.com"), Single());

            Assert.Equal(3, result.ReportAuthorizations.Count(a => a.IsAuthorized));

            // All three questions reach the server before the first (one second late) answer could
            // have come back: they were sent together, not one after another.
            // (First arrivals: an answer a second late may be asked again at the retransmission timeout.)
            DateTimeOffset[] arrivals = dns.ServedQueries
                .Where(q => q.Name.Contains("._report._dmarc.", StringComparison.Ordinal))
                .GroupBy(q => q.Name, StringComparer.OrdinalIgnoreCase)
                .Select(g => g.Min(q => q.ReceivedAt)).ToArray();
            Assert.Equal(3, arrivals.Length);
            Assert.True(arrivals.Max() - arrivals.Min() < TimeSpan.FromMilliseconds(900),
                $"report checks were serialized: arrivals spread over {(arrivals.Max() - arrivals.Min()).TotalMilliseconds} ms");
        }

        [Fact]
        public async Task ManyDomainsAtOnceGiveOneResultEachFaultsIncluded()
        {
            using var dns = new DmarcTestDns();
            for (int i = 0; i < 60; i++)
            {
                if (i % 3 == 0)
                {
                    dns.Txt($"_dmarc.d{i}.example", $"v=DMARC1; p=reject; rua=mailto:r@d{i}.example");
                }
                else if (i % 3 == 1)
                {
                    dns.Fault($"_dmarc.d{i}.example", TestFault.ServFail);
                }
            }

            DmarcResolver resolver = dns.Resolver();
            DmarcPolicy[] results = await Task.WhenAll(Enumerable.Range(0, 60)
                .Select(i => resolver.ResolveAsync(Query($"d{i}.example"), Single())));

            Assert.Equal(60, results.Length);
            for (int i = 0; i < 60; i++)
            {
                Assert.Equal($"d{i}.example", results[i].Domain);
                DmarcStatus expected = i % 3 == 0 ? DmarcStatus.Found : i % 3 == 1 ? DmarcStatus.LookupFailed : DmarcStatus.NotFound;
                Assert.Equal(expected, results[i].StatusCode);
            }
        }

        [Fact]
        public async Task Rfc9989DeepTreeWalkExample()
        {
            // RFC 9989 Appendix B.4.2: records at example.com and signing.example.com, none at com.
            const string from = "a.b.c.d.e.f.g.h.i.j.k.example.com";
            using var dns = new DmarcTestDns()
                .Txt("_dmarc.example.com", "v=DMARC1; p=reject; rua=mailto:d@example.com")
                .Txt("_dmarc.signing.example.com", "v=DMARC1; p=none; rua=mailto:d@example.com")
                .A(from);
            var query = new DmarcQuery(from) { MailFromDomain = "example.com", SpfResult = "pass" };
            query.DkimResults.Add(new DkimSignatureResult("signing.example.com", "pass"));
            DmarcPolicy result = await dns.ResolveAsync(query, Single());

            Assert.Equal(new[]
            {
                "TXT _dmarc.a.b.c.d.e.f.g.h.i.j.k.example.com", "TXT _dmarc.g.h.i.j.k.example.com",
                "TXT _dmarc.h.i.j.k.example.com", "TXT _dmarc.i.j.k.example.com", "TXT _dmarc.j.k.example.com",
                "TXT _dmarc.k.example.com", "TXT _dmarc.example.com", "TXT _dmarc.com",
                "TXT _dmarc.signing.example.com",
            }, dns.DmarcQueries);
            Assert.Equal("example.com", result.OrganizationalDomain);
            Assert.Equal("example.com", result.RecordDomain);
            Assert.Equal(DmarcAlignedIdentifier.Both, result.AlignedIdentifierCode);
            Assert.Equal("example.com", result.Identifiers.Single(i => i.Mechanism == "dkim").OrganizationalDomain);
        }
    }
}
