using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Testing.Dns;

namespace MailAuth.Bench
{
    /// <summary>
    /// CPU per DNS query of the resolver, cache off: the loopback server runs in a child process
    /// (this program with "serve-dns"), so <see cref="Process.TotalProcessorTime"/> of this process
    /// is the client's cost alone (sockets, timers, encoding, parsing, task machinery).
    /// </summary>
    public static class DnsBench
    {
        /// <summary>The names the child server answers: shaped like SPF's queries (a TXT record, A, MX, NXDOMAIN).</summary>
        public static DnsZone Zone()
        {
            return new DnsZone()
                .AddTxt("contoso.com", "v=spf1 include:spf.protection.outlook.com -all")
                .AddTxt("contoso.com", "MS=ms48211394")
                .AddTxt("spf.protection.outlook.com", "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 ip4:52.102.0.0/16 ip4:52.103.0.0/16 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 ip6:2a01:111:f403::/49 -all")
                .Add("contoso.com", ZoneRecordType.MX, "0 contoso-com.mail.protection.outlook.com")
                .Add("contoso-com.mail.protection.outlook.com", ZoneRecordType.A, "52.101.68.10")
                .Add("contoso-com.mail.protection.outlook.com", ZoneRecordType.A, "52.101.68.11");
        }

        /// <summary>Child process: serve <see cref="Zone"/> on loopback, print the port, stop when stdin closes.</summary>
        public static void Serve(DnsZone zone)
        {
            using LoopbackDnsServer server = LoopbackDnsServer.Start(zone);
            Console.WriteLine(server.EndPoint.Port);
            Console.Out.Flush();
            Console.In.ReadToEnd();
        }

        public static async Task RunAsync(int queries)
        {
            string self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
            var start = new ProcessStartInfo(self, "serve-dns") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            if (self.EndsWith("dotnet", StringComparison.Ordinal))
            {
                start = new ProcessStartInfo(self, typeof(DnsBench).Assembly.Location + " serve-dns") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            }

            using Process child = Process.Start(start) ?? throw new InvalidOperationException("server did not start");
            try
            {
                int port = int.Parse(child.StandardOutput.ReadLine()!, System.Globalization.CultureInfo.InvariantCulture);
                var endPoint = new IPEndPoint(IPAddress.Loopback, port);
                (string Name, DnsRecordType Type)[] mix =
                {
                    ("contoso.com", DnsRecordType.TXT),
                    ("spf.protection.outlook.com", DnsRecordType.TXT),
                    ("contoso.com", DnsRecordType.MX),
                    ("contoso-com.mail.protection.outlook.com", DnsRecordType.A),
                    ("missing.contoso.com", DnsRecordType.A),
                };

                foreach (int concurrency in new[] { 1, 32 })
                {
                    using var resolver = new DnsResolver(new DnsResolverOptions { Servers = new[] { endPoint }, Timeout = TimeSpan.FromSeconds(2), Retries = 0, UseCache = false });
                    await RunOnceAsync(resolver, mix, 2000, concurrency).ConfigureAwait(false); // warm-up: JIT, sockets
                    double[] cpu = new double[3];
                    double[] rate = new double[3];
                    double[] bytes = new double[3];
                    for (int i = 0; i < cpu.Length; i++)
                    {
                        (cpu[i], rate[i], bytes[i]) = await RunOnceAsync(resolver, mix, queries, concurrency).ConfigureAwait(false);
                    }

                    Console.WriteLine($"DNS queries, cache off, {concurrency,2} at a time: {Median(cpu),6:0.0} µs CPU per query (client process only; runs {string.Join(" / ", cpu.Select(c => c.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))}), {Median(rate),7:0} queries/s, {Median(bytes),6:0} bytes allocated per query");
                }
            }
            finally
            {
                child.StandardInput.Close();
                if (!child.WaitForExit(5000))
                {
                    child.Kill();
                }
            }
        }

        private static async Task<(double CpuMicroseconds, double PerSecond, double Bytes)> RunOnceAsync(DnsResolver resolver, (string Name, DnsRecordType Type)[] mix, int queries, int concurrency)
        {
            using Process me = Process.GetCurrentProcess();
            TimeSpan cpu0 = me.TotalProcessorTime;
            long bytes0 = GC.GetTotalAllocatedBytes(true);
            var clock = Stopwatch.StartNew();
            int next = -1;
            int failed = 0;
            Task[] workers = Enumerable.Range(0, concurrency).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < queries)
                {
                    (string name, DnsRecordType type) = mix[i % mix.Length];
                    DnsResponse response = await resolver.QueryAsync(name, type).ConfigureAwait(false);
                    if (response.StatusCode == DnsLookupStatus.Failed)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            }).ToArray();
            await Task.WhenAll(workers).ConfigureAwait(false);
            clock.Stop();
            long bytes = GC.GetTotalAllocatedBytes(true) - bytes0;
            me.Refresh();
            TimeSpan cpu = me.TotalProcessorTime - cpu0;
            if (failed > 0)
            {
                throw new InvalidOperationException($"{failed} of {queries} queries failed");
            }

            return (cpu.TotalMilliseconds * 1000 / queries, queries / clock.Elapsed.TotalSeconds, (double)bytes / queries);
        }

        private static double Median(double[] values)
        {
            double[] sorted = values.OrderBy(v => v).ToArray();
            return sorted[sorted.Length / 2];
        }
    }
}
