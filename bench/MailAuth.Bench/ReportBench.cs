using System;
using System.Diagnostics;
using System.Globalization;
using MailAuth.Reports;

namespace MailAuth.Bench
{
    /// <summary>
    /// Import-DmarcReport's core over one report file: records and messages, wall and CPU time,
    /// records/s, CPU µs per record, peak working set of this process (bench/README.md).
    /// </summary>
    internal static class ReportBench
    {
        public static int Run(string path)
        {
            var process = Process.GetCurrentProcess();
            TimeSpan cpu0 = process.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            long records = 0;
            long messages = 0;
            int errors = 0;
            var importer = new DmarcReportImporter();
            foreach (DmarcReportImport import in importer.ImportFile(path))
            {
                foreach (DmarcReportRecord record in import.Records)
                {
                    records++;
                    messages += record.Count;
                }

                if (import.Error != null)
                {
                    errors++;
                    Console.Error.WriteLine(import.Error.Message);
                }
            }

            wall.Stop();
            process.Refresh();
            double cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "MAILAUTH core: rows={0} messages={1} errors={2} seconds={3:0.00} rows_per_s={4:0} cpu_s={5:0.00} cpu_us_per_row={6:0.00} peak_ws_mb={7:0}",
                records, messages, errors, wall.Elapsed.TotalSeconds, records / wall.Elapsed.TotalSeconds, cpu, cpu * 1e6 / Math.Max(1, records),
                process.PeakWorkingSet64 / (1024.0 * 1024)));
            return errors == 0 ? 0 : 1;
        }
    }
}
