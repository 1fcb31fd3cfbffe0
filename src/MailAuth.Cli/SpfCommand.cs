using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Spf;

namespace MailAuth.Cli
{
    /// <summary>mailauth spf record|check: Get-SpfRecord and Test-Spf for shells without PowerShell.</summary>
    internal static class SpfCommand
    {
        public static Command Create()
        {
            var command = new Command("spf", "SPF (RFC 7208): read a domain's record and include tree, or evaluate a client IP.");
            command.Subcommands.Add(CreateRecord());
            command.Subcommands.Add(CreateCheck());
            return command;
        }

        // ---- mailauth spf record DOMAIN... -------------------------------------------------------

        private static Command CreateRecord()
        {
            var common = new CommonOptions();
            var domains = new Argument<string[]>("domain") { Description = "Domains whose SPF record to read.", Arity = ArgumentArity.OneOrMore };
            var command = new Command("record", "Read, lint and count a domain's SPF record through its includes and redirects.");
            command.Arguments.Add(domains);
            common.AddTo(command);
            // A record that could not be read is a failed input; an invalid one was evaluated.
            command.SetAction(result => DomainLoop.Run(result, common, domains,
                (dns, domain, ct) => new SpfEvaluator(dns).GetRecordReportAsync(domain, null, ct),
                WriteRecord, report => report.StatusCode == SpfRecordStatus.LookupFailed, MailAuth.Names.DomainNameKind.DnsName));
            return command;
        }

        private static void WriteRecord(SpfRecordReport r)
        {
            string status = r.StatusCode switch
            {
                SpfRecordStatus.Found => Output.Paint("Found", "32"),
                SpfRecordStatus.NotFound => Output.Paint("NotFound", "33"),
                _ => Output.Paint(r.StatusCode.ToString(), "31"),
            };
            Console.WriteLine(Output.Paint(r.Domain, "1") + ": " + status + (string.IsNullOrEmpty(r.Reason) ? string.Empty : " - " + Output.OneLine(r.Reason)));
            if (r.Records.Count > 0)
            {
                foreach (string record in r.Records)
                {
                    Output.WriteWrapped("  record    ", record);
                }
            }

            if (r.Record != null)
            {
                string limit = r.LookupLimitExceeded ? Output.Paint(" (over the limit)", "1;31") : string.Empty;
                Console.WriteLine($"  lookups   {r.DnsLookupCount} of 10 DNS lookups{limit}, {r.VoidLookupCount} of 2 void; policy {(r.AllMechanism.Length == 0 ? "(no all, no redirect)" : r.AllMechanism)}; {r.IncludeCount} include(s)");
            }

            if (r.LimitCrossedAt != null)
            {
                Output.WriteWrapped("  crossed   ", r.LimitCrossedAt);
            }

            if (r.Record != null)
            {
                string verdict = r.VerdictCode switch
                {
                    SpfVerdict.OK => Output.Paint("OK", "32"),
                    SpfVerdict.Warnings => Output.Paint("Warnings", "33"),
                    _ => Output.Paint(r.Verdict, "1;31"),
                };
                Output.WriteWrapped("  verdict   ", verdict + " - " + Output.OneLine(r.VerdictReason));
            }

            foreach (string voidLookup in r.VoidLookups)
            {
                Output.WriteWrapped("  void      ", voidLookup);
            }

            if (r.IncludeRoot != null && (r.IncludeRoot.ChildNodes.Count > 0 || r.IncludeRoot.StatusCode != SpfIncludeStatus.Found))
            {
                Console.WriteLine("  include tree (own lookups / with includes)");
                var rows = new List<(string Label, SpfIncludeNode Node)>();
                Flatten(r.IncludeRoot, string.Empty, string.Empty, rows);
                int labelWidth = Math.Min(Math.Max(20, Output.Width - 4 - 34), rows.Max(x => x.Label.Length));
                foreach ((string label, SpfIncludeNode node) in rows)
                {
                    string counts = string.Format(CultureInfo.InvariantCulture, "{0,2} / {1,-2}", node.OwnLookupCount, node.TotalLookupCount);
                    string nodeStatus = node.StatusCode == SpfIncludeStatus.Found ? Output.Cell("Found", 12) : Output.Paint(Output.Cell(node.StatusCode.ToString(), 12), node.StatusCode == SpfIncludeStatus.NotEvaluated ? "33" : "31");
                    Output.WriteWrapped("    " + Output.CellMiddle(label, labelWidth) + "  " + nodeStatus + counts + "  ", node.Error ?? string.Empty, 4 + labelWidth + 2 + 12 + 7 + 2);
                }
            }

            WriteFindings("errors", r.Errors);
            WriteFindings("warnings", r.Warnings);
        }

