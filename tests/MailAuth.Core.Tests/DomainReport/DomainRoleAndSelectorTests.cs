using System;
using System.Linq;
using System.Security.Cryptography;
using System.Threading.Tasks;
using MailAuth.Core.Tests.Posture;
using MailAuth.DomainReport;
using MailAuth.Posture;
using MailAuth.Testing.Dns;
using Xunit;

namespace MailAuth.Core.Tests.DomainReport
{
    /// <summary>DKIM selectors chosen from MX and SPF, the domain's role and its advice, and the one-line grade (issue 14).</summary>
    public sealed class DomainRoleAndSelectorTests
    {
        private static readonly string s_key = NewKey();

        private static string NewKey()
        {
            using RSA rsa = RSA.Create(2048);
            return Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
        }

        private static DomainReportOptions NoFetch() => new DomainReportOptions { MtaSts = new MtaStsOptions { FetchPolicy = false } };

        [Fact]
        public void Microsoft_365_and_SendGrid_are_recognised_by_MX_and_SPF()
        {
            (var selectors, var reasons) = DkimSelectorChoice.Choose(
                new[] { "contoso-com.mail.protection.outlook.com." },
                new[] { "contoso.com", "spf.protection.outlook.com", "sendgrid.net" });

            Assert.Equal(new[] { "selector1", "selector2", "s1", "s2", "smtpapi", "google", "k1", "default", "dkim" }, selectors);
            Assert.Equal(new[] { "Microsoft 365 (MX and SPF)", "SendGrid (SPF)" }, reasons);
        }

        [Fact]
        public void Selectors_seen_in_signed_mail_come_first_and_a_plain_domain_gets_the_short_list()
        {
            (var plain, var none) = DkimSelectorChoice.Choose(new[] { "mx1.example.net" }, new[] { "example.net" });
            Assert.Equal(DkimSelectorChoice.Short, plain);
            Assert.Empty(none);

            (var seen, var why) = DkimSelectorChoice.Choose(null, new[] { "_spf.google.com" }, new[] { "Mar2024" });
            Assert.Equal(new[] { "mar2024", "google", "selector1", "selector2", "k1", "default", "dkim" }, seen);
            Assert.Equal(new[] { "seen in signed mail", "Google Workspace (SPF)" }, why);

            // "notsendgrid.net" is not under sendgrid.net.
            Assert.Equal(DkimSelectorChoice.Short, DkimSelectorChoice.Choose(null, new[] { "notsendgrid.net" }).Selectors);
        }

        [Fact]
        public async Task A_default_audit_finds_the_keys_the_sweep_finds_with_at_most_12_queries()
        {
            // Shaped like the domains of bulkworld and of Microsoft 365 and Mailchimp customers.
            using var dns = new PostureTestDns();
            dns.Add("m365.example", ZoneRecordType.MX, "0 m365-example.mail.protection.outlook.com")
                .Add("m365-example.mail.protection.outlook.com", ZoneRecordType.A, "192.0.2.10")
                .Txt("m365.example", "v=spf1 include:spf.protection.outlook.com -all")
                .Txt("spf.protection.outlook.com", "v=spf1 ip4:192.0.2.0/24 -all")
                .Txt("_dmarc.m365.example", "v=DMARC1; p=reject")
                .Txt("selector1._domainkey.m365.example", "v=DKIM1; k=rsa; p=" + s_key)
                .Txt("selector2._domainkey.m365.example", "v=DKIM1; k=rsa; p=" + s_key)
                .Add("chimp.example", ZoneRecordType.MX, "10 mx.chimp.example")
                .Add("mx.chimp.example", ZoneRecordType.A, "192.0.2.11")
                .Txt("chimp.example", "v=spf1 mx include:servers.mcsv.net -all")
                .Txt("servers.mcsv.net", "v=spf1 ip4:198.51.100.0/24 -all")
                .Txt("_dmarc.chimp.example", "v=DMARC1; p=quarantine")
                .Txt("k2._domainkey.chimp.example", "v=DKIM1; k=rsa; p=" + s_key);
            using var resolver = dns.Resolver();
            using var chosen = new DomainReporter(resolver, NoFetch());
            using var sweep = new DomainReporter(resolver, new DomainReportOptions { AllCommonSelectors = true, MtaSts = new MtaStsOptions { FetchPolicy = false } });

            foreach (string domain in new[] { "m365.example", "chimp.example" })
            {
                resolver.ClearCache();
                dns.Server.ResetCounters();
                MailDomainReport report = await chosen.GetReportAsync(domain);
                int wire = dns.Server.QueryCount;
                MailDomainReport swept = await sweep.GetReportAsync(domain);

                Assert.Equal(swept.DkimSelectors, report.DkimSelectors);
                Assert.False(string.IsNullOrEmpty(report.DkimSelectors));
                Assert.StartsWith("chosen: ", report.Dkim!.SelectorChoice);

                // MX, its host's A and AAAA, SPF and its include, DMARC (its own name and the tree
                // walk's _dmarc.example), BIMI, MTA-STS and TLS-RPT: 10, plus the DKIM selectors,
                // of which the short list's six come first. Shared answers (the include, the walk)
                // are cached across domains in a bulk run, so a domain costs fewer.
                Assert.True(report.QueryCount > 0);
                Assert.True(swept.Dkim!.SelectorsTried.Count > 25);
                Assert.InRange(report.Dkim.SelectorsTried.Count, 6, 9);
                Assert.InRange(wire, 10, 10 + 9);
            }
        }

