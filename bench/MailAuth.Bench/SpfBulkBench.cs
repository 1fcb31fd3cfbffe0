using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using MailAuth.Testing.Dns;

namespace MailAuth.Bench
{
    /// <summary>
    /// Mail-log re-checks in bulk, on the same zones for every tool: pyspf one row after the other
    /// (Debian's python3-spf, as the shared harness drives it), <c>Import-Csv conn.csv | Test-Spf</c> in
    /// the pinned pwsh, and <c>mailauth spf check --batch</c>. The zones are served by the loopback
    /// server in a child process, with 0 ms and with an injected per-query latency (a resolver that
    /// must ask the authoritative servers). Cache off everywhere.
    /// </summary>
    public static class SpfBulkBench
    {
        /// <summary>Microsoft 365, Google Workspace, Amazon SES and a domain's own a/mx, as they publish them.</summary>
        public static DnsZone Zone(TimeSpan latency)
        {
            var zone = new DnsZone { DefaultLatency = latency };
            zone.AddTxt("spf.protection.outlook.com", "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 ip4:52.102.0.0/16 ip4:52.103.0.0/16 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 ip6:2a01:111:f403::/49 -all");
            zone.AddTxt("contoso.com", "v=spf1 include:spf.protection.outlook.com -all");
            zone.AddTxt("_spf.google.com", "v=spf1 include:_netblocks.google.com include:_netblocks2.google.com include:_netblocks3.google.com ~all");
            zone.AddTxt("_netblocks.google.com", "v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 ip4:66.102.0.0/20 ip4:66.249.80.0/20 ip4:72.14.192.0/18 ip4:74.125.0.0/16 ip4:108.177.8.0/21 ip4:173.194.0.0/16 ip4:209.85.128.0/17 ip4:216.58.192.0/19 ip4:216.239.32.0/19 ~all");
            zone.AddTxt("_netblocks2.google.com", "v=spf1 ip6:2001:4860:4000::/36 ip6:2404:6800:4000::/36 ip6:2607:f8b0:4000::/36 ip6:2800:3f0:4000::/36 ip6:2a00:1450:4000::/36 ip6:2c0f:fb50:4000::/36 ~all");
            zone.AddTxt("_netblocks3.google.com", "v=spf1 ip4:172.217.0.0/19 ip4:172.217.32.0/20 ip4:172.217.128.0/19 ip4:172.217.160.0/20 ip4:172.217.192.0/19 ip4:172.253.56.0/21 ip4:172.253.112.0/20 ip4:108.177.96.0/19 ip4:35.191.0.0/16 ip4:130.211.0.0/22 ~all");
            zone.AddTxt("fabrikam.com", "v=spf1 include:_spf.google.com ~all");
            zone.AddTxt("amazonses.com", "v=spf1 ip4:199.255.192.0/22 ip4:199.127.232.0/22 ip4:54.240.0.0/18 ip4:69.169.224.0/20 ip4:23.249.208.0/20 ip4:23.251.224.0/19 ip4:76.223.176.0/20 ip4:54.240.64.0/19 ip4:54.240.96.0/19 ip4:52.82.172.0/22 -all");
            zone.AddTxt("wingtiptoys.com", "v=spf1 include:amazonses.com ~all");
            zone.AddTxt("northwind.com", "v=spf1 include:spf.protection.outlook.com include:amazonses.com -all");
            zone.AddTxt("adventure-works.com", "v=spf1 mx a:relay.adventure-works.com ip4:198.51.100.0/25 -all");
            zone.Add("adventure-works.com", ZoneRecordType.MX, "10 mail.adventure-works.com");
            zone.Add("mail.adventure-works.com", ZoneRecordType.A, "203.0.113.25");
            zone.Add("relay.adventure-works.com", ZoneRecordType.A, "203.0.113.26");
            return zone;
        }

