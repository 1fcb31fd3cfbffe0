using System;
using System.Linq;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Spf;

namespace MailAuth.Core.Tests.Spf
{
    public class SpfRecordReportTests
    {
        private static Task<SpfRecordReport> Report(FakeDnsResolver dns, string domain = "example.com") => new SpfEvaluator(dns).GetRecordReportAsync(domain);

        [Fact]
        public async Task CountsLookupsThroughIncludesAndBuildsTheTree()
        {
            var dns = new FakeDnsResolver()
                .Txt("example.com", "v=spf1 mx include:_spf.example.net ip4:192.0.2.0/24 redirect=_spf.example.org")
                .Mx("example.com", 10, "mx.example.com")
                .Txt("_spf.example.net", "v=spf1 a:smtp.example.net include:more.example.net ~all")
                .A("smtp.example.net", "198.51.100.1")
                .Txt("more.example.net", "v=spf1 ip4:203.0.113.0/24 -all")
                .Txt("_spf.example.org", "v=spf1 a:relay.example.org -all")
                .A("relay.example.org", "203.0.113.9");
            SpfRecordReport report = await Report(dns);

            Assert.Equal(SpfRecordStatus.Found, report.StatusCode);
            Assert.Equal("v=spf1 mx include:_spf.example.net ip4:192.0.2.0/24 redirect=_spf.example.org", report.Record);
            Assert.Equal(4, report.Terms.Count);

            // mx, include, (a, include, -) , redirect, (a) = 6
            Assert.Equal(6, report.DnsLookupCount);
            Assert.False(report.LookupLimitExceeded);
            Assert.Equal(0, report.VoidLookupCount);
            Assert.Equal("redirect", report.AllMechanism);
            Assert.Equal(string.Empty, report.AllQualifier);
            Assert.Equal(1, report.IncludeCount);

            // The tree comes flat, in the order check_host() reaches it: a node, then what it includes.
            ResultList<SpfIncludeNode> tree = report.IncludeTree;
            Assert.Equal(new[] { "example.com", "_spf.example.net", "more.example.net", "_spf.example.org" }, tree.Select(n => n.Domain));
            Assert.Equal(new[] { 0, 1, 2, 1 }, tree.Select(n => n.Depth));
            Assert.Equal(new[] { null, "example.com", "_spf.example.net", "example.com" }, tree.Select(n => n.Parent));
            SpfIncludeNode root = tree[0];
            Assert.Null(root.Via);
            Assert.Equal(3, root.OwnLookupCount);
            Assert.Equal(6, root.TotalLookupCount);
            Assert.Equal(new[] { "include:_spf.example.net", "redirect=_spf.example.org" }, tree.Where(n => n.Depth == 1).Select(c => c.Via));
            SpfIncludeNode net = tree[1];
            Assert.Equal(2, net.OwnLookupCount);
            Assert.Same(root, report.IncludeRoot);
        }

        [Fact]
        public async Task NamesTheIncludeThatCrossesTheLimitAndStillReturnsTheTree()
        {
            var dns = new FakeDnsResolver()
                .Txt("example.com", "v=spf1 a mx include:big.example.net include:other.example.net -all")
                .A("example.com", "192.0.2.1").Mx("example.com", 10, "example.com")
                .Txt("big.example.net", "v=spf1 " + string.Join(" ", Enumerable.Range(1, 8).Select(i => $"a:h{i}.example.net")) + " -all")
                .Txt("other.example.net", "v=spf1 ip4:198.51.100.0/24 -all")
                .Timeout("broken.example.net");
            for (int i = 1; i <= 8; i++)
            {
                dns.A($"h{i}.example.net", "198.51.100." + i);
            }

            SpfRecordReport report = await Report(dns);
            Assert.Equal(12, report.DnsLookupCount);
            Assert.True(report.LookupLimitExceeded);
            Assert.Contains("a:h8.example.net", report.LimitCrossedAt, StringComparison.Ordinal);
            Assert.Contains("include:big.example.net", report.LimitCrossedAt, StringComparison.Ordinal);
            Finding limit = report.Errors.First();
            Assert.Equal("SPF-LOOKUP-LIMIT", limit.Id);
            Assert.Contains("include:big.example.net", limit.Message, StringComparison.Ordinal);
            Assert.Equal(limit.Message, report.TopWarning);
            Assert.Equal(2, report.IncludeTree.Count(n => n.Depth == 1));
        }

        [Fact]
        public async Task BrokenBranchesAreReportedInTheTree()
        {
            var dns = new FakeDnsResolver()
                .Txt("example.com", "v=spf1 include:gone.example.net include:slow.example.net include:bad.example.net include:loop.example.net include:%{d}.example.net a:nothing.example.com -all")
                .Timeout("slow.example.net")
                .Txt("bad.example.net", "v=spf1 ip4:1.2.3.4/40")
                .Txt("loop.example.net", "v=spf1 include:example.com");
            SpfRecordReport report = await Report(dns);

            Assert.Equal(SpfRecordStatus.Found, report.StatusCode);
            SpfIncludeStatus[] statuses = report.IncludeTree.Where(n => n.Depth == 1).Select(c => c.StatusCode).ToArray();
            Assert.Equal(new[] { SpfIncludeStatus.NotFound, SpfIncludeStatus.LookupFailed, SpfIncludeStatus.Invalid, SpfIncludeStatus.Found, SpfIncludeStatus.NotEvaluated }, statuses);
            SpfIncludeNode loop = report.IncludeTree.Single(n => n.Parent == "loop.example.net");
            Assert.Equal(SpfIncludeStatus.Loop, loop.StatusCode);
            Assert.Equal("Loop", loop.Status);
            Assert.Equal(2, loop.Depth);
            string[] ids = report.Errors.Select(f => f.Id).ToArray();
            Assert.Contains("SPF-INCLUDE-NO-SPF", ids);
            Assert.Contains("SPF-INCLUDE-LOOKUP-FAILED", ids);
            Assert.Contains("SPF-INCLUDE-INVALID", ids);
            Assert.Contains("SPF-INCLUDE-LOOP", ids);

            // gone.example.net (no record) and nothing.example.com (no address) are void.
            Assert.Equal(2, report.VoidLookupCount);
            Assert.Contains("SPF-VOID-LOOKUPS", report.Warnings.Select(f => f.Id));
            Assert.Equal(report.Errors.Count, report.ErrorCount);
            Assert.Equal(report.Warnings.Count, report.WarningCount);
        }