        [Fact]
        public async Task A_parked_domain_is_told_to_publish_spf_minus_all_reject_and_a_null_MX()
        {
            using var dns = new PostureTestDns();
            dns.Add("parked.example", ZoneRecordType.A, "192.0.2.80")
                .Txt("_dmarc.parked.example", "v=DMARC1; p=none");
            using var reporter = new DomainReporter(dns.Resolver(), NoFetch());

            MailDomainReport report = await reporter.GetReportAsync("parked.example");

            Assert.Equal("Parked", report.Role);
            Assert.Equal(3, report.RoleAdviceList.Count);
            Assert.Contains("v=spf1 -all", report.RoleAdviceList[0]);
            Assert.Contains("p=reject", report.RoleAdviceList[1]);
            Assert.Contains("RFC 7505", report.RoleAdviceList[2]);
            Assert.Contains(" | ", report.RoleAdvice);
        }

        [Fact]
        public async Task Roles_follow_MX_and_sending_evidence()
        {
            using var dns = new PostureTestDns();
            dns.Add("both.example", ZoneRecordType.MX, "10 mx.both.example").Add("mx.both.example", ZoneRecordType.A, "192.0.2.1")
                .Txt("both.example", "v=spf1 mx -all").Txt("_dmarc.both.example", "v=DMARC1; p=reject")
                .Add("inbox.example", ZoneRecordType.MX, "10 mx.inbox.example").Add("mx.inbox.example", ZoneRecordType.A, "192.0.2.2")
                .Txt("inbox.example", "v=spf1 -all").Txt("_dmarc.inbox.example", "v=DMARC1; p=reject")
                .Add("sender.example", ZoneRecordType.MX, "0 .")
                .Txt("sender.example", "v=spf1 ip4:192.0.2.3 -all").Txt("_dmarc.sender.example", "v=DMARC1; p=reject")
                .Add("quiet.example", ZoneRecordType.MX, "0 .")
                .Txt("quiet.example", "v=spf1 -all").Txt("_dmarc.quiet.example", "v=DMARC1; p=reject");
            using var reporter = new DomainReporter(dns.Resolver(), NoFetch());

            MailDomainReport both = await reporter.GetReportAsync("both.example");
            MailDomainReport inbox = await reporter.GetReportAsync("inbox.example");
            MailDomainReport sender = await reporter.GetReportAsync("sender.example");
            MailDomainReport quiet = await reporter.GetReportAsync("quiet.example");

            Assert.Equal("SendingAndReceiving", both.Role);
            Assert.Equal("ReceivingOnly", inbox.Role);
            Assert.Equal("SendingOnly", sender.Role);
            Assert.Equal("Parked", quiet.Role);

            // Each already publishes what its role calls for.
            Assert.Null(inbox.RoleAdvice);
            Assert.Null(sender.RoleAdvice);
            Assert.Null(quiet.RoleAdvice);
        }

        [Fact]
        public async Task A_failed_MX_lookup_leaves_the_role_unknown()
        {
            using var dns = new PostureTestDns();
            dns.Txt("fail.example", "v=spf1 -all").Fault("fail.example", DnsFault.ServFail, ZoneRecordType.MX);
            using var reporter = new DomainReporter(dns.Resolver(), NoFetch());

            MailDomainReport report = await reporter.GetReportAsync("fail.example");

            Assert.Equal("LookupFailed", report.Status);
            Assert.Null(report.Role);
        }

        [Fact]
        public void The_grade_explains_itself_in_one_line()
        {
            string line = DomainGrader.Explain(MailDomainGrade.C, 62, new[]
            {
                new DomainGrader.GradeStep("DMARC", 10, 40, "policy none (monitoring only)"),
                new DomainGrader.GradeStep("SPF", 20, 25, "~all"),
                new DomainGrader.GradeStep("DKIM", 20, 20, "usable keys, RSA 2048+ or Ed25519"),
            }, new[] { "C: DMARC does not enforce" });

            Assert.Equal("C (62/100): DMARC policy none (monitoring only) (-30); SPF ~all (-5); capped at C: DMARC does not enforce", line);
            Assert.Equal("A (100/100): every check at full points", DomainGrader.Explain(MailDomainGrade.A, 100, new[] { new DomainGrader.GradeStep("SPF", 25, 25, "-all") }, Array.Empty<string>()));
        }
    }
}
