using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.DomainReport;
using MailAuth.Dns;
using MailAuth.Posture;
using MailAuth.Testing.Dns;

namespace MailAuth.Bench.DomainAudit
{
    /// <summary>
    /// Domain-audit throughput over the loopback DNS server with latency injected per query.
    ///   run:    dotnet run -c Release -- --domains 10000 --throttle 32 [--latency-ms 20] [--no-cache]
    ///   archive: dotnet run -c Release -- --domains 10000 --archive /tmp/audit.jsonl   (records, then replays offline)
    ///   matrix: dotnet run -c Release -- --matrix [--domains 10000]   (one child process per row, so peaks are per row)
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            if (int.TryParse(Environment.GetEnvironmentVariable("BENCH_MIN_THREADS"), out int minThreads))
            {
                ThreadPool.SetMinThreads(minThreads, minThreads);
            }

            if (args.Length > 0 && args[0] == "--raw-probe")
            {
                RawProbe().GetAwaiter().GetResult();
                return 0;
            }

            if (args.Length > 0 && args[0] == "--cache-probe")
            {
                CacheProbe().GetAwaiter().GetResult();
                return 0;
            }

            if (args.Length > 1 && args[0] == "--bulkworld")
            {
                return Bulkworld(args);
            }

            var options = Args.Parse(args);
            if (options.Matrix)
            {
                return RunMatrix(options);
            }

