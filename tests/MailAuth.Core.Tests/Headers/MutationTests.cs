using System;
using System.Text;
using MailAuth.Headers;

namespace MailAuth.Core.Tests.Headers
{
    /// <summary>Seeded random damage to the samples: a report or a MailHeaderFormatException, nothing else.</summary>
    public class MutationTests
    {
        private const string Specials = "()<>[];:=\"\\@.,/ \t\r\n=?";

        [Theory]
        [InlineData("phish-spf-pass-unaligned.txt", 1)]
        [InlineData("m365-clean-inbound.txt", 2)]
        [InlineData("gmail-to-exchange-arc.txt", 3)]
        [InlineData("mailing-list-dkim-broken.txt", 4)]
        [InlineData("spoof-dmarc-reject.txt", 5)]
        public void DamagedSamples_NeverCrash(string name, int seed)
        {
            var original = HeaderTestSupport.ReadSample(name);
            var random = new Random(seed);
            var reports = 0;
            for (var round = 0; round < 150; round++)
            {
                var sb = new StringBuilder(original);
                var edits = random.Next(1, 40);
                for (var e = 0; e < edits && sb.Length > 0; e++)
                {
                    var at = random.Next(sb.Length);
                    switch (random.Next(4))
                    {
                        case 0:
                            sb.Remove(at, Math.Min(sb.Length - at, random.Next(1, 30)));
                            break;
                        case 1:
                            sb.Insert(at, Specials[random.Next(Specials.Length)]);
                            break;
                        case 2:
                            sb[at] = (char)random.Next(0, 0x3000);
                            break;
                        default:
                            sb.Length = at;
                            break;
                    }
                }

                try
                {
                    foreach (var r in MailHeaderAnalyzer.AnalyzeText(sb.ToString(), HeaderTestSupport.Options()))
                    {
                        Assert.Equal(r.Findings.Count, r.FindingCount);
                        Assert.Equal(r.Hops.Count, r.HopCount);
                        reports++;
                    }
                }
                catch (MailHeaderFormatException ex)
                {
                    Assert.Equal("NoHeaderFields", ex.ErrorId);
                }
            }

            Assert.True(reports > 0);
        }
    }
}
