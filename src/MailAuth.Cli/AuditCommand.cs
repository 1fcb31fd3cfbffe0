using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using MailAuth.DomainReport;
using MailAuth.Dns;

namespace MailAuth.Cli
{
    /// <summary>
    /// mailauth audit FILE|-: Get-MailDomainReport over a file of domains, one row per domain line in
    /// input order, to a table, --csv and/or --json.
    /// </summary>
    internal static class AuditCommand
    {
        private static readonly string[] s_checkNames = { "Mx", "Spf", "Dmarc", "Dkim", "Bimi", "MtaSts", "TlsRpt" };

        public static Command Create()
        {
            var common = new CommonOptions();
            var file = new Argument<string>("file") { Description = "A file of domains, one per line ('#' and ';' comment lines and blank lines skipped); '-' reads standard input." };
            var csv = new Option<string?>("--csv") { Description = "Write one CSV row per domain to this file (RFC 4180, header row, flushed as rows come in)." };
            var throttle = new Option<int>("--throttle")
            {
                Description = "Most domains audited at once (1-1024; default 1024). A ceiling: the DNS queries on the wire adapt to the server and this machine.",
                DefaultValueFactory = _ => DomainReporter.DefaultThrottleLimit,
            };
            var allCommon = new Option<bool>("--all-common-selectors") { Description = "Sweep the whole common DKIM selector list (about 30 queries a domain) instead of choosing selectors from the domain's MX and SPF." };
            var resume = new Option<string?>("--resume") { Description = "Append to this CSV file (as --csv) and skip the domains whose rows it already holds: run the same command again after a stop." };
            var include = new Option<string[]>("--include") { Description = "Checks to run (repeatable or comma-separated): Mx, Spf, Dmarc, Dkim, Bimi, MtaSts, TlsRpt. Default: all." };
            var exclude = new Option<string[]>("--exclude") { Description = "Checks to leave out (repeatable or comma-separated)." };
            var selector = new Option<string[]>("--selector") { Description = "DKIM selector to query (repeatable). Default: the common provider selectors." };
            var budget = new Option<int>("--time-budget")
            {
                Description = "Seconds allowed per domain (1-3600); a domain over it is LookupFailed.",
                DefaultValueFactory = _ => 30,
            };
            var html = new Option<string?>("--html") { Description = "Also write one self-contained HTML page of the audit to this file, when the audit ends (docs/html-report.md)." };
            var noFetch = new Option<bool>("--no-mta-sts-fetch") { Description = "Check only the _mta-sts TXT record; do not fetch HTTPS policies." };
            var command = new Command("audit", "Audit many domains: MX, SPF, DMARC, DKIM, BIMI, MTA-STS and TLS-RPT with a grade, one row per domain.");
            command.Arguments.Add(file);
            command.Options.Add(csv);
            command.Options.Add(throttle);
            command.Options.Add(include);
            command.Options.Add(exclude);
            command.Options.Add(selector);
            command.Options.Add(allCommon);
            command.Options.Add(resume);
            command.Options.Add(budget);
            command.Options.Add(noFetch);
            command.Options.Add(html);
            common.AddTo(command);
            command.SetAction(result =>
            {
                IDnsResolver dns;
                var options = new DomainReportOptions();
                int throttleLimit = result.GetValue(throttle);
                try
                {
                    dns = common.CreateDnsResolver(result);
                    if (throttleLimit < 1 || throttleLimit > 1024)
                    {
                        throw new UsageException($"--throttle {throttleLimit}: give a number from 1 to 1024.");
                    }

                    if (result.GetValue(resume) != null && result.GetValue(csv) != null)
                    {
                        throw new UsageException("--resume FILE writes its CSV to FILE: leave out --csv.");
                    }

                    int seconds = result.GetValue(budget);
                    if (seconds < 1 || seconds > 3600)
                    {
                        throw new UsageException($"--time-budget {seconds}: give a number of seconds from 1 to 3600.");
                    }

                    options.Include = ParseChecks(result.GetValue(include), "--include", DomainCheck.All);
                    options.Exclude = ParseChecks(result.GetValue(exclude), "--exclude", DomainCheck.None);
                    if (options.EffectiveChecks == DomainCheck.None)
                    {
                        throw new UsageException("--include and --exclude leave no check to run.");
                    }

                    string[] selectors = (result.GetValue(selector) ?? Array.Empty<string>()).Select(s => s.Trim()).Where(s => s.Length > 0).ToArray();
                    options.DkimSelectors = selectors.Length == 0 ? null : selectors;
                    options.AllCommonSelectors = result.GetValue(allCommon);
                    DnsResolver? wire = common.LiveResolver;
                    if (wire != null)
                    {
                        // Backpressure: while queries wait for a server's window, more domains would only wait too.
                        options.DnsBacklog = () => wire.Backlog;
                    }
                    options.TimeBudget = TimeSpan.FromSeconds(seconds);
                    options.MtaSts.FetchPolicy = !result.GetValue(noFetch) && !common.IsOffline(result);
                    if (result.GetValue(common.Verbose))
                    {
                        options.TraceObserver = response => Console.Error.WriteLine(response.ToVerboseLine());
                    }
                }
                catch (UsageException ex)
                {
                    Output.WriteError(ex.Message);
                    return Output.Usage;
                }

                DomainReporter reporter;
                try
                {
                    reporter = new DomainReporter(dns, options);
                }
                catch (ArgumentException ex)
                {
                    // A selector that is not a DNS name: no domain could be checked with it.
                    Output.WriteError(PostureCommands.StripParameter(ex.Message));
                    return Output.Usage;
                }

                string path = result.GetValue(file) ?? "-";
                TextReader input;
                try
                {
                    if (path == "-" && !Console.IsInputRedirected)
                    {
                        Console.Error.WriteLine("mailauth: type or paste domains, one per line, then press Ctrl-D (Ctrl-Z and Enter on Windows).");
                    }

                    input = path == "-"
                        ? new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true)
                        : new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException)
                {
                    Output.WriteError(ex is FileNotFoundException ? $"{path}: no such file." : $"{path}: cannot be read: {ex.Message}");
                    reporter.Dispose();
                    return Output.InputFailed;
                }

                CsvRowWriter<MailDomainReport>? csvWriter = null;
                string? resumePath = result.GetValue(resume);
                string? csvPath = result.GetValue(csv) ?? resumePath;
                HashSet<string>? done = null;
                if (csvPath != null)
                {
                    try
                    {
                        string[] excluded = { nameof(MailDomainReport.Checks) };
                        bool append = false;
                        if (resumePath != null && File.Exists(resumePath) && new FileInfo(resumePath).Length > 0)
                        {
                            done = ReadDoneInputs(resumePath, excluded);
                            append = true;
                            Console.Error.WriteLine($"mailauth: resuming: {done.Count} domain(s) already in {resumePath} are skipped.");
                        }

                        var stream = new FileStream(csvPath, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read);
                        csvWriter = new CsvRowWriter<MailDomainReport>(new StreamWriter(stream, new UTF8Encoding(false)), excluded, writeHeader: !append);
                    }
                    catch (UsageException ex)
                    {
                        Output.WriteError(ex.Message);
                        input.Dispose();
                        reporter.Dispose();
                        return Output.Usage;
                    }
                    catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException || ex is NotSupportedException)
                    {
                        Output.WriteError($"{(resumePath != null ? "--resume" : "--csv")} {csvPath}: cannot be written: {ex.Message}");
                        input.Dispose();
                        reporter.Dispose();
                        return Output.Usage;
                    }
                }

                string? htmlPath = result.GetValue(html);
                FileStream? htmlFile = null;
                if (htmlPath != null)
                {
                    try
                    {
                        htmlFile = new FileStream(htmlPath, FileMode.Create, FileAccess.Write, FileShare.Read);
                    }
                    catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException || ex is NotSupportedException)
                    {
                        Output.WriteError($"--html {htmlPath}: cannot be written: {ex.Message}");
                        csvWriter?.Dispose();
                        input.Dispose();
                        reporter.Dispose();
                        return Output.Usage;
                    }
                }

