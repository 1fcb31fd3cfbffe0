using System;
using System.Linq;
using System.Text;

namespace MailAuth.Fuzzing
{
    /// <summary>
    /// Structured inputs built from the grammars' parts (RFC 7208 §12, RFC 7489 §6.4, RFC 5322
    /// §3.6.7, RFC 8601 §2.2), with lengths and repetitions drawn wide, so the parsers meet deep
    /// nesting, long lists and odd combinations that mutation of the seeds rarely reaches.
    /// </summary>
    internal static class Grammars
    {
        private static readonly string[] s_qualifiers = { "", "+", "-", "~", "?" };
        private static readonly string[] s_mechanisms = { "all", "include:", "a", "mx", "ptr", "ip4:", "ip6:", "exists:" };
        private static readonly string[] s_macroLetters = { "s", "l", "o", "d", "i", "p", "h", "c", "r", "t", "v" };
        private static readonly string[] s_dmarcTags = { "p", "sp", "np", "adkim", "aspf", "pct", "fo", "rf", "ri", "rua", "ruf", "psd", "t", "x" };
        private static readonly string[] s_methods = { "spf", "dkim", "dmarc", "arc", "compauth", "auth", "iprev", "bimi" };
        private static readonly string[] s_results = { "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "policy", "bestguesspass" };
        private static readonly string[] s_properties = { "smtp.mailfrom", "smtp.helo", "header.d", "header.i", "header.s", "header.from", "header.b", "policy.iprev" };

        /// <summary>A count that is usually small and sometimes very large.</summary>
        private static int Count(Random random, int usual, int rare) => random.Next(10) == 0 ? random.Next(rare) : random.Next(usual);

        private static string Label(Random random)
        {
            int length = random.Next(8) == 0 ? random.Next(1, 90) : random.Next(1, 12);
            var sb = new StringBuilder(length);
            for (int i = 0; i < length; i++)
            {
                sb.Append("abcdefghijklmnopqrstuvwxyz0123456789-_"[random.Next(38)]);
            }

            return sb.ToString();
        }

        private static string Domain(Random random) =>
            string.Join(".", Enumerable.Range(0, 1 + Count(random, 4, 300)).Select(_ => Label(random)));

        private static string Ip4(Random random) =>
            string.Join(".", Enumerable.Range(0, 4).Select(_ => random.Next(256)));

        private static string Ip6(Random random) =>
            string.Join(":", Enumerable.Range(0, 8).Select(_ => random.Next(65536).ToString("x", System.Globalization.CultureInfo.InvariantCulture)));

        public static string SpfMacro(Random random)
        {
            var sb = new StringBuilder();
            int parts = 1 + Count(random, 5, 500);
            for (int i = 0; i < parts; i++)
            {
                if (random.Next(2) == 0)
                {
                    sb.Append("%{").Append(s_macroLetters[random.Next(s_macroLetters.Length)]);
                    if (random.Next(2) == 0)
                    {
                        sb.Append(random.Next(0, 300));
                    }

                    if (random.Next(3) == 0)
                    {
                        sb.Append('r');
                    }

                    if (random.Next(3) == 0)
                    {
                        sb.Append(".-+,/_="[random.Next(7)]);
                    }

                    sb.Append('}');
                }
                else
                {
                    sb.Append(random.Next(4) == 0 ? "%%" : random.Next(4) == 0 ? "%_" : Label(random));
                }

                sb.Append('.');
            }

            return sb.ToString().TrimEnd('.');
        }

        public static string SpfRecord(Random random)
        {
            var sb = new StringBuilder("v=spf1");
            int terms = Count(random, 12, 5000);
            for (int i = 0; i < terms; i++)
            {
                sb.Append(' ').Append(s_qualifiers[random.Next(s_qualifiers.Length)]);
                string mechanism = s_mechanisms[random.Next(s_mechanisms.Length)];
                switch (mechanism)
                {
                    case "ip4:":
                        sb.Append(mechanism).Append(Ip4(random)).Append(random.Next(2) == 0 ? "/" + random.Next(0, 40) : string.Empty);
                        break;
                    case "ip6:":
                        sb.Append(mechanism).Append(Ip6(random)).Append(random.Next(2) == 0 ? "/" + random.Next(0, 140) : string.Empty);
                        break;
                    case "include:":
                    case "exists:":
                        sb.Append(mechanism).Append(random.Next(3) == 0 ? SpfMacro(random) : Domain(random));
                        break;
                    case "a":
                    case "mx":
                        sb.Append(mechanism);
                        if (random.Next(2) == 0)
                        {
                            sb.Append(':').Append(Domain(random));
                        }

                        if (random.Next(3) == 0)
                        {
                            sb.Append('/').Append(random.Next(0, 40)).Append("//").Append(random.Next(0, 140));
                        }

                        break;
                    default:
                        sb.Append(mechanism);
                        break;
                }
            }

            if (random.Next(3) == 0)
            {
                sb.Append(" redirect=").Append(Domain(random));
            }

            if (random.Next(3) == 0)
            {
                sb.Append(" exp=").Append(SpfMacro(random));
            }

            return sb.ToString();
        }

        public static string DmarcRecord(Random random)
        {
            var sb = new StringBuilder("v=DMARC1");
            int tags = Count(random, 10, 3000);
            // Past one TXT record's size the runner cuts the input anyway.
            for (int i = 0; i < tags && sb.Length < 70_000; i++)
            {
                string tag = s_dmarcTags[random.Next(s_dmarcTags.Length)];
                sb.Append(random.Next(4) == 0 ? ";" : "; ").Append(tag).Append('=');
                if (tag == "rua" || tag == "ruf")
                {
                    int uris = 1 + Count(random, 3, 20000);
                    for (int u = 0; u < uris && sb.Length < 70_000; u++)
                    {
                        sb.Append(u == 0 ? string.Empty : ",").Append(random.Next(5) == 0 ? string.Empty
                            : "mailto:" + Label(random) + "@" + Domain(random) + (random.Next(4) == 0 ? "!" + random.Next(100) + "km"[random.Next(2)] : string.Empty));
                    }
                }
                else
                {
                    sb.Append(random.Next(3) == 0 ? random.Next(-5, 200).ToString(System.Globalization.CultureInfo.InvariantCulture) : Label(random));
                }
            }

            return sb.ToString();
        }

        /// <summary>A tag=value list (DKIM keys, BIMI, MTA-STS, TLS-RPT records: RFC 6376 §3.2).</summary>
        public static string TagList(Random random)
        {
            int tags = 1 + Count(random, 8, 3000);
            return string.Join(";", Enumerable.Range(0, tags).Select(_ => " " + Label(random) + (random.Next(6) == 0 ? string.Empty : "=" + Label(random) + (random.Next(3) == 0 ? "+/=" : string.Empty))));
        }

        public static string Received(Random random)
        {
            var sb = new StringBuilder();
            sb.Append("from ").Append(Domain(random));
            int comments = Count(random, 2, 20);
            for (int i = 0; i < comments; i++)
            {
                int depth = 1 + Count(random, 2, 20000);
                sb.Append(" (").Append(new string('(', depth - 1)).Append(Domain(random)).Append(" [").Append(random.Next(2) == 0 ? Ip4(random) : "IPv6:" + Ip6(random)).Append(']').Append(new string(')', depth));
            }

            sb.Append(" by ").Append(Domain(random)).Append(" with ").Append(random.Next(2) == 0 ? "ESMTPS" : Label(random));
            sb.Append(" id ").Append(Label(random));
            if (random.Next(2) == 0)
            {
                sb.Append(" for <").Append(Label(random)).Append('@').Append(Domain(random)).Append('>');
            }

            sb.Append("; ").Append(random.Next(4) == 0 ? Label(random) : "Mon, 16 Nov 2026 09:14:02 +0000");
            return sb.ToString();
        }

        public static string AuthenticationResults(Random random)
        {
            var sb = new StringBuilder(Domain(random));
            if (random.Next(3) == 0)
            {
                sb.Append(' ').Append(random.Next(3));
            }

            int results = Count(random, 5, 3000);
            for (int i = 0; i < results; i++)
            {
                sb.Append(';').Append(random.Next(2) == 0 ? " " : "\r\n\t").Append(s_methods[random.Next(s_methods.Length)]).Append('=').Append(s_results[random.Next(s_results.Length)]);
                if (random.Next(3) == 0)
                {
                    sb.Append(" (").Append(Label(random)).Append(')');
                }

                int properties = Count(random, 3, 50);
                for (int p = 0; p < properties; p++)
                {
                    sb.Append(' ').Append(s_properties[random.Next(s_properties.Length)]).Append('=').Append(random.Next(2) == 0 ? Domain(random) : Label(random) + "@" + Domain(random));
                }
            }

            return sb.ToString();
        }

        public static string HeaderBlock(Random random)
        {
            var sb = new StringBuilder();
            int hops = Count(random, 6, 3000);
            for (int i = 0; i < hops; i++)
            {
                if (random.Next(4) == 0)
                {
                    sb.Append("Authentication-Results: ").Append(AuthenticationResults(random)).Append("\r\n");
                }

                sb.Append("Received: ").Append(Received(random)).Append("\r\n");
            }

            int words = Count(random, 3, 30000);
            sb.Append("From: ");
            for (int i = 0; i < words; i++)
            {
                sb.Append("=?utf-8?B?").Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(Label(random) + "@" + Domain(random)))).Append("?= ");
            }

            sb.Append('<').Append(Label(random)).Append('@').Append(Domain(random)).Append(">\r\n");
            sb.Append("Subject: ").Append(Label(random)).Append("\r\n");
            sb.Append("Date: Mon, 16 Nov 2026 09:13:58 +0000\r\n");
            sb.Append("X-Forefront-Antispam-Report: CIP:").Append(Ip4(random)).Append(";CTRY:US;LANG:en;SCL:").Append(random.Next(-2, 10)).Append(";SRV:;IPV:NLI;SFV:SPM;H:").Append(Domain(random)).Append(";PTR:;CAT:").Append(Label(random)).Append(";SFS:(").Append(random.Next()).Append(");DIR:INB;\r\n");
            return sb.ToString();
        }
    }
}
