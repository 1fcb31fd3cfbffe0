using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;
using MailAuth.Dmarc;

namespace MailAuth.Core.Tests.Dmarc
{
    public class PublicSuffixListTests
    {
        private static readonly Regex s_vector = new Regex(@"^checkPublicSuffix\((null|'[^']*'),\s*(null|'[^']*')\);", RegexOptions.CultureInvariant);

        /// <summary>The publicsuffix.org test vectors (tests/test_psl.txt, CC0): input → registrable domain.</summary>
        public static IEnumerable<object?[]> Vectors()
        {
            string path = RepositoryFiles.Conformance("publicsuffix/test_psl.txt");
            foreach (string line in File.ReadAllLines(path))
            {
                Match match = s_vector.Match(line.Trim());
                if (match.Success)
                {
                    yield return new object?[] { Unquote(match.Groups[1].Value), Unquote(match.Groups[2].Value) };
                }
            }
        }

        [Theory]
        [MemberData(nameof(Vectors))]
        public void RegistrableDomainMatchesThePublishedVectors(string? input, string? expected)
        {
            Assert.Equal(expected, PublicSuffixList.Embedded.GetRegistrableDomain(input));
        }

        [Fact]
        public void TheVectorFileIsReadWhole()
        {
            // 78 active vectors in the copied file (four "local" ones are commented out upstream).
            Assert.Equal(78, new List<object?[]>(Vectors()).Count);
        }

        [Fact]
        public void EmbeddedListHasBothSections()
        {
            PublicSuffixList list = PublicSuffixList.Embedded;
            Assert.True(list.RuleCount > 9000);
            Assert.Equal("embedded", list.Source);
            Assert.Equal(PublicSuffixSection.Icann, list.GetSection("example.co.uk"));
            Assert.Equal(PublicSuffixSection.Private, list.GetSection("someone.github.io"));

            // RFC 7489 §3.2 reads the whole list, so a PRIVATE suffix counts too.
            Assert.Equal("someone.github.io", list.GetRegistrableDomain("www.someone.github.io"));
            Assert.True(list.IsPublicSuffix("github.io"));
        }

        [Fact]
        public void WildcardAndExceptionRules()
        {
            PublicSuffixList list = PublicSuffixList.FromText("// test\nuk\nco.uk\n*.ck\n!www.ck\n");
            Assert.Equal(4, list.RuleCount);
            Assert.Equal("b.test.ck", list.GetRegistrableDomain("a.b.test.ck"));
            Assert.Equal("test.ck", list.GetPublicSuffix("a.b.test.ck"));
            Assert.Equal("www.ck", list.GetRegistrableDomain("a.www.ck"));
            Assert.Equal("ck", list.GetPublicSuffix("www.ck"));
            Assert.Null(list.GetRegistrableDomain("test.ck"));
            Assert.True(list.IsPublicSuffix("co.uk"));
            Assert.False(list.IsPublicSuffix("example.co.uk"));

            // An unlisted TLD falls to the implicit "*" rule.
            Assert.Equal("example.zz", list.GetRegistrableDomain("mail.example.zz"));
            Assert.Null(list.GetSection("example.zz"));
        }

        [Fact]
        public void ReplacementListChangesTheAnswer()
        {
            // With a list that knows nothing of co.uk, its Organizational Domain changes.
            PublicSuffixList small = PublicSuffixList.FromText("uk\n");
            Assert.Equal("co.uk", small.GetRegistrableDomain("www.example.co.uk"));
            Assert.Equal("example.co.uk", PublicSuffixList.Embedded.GetRegistrableDomain("www.example.co.uk"));
        }

        [Fact]
        public void LoadReadsAFileAndRejectsBadOnes()
        {
            string path = Path.Combine(Path.GetTempPath(), "psl-" + Guid.NewGuid().ToString("N") + ".dat");
            try
            {
                File.WriteAllText(path, "// ===BEGIN PRIVATE DOMAINS===\nexample\n");
                PublicSuffixList list = PublicSuffixList.Load(path);
                Assert.Equal(path, list.Source);
                Assert.Equal(PublicSuffixSection.Private, list.GetSection("a.example"));

                File.WriteAllText(path, "// only comments\n\n");
                FormatException format = Assert.Throws<FormatException>(() => PublicSuffixList.Load(path));
                Assert.Contains("no rule", format.Message, StringComparison.Ordinal);
            }
            finally
            {
                File.Delete(path);
            }

            FileNotFoundException missing = Assert.Throws<FileNotFoundException>(() => PublicSuffixList.Load(path));
            Assert.Contains(path, missing.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => PublicSuffixList.Load(" "));
            Assert.Throws<ArgumentNullException>(() => PublicSuffixList.FromText(null!));
        }

        private static string? Unquote(string value) => value == "null" ? null : value.Substring(1, value.Length - 2);
    }
}
