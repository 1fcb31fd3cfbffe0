using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailAuth.Headers;

namespace MailAuth.Core.Tests
{
    /// <summary>
    /// The one client-address parser: addresses shaped like real traffic (Exchange Online, Gmail,
    /// Amazon SES) and documentation ranges in every form, the refusals with their reasons, and a
    /// seeded property test over the whole IPv4 and IPv6 space.
    /// </summary>
    public sealed class ClientAddressTests
    {
        [Theory]
        // Exchange Online Protection outbound (40.92.0.0/15, 40.107.0.0/16, 52.100.0.0/15, 104.47.0.0/17, 2a01:111:f400::/48)
        [InlineData("52.100.165.209", "52.100.165.209")]
        [InlineData("40.92.18.45", "40.92.18.45")]
        [InlineData("40.107.22.41", "40.107.22.41")]
        [InlineData("104.47.17.97", "104.47.17.97")]
        [InlineData("2a01:111:f400:7e1b::200", "2a01:111:f400:7e1b::200")]
        [InlineData("2A01:0111:F400:7E1B:0000:0000:0000:0200", "2a01:111:f400:7e1b::200")]
        // Gmail (209.85.128.0/17, 2607:f8b0:4000::/36), Amazon SES (54.240.0.0/18)
        [InlineData("209.85.220.41", "209.85.220.41")]
        [InlineData("2607:f8b0:4864:20::52d", "2607:f8b0:4864:20::52d")]
        [InlineData("54.240.8.33", "54.240.8.33")]
        // Documentation ranges (RFC 5737, RFC 3849)
        [InlineData("192.0.2.25", "192.0.2.25")]
        [InlineData("198.51.100.7", "198.51.100.7")]
        [InlineData("203.0.113.45", "203.0.113.45")]
        [InlineData("2001:db8::25", "2001:db8::25")]
        // Literals and tags (RFC 5321 §4.1.3) and the forms logs write
        [InlineData("[52.100.165.209]", "52.100.165.209")]
        [InlineData("[IPv6:2a01:111:f400:7e1b::200]", "2a01:111:f400:7e1b::200")]
        [InlineData("[ipv6:2607:f8b0:4864:20::52d]", "2607:f8b0:4864:20::52d")]
        [InlineData("IPv6:2607:f8b0:4864:20::52d", "2607:f8b0:4864:20::52d")]
        [InlineData("[2607:f8b0:4864:20::52d]", "2607:f8b0:4864:20::52d")]
        [InlineData("  52.100.165.209\t", "52.100.165.209")]
        // IPv4-mapped and IPv4 tails (returned as written; SPF evaluates mapped addresses as IPv4)
        [InlineData("::ffff:52.100.165.209", "::ffff:52.100.165.209")]
        [InlineData("[IPv6:::FFFF:40.107.22.41]", "::ffff:40.107.22.41")]
        [InlineData("::ffff:3464:a5d1", "::ffff:52.100.165.209")]
        [InlineData("64:ff9b::192.0.2.1", "64:ff9b::c000:201")]
        // Edges
        [InlineData("0.0.0.0", "0.0.0.0")]
        [InlineData("255.255.255.255", "255.255.255.255")]
        [InlineData("::", "::")]
        [InlineData("::1", "::1")]
        [InlineData("1::", "1::")]
        [InlineData("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0")]
        [InlineData("fe80::1%eth0", "fe80::1")]
        public void Accepts_every_form_of_a_client_address(string text, string expected)
        {
            Assert.True(ClientAddress.TryParse(text, out IPAddress? address, out string? error), error);
            Assert.Null(error);
            Assert.Equal(IPAddress.Parse(expected), address);
            Assert.Equal(IPAddress.Parse(expected), ClientAddress.Parse(text));
        }

