using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using BenchmarkDotNet.Running;

namespace MailAuth.Bench
{
    public static class Program
    {
        public static async Task<int> Main(string[] args)
        {
            if (args.Length > 0 && args[0] == "bdn")
            {
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Skip(1).ToArray());
                return 0;
            }

            if (args.Length > 0 && args[0] == "fuzz")
            {
                return FuzzBench.Campaign(args);
            }

            if (args.Length > 0 && args[0] == "hostile")
            {
                return FuzzBench.Hostile(args);
            }

            if (args.Length > 1 && args[0] == "reports")
            {
                return ReportBench.Run(args[1]);
            }

            string only = args.Length > 0 ? args[0] : "all";
            if (only == "serve-dns")
            {
                // serve-dns [dns|mail] [latency-ms]: the zone of the dns or spf-bulk bench, in its own process.
                bool mail = args.Length > 1 && args[1] == "mail";
                TimeSpan serveLatency = TimeSpan.FromMilliseconds(args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 0);
                DnsBench.Serve(mail ? SpfBulkBench.Zone(serveLatency) : DnsBench.Zone());
                return 0;
            }

            if (only == "spf-bulk")
            {
                // spf-bulk [rows] [latency-ms,...]
                int rows = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 4000;
                int[] latencies = args.Length > 2 ? args[2].Split(',').Select(l => int.Parse(l, System.Globalization.CultureInfo.InvariantCulture)).ToArray() : new[] { 0, 10 };
                SpfBulkBench.Run(rows, latencies);
                return 0;
            }

            if (only == "dns" || only == "all")
            {
                await DnsBench.RunAsync(args.Length > 1 && only == "dns" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20000);
            }

            if (only == "dmarc" || only == "all")
            {
                await DmarcBench.RunAsync(3000, TimeSpan.Zero, 32);
                await DmarcBench.RunAsync(3000, TimeSpan.FromMilliseconds(20), 32);
            }

            if (only == "headers" || only == "all")
            {
                HeaderBench.Run(System.IO.Path.Combine(RepoRoot(), "samples"), args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100);
            }

            if (only != "spf" && only != "all")
            {
                return 0;
            }

            // Quick figures with a Stopwatch: a few seconds, fit for a shared machine.
            foreach (bool cache in new[] { false, true })
            {
                using var workload = new SuiteWorkload(cache);
                await workload.RunOnceAsync();
                long before = GC.GetTotalAllocatedBytes(true);
                var stopwatch = Stopwatch.StartNew();
                int evaluations = 0;
                for (int round = 0; round < 5; round++)
                {
                    evaluations += await workload.RunOnceAsync();
                }

                stopwatch.Stop();
                long allocated = GC.GetTotalAllocatedBytes(true) - before;
                Console.WriteLine($"RFC 7208 suite zones, cache {(cache ? "on " : "off")}: {evaluations / stopwatch.Elapsed.TotalSeconds,8:0} evaluations/s, {allocated / evaluations / 1024.0,6:0.0} KiB allocated per evaluation ({evaluations} evaluations, loopback, resolver included)");
            }

            TimeSpan latency = TimeSpan.FromMilliseconds(20);
            await DeepTree.MeasureAsync(true, latency);
            double[] sequential = new double[5];
            double[] parallel = new double[5];
            for (int i = 0; i < 5; i++)
            {
                sequential[i] = await DeepTree.MeasureAsync(false, latency);
                parallel[i] = await DeepTree.MeasureAsync(true, latency);
            }

            Console.WriteLine($"Three-level include tree (9 includes, 10 TXT queries), 20 ms per query: one at a time {Median(sequential):0} ms, prefetched {Median(parallel):0} ms (depth + 1 = 3 round trips: ideal 60 ms)");
            return 0;
        }

        internal static string RepoRoot()
        {
            string? directory = AppContext.BaseDirectory;
            while (directory != null && !System.IO.File.Exists(System.IO.Path.Combine(directory, "MailAuth.PowerShell.sln")))
            {
                directory = System.IO.Path.GetDirectoryName(directory);
            }

            return directory ?? throw new InvalidOperationException("MailAuth.PowerShell.sln not found");
        }

        private static double Median(double[] values)
        {
            double[] sorted = values.OrderBy(v => v).ToArray();
            return sorted[sorted.Length / 2];
        }
    }
}
