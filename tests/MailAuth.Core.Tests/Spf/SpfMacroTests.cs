using System;
using System.Net;
using MailAuth.Spf;

namespace MailAuth.Core.Tests.Spf
{
    /// <summary>Macro expansion against the worked examples of RFC 7208 §7.4.</summary>
    public class SpfMacroTests
    {
        private static string Expand(string macro, string ip = "192.0.2.3", SpfMacroUse use = SpfMacroUse.DomainSpec, string local = "strong-bad")
        {
            Assert.True(SpfMacroString.TryParse(macro, use, out SpfMacroString? parsed, out string? reason), reason);
            var values = new SpfMacroValues
            {
                Sender = local + "@email.example.com",
                LocalPart = local,
                SenderDomain = "email.example.com",
                Domain = "email.example.com",
                Ip = IPAddress.Parse(ip),
                Helo = "mx.example.org",
                ReceiverName = "receiver.example.net",
                Timestamp = 1700000000,
            };
            return parsed!.Expand(values);
        }

        [Theory]
        [InlineData("%{s}", "strong-bad@email.example.com")]
        [InlineData("%{o}", "email.example.com")]
        [InlineData("%{d}", "email.example.com")]
        [InlineData("%{d4}", "email.example.com")]
        [InlineData("%{d3}", "email.example.com")]
        [InlineData("%{d2}", "example.com")]
        [InlineData("%{d1}", "com")]
        [InlineData("%{dr}", "com.example.email")]
        [InlineData("%{d2r}", "example.email")]
        [InlineData("%{l}", "strong-bad")]
        [InlineData("%{l-}", "strong.bad")]
        [InlineData("%{lr}", "strong-bad")]
        [InlineData("%{lr-}", "bad.strong")]
        [InlineData("%{l1r-}", "strong")]
        [InlineData("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com")]
        [InlineData("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com")]
        [InlineData("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com")]
        [InlineData("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com")]
        [InlineData("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net")]
        [InlineData("%{h}", "mx.example.org")]
        [InlineData("%{d999}", "email.example.com")]
        [InlineData("a%%b%_c%-d", "a%b c%20d")]
        public void ExpandsTheRfcExamples(string macro, string expected)
        {
            Assert.Equal(expected, Expand(macro));
        }

        [Fact]
        public void ExpandsIpv6AsNibbles()
        {
            // RFC 7208 §7.4 prints the nibbles in lower case; DNS names compare without case.
            Assert.Equal("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com",
                Expand("%{ir}.%{v}._spf.%{d2}", "2001:db8::cb01"), ignoreCase: true);
        }

        [Fact]
        public void ExplanationOnlyLettersExpandInExplanationText()
        {
            Assert.Equal("192.0.2.3 via receiver.example.net at 1700000000", Expand("%{c} via %{r} at %{t}", use: SpfMacroUse.Explanation));
            Assert.Equal("2001:db8::cb01", Expand("%{c}", "2001:db8::cb01", SpfMacroUse.Explanation));
            Assert.False(SpfMacroString.TryParse("%{c}", SpfMacroUse.DomainSpec, out _, out _));
            Assert.False(SpfMacroString.TryParse("a b", SpfMacroUse.DomainSpec, out _, out _));
        }

        [Fact]
        public void UpperCaseLettersAreUrlEscaped()
        {
            Assert.Equal("~jack%26jill%3Dup-a_b3.c", Expand("%{L}", local: "~jack&jill=up-a_b3.c"));
            Assert.Equal("Macro%20Error", Expand("%{L}", local: "Macro Error"));
        }

        [Fact]
        public void AMacroBombIsCappedInsteadOfGrowingWithoutBound()
        {
            string bomb = string.Concat(System.Linq.Enumerable.Repeat("%{s}", 2000));
            string local = new string('x', 64);
            string result = Expand(bomb, local: local);
            Assert.True(result.Length <= SpfMacroString.MaxExpansionLength);
        }
    }
}