        [Theory]
        [InlineData("1.2", "inet_aton shorthand", "1.0.0.2")]
        [InlineData("127.1", "inet_aton shorthand", "127.0.0.1")]
        [InlineData("1.2.3", "inet_aton shorthand", "1.2.0.3")]
        [InlineData("0x7f.1", "inet_aton shorthand", "127.0.0.1")]
        [InlineData("0x7f000001", "inet_aton shorthand", "127.0.0.1")]
        [InlineData("4294967295", "inet_aton shorthand", "255.255.255.255")]
        [InlineData("0x34.0x64.0xa5.0xd1", "inet_aton shorthand", "52.100.165.209")]
        [InlineData("010.0.0.1", "leading zero", "octal 8")]
        [InlineData("052.100.165.209", "leading zero", "write 52.100.165.209 or 42.100.165.209")]
        [InlineData("52.100.165.09", "leading zero", "write 52.100.165.9")]
        [InlineData("256.1.1.1", "'256' is over 255", null)]
        [InlineData("52.100.1650.209", "'1650' is over 255", null)]
        [InlineData("1.2.3.4.5", "5 parts", null)]
        [InlineData("52.100..209", "empty part", null)]
        [InlineData("52.100.165.209.", "empty part", null)]
        [InlineData("mail.contoso.com", "host name", null)]
        [InlineData("contoso-com.mail.protection.outlook.com", "host name", null)]
        [InlineData("52.100.165.209:25", "port", null)]
        [InlineData("[52.100.165.209", "no ']' closes it", null)]
        [InlineData("52.100.165.209]", "no '[' opens", null)]
        [InlineData("[52.100.165.209]:25", "text after the ']'", null)]
        [InlineData("[]", "literal is empty", null)]
        [InlineData("[IPv6:52.100.165.209]", "IPv6: tag is followed by an IPv4 address", "[52.100.165.209]")]
        [InlineData("IPv6:", "nothing follows the IPv6: tag", null)]
        [InlineData("52.100.165 .209", "white space", null)]
        [InlineData("2a01:111:f400::7e1b::200", "more than once", null)]
        [InlineData("2a01:111:f400:7e1b:0:0:0:0:200", "9 groups", null)]
        [InlineData("2a01:111:f400:7e1b:200", "5 groups", null)]
        [InlineData("2a01:111:f400:7e1b:0:0:0::200", "8 groups and a '::'", null)]
        [InlineData("2a01:111:f4000::200", "more than four hex digits", null)]
        [InlineData("2a01:111:f4g0::200", "'g'", null)]
        [InlineData(":2a01:111:f400::200", "empty group", null)]
        [InlineData("2a01:111:f400::200:", "empty group", null)]
        [InlineData("2a01:::200", "':::'", null)]
        [InlineData("::ffff:1.2", "IPv4 part '1.2'", null)]
        [InlineData("::ffff:010.1.1.1", "leading zero", null)]
        [InlineData("1.2.3.4::1", "only be the last 32 bits", null)]
        [InlineData("fe80::1%", "zone", null)]
        public void Refuses_what_is_not_a_client_address_and_says_why(string text, string reason, string? more)
        {
            Assert.False(ClientAddress.TryParse(text, out IPAddress? address, out string? error));
            Assert.Null(address);
            Assert.StartsWith("'" + text.Trim() + "' is not a client IP address: ", error);
            Assert.Contains(reason, error);
            if (more != null)
            {
                Assert.Contains(more, error);
            }

            FormatException thrown = Assert.Throws<FormatException>(() => ClientAddress.Parse(text));
            Assert.Equal(error, thrown.Message);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("   ")]
        public void Empty_is_refused_as_empty(string? text)
        {
            Assert.False(ClientAddress.TryParse(text, out _, out string? error));
            Assert.Equal("The client address is empty.", error);
        }

        [Fact]
        public void Parse_checks_its_argument()
        {
            Assert.Throws<ArgumentNullException>(() => ClientAddress.Parse(null!));
            Assert.Throws<FormatException>(() => ClientAddress.Parse(""));
        }

