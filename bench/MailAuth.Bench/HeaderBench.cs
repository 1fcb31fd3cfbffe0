using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using MailAuth.Headers;

namespace MailAuth.Bench
{
    /// <summary>Header reports per second for the bundled samples, and a large mbox streamed with flat memory.</summary>
    public static class HeaderBench
    {
        public static void Run(string samplesDirectory, int mboxMegabytes)
        {
            string[] samples = Directory.GetFiles(samplesDirectory, "*.txt").Select(File.ReadAllText).ToArray();
            // The mbox is built from the largest bundled sample (5.2 KB, a Gmail "Show original" paste).
            string typical = samples.OrderByDescending(s => s.Length).First();
            foreach (string sample in samples)
            {
                MailHeaderAnalyzer.AnalyzeText(sample);
            }

            int reports = 0;
            long before = GC.GetTotalAllocatedBytes(true);
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(3))
            {
                foreach (string sample in samples)
                {
                    reports += MailHeaderAnalyzer.AnalyzeText(sample).Count;
                }
            }

            clock.Stop();
            double averageKb = samples.Average(s => s.Length) / 1024.0;
            Console.WriteLine($"Header reports, bundled samples (average {averageKb:0.0} KB): {reports / clock.Elapsed.TotalSeconds,8:0} reports/s, " +
                $"{(GC.GetTotalAllocatedBytes(true) - before) / reports / 1024.0:0} KiB allocated per report");

            foreach (string path in Directory.GetFiles(samplesDirectory, "*.txt").OrderBy(p => p, StringComparer.Ordinal))
            {
                string text = File.ReadAllText(path);
                int n = 0;
                var each = Stopwatch.StartNew();
                while (each.Elapsed < TimeSpan.FromSeconds(1))
                {
                    n += MailHeaderAnalyzer.AnalyzeText(text).Count;
                }

                Console.WriteLine($"  {Path.GetFileName(path),-34} {text.Length / 1024.0,4:0.0} KB {n / each.Elapsed.TotalSeconds,8:0} reports/s");
            }


            string mbox = Path.Combine(Path.GetTempPath(), "mailauth-bench-" + Guid.NewGuid().ToString("N") + ".mbox");
            try
            {
                long target = mboxMegabytes * 1024L * 1024L;
                int messages = 0;
                using (var writer = new StreamWriter(mbox, false, new UTF8Encoding(false)))
                {
                    string message = typical.Replace("\r\n", "\n") + "\n\nbody line\n\n";
                    while (writer.BaseStream.Length < target)
                    {
                        writer.Write("From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n");
                        writer.Write(message);
                        messages++;
                    }
                }

                GC.Collect();
                long peak = 0;
                long baseline = GC.GetTotalMemory(true);
                int counted = 0;
                clock.Restart();
                foreach (MailHeaderReport report in MailHeaderAnalyzer.AnalyzeFile(mbox))
                {
                    counted++;
                    if (counted % 500 == 0)
                    {
                        peak = Math.Max(peak, GC.GetTotalMemory(false) - baseline);
                    }
                }

                clock.Stop();
                Console.WriteLine($"mbox of {mboxMegabytes} MB ({messages} messages) streamed: {counted / clock.Elapsed.TotalSeconds,8:0} reports/s, " +
                    $"{new FileInfo(mbox).Length / 1048576.0 / clock.Elapsed.TotalSeconds:0.0} MB/s, managed heap above baseline at most {peak / 1048576.0:0.0} MB, process peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:0} MB");
            }
            finally
            {
                File.Delete(mbox);
            }
        }
    }
}
