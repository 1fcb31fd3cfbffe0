using System;
using System.Collections.Generic;
using System.Linq;
using MailAuth.Spf;

namespace MailAuth.Core.Tests.Spf
{
    public class SpfLintTests
    {
        private static IReadOnlyList<string> Ids(string record) => SpfLinter.Lint(record, "example.com").Select(f => f.Id).ToArray();

        [Theory]
        [InlineData("v=spf1 ptr -all", "SPF-PTR")]
        [InlineData("v=spf1 exists:%{p}.list.example.com -all", "SPF-MACRO-P")]
        [InlineData("v=spf1 +all", "SPF-ALL-PASS")]
        [InlineData("v=spf1 all", "SPF-ALL-PASS")]
        [InlineData("v=spf1 ?all", "SPF-ALL-NEUTRAL")]
        [InlineData("v=spf1 ip4:192.0.2.1", "SPF-NO-ALL")]
        [InlineData("v=spf1 -all ip4:192.0.2.1", "SPF-TERMS-AFTER-ALL")]
        [InlineData("v=spf1 -all redirect=_spf.example.com", "SPF-REDIRECT-WITH-ALL")]
        [InlineData("v=spf1 ip4:192.0.2.1 ip4:192.0.2.1/32 -all", "SPF-IP-DUPLICATE")]
        [InlineData("v=spf1 ip4:192.0.2.0/24 ip4:192.0.2.128/25 -all", "SPF-IP-OVERLAP")]
        [InlineData("v=spf1 ip6:2001:db8::/32 ip6:2001:db8:1::/48 -all", "SPF-IP-OVERLAP")]
        [InlineData("v=spf1 ip4:192.0.2.1/24 -all", "SPF-IP-HOST-BITS")]
        [InlineData("v=spf1 ip4:0.0.0.0/0 -all", "SPF-IP-ALL")]
        [InlineData("v=spf1 a mx a:a.example.com a:b.example.com a:c.example.com a:d.example.com a:e.example.com a:f.example.com a:g.example.com a:h.example.com a:i.example.com -all", "SPF-LOOKUP-LIMIT")]
        [InlineData("v=spf1 -all moo=cow", "SPF-UNKNOWN-MODIFIER")]
        [InlineData("v=spf1 ip4:192.0.2.0/33 -all", "SPF-SYNTAX")]
        public void FlagsEachProblem(string record, string id)
        {
            Assert.Contains(id, Ids(record));
        }

        [Theory]
        [InlineData("v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all")]
        [InlineData("v=spf1 mx ~all")]
        [InlineData("v=spf1 redirect=_spf.example.com")]
        [InlineData("v=spf1 ip4:192.0.2.0/25 ip4:192.0.2.128/25 ip6:2001:db8::/32 -all exp=why.example.com")]
        public void AGoodRecordHasNoFindings(string record)
        {
            Assert.Empty(SpfLinter.Lint(record, "example.com"));
        }

