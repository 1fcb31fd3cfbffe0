using System;
using System.Linq;
using System.Net;
using MailAuth.Spf;

namespace MailAuth.Core.Tests.Spf
{
    public class SpfRecordParserTests
    {
        [Fact]
        public void ParsesEveryMechanismAndModifierWithItsParts()
        {
            const string text = "v=spf1 +a -mx:example.com/24//64 ~ptr ?ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{i}.bl.example.com include:_spf.example.net all redirect=example.org exp=explain.%{d} foo.bar-x_y=some%{d}thing";
            SpfRecord record = SpfRecord.Parse(text);

            Assert.Equal(new[] { "a", "mx", "ptr", "ip4", "ip6", "exists", "include", "all", "redirect", "exp", "foo.bar-x_y" }, record.Terms.Select(t => t.Name));
            Assert.Equal(new[] { SpfQualifier.Pass, SpfQualifier.Fail, SpfQualifier.SoftFail, SpfQualifier.Neutral, SpfQualifier.Pass },
                record.Mechanisms.Take(5).Select(t => t.QualifierCode));
            Assert.True(record.Terms[0].HasExplicitQualifier);
            Assert.False(record.Terms[4].HasExplicitQualifier);

            SpfTerm mx = record.Terms[1];
            Assert.Equal("example.com", mx.DomainSpec);
            Assert.False(mx.HasMacros);
            Assert.Equal(24, mx.Ip4CidrLength);
            Assert.Equal(64, mx.Ip6CidrLength);
            Assert.Equal("-", mx.QualifierSymbol);

            SpfTerm ip4 = record.Terms[3];
            Assert.Equal("192.0.2.0", ip4.Network);
            Assert.Equal(24, ip4.Ip4CidrLength);
            Assert.Null(ip4.Ip6CidrLength);
            Assert.Equal("192.0.2.0/24", ip4.NetworkText);

            SpfTerm ip6 = record.Terms[4];
            Assert.Equal("2001:db8::", ip6.Network);
            Assert.Equal(32, ip6.Ip6CidrLength);

            Assert.Null(record.Terms[2].DomainSpec);
            Assert.True(record.Terms[5].HasMacros);
            Assert.Equal(SpfTermKind.Modifier, record.Terms[8].KindCode);
            Assert.Same(record.Terms[8], record.Redirect);
            Assert.Same(record.Terms[9], record.Explanation);
            Assert.Same(record.Terms[7], record.All);
            Assert.Equal("some%{d}thing", record.Terms[10].Value);

            // Each term's position points at its text in the record.
            foreach (SpfTerm term in record.Terms)
            {
                Assert.Equal(term.Text, text.Substring(term.Position, term.Text.Length));
            }

            Assert.Equal(Enumerable.Range(0, record.Terms.Count), record.Terms.Select(t => t.Index));
        }

        [Fact]
        public void CountsDnsQueryingTermsAndIgnoresRedirectWhenAllIsPresent()
        {
            Assert.Equal(6, SpfRecord.Parse("v=spf1 a mx ptr exists:x.example.com include:y.example.com ip4:192.0.2.1 redirect=z.example.com").DnsLookupTermCount);
            Assert.Equal(1, SpfRecord.Parse("v=spf1 a -all redirect=z.example.com").DnsLookupTermCount);
            Assert.Equal(0, SpfRecord.Parse("v=spf1 ip4:192.0.2.1 ip6:2001:db8::1 -all exp=e.example.com").DnsLookupTermCount);
        }

        [Fact]
        public void NamesAreCaseInsensitiveAndSpacesAreFree()
        {
            SpfRecord record = SpfRecord.Parse("V=SPF1   A:Example.COM   IP4:192.0.2.1  ~ALL ");
            Assert.Equal(new[] { "a", "ip4", "all" }, record.Terms.Select(t => t.Name));
            Assert.Equal(SpfQualifier.SoftFail, record.All!.QualifierCode);
        }

