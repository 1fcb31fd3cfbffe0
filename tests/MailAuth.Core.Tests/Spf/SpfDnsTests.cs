using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Spf;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Spf
{
    /// <summary>SPF behaviour that depends on DNS, over the loopback server and the real resolver.</summary>
    public class SpfDnsTests
    {
        private static readonly IPAddress s_client = IPAddress.Parse("192.0.2.10");

        private static DnsResolver Resolver(LoopbackDnsServer server, bool cache = true) => new DnsResolver(new DnsResolverOptions
        {
            Servers = new[] { server.EndPoint },
            Timeout = TimeSpan.FromMilliseconds(1500),
            Retries = 0,
            UseCache = cache,
        });

        [Fact]
        public async Task TheResolverCacheIsSharedAcrossEvaluations()
        {
            var zone = new DnsZone()
                .AddTxt("example.com", "v=spf1 include:_spf.example.net mx -all")
                .AddTxt("_spf.example.net", "v=spf1 a:relay.example.net -all")
                .Add("relay.example.net", ZoneRecordType.A, "198.51.100.1")
                .Add("example.com", ZoneRecordType.MX, "10 mx.example.com")
                .Add("mx.example.com", ZoneRecordType.A, "192.0.2.10");
            using LoopbackDnsServer server = LoopbackDnsServer.Start(zone);
            using DnsResolver resolver = Resolver(server);
            var evaluator = new SpfEvaluator(resolver);

            SpfResult first = await evaluator.CheckAsync(s_client, "user@example.com", null);
            int afterFirst = server.QueryCount;
            SpfResult second = await evaluator.CheckAsync(s_client, "other@example.com", null);

            Assert.Equal(SpfResultCode.Pass, first.ResultCode);
            Assert.Equal(SpfResultCode.Pass, second.ResultCode);
            Assert.Equal("mx", second.MatchedMechanism);
            Assert.True(afterFirst >= 5, $"{afterFirst} queries");
            Assert.Equal(afterFirst, server.QueryCount);
            Assert.All(second.DnsEvidence, r => Assert.True(r.FromCache));
        }

        [Fact]
        public async Task ServFailIsTempErrorButNxDomainIsAVoidLookup()
        {
            var zone = new DnsZone()
                .AddTxt("broken.example.com", "v=spf1 a:dns-down.example.net -all")
                .AddTxt("void.example.com", "v=spf1 a:nowhere.example.net ip4:192.0.2.10 -all")
                .AddTxt("nodata.example.com", "v=spf1 mx:host.example.net ip4:192.0.2.10 -all")
                .Add("host.example.net", ZoneRecordType.A, "198.51.100.1")
                .AddTxt("dns-down.example.net", "placeholder")
                .AddFault("dns-down.example.net", DnsFault.ServFail);
            using LoopbackDnsServer server = LoopbackDnsServer.Start(zone);
            using DnsResolver resolver = Resolver(server);
            var evaluator = new SpfEvaluator(resolver);

            SpfResult broken = await evaluator.CheckAsync(s_client, "x@broken.example.com", null);
            Assert.Equal(SpfResultCode.TempError, broken.ResultCode);
            Assert.Equal(0, broken.VoidLookupCount);

            SpfResult nx = await evaluator.CheckAsync(s_client, "x@void.example.com", null);
            Assert.Equal(SpfResultCode.Pass, nx.ResultCode);
            Assert.Equal(1, nx.VoidLookupCount);
            Assert.True(nx.Trace.Single(s => s.Term == "a:nowhere.example.net").DnsResponses.Single().IsNxDomain);

            SpfResult nodata = await evaluator.CheckAsync(s_client, "x@nodata.example.com", null);
            Assert.Equal(SpfResultCode.Pass, nodata.ResultCode);
            Assert.Equal(1, nodata.VoidLookupCount);
        }

        [Fact]
        public async Task Type99RecordsAreNeverConsulted()
        {
            var zone = new DnsZone()
                .AddSpf("example.com", "v=spf1 ip4:192.0.2.10 -all")
                .AddTxt("example.com", "unrelated=1");
            using LoopbackDnsServer server = LoopbackDnsServer.Start(zone);
            using DnsResolver resolver = Resolver(server);

            SpfResult result = await new SpfEvaluator(resolver).CheckAsync(s_client, "x@example.com", null);
            SpfRecordReport report = await new SpfEvaluator(resolver).GetRecordReportAsync("example.com");

            Assert.Equal(SpfResultCode.None, result.ResultCode);
            Assert.Equal(SpfRecordStatus.NotFound, report.StatusCode);
            Assert.DoesNotContain(server.Queries, q => q.Type == ZoneRecordType.SPF);
        }

        [Fact]
        public async Task StringsOfOneRecordAreJoinedWithoutSpaces()
        {
            var zone = new DnsZone().AddTxt("example.com", "v=spf1 ip4:192.0.2", ".10 -all");
            using LoopbackDnsServer server = LoopbackDnsServer.Start(zone);
            using DnsResolver resolver = Resolver(server);
            var evaluator = new SpfEvaluator(resolver);

            SpfResult result = await evaluator.CheckAsync(s_client, "x@example.com", null);
            Assert.Equal(SpfResultCode.Pass, result.ResultCode);
            Assert.Equal("v=spf1 ip4:192.0.2.10 -all", result.Record);
        }

        [Fact]
        public async Task AHugeTxtAnswerIsReadOverTcpAndFlagged()
        {
            string record = "v=spf1 " + string.Join(" ", Enumerable.Range(1, 60).Select(i => $"ip4:198.51.{i}.0/24")) + " ip4:192.0.2.10 -all";
            // Truncate: the UDP answer carries TC, so the resolver must repeat the query over TCP.
            var zone = new DnsZone().AddTxt("example.com", record).AddFault("example.com", DnsFault.Truncate, ZoneRecordType.TXT);
            using LoopbackDnsServer server = LoopbackDnsServer.Start(zone);
            using DnsResolver resolver = Resolver(server, cache: false);
            var evaluator = new SpfEvaluator(resolver);

            SpfResult result = await evaluator.CheckAsync(s_client, "x@example.com", null);
            Assert.Equal(SpfResultCode.Pass, result.ResultCode);
            Assert.Equal(record, result.Record);
            Assert.True(server.TcpQueryCount > 0);

            SpfRecordReport report = await evaluator.GetRecordReportAsync("example.com");
            Assert.Contains("SPF-UDP-SIZE", report.Warnings.Select(f => f.Id));
        }

        [Fact]
        public async Task ADeepIncludeTreeCostsAboutDepthPlusOneRoundTrips()
        {
            DnsZone Zone()
            {
                var zone = new DnsZone { DefaultLatency = TimeSpan.FromMilliseconds(50) };
                zone.AddTxt("example.com", "v=spf1 include:a.example.net include:b.example.net include:c.example.net -all");
                foreach (string l1 in new[] { "a", "b", "c" })
                {
                    zone.AddTxt($"{l1}.example.net", $"v=spf1 include:{l1}1.example.net include:{l1}2.example.net -all");
                    zone.AddTxt($"{l1}1.example.net", "v=spf1 ip4:198.51.100.1 -all");
                    zone.AddTxt($"{l1}2.example.net", "v=spf1 ip4:198.51.100.2 -all");
                }

                return zone;
            }

            string timings = string.Empty;
            for (int attempt = 0; attempt < 3; attempt++)
            {
                double sequential;
                double parallel;
                int queries;
                using (LoopbackDnsServer server = LoopbackDnsServer.Start(Zone()))
                using (DnsResolver resolver = Resolver(server, cache: false))
                {
                    var stopwatch = Stopwatch.StartNew();
                    SpfResult result = await new SpfEvaluator(resolver, new SpfEvaluationOptions { Prefetch = false }).CheckAsync(s_client, "x@example.com", null);
                    sequential = stopwatch.Elapsed.TotalMilliseconds;
                    Assert.Equal(SpfResultCode.Fail, result.ResultCode);
                }

                using (LoopbackDnsServer server = LoopbackDnsServer.Start(Zone()))
                using (DnsResolver resolver = Resolver(server, cache: false))
                {
                    var stopwatch = Stopwatch.StartNew();
                    SpfResult result = await new SpfEvaluator(resolver, new SpfEvaluationOptions { Prefetch = true }).CheckAsync(s_client, "x@example.com", null);
                    parallel = stopwatch.Elapsed.TotalMilliseconds;
                    Assert.Equal(SpfResultCode.Fail, result.ResultCode);
                    Assert.Equal(9, result.DnsLookupCount);
                    queries = server.QueryCount;
                }

                // Same 10 TXT queries either way: prefetch adds none here, it only overlaps them.
                Assert.Equal(10, queries);

                // One at a time: 10 x 50 ms. Prefetched: root, level 1, level 2 = about 3 x 50 ms.
                if (parallel < sequential * 0.6)
                {
                    return;
                }

                timings += $" prefetch {parallel:0} ms vs sequential {sequential:0} ms;";
            }

            Assert.Fail("prefetch did not cut the latency:" + timings);
        }

        [Fact]
        public async Task TheQueryObserverSeesEachResponse()
        {
            var zone = new DnsZone()
                .AddTxt("example.com", "v=spf1 a:relay.example.com -all")
                .Add("relay.example.com", ZoneRecordType.A, "192.0.2.10");
            using LoopbackDnsServer server = LoopbackDnsServer.Start(zone);
            using DnsResolver resolver = Resolver(server);
            var seen = new System.Collections.Concurrent.ConcurrentQueue<DnsResponse>();
            var options = new SpfEvaluationOptions { QueryObserver = seen.Enqueue };

            SpfResult result = await new SpfEvaluator(resolver, options).CheckAsync(s_client, "x@example.com", null);
            Assert.Equal(SpfResultCode.Pass, result.ResultCode);
            Assert.Equal(new[] { "TXT example.com", "A relay.example.com" }, seen.Select(r => r.QueryTypeCode + " " + r.QueryName).ToArray());
        }

        [Fact]
        public async Task ManyConcurrentEvaluationsShareOneEvaluator()
        {
            var zone = new DnsZone()
                .AddTxt("example.com", "v=spf1 include:_spf.example.net -all")
                .AddTxt("_spf.example.net", "v=spf1 ip4:192.0.2.0/28 ~all");
            using LoopbackDnsServer server = LoopbackDnsServer.Start(zone);
            using DnsResolver resolver = Resolver(server);
            var evaluator = new SpfEvaluator(resolver);

            SpfResult[] results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i =>
                evaluator.CheckAsync(IPAddress.Parse("192.0.2." + i), $"user{i}@example.com", null)));

            for (int i = 0; i < results.Length; i++)
            {
                Assert.Equal(i < 16 ? SpfResultCode.Pass : SpfResultCode.Fail, results[i].ResultCode);
                Assert.Equal($"user{i}@example.com", results[i].Sender);
            }
        }

        [Fact]
        public async Task RecordReportOverRealDns()
        {
            var zone = new DnsZone()
                .AddTxt("example.com", "v=spf1 include:_spf.example.net include:missing.example.net ~all")
                .AddTxt("_spf.example.net", "v=spf1 a:relay.example.net ptr ?all")
                .Add("relay.example.net", ZoneRecordType.A, "198.51.100.1");
            using LoopbackDnsServer server = LoopbackDnsServer.Start(zone);
            using DnsResolver resolver = Resolver(server);

            SpfRecordReport report = await new SpfEvaluator(resolver).GetRecordReportAsync("EXAMPLE.com.");
            Assert.Equal("example.com", report.Domain);
            Assert.Equal(SpfRecordStatus.Found, report.StatusCode);
            // include, (a, ptr), include
            Assert.Equal(4, report.DnsLookupCount);
            Assert.Equal(1, report.VoidLookupCount);
            Assert.Equal("~all", report.AllMechanism);
            Assert.Equal("~", report.AllQualifier);
            Assert.Contains("SPF-INCLUDE-NO-SPF", report.Errors.Select(f => f.Id));
            Assert.Contains("SPF-PTR", report.Warnings.Select(f => f.Id));
            Assert.NotEmpty(report.DnsEvidence);
        }
    }
}
