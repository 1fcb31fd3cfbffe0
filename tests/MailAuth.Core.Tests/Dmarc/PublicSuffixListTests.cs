using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;
using MailAuth.Names;
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
        public void A_name_over_253_octets_is_not_a_domain()
        {
            // RFC 1035 §2.3.4: 255 octets on the wire, 253 in text without the root's dot.
            string atLimit = string.Join(".", new[] { new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 57) }) + ".com";
            Assert.Equal(253, atLimit.Length);
            Assert.Equal(atLimit.Substring(atLimit.IndexOf("d", StringComparison.Ordinal)), PublicSuffixList.Embedded.GetRegistrableDomain(atLimit));
            string over = "e" + atLimit;
            Assert.Null(PublicSuffixList.Embedded.GetRegistrableDomain(over));
            Assert.Null(PublicSuffixList.Embedded.GetPublicSuffix(over));
            Assert.False(PublicSuffixList.Embedded.IsPublicSuffix(over));
        }

        [Fact]
        public void A_label_over_63_octets_is_not_a_domain()
        {
            Assert.Null(PublicSuffixList.Embedded.GetRegistrableDomain(new string('a', 64) + ".example.com"));
            Assert.Equal("example.com", PublicSuffixList.Embedded.GetRegistrableDomain(new string('a', 63) + ".example.com"));
        }

        [Fact]
        public void Thousands_of_labels_are_refused_not_matched()
        {
            // The defect: "a." x 16000 + "com" was taken as a.com after a quadratic walk.
            string hostile = string.Concat(System.Linq.Enumerable.Repeat("a.", 16000)) + "com";
            Assert.Null(PublicSuffixList.Embedded.GetRegistrableDomain(hostile));
            Assert.Null(PublicSuffixList.Embedded.GetPublicSuffix(hostile));
        }

        [Fact]
        public void Deep_names_within_the_limit_keep_their_organizational_domain()
        {
            // 100 labels of one letter: 199 + ".example.co.uk" octets, under 253.
            string deep = string.Concat(System.Linq.Enumerable.Repeat("x.", 100)) + "example.co.uk";
            Assert.Equal("example.co.uk", PublicSuffixList.Embedded.GetRegistrableDomain(deep));
            Assert.Equal("co.uk", PublicSuffixList.Embedded.GetPublicSuffix(deep));
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
