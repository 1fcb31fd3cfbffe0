using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Testing.Dns;
using Xunit;

namespace MailAuth.Core.Tests.Dns
{
    /// <summary>
    /// Retransmission, the congestion window, failover with server health, and the query-rate limit,
    /// over real sockets against loopback servers (issue 14).
    /// </summary>
    public sealed class DnsCongestionTests
    {
        public DnsCongestionTests()
        {
            TestProcess.Prepare(); // timer callbacks must not wait for a pool thread (TestProcess)
        }

        [Fact]
        public async Task A_lost_datagram_is_sent_again_at_the_RTO_long_before_the_timeout()
        {
            var zone = new DnsZone().Add("lost.example", ZoneRecordType.A, "192.0.2.7").AddFault("lost.example", DnsFault.DropFirst);
            using var server = LoopbackDnsServer.Start(zone);
            using var resolver = new DnsResolver(new DnsResolverOptions { Servers = new[] { server.EndPoint }, Timeout = TimeSpan.FromSeconds(5), Retries = 0 });

            DnsResponse response = await resolver.QueryAsync("lost.example", DnsRecordType.A);

            Assert.Equal(DnsLookupStatus.Found, response.StatusCode);
            Assert.Equal("192.0.2.7", response.Records.Single().Data);

            // The initial RTO is 1 s (RFC 6298 §2.1); without a retransmission the answer would need the 5 s timeout and a retry.
            Assert.InRange(response.ElapsedMilliseconds, 950, 3000);
            Assert.Equal(2, server.UdpQueryCount);
            Assert.Equal(1, resolver.UdpState[0].Retransmissions);
        }

        [Fact]
        public async Task The_backlog_signal_rises_when_answers_take_far_longer_than_the_fastest_seen()
        {
            // 40 answers at 20 ms set the minimum RTT; answers at 85 ms (under the 100 ms minimum RTO, so
            // nothing is retransmitted and every answer is an RTT sample) then smooth the RTT past
            // 3 x 20 + 10 ms: answers queue somewhere, and a bulk run should start no more domains.
            var zone = new DnsZone { DefaultLatency = TimeSpan.FromMilliseconds(20) };
            for (int i = 0; i < 80; i++)
            {
                zone.Add($"q{i}.example", ZoneRecordType.A, "192.0.2.1");
            }

            using var server = LoopbackDnsServer.Start(zone);
            using var resolver = new DnsResolver(new DnsResolverOptions { Servers = new[] { server.EndPoint }, Timeout = TimeSpan.FromSeconds(3), UseCache = false });
            Assert.Equal(0, resolver.Backlog);
            Assert.Equal(0, resolver.RttQueueingLevels[0]);

            for (int i = 0; i < 40; i++)
            {
                Assert.Equal(DnsLookupStatus.Found, (await resolver.QueryAsync($"q{i}.example", DnsRecordType.A)).StatusCode);
            }

            // The RTT's part of the signal (the tick's part depends on how busy the machine running the test is).
            Assert.Equal(0, resolver.RttQueueingLevels[0]);
            zone.DefaultLatency = TimeSpan.FromMilliseconds(85);
            for (int i = 40; i < 60; i++)
            {
                Assert.Equal(DnsLookupStatus.Found, (await resolver.QueryAsync($"q{i}.example", DnsRecordType.A)).StatusCode);
            }

            Assert.Equal(2, resolver.RttQueueingLevels[0]);
            Assert.Equal(DnsResolver.BacklogLimit, resolver.Backlog);
            Assert.Equal(0, resolver.QueriesWaiting);

            // Fast answers again: the smoothed RTT comes back down and so does the signal.
            zone.DefaultLatency = TimeSpan.FromMilliseconds(20);
            for (int i = 60; i < 80; i++)
            {
                await resolver.QueryAsync($"q{i}.example", DnsRecordType.A);
            }

            Assert.Equal(0, resolver.RttQueueingLevels[0]);
        }

        [Fact]
        public async Task Queries_beyond_the_window_wait_unsent_and_their_timeout_starts_when_sent()
        {
            // 400 names at once, 600 ms per answer, a 1.5 s timeout: the window starts at 64 and
            // doubles per round trip (64, 128, 208), so the last queries are answered about 1.8 s
            // after they were asked, past the timeout, and none may read as a timeout.
            var zone = new DnsZone { DefaultLatency = TimeSpan.FromMilliseconds(600) };
            for (int i = 0; i < 400; i++)
            {
                zone.Add($"n{i}.example", ZoneRecordType.A, "192.0.2.1");
            }

            using var server = LoopbackDnsServer.Start(zone);
            using var resolver = new DnsResolver(new DnsResolverOptions { Servers = new[] { server.EndPoint }, Timeout = TimeSpan.FromMilliseconds(1500), Retries = 0 });

            var watch = Stopwatch.StartNew();
            Task<DnsResponse>[] queries = Enumerable.Range(0, 400).Select(i => resolver.QueryAsync($"n{i}.example", DnsRecordType.A)).ToArray();
            var state = resolver.UdpState[0];
            Assert.Equal(DnsUdpClient.InitialWindow, state.OnWire);
            Assert.Equal(400 - DnsUdpClient.InitialWindow, state.Waiting);

            DnsResponse[] responses = await Task.WhenAll(queries);
            watch.Stop();

            Assert.All(responses, r => Assert.Equal(DnsLookupStatus.Found, r.StatusCode));
            Assert.True(watch.ElapsedMilliseconds > 1500, $"all answered in {watch.ElapsedMilliseconds} ms: the window did not hold queries back");
            Assert.InRange(server.UdpQueryCount, 400, 1600);
        }