        [Theory]
        [InlineData("[192.0.2.1]:51234", "192.0.2.1")]
        [InlineData("192.0.2.1:25", "192.0.2.1")]
        [InlineData("[IPv6:2a01:111:f400:7e1b::200]:25", "2a01:111:f400:7e1b::200")]
        [InlineData("52.100.165.209.", "52.100.165.209")]
        public void Trace_tokens_may_carry_a_port_or_a_trailing_dot(string text, string expected)
        {
            Assert.True(ClientAddress.TryParseTraceToken(text, out IPAddress? address));
            Assert.Equal(IPAddress.Parse(expected), address);
        }

        [Theory]
        [InlineData("[1]")]
        [InlineData("127.1")]
        [InlineData("[192.0.2.1]:99999")]
        [InlineData("010.0.0.1")]
        public void Trace_tokens_refuse_the_same_shorthands(string text)
        {
            Assert.False(ClientAddress.TryParseTraceToken(text, out _));
        }

        // ---- the whole space, every form ------------------------------------------------------

        /// <summary>Ranges real mail comes from (published SPF ranges) and the documentation ranges.</summary>
        private static readonly string[] s_realRanges =
        {
            "40.92.0.0/15", "40.107.0.0/16", "52.100.0.0/15", "104.47.0.0/17", // Exchange Online Protection
            "209.85.128.0/17", "74.125.0.0/16", // Google
            "54.240.0.0/18", // Amazon SES
            "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", // RFC 5737
            "2a01:111:f400::/48", "2607:f8b0:4000::/36", "2a00:1450:4000::/36", "2001:db8::/32",
        };

        [Fact]
        public void Random_ipv4_addresses_parse_in_every_form()
        {
            var random = new Random(20261202);
            var failures = new List<string>();
            foreach (byte[] bytes in RandomIPv4(random, 40000))
            {
                var expected = new IPAddress(bytes);
                string quad = string.Join(".", bytes.Select(b => b.ToString(CultureInfo.InvariantCulture)));
                foreach (string form in new[] { quad, "[" + quad + "]", " " + quad + " " })
                {
                    Check(form, expected, failures);
                }

                // IPv4-mapped, dotted and in hex, bare and as literals: the IPv6 address, which maps back.
                IPAddress mapped = expected.MapToIPv6();
                string hex = "::ffff:" + ((bytes[0] << 8) | bytes[1]).ToString("x", CultureInfo.InvariantCulture) + ":" + ((bytes[2] << 8) | bytes[3]).ToString("X", CultureInfo.InvariantCulture);
                foreach (string form in new[] { "::ffff:" + quad, "::FFFF:" + quad, "[IPv6:::ffff:" + quad + "]", "IPv6:::ffff:" + quad, hex, "0:0:0:0:0:ffff:" + quad })
                {
                    Check(form, mapped, failures);
                }

                // .NET's own parser agrees on every dotted quad we accept.
                if (!IPAddress.Parse(quad).Equals(expected))
                {
                    failures.Add(quad + ": IPAddress.Parse disagrees");
                }
            }

            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
        }

        [Fact]
        public void Random_ipv6_addresses_parse_in_every_form()
        {
            var random = new Random(13);
            var failures = new List<string>();
            foreach (ushort[] groups in RandomIPv6(random, 20000))
            {
                var bytes = new byte[16];
                for (int i = 0; i < 8; i++)
                {
                    bytes[2 * i] = (byte)(groups[i] >> 8);
                    bytes[2 * i + 1] = (byte)groups[i];
                }

                var expected = new IPAddress(bytes);
                foreach (string text in Ipv6Forms(groups, random))
                {
                    foreach (string form in new[] { text, "[" + text + "]", "[IPv6:" + text + "]", "IPv6:" + text, "ipv6:" + text.ToUpperInvariant() })
                    {
                        Check(form, expected, failures);
                    }

                    if (IPAddress.TryParse(text, out IPAddress? net) && !net.Equals(expected))
                    {
                        failures.Add(text + ": IPAddress.Parse disagrees");
                    }
                }
            }

            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
        }