        [Fact]
        public void EachTextParsesToItsOwnRecordEvenWhenParsesAreShared()
        {
            // Parses are shared by exact text; texts that differ only in case, spacing or a qualifier are
            // other records (§4.6.1: names are case-insensitive, but the record keeps its text as published).
            string[] texts =
            {
                "v=spf1 include:_spf.example.net -all",
                "V=SPF1 INCLUDE:_spf.example.net -all",
                "v=spf1 include:_spf.example.net  -all",
                "v=spf1 include:_spf.example.net ~all",
                "v=spf1 include:_SPF.example.net -all",
            };
            foreach (string text in texts.Concat(texts))
            {
                SpfRecord record = SpfRecord.Parse(text);
                Assert.Equal(text, record.Text);
                Assert.Equal(text.EndsWith("~all", StringComparison.Ordinal) ? SpfQualifier.SoftFail : SpfQualifier.Fail, record.All!.QualifierCode);
                Assert.Equal(text.Contains("_SPF") ? "_SPF.example.net" : "_spf.example.net", record.Terms[0].Value);
            }

            Assert.Same(SpfRecord.Parse(texts[0]), SpfRecord.Parse(texts[0]));
            Assert.False(SpfRecord.TryParse("v=spf1 include:_spf.example.net -all foo", out _, out SpfSyntaxError? error));
            Assert.Equal("foo", error!.Term);

            // Many more texts than the shared parses hold: each still reads as itself.
            for (int i = 0; i < 5000; i++)
            {
                string text = "v=spf1 ip4:10." + (i / 256) + "." + (i % 256) + ".0/24 -all";
                Assert.Equal("10." + (i / 256) + "." + (i % 256) + ".0/24", SpfRecord.Parse(text).Terms[0].Value);
            }
        }

        [Theory]
        [InlineData("v=spf1", true)]
        [InlineData("v=spf1 -all", true)]
        [InlineData("V=SpF1 -all", true)]
        [InlineData("v=spf10 -all", false)]
        [InlineData("v=spf1a -all", false)]
        [InlineData(" v=spf1 -all", false)]
        [InlineData("v=spf2.0/pra -all", false)]
        [InlineData("", false)]
        [InlineData(null, false)]
        public void RecognisesTheVersionSection(string? text, bool expected)
        {
            Assert.Equal(expected, SpfRecord.IsSpfRecord(text));
        }