        /// <summary>A mail log of <paramref name="rows"/> connections: passes, fails, softfails, IPv6, bounces (null MAIL FROM).</summary>
        public static List<(string Ip, string MailFrom, string Helo)> Log(int rows)
        {
            var random = new Random(13);
            string In(string cidr)
            {
                string[] parts = cidr.Split('/');
                byte[] bytes = IPAddress.Parse(parts[0]).GetAddressBytes();
                int prefix = int.Parse(parts[1], CultureInfo.InvariantCulture);
                for (int bit = prefix; bit < bytes.Length * 8; bit++)
                {
                    if (random.Next(2) == 1)
                    {
                        bytes[bit / 8] |= (byte)(0x80 >> (bit % 8));
                    }
                }

                return new IPAddress(bytes).ToString();
            }

            var log = new List<(string, string, string)>(rows);
            for (int i = 0; i < rows; i++)
            {
                log.Add((i % 8) switch
                {
                    0 => (In("40.107.0.0/16"), "bounce@contoso.com", "EUR05-AM6-obe.outbound.protection.outlook.com"),
                    1 => (In("209.85.128.0/17"), "invoices@fabrikam.com", "mail-sor-f41.google.com"),
                    2 => (In("198.18.0.0/15"), "ceo@contoso.com", "unknown.example"),
                    3 => (In("54.240.0.0/18"), "no-reply@wingtiptoys.com", "a8-41.smtp-out.amazonses.com"),
                    4 => (In("2a01:111:f400::/48"), "alerts@northwind.com", "NAM12-DM6-obe.outbound.protection.outlook.com"),
                    5 => ("203.0.113.25", "orders@adventure-works.com", "mail.adventure-works.com"),
                    6 => (In("172.217.0.0/19"), "x@wingtiptoys.com", "mail-qt1-f41.google.com"),
                    _ => (In("198.51.100.0/25"), string.Empty, "adventure-works.com"),
                });
            }

            return log;
        }