        [Fact]
        public void Random_inet_aton_shorthands_are_refused_naming_what_they_would_mean()
        {
            var random = new Random(7208);
            var failures = new List<string>();
            foreach (byte[] b in RandomIPv4(random, 20000))
            {
                string quad = string.Join(".", b.Select(x => x.ToString(CultureInfo.InvariantCulture)));
                uint value = ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
                var shorthands = new List<string>
                {
                    value.ToString(CultureInfo.InvariantCulture),
                    "0x" + value.ToString("x", CultureInfo.InvariantCulture),
                    b[0] + "." + (value & 0xFFFFFF).ToString(CultureInfo.InvariantCulture),
                    b[0] + "." + b[1] + "." + (value & 0xFFFF).ToString(CultureInfo.InvariantCulture),
                    "0x" + b[0].ToString("x", CultureInfo.InvariantCulture) + "." + b[1] + "." + b[2] + "." + b[3],
                };
                foreach (string text in shorthands)
                {
                    if (text == quad)
                    {
                        continue;
                    }

                    if (ClientAddress.TryParse(text, out _, out string? error))
                    {
                        failures.Add(text + ": accepted");
                    }
                    else if (!error!.StartsWith("'" + text + "'", StringComparison.Ordinal) || !error.Contains("would read it as " + quad, StringComparison.Ordinal))
                    {
                        failures.Add(text + ": " + error);
                    }
                }

                // A part written with a leading zero is refused, with the decimal reading offered.
                int part = random.Next(4);
                string[] parts = b.Select(x => x.ToString(CultureInfo.InvariantCulture)).ToArray();
                parts[part] = "0" + parts[part];
                string padded = string.Join(".", parts);
                if (ClientAddress.TryParse(padded, out _, out string? zeroError) || !zeroError!.Contains("leading zero", StringComparison.Ordinal) || !zeroError.Contains(quad, StringComparison.Ordinal))
                {
                    failures.Add(padded + ": " + (zeroError ?? "accepted"));
                }
            }

            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
        }

        [Fact]
        public void Random_damaged_ipv6_text_is_refused()
        {
            var random = new Random(4291);
            var failures = new List<string>();
            foreach (ushort[] groups in RandomIPv6(random, 5000))
            {
                string full = string.Join(":", groups.Select(g => g.ToString("x", CultureInfo.InvariantCulture)));
                string[] damaged =
                {
                    full + ":1",                                   // nine groups
                    string.Join(":", groups.Take(7)),              // seven, no '::'
                    "1::" + string.Join(":", groups.Take(7)),      // '::' standing for nothing
                    full.Replace(":", "::"),                       // several '::'
                    full.Substring(0, full.LastIndexOf(':')) + ":1" + groups[7].ToString("x4", CultureInfo.InvariantCulture), // five digits
                    full + "g",
                };
                foreach (string text in damaged)
                {
                    if (ClientAddress.TryParse(text, out IPAddress? address, out string? error))
                    {
                        failures.Add(text + ": accepted as " + address);
                    }
                    else if (!error!.StartsWith("'" + text + "'", StringComparison.Ordinal))
                    {
                        failures.Add(text + ": " + error);
                    }
                }
            }

            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
        }

