using System;
using System.Collections.Generic;
using System.Text;

namespace MailAuth.Fuzzing
{
    /// <summary>
    /// Seeded mutations of text inputs, the kinds coverage-guided fuzzers apply (bit and byte
    /// changes, insertions and deletions of bytes and dictionary tokens, splices of two seeds, runs
    /// repeated many times), deterministic for a seed so a failure can be replayed.
    /// </summary>
    public static class Mutator
    {
        // Tokens the parsers branch on: delimiters, quoting, encoded words, folding, keywords.
        private static readonly string[] s_tokens =
        {
            ";", ",", ":", "=", "(", ")", "[", "]", "<", ">", "\"", "\\", "@", ".", "..", "/", "%{", "}", "%%", "!",
            "\r\n", "\r\n ", "\n", "\t", " ", "\0", "=?utf-8?B?", "=?iso-8859-1?Q?", "?=", "IPv6:", "::", "v=spf1", "v=DMARC1",
            "include:", "redirect=", "exp=", "ip4:", "ip6:", "/33", "/129", "mailto:", "https://", "xn--", "Received: ",
            "Authentication-Results: ", "from ", " by ", " with ", " id ", " for ", "smtp.mailfrom=", "header.d=", "dkim=", "spf=",
            "\u00e9", "\u200b", "\ufeff", "\ud83d\ude00", "\ud800",
        };

        /// <summary>A mutation of <paramref name="input"/>, at most <paramref name="maxLength"/> characters long.</summary>
        public static string Mutate(string input, Random random, IReadOnlyList<string> seeds, int maxLength)
        {
            var text = new StringBuilder(input);
            int rounds = 1 + random.Next(random.Next(10) == 0 ? 40 : 4);
            for (int r = 0; r < rounds; r++)
            {
                int at = text.Length == 0 ? 0 : random.Next(text.Length + 1);
                switch (random.Next(9))
                {
                    case 0 when text.Length > 0:
                        int i = Math.Min(at, text.Length - 1);
                        text[i] = (char)(text[i] ^ (1 << random.Next(7)));
                        break;
                    case 1:
                        text.Insert(at, (char)random.Next(0, 256));
                        break;
                    case 2 when text.Length > 0:
                        int from = Math.Min(at, text.Length - 1);
                        text.Remove(from, Math.Min(text.Length - from, 1 + random.Next(16)));
                        break;
                    case 3:
                        text.Insert(at, s_tokens[random.Next(s_tokens.Length)]);
                        break;
                    case 4 when seeds.Count > 0:
                        string other = seeds[random.Next(seeds.Count)];
                        int start = other.Length == 0 ? 0 : random.Next(other.Length);
                        text.Insert(at, other.Substring(start, Math.Min(other.Length - start, 1 + random.Next(200))));
                        break;
                    case 5 when text.Length > 0:
                        // A run repeated: long lists, deep nesting, many labels.
                        int runStart = Math.Min(at, text.Length - 1);
                        string run = text.ToString(runStart, Math.Min(text.Length - runStart, 1 + random.Next(12)));
                        int times = random.Next(10) == 0 ? random.Next(1, 20000) : random.Next(1, 50);
                        var repeated = new StringBuilder(run.Length * times);
                        for (int t = 0; t < times && repeated.Length < 2_000_000; t++)
                        {
                            repeated.Append(run);
                        }

                        text.Insert(runStart, repeated.ToString());
                        break;
                    case 6 when text.Length > 1:
                        text.Length = random.Next(text.Length);
                        break;
                    case 7:
                        text.Insert(at, random.Next(2) == 0 ? int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-1");
                        break;
                    default:
                        text.Insert(at, new string(s_tokens[random.Next(s_tokens.Length)][0], 1 + random.Next(random.Next(10) == 0 ? 5000 : 20)));
                        break;
                }

                if (text.Length > maxLength)
                {
                    text.Length = maxLength;
                    break;
                }
            }

            return text.ToString();
        }
    }
}
