using System;
using System.Linq;
using System.Text;
using MailAuth.Names;

namespace MailAuth.Core.Tests.Names
{
    public class DomainNameTests
    {
        private static readonly string s_label63 = new string('a', 63);

        // 3 × 63 + 62 + 3 dots = 254 octets: one over RFC 1035 §2.3.4's 253.
        private static readonly string s_name254 = string.Join(".", s_label63, s_label63, s_label63, new string('b', 62));

        [Theory]
        // As typed → the one form: lower case, no trailing dot (RFC 1034 §3.1, RFC 4343 §3).
        [InlineData("contoso.com", "contoso.com")]
        [InlineData("CONTOSO.COM.", "contoso.com")]
        // U-label → A-label (RFC 5891 §4.4 / UTS #46 ToASCII); an A-label stays.
        [InlineData("bücher.example", "xn--bcher-kva.example")]
        [InlineData("BÜCHER.example", "xn--bcher-kva.example")]
        [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
        // RFC 3490 §3.1: the ideographic full stop separates labels.
        [InlineData("contoso\u3002com", "contoso.com")]
        [InlineData("a-b.example", "a-b.example")]
        [InlineData("3com.example", "3com.example")]
        public void Host_names_take_one_form(string input, string expected)
        {
            Assert.Equal(expected, DomainName.Parse(input).Value);
        }

        [Theory]
        [InlineData("", DomainNameRule.Empty)]
        [InlineData(".", DomainNameRule.Empty)]
        [InlineData("d0..example", DomainNameRule.EmptyLabel)]
        [InlineData(".contoso.com", DomainNameRule.EmptyLabel)]
        [InlineData("a b.example", DomainNameRule.InvalidCharacter)]
        [InlineData("a\tb.example", DomainNameRule.InvalidCharacter)]
        [InlineData("a\u0001b.example", DomainNameRule.InvalidCharacter)]
        [InlineData("bad!.example", DomainNameRule.InvalidCharacter)]
        [InlineData("-bad-.example", DomainNameRule.Hyphen)]
        [InlineData("bad-.example", DomainNameRule.Hyphen)]
        [InlineData("-bad.example", DomainNameRule.Hyphen)]
        [InlineData("_dmarc.contoso.com", DomainNameRule.Underscore)]
        [InlineData("192.0.2.1", DomainNameRule.IpAddress)]
        [InlineData("2001:db8::1", DomainNameRule.IpAddress)]
        [InlineData("[2001:db8::1]", DomainNameRule.IpAddress)]
        [InlineData("[192.0.2.1]", DomainNameRule.IpAddress)]
        [InlineData("example.123", DomainNameRule.NumericTopLevelLabel)]
        [InlineData("xn--zz.example", DomainNameRule.InvalidIdn)]
        public void Host_names_refuse_by_rule(string input, DomainNameRule rule)
        {
            Assert.False(DomainName.TryParse(input, DomainNameKind.HostName, out DomainName? name, out DomainNameRule broken, out string? reason));
            Assert.Null(name);
            Assert.Equal(rule, broken);
            Assert.False(string.IsNullOrWhiteSpace(reason));

            var ex = Assert.Throws<DomainNameException>(() => DomainName.Parse(input));
            Assert.Equal(rule, ex.Rule);
            Assert.Contains("rule " + rule, ex.Message);
            Assert.Contains(DomainName.ReferenceOf(rule), ex.Message);
            Assert.Contains("'" + input + "'", ex.Message);
        }

        [Fact]
        public void Label_and_name_limits_are_those_of_RFC_1035()
        {
            Assert.Equal(s_label63 + ".example", DomainName.Parse(s_label63 + ".example").Value);
            Assert.Equal(DomainNameRule.LabelTooLong, Rule(new string('a', 64) + ".example"));

            string at253 = string.Join(".", s_label63, s_label63, s_label63, new string('b', 61));
            Assert.Equal(253, at253.Length);
            Assert.Equal(at253, DomainName.Parse(at253).Value);
            Assert.Equal(254, s_name254.Length);
            Assert.Equal(DomainNameRule.NameTooLong, Rule(s_name254));

            // The trailing root dot is not counted (RFC 1035 §2.3.4: 255 octets on the wire).
            Assert.Equal(at253, DomainName.Parse(at253 + ".").Value);

            // A label counts in octets of its A-label: 59 × "ü" gives one well over 63, which
            // UTS #46 ToASCII (VerifyDnsLength) refuses itself.
            Assert.Equal(DomainNameRule.InvalidIdn, Rule(new string('ü', 59) + ".example"));
        }

        [Theory]
        [InlineData("_dmarc.contoso.com")]
        [InlineData("selector1._domainkey.contoso.com")]
        [InlineData("_mta-sts.contoso.com")]
        [InlineData("_smtp._tls.contoso.com")]
        [InlineData("_spf.contoso.com")]
        public void Dns_names_take_underscore_labels(string input)
        {
            Assert.Equal(input, DomainName.Parse(input, DomainNameKind.DnsName).Value);
            Assert.Equal(DomainNameRule.Underscore, Rule(input));
        }

        [Theory]
        [InlineData("-bad-.example", DomainNameRule.Hyphen)]
        [InlineData("a b.example", DomainNameRule.InvalidCharacter)]
        [InlineData("d0..example", DomainNameRule.EmptyLabel)]
        [InlineData("192.0.2.1", DomainNameRule.IpAddress)]
        public void Dns_names_keep_the_other_rules(string input, DomainNameRule rule)
        {
            Assert.False(DomainName.TryParse(input, DomainNameKind.DnsName, out _, out DomainNameRule broken, out _));
            Assert.Equal(rule, broken);
        }

        [Fact]
        public void Qualified_names_have_two_labels()
        {
            Assert.True(DomainName.TryParseQualified("contoso.com", DomainNameKind.HostName, out _, out _, out _));
            Assert.False(DomainName.TryParseQualified("localhost", DomainNameKind.HostName, out _, out DomainNameRule rule, out _));
            Assert.Equal(DomainNameRule.NotQualified, rule);
            Assert.Equal("com", DomainName.Parse("com").Value);
        }

        [Fact]
        public void Names_compare_by_value_and_walk_up()
        {
            DomainName name = DomainName.Parse("Mail.Contoso.COM");
            Assert.Equal(DomainName.Parse("mail.contoso.com."), name);
            Assert.True(DomainName.Parse("mail.contoso.com") == name);
            Assert.Equal(3, name.LabelCount);
            Assert.Equal("contoso.com", name.Parent!.Value);
            Assert.Equal("com", name.LastLabels(1).Value);
            Assert.Null(DomainName.Parse("com").Parent);
            Assert.True(name.IsSameOrBelow(DomainName.Parse("contoso.com")));
            Assert.False(DomainName.Parse("notcontoso.com").IsSameOrBelow(DomainName.Parse("contoso.com")));
            Assert.Equal("bücher.example", DomainName.Parse("xn--bcher-kva.example").Unicode);
        }

        [Fact]
        public void Public_entries_check_their_arguments()
        {
            Assert.Throws<ArgumentNullException>(() => DomainName.Parse(null!));
            Assert.Throws<ArgumentNullException>(() => DomainName.Parse("contoso.com").IsSameOrBelow((DomainName)null!));
            Assert.Throws<ArgumentOutOfRangeException>(() => DomainName.Parse("contoso.com").LastLabels(0));
            Assert.Throws<ArgumentNullException>(() => DomainName.ParseSelector(null, "selector"));
            Assert.Throws<ArgumentNullException>(() => DomainNameInput.Require(null, "domain"));
            var ex = Assert.Throws<DomainNameException>(() => DomainName.ParseSelector("bad selector", "selector"));
            Assert.Equal(DomainNameRule.InvalidCharacter, ex.Rule);
            Assert.Equal("s1.2024", DomainName.ParseSelector("S1.2024", "selector"));
        }

        [Fact]
        public void Random_label_sequences_within_the_limits_are_taken_and_over_them_refused()
        {
            var random = new Random(19);
            const string ldh = "abcdefghijklmnopqrstuvwxyz0123456789";
            for (int i = 0; i < 2000; i++)
            {
                int count = random.Next(1, 9);
                var labels = Enumerable.Range(0, count).Select(_ =>
                {
                    int length = random.Next(1, 64);
                    var b = new StringBuilder();
                    for (int j = 0; j < length; j++)
                    {
                        // Inner hyphens only (RFC 1123 §2.1).
                        bool hyphen = j > 0 && j < length - 1 && random.Next(8) == 0;
                        b.Append(hyphen ? '-' : ldh[random.Next(ldh.Length)]);
                    }

                    return b.ToString();
                }).ToList();
                labels.Add("example");
                string name = string.Join(".", labels);
                bool fits = name.Length <= 253;
                bool xn = labels.Any(l => l.Length >= 4 && l[2] == '-' && l[3] == '-');
                if (xn)
                {
                    continue; // a random "ab--" label may be a reserved or invalid A-label; the IDN test covers those
                }

                Assert.Equal(fits, DomainName.TryParse(name, DomainNameKind.HostName, out DomainName? parsed, out DomainNameRule rule, out _));
                if (fits)
                {
                    Assert.Equal(name, parsed!.Value);
                    Assert.Equal(name, DomainName.Parse(name.ToUpperInvariant() + ".").Value);
                }
                else
                {
                    Assert.Equal(DomainNameRule.NameTooLong, rule);
                }

                // One label made one octet too long is refused whatever else the name holds.
                int k = random.Next(labels.Count);
                labels[k] = new string('q', 64);
                Assert.False(DomainName.TryParse(string.Join(".", labels), DomainNameKind.HostName, out _, out DomainNameRule over, out _));
                Assert.True(over == DomainNameRule.LabelTooLong || over == DomainNameRule.NameTooLong, over.ToString());
            }
        }

        [Fact]
        public void The_shortcut_for_names_already_in_one_form_agrees_with_the_rules()
        {
            // TryParse takes a name that is already lower-case LDH as it is; every other name goes through
            // the rules. On names built to sit on the shortcut's edges (digits, 0x, xn--, '_', hyphens at
            // ends, empty and over-long labels, case, trailing dots) the two give the same answer.
            var random = new Random(1035);
            string[] pieces = { "a", "z", "0", "9", "-", "_", ".", "x", "xn--", "0x", "1", "mail", "A", "é", "--", "ab--", "[", ":" };
            int shortcut = 0;
            for (int trial = 0; trial < 20000; trial++)
            {
                var text = new StringBuilder();
                int parts = random.Next(1, 12);
                for (int i = 0; i < parts; i++)
                {
                    text.Append(pieces[random.Next(pieces.Length)]);
                }

                if (random.Next(20) == 0)
                {
                    text.Append('a', random.Next(55, 70)); // near the 63-octet label limit
                }

                string name = text.ToString();
                foreach (DomainNameKind kind in new[] { DomainNameKind.HostName, DomainNameKind.DnsName })
                {
                    bool fast = DomainName.TryParse(name, kind, out DomainName? a, out DomainNameRule ruleA, out _);
                    bool full = DomainName.TryParseByRules(name, kind, out DomainName? b, out DomainNameRule ruleB, out _);
                    Assert.True(fast == full, $"'{name}' ({kind}): {fast} / {full} {ruleB}");
                    Assert.Equal(ruleB, ruleA);
                    if (fast)
                    {
                        Assert.Equal(b!.Value, a!.Value);
                        Assert.Equal(b.Labels, a.Labels);
                        Assert.Equal(b.Parent?.Value, a.Parent?.Value);
                        shortcut += ReferenceEquals(a.Value, name) ? 1 : 0;
                    }
                }
            }

            Assert.True(shortcut > 1000, $"only {shortcut} names took the shortcut");
        }

        [Fact]
        public void Random_unicode_labels_round_trip_through_their_A_labels()
        {
            var random = new Random(46);
            // Letters of a few scripts IDNA 2008 allows (PVALID): Latin-1 and Greek lower case, Cyrillic, CJK.
            char[][] scripts =
            {
                "abcdefghijklmnopqrstuvwxyzäöüßéèçñø".ToCharArray(),
                "αβγδεζηθικλμνξοπρστυφχψω".ToCharArray(),
                "абвгдежзийклмнопрстуфхцчшщыэюя".ToCharArray(),
                "中文域名测试例子网站邮件".ToCharArray(),
            };
            int taken = 0;
            for (int i = 0; i < 1000; i++)
            {
                char[] script = scripts[random.Next(scripts.Length)];
                int length = random.Next(1, 12);
                var b = new StringBuilder();
                for (int j = 0; j < length; j++)
                {
                    b.Append(script[random.Next(script.Length)]);
                }

                string input = b + ".example";
                if (!DomainName.TryParse(input, DomainNameKind.HostName, out DomainName? name, out DomainNameRule rule, out string? reason))
                {
                    // Refused only for a rule this names, never with an exception.
                    Assert.True(rule == DomainNameRule.InvalidIdn || rule == DomainNameRule.LabelTooLong, $"{input}: {rule} {reason}");
                    continue;
                }

                taken++;
                Assert.All(name!.Value, c => Assert.True(c < 0x80));
                // A-label → U-label → A-label gives the same name, and the A-label parses as itself.
                Assert.Equal(name, DomainName.Parse(name.Unicode));
                Assert.Equal(name, DomainName.Parse(name.Value));
            }

            Assert.True(taken > 900, $"only {taken} of 1000 random U-labels were taken");
        }

        private static DomainNameRule Rule(string input)
        {
            DomainName.TryParse(input, DomainNameKind.HostName, out _, out DomainNameRule rule, out _);
            return rule;
        }
    }
}