        // Depth-first, with box-drawing branches as in tree(1).
        private static void Flatten(SpfIncludeNode node, string prefix, string childPrefix, List<(string, SpfIncludeNode)> rows)
        {
            rows.Add((prefix + (node.Via ?? node.Domain), node));
            for (int i = 0; i < node.ChildNodes.Count; i++)
            {
                bool last = i == node.ChildNodes.Count - 1;
                Flatten(node.ChildNodes[i], childPrefix + (last ? "└─ " : "├─ "), childPrefix + (last ? "   " : "│  "), rows);
            }
        }

        private static void WriteFindings(string title, IReadOnlyList<Finding> findings)
        {
            if (findings.Count == 0)
            {
                return;
            }

            Console.WriteLine("  " + title);
            int idWidth = findings.Max(f => f.Id.Length);
            foreach (Finding f in findings)
            {
                string prefix = "    " + Output.PaintSeverity(f.SeverityCode, 8) + Output.Cell(f.Id, idWidth) + "  ";
                Output.WriteWrapped(prefix, f.Message, 4 + 8 + idWidth + 2);
            }
        }

        // ---- mailauth spf check --ip ... | --batch -----------------------------------------------

        private const int DefaultConcurrency = 32;

        private static Command CreateCheck()
        {
            var common = new CommonOptions();
            var ip = new Option<string?>("--ip") { Description = "The connecting client's IP address (IPv4 or IPv6)." };
            var sender = new Option<string?>("--sender") { Description = "MAIL FROM; empty or '<>' is the null reverse-path (postmaster@HELO is checked)." };
            var helo = new Option<string?>("--helo") { Description = "The HELO/EHLO name." };
            var domain = new Option<string?>("--domain") { Description = "Check this domain instead of the sender's (check_host() with this domain)." };
            var record = new Option<string?>("--record") { Description = "A candidate record, evaluated as if the domain published it (test before publishing)." };
            var explanation = new Option<string?>("--default-explanation")
            {
                Description = "Macro-string explaining a Fail when the record has no usable exp=. Default: \"" + SpfEvaluationOptions.StandardDefaultExplanation + "\".",
            };
            var identity = new Option<SpfIdentity>("--identity")
            {
                Description = "MailFrom (default: the MAIL FROM check, postmaster@HELO for an empty one) or Helo (the HELO identity on its own, RFC 7208 §2.3).",
                DefaultValueFactory = _ => SpfIdentity.MailFrom,
            };
            var receiver = new Option<string?>("--receiver") { Description = "This receiver's host name: %{r} and receiver= in Received-SPF." };
            var prefetch = new Option<bool>("--prefetch") { Description = "Ask for every term's DNS at once when a record is read: lower latency, more queries (off by default, RFC 7208 §4.6.4)." };
            var batch = new Option<bool>("--batch") { Description = "Read ip<TAB>mailfrom<TAB>helo lines on standard input; write result<TAB>explanation lines in input order." };
            var concurrency = new Option<int>("--concurrency")
            {
                Description = "With --batch: evaluations in flight at once (1-256).",
                DefaultValueFactory = _ => DefaultConcurrency,
            };
            var command = new Command("check", "Evaluate SPF (check_host()) for a client IP, MAIL FROM and HELO, one at a time or in batch.");
            command.Options.Add(ip);
            command.Options.Add(sender);
            command.Options.Add(helo);
            command.Options.Add(domain);
            command.Options.Add(record);
            command.Options.Add(explanation);
            command.Options.Add(identity);
            command.Options.Add(receiver);
            command.Options.Add(prefetch);
            command.Options.Add(batch);
            command.Options.Add(concurrency);
            common.AddTo(command);
            command.SetAction(result =>
            {
                IDnsResolver dns;
                var options = new SpfEvaluationOptions
                {
                    DefaultExplanation = result.GetValue(explanation) ?? SpfEvaluationOptions.StandardDefaultExplanation,
                    ReceiverName = result.GetValue(receiver),
                    Prefetch = result.GetValue(prefetch),
                };
                try
                {
                    dns = common.CreateResolver(result);
                    if (result.GetValue(batch))
                    {
                        if (result.GetValue(ip) != null || result.GetValue(sender) != null || result.GetValue(helo) != null)
                        {
                            throw new UsageException("--batch reads the IP, MAIL FROM and HELO from standard input: leave out --ip, --sender and --helo.");
                        }

                        if (result.GetValue(common.Json))
                        {
                            throw new UsageException("--batch writes result<TAB>explanation lines; --json is for single checks.");
                        }

                        int k = result.GetValue(concurrency);
                        if (k < 1 || k > 256)
                        {
                            throw new UsageException($"--concurrency {k}: give a number from 1 to 256.");
                        }

                        var spfBatch = new SpfEvaluator(dns, options);
                        return RunBatchAsync(spfBatch, Console.OpenStandardInput(), Console.OpenStandardOutput(), k,
                            Blank(result.GetValue(domain)), Blank(result.GetValue(record)), result.GetValue(identity)).GetAwaiter().GetResult();
                    }

                    if (result.GetValue(ip) is null)
                    {
                        throw new UsageException("--ip is required (or --batch to read lines from standard input).");
                    }
                }
                catch (UsageException ex)
                {
                    Output.WriteError(ex.Message);
                    return Output.Usage;
                }

                string ipText = result.GetValue(ip)!.Trim();
                if (!ClientAddress.TryParse(ipText, out IPAddress? address, out string? ipError))
                {
                    Output.WriteError("--ip: " + (ipText.Length == 0 ? "the client address is empty; give the connecting client's IP address." : ipError));
                    return Output.InputFailed;
                }

                var request = new SpfCheckRequest(address!)
                {
                    Sender = result.GetValue(sender),
                    Helo = Blank(result.GetValue(helo)),
                    Domain = Blank(result.GetValue(domain)),
                    Record = Blank(result.GetValue(record)),
                    Identity = result.GetValue(identity),
                };

                SpfResult spfResult;
                try
                {
                    spfResult = new SpfEvaluator(dns, options).CheckAsync(request).GetAwaiter().GetResult();
                }
                catch (ArgumentException ex)
                {
                    Output.WriteError(StripParameter(ex.Message));
                    return Output.Usage;
                }

                if (result.GetValue(common.Json))
                {
                    Output.WriteJson(spfResult);
                }
                else
                {
                    WriteCheck(spfResult, result.GetValue(common.Verbose));
                }

                return spfResult.ResultCode == SpfResultCode.TempError ? Output.InputFailed : Output.Success;
            });
            return command;
        }