        [Fact]
        public void Received_Received_Spf_and_Authentication_Results_read_addresses_through_the_same_parser()
        {
            MailHop hop = ReceivedParser.Parse(0, "from mail-db8eur05on2041.outbound.protection.outlook.com (mail-db8eur05on2041.outbound.protection.outlook.com [52.100.165.209]) by mx.fabrikam.com with ESMTPS; Mon, 30 Nov 2026 09:14:02 +0000");
            Assert.Equal("52.100.165.209", hop.FromIp);
            MailHop v6 = ReceivedParser.Parse(0, "from mail-ej1-x62d.google.com (mail-ej1-x62d.google.com [IPv6:2A00:1450:4864:20::62D]) by mx.contoso.com; Mon, 30 Nov 2026 09:14:02 +0000");
            Assert.Equal("2a00:1450:4864:20::62d", v6.FromIp);
            MailHop shorthand = ReceivedParser.Parse(0, "from relay.example.net (relay.example.net [127.1]) by mx.contoso.com; Mon, 30 Nov 2026 09:14:02 +0000");
            Assert.Null(shorthand.FromIp);

            ReceivedSpfHeader spf = ReceivedSpfHeader.Parse(0, "pass (mx.contoso.com: domain of bounce@fabrikam.com designates 2607:F8B0:4864:20::52D as permitted sender) client-ip=\"2607:F8B0:4864:20::52D\"; envelope-from=\"bounce@fabrikam.com\";");
            Assert.Equal("2607:f8b0:4864:20::52d", spf.ClientIp);

            AuthenticationResultsHeader microsoft = AuthenticationResultsParser.Parse("Authentication-Results", 0,
                "spf=pass (sender IP is 52.100.165.209) smtp.mailfrom=contoso.com; dkim=pass (signature was verified) header.d=contoso.com; dmarc=pass action=none header.from=contoso.com;");
            Assert.Equal("52.100.165.209", microsoft.Results.First(r => r.Method == "spf").ClientIP);
            Assert.Null(microsoft.Results.First(r => r.Method == "dkim").ClientIP);

            AuthenticationResultsHeader google = AuthenticationResultsParser.Parse("Authentication-Results", 0,
                "mx.google.com; spf=pass (google.com: domain of bounce@fabrikam.com designates 209.85.220.41 as permitted sender) smtp.mailfrom=bounce@fabrikam.com; iprev=pass policy.iprev=[IPv6:2607:f8b0:4864:20::52d]");
            Assert.Equal("209.85.220.41", google.Results.First(r => r.Method == "spf").ClientIP);
            Assert.Equal("2607:f8b0:4864:20::52d", google.Results.First(r => r.Method == "iprev").ClientIP);

            AuthenticationResultsHeader bad = AuthenticationResultsParser.Parse("Authentication-Results", 0, "mx.example.net; spf=pass (sender IP is 127.1) smtp.mailfrom=example.com");
            Assert.Null(bad.Results.Single().ClientIP);
        }

        // ---- generators -----------------------------------------------------------------------

        private static void Check(string form, IPAddress expected, List<string> failures)
        {
            if (!ClientAddress.TryParse(form, out IPAddress? address, out string? error))
            {
                failures.Add(form + ": " + error);
            }
            else if (!address!.Equals(expected))
            {
                failures.Add(form + ": read as " + address + " instead of " + expected);
            }
        }

        /// <summary>Half uniform over the whole space, half inside the real-traffic ranges.</summary>
        private static IEnumerable<byte[]> RandomIPv4(Random random, int count)
        {
            (byte[] Network, int Prefix)[] ranges = s_realRanges.Where(r => r.IndexOf(':') < 0).Select(ParseRange).ToArray();
            for (int i = 0; i < count; i++)
            {
                var bytes = new byte[4];
                random.NextBytes(bytes);
                if (i % 2 == 1)
                {
                    (byte[] network, int prefix) = ranges[random.Next(ranges.Length)];
                    Fill(bytes, network, prefix);
                }

                yield return bytes;
            }
        }

