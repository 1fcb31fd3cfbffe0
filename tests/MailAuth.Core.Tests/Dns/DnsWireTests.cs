using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Dns
{
    /// <summary>
    /// The resolver's own wire code: messages it must refuse to read, answers it must not take
    /// (wrong id, wrong question, wrong sender), and the socket it reuses.
    /// </summary>
    public sealed class DnsWireTests
    {
        public DnsWireTests()
        {
            TestProcess.Prepare(); // timer callbacks must not wait for a pool thread (TestProcess)
        }

        // ---- messages -------------------------------------------------------------------------

        [Fact]
        public void The_query_has_one_question_rd_and_an_edns_record()
        {
            byte[] query = DnsMessage.BuildQuery("_spf.Contoso.com", DnsRecordType.TXT, 1232);
            Assert.Equal(0x01, query[2]); // RD
            Assert.Equal(1, DnsMessage.ReadUInt16(query, 4)); // QDCOUNT
            Assert.Equal(1, DnsMessage.ReadUInt16(query, 10)); // ARCOUNT (OPT)
            Assert.Equal(new byte[] { 4, (byte)'_', (byte)'s', (byte)'p', (byte)'f', 7 }, query.Skip(12).Take(6));
            int opt = 12 + DnsMessage.QuestionLength(query);
            Assert.Equal(0, query[opt]); // root owner
            Assert.Equal(41, DnsMessage.ReadUInt16(query, opt + 1));
            Assert.Equal(1232, DnsMessage.ReadUInt16(query, opt + 3));
        }

        [Fact]
        public void Compression_pointers_are_followed_backwards_only()
        {
            byte[] query = DnsMessage.BuildQuery("example.com", DnsRecordType.MX, 1232);
            var answer = Response(query, Rr(Pointer(12), 15, 300, new byte[] { 0, 10, 4, (byte)'m', (byte)'a', (byte)'i', (byte)'l', 0xC0, 12 }));
            DnsWireResponse parsed = DnsMessage.Parse(answer, answer.Length);
            DnsRecord mx = Assert.Single(parsed.Answers);
            Assert.Equal("example.com", mx.Name);
            Assert.Equal("mail.example.com", mx.Target);
            Assert.Equal(10, mx.Preference);

            // A pointer to itself, and one pointing forward, would loop or read garbage.
            byte[] loop = Response(query, Rr(new byte[] { 0xC0, (byte)(12 + DnsMessage.QuestionLength(query)) }, 1, 300, new byte[] { 192, 0, 2, 1 }));
            Assert.Throws<FormatException>(() => DnsMessage.Parse(loop, loop.Length));
            byte[] forward = Response(query, Rr(new byte[] { 0xC0, 0xF0 }, 1, 300, new byte[] { 192, 0, 2, 1 }));
            Assert.Throws<FormatException>(() => DnsMessage.Parse(forward, forward.Length));
        }

        [Theory]
        [InlineData("short address", 1, new byte[] { 192, 0, 2 })]
        [InlineData("TXT string past its data", 16, new byte[] { 9, (byte)'v', (byte)'=' })]
        [InlineData("name past its data", 5, new byte[] { 3, (byte)'f', (byte)'o' })]
        public void Record_data_that_cannot_be_read_is_a_format_error(string why, int type, byte[] rdata)
        {
            byte[] query = DnsMessage.BuildQuery("example.com", (DnsRecordType)type, 1232);
            byte[] answer = Response(query, Rr(Pointer(12), type, 300, rdata));
            Assert.True(Assert.Throws<FormatException>(() => DnsMessage.Parse(answer, answer.Length)).Message.Length > 0, why);
            Assert.Throws<FormatException>(() => DnsMessage.Parse(answer, answer.Length - 2));
            Assert.Throws<FormatException>(() => DnsMessage.Parse(answer, 11));
        }

        [Fact]
        public void Txt_strings_ttls_and_an_extended_rcode_are_read()
        {
            byte[] query = DnsMessage.BuildQuery("example.com", DnsRecordType.TXT, 1232);
            var txt = new List<byte> { 6 };
            txt.AddRange(Encoding.ASCII.GetBytes("v=spf1"));
            txt.Add(5);
            txt.AddRange(Encoding.ASCII.GetBytes(" -all"));
            byte[] answer = Response(query, Rr(Pointer(12), 16, 0x80000000u, txt.ToArray()));
            DnsRecord record = Assert.Single(DnsMessage.Parse(answer, answer.Length).Answers);
            Assert.Equal("v=spf1 -all", record.Data);
            Assert.Equal(new[] { "v=spf1", " -all" }, record.TextStringList);
            Assert.Equal(0, record.Ttl); // RFC 2181 §8: the top bit set reads as zero

            // An OPT record in the answer carries the upper bits of the RCODE (RFC 6891 §6.1.3): BADVERS is 16.
            byte[] badvers = Response(query, null, opt: new byte[] { 0, 0, 41, 4, 208, 1, 0, 0, 0, 0, 0 });
            Assert.Equal(16, DnsMessage.Parse(badvers, badvers.Length).ResponseCode);
        }

        [Fact]
        public void Txt_records_of_random_character_strings_read_each_string_alone_and_join_them()
        {
            // RFC 1035 §3.3.14: zero or more <character-string>s, each a length octet and up to 255 octets.
            // Each is read as UTF-8 on its own (a sequence cut at a string boundary stays cut), and the
            // record's text is the strings joined with nothing between them (RFC 7208 §3.3).
            var random = new Random(7208);
            byte[] pieces = Encoding.UTF8.GetBytes("v=spf1 ip4:192.0.2.0/24 -all p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A é€😀\\\"");
            for (int trial = 0; trial < 500; trial++)
            {
                int count = trial == 0 ? 0 : random.Next(1, 7);
                var rdata = new List<byte>();
                var expected = new List<string>();
                for (int i = 0; i < count; i++)
                {
                    int length = random.Next(0, 256);
                    var octets = new byte[length];
                    for (int j = 0; j < length; j++)
                    {
                        // Mostly record-like text, sometimes any octet (invalid UTF-8 included).
                        octets[j] = random.Next(8) == 0 ? (byte)random.Next(256) : pieces[random.Next(pieces.Length)];
                    }

                    rdata.Add((byte)length);
                    rdata.AddRange(octets);
                    expected.Add(Encoding.UTF8.GetString(octets));
                }

                if (rdata.Count > 1200)
                {
                    continue; // beyond one UDP answer of this test's builder
                }

                byte[] query = DnsMessage.BuildQuery("example.com", DnsRecordType.TXT, 1232);
                byte[] answer = Response(query, Rr(Pointer(12), 16, 300, rdata.ToArray()));
                DnsRecord record = Assert.Single(DnsMessage.Parse(answer, answer.Length).Answers);
                Assert.Equal(expected, record.TextStringList);
                Assert.Equal(string.Concat(expected), record.Data);
                DnsRecord counted = record.WithTtl(12); // a cached answer's copy keeps the strings
                Assert.Equal(expected, counted.TextStringList);
                Assert.Equal(12, counted.Ttl);
            }
        }

        [Fact]
        public void An_owner_that_points_to_the_question_reads_as_the_query_name_only_when_the_question_does()
        {
            const string name = "www.example.com";
            byte[] query = DnsMessage.BuildQuery(name, DnsRecordType.A, 1232);
            byte[] a = { 192, 0, 2, 1 };
            var answers = new List<byte>(Rr(Pointer(12), 1, 60, a));
            answers.AddRange(Rr(Pointer(16), 1, 60, a)); // "example.com": a pointer into the question, not to it
            byte[] answer = Response(query, answers.ToArray());
            answer[7] = 2; // ANCOUNT

            string asked = string.Concat("www.", "example.com"); // a string of its own, to tell instances apart
            DnsWireResponse parsed = DnsMessage.Parse(answer, answer.Length, asked);
            Assert.Same(asked, parsed.Answers[0].Name);
            Assert.Equal("example.com", parsed.Answers[1].Name);

            // The question on the wire is what the owner is: another spelling of the name is not taken for it.
            DnsWireResponse other = DnsMessage.Parse(answer, answer.Length, "WWW.example.com");
            Assert.Equal(name, other.Answers[0].Name);
            Assert.Equal(name, DnsMessage.Parse(answer, answer.Length, "www.example.co").Answers[0].Name);
            Assert.Equal(name, DnsMessage.Parse(answer, answer.Length).Answers[0].Name);
        }

        [Fact]
        public void A_dot_inside_a_label_is_escaped_and_other_octets_kept()
        {
            byte[] query = DnsMessage.BuildQuery("example.com", DnsRecordType.PTR, 1232);
            byte[] target = { 3, (byte)'a', (byte)'.', (byte)'b', 3, (byte)'x', (byte)' ', (byte)'%', 0 };
            byte[] answer = Response(query, Rr(Pointer(12), 12, 60, target));
            Assert.Equal("a\\.b.x %", Assert.Single(DnsMessage.Parse(answer, answer.Length).Answers).Target);
        }

        [Fact]
        public void An_answer_is_taken_only_for_its_id_and_its_question()
        {
            byte[] query = DnsMessage.BuildQuery("example.com", DnsRecordType.A, 1232);
            DnsMessage.WriteId(query, 0x1234);
            byte[] good = Response(query, null);
            Assert.True(DnsMessage.AnswersQuery(good, good.Length, query));

            byte[] upper = (byte[])good.Clone();
            upper[13] = (byte)'E'; // 0x20 case change (RFC 1035 §7.3: names compare without case)
            Assert.True(DnsMessage.AnswersQuery(upper, upper.Length, query));

            byte[] otherId = (byte[])good.Clone();
            otherId[1] ^= 1;
            Assert.False(DnsMessage.AnswersQuery(otherId, otherId.Length, query));

            byte[] otherName = (byte[])good.Clone();
            otherName[14] = (byte)'y';
            Assert.False(DnsMessage.AnswersQuery(otherName, otherName.Length, query));

            byte[] notResponse = (byte[])good.Clone();
            notResponse[2] &= 0x7F;
            Assert.False(DnsMessage.AnswersQuery(notResponse, notResponse.Length, query));
        }

        [Fact]
        public void Resolv_conf_nameserver_lines_are_read()
        {
            IPAddress[] servers = SystemNameServers.ParseResolvConf(new[]
            {
                "# generated", "search contoso.com", "nameserver 192.0.2.53", "nameserver  2001:db8::53 # second",
                "; old", "nameserver fec0:0:0:ffff::1", "nameserver not-an-address", "options timeout:1",
            }).ToArray();
            Assert.Equal(new[] { IPAddress.Parse("192.0.2.53"), IPAddress.Parse("2001:db8::53") }, servers);
        }

        // ---- the socket ------------------------------------------------------------------------

        [Fact]
        public async Task A_stray_answer_with_another_question_is_ignored_and_the_real_one_taken()
        {
            using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var endPoint = (IPEndPoint)server.LocalEndPoint!;
            Task responder = Task.Run(() =>
            {
                var buffer = new byte[1500];
                EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                int n = server.ReceiveFrom(buffer, ref from);
                byte[] query = buffer.Take(n).ToArray();

                // A forger who guessed the id, for another name; then the server's answer.
                byte[] forged = DnsMessage.BuildQuery("forged.example.net", DnsRecordType.A, 1232);
                forged[0] = query[0];
                forged[1] = query[1];
                server.SendTo(Response(forged, Rr(Pointer(12), 1, 300, new byte[] { 203, 0, 113, 66 })), from);
                server.SendTo(Response(query, Rr(Pointer(12), 1, 300, new byte[] { 192, 0, 2, 10 })), from);
            });

            using var resolver = new DnsResolver(new DnsResolverOptions { Servers = new[] { endPoint }, Timeout = TimeSpan.FromSeconds(2), Retries = 0, UseCache = false });
            DnsResponse response = await resolver.QueryAsync("www.example.com", DnsRecordType.A);
            await responder;
            Assert.Equal(DnsLookupStatus.Found, response.StatusCode);
            Assert.Equal("192.0.2.10", Assert.Single(response.Records).Address);
        }

        [Fact]
        public async Task The_socket_is_replaced_after_512_queries_so_the_source_port_changes()
        {
            var zone = new DnsZone().Add("www.example.com", ZoneRecordType.A, "192.0.2.10");
            using LoopbackDnsServer server = LoopbackDnsServer.Start(zone);
            using var resolver = new DnsResolver(new DnsResolverOptions { Servers = new[] { server.EndPoint }, Timeout = TimeSpan.FromSeconds(3), Retries = 0, UseCache = false });
            for (int i = 0; i < DnsUdpClient.QueriesPerSocket + 10; i++)
            {
                Assert.Equal(DnsLookupStatus.Found, (await resolver.QueryAsync("www.example.com", DnsRecordType.A)).StatusCode);
            }

            int[] ports = server.Queries.Select(q => q.ClientPort).Distinct().ToArray();
            Assert.Equal(2, ports.Length);
            // An answer late past the RTO on a loaded machine brings a retransmission, which repeats its
            // query's id at once (these queries go one after another): such repeats count once.
            int[] first = server.Queries.Where(q => q.ClientPort == ports[0]).Select(q => q.Id).ToArray();
            Assert.Equal(DnsUdpClient.QueriesPerSocket, 1 + first.Zip(first.Skip(1), (a, b) => a != b ? 1 : 0).Sum());

            // Ids are random: 512 queries of one socket do not count up.
            int[] ids = server.Queries.Take(50).Select(q => q.Id).ToArray();
            Assert.True(ids.Distinct().Count() > 45);
            Assert.False(ids.Zip(ids.Skip(1), (a, b) => b - a).All(d => d == 1));
        }

        [Fact]
        public async Task A_closed_port_is_a_network_error_at_once_not_a_timeout()
        {
            int port;
            using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            {
                probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                port = ((IPEndPoint)probe.LocalEndPoint!).Port;
            }

            using var resolver = new DnsResolver(new DnsResolverOptions { Servers = new[] { new IPEndPoint(IPAddress.Loopback, port) }, Timeout = TimeSpan.FromSeconds(5), Retries = 0, UseCache = false });
            var clock = System.Diagnostics.Stopwatch.StartNew();
            DnsResponse response = await resolver.QueryAsync("www.example.com", DnsRecordType.A);
            Assert.Equal(DnsLookupStatus.Failed, response.StatusCode);
            Assert.Equal("NetworkError", response.ResponseCode);
            Assert.InRange(clock.ElapsedMilliseconds, 0, 4000);
        }

        [Fact]
        public async Task Many_queries_in_flight_on_one_socket_each_get_their_own_answer()
        {
            var zone = new DnsZone { DefaultLatency = TimeSpan.FromMilliseconds(5) };
            for (int i = 0; i < 200; i++)
            {
                zone.Add($"h{i}.example.com", ZoneRecordType.A, $"198.51.100.{i}");
            }

            using LoopbackDnsServer server = LoopbackDnsServer.Start(zone);
            using var resolver = new DnsResolver(new DnsResolverOptions { Servers = new[] { server.EndPoint }, Timeout = TimeSpan.FromSeconds(5), Retries = 0, UseCache = false });
            DnsResponse[] answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => resolver.QueryAsync($"h{i}.example.com", DnsRecordType.A)));
            for (int i = 0; i < 200; i++)
            {
                Assert.Equal($"198.51.100.{i}", Assert.Single(answers[i].Records).Address);
            }
        }

        // ---- building answers --------------------------------------------------------------------

        private static byte[] Pointer(int offset) => new[] { (byte)(0xC0 | (offset >> 8)), (byte)offset };

        private static byte[] Rr(byte[] owner, int type, uint ttl, byte[] rdata)
        {
            var rr = new List<byte>(owner) { (byte)(type >> 8), (byte)type, 0, 1, (byte)(ttl >> 24), (byte)(ttl >> 16), (byte)(ttl >> 8), (byte)ttl, (byte)(rdata.Length >> 8), (byte)rdata.Length };
            rr.AddRange(rdata);
            return rr.ToArray();
        }

        /// <summary>The query turned into a response (QR, RA), its question, one answer and an optional OPT.</summary>
        private static byte[] Response(byte[] query, byte[]? answer, byte[]? opt = null)
        {
            var message = new List<byte>(query.Take(12 + DnsMessage.QuestionLength(query)));
            message[2] = (byte)(message[2] | 0x80);
            message[3] = 0x80;
            message[6] = 0;
            message[7] = (byte)(answer is null ? 0 : 1);
            message[10] = 0;
            message[11] = (byte)(opt is null ? 0 : 1);
            if (answer != null)
            {
                message.AddRange(answer);
            }

            if (opt != null)
            {
                message.AddRange(opt);
            }

            return message.ToArray();
        }
    }
}