        private static void WriteCheck(SpfResult r, bool trace)
        {
            Console.WriteLine(Output.PaintResult(r.ResultKeyword, r.ResultKeyword.Length) + "  " + Output.Paint(Headline(r), "1"));
            const int indent = 15;
            void Line(string label, string? value)
            {
                if (!string.IsNullOrEmpty(value))
                {
                    Output.WriteWrapped("  " + label.PadRight(indent - 2), value!, indent);
                }
            }

            Line("identity", r.IdentityCode == SpfIdentity.Helo ? "HELO " + r.Helo : "MAIL FROM " + r.Sender + (string.IsNullOrEmpty(r.Helo) ? string.Empty : ", HELO " + r.Helo));
            Line("record", r.Record);
            Line("matched", r.MatchedMechanism is null ? "(no mechanism matched)" : r.MatchedMechanism + (string.IsNullOrEmpty(r.MatchedDomain) || r.MatchedDomain == r.Domain ? string.Empty : " in " + r.MatchedDomain));
            Line("reason", r.Reason);
            Line("explanation", r.Explanation);
            Line("lookups", string.Format(CultureInfo.InvariantCulture, "{0} of 10 DNS lookups, {1} of 2 void, {2:0} ms", r.DnsLookupCount, r.VoidLookupCount, r.ElapsedMilliseconds));
            Line("meaning", r.Meaning);
            Line("smtp reply", r.SmtpReply);
            Console.WriteLine();
            Output.WriteWrapped("  ", r.ReceivedSpf, 6);
            Output.WriteWrapped("  ", "Authentication-Results clause: " + r.AuthenticationResults, 6);
            if (trace)
            {
                Console.WriteLine();
                Console.WriteLine("  trace");
                foreach (SpfTraceStep step in r.Trace)
                {
                    Output.WriteWrapped("    ", step.ToString(), 6 + step.Depth * 2);
                }
            }
        }