        public static void Run(int rows, int[] latenciesMs)
        {
            string root = Program.RepoRoot();
            string psd1 = Path.Combine(root, "out", "MailAuth.PowerShell", "MailAuth.PowerShell.psd1");
            string cli = Path.Combine(root, "src", "MailAuth.Cli", "bin", "Release", "net10.0", "mailauth.dll");
            foreach (string needed in new[] { psd1, cli, "/usr/bin/python3" })
            {
                if (!File.Exists(needed))
                {
                    throw new InvalidOperationException($"{needed} is missing: dotnet build MailAuth.PowerShell.sln -c Release (and apt-get install python3-spf).");
                }
            }

            string dir = Path.Combine(Path.GetTempPath(), "mailauth-spf-bulk-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                List<(string Ip, string MailFrom, string Helo)> log = Log(rows);
                string csv = Path.Combine(dir, "conn.csv");
                File.WriteAllLines(csv, new[] { "ClientIP,Sender,Helo" }.Concat(log.Select(r => $"{r.Ip},{r.MailFrom},{r.Helo}")));
                string batch = Path.Combine(dir, "batch.txt");
                File.WriteAllLines(batch, log.Select(r => $"{r.Ip}\t{r.MailFrom}\t{r.Helo}"));
                string warm = Path.Combine(dir, "warm.csv");
                File.WriteAllLines(warm, File.ReadLines(csv).Take(401));

                Console.WriteLine($"Mail-log re-checks, {rows} rows (8 kinds of connection), cache off, loopback server in a child process:");
                Console.WriteLine("| per-query latency | pyspf, one row at a time | `Import-Csv \\| Test-Spf` | ratio | `mailauth spf check --batch` | ratio |");
                Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
                foreach (int latency in latenciesMs)
                {
                    using Process server = StartServer(latency);
                    int port = int.Parse(server.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture);
                    string address = "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
                    try
                    {
                        // pyspf is sequential: a sample of the rows gives its rate without minutes of waiting.
                        int sample = latency == 0 ? rows : Math.Min(rows, 200);
                        string sampleFile = Path.Combine(dir, "sample.txt");
                        File.WriteAllLines(sampleFile, File.ReadLines(batch).Take(sample));
                        Measured py = RunPyspf(port, sampleFile);
                        Measured ps = RunPwsh(root, psd1, csv, warm, address);
                        Measured cl = RunCli(cli, batch, address);
                        Console.WriteLine($"| {latency} ms | {py} | {ps} | {ps.Rate / py.Rate:0.0}x | {cl} | {cl.Rate / py.Rate:0.0}x |");
                    }
                    finally
                    {
                        server.StandardInput.Close();
                        if (!server.WaitForExit(5000))
                        {
                            server.Kill();
                        }
                    }
                }
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        private static Process StartServer(int latencyMs)
        {
            string self = typeof(SpfBulkBench).Assembly.Location;
            var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add(self);
            start.ArgumentList.Add("serve-dns");
            start.ArgumentList.Add("mail");
            start.ArgumentList.Add(latencyMs.ToString(CultureInfo.InvariantCulture));
            return Process.Start(start) ?? throw new InvalidOperationException("the DNS server did not start");
        }

        private sealed class Measured
        {
            public int Rows;
            public double Seconds;
            public double CpuSeconds;

            public double Rate => Rows / Seconds;

            public override string ToString() => $"{Rate:0} rows/s ({Rows} in {Seconds:0.00} s, {CpuSeconds * 1e6 / Rows:0} µs CPU/row)";
        }

        private static Measured Parse(string output, string who)
        {
            string? line = output.Split('\n').LastOrDefault(l => l.StartsWith("rows ", StringComparison.Ordinal));
            if (line is null)
            {
                throw new InvalidOperationException($"{who} printed no result: {output}");
            }

            string[] f = line.Trim().Split(' ');
            return new Measured
            {
                Rows = int.Parse(f[1], CultureInfo.InvariantCulture),
                Seconds = double.Parse(f[3], CultureInfo.InvariantCulture),
                CpuSeconds = double.Parse(f[5], CultureInfo.InvariantCulture),
            };
        }

        private static string Run(ProcessStartInfo start, string? stdin = null)
        {
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            start.RedirectStandardInput = stdin != null;
            start.UseShellExecute = false;
            using Process process = Process.Start(start) ?? throw new InvalidOperationException(start.FileName + " did not start");

            // Feed and drain at once: a child that answers line by line blocks on a full pipe otherwise.
            var feed = System.Threading.Tasks.Task.Run(() =>
            {
                if (stdin != null)
                {
                    process.StandardInput.Write(stdin);
                    process.StandardInput.Close();
                }
            });
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            feed.Wait();
            process.WaitForExit();
            return output + error.Result;
        }

        private static Measured RunPyspf(int port, string batch)
        {
            string script = Path.Combine(Path.GetDirectoryName(typeof(SpfBulkBench).Assembly.Location)!, "pyspf_sequential.py");
            var start = new ProcessStartInfo("/usr/bin/python3");
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
            start.ArgumentList.Add(batch);
            return Parse(Run(start), "pyspf");
        }

        private static Measured RunPwsh(string root, string psd1, string csv, string warm, string server)
        {
            string command =
                $"Import-Module '{psd1}'; " +
                $"$null = Import-Csv '{warm}' | Test-Spf -Server {server} -NoCache -ErrorAction SilentlyContinue; " +
                "$p = [Diagnostics.Process]::GetCurrentProcess(); $c0 = $p.TotalProcessorTime; $sw = [Diagnostics.Stopwatch]::StartNew(); " +
                $"$n = (Import-Csv '{csv}' | Test-Spf -Server {server} -NoCache -ErrorAction SilentlyContinue | Measure-Object).Count; " +
                "$sw.Stop(); $p.Refresh(); " +
                "'rows {0} seconds {1} cpu {2}' -f $n, $sw.Elapsed.TotalSeconds.ToString([cultureinfo]::InvariantCulture), ($p.TotalProcessorTime - $c0).TotalSeconds.ToString([cultureinfo]::InvariantCulture)";
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root };
            start.ArgumentList.Add("pwsh");
            start.ArgumentList.Add("-NoProfile");
            start.ArgumentList.Add("-Command");
            start.ArgumentList.Add(command);
            return Parse(Run(start), "pwsh");
        }

        private static Measured RunCli(string cli, string batch, string server)
        {
            string input = File.ReadAllText(batch);
            string warm = string.Join("\n", input.Split('\n').Take(400)) + "\n";
            var warmStart = new ProcessStartInfo("dotnet");
            foreach (string a in new[] { cli, "spf", "check", "--batch", "--no-cache", "--server", server })
            {
                warmStart.ArgumentList.Add(a);
            }

            Run(warmStart, warm);

            // The whole process, start-up included: that is what a script that pipes a log into it waits for.
            // GNU time reports its CPU (user + system), which a parent cannot read after the child exits.
            var start = new ProcessStartInfo("/usr/bin/time");
            start.ArgumentList.Add("-f");
            start.ArgumentList.Add("cputime %U %S");
            start.ArgumentList.Add("dotnet");
            foreach (string a in warmStart.ArgumentList)
            {
                start.ArgumentList.Add(a);
            }

            var clock = Stopwatch.StartNew();
            string output = Run(start, input);
            clock.Stop();
            int lines = output.Split('\n').Count(l => l.Contains('\t'));
            string? times = output.Split('\n').LastOrDefault(l => l.StartsWith("cputime ", StringComparison.Ordinal));
            double cpu = times is null ? double.NaN : times.Split(' ').Skip(1).Sum(t => double.Parse(t, CultureInfo.InvariantCulture));
            return new Measured { Rows = lines, Seconds = clock.Elapsed.TotalSeconds, CpuSeconds = cpu };
        }
    }
}