        [Theory]
        [InlineData("v=spf1 ip4:192.0.2.0/33", "ip4:192.0.2.0/33", 7, "CIDR length over 32")]
        [InlineData("v=spf1 ip6:2001:db8::/129", "ip6:2001:db8::/129", 7, "CIDR length over 128")]
        [InlineData("v=spf1 ip4:192.0.2.1/032", "ip4:192.0.2.1/032", 7, "leading zero")]
        [InlineData("v=spf1 ip4:192.0.2", "ip4:192.0.2", 7, "not an IPv4 address")]
        [InlineData("v=spf1 ip4:192.0.2.01", "ip4:192.0.2.01", 7, "not an IPv4 address")]
        [InlineData("v=spf1 ip4:192.0.2.256", "ip4:192.0.2.256", 7, "not an IPv4 address")]
        [InlineData("v=spf1 ip4:192.0.2.1:25", "ip4:192.0.2.1:25", 7, "not an IPv4 address")]
        [InlineData("v=spf1 ip4:192.0.2.1//32", "ip4:192.0.2.1//32", 7, "CIDR length")]
        [InlineData("v=spf1 ip4", "ip4", 7, "needs a network")]
        [InlineData("v=spf1 ip6::CAFE::BABE", "ip6::CAFE::BABE", 7, "not an IPv6 address")]
        [InlineData("v=spf1 ip6:192.0.2.1", "ip6:192.0.2.1", 7, "not an IPv6 address")]
        [InlineData("v=spf1 ip6:fe80::1%eth0", "ip6:fe80::1%eth0", 7, "not an IPv6 address")]
        [InlineData("v=spf1 a/33", "a/33", 7, "CIDR length over 32")]
        [InlineData("v=spf1 a//129", "a//129", 7, "CIDR length over 128")]
        [InlineData("v=spf1 mx/24/64", "mx/24/64", 7, "unexpected")]
        [InlineData("v=spf1 a:example.com:8080", "a:example.com:8080", 7, "valid top-level label")]
        [InlineData("v=spf1 a:museum", "a:museum", 7, "at least two labels")]
        [InlineData("v=spf1 a:111.222.33.44", "a:111.222.33.44", 7, "valid top-level label")]
        [InlineData("v=spf1 a:example.-com", "a:example.-com", 7, "valid top-level label")]
        [InlineData("v=spf1 a:", "a:", 7, "empty")]
        [InlineData("v=spf1 include:", "include:", 7, "empty")]
        [InlineData("v=spf1 include", "include", 7, "needs a domain")]
        [InlineData("v=spf1 include:example.com/24", "include:example.com/24", 7, "top-level label")]
        [InlineData("v=spf1 exists", "exists", 7, "needs a domain")]
        [InlineData("v=spf1 -all:foo", "-all:foo", 7, "no argument")]
        [InlineData("v=spf1 -all.", "-all.", 7, "no argument")]
        [InlineData("v=spf1 -all/8", "-all/8", 7, "no argument")]
        [InlineData("v=spf1 ptr/0", "ptr/0", 7, "no CIDR length")]
        [InlineData("v=spf1 ptr:", "ptr:", 7, "empty")]
        [InlineData("v=spf1 ip4:192.0.2.1 moo", "moo", 21, "unknown mechanism")]
        [InlineData("v=spf1 redirect:example.com", "redirect:example.com", 7, "is a modifier")]
        [InlineData("v=spf1 redirect=a.example.com redirect=b.example.com", "redirect=b.example.com", 30, "only once")]
        [InlineData("v=spf1 exp=a.example.com -all exp=b.example.com", "exp=b.example.com", 30, "only once")]
        [InlineData("v=spf1 redirect=", "redirect=", 7, "empty")]
        [InlineData("v=spf1 exp=-all", "exp=-all", 7, "at least two labels")]
        [InlineData("v=spf1 -foo=bar", "-foo=bar", 7, "no qualifier")]
        [InlineData("v=spf1 =all", "=all", 7, "needs a name")]
        [InlineData("v=spf1 1up=foo", "1up=foo", 7, "must begin with a letter")]
        [InlineData("v=spf1 foo=%abc", "foo=%abc", 7, "not a macro")]
        [InlineData("v=spf1 moo.cow/far_out=man", "moo.cow/far_out=man", 7, "unknown mechanism")]
        [InlineData("v=spf1 a:%{x}.example.com", "a:%{x}.example.com", 7, "unknown macro letter")]
        [InlineData("v=spf1 a:%{c}.example.com", "a:%{c}.example.com", 7, "only allowed in explanation")]
        [InlineData("v=spf1 exp=%{r}.example.com", "exp=%{r}.example.com", 7, "only allowed in explanation")]
        [InlineData("v=spf1 exists:%{d0}.example.com", "exists:%{d0}.example.com", 7, "must not be zero")]
        [InlineData("v=spf1 exists:%{ir:}.example.com", "exists:%{ir:}.example.com", 7, "not a macro delimiter")]
        [InlineData("v=spf1 exists:%{i.example.com", "exists:%{i.example.com", 7, "not closed")]
        [InlineData("v=spf1 exists:%{i", "exists:%{i", 7, "not closed")]
        [InlineData("v=spf1 exists:foo%.example.com", "exists:foo%.example.com", 7, "not a macro")]
        [InlineData("v=spf1 exists:foo.example.com%", "exists:foo.example.com%", 7, "at the end")]
        [InlineData("v=spf1 exists:%{}.example.com", "exists:%{}.example.com", 7, "empty macro")]
        [InlineData("v=spf1 a:foo.example.com\t-all", "a:foo.example.com\t-all", 7, "control character")]
        [InlineData("v=spf1 a:foo.example.com\0", "a:foo.example.com\0", 7, "control character")]
        [InlineData("v=spf1 a:b\u00fccher.example -all", "a:b\u00fccher.example", 7, "non-ASCII")]
        [InlineData("v=spf1 \u0096all", "\u0096all", 7, "non-ASCII")]
        public void RejectsInvalidTermsWithTermPositionAndReason(string text, string term, int position, string reason)
        {
            Assert.False(SpfRecord.TryParse(text, out SpfRecord? record, out SpfSyntaxError? error));
            Assert.Null(record);
            Assert.NotNull(error);
            Assert.Equal(term, error!.Term);
            Assert.Equal(position, error.Position);
            Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
            Assert.StartsWith(term + ": ", error.Message, StringComparison.Ordinal);

            SpfSyntaxException thrown = Assert.Throws<SpfSyntaxException>(() => SpfRecord.Parse(text));
            Assert.Equal(error.Message, thrown.Message);
            Assert.Equal(position, thrown.Error.Position);
        }