            Row row = RunOne(options.Domains, options.Throttle, options.LatencyMs, options.Cache, options.Selectors, options.Include, options.Archive).GetAwaiter().GetResult();
            Console.WriteLine(row.ToLine());
            return 0;
        }

        /// <summary>
        /// The core alone against bulkworld (../shared/bench/bulkworld): no PowerShell, so the cmdlet's
        /// share of the CPU shows by difference with bench/bulkworld/Measure-Audit.ps1.
        ///   --bulkworld 127.0.0.1:25390 DOMAINS [FIRST] [THROTTLE] [selector1,...|all]
        /// </summary>
        private static int Bulkworld(string[] args)
        {
            var server = DnsResolverOptions.ParseServer(args[1]);
            int domains = int.Parse(args[2], CultureInfo.InvariantCulture);
            int first = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0;
            int throttle = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : DomainReporter.DefaultThrottleLimit;
            string? selectors = args.Length > 5 ? args[5] : null;
            using var dns = new DnsResolver(new DnsResolverOptions
            {
                Servers = new[] { server },
                CacheCapacity = int.TryParse(Environment.GetEnvironmentVariable("BENCH_CACHE"), out int capacity) ? capacity : new DnsResolverOptions().CacheCapacity,
            });
            var options = new DomainReportOptions
            {
                MtaSts = new MtaStsOptions { FetchPolicy = false },
                DkimSelectors = selectors is null || selectors == "all" ? null : selectors.Split(','),
                AllCommonSelectors = selectors == "all",
                DnsBacklog = () => dns.Backlog,
            };
            using var reporter = new DomainReporter(dns, options);
            using Process self = Process.GetCurrentProcess();
            TimeSpan cpu0 = self.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var cases = new SortedDictionary<string, int>(StringComparer.Ordinal);
            int wrong = 0;
            double healthyMs = 0;
            int healthyCount = 0;
            int maxRunning = 0;
            // BENCH_RETAIN=1 keeps every report, to print what one costs in memory when held (the ordering window holds them).
            List<MailDomainReport>? retained = Environment.GetEnvironmentVariable("BENCH_RETAIN") == "1" ? new List<MailDomainReport>() : null;
            long heap0 = GC.GetTotalMemory(true);
            using (var runner = reporter.CreateBulkRunner(throttle))
            {
                // BENCH_SKIP_CASES=7 leaves out the world's cases (N % 10) named, e.g. the dropped domains, to see the healthy path alone.
            string? skip = Environment.GetEnvironmentVariable("BENCH_SKIP_CASES");
                var names = Enumerable.Range(first, domains).Where(i => skip is null || !skip.Contains((char)('0' + i % 10))).Select(i => "d" + i.ToString(CultureInfo.InvariantCulture) + ".audit.test");
                void Take(MailDomainReport r)
                {
                    retained?.Add(r);
                    int n = int.Parse(r.Domain!.Substring(1, r.Domain.IndexOf('.') - 1), CultureInfo.InvariantCulture) % 10;
                    string key = n + "/" + r.Status;
                    cases[key] = cases.TryGetValue(key, out int c) ? c + 1 : 1;
                    bool shouldFail = n == 7 || n == 8;
                    if (n <= 6)
                    {
                        healthyMs += r.ElapsedMilliseconds;
                        healthyCount++;
                    }
                    if (shouldFail != (r.StatusCode == DomainReportStatus.LookupFailed))
                    {
                        wrong++;
                    }
                }

                int tick = 0;
                using var sampler = new Timer(_ =>
                {
                    maxRunning = Math.Max(maxRunning, runner.Running);
                    if (Environment.GetEnvironmentVariable("BENCH_TRACE") == "1" && ++tick % 20 == 0)
                    {
                        var u = dns.UdpState[0];
                        Console.Error.WriteLine($"{watch.Elapsed.TotalSeconds:0.0}s running={runner.Running} limit={runner.ConcurrencyLimit} completed={runner.Completed} onwire={u.OnWire} waiting={u.Waiting} window={u.Window:0} srtt={u.SrttMilliseconds:0.0}");
                    }
                }, null, 0, 50);
                foreach (string name in names)
                {
                    runner.Post(name);
                    while (runner.TryTakeNext(out MailDomainReport ready))
                    {
                        Take(ready);
                    }

                    // As the cmdlet does: no further ahead of the output than the read-ahead.
                    while (runner.IsReadAheadFull)
                    {
                        if (runner.WaitNext(TimeSpan.FromMilliseconds(100), out MailDomainReport waited))
                        {
                            Take(waited);
                        }
                    }
                }

                runner.CompleteAdding();
                foreach (MailDomainReport r in runner.TakeAll())
                {
                    Take(r);
                }
            }

            watch.Stop();
            self.Refresh();
            double cpu = (self.TotalProcessorTime - cpu0).TotalSeconds;
            long queries = dns.QueriesSent;
            string load = System.IO.File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => a + " " + b);
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "core domains={0} throttle={1} wall={2:0.00}s healthy/s={3:0} cpu/domain={4:0}us cpu/query={5:0.0}us wire-queries/domain={6:0.0} peakWS={7:0}MB wrong={8} load={9} | {10}",
                domains, throttle, watch.Elapsed.TotalSeconds, domains * 0.7 / watch.Elapsed.TotalSeconds, 1e6 * cpu / domains, 1e6 * cpu / Math.Max(1, queries),
                (double)queries / domains, self.PeakWorkingSet64 / 1048576.0, wrong, load, string.Join(" ", cases.Select(c => c.Key + "=" + c.Value))));
            var udp = dns.UdpState[0];
            if (retained != null)
            {
                long withCache = GC.GetTotalMemory(true);
                int entries = dns.CachedAnswerCount;
                dns.ClearCache();
                Console.WriteLine($"  cache: {entries} answers, {(withCache - GC.GetTotalMemory(true)) / 1048576.0:0.0} MB");
                Console.WriteLine($"  retained: {(GC.GetTotalMemory(true) - heap0) / Math.Max(1, retained.Count) / 1024.0:0.0} KB per report ({retained.Count} reports)");
                // BENCH_SIZES=1: where the first report's bytes go.
                if (Environment.GetEnvironmentVariable("BENCH_SIZES") == "1" && retained.Count > 0)
                {
                    Console.Write(ReportSizer.Describe(retained[0], 6, 500));
                }
            }

            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  healthy domain {9:0} ms on average, at most {10} domains running; window={0:0} rto={1:0}ms srtt={11:0.0}ms minrtt={12:0.0}ms retransmissions={2} decreases={3} gc0/1/2={4}/{5}/{6} gc-pause={7:0}ms allocated={8:0}MB",
                udp.Window, udp.RtoMilliseconds, udp.Retransmissions, udp.WindowDecreases, GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
                GC.GetTotalPauseDuration().TotalMilliseconds, GC.GetTotalAllocatedBytes() / 1048576.0, healthyMs / Math.Max(1, healthyCount), maxRunning, udp.SrttMilliseconds, udp.MinRttMilliseconds));
            return wrong == 0 ? 0 : 1;
        }

        private static int RunMatrix(Args options)
        {
            int big = options.Domains;
            var configs = new List<(int Domains, int Throttle)>
            {
                (1000, BulkRunner<string, string>.DefaultThrottleLimit),
                (1000, 64),
                (big, BulkRunner<string, string>.DefaultThrottleLimit),
                (big, 64),
            };
            var rows = new List<Row>();
            string self = typeof(Program).Assembly.Location;
            foreach ((int domains, int throttle) in configs)
            {
                var start = new ProcessStartInfo("dotnet")
                {
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                };
                start.ArgumentList.Add(self);
                foreach (string a in new[] { "--domains", domains.ToString(CultureInfo.InvariantCulture), "--throttle", throttle.ToString(CultureInfo.InvariantCulture),
                    "--latency-ms", options.LatencyMs.ToString(CultureInfo.InvariantCulture), "--selectors", options.Selectors })
                {
                    start.ArgumentList.Add(a);
                }

                if (!options.Cache)
                {
                    start.ArgumentList.Add("--no-cache");
                }

                using Process child = Process.Start(start)!;
                string output = child.StandardOutput.ReadToEnd();
                child.WaitForExit();
                Row? row = Row.FromLine(output.Split('\n').LastOrDefault(l => l.StartsWith("ROW ", StringComparison.Ordinal)));
                if (row is null)
                {
                    Console.Error.WriteLine($"run {domains}/{throttle} failed:\n{output}");
                    return 1;
                }

                rows.Add(row);
                Console.Error.WriteLine(row.ToLine());
            }

            Console.WriteLine($"latency {options.LatencyMs} ms/query, DKIM selectors: {options.Selectors}, MTA-STS fetch off, cache {(options.Cache ? "on" : "off")}");
            Console.WriteLine($"{"domains",8} {"throttle",8} {"seconds",8} {"dom/s",8} {"RTT",5} {"ideal",8} {"%ideal",7} {"queries",9} {"peakWS MB",10} {"engineMB",10} {"failed",7}");
            foreach (Row r in rows)
            {
                Console.WriteLine($"{r.Domains,8} {r.Throttle,8} {r.Seconds,8:0.0} {r.Rate,8:0.0} {r.RoundTrips,5:0.0} {r.Ideal,8:0.0} {100 * r.Rate / r.Ideal,6:0}% {r.Queries,9} {r.PeakWorkingSetMb,10:0} {r.PeakHeapMb,10:0} {r.Failed,7}");
            }

            return 0;
        }

        private static async Task<Row> RunOne(int domains, int throttle, int latencyMs, bool cache, string selectors, string include = "All", string? archivePath = null)
        {
            string key;
            using (RSA rsa = RSA.Create(2048))
            {
                key = Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
            }

            // The loopback server's DnsZone answers NXDOMAIN after a scan of every owner name under
            // one lock (empty non-terminal check), so one 70,000-name zone makes the *server* the
            // bottleneck. The domains are therefore spread over shards of ShardSize domains, each
            // its own server and DnsResolver, behind one routing IDnsResolver: the engine still sees
            // one resolver, and every shard caches like the single shared cache would.
            int ShardSize = int.TryParse(Environment.GetEnvironmentVariable("BENCH_SHARD_SIZE"), out int size) ? size : 250;
            int shardCount = (domains + ShardSize - 1) / ShardSize;
            var servers = new List<LoopbackDnsServer>();
            var resolvers = new List<DnsResolver>();
            for (int shard = 0; shard < shardCount; shard++)
            {
                var zone = new DnsZone { DefaultLatency = TimeSpan.FromMilliseconds(latencyMs) };
                for (int m = 0; m < 50; m++)
                {
                    zone.Add($"mx{m}.provider.example", ZoneRecordType.A, $"192.0.2.{m + 1}");
                }

                zone.AddTxt("_spf.provider.example", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all");

                for (int i = shard * ShardSize; i < Math.Min(domains, (shard + 1) * ShardSize); i++)
                {
                    string d = Name(i);
                    zone.Add(d, ZoneRecordType.MX, $"10 mx{i % 50}.provider.example");
                    zone.AddTxt(d, "v=spf1 mx include:_spf.provider.example -all");
                    zone.AddTxt("_dmarc." + d, $"v=DMARC1; p=reject; rua=mailto:dmarc@{d}");
                    zone.AddTxt("selector1._domainkey." + d, "v=DKIM1; k=rsa; p=" + key);
                    zone.AddTxt("_mta-sts." + d, "v=STSv1; id=20240101");
                    zone.AddTxt("_smtp._tls." + d, $"v=TLSRPTv1; rua=mailto:tls@{d}");
                    if (i % 4 == 0)
                    {
                        zone.AddTxt("default._bimi." + d, $"v=BIMI1; l=https://brand.{d}/logo.svg; a=https://brand.{d}/vmc.pem");
                    }
                }

                servers.Add(LoopbackDnsServer.Start(zone));
            }

            DnsResolverOptions ResolverOptions(int shard) => new DnsResolverOptions
            {
                Servers = new[] { servers[shard].EndPoint },
                Timeout = TimeSpan.FromSeconds(2),
                Retries = 1,
                UseCache = cache,
            };

            for (int shard = 0; shard < shardCount; shard++)
            {
                resolvers.Add(new DnsResolver(ResolverOptions(shard)));
            }

            var router = new ShardRouter(resolvers, ShardSize);
            var reportOptions = new DomainReportOptions
            {
                MtaSts = new MtaStsOptions { FetchPolicy = false },
                Include = (DomainCheck)Enum.Parse(typeof(DomainCheck), include),
                DkimSelectors = string.Equals(selectors, "common", StringComparison.Ordinal) ? null : selectors.Split(','),
            };

            // Critical path: one domain alone, cold, with the zone's parents warmed by another domain first.
            double roundTrips;
            using (var probeDns = new DnsResolver(ResolverOptions(shardCount - 1)))
            using (var probe = new DomainReporter(probeDns, reportOptions))
            {
                await probe.GetReportAsync("warm.bench.example");
                double best = double.MaxValue;
                for (int p = 1; p <= 3; p++)
                {
                    var w = Stopwatch.StartNew();
                    await probe.GetReportAsync(Name(domains - p));
                    best = Math.Min(best, w.Elapsed.TotalMilliseconds);
                }

                // The best of three: the unloaded path, rounded up to whole round trips.
                roundTrips = Math.Max(1, Math.Ceiling(best / latencyMs - 0.25));
            }

            foreach (LoopbackDnsServer s in servers)
            {
                s.ResetCounters();
            }

            // The servers log every query they serve (test infrastructure, in this process): drain
            // the logs as the run goes so they do not count as the engine's memory.
            long served = 0;
            void DrainServerLogs()
            {
                foreach (LoopbackDnsServer s in servers)
                {
                    Interlocked.Add(ref served, s.QueryCount);
                    s.ResetCounters();
                }
            }

            // Baseline: zone data, servers and key, after a full collection. "Engine MB" is the
            // peak managed heap above it while the audit runs.
            long baseline = GC.GetTotalMemory(true);
            long peakHeap = 0;
            int sampling = 0;
            using var sampler = new Timer(_ =>
            {
                if (Interlocked.Exchange(ref sampling, 1) == 1)
                {
                    return;
                }

                DrainServerLogs();
                long heap = GC.GetTotalMemory(false);
                if (heap > Interlocked.Read(ref peakHeap))
                {
                    Interlocked.Exchange(ref peakHeap, heap);
                }

                Volatile.Write(ref sampling, 0);
            }, null, 0, 100);

            // --archive PATH: the run records every answer the reports used (-DnsArchive), then
            // replays them offline below.
            DnsArchiveWriter? writer = archivePath is null ? null : DnsArchiveWriter.Open(archivePath);
            IDnsResolver dns = writer is null ? router : new ArchivingDnsResolver(router, writer);
            using var reporter = new DomainReporter(dns, reportOptions);
            using var runner = reporter.CreateBulkRunner(throttle);
            var statuses = new Dictionary<DomainReportStatus, int>();
            long taken = 0;
            double sumElapsed = 0, sumQuery = 0;
            long wireQueries = 0;
            var watch = Stopwatch.StartNew();
            void Drain(MailDomainReport r)
            {
                // Stand-in for Export-Csv: touch the flat row, then drop the object.
                _ = r.Domain + r.GradeCode + r.FindingText;
                sumElapsed += r.ElapsedMilliseconds;
                foreach (DnsResponse q in r.DnsEvidence)
                {
                    if (!q.FromCache)
                    {
                        sumQuery += q.ElapsedMilliseconds;
                        wireQueries++;
                    }
                }

                statuses[r.StatusCode] = statuses.TryGetValue(r.StatusCode, out int n) ? n + 1 : 1;
                taken++;
            }

            Audit(runner, domains, Drain);
            watch.Stop();
            sampler.Change(Timeout.Infinite, Timeout.Infinite);
            Thread.Sleep(200);
            DrainServerLogs();
            Console.Error.WriteLine($"avg domain {sumElapsed / Math.Max(1, taken):0.0} ms, avg wire query {sumQuery / Math.Max(1, wireQueries):0.0} ms over {wireQueries} (trace entries not from cache)");
            foreach (LoopbackDnsServer s in servers)
            {
                s.Dispose();
            }

            if (writer != null)
            {
                writer.Dispose();
                await ReplayAsync(archivePath!, domains, throttle, reportOptions, statuses);
            }

            using Process self = Process.GetCurrentProcess();
            self.Refresh();
            double seconds = watch.Elapsed.TotalSeconds;
            int failed = statuses.TryGetValue(DomainReportStatus.LookupFailed, out int f) ? f : 0;
            if (taken != domains)
            {
                throw new InvalidOperationException($"{taken} reports for {domains} domains");
            }

            return new Row
            {
                Domains = domains,
                Throttle = throttle,
                Seconds = seconds,
                Rate = domains / seconds,
                RoundTrips = roundTrips,
                Ideal = throttle / (roundTrips * latencyMs / 1000.0),
                Queries = served,
                PeakWorkingSetMb = self.PeakWorkingSet64 / 1048576.0,
                PeakHeapMb = Math.Max(0, Interlocked.Read(ref peakHeap) - baseline) / 1048576.0,
                Failed = failed,
            };
        }

        /// <summary>Posts bNNNNN domains 0..domains-1 and hands each report to <paramref name="take"/>, in input order.</summary>
        private static void Audit(DomainAuditRunner runner, int domains, Action<MailDomainReport> take)
        {
            for (int i = 0; i < domains; i++)
            {
                runner.Post(Name(i));
                while (runner.TryTakeNext(out MailDomainReport ready))
                {
                    take(ready);
                }

                while (runner.IsReadAheadFull)
                {
                    if (runner.WaitNext(TimeSpan.FromMilliseconds(100), out MailDomainReport waited))
                    {
                        take(waited);
                    }
                }
            }

            runner.CompleteAdding();
            foreach (MailDomainReport r in runner.TakeAll())
            {
                take(r);
            }
        }

        /// <summary>
        /// The recorded run replayed offline (-Offline): the archive's size, the time to load it,
        /// and domains per second with their CPU, the servers gone. The statuses must equal the
        /// live run's.
        /// </summary>
        private static async Task ReplayAsync(string path, int domains, int throttle, DomainReportOptions options, Dictionary<DomainReportStatus, int> liveStatuses)
        {
            var file = new System.IO.FileInfo(path);
            long lines = System.IO.File.ReadLines(path).LongCount();
            using Process self = Process.GetCurrentProcess();
            TimeSpan cpu0 = self.TotalProcessorTime;
            var load = Stopwatch.StartNew();
            DnsArchive archive = DnsArchive.Load(path);
            load.Stop();
            var replayStatuses = new Dictionary<DomainReportStatus, int>();
            using var reporter = new DomainReporter(new DnsArchiveReplayResolver(archive), options);
            using var runner = reporter.CreateBulkRunner(throttle);
            var watch = Stopwatch.StartNew();
            TimeSpan cpu1 = self.TotalProcessorTime;
            void Count(MailDomainReport r) => replayStatuses[r.StatusCode] = replayStatuses.TryGetValue(r.StatusCode, out int n) ? n + 1 : 1;
            Audit(runner, domains, Count);
            watch.Stop();
            self.Refresh();
            TimeSpan cpu2 = self.TotalProcessorTime;
            string Text(Dictionary<DomainReportStatus, int> d) => string.Join(", ", d.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"));
            Console.Error.WriteLine($"archive: {file.Length / 1048576.0:0.0} MiB, {lines} lines ({file.Length / (double)domains / 1024:0.0} KiB and {lines / (double)domains:0.0} answers a domain), {archive.Problems.Count} problems; loaded in {load.Elapsed.TotalSeconds:0.00} s ({(cpu1 - cpu0).TotalSeconds:0.00} s CPU)");
            Console.Error.WriteLine($"replay: {domains / watch.Elapsed.TotalSeconds:0} domains/s offline, {(cpu2 - cpu1).TotalMilliseconds * 1000 / domains:0} µs CPU a domain; statuses {(Text(replayStatuses) == Text(liveStatuses) ? "equal the live run's" : "DIFFER: live " + Text(liveStatuses) + " / replay " + Text(replayStatuses))}");
        }

        /// <summary>Sends each query to the shard that serves its bNNNNN domain (shared names: the last shard).</summary>
        private sealed class ShardRouter : IDnsResolver
        {
            private readonly IReadOnlyList<DnsResolver> _shards;
            private readonly int _shardSize;

            public ShardRouter(IReadOnlyList<DnsResolver> shards, int shardSize)
            {
                _shards = shards;
                _shardSize = shardSize;
            }

            public Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
            {
                int shard = _shards.Count - 1;
                int at = name.IndexOf(".bench.example", StringComparison.OrdinalIgnoreCase);
                if (at >= 6)
                {
                    int start = name.LastIndexOf('.', at - 1) + 1;
                    if (name[start] == 'b' && int.TryParse(name.AsSpan(start + 1, at - start - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                    {
                        shard = Math.Min(_shards.Count - 1, index / _shardSize);
                    }
                }

                return _shards[shard].QueryAsync(name, type, cancellationToken);
            }
        }

        /// <summary>3,000 distinct TXT queries, 128 at a time, 20 ms each, straight through DnsResolver (no engine, no runner).</summary>
        private static async Task RawProbe()
        {
            var zone = new DnsZone { DefaultLatency = TimeSpan.FromMilliseconds(20) };
            for (int i = 0; i < 3000; i++)
            {
                zone.AddTxt($"r{i}.probe.example", "v=TLSRPTv1; rua=mailto:a@b.example");
            }

            using LoopbackDnsServer server = LoopbackDnsServer.Start(zone);
            using var dns = new DnsResolver(new DnsResolverOptions { Servers = new[] { server.EndPoint }, Timeout = TimeSpan.FromSeconds(2) });
            await dns.QueryAsync("r0.probe.example", DnsRecordType.TXT);
            var watch = Stopwatch.StartNew();
            using var gate = new SemaphoreSlim(128);
            var tasks = new List<Task>();
            for (int i = 1; i < 3000; i++)
            {
                await gate.WaitAsync();
                string name = $"r{i}.probe.example";
                tasks.Add(Task.Run(async () =>
                {
                    try
                    {
                        await dns.QueryAsync(name, DnsRecordType.TXT);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }

            await Task.WhenAll(tasks);
            Console.WriteLine($"raw: {2999 / watch.Elapsed.TotalSeconds:0} queries/s at 128 in flight (ideal {128 / 0.020:0})");
        }

        /// <summary>Distinct names through one DnsResolver: time per 10,000 as its cache grows.</summary>
        private static async Task CacheProbe()
        {
            var zone = new DnsZone();
            zone.Add("probe.example", ZoneRecordType.A, "192.0.2.1");
            using LoopbackDnsServer server = LoopbackDnsServer.Start(zone);
            using var dns = new DnsResolver(new DnsResolverOptions { Servers = new[] { server.EndPoint }, Timeout = TimeSpan.FromSeconds(2) });
            for (int block = 0; block < 5; block++)
            {
                var watch = Stopwatch.StartNew();
                using var gate = new SemaphoreSlim(64);
                var tasks = new List<Task>();
                for (int i = 0; i < 10000; i++)
                {
                    await gate.WaitAsync();
                    string name = $"n{block}-{i}.probe.example";
                    tasks.Add(Task.Run(async () =>
                    {
                        try
                        {
                            await dns.QueryAsync(name, DnsRecordType.TXT);
                        }
                        finally
                        {
                            gate.Release();
                        }
                    }));
                }

                await Task.WhenAll(tasks);
                server.ResetCounters();
                Console.WriteLine($"names {block * 10000}-{(block + 1) * 10000}: {watch.Elapsed.TotalSeconds:0.00} s");
            }
        }

        private static string Name(int i) => "b" + i.ToString("D5", CultureInfo.InvariantCulture) + ".bench.example";

        private sealed class Args
        {
            public int Domains { get; set; } = 10000;
            public int Throttle { get; set; } = BulkRunner<string, string>.DefaultThrottleLimit;
            public int LatencyMs { get; set; } = 20;
            public bool Cache { get; set; } = true;
            public bool Matrix { get; set; }
            public string Selectors { get; set; } = "common";
            public string Include { get; set; } = "All";

            public string? Archive { get; set; }

            public static Args Parse(string[] args)
            {
                var result = new Args();
                for (int i = 0; i < args.Length; i++)
                {
                    switch (args[i])
                    {
                        case "--domains": result.Domains = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                        case "--throttle": result.Throttle = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                        case "--latency-ms": result.LatencyMs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                        case "--selectors": result.Selectors = args[++i]; break;
                        case "--include": result.Include = args[++i]; break;
                        case "--archive": result.Archive = args[++i]; break;
                        case "--no-cache": result.Cache = false; break;
                        case "--matrix": result.Matrix = true; break;
                        default: throw new ArgumentException("unknown argument " + args[i]);
                    }
                }

                return result;
            }
        }

        private sealed class Row
        {
            public int Domains { get; set; }
            public int Throttle { get; set; }
            public double Seconds { get; set; }
            public double Rate { get; set; }
            public double RoundTrips { get; set; }
            public double Ideal { get; set; }
            public long Queries { get; set; }
            public double PeakWorkingSetMb { get; set; }
            public double PeakHeapMb { get; set; }
            public int Failed { get; set; }

            public string ToLine() => string.Join(" ", "ROW", Domains, Throttle, Seconds.ToString("R", CultureInfo.InvariantCulture), Rate.ToString("R", CultureInfo.InvariantCulture),
                RoundTrips.ToString("R", CultureInfo.InvariantCulture), Ideal.ToString("R", CultureInfo.InvariantCulture), Queries,
                PeakWorkingSetMb.ToString("R", CultureInfo.InvariantCulture), PeakHeapMb.ToString("R", CultureInfo.InvariantCulture), Failed);

            public static Row? FromLine(string? line)
            {
                if (line is null)
                {
                    return null;
                }

                string[] p = line.Trim().Split(' ');
                double D(int i) => double.Parse(p[i], CultureInfo.InvariantCulture);
                return new Row
                {
                    Domains = int.Parse(p[1], CultureInfo.InvariantCulture),
                    Throttle = int.Parse(p[2], CultureInfo.InvariantCulture),
                    Seconds = D(3), Rate = D(4), RoundTrips = D(5), Ideal = D(6),
                    Queries = long.Parse(p[7], CultureInfo.InvariantCulture),
                    PeakWorkingSetMb = D(8), PeakHeapMb = D(9),
                    Failed = int.Parse(p[10], CultureInfo.InvariantCulture),
                };
            }
        }
    }
}
