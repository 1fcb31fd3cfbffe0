using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dmarc;
using MailAuth.Dns;
using MailAuth.Testing.Dns;

namespace MailAuth.Bench
{
    /// <summary>
    /// DMARC discovery for many synthetic domains on the loopback server: a third have a record at
    /// the domain, a third only at the organizational domain (the tree walk climbs), a third none;
    /// one in twenty answers SERVFAIL. Run as a bulk pipeline would, N at a time.
    /// </summary>
    public static class DmarcBench
    {
        public static async Task RunAsync(int domains, TimeSpan latency, int concurrency)
        {
            var zone = new DnsZone { DefaultLatency = latency };
            string[] names = new string[domains];
            for (int i = 0; i < domains; i++)
            {
                string org = $"org{i}.example";
                switch (i % 3)
                {
                    case 0:
                        names[i] = org;
                        zone.AddTxt("_dmarc." + org, "v=DMARC1; p=reject; rua=mailto:d@" + org);
                        break;
                    case 1:
                        names[i] = "mail." + org;
                        zone.AddTxt("_dmarc." + org, "v=DMARC1; p=quarantine; sp=none");
                        break;
                    default:
                        names[i] = org;
                        zone.Add(org, ZoneRecordType.A, "192.0.2.1");
                        break;
                }

                if (i % 20 == 19)
                {
                    zone.AddFault("_dmarc." + names[i], DnsFault.ServFail);
                }
            }

            using LoopbackDnsServer server = LoopbackDnsServer.Start(zone);
            using var dns = new DnsResolver(new DnsResolverOptions { Servers = new[] { server.EndPoint }, Timeout = TimeSpan.FromSeconds(2), Retries = 0 });
            var resolver = new DmarcResolver(dns);
            var options = new DmarcOptions { CompareMethods = false, CheckReportAuthorization = false };
            using var gate = new SemaphoreSlim(concurrency);
            int found = 0, notFound = 0, failed = 0;
            var clock = Stopwatch.StartNew();
            Task[] tasks = names.Select(async name =>
            {
                await gate.WaitAsync().ConfigureAwait(false);
                try
                {
                    DmarcPolicy policy = await resolver.ResolveAsync(new DmarcQuery(name), options).ConfigureAwait(false);
                    switch (policy.StatusCode)
                    {
                        case DmarcStatus.Found: Interlocked.Increment(ref found); break;
                        case DmarcStatus.NotFound: Interlocked.Increment(ref notFound); break;
                        default: Interlocked.Increment(ref failed); break;
                    }
                }
                finally
                {
                    gate.Release();
                }
            }).ToArray();
            await Task.WhenAll(tasks).ConfigureAwait(false);
            clock.Stop();
            Console.WriteLine($"DMARC discovery (tree walk), {domains} domains, {latency.TotalMilliseconds:0} ms per query, {concurrency} at a time: " +
                $"{domains / clock.Elapsed.TotalSeconds,8:0} domains/s ({found} found, {notFound} not found, {failed} lookup failed; {server.QueryCount} queries)");
        }
    }
}
