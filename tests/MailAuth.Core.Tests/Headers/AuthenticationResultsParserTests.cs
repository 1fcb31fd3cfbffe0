using System.Linq;
using MailAuth.Headers;

namespace MailAuth.Core.Tests.Headers
{
    /// <summary>RFC 8601 §2.2 tokenizer: examples shaped like RFC 8601 Appendix B plus real dialects.</summary>
    public class AuthenticationResultsParserTests
    {
        private static AuthenticationResultsHeader Parse(string value, string name = "Authentication-Results") =>
            AuthenticationResultsParser.Parse(name, 0, value);

        [Fact]
        public void NoResult_IsNone()
        {
            var h = Parse("example.org 1; none");
            Assert.Equal("example.org", h.AuthServId);
            Assert.Equal("1", h.Version);
            Assert.True(h.NoResult);
            Assert.Empty(h.Results);
        }

        [Fact]
        public void CommentsEverywhere_AreSkippedOrKept()
        {
            // CFWS with nested comments between every token (RFC 5322 §3.2.2).
            var h = Parse("example.com (the (nested) receiver);\r\n  spf (a comment) = (b) pass (sender ok)\r\n  smtp.mailfrom (c) = example.net");
            Assert.Equal("example.com", h.AuthServId);
            var spf = h.Results.Single();
            Assert.Equal("spf", spf.Method);
            Assert.Equal("pass", spf.Result);
            Assert.Equal("example.net", spf.GetProperty("smtp.mailfrom"));
            Assert.Contains("sender ok", spf.Comment);
        }

        [Fact]
        public void QuotedStrings_AndReason()
        {
            var h = Parse("mx.example.net; dkim=fail reason=\"signature; verification failed\" header.d=example.com header.b=\"ab=cd\"");
            var dkim = h.Results.Single();
            Assert.Equal("fail", dkim.Result);
            Assert.Equal("signature; verification failed", dkim.Reason);
            Assert.Equal("example.com", dkim.GetProperty("header.d"));
            Assert.Equal("ab=cd", dkim.GetProperty("header.b"));
        }

        [Fact]
        public void ParenthesesInsideQuotes_DoNotOpenComments()
        {
            var h = Parse("mx.example.net; auth=pass smtp.auth=\"user (x\" ; spf=fail smtp.mailfrom=a@example.com");
            Assert.Equal(new[] { "auth", "spf" }, h.Results.Select(r => r.Method));
            Assert.Equal("user (x", h.Results[0].GetProperty("smtp.auth"));
        }

        [Fact]
        public void MethodVersion_AndUnknownMethods()
        {
            var h = Parse("mx.example.net; dkim/1=pass header.i=@example.com; bimi=pass header.d=example.com header.selector=default policy.authority=pass; iprev=pass policy.iprev=192.0.2.1");
            Assert.Equal("1", h.Results[0].MethodVersion);
            Assert.Equal("dkim", h.Results[0].Method);
            Assert.Equal("bimi", h.Results[1].Method);
            Assert.Equal("pass", h.Results[1].GetProperty("policy.authority"));
            Assert.Equal("policy", h.Results[2].PropertyList.Single().Type);
            Assert.Equal("iprev", h.Results[2].PropertyList.Single().Name);
        }

        [Fact]
        public void Microsoft_MissingAuthServId_FirstSegmentIsResult()
        {
            var h = Parse("spf=softfail (sender IP is 192.0.2.9) smtp.mailfrom=example.com; dkim=none (message not signed) header.d=none;dmarc=none action=none header.from=example.com;compauth=softpass reason=201");
            Assert.Null(h.AuthServId);
            Assert.Equal(new[] { "spf", "dkim", "dmarc", "compauth" }, h.Results.Select(r => r.Method));
            Assert.Equal("softfail", h.Results[0].Result);
            Assert.Equal("none", h.Results[2].GetProperty("action"));
            Assert.Equal("", h.Results[2].PropertyList.First().Type);
            // The public text is the pairs as written, space separated (RFC 8601 §2.2 resinfo).
            Assert.Equal("action=none header.from=example.com", h.Results[2].Properties);
            Assert.Equal("201", h.Results[3].Reason);
        }

        [Fact]
        public void ArcVariant_ReadsInstanceThenAuthServId()
        {
            var h = Parse("i=3; lists.example.org; arc=pass (as.1.example.com=pass)", "ARC-Authentication-Results");
            Assert.Equal(3, h.ArcInstance);
            Assert.Equal("lists.example.org", h.AuthServId);
            Assert.Equal("pass", h.Results.Single().Result);
        }

        [Fact]
        public void ResultsAreLowerCase_PropertiesKeepCase()
        {
            var h = Parse("MX.Example.NET; SPF=PASS smtp.mailfrom=User@Example.COM");
            Assert.Equal("spf", h.Results[0].Method);
            Assert.Equal("pass", h.Results[0].Result);
            Assert.Equal("User@Example.COM", h.Results[0].GetProperty("SMTP.MAILFROM"));
        }

        [Theory]
        [InlineData("")]
        [InlineData(";;;;")]
        [InlineData("(unterminated comment; spf=pass")]
        [InlineData("\"unterminated quote; spf=pass")]
        [InlineData("= = = ;=;")]
        [InlineData("example.com; spf")]
        public void Garbage_NeverThrows(string value)
        {
            var h = Parse(value);
            Assert.NotNull(h);
            Assert.DoesNotContain(h.Results, r => r.Method.Length == 0);
        }
    }
}
