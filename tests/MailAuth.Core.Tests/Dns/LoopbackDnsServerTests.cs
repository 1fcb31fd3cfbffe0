using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Dns
{
    /// <summary>The loopback server itself, spoken to with hand-made messages over raw sockets.</summary>
    public sealed class LoopbackDnsServerTests
    {
        private const int TypeA = 1;
        private const int TypeTxt = 16;
        private const int TypeOpt = 41;

        [Fact]
        public async Task Udp_answer_is_authoritative_and_echoes_id_and_question()
        {
            using var server = LoopbackDnsServer.Start(new DnsZone().Add("www.example.com", ZoneRecordType.A, "192.0.2.10", ttl: 77));

            byte[] answer = await UdpExchangeAsync(server, Query(0x1234, "www.example.com", TypeA));

            Header header = Header.Read(answer);
            Assert.Equal(0x1234, header.Id);
            Assert.True(header.IsResponse);
            Assert.True(header.Authoritative);
            Assert.True(header.RecursionDesired);
            Assert.False(header.Truncated);
            Assert.Equal(0, header.Rcode);
            Assert.Equal(1, header.QuestionCount);
            Assert.Equal(1, header.AnswerCount);
            // The answer ends with TTL 77, RDLENGTH 4 and the address.
            Assert.Equal(new byte[] { 0, 0, 0, 77, 0, 4, 192, 0, 2, 10 }, answer.Skip(answer.Length - 10).ToArray());
            ServedQuery served = Assert.Single(server.Queries);
            Assert.Equal("www.example.com", served.Name);
            Assert.Equal(ZoneRecordType.A, served.Type);
            Assert.Equal(DnsTransport.Udp, served.Transport);
            Assert.Equal(0x1234, served.Id);
        }

        [Fact]
        public async Task Nxdomain_and_nodata_carry_the_soa_in_authority()
        {
            var zone = new DnsZone()
                .Add("example.com", ZoneRecordType.SOA, "ns.example.com hostmaster.example.com 7 3600 600 86400 42")
                .Add("www.example.com", ZoneRecordType.A, "192.0.2.1");
            using var server = LoopbackDnsServer.Start(zone);

            Header nx = Header.Read(await UdpExchangeAsync(server, Query(1, "missing.example.com", TypeA)));
            Header noData = Header.Read(await UdpExchangeAsync(server, Query(2, "www.example.com", TypeTxt)));
            byte[] emptyNonTerminal = await UdpExchangeAsync(server, Query(3, "example.com", TypeA));

            Assert.Equal(3, nx.Rcode);
            Assert.True(nx.Authoritative);
            Assert.Equal(0, nx.AnswerCount);
            Assert.Equal(1, nx.AuthorityCount);
            Assert.Equal(0, noData.Rcode);
            Assert.Equal(0, noData.AnswerCount);
            Assert.Equal(1, noData.AuthorityCount);
            // The SOA's MINIMUM (42) is the last field of the authority record.
            Assert.Equal(new byte[] { 0, 0, 0, 42 }, emptyNonTerminal.Skip(emptyNonTerminal.Length - 4).ToArray());
        }

        [Fact]
        public async Task Empty_non_terminal_is_nodata_not_nxdomain()
        {
            using var server = LoopbackDnsServer.Start(new DnsZone().AddTxt("_dmarc.example.com", "v=DMARC1; p=none"));

            Header header = Header.Read(await UdpExchangeAsync(server, Query(9, "example.com", TypeTxt)));

            Assert.Equal(0, header.Rcode);
            Assert.Equal(0, header.AnswerCount);
        }

        [Fact]
        public async Task Large_answer_is_truncated_over_udp_without_edns_and_complete_with_it()
        {
            using var server = LoopbackDnsServer.Start(new DnsZone().AddTxt("big.example.com", new string('y', 1000)));

            Header classic = Header.Read(await UdpExchangeAsync(server, Query(5, "big.example.com", TypeTxt)));
            byte[] withEdns = await UdpExchangeAsync(server, Query(6, "big.example.com", TypeTxt, ednsPayload: 4096));
            Header small = Header.Read(await UdpExchangeAsync(server, Query(7, "big.example.com", TypeTxt, ednsPayload: 600)));

            // RFC 1035 §4.2.1: over 512 octets without EDNS sets TC and drops the answers.
            Assert.True(classic.Truncated);
            Assert.Equal(0, classic.AnswerCount);
            Assert.False(Header.Read(withEdns).Truncated);
            Assert.Equal(1, Header.Read(withEdns).AnswerCount);
            Assert.True(withEdns.Length > 1000);
            Assert.True(small.Truncated);
        }

        [Fact]
        public async Task Several_tcp_queries_on_one_connection_are_all_answered()
        {
            var zone = new DnsZone()
                .Add("a.example.com", ZoneRecordType.A, "192.0.2.1")
                .Add("b.example.com", ZoneRecordType.A, "192.0.2.2")
                .AddTxt("big.example.com", new string('z', 3000))
                .SetLatency("a.example.com", TimeSpan.FromMilliseconds(150));
            using var server = LoopbackDnsServer.Start(zone);
            using var client = new TcpClient();
            await client.ConnectAsync(server.EndPoint.Address, server.EndPoint.Port);
            NetworkStream stream = client.GetStream();

            // Pipelined (RFC 7766 §6.2.1.1): all three sent before any answer is read.
            foreach ((int id, string name, int type) in new[] { (11, "a.example.com", TypeA), (12, "b.example.com", TypeA), (13, "big.example.com", TypeTxt) })
            {
                byte[] query = Query(id, name, type);
                await stream.WriteAsync(new[] { (byte)(query.Length >> 8), (byte)query.Length }.Concat(query).ToArray());
            }

            var answers = new Dictionary<int, byte[]>();
            for (int i = 0; i < 3; i++)
            {
                byte[] answer = await ReadFramedAsync(stream);
                answers[Header.Read(answer).Id] = answer;
            }

            Assert.Equal(new[] { 11, 12, 13 }, answers.Keys.OrderBy(k => k));
            Assert.All(answers.Values, a => Assert.Equal(1, Header.Read(a).AnswerCount));
            Assert.True(answers[13].Length > 3000);
            Assert.False(Header.Read(answers[13]).Truncated);
            Assert.Equal(3, server.TcpQueryCount);
            Assert.Equal(0, server.UdpQueryCount);
            Assert.All(server.Queries, q => Assert.Equal(DnsTransport.Tcp, q.Transport));
        }

        [Fact]
        public async Task Compressed_names_in_the_query_are_read()
        {
            using var server = LoopbackDnsServer.Start(new DnsZone().Add("www.example.com", ZoneRecordType.A, "192.0.2.10"));

            // Question "www.example.com", then an additional record whose owner is a pointer to
            // "example.com" inside the question (offset 16), then an OPT record with 4096.
            var message = new List<byte>(Query(0x4242, "www.example.com", TypeA));
            message[11] = 2; // ARCOUNT
            message.AddRange(new byte[] { 0xC0, 16, 0, TypeTxt, 0, 1, 0, 0, 0, 0, 0, 1, 0 }); // owner ptr, TXT, IN, TTL 0, RDLENGTH 1, empty string
            message.AddRange(new byte[] { 0, 0, TypeOpt, 0x10, 0x00, 0, 0, 0, 0, 0, 0 });

            Header header = Header.Read(await UdpExchangeAsync(server, message.ToArray()));

            Assert.Equal(0x4242, header.Id);
            Assert.Equal(0, header.Rcode);
            Assert.Equal(1, header.AnswerCount);
            Assert.Equal("www.example.com", Assert.Single(server.Queries).Name);
        }

        [Theory]
        [InlineData(12)] // points at its own first label: a loop
        [InlineData(40)] // points forward, past the end
        public async Task Bad_compression_pointer_in_the_question_gets_formerr(int pointer)
        {
            using var server = LoopbackDnsServer.Start(new DnsZone().Add("www.example.com", ZoneRecordType.A, "192.0.2.10"));

            var message = new List<byte>(Header.Bytes(0x5151, qd: 1));
            message.AddRange(new byte[] { 3, (byte)'w', (byte)'w', (byte)'w', 0xC0, (byte)pointer, 0, TypeA, 0, 1 });

            Header header = Header.Read(await UdpExchangeAsync(server, message.ToArray()));

            Assert.Equal(0x5151, header.Id);
            Assert.Equal(1, header.Rcode);
            Assert.Equal(0, header.AnswerCount);
        }

        [Fact]
        public async Task Unparseable_query_gets_formerr_and_the_server_keeps_serving()
        {
            using var server = LoopbackDnsServer.Start(new DnsZone().Add("example.com", ZoneRecordType.A, "192.0.2.10"));

            // QDCOUNT 1 but the label claims 40 octets and the message ends.
            var broken = new List<byte>(Header.Bytes(0x0707, qd: 1));
            broken.AddRange(new byte[] { 40, (byte)'a', (byte)'b' });
            Header formErr = Header.Read(await UdpExchangeAsync(server, broken.ToArray()));
            Header ok = Header.Read(await UdpExchangeAsync(server, Query(8, "example.com", TypeA)));

            Assert.Equal(0x0707, formErr.Id);
            Assert.Equal(1, formErr.Rcode);
            Assert.Equal(0, ok.Rcode);
            Assert.Equal(1, ok.AnswerCount);
            Assert.Equal(2, server.QueryCount);
        }

        [Fact]
        public async Task Faults_answer_as_scripted()
        {
            var zone = new DnsZone()
                .Add("sf.example.com", ZoneRecordType.A, "192.0.2.1").AddFault("sf.example.com", DnsFault.ServFail)
                .AddFault("ref.example.com", DnsFault.Refused)
                .Add("nx.example.com", ZoneRecordType.A, "192.0.2.1").AddFault("nx.example.com", DnsFault.NxDomain)
                .Add("tc.example.com", ZoneRecordType.A, "192.0.2.1").AddFault("tc.example.com", DnsFault.Truncate)
                .AddFault("junk.example.com", DnsFault.Garbage);
            using var server = LoopbackDnsServer.Start(zone);

            Assert.Equal(2, Header.Read(await UdpExchangeAsync(server, Query(1, "sf.example.com", TypeA))).Rcode);
            Assert.Equal(5, Header.Read(await UdpExchangeAsync(server, Query(2, "ref.example.com", TypeA))).Rcode);
            Assert.Equal(3, Header.Read(await UdpExchangeAsync(server, Query(3, "nx.example.com", TypeA))).Rcode);

            Header truncated = Header.Read(await UdpExchangeAsync(server, Query(4, "tc.example.com", TypeA)));
            Assert.True(truncated.Truncated);
            Assert.Equal(0, truncated.AnswerCount);
            Header overTcp = Header.Read(await TcpExchangeAsync(server, Query(5, "tc.example.com", TypeA)));
            Assert.False(overTcp.Truncated);
            Assert.Equal(1, overTcp.AnswerCount);

            byte[] garbage = await UdpExchangeAsync(server, Query(0x6161, "junk.example.com", TypeA));
            Assert.Equal(0x6161, Header.Read(garbage).Id);
            Assert.True(garbage.Length < 40);
        }

        [Fact]
        public async Task Timeout_fault_never_answers_and_latency_delays()
        {
            var zone = new DnsZone()
                .AddFault("hang.example.com", DnsFault.Timeout)
                .Add("slow.example.com", ZoneRecordType.A, "192.0.2.1")
                .SetLatency("slow.example.com", TimeSpan.FromMilliseconds(200));
            using var server = LoopbackDnsServer.Start(zone);
            using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

            await udp.SendAsync(Query(1, "hang.example.com", TypeA), server.EndPoint);
            Task<UdpReceiveResult> receive = udp.ReceiveAsync();
            await Task.Delay(300);
            Assert.False(receive.IsCompleted);

            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            await udp.SendAsync(Query(2, "slow.example.com", TypeA), server.EndPoint);
            UdpReceiveResult slow = await receive.WaitAsync(TimeSpan.FromSeconds(2));
            Assert.Equal(2, Header.Read(slow.Buffer).Id);
            Assert.InRange(stopwatch.ElapsedMilliseconds, 190, 1500);
        }

        [Fact]
        public async Task Type_specific_fault_and_cname_following_and_counters()
        {
            var zone = new DnsZone()
                .Add("www.example.com", ZoneRecordType.CNAME, "host.example.com")
                .Add("host.example.com", ZoneRecordType.A, "192.0.2.5")
                .Add("dangling.example.com", ZoneRecordType.CNAME, "gone.example.com")
                .AddFault("host.example.com", DnsFault.ServFail, ZoneRecordType.TXT);
            using var server = LoopbackDnsServer.Start(zone);

            Header followed = Header.Read(await UdpExchangeAsync(server, Query(1, "www.example.com", TypeA)));
            Header typeFault = Header.Read(await UdpExchangeAsync(server, Query(2, "host.example.com", TypeTxt)));
            Header dangling = Header.Read(await UdpExchangeAsync(server, Query(3, "dangling.example.com", TypeA)));

            Assert.Equal(2, followed.AnswerCount); // the CNAME and the target's A
            Assert.Equal(2, typeFault.Rcode);
            Assert.Equal(3, dangling.Rcode); // RFC 6604: the RCODE of the chain's last name
            Assert.Equal(1, dangling.AnswerCount);
            Assert.Equal(3, server.QueryCount);
            Assert.Equal(3, server.UdpQueryCount);

            server.ResetCounters();
            Assert.Equal(0, server.QueryCount);
            Assert.Empty(server.Queries);
        }

        [Fact]
        public void Zone_rejects_bad_record_data()
        {
            var zone = new DnsZone();
            Assert.Throws<ArgumentException>(() => zone.Add("a.example", ZoneRecordType.A, "2001:db8::1"));
            Assert.Throws<ArgumentException>(() => zone.Add("a.example", ZoneRecordType.AAAA, "192.0.2.1"));
            Assert.Throws<ArgumentException>(() => zone.Add("a.example", ZoneRecordType.MX, "mx.example"));
            Assert.Throws<ArgumentException>(() => zone.Add("a.example", ZoneRecordType.SOA, "ns hostmaster 1 2 3"));
            Assert.Throws<ArgumentNullException>(() => zone.Add(null!, ZoneRecordType.A, "192.0.2.1"));
        }

        [Fact]
        public void Two_servers_get_different_ports_with_udp_and_tcp_on_the_same_one()
        {
            using var one = LoopbackDnsServer.Start(new DnsZone());
            using var two = LoopbackDnsServer.Start(new DnsZone());

            Assert.NotEqual(one.EndPoint.Port, two.EndPoint.Port);
            Assert.Equal(IPAddress.Loopback, one.EndPoint.Address);
            Assert.Equal("127.0.0.1:" + one.EndPoint.Port, one.Address);
            using var tcp = new TcpClient();
            tcp.Connect(one.EndPoint); // TCP listens on the UDP port
            Assert.True(tcp.Connected);
        }

        private static byte[] Query(int id, string name, int type, int? ednsPayload = null)
        {
            var message = new List<byte>(Header.Bytes(id, qd: 1, ar: ednsPayload.HasValue ? 1 : 0, recursionDesired: true));
            foreach (string label in name.Split('.'))
            {
                byte[] bytes = Encoding.ASCII.GetBytes(label);
                message.Add((byte)bytes.Length);
                message.AddRange(bytes);
            }

            message.Add(0);
            message.AddRange(new[] { (byte)(type >> 8), (byte)type, (byte)0, (byte)1 });
            if (ednsPayload.HasValue)
            {
                // OPT (RFC 6891 §6.1.2): root owner, type 41, CLASS = payload size, TTL 0, no RDATA.
                message.AddRange(new byte[] { 0, 0, TypeOpt, (byte)(ednsPayload.Value >> 8), (byte)ednsPayload.Value, 0, 0, 0, 0, 0, 0 });
            }

            return message.ToArray();
        }

        private static async Task<byte[]> UdpExchangeAsync(LoopbackDnsServer server, byte[] query)
        {
            using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            await udp.SendAsync(query, server.EndPoint);
            UdpReceiveResult result = await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(2));
            return result.Buffer;
        }

        private static async Task<byte[]> TcpExchangeAsync(LoopbackDnsServer server, byte[] query)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(server.EndPoint.Address, server.EndPoint.Port);
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync(new[] { (byte)(query.Length >> 8), (byte)query.Length }.Concat(query).ToArray());
            return await ReadFramedAsync(stream);
        }

        private static async Task<byte[]> ReadFramedAsync(NetworkStream stream)
        {
            var prefix = new byte[2];
            await stream.ReadExactlyAsync(prefix).AsTask().WaitAsync(TimeSpan.FromSeconds(2));
            var body = new byte[(prefix[0] << 8) | prefix[1]];
            await stream.ReadExactlyAsync(body).AsTask().WaitAsync(TimeSpan.FromSeconds(2));
            return body;
        }

        private readonly struct Header
        {
            private Header(byte[] m)
            {
                Id = (m[0] << 8) | m[1];
                Flags = (m[2] << 8) | m[3];
                QuestionCount = (m[4] << 8) | m[5];
                AnswerCount = (m[6] << 8) | m[7];
                AuthorityCount = (m[8] << 8) | m[9];
            }

            public int Id { get; }

            public int Flags { get; }

            public int QuestionCount { get; }

            public int AnswerCount { get; }

            public int AuthorityCount { get; }

            public bool IsResponse => (Flags & 0x8000) != 0;

            public bool Authoritative => (Flags & 0x0400) != 0;

            public bool Truncated => (Flags & 0x0200) != 0;

            public bool RecursionDesired => (Flags & 0x0100) != 0;

            public int Rcode => Flags & 0xF;

            public static Header Read(byte[] message) => new Header(message);

            public static byte[] Bytes(int id, int qd, int ar = 0, bool recursionDesired = false)
            {
                return new byte[] { (byte)(id >> 8), (byte)id, (byte)(recursionDesired ? 1 : 0), 0, 0, (byte)qd, 0, 0, 0, 0, 0, (byte)ar };
            }
        }
    }
}