        /// <summary>Uniform groups, groups zeroed at random (so '::' runs of every length occur), and real-traffic ranges.</summary>
        private static IEnumerable<ushort[]> RandomIPv6(Random random, int count)
        {
            (byte[] Network, int Prefix)[] ranges = s_realRanges.Where(r => r.IndexOf(':') >= 0).Select(ParseRange).ToArray();
            for (int i = 0; i < count; i++)
            {
                var bytes = new byte[16];
                random.NextBytes(bytes);
                if (i % 3 == 1)
                {
                    (byte[] network, int prefix) = ranges[random.Next(ranges.Length)];
                    Fill(bytes, network, prefix);
                }

                var groups = new ushort[8];
                double zero = random.NextDouble() * 0.8;
                for (int g = 0; g < 8; g++)
                {
                    groups[g] = random.NextDouble() < zero && g >= (i % 3 == 1 ? 3 : 0) ? (ushort)0 : (ushort)((bytes[2 * g] << 8) | bytes[2 * g + 1]);
                }

                yield return groups;
            }
        }

        /// <summary>Full (padded and not), compressed at a random zero run (RFC 4291 allows any), RFC 5952, mixed case, an IPv4 tail.</summary>
        private static IEnumerable<string> Ipv6Forms(ushort[] groups, Random random)
        {
            string[] plain = groups.Select(g => g.ToString("x", CultureInfo.InvariantCulture)).ToArray();
            yield return string.Join(":", plain);
            yield return string.Join(":", groups.Select(g => g.ToString("x4", CultureInfo.InvariantCulture)));
            yield return string.Join(":", groups.Select(g => g.ToString("X", CultureInfo.InvariantCulture)));

            var bytes = new byte[16];
            for (int i = 0; i < 8; i++)
            {
                bytes[2 * i] = (byte)(groups[i] >> 8);
                bytes[2 * i + 1] = (byte)groups[i];
            }

            yield return new IPAddress(bytes).ToString(); // RFC 5952

            var runs = new List<(int Start, int Length)>();
            for (int i = 0; i < 8; i++)
            {
                if (groups[i] != 0)
                {
                    continue;
                }

                int end = i;
                while (end < 8 && groups[end] == 0)
                {
                    end++;
                }

                for (int s = i; s < end; s++)
                {
                    for (int e = s + 1; e <= end; e++)
                    {
                        runs.Add((s, e - s));
                    }
                }

                i = end;
            }

            if (runs.Count > 0)
            {
                (int start, int length) = runs[random.Next(runs.Count)];
                yield return Compress(plain, start, length);
                yield return MixCase(Compress(plain, start, length), random);
            }

            // The last 32 bits as a dotted quad.
            string quad = bytes[12] + "." + bytes[13] + "." + bytes[14] + "." + bytes[15];
            yield return string.Join(":", plain.Take(6)) + ":" + quad;
            int headZeros = groups.Take(6).TakeWhile(g => g == 0).Count();
            if (headZeros > 0)
            {
                string rest = string.Join(":", plain.Skip(headZeros).Take(6 - headZeros));
                yield return "::" + (rest.Length > 0 ? rest + ":" : string.Empty) + quad;
            }
        }

        private static string Compress(string[] plain, int start, int length)
        {
            string head = string.Join(":", plain.Take(start));
            string tail = string.Join(":", plain.Skip(start + length));
            return head + "::" + tail;
        }

        private static string MixCase(string text, Random random)
        {
            var builder = new StringBuilder(text.Length);
            foreach (char c in text)
            {
                builder.Append(random.Next(2) == 0 ? char.ToUpperInvariant(c) : c);
            }

            return builder.ToString();
        }

        private static (byte[] Network, int Prefix) ParseRange(string cidr)
        {
            string[] parts = cidr.Split('/');
            return (IPAddress.Parse(parts[0]).GetAddressBytes(), int.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        /// <summary>Keeps the first <paramref name="prefix"/> bits of <paramref name="network"/>, random bits after.</summary>
        private static void Fill(byte[] bytes, byte[] network, int prefix)
        {
            for (int bit = 0; bit < prefix; bit++)
            {
                int mask = 0x80 >> (bit % 8);
                bytes[bit / 8] = (byte)((bytes[bit / 8] & ~mask) | (network[bit / 8] & mask));
            }
        }
    }
}