        private static string Headline(SpfResult r)
        {
            string ip = r.IPAddress.ToString();
            return r.ResultCode switch
            {
                SpfResultCode.Pass => $"{r.Domain} authorizes {ip}",
                SpfResultCode.Fail => $"{r.Domain} does not authorize {ip}",
                SpfResultCode.SoftFail => $"{r.Domain} probably does not authorize {ip}",
                SpfResultCode.Neutral => $"{r.Domain} says nothing about {ip}",
                SpfResultCode.None => $"no SPF policy for {r.Domain}",
                SpfResultCode.TempError => $"temporary error checking {r.Domain} for {ip}",
                _ => $"the SPF record of {r.Domain} cannot be interpreted",
            };
        }

        // ---- Batch -------------------------------------------------------------------------------

        /// <summary>
        /// Reads ip&lt;TAB&gt;mailfrom&lt;TAB&gt;helo lines and answers result&lt;TAB&gt;explanation lines, one
        /// per input line, in input order. Up to <paramref name="concurrency"/> lines are evaluated
        /// at once: line N+1.. start while line N waits on DNS, and each answer is written (and
        /// flushed) as soon as every line before it is answered, so a pipe that stays open gets its
        /// answers without waiting for the end of input.
        /// </summary>
        internal static async Task<int> RunBatchAsync(SpfEvaluator spf, Stream input, Stream output, int concurrency,
            string? domain, string? record, SpfIdentity identity)
        {
            // A slot is taken before a line is read and given back when its answer is written: that bounds
            // the answers waiting for an earlier line (memory stays flat). Evaluations in flight are bounded
            // apart, by the running gate, so one slow line (an mx with three round trips) does not hold the
            // finished lines after it out of the concurrency (the window is 8 x concurrency, as BulkRunner's).
            int window = Math.Max(256, concurrency * 8);
            using var slots = new SemaphoreSlim(window, window);
            var running = new SemaphoreSlim(concurrency, concurrency); // not disposed: a line still running after a closed pipe releases it
            Channel<Task<string>> pending = Channel.CreateUnbounded<Task<string>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            using var stop = new CancellationTokenSource();

            Task reader = Task.Factory.StartNew(() =>
            {
                try
                {
                    using var lines = new StreamReader(input, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
                    long number = 0;
                    while (true)
                    {
                        slots.Wait(stop.Token);
                        string? line = lines.ReadLine();
                        if (line is null)
                        {
                            break;
                        }

                        long n = ++number;
                        pending.Writer.TryWrite(Task.Run(async () =>
                        {
                            await running.WaitAsync().ConfigureAwait(false);
                            try
                            {
                                return await AnswerLineAsync(spf, line, n, domain, record, identity).ConfigureAwait(false);
                            }
                            finally
                            {
                                running.Release();
                            }
                        }));
                    }

                    pending.Writer.TryComplete();
                }
                catch (Exception ex)
                {
                    pending.Writer.TryComplete(ex is OperationCanceledException ? null : ex);
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

            var writer = new StreamWriter(output, new UTF8Encoding(false)) { NewLine = "\n", AutoFlush = false };
            try
            {
                await foreach (Task<string> answer in pending.Reader.ReadAllAsync().ConfigureAwait(false))
                {
                    string text = await answer.ConfigureAwait(false);
                    writer.Write(text);
                    writer.Write('\n');
                    writer.Flush();
                    slots.Release();
                }
            }
            catch (IOException)
            {
                // The reader of our output went away (e.g. "| head"): nothing more to do.
                stop.Cancel();
                return Output.Success;
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                stop.Cancel();
                Output.WriteError("reading standard input failed: " + ex.Message);
                return Output.InputFailed;
            }

            await reader.ConfigureAwait(false);
            return Output.Success;
        }

        /// <summary>
        /// One batch line to one answer line. Malformed lines answer permerror with "line N: what is
        /// wrong", so the output keeps one line per input line and the batch goes on.
        /// </summary>
        internal static async Task<string> AnswerLineAsync(SpfEvaluator spf, string line, long number, string? domain, string? record, SpfIdentity identity)
        {
            string Malformed(string what) => "permerror\tline " + number.ToString(CultureInfo.InvariantCulture) + ": " + Clean(what);

            try
            {
                if (line.Trim().Length == 0)
                {
                    return Malformed("empty line; expected ip<TAB>mailfrom<TAB>helo");
                }

                string[] fields = line.Split('\t');
                if (fields.Length > 3)
                {
                    return Malformed($"{fields.Length} tab-separated fields; expected ip<TAB>mailfrom<TAB>helo");
                }

                string ipText = fields[0].Trim();
                if (!ClientAddress.TryParse(ipText, out IPAddress? address, out string? ipError))
                {
                    return Malformed(ipText.Length == 0 ? "no client address in the first field" : ipError!.TrimEnd('.'));
                }

                string mailFrom = fields.Length > 1 ? fields[1].Trim() : string.Empty;
                string? helo = fields.Length > 2 ? Blank(fields[2]) : null;
                bool nullSender = mailFrom.Length == 0 || mailFrom == "<>";
                if (nullSender && helo is null && domain is null)
                {
                    return Malformed("empty MAIL FROM and no HELO: nothing names a domain to check");
                }

                if (identity == SpfIdentity.Helo && helo is null)
                {
                    return Malformed("no HELO to check (--identity Helo)");
                }

                var request = new SpfCheckRequest(address!)
                {
                    Sender = nullSender ? null : mailFrom,
                    Helo = helo,
                    Domain = domain,
                    Record = record,
                    Identity = identity,
                };
                SpfResult result = await spf.CheckAsync(request).ConfigureAwait(false);

                // §6.2: the explanation is for Fail; every other result is explained by its reason.
                string text = result.ResultCode == SpfResultCode.Fail && !string.IsNullOrEmpty(result.Explanation) ? result.Explanation! : result.Reason;
                return result.ResultKeyword + "\t" + Clean(text);
            }
            catch (ArgumentException ex)
            {
                return Malformed(StripParameter(ex.Message));
            }
            catch (Exception ex)
            {
                // Not expected from the engine; keep the batch going and say what happened.
                return "temperror\tline " + number.ToString(CultureInfo.InvariantCulture) + ": " + Clean(ex.GetType().Name + ": " + ex.Message);
            }
        }

        private static string Clean(string text) => Output.OneLine(text.Replace('\t', ' '));

        private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text!.Trim();

        private static string StripParameter(string message)
        {
            int at = message.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
            return at > 0 ? message.Substring(0, at) : message;
        }
    }
}