        [Fact]
        public void TheIssueExampleMessageReadsPlainly()
        {
            SpfSyntaxException error = Assert.Throws<SpfSyntaxException>(() => SpfRecord.Parse("v=spf1 ip4:192.0.2.0/33 -all"));
            Assert.Equal("ip4:192.0.2.0/33: CIDR length over 32", error.Message);
        }

        [Fact]
        public void RejectsTextThatIsNotAnSpfRecordAndNull()
        {
            Assert.False(SpfRecord.TryParse("v=spf10 -all", out _, out SpfSyntaxError? error));
            Assert.Null(error!.Term);
            Assert.Contains("v=spf1", error.Reason, StringComparison.Ordinal);
            Assert.False(SpfRecord.TryParse(null, out _, out _));
            Assert.Throws<ArgumentNullException>(() => SpfRecord.Parse(null!));
        }

        [Theory]
        [InlineData("v=spf1 a:foo.example.xn--zckzah -all")]
        [InlineData("v=spf1 a:foo:bar/baz.example.com")]
        [InlineData("v=spf1 mx:foo.example.com/24")]
        [InlineData("v=spf1 a:example.com. -all")]
        [InlineData("v=spf1 a:1-2.example.1-2")]
        [InlineData("v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all")]
        [InlineData("v=spf1 a:macro%%percent%_%_space%-url-space.example.com")]
        [InlineData("v=spf1 default=+")]
        [InlineData("v=spf1 foo=")]
        [InlineData("v=spf1 exists:%{d99999999999}.example.com")]
        [InlineData("v=spf1 ip4:0.0.0.0/0 ip6:::/0 ip6:::ffff:192.0.2.1/128")]
        [InlineData("v=spf1")]
        public void AcceptsValidEdgeCases(string text)
        {
            Assert.True(SpfRecord.TryParse(text, out SpfRecord? record, out SpfSyntaxError? error), error?.Message);
            Assert.Equal(text, record!.Text);
        }

        [Fact]
        public void ParsesAHugeRecordWithoutTrouble()
        {
            string text = "v=spf1 " + string.Join(" ", Enumerable.Range(0, 4000).Select(i => $"ip4:10.{i / 256}.{i % 256}.0/24")) + " -all";
            SpfRecord record = SpfRecord.Parse(text);
            Assert.Equal(4001, record.Terms.Count);
            Assert.Equal(0, record.DnsLookupTermCount);
        }

        [Fact]
        public void ParsesMacroTransformersAndDelimiters()
        {
            SpfRecord record = SpfRecord.Parse("v=spf1 exists:%{ir}.%{L2r+-}.%%%_%-.%{d}");
            SpfMacroPart[] parts = record.Terms[0].DomainSpecMacro!.Parts.ToArray();
            Assert.Equal(SpfMacroPartKind.Macro, parts[0].Kind);
            Assert.Equal('i', parts[0].Letter);
            Assert.True(parts[0].Reverse);
            Assert.Equal(0, parts[0].RightParts);
            Assert.Equal("", parts[0].Delimiters);

            SpfMacroPart l = parts[2];
            Assert.Equal('l', l.Letter);
            Assert.True(l.UrlEscape);
            Assert.Equal(2, l.RightParts);
            Assert.True(l.Reverse);
            Assert.Equal("+-", l.Delimiters);

            Assert.Equal(new[] { SpfMacroPartKind.Percent, SpfMacroPartKind.Space, SpfMacroPartKind.UrlSpace },
                parts.Skip(4).Take(3).Select(p => p.Kind));
        }
    }
}
