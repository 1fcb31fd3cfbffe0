using MailAuth.DomainReport;

namespace MailAuth.Core.Tests.DomainReport
{
    public class DomainInputTests
    {
        [Theory]
        [InlineData("example.com", "example.com", null)]
        [InlineData("  Example.COM  ", "example.com", null)]
        [InlineData("example.com.", "example.com", "trailing dot")]
        [InlineData("https://www.Example.com/path?q=1", "www.example.com", "URL")]
        [InlineData("example.com/contact", "example.com", "path")]
        [InlineData("postmaster@example.org", "example.org", "address")]
        [InlineData("<user@example.org>", "example.org", "address")]
        [InlineData("\"example.net\"", "example.net", "quotes")]
        [InlineData("bücher.example", "xn--bcher-kva.example", "A-label")]
        public void NormalisesWhatItCanAndSaysSo(string input, string expected, string? noteContains)
        {
            DomainInput parsed = DomainInput.Parse(input);

            Assert.True(parsed.IsValid, parsed.Error);
            Assert.Equal(expected, parsed.Domain);
            if (noteContains is null)
            {
                Assert.Null(parsed.Note);
            }
            else
            {
                Assert.Contains(noteContains, parsed.Note);
            }
        }

        [Theory]
        [InlineData("", true)]
        [InlineData("   ", true)]
        [InlineData(null, true)]
        [InlineData("# a comment", true)]
        [InlineData("192.0.2.1", false)]
        [InlineData("[2001:db8::1]", false)]
        [InlineData("two words.example", false)]
        [InlineData("localhost", false)]
        [InlineData("a..b.example", false)]
        [InlineData("bad_char!.example", false)]
        [InlineData("-lead.example", false)]
        public void RejectsTheRestWithAReason(string? input, bool blankOrComment)
        {
            DomainInput parsed = DomainInput.Parse(input);

            Assert.False(parsed.IsValid);
            Assert.Null(parsed.Domain);
            Assert.False(string.IsNullOrWhiteSpace(parsed.Error));
            Assert.Equal(blankOrComment, parsed.IsBlankOrComment);
        }

        [Fact]
        public void OverLongNamesAreRejected()
        {
            string label = new string('a', 60);
            string name = string.Join(".", label, label, label, label, label) + ".example"; // over 300 characters
            DomainInput parsed = DomainInput.Parse(name);
            Assert.False(parsed.IsValid);
            Assert.Contains("253", parsed.Error);

            DomainInput longLabel = DomainInput.Parse(new string('b', 64) + ".example");
            Assert.False(longLabel.IsValid);
            Assert.Contains("63", longLabel.Error);
        }
    }
}
