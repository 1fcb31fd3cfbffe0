using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using MailAuth.Core.Tests.Spf;
using MailAuth.Dns;
using MailAuth.Spf;
using MailAuth.Testing.Dns;

namespace MailAuth.Bench
{
    /// <summary>The RFC 7208 suite's scenarios on loopback servers, evaluated over and over.</summary>
    public sealed class SuiteWorkload : IDisposable
    {
        private readonly List<(LoopbackDnsServer Server, DnsResolver Resolver, SuiteTest[] Tests)> _scenarios = new();

        public SuiteWorkload(bool cache)
        {
            foreach (SuiteScenario scenario in SpfSuite.Load("rfc7208-tests.yml"))
            {
                // Scenarios with TIMEOUT entries measure the resolver's timeout, not the engine.
                if (scenario.Zone.Any(z => z.Value.Any(r => r.Type == "TIMEOUT")))
                {
                    continue;
                }

                LoopbackDnsServer server = LoopbackDnsServer.Start(SuiteZone.ToZone(scenario));
                var resolver = new DnsResolver(new DnsResolverOptions { Servers = new[] { server.EndPoint }, Timeout = TimeSpan.FromSeconds(2), Retries = 0, UseCache = cache });
                _scenarios.Add((server, resolver, scenario.Tests.ToArray()));
            }
        }

        public int TestCount => _scenarios.Sum(s => s.Tests.Length);

        public async Task<int> RunOnceAsync()
        {
            int evaluations = 0;
            foreach ((LoopbackDnsServer _, DnsResolver resolver, SuiteTest[] tests) in _scenarios)
            {
                var evaluator = new SpfEvaluator(resolver, new SpfEvaluationOptions { DefaultExplanation = "DEFAULT" });
                foreach (SuiteTest test in tests)
                {
                    await evaluator.CheckAsync(IPAddress.Parse(test.Host), test.MailFrom, test.Helo).ConfigureAwait(false);
                    evaluations++;
                }
            }

            return evaluations;
        }

        public void Dispose()
        {
            foreach ((LoopbackDnsServer server, DnsResolver resolver, SuiteTest[] _) in _scenarios)
            {
                resolver.Dispose();
                server.Dispose();
            }
        }
    }

    /// <summary>A three-level include tree (nine includes) with latency injected per query.</summary>
    public static class DeepTree
    {
        public static DnsZone Zone(TimeSpan latency)
        {
            var zone = new DnsZone { DefaultLatency = latency };
            zone.AddTxt("example.com", "v=spf1 include:a.example.net include:b.example.net include:c.example.net -all");
            foreach (string l1 in new[] { "a", "b", "c" })
            {
                zone.AddTxt($"{l1}.example.net", $"v=spf1 include:{l1}1.example.net include:{l1}2.example.net -all");
                zone.AddTxt($"{l1}1.example.net", "v=spf1 ip4:198.51.100.1 -all");
                zone.AddTxt($"{l1}2.example.net", "v=spf1 ip4:198.51.100.2 -all");
            }

            return zone;
        }

        public static async Task<double> MeasureAsync(bool prefetch, TimeSpan latency)
        {
            using LoopbackDnsServer server = LoopbackDnsServer.Start(Zone(latency));
            using var resolver = new DnsResolver(new DnsResolverOptions { Servers = new[] { server.EndPoint }, Timeout = TimeSpan.FromSeconds(2), Retries = 0, UseCache = false });
            var evaluator = new SpfEvaluator(resolver, new SpfEvaluationOptions { Prefetch = prefetch });
            var stopwatch = Stopwatch.StartNew();
            SpfResult result = await evaluator.CheckAsync(IPAddress.Parse("192.0.2.10"), "x@example.com", null).ConfigureAwait(false);
            stopwatch.Stop();
            if (result.ResultCode != SpfResultCode.Fail || result.DnsLookupCount != 9)
            {
                throw new InvalidOperationException("unexpected result " + result);
            }

            return stopwatch.Elapsed.TotalMilliseconds;
        }
    }

    [MemoryDiagnoser]
    public class SpfSuiteBenchmarks
    {
        private SuiteWorkload? _cached;
        private SuiteWorkload? _uncached;

        [GlobalSetup]
        public void Setup()
        {
            _cached = new SuiteWorkload(cache: true);
            _uncached = new SuiteWorkload(cache: false);
        }

        [GlobalCleanup]
        public void Cleanup()
        {
            _cached?.Dispose();
            _uncached?.Dispose();
        }

        [Benchmark(Description = "RFC 7208 suite, resolver cache on")]
        public Task<int> CacheOn() => _cached!.RunOnceAsync();

        [Benchmark(Description = "RFC 7208 suite, resolver cache off")]
        public Task<int> CacheOff() => _uncached!.RunOnceAsync();
    }

    public class SpfParseBenchmarks
    {
        private const string Record = "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx:mail.example.com/24 include:_spf.example.net exists:%{ir}.%{l1r-}.lp._spf.%{d2} ~all exp=explain.%{d}";

        [Benchmark]
        public SpfRecord Parse() => SpfRecord.Parse(Record);
    }
}