        [Fact]
        public void NamesTheTermsThatAreNeverEvaluatedAndTheSyntaxProblem()
        {
            Finding after = SpfLinter.Lint("v=spf1 ~all mx a:x.example.com", "example.com").Single(f => f.Id == "SPF-TERMS-AFTER-ALL");
            Assert.Contains("mx a:x.example.com", after.Message, StringComparison.Ordinal);
            Assert.Equal(FindingSeverity.Warning, after.SeverityCode);

            Finding syntax = SpfLinter.Lint("v=spf1 ip4:192.0.2.0/33 -all").Single();
            Assert.Equal(FindingSeverity.Error, syntax.SeverityCode);
            Assert.Equal("ip4:192.0.2.0/33", syntax.Subject);
            Assert.Contains("CIDR length over 32", syntax.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void ALongRecordMustBeSplitAndMayNotFitUdp()
        {
            string medium = "v=spf1 " + string.Join(" ", Enumerable.Range(1, 20).Select(i => $"ip4:198.51.{i}.0/24")) + " -all";
            Assert.InRange(medium.Length, 256, 480);
            Assert.Contains("SPF-STRING-TOO-LONG", Ids(medium));
            Assert.DoesNotContain("SPF-UDP-SIZE", Ids(medium));

            string large = "v=spf1 " + string.Join(" ", Enumerable.Range(1, 40).Select(i => $"ip4:198.51.{i}.0/24")) + " -all";
            Assert.Contains("SPF-UDP-SIZE", Ids(large));

            Assert.DoesNotContain("SPF-STRING-TOO-LONG", Ids("v=spf1 ip4:192.0.2.0/24 -all"));
        }

        [Fact]
        public void Repeated_and_nested_ranges_are_named_in_one_finding_each()
        {
            // 203.0.113.64/26 lies in 203.0.113.0/24; 198.51.100.7 is listed twice; the /25s are disjoint.
            var findings = SpfLinter.Lint("v=spf1 ip4:203.0.113.0/24 ip4:198.51.100.7 ip4:203.0.113.64/26 ip4:192.0.2.0/25 ip4:192.0.2.128/25 ip4:198.51.100.7/32 -all", "example.com");
            Finding duplicate = findings.Single(f => f.Id == "SPF-IP-DUPLICATE");
            Assert.Equal("1 range is listed twice: 'ip4:198.51.100.7/32' repeats 'ip4:198.51.100.7'. Remove the repeats.", duplicate.Message);
            Finding nested = findings.Single(f => f.Id == "SPF-IP-OVERLAP");
            Assert.Equal("1 range lies inside wider ones: 'ip4:203.0.113.64/26' lies inside 'ip4:203.0.113.0/24' (redundant).", nested.Message);
        }

        [Fact]
        public void A_nested_range_with_another_qualifier_says_the_first_listed_decides()
        {
            Finding nested = SpfLinter.Lint("v=spf1 -ip4:192.0.2.8/29 ip4:192.0.2.0/24 -all", "example.com").Single(f => f.Id == "SPF-IP-OVERLAP");
            Assert.Contains("'-ip4:192.0.2.8/29' lies inside 'ip4:192.0.2.0/24' with another qualifier", nested.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void IPv4_and_IPv6_ranges_are_never_compared_with_each_other()
        {
            // ::ffff:192.0.2.0/120 is an IPv6 range, not 192.0.2.0/24 (RFC 7208 §5.6 keeps the families apart).
            Assert.DoesNotContain("SPF-IP-OVERLAP", Ids("v=spf1 ip4:192.0.2.0/24 ip6:::ffff:192.0.2.0/120 -all"));
        }

        [Fact]
        public void Four_thousand_ranges_give_two_findings_that_count_the_rest()
        {
            // The hostile record of the fuzzing campaign's shape: 4,000 ip4 terms, each /24 listed
            // twice, and a /16 over the first 1,000 of them.
            var terms = new List<string> { "ip4:10.0.0.0/16" };
            for (int i = 0; i < 2000; i++)
            {
                string range = $"ip4:10.{i / 256}.{i % 256}.0/24";
                terms.Add(range);
                terms.Add(range);
            }

            var findings = SpfLinter.Lint("v=spf1 " + string.Join(" ", terms) + " -all", "example.com");
            Finding duplicate = findings.Single(f => f.Id == "SPF-IP-DUPLICATE");
            Assert.StartsWith("2000 ranges are listed twice:", duplicate.Message, StringComparison.Ordinal);
            Assert.EndsWith("; and 1990 more. Remove the repeats.", duplicate.Message, StringComparison.Ordinal);
            Finding nested = findings.Single(f => f.Id == "SPF-IP-OVERLAP");
            // 10.0.0.0/16 holds 10.0.0.0/24 .. 10.0.255.0/24: the first 256 distinct /24s.
            Assert.StartsWith("256 ranges lie inside wider ones:", nested.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void ChecksItsArguments()
        {
            Assert.Throws<ArgumentNullException>(() => SpfLinter.Lint((string)null!));
            Assert.Throws<ArgumentNullException>(() => SpfLinter.Lint((SpfRecord)null!));
        }
    }
}