        [Fact]
        public async Task Answers_that_needed_a_retransmission_shrink_the_window()
        {
            var zone = new DnsZone();
            for (int i = 0; i < 80; i++)
            {
                zone.Add($"n{i}.example", ZoneRecordType.A, "192.0.2.1").AddFault($"n{i}.example", DnsFault.DropFirst);
            }

            using var server = LoopbackDnsServer.Start(zone);
            using var resolver = new DnsResolver(new DnsResolverOptions { Servers = new[] { server.EndPoint }, Timeout = TimeSpan.FromSeconds(4), Retries = 0 });

            DnsResponse[] responses = await Task.WhenAll(Enumerable.Range(0, 80).Select(i => resolver.QueryAsync($"n{i}.example", DnsRecordType.A)));

            Assert.All(responses, r => Assert.Equal(DnsLookupStatus.Found, r.StatusCode));
            var state = resolver.UdpState[0];
            Assert.Equal(80, state.Retransmissions);
            Assert.True(state.WindowDecreases >= 1);
            // Losses are judged per window (64) of answers: all 64 needed a retransmission, far over 2 %,
            // so the window shrinks once, by an eighth; the last 16 answers do not make a window.
            Assert.Equal(1, state.WindowDecreases);
            Assert.Equal(DnsUdpClient.InitialWindow * 0.875, state.Window, 3);
        }

        [Fact]
        public async Task A_server_that_stopped_answering_is_asked_last_during_its_cooldown()
        {
            // The first server is a socket nobody reads: every query to it times out.
            using var dead = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            var deadEndPoint = (IPEndPoint)dead.Client.LocalEndPoint!;
            var zone = new DnsZone();
            for (int i = 0; i < 12; i++)
            {
                zone.Add($"h{i}.example", ZoneRecordType.A, "192.0.2.2");
            }

            using var live = LoopbackDnsServer.Start(zone);
            using var resolver = new DnsResolver(new DnsResolverOptions
            {
                Servers = new[] { deadEndPoint, live.EndPoint },
                Timeout = TimeSpan.FromMilliseconds(300),
                Retries = 0,
                ServerCooldown = TimeSpan.FromMinutes(5),
            });

            var elapsed = new double[12];
            for (int i = 0; i < 12; i++)
            {
                var watch = Stopwatch.StartNew();
                DnsResponse response = await resolver.QueryAsync($"h{i}.example", DnsRecordType.A);
                elapsed[i] = watch.Elapsed.TotalMilliseconds;
                Assert.Equal(DnsLookupStatus.Found, response.StatusCode);
                Assert.Equal(live.Address, response.Server);
            }

            // Five timeouts in a row put it in its cooldown; the next seven go to the live server first.
            Assert.All(elapsed.Take(5), ms => Assert.True(ms >= 290, $"{ms} ms: the dead server was not asked first"));
            Assert.All(elapsed.Skip(5), ms => Assert.True(ms < 290, $"{ms} ms: the dead server still cost a timeout"));
            Assert.True(resolver.ServerDown[$"127.0.0.1:{deadEndPoint.Port}"]);
            Assert.False(resolver.ServerDown[live.Address]);
        }

        [Fact]
        public async Task A_SERVFAIL_is_asked_of_the_next_server_before_it_counts()
        {
            var failing = new DnsZone().Add("w.example", ZoneRecordType.A, "192.0.2.3").AddFault("w.example", DnsFault.ServFail);
            var good = new DnsZone().Add("w.example", ZoneRecordType.A, "192.0.2.3");
            using var first = LoopbackDnsServer.Start(failing);
            using var second = LoopbackDnsServer.Start(good);
            using var resolver = new DnsResolver(new DnsResolverOptions { Servers = new[] { first.EndPoint, second.EndPoint }, Retries = 0 });

            DnsResponse response = await resolver.QueryAsync("w.example", DnsRecordType.A);

            Assert.Equal(DnsLookupStatus.Found, response.StatusCode);
            Assert.Equal(second.Address, response.Server);
            Assert.Equal(1, first.QueryCount);
        }

        [Fact]
        public async Task MaxQueriesPerSecond_spaces_the_queries()
        {
            var zone = new DnsZone();
            for (int i = 0; i < 60; i++)
            {
                zone.Add($"r{i}.example", ZoneRecordType.A, "192.0.2.4");
            }

            using var server = LoopbackDnsServer.Start(zone);
            using var resolver = new DnsResolver(new DnsResolverOptions { Servers = new[] { server.EndPoint }, MaxQueriesPerSecond = 50, Retries = 0 });

            var watch = Stopwatch.StartNew();
            DnsResponse[] responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => resolver.QueryAsync($"r{i}.example", DnsRecordType.A)));
            watch.Stop();

            Assert.All(responses, r => Assert.Equal(DnsLookupStatus.Found, r.StatusCode));

            // A burst of a tenth of a second's worth (5), then 50 a second: the 60th goes out after 1.1 s.
            Assert.True(watch.ElapsedMilliseconds >= 1000, $"60 queries at 50/s took {watch.ElapsedMilliseconds} ms");
            Assert.Throws<ArgumentOutOfRangeException>(() => new DnsResolver(new DnsResolverOptions { Servers = new[] { server.EndPoint }, MaxQueriesPerSecond = 0 }));
        }
    }
}