        [Fact]
        public async Task StatusCoversEveryOutcome()
        {
            var dns = new FakeDnsResolver()
                .Txt("none.example.com", "google-site-verification=abc")
                .Timeout("slow.example.com")
                .Txt("two.example.com", "v=spf1 -all").Txt("two.example.com", "v=spf1 ~all")
                .Txt("bad.example.com", "v=spf1 ip4:192.0.2.0/33 -all");

            SpfRecordReport none = await Report(dns, "none.example.com");
            Assert.Equal(SpfRecordStatus.NotFound, none.StatusCode);
            Assert.Null(none.Record);
            Assert.Equal(SpfRecordStatus.NotFound, (await Report(dns, "nxdomain.example.com")).StatusCode);
            Assert.Equal(SpfRecordStatus.LookupFailed, (await Report(dns, "slow.example.com")).StatusCode);

            SpfRecordReport two = await Report(dns, "two.example.com");
            Assert.Equal(SpfRecordStatus.Invalid, two.StatusCode);
            Assert.Equal(2, two.Records.Count);
            Assert.Contains("SPF-MULTIPLE-RECORDS", two.Errors.Select(f => f.Id));

            SpfRecordReport bad = await Report(dns, "bad.example.com");
            Assert.Equal(SpfRecordStatus.Invalid, bad.StatusCode);
            Assert.Equal("ip4:192.0.2.0/33", bad.SyntaxError!.Term);
            Assert.Equal("SPF-SYNTAX", bad.Errors.Single().Id);
            Assert.Empty(bad.IncludeTree);
            Assert.Null(bad.IncludeRoot);

            // An input that is no domain is a status of its own, not a record's syntax error.
            SpfRecordReport invalid = await Report(dns, "not a domain");
            Assert.Equal(SpfRecordStatus.InvalidInput, invalid.StatusCode);
            Assert.Equal("SPF-INVALID-DOMAIN", invalid.Errors.Single().Id);
            Assert.Contains("(rule InvalidCharacter, RFC 1123 §2.1)", invalid.Reason);
            Assert.Equal("None", invalid.Verdict);
        }

        [Fact]
        public async Task FlagsATxtAnswerTooLargeForUdp()
        {
            var dns = new FakeDnsResolver().Txt("example.com", "v=spf1 ip4:192.0.2.0/24 -all");
            for (int i = 0; i < 4; i++)
            {
                dns.Txt("example.com", "verification-token-" + i + "=" + new string('x', 150));
            }

            SpfRecordReport report = await Report(dns);
            Assert.Contains("SPF-UDP-SIZE", report.Warnings.Select(f => f.Id));

            var small = new FakeDnsResolver().Txt("example.com", "v=spf1 ip4:192.0.2.0/24 -all");
            Assert.DoesNotContain("SPF-UDP-SIZE", (await Report(small)).Findings.Select(f => f.Id));
        }

        [Fact]
        public async Task ACorrectlySplitLongRecordIsNotFlaggedAsTooLong()
        {
            string text = "v=spf1 " + string.Join(" ", Enumerable.Range(1, 20).Select(i => $"ip4:198.51.{i}.0/24")) + " -all";
            var dns = new FakeDnsResolver().Txt("example.com", text.Substring(0, 200), text.Substring(200));
            SpfRecordReport report = await Report(dns);
            Assert.Equal(text, report.Record);
            Assert.DoesNotContain("SPF-STRING-TOO-LONG", report.Findings.Select(f => f.Id));
        }

        [Fact]
        public async Task AFanOutTreeIsCutInsteadOfExplodingExponentially()
        {
            // Eight levels of ten includes each, all shared: 10^8 paths, 81 distinct names.
            var dns = new FakeDnsResolver();
            for (int level = 0; level < 8; level++)
            {
                string includes = string.Join(" ", Enumerable.Range(0, 10).Select(i => $"include:n{level + 1}-{i}.example.net"));
                if (level == 0)
                {
                    dns.Txt("example.com", $"v=spf1 {includes} -all");
                }

                for (int i = 0; i < 10; i++)
                {
                    dns.Txt($"n{level + 1}-{i}.example.net", level == 7 ? "v=spf1 -all" : $"v=spf1 {string.Join(" ", Enumerable.Range(0, 10).Select(j => $"include:n{level + 2}-{j}.example.net"))} -all");
                }
            }

            SpfRecordReport report = await Report(dns);
            Assert.True(report.LookupLimitExceeded);
            int found = report.IncludeTree.Count(n => n.StatusCode == SpfIncludeStatus.Found);
            Assert.InRange(found, 1, 101);
            Assert.True(report.IncludeTree.Count < 2000);
            Assert.True(dns.QueryCount < 200, $"{dns.QueryCount} queries");
        }
    }
}
