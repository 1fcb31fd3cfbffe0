using MailAuth.Names;

namespace MailAuth.Core.Tests.Names
{
    public class DomainNameInputTests
    {
        [Theory]
        [InlineData("contoso.com", "contoso.com", null)]
        [InlineData("CONTOSO.COM.", "contoso.com", null)]
        [InlineData(" contoso.com ", "contoso.com", "removed the white space around it")]
        [InlineData("user@contoso.com", "contoso.com", "taken as the domain of the address user@contoso.com")]
        [InlineData("https://www.contoso.com/path", "www.contoso.com", "taken as the host of the URL https://www.contoso.com/path")]
        [InlineData("http://Contoso.com:8080/a?b=c", "contoso.com", "taken as the host of the URL")]
        [InlineData("mailto:a@contoso.com", "contoso.com", "taken as the domain of the address a@contoso.com")]
        [InlineData("mailto:a@contoso.com?subject=x", "contoso.com", "taken as the domain of the address a@contoso.com")]
        [InlineData("contoso.com/contact", "contoso.com", "dropped the path")]
        [InlineData("Megan <megan@contoso.com>", "contoso.com", "angle brackets")]
        [InlineData("\"contoso.net\"", "contoso.net", "quotes")]
        [InlineData("bücher.example", "xn--bcher-kva.example", "A-label form xn--bcher-kva.example")]
        [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example", null)]
        [InlineData("a@b@contoso.com", "contoso.com", "the address a@b@contoso.com")]
        public void Reads_what_it_can_and_says_so(string input, string expected, string? note)
        {
            DomainNameInput read = DomainNameInput.Read(input);

            Assert.True(read.IsValid, read.Error);
            Assert.Equal(expected, read.Domain);
            Assert.Equal(DomainNameRule.None, read.Rule);
            Assert.Null(read.Error);
            if (note is null)
            {
                Assert.Null(read.Note);
                Assert.Null(read.VerboseNote);
            }
            else
            {
                Assert.Contains(note, read.Note);
                Assert.Equal($"'{input}' read as {expected}: {read.Note}.", read.VerboseNote);
            }
        }

        [Theory]
        [InlineData("", DomainNameRule.Empty, true)]
        [InlineData("   ", DomainNameRule.Empty, true)]
        [InlineData(null, DomainNameRule.Empty, true)]
        [InlineData("# a comment", DomainNameRule.Comment, true)]
        [InlineData("user@", DomainNameRule.Empty, false)]
        [InlineData("a b.example", DomainNameRule.InvalidCharacter, false)]
        [InlineData("-bad-.example", DomainNameRule.Hyphen, false)]
        [InlineData("bad-.example", DomainNameRule.Hyphen, false)]
        [InlineData("d0..example", DomainNameRule.EmptyLabel, false)]
        [InlineData("192.0.2.1", DomainNameRule.IpAddress, false)]
        [InlineData("[2001:db8::1]", DomainNameRule.IpAddress, false)]
        [InlineData("user@[192.0.2.1]", DomainNameRule.IpAddress, false)]
        [InlineData("https://192.0.2.1/", DomainNameRule.IpAddress, false)]
        [InlineData("ftp://contoso.com/", DomainNameRule.Url, false)]
        [InlineData("localhost", DomainNameRule.NotQualified, false)]
        [InlineData("_dmarc.contoso.com", DomainNameRule.Underscore, false)]
        public void Refuses_the_rest_by_rule(string? input, DomainNameRule rule, bool blankOrComment)
        {
            DomainNameInput read = DomainNameInput.Read(input);

            Assert.False(read.IsValid);
            Assert.Null(read.Domain);
            Assert.Null(read.Name);
            Assert.Equal(rule, read.Rule);
            Assert.Contains("rule " + rule, read.Error);
            Assert.Contains(DomainName.ReferenceOf(rule), read.Error);
            Assert.Equal(blankOrComment, read.IsBlankOrComment);
            Assert.Equal(rule, read.ToException().Rule);
        }

        [Fact]
        public void Ip_addresses_point_to_the_ip_report()
        {
            Assert.Contains("an IP address, not a domain; use Get-MailIpReport", DomainNameInput.Read("192.0.2.1").Error);
        }

        [Fact]
        public void Dns_names_and_single_labels_where_asked_for()
        {
            Assert.Equal("_dmarc.contoso.com", DomainNameInput.Read("_dmarc.contoso.com", DomainNameKind.DnsName).Domain);
            Assert.Equal("com", DomainNameInput.Read("com", DomainNameKind.DnsName, requireQualified: false).Domain);
            Assert.Equal(DomainNameRule.NotQualified, DomainNameInput.Read("com", DomainNameKind.DnsName).Rule);
        }

        [Fact]
        public void Over_long_names_are_refused_with_the_limit()
        {
            string label = new string('a', 60);
            DomainNameInput longName = DomainNameInput.Read(string.Join(".", label, label, label, label, label) + ".example");
            Assert.Equal(DomainNameRule.NameTooLong, longName.Rule);
            Assert.Contains("253", longName.Error);

            DomainNameInput longLabel = DomainNameInput.Read(new string('b', 64) + ".example");
            Assert.Equal(DomainNameRule.LabelTooLong, longLabel.Rule);
            Assert.Contains("63", longLabel.Error);
        }

        [Fact]
        public void Require_throws_the_named_rule()
        {
            Assert.Equal("contoso.com", DomainNameInput.Require("user@contoso.com", "domain"));
            var ex = Assert.Throws<DomainNameException>(() => DomainNameInput.Require("d0..example", "domain"));
            Assert.Equal(DomainNameRule.EmptyLabel, ex.Rule);
            Assert.Equal("domain", ex.ParamName);
            Assert.Contains(DomainNameInput.DomainAction, ex.Message);
        }

        [Theory]
        [InlineData("SMTP:user@contoso.com", "user@contoso.com")]
        [InlineData("smtp:user@contoso.com", "user@contoso.com")]
        [InlineData("user@contoso.com", "user@contoso.com")]
        [InlineData("SIP:user@contoso.com", null)]
        [InlineData("X500:/o=Org/ou=x", null)]
        public void Proxy_addresses_give_their_smtp_address(string proxy, string? expected)
        {
            Assert.Equal(expected, DomainNameInput.SmtpAddressOfProxy(proxy));
        }
    }
}
