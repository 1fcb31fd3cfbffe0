using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using MailAuth.Posture;

namespace MailAuth.Core.Tests.Posture
{
    /// <summary>
    /// The tag=value list of RFC 6376 §3.2 (DKIM keys, and the same shape in DMARC-like records):
    /// tag-list = tag-spec *( ";" tag-spec ) [ ";" ], tag-spec = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS].
    /// </summary>
    public class TagListTests
    {
        private static readonly string[] s_wsp = { "", " ", "\t", "  ", "\r\n ", " \t" };

        [Fact]
        public void Random_tag_lists_with_white_space_around_every_part_read_back_as_their_pairs()
        {
            var random = new Random(6376);
            const string nameTail = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
            const string valueChars = "abcXYZ019+/=:-., _\t!~";
            for (int round = 0; round < 2000; round++)
            {
                var pairs = new List<(string Name, string Value)>();
                var used = new HashSet<string>(StringComparer.Ordinal);
                int count = random.Next(1, 8);
                while (pairs.Count < count)
                {
                    string name = ((char)('a' + random.Next(26))).ToString() + new string(Enumerable.Range(0, random.Next(0, 6)).Select(_ => nameTail[random.Next(nameTail.Length)]).ToArray());
                    if (!used.Add(name))
                    {
                        continue;
                    }

                    // A value neither starts nor ends with white space (that is FWS around it), and has no ";".
                    string value = new string(Enumerable.Range(0, random.Next(0, 40)).Select(_ => valueChars[random.Next(valueChars.Length)]).ToArray()).Trim(' ', '\t');
                    pairs.Add((name, value));
                }

                var text = new StringBuilder();
                for (int i = 0; i < pairs.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(';');
                    }

                    text.Append(W(random)).Append(pairs[i].Name).Append(W(random)).Append('=').Append(W(random)).Append(pairs[i].Value).Append(W(random));
                }

                if (random.Next(2) == 0)
                {
                    text.Append(';').Append(W(random));
                }

                Assert.True(TagList.TryParse(text.ToString(), false, out List<PostureTag> tags, out string? error), $"{text}: {error}");
                Assert.Equal(pairs, tags.Select(t => (t.Name, t.Value)));
            }
        }

        [Theory]
        [InlineData("v=DKIM1;;p=abc", "empty element")]
        [InlineData(";v=DKIM1", "empty element")]
        [InlineData("v=DKIM1; p", "has no '='")]
        [InlineData("v=DKIM1; 1p=abc", "not a tag name")]
        [InlineData("v=DKIM1; =abc", "not a tag name")]
        [InlineData("p=a; k=rsa; p=b", "more than once")]
        public void A_list_outside_the_grammar_is_refused_with_the_rule_it_breaks(string text, string reason)
        {
            Assert.False(TagList.TryParse(text, false, out _, out string? error));
            Assert.Contains(reason, error);
        }

        [Fact]
        public void Names_compare_without_case_when_asked_so_a_repeat_in_another_case_is_refused()
        {
            Assert.True(TagList.TryParse("V=1; v=2", false, out List<PostureTag> tags, out _));
            Assert.Equal(2, tags.Count);
            Assert.False(TagList.TryParse("V=1; v=2", true, out _, out string? error));
            Assert.Contains("more than once", error);
        }

        private static string W(Random random) => s_wsp[random.Next(s_wsp.Length)];
    }
}
