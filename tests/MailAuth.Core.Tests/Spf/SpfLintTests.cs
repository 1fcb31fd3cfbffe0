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
        public void ChecksItsArguments()
        {
            Assert.Throws<ArgumentNullException>(() => SpfLinter.Lint((string)null!));
            Assert.Throws<ArgumentNullException>(() => SpfLinter.Lint((SpfRecord)null!));
        }
    }
}
