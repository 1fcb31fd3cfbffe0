using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using MailAuth.Dmarc;
using MailAuth.Findings;
using MailAuth.Spf;
using Xunit;

namespace MailAuth.Core.Tests.Findings
{
    /// <summary>User-set severities (-FindingSeverity, $MailAuthFindingSeverity) as the core applies them.</summary>
    public class FindingSeverityPolicyTests
    {
        private static FindingSeverityPolicy Policy(params (string Id, string Severity)[] entries) =>
            FindingSeverityPolicy.Create(entries.Select(e => new KeyValuePair<string, string>(e.Id, e.Severity)));

        private static Finding? PolicyNone(FindingSeverityPolicy policy)
        {
            using (policy.Enter())
            {
                return DmarcRecord.Parse("v=DMARC1; p=none; rua=mailto:d@example.com").Findings.SingleOrDefault(f => f.Id == "DMARC-P-NONE");
            }
        }

        [Fact]
        public void Without_a_policy_the_definition_severity_applies()
        {
            Assert.Equal("Warning", DmarcRecord.Parse("v=DMARC1; p=none; rua=mailto:d@example.com").Findings.Single(f => f.Id == "DMARC-P-NONE").Severity);
            Assert.True(FindingSeverityPolicy.Default.IsDefault);
        }

        [Fact]
        public void A_set_severity_changes_the_emitted_finding_and_the_scope_ends_it()
        {
            Assert.Equal("Information", PolicyNone(Policy(("DMARC-P-NONE", "Information")))!.Severity);
            Assert.Equal("Error", PolicyNone(Policy(("dmarc-p-none", "error")))!.Severity);
            Assert.Equal("Warning", DmarcRecord.Parse("v=DMARC1; p=none").Findings.Single(f => f.Id == "DMARC-P-NONE").Severity);
        }

        [Theory]
        [InlineData("Off")]
        [InlineData("None")]
        public void Off_removes_the_finding_and_the_result_counts_without_it(string off)
        {
            using (Policy(("SPF-ALL-PASS", off)).Enter())
            {
                Assert.DoesNotContain(SpfLinter.Lint("v=spf1 +all"), f => f.Id == "SPF-ALL-PASS");
            }

            using (Policy(("DMARC-P-NONE", off), ("DMARC-RUA-MISSING", off)).Enter())
            {
                // Only what is left is listed.
                DmarcRecord record = DmarcRecord.Parse("v=DMARC1; p=none; pct=50");
                Assert.Equal(new[] { "DMARC-PCT-PARTIAL", "DMARC-TAG-REMOVED" }, record.Findings.Select(f => f.Id).OrderBy(i => i, StringComparer.Ordinal));
            }

            Assert.Contains(SpfLinter.Lint("v=spf1 +all"), f => f.Id == "SPF-ALL-PASS");
        }

        [Fact]
        public void A_wildcard_applies_and_an_exact_id_beats_it()
        {
            using (Policy(("DMARC-*", "Error"), ("DMARC-P-NONE", "Information")).Enter())
            {
                DmarcRecord record = DmarcRecord.Parse("v=DMARC1; p=none; pct=50");
                Assert.Equal("Information", record.Findings.Single(f => f.Id == "DMARC-P-NONE").Severity);
                Assert.Equal("Error", record.Findings.Single(f => f.Id == "DMARC-PCT-PARTIAL").Severity);
            }

            // The longer of two wildcards wins.
            using (Policy(("*", "Information"), ("SPF-ALL-*", "Off")).Enter())
            {
                IReadOnlyList<Finding> findings = SpfLinter.Lint("v=spf1 ptr +all");
                Assert.DoesNotContain(findings, f => f.Id == "SPF-ALL-PASS");
                Assert.Equal("Information", findings.Single(f => f.Id == "SPF-PTR").Severity);
            }
        }

        [Fact]
        public async Task The_policy_flows_into_async_work_started_inside_the_scope()
        {
            Task<IReadOnlyList<Finding>> work;
            using (Policy(("SPF-PTR", "Error")).Enter())
            {
                work = Task.Run(async () =>
                {
                    await Task.Yield();
                    return SpfLinter.Lint("v=spf1 ptr -all");
                });
            }

            Assert.Equal("Error", (await work).Single(f => f.Id == "SPF-PTR").Severity);
            Assert.Equal("Warning", SpfLinter.Lint("v=spf1 ptr -all").Single(f => f.Id == "SPF-PTR").Severity);
        }

        [Fact]
        public void SeverityOf_reports_what_the_policy_gives()
        {
            FindingSeverityPolicy policy = Policy(("HDR-REPLYTO-DIFFERS", "Information"), ("MX-*", "Off"));
            Assert.Equal("Information", policy.SeverityOf(FindingCatalog.Header.ReplyToDiffers));
            Assert.Null(policy.SeverityOf(FindingCatalog.Mx.Cname));
            Assert.Equal("Error", policy.SeverityOf(FindingCatalog.Spf.AllPass));
            Assert.Throws<ArgumentNullException>(() => policy.SeverityOf(null!));
        }

        [Fact]
        public void An_unknown_id_is_refused_naming_it_and_the_valid_ids()
        {
            var ex = Assert.Throws<ArgumentException>(() => Policy(("HDR-REPLY-TO-DIFFERS", "Information")));
            Assert.Contains("'HDR-REPLY-TO-DIFFERS' is not a finding id", ex.Message, StringComparison.Ordinal);
            Assert.Contains("HDR-REPLYTO-DIFFERS", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("DMARC-P-NONE", ex.Message, StringComparison.Ordinal);

            var other = Assert.Throws<ArgumentException>(() => Policy(("X", "Off")));
            Assert.Contains("'X' is not a finding id", other.Message, StringComparison.Ordinal);
            Assert.Contains("HDR-, DMARC-, SPF-", other.Message, StringComparison.Ordinal);

            var none = Assert.Throws<ArgumentException>(() => Policy(("NOPE-*", "Off")));
            Assert.Contains("'NOPE-*' matches no finding id", none.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void An_unknown_severity_is_refused_listing_the_valid_ones()
        {
            var ex = Assert.Throws<ArgumentException>(() => Policy(("SPF-PTR", "Critical")));
            Assert.Contains("'Critical' is not a finding severity (for 'SPF-PTR')", ex.Message, StringComparison.Ordinal);
            Assert.Contains("Information, Warning, Error, Off, None", ex.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentNullException>(() => FindingSeverityPolicy.Create(null!));
        }
    }
}