                using (reporter)
                using (input)
                using (csvWriter)
                using (htmlFile)
                {
                    var sink = new AuditSink(result.GetValue(common.Json), csvWriter, htmlFile != null);
                    int exit = Run(reporter, throttleLimit, input, sink, done);
                    if (htmlFile != null)
                    {
                        // The page needs every row (the summary and chart come first), so it is written at the end.
                        using var writer = new StreamWriter(htmlFile, new UTF8Encoding(false), 1 << 16);
                        MailAuth.Html.HtmlReport.Write(writer, Array.Empty<MailAuth.Headers.MailHeaderReport>(), sink.Kept!,
                            new MailAuth.Html.HtmlReportOptions { Title = "Domain audit: " + (path == "-" ? "standard input" : Path.GetFileName(path)) });
                    }

                    return exit;
                }
            });
            return command;
        }

        private static DomainCheck ParseChecks(string[]? values, string option, DomainCheck whenNone)
        {
            DomainCheck checks = DomainCheck.None;
            bool any = false;
            foreach (string value in values ?? Array.Empty<string>())
            {
                foreach (string part in value.Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    string name = part.Replace("-", string.Empty);
                    string? match = s_checkNames.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
                    if (match is null)
                    {
                        throw new UsageException($"{option} {part}: not a check; give {string.Join(", ", s_checkNames)}.");
                    }

                    checks |= (DomainCheck)Enum.Parse(typeof(DomainCheck), match);
                    any = true;
                }
            }

            return any ? checks : whenNone;
        }

        /// <summary>
        /// Reads domain lines, posts them to the runner and writes the rows in input order as they
        /// come in. Ctrl+C cancels the runner: no more lines are read, and every posted domain still
        /// comes out (LookupFailed "cancelled") before the CSV is closed.
        /// </summary>
        /// <summary>
        /// The inputs a CSV of an earlier run already has rows for. A last row cut off mid-write (the
        /// run was killed) is cut from the file, so the resumed run writes it whole.
        /// </summary>
        /// <exception cref="UsageException">The file is not a CSV this command wrote.</exception>
        private static HashSet<string> ReadDoneInputs(string path, string[] excluded)
        {
            string text = File.ReadAllText(path, new UTF8Encoding(false));
            (List<string[]> records, int complete) = CsvRowWriter<MailDomainReport>.ReadRecords(text);
            IReadOnlyList<string> columns = new CsvRowWriter<MailDomainReport>(TextWriter.Null, excluded, writeHeader: false).Columns;
            if (records.Count == 0 || !records[0].SequenceEqual(columns))
            {
                throw new UsageException($"--resume {path}: its header is not the one mailauth audit writes (another command, or another version); give a new file or the CSV of the run to resume.");
            }

            if (complete < text.Length)
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
                stream.SetLength(new UTF8Encoding(false).GetByteCount(text.Substring(0, complete)));
            }

            int inputColumn = records[0].ToList().IndexOf(nameof(MailDomainReport.Input));
            var done = new HashSet<string>(StringComparer.Ordinal);
            foreach (string[] record in records.Skip(1))
            {
                if (inputColumn < record.Length)
                {
                    done.Add(record[inputColumn].Trim());
                }
            }

            return done;
        }

        private static int Run(DomainReporter reporter, int throttleLimit, TextReader input, AuditSink sink, HashSet<string>? done)
        {
            using var runner = reporter.CreateBulkRunner(throttleLimit);
            var stopped = 0;
            ConsoleCancelEventHandler onCancel = (sender, e) =>
            {
                // The first Ctrl+C stops cleanly; a second one ends the process at once.
                if (Interlocked.Exchange(ref stopped, 1) == 0)
                {
                    e.Cancel = true;
                    Console.Error.WriteLine();
                    Output.WriteError("stopping: the domains already started are written as LookupFailed (Ctrl+C again to quit at once).");
                    runner.Cancel();
                }
            };
            Console.CancelKeyPress += onCancel;
            var progress = new AuditProgress(runner);

            // Lines are read on their own thread, so a pipe that is slow to write (or a terminal)
            // never keeps finished rows, the progress line or Ctrl+C waiting. The channel is small:
            // the unread input, not memory, holds the backlog.
            using var stopReading = new CancellationTokenSource();
            Channel<string> lines = Channel.CreateBounded<string>(new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = true });
            _ = Task.Run(() => ReadLines(input, lines.Writer, stopReading.Token));
            try
            {
                // Post no further ahead of the output than the runner's read-ahead: finished rows wait
                // for a slow head row in memory, so the distance is bounded.
                while (Volatile.Read(ref stopped) == 0)
                {
                    if (runner.IsReadAheadFull)
                    {
                        if (runner.WaitNext(TimeSpan.FromMilliseconds(200), out MailDomainReport waited))
                        {
                            sink.Write(waited);
                        }

                        progress.Tick();
                        continue;
                    }

                    if (lines.Reader.TryRead(out string? line))
                    {
                        if (!MailAuth.Names.DomainNameInput.Read(line).IsBlankOrComment && (done is null || !done.Contains(line.Trim())))
                        {
                            runner.Post(line);
                        }
                    }
                    else if (lines.Reader.Completion.IsCompleted)
                    {
                        if (lines.Reader.Completion.IsFaulted)
                        {
                            Output.WriteError("reading the domains stopped: " + lines.Reader.Completion.Exception!.GetBaseException().Message);
                            sink.Failed = true;
                        }

                        break;
                    }
                    else
                    {
                        // Nothing to read yet: wait briefly for a line, writing rows meanwhile.
                        lines.Reader.WaitToReadAsync().AsTask().Wait(50);
                    }

                    while (runner.TryTakeNext(out MailDomainReport ready))
                    {
                        sink.Write(ready);
                    }

                    progress.Tick();
                }

                stopReading.Cancel();
                runner.CompleteAdding();
                while (!runner.IsFinished)
                {
                    if (runner.WaitNext(TimeSpan.FromMilliseconds(200), out MailDomainReport report))
                    {
                        sink.Write(report);
                    }

                    progress.Tick();
                }

                progress.Clear();
                sink.Finish();
                if (Volatile.Read(ref stopped) != 0)
                {
                    Output.WriteError($"stopped: {sink.Rows} rows written.");
                }

                // A stopped audit is incomplete even when every row read so far had finished.
                return sink.Failed || Volatile.Read(ref stopped) != 0 ? Output.InputFailed : Output.Success;
            }
            catch (IOException)
            {
                // Standard output closed under us (| head): nothing more can be written.
                runner.Cancel();
                return Output.InputFailed;
            }
            finally
            {
                stopReading.Cancel();
                Console.CancelKeyPress -= onCancel;
            }
        }

        private static void ReadLines(TextReader input, ChannelWriter<string> lines, CancellationToken stop)
        {
            try
            {
                string? line;
                while (!stop.IsCancellationRequested && (line = input.ReadLine()) != null)
                {
                    lines.WriteAsync(line, stop).AsTask().GetAwaiter().GetResult();
                }

                lines.TryComplete();
            }
            catch (OperationCanceledException)
            {
                lines.TryComplete();
            }
            catch (Exception ex)
            {
                // Any read failure (I/O, a reader disposed at the end of a stopped run) ends the
                // input; the main loop reports it. Nothing may escape this background thread.
                lines.TryComplete(ex);
            }
        }

        /// <summary>Where rows go: the table or JSON lines on standard output, and the CSV file.</summary>
        private sealed class AuditSink
        {
            private readonly bool _json;
            private readonly CsvRowWriter<MailDomainReport>? _csv;
            private bool _headerWritten;
            private readonly Dictionary<DomainReportStatus, long> _counts = new Dictionary<DomainReportStatus, long>();

            public AuditSink(bool json, CsvRowWriter<MailDomainReport>? csv, bool keep)
            {
                _json = json;
                _csv = csv;
                Kept = keep ? new List<MailDomainReport>() : null;
            }

            /// <summary>Every row, in input order, for --html.</summary>
            public List<MailDomainReport>? Kept { get; }

            public long Rows { get; private set; }

            public bool Failed { get; set; }

            public void Write(MailDomainReport report)
            {
                Rows++;
                _counts[report.StatusCode] = (_counts.TryGetValue(report.StatusCode, out long n) ? n : 0) + 1;
                if (report.StatusCode == DomainReportStatus.LookupFailed || report.StatusCode == DomainReportStatus.InvalidInput)
                {
                    Failed = true;
                }

                _csv?.Write(report);
                Kept?.Add(report);
                if (_json)
                {
                    Output.WriteJson(report);
                }
                else
                {
                    if (!_headerWritten)
                    {
                        AuditTable.WriteHeader();
                        _headerWritten = true;
                    }

                    AuditTable.WriteRow(report);
                }
            }

            public void Finish()
            {
                if (_json)
                {
                    return;
                }

                string summary = string.Join(", ", new[] { DomainReportStatus.Ok, DomainReportStatus.Findings, DomainReportStatus.LookupFailed, DomainReportStatus.InvalidInput }
                    .Where(s => _counts.ContainsKey(s)).Select(s => _counts[s].ToString(CultureInfo.InvariantCulture) + " " + s));
                Console.WriteLine();
                Console.WriteLine($"{Rows} domain{(Rows == 1 ? string.Empty : "s")}" + (summary.Length == 0 ? "." : ": " + summary + "."));
                Console.Out.Flush();
            }
        }

        /// <summary>Progress on standard error, only when it is a terminal: at most twice a second, with rate and ETA.</summary>
        private sealed class AuditProgress
        {
            private readonly DomainAuditRunner _runner;
            private readonly bool _enabled = !Console.IsErrorRedirected;
            private readonly Stopwatch _since = Stopwatch.StartNew();
            private int _lastLength;

            public AuditProgress(DomainAuditRunner runner) => _runner = runner;

            public void Tick()
            {
                if (!_enabled || _since.ElapsedMilliseconds < 500)
                {
                    return;
                }

                _since.Restart();
                TimeSpan? eta = _runner.EstimatedRemaining;
                string text = string.Format(CultureInfo.InvariantCulture, "{0} of {1} domains, {2:0.0}/s, {3} running, ETA {4}",
                    _runner.Completed, _runner.Posted, _runner.RatePerSecond, _runner.Running, eta is null ? "-" : Output.Duration(eta.Value.TotalSeconds));
                Console.Error.Write("\r" + text.PadRight(_lastLength));
                _lastLength = text.Length;
            }

            public void Clear()
            {
                if (_enabled && _lastLength > 0)
                {
                    Console.Error.Write("\r" + new string(' ', _lastLength) + "\r");
                }
            }
        }
    }

    /// <summary>The audit's compact table: one line per domain (and one for an error), at most 120 columns.</summary>
    internal static class AuditTable
    {
        // Status 12, grade 5, SPF 9 ("~all 10"), DMARC 10 ("quarantine"), DKIM 14 ("2048 selector1"),
        // MTA-STS 8, TLS-RPT 7, E/W 5, plus separators: the domain gets the rest (21 of 100, 41 of 120).
        private static readonly int[] s_fixed = { 12, 5, 9, 10, 14, 8, 7, 5 };

        private static int DomainWidth => Math.Max(16, Output.Width - s_fixed.Sum() - s_fixed.Length);

        public static void WriteHeader()
        {
            Console.WriteLine(Output.Paint(Line(new[] { "Domain", "Status", "Grade", "SPF", "DMARC", "DKIM", "MTA-STS", "TLS-RPT", "E/W" }), "2"));
        }

        public static void WriteRow(MailDomainReport r)
        {
            string[] cells =
            {
                r.Domain ?? r.Input.Trim(),
                r.StatusCode.ToString(),
                r.GradeCode?.ToString() ?? "-",
                Spf(r),
                Dmarc(r),
                Dkim(r),
                MtaSts(r),
                TlsRpt(r),
                r.StatusCode == DomainReportStatus.InvalidInput ? "-" : r.ErrorCount.ToString(CultureInfo.InvariantCulture) + "/" + r.WarningCount.ToString(CultureInfo.InvariantCulture),
            };
            string line = Line(cells);
            Console.WriteLine(r.StatusCode switch
            {
                DomainReportStatus.LookupFailed => Output.Paint(line, "31"),
                DomainReportStatus.InvalidInput => Output.Paint(line, "31"),
                _ => line,
            });
            if (!string.IsNullOrEmpty(r.ErrorMessage))
            {
                Console.WriteLine(Output.Paint(Output.Cell("  ! " + r.ErrorMessage, Output.Width).TrimEnd(), "2"));
            }
        }

        internal static string Line(string[] cells)
        {
            var parts = new List<string> { Output.CellMiddle(cells[0], DomainWidth) };
            for (int i = 1; i < cells.Length; i++)
            {
                parts.Add(Output.Cell(cells[i], s_fixed[i - 1]));
            }

            return string.Join(" ", parts).TrimEnd();
        }

        private static string Spf(MailDomainReport r)
        {
            if (r.Spf is null)
            {
                return "-";
            }

            return r.SpfStatus switch
            {
                "Found" => (string.IsNullOrEmpty(r.SpfAll) ? "no all" : r.SpfAll + "all") + " " + r.SpfLookups?.ToString(CultureInfo.InvariantCulture),
                "NotFound" => "none",
                "LookupFailed" => "failed",
                _ => r.SpfStatus ?? "-",
            };
        }

        private static string Dmarc(MailDomainReport r)
        {
            if (r.Dmarc is null)
            {
                return "-";
            }

            if (r.DmarcStatus == "LookupFailed")
            {
                return "failed";
            }

            string? policy = r.DmarcEffectivePolicy ?? r.DmarcPolicy;
            if (policy is null)
            {
                return r.DmarcStatus == "NotFound" ? "none" : r.DmarcStatus ?? "-";
            }

            string text = policy.ToLowerInvariant();
            if (r.DmarcPct is int pct && pct < 100)
            {
                text += " " + pct.ToString(CultureInfo.InvariantCulture) + "%";
            }

            return text;
        }

        private static string Dkim(MailDomainReport r)
        {
            if (r.Dkim is null)
            {
                return "-";
            }

            return r.DkimStatus switch
            {
                // Key size first: a cut cell then loses extra selectors, not the size.
                "Found" => (r.DkimMinKeyBits is int bits ? bits.ToString(CultureInfo.InvariantCulture) + " " : string.Empty) + r.DkimSelectors,
                "NotFound" => "none",
                "LookupFailed" => "failed",
                _ => r.DkimStatus ?? "-",
            };
        }

        private static string MtaSts(MailDomainReport r)
        {
            if (r.MtaSts is null)
            {
                return "-";
            }

            return r.MtaStsStatus switch
            {
                "Found" => r.MtaStsMode?.ToLowerInvariant() ?? "record",
                "NotFound" => "none",
                "LookupFailed" => "failed",
                _ => r.MtaStsStatus ?? "-",
            };
        }

        private static string TlsRpt(MailDomainReport r)
        {
            if (r.TlsRpt is null)
            {
                return "-";
            }

            return r.TlsRptStatus switch
            {
                "Found" => r.TlsRpt.IsValid ? "yes" : "invalid",
                "NotFound" => "none",
                "LookupFailed" => "failed",
                _ => r.TlsRptStatus ?? "-",
            };
        }
    }
}
