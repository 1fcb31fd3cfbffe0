using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using MailAuth.Headers;
using MailAuth.Findings;

namespace MailAuth.Cli
{
    /// <summary>mailauth header FILE...|-: Get-MailHeaderReport for shells without PowerShell.</summary>
    internal static class HeaderCommand
    {
        public static Command Create()
        {
            var files = new Argument<string[]>("file")
            {
                Description = "Header files (.eml, .txt, mbox: one report per message); '-' reads standard input (a paste).",
                Arity = ArgumentArity.OneOrMore,
            };
            var trusted = new Option<string[]>("--trusted-authserv-id")
            {
                Description = "Believe the Authentication-Results of this authserv-id (repeatable); default: inferred from the Received chain.",
            };
            var receiving = new Option<string[]>("--receiving-domain")
            {
                Description = "A domain of the receiving organization (repeatable); moves the edge hop behind your own gateways.",
            };
            var json = new Option<bool>("--json")
            {
                Description = "One JSON object per message and line, with the property names of Get-MailHeaderReport's objects.",
            };
            var verify = new Option<bool>("--verify")
            {
                Description = "Recompute SPF, DKIM, ARC and DMARC against DNS now and show them beside the recorded verdicts.",
            };
            var enrich = new Option<bool>("--enrich")
            {
                Description = "Look up each hop's public client (owner, DNS blocklists) and the message's domains on domain blocklists (docs/intelligence.md).",
            };
            var html = new Option<string?>("--html")
            {
                Description = "Also write one self-contained HTML page of the reports to this file (docs/html-report.md).",
            };
            var dnsOptions = new CommonOptions();
            var command = new Command("header", "Header forensics: where a message came from, what each receiver concluded, and what is wrong with it.");
            command.Arguments.Add(files);
            command.Options.Add(trusted);
            command.Options.Add(receiving);
            command.Options.Add(json);
            command.Options.Add(verify);
            command.Options.Add(enrich);
            command.Options.Add(html);
            dnsOptions.AddDnsTo(command);
            command.SetAction(result =>
            {
                bool verifying = result.GetValue(verify);
                var options = new MailHeaderOptions
                {
                    TrustedAuthServIds = Clean(result.GetValue(trusted)),
                    ReceivingDomains = Clean(result.GetValue(receiving)),

                    // -Verify checks DKIM body hashes when the body is there; each report's kept
                    // message is released by the verifier before the next message is read.
                    KeepMessageForVerification = verifying,
                };
                MailHeaderVerifier? verifier = null;
                MailAuth.IpIntelligence.MailHeaderEnricher? enricher = null;
                bool enriching = result.GetValue(enrich);
                if (verifying || enriching)
                {
                    try
                    {
                        MailAuth.Dns.IDnsResolver resolver = dnsOptions.CreateResolver(result);
                        verifier = verifying ? new MailHeaderVerifier(resolver) : null;
                        enricher = enriching ? new MailAuth.IpIntelligence.MailHeaderEnricher(resolver) : null;
                    }
                    catch (UsageException ex)
                    {
                        Output.WriteError(ex.Message);
                        return Output.Usage;
                    }
                }
                else if (result.GetResult(dnsOptions.Server) is { Implicit: false } || result.GetResult(dnsOptions.NoCache) is { Implicit: false })
                {
                    Output.WriteError("--server and --no-cache are for --verify and --enrich (without them no DNS is asked).");
                    return Output.Usage;
                }

                string[] inputs = result.GetValue(files) ?? Array.Empty<string>();
                if (inputs.Count(i => i == "-") > 1)
                {
                    Output.WriteError("'-' (standard input) can be given only once.");
                    return Output.Usage;
                }

                // The page is written at the end, but its file is created first: a path that cannot
                // be written is a usage error before any input is read.
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
                        return Output.Usage;
                    }
                }

                var forPage = new List<MailHeaderReport>();
                bool asJson = result.GetValue(json);
                int exit = Output.Success;
                bool first = true;
                foreach (string input in inputs)
                {
                    try
                    {
                        if (input == "-" && !Console.IsInputRedirected)
                        {
                            Console.Error.WriteLine("mailauth: paste the headers, then press Ctrl-D (Ctrl-Z and Enter on Windows).");
                        }

                        IEnumerable<MailHeaderReport> reports = input == "-"
                            ? MailHeaderAnalyzer.AnalyzeStream(Console.OpenStandardInput(), options, "stdin")
                            : MailHeaderAnalyzer.AnalyzeFile(input, options);
                        foreach (MailHeaderReport report in reports)
                        {
                            if (verifier != null)
                            {
                                // One report at a time: verified before the next message is read.
                                MailHeaderVerification verification = verifier.VerifyAsync(report, null, CancellationToken.None).GetAwaiter().GetResult();
                                if (IsTempError(verification.SpfNow) || IsTempError(verification.DmarcNow))
                                {
                                    exit = Output.InputFailed;
                                }
                            }

                            if (enricher != null)
                            {
                                enricher.EnrichAsync(report, CancellationToken.None).GetAwaiter().GetResult();
                                if (report.EnrichErrors.Count > 0)
                                {
                                    exit = Output.InputFailed;
                                }
                            }

                            if (htmlFile != null)
                            {
                                forPage.Add(report);
                            }

                            if (asJson)
                            {
                                Output.WriteJson(report);
                            }
                            else
                            {
                                if (!first)
                                {
                                    Console.WriteLine();
                                }

                                WriteHuman(report);
                                first = false;
                            }

                            if (report.Findings.Any(f => f.Id == FindingCatalog.Header.NoHeaderFields.Id))
                            {
                                exit = Output.InputFailed;
                            }
                        }
                    }
                    catch (MailHeaderFormatException ex)
                    {
                        Output.WriteError($"{Name(input)}: {ex.Message}");
                        exit = Output.InputFailed;
                    }
                    catch (FileNotFoundException)
                    {
                        Output.WriteError(Directory.Exists(input) ? $"{input}: is a directory; give the files in it." : $"{Name(input)}: no such file.");
                        exit = Output.InputFailed;
                    }
                    catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException)
                    {
                        Output.WriteError($"{Name(input)}: cannot be read: {ex.Message}");
                        exit = Output.InputFailed;
                    }
                }

                if (htmlFile != null)
                {
                    using (var writer = new StreamWriter(htmlFile, new UTF8Encoding(false)))
                    {
                        MailAuth.Html.HtmlReport.Write(writer, forPage, Array.Empty<MailAuth.DomainReport.MailDomainReport>(),
                            new MailAuth.Html.HtmlReportOptions { Title = "Header analysis: " + (forPage.Count == 1 ? forPage[0].Subject ?? forPage[0].Source ?? "message" : forPage.Count + " messages") });
                    }
                }

                return exit;
            });
            return command;
        }

        private static bool IsTempError(string? result) => string.Equals(result, "temperror", StringComparison.OrdinalIgnoreCase);

        private static string Name(string input) => input == "-" ? "standard input" : input;

        private static string[] Clean(string[]? values) =>
            (values ?? Array.Empty<string>()).Select(v => v.Trim()).Where(v => v.Length > 0).ToArray();

        // ---- Human output: a verdict first, then the evidence ------------------------------------

        private const int LabelWidth = 17;
        private const int MaxHopRows = 40;
        private const int HeadHopRows = 10;

        private static void WriteHuman(MailHeaderReport r)
        {
            int width = Output.Width;
            string title = r.Source ?? "message";

            Console.WriteLine(Output.Paint(Rule(title, width), "1"));
            WriteVerdict(r);
            Console.WriteLine();

            Field("From", r.From ?? "(no From field)");
            if (!string.IsNullOrEmpty(r.SenderHeader))
            {
                Field("Sender", r.SenderHeader!);
            }

            if (!string.IsNullOrEmpty(r.ReplyTo))
            {
                Field("Reply-To", r.ReplyTo!);
            }

            if (!string.IsNullOrEmpty(r.To))
            {
                Field("To", r.To!);
            }

            if (!string.IsNullOrEmpty(r.Subject))
            {
                Field("Subject", r.Subject!);
            }

            if (!string.IsNullOrEmpty(r.DateText))
            {
                Field("Date", r.DateText!);
            }

            if (!string.IsNullOrEmpty(r.MessageId))
            {
                Field("Message-ID", r.MessageId!);
            }

            Field("Envelope sender", EnvelopeText(r));
            if (!string.IsNullOrEmpty(r.ReturnPath) && !string.Equals(r.ReturnPath, r.EnvelopeSender, StringComparison.OrdinalIgnoreCase))
            {
                Field("Return-Path", r.ReturnPath!);
            }

            if (!string.IsNullOrEmpty(r.XSender))
            {
                Field("X-Sender", r.XSender!);
            }

            Field("Client", ClientText(r));
            Console.WriteLine();

            WriteAuthentication(r);
            Console.WriteLine();

            if (r.Verification != null)
            {
                WriteVerification(r.Verification);
                Console.WriteLine();
            }

            WriteHops(r);
            WriteIntelligence(r);
            Console.WriteLine();

            WriteFindings(r);
        }

        private static string Rule(string title, int width)
        {
            string head = "== " + title + " ";
            return head.Length >= width ? head.TrimEnd() : head + new string('=', width - head.Length);
        }

        private static void WriteVerdict(MailHeaderReport r)
        {
            int errors = r.Findings.Count(f => f.SeverityCode == FindingSeverity.Error);
            int warnings = r.Findings.Count(f => f.SeverityCode == FindingSeverity.Warning);
            int notes = r.Findings.Count - errors - warnings;
            string word = errors > 0 ? Output.Paint("SUSPECT", "1;31") : warnings > 0 ? Output.Paint("CHECK", "1;33") : Output.Paint("NO PROBLEM FOUND", "1;32");
            string counts = $"{errors} error{(errors == 1 ? string.Empty : "s")}, {warnings} warning{(warnings == 1 ? string.Empty : "s")}, {notes} note{(notes == 1 ? string.Empty : "s")}";
            Console.WriteLine(Label("Verdict") + word + "  (" + counts + ")");

            // The most severe findings, one line each, so the reason is in the first lines of output.
            foreach (Finding f in r.Findings.Where(f => f.SeverityCode == (errors > 0 ? FindingSeverity.Error : FindingSeverity.Warning)).Take(3))
            {
                Output.WriteWrapped(new string(' ', LabelWidth) + "- ", f.Message);
            }
        }

        private static string EnvelopeText(MailHeaderReport r)
        {
            // "" is the empty reverse-path of a bounce (RFC 5321 §4.5.5), not a missing value.
            string text = r.EnvelopeSender is null ? "(not recorded)" : r.EnvelopeSender.Length == 0 ? "<> (empty: a bounce)" : r.EnvelopeSender;
            if (!string.IsNullOrEmpty(r.EnvelopeSenderSource))
            {
                text += "  (from " + r.EnvelopeSenderSource + ")";
            }

            return text;
        }

        private static string ClientText(MailHeaderReport r)
        {
            if (r.EdgeHop is null && r.ClientIP is null)
            {
                return r.Hops.Count == 0 ? "(no Received fields)" : "(edge hop not found)";
            }

            var text = new StringBuilder(r.ClientIP ?? "(no address)");
            if (!string.IsNullOrEmpty(r.Helo))
            {
                text.Append("  HELO ").Append(r.Helo);
            }

            if (r.EdgeHop != null)
            {
                if (!string.IsNullOrEmpty(r.EdgeHop.FromReverseDns) && !string.Equals(r.EdgeHop.FromReverseDns, r.Helo, StringComparison.OrdinalIgnoreCase))
                {
                    text.Append("  rDNS ").Append(r.EdgeHop.FromReverseDns);
                }

                text.Append("  (hop ").Append(r.EdgeHop.Number);
                if (!string.IsNullOrEmpty(r.EdgeHop.ByHost))
                {
                    text.Append(", into ").Append(r.EdgeHop.ByHost);
                }

                text.Append(')');
            }

            if (!string.IsNullOrEmpty(r.XOriginatingIp))
            {
                text.Append("; X-Originating-IP ").Append(r.XOriginatingIp);
            }

            return text.ToString();
        }

        private static void WriteAuthentication(MailHeaderReport r)
        {
            List<AuthenticationResultsHeader> trustedHeaders = r.AuthenticationResults.Where(h => h.IsTrusted).ToList();
            string by = trustedHeaders.Count == 0
                ? (r.AuthenticationResults.Count == 0 ? "no Authentication-Results" : $"none of the {r.AuthenticationResults.Count} Authentication-Results is trusted")
                : string.Join(", ", trustedHeaders.Select(h => h.AuthServId ?? "the receiver (no authserv-id)").Distinct(StringComparer.OrdinalIgnoreCase));
            Console.WriteLine(Output.Paint("Authentication as recorded", "1") + " by " + by);

            List<AuthenticationMethodResult> methods = trustedHeaders.SelectMany(h => h.Results).ToList();
            AuthLine("SPF", r.Spf, Details(methods, "spf", "smtp.mailfrom", "smtp.helo"));

            List<RecordedDkimResult> dkim = r.DkimResults.Where(d => !string.Equals(d.Domain, "none", StringComparison.OrdinalIgnoreCase)).ToList();
            string dkimDetail = dkim.Count > 0
                ? string.Join(", ", dkim.Select(d => d.Result + " d=" + d.Domain + (d.Selector is null ? string.Empty : " s=" + d.Selector)))
                : Details(methods, "dkim", "header.d", "header.i");
            if (r.DkimSignatures.Count > 0)
            {
                dkimDetail = Join(dkimDetail, r.DkimSignatures.Count + " DKIM-Signature" + (r.DkimSignatures.Count == 1 ? string.Empty : "s")
                    + " (" + string.Join(", ", r.DkimSignatures.Select(s => "d=" + s.Domain + (s.AlignedWithFrom == true ? " aligned" : s.AlignedWithFrom == false ? " unaligned" : string.Empty))) + ")");
            }

            AuthLine("DKIM", r.Dkim, dkimDetail);
            string dmarcDetail = Details(methods, "dmarc", "header.from");
            dmarcDetail = Join(dmarcDetail, r.DmarcPolicy is null ? string.Empty : "p=" + r.DmarcPolicy);
            dmarcDetail = Join(dmarcDetail, r.DmarcAction is null ? string.Empty : "action=" + r.DmarcAction);
            AuthLine("DMARC", r.Dmarc, dmarcDetail);
            if (r.CompAuth != null || r.CompAuthReason != null)
            {
                string reason = r.CompAuthReason is null ? string.Empty : "reason " + r.CompAuthReason;
                MailHeaderStamp? meaning = r.Stamps.FirstOrDefault(s => string.Equals(s.Field, "compauth reason", StringComparison.OrdinalIgnoreCase));
                if (meaning != null)
                {
                    reason += ": " + meaning.Meaning;
                }

                AuthLine("CompAuth", r.CompAuth, reason);
            }

            if (r.Arc != null || r.ArcSets.Count > 0)
            {
                string sets = r.ArcSets.Count == 0 ? string.Empty
                    : "ARC sets " + string.Join(", ", r.ArcSets.Select(a => "i=" + a.Instance + " cv=" + (a.ChainValidation ?? "?") + " d=" + (a.SealDomain ?? "?")));
                AuthLine("ARC", r.Arc, sets);
            }

            var spam = new List<string>();
            if (r.Scl != null)
            {
                spam.Add("SCL " + r.Scl);
            }

            if (r.Bcl != null)
            {
                spam.Add("BCL " + r.Bcl);
            }

            if (spam.Count > 0)
            {
                MailHeaderStamp? sfv = r.Stamps.FirstOrDefault(s => string.Equals(s.Field, "SFV", StringComparison.OrdinalIgnoreCase));
                string detail = sfv is null ? string.Empty : "SFV " + sfv.Value + ": " + sfv.Meaning;
                Output.WriteWrapped("  " + Output.Cell("Spam", 10) + Output.Cell(string.Join(", ", spam), 14), detail, 26);
            }
        }

        /// <summary>-Verify: each verdict now beside the recorded one, then what disagrees and why.</summary>
        private static void WriteVerification(MailHeaderVerification v)
        {
            Console.WriteLine(Output.Paint("Now (DNS)", "1") + " beside as recorded, verified "
                + v.VerifiedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)
                + (v.BodyVerified ? ", body checked" : ", header only"));
            Console.WriteLine(Output.Paint("  " + Output.Cell("Method", 10) + Output.Cell("now", 14) + Output.Cell("recorded", 14) + "detail", "2"));

            string spfDetail = v.Spf != null
                ? v.Spf.Domain + " for " + v.Spf.IPAddress + (string.IsNullOrEmpty(v.Spf.Reason) ? string.Empty : ": " + v.Spf.Reason)
                : v.SpfNote ?? string.Empty;
            NowLine("SPF", v.SpfNow, v.SpfRecorded, spfDetail);
            if (v.SpfHelo != null)
            {
                NowLine("SPF HELO", v.SpfHeloNow, null, v.SpfHelo.Domain + (string.IsNullOrEmpty(v.SpfHelo.Reason) ? string.Empty : ": " + v.SpfHelo.Reason));
            }

            string dkimDetail = v.DkimSignatures.Count == 0 ? "no DKIM-Signature"
                : string.Join("; ", v.DkimSignatures.Select(d => d.ResultKeyword + " d=" + d.Domain + " s=" + d.Selector + (string.IsNullOrEmpty(d.Reason) ? string.Empty : ": " + d.Reason)));
            NowLine("DKIM", v.DkimNow, v.DkimRecorded, dkimDetail);
            if (v.Arc != null || v.ArcRecorded != null)
            {
                NowLine("ARC", v.ArcNow ?? (v.Arc != null ? "undecided" : null), v.ArcRecorded, v.Arc?.Reason ?? string.Empty);
            }

            var dmarcParts = new List<string>();
            if (v.DispositionNow != null)
            {
                dmarcParts.Add("disposition " + v.DispositionNow);
            }

            if (!string.IsNullOrEmpty(v.Dmarc?.Reason))
            {
                dmarcParts.Add(v.Dmarc!.Reason!);
            }

            // The note often repeats the evaluation's reason; say it once.
            if (!string.IsNullOrEmpty(v.DmarcNote) && !dmarcParts.Any(p => p.IndexOf(v.DmarcNote!, StringComparison.Ordinal) >= 0))
            {
                dmarcParts.Add(v.DmarcNote!);
            }

            string dmarcDetail = string.Join("; ", dmarcParts);
            NowLine("DMARC", v.DmarcNow, v.DmarcRecorded, dmarcDetail);

            List<VerdictComparison> differing = v.Comparisons.Where(c => c.Agrees == false).ToList();
            if (differing.Count == 0)
            {
                Console.WriteLine("  " + (v.Comparisons.Any(c => c.Agrees == true) ? "Disagreements: none; what DNS says now agrees with the receiver." : "Disagreements: none (nothing recorded could be compared)."));
            }
            else
            {
                Console.WriteLine("  " + Output.Paint($"Disagreements: {differing.Count}", "1;33"));
                foreach (VerdictComparison c in differing)
                {
                    string head = c.Method.ToUpperInvariant() + (c.Subject is null ? string.Empty : " " + c.Subject) + ": recorded " + (c.Recorded ?? "-") + ", now " + (c.Now ?? "-");
                    Output.WriteWrapped("    - ", head + (string.IsNullOrEmpty(c.Note) ? string.Empty : ". " + c.Note));
                }
            }

            // The *-DIFFERS findings are the disagreements above; the others (key gone, body missing) follow.
            foreach (Finding f in v.Findings.Where(f => !f.Id.EndsWith("-DIFFERS", StringComparison.Ordinal)))
            {
                Output.WriteWrapped("  " + Output.PaintSeverity(f.SeverityCode, 8) + f.Id + "  ", f.Message, 2 + 8 + f.Id.Length + 2);
            }
        }

        private static void NowLine(string name, string? now, string? recorded, string detail)
        {
            string prefix = "  " + Output.Cell(name, 10) + Output.PaintResult(now, 14) + Output.PaintResult(recorded, 14);
            Output.WriteWrapped(prefix, detail, 40);
        }

        private static void AuthLine(string name, string? result, string detail)
        {
            string prefix = "  " + Output.Cell(name, 10) + Output.PaintResult(result, 14);
            Output.WriteWrapped(prefix, detail, 26);
        }

        private static string Details(List<AuthenticationMethodResult> methods, string method, params string[] keys)
        {
            var parts = new List<string>();
            foreach (AuthenticationMethodResult m in methods.Where(m => string.Equals(m.Method, method, StringComparison.OrdinalIgnoreCase)))
            {
                foreach (string key in keys)
                {
                    string? value = m.GetProperty(key);
                    if (!string.IsNullOrEmpty(value))
                    {
                        string part = key + "=" + value;
                        if (!parts.Contains(part))
                        {
                            parts.Add(part);
                        }
                    }
                }

                if (!string.IsNullOrEmpty(m.Reason) && !parts.Contains("reason: " + m.Reason))
                {
                    parts.Add("reason: " + m.Reason);
                }
            }

            return string.Join(" ", parts);
        }

        private static string Join(string a, string b) => b.Length == 0 ? a : a.Length == 0 ? b : a + "; " + b;

        // With --enrich: who the hops' clients are, and what the blocklists say.
        private static void WriteIntelligence(MailHeaderReport r)
        {
            var hops = r.Hops.Where(h => h.IpStatus != null).ToList();
            if (hops.Count == 0 && r.DomainListings.Count == 0 && r.EnrichErrors.Count == 0)
            {
                return;
            }

            Console.WriteLine(Output.Paint("Senders", "1"));
            foreach (MailHop hop in hops)
            {
                string listed = string.IsNullOrEmpty(hop.Listings) ? string.Empty : " " + hop.Listings;
                Console.WriteLine($"  hop {hop.Number} {hop.FromIp}: {hop.IpStatus} {hop.Owner ?? "AS unknown"}{listed}");
            }

            foreach (string listing in r.DomainListings)
            {
                Console.WriteLine("  domain " + listing);
            }

            foreach (string error in r.EnrichErrors)
            {
                Console.WriteLine("  error " + error);
            }
        }

        private static void WriteHops(MailHeaderReport r)
        {
            string total = r.TotalDelay is null ? string.Empty : ", total " + Output.Duration(r.TotalDelay);
            Console.WriteLine(Output.Paint("Hops", "1") + $" ({r.HopCount}, oldest first{total})");
            if (r.Hops.Count == 0)
            {
                Console.WriteLine("  (no Received fields)");
                return;
            }

            var rows = new List<string[]>();
            foreach (MailHop hop in r.Hops)
            {
                string from = hop.FromHost ?? hop.Helo ?? hop.FromReverseDns ?? "-";
                string delay = hop.DelaySeconds is null ? "-" : (hop.DelaySeconds >= 0 ? "+" : string.Empty) + Output.Duration(hop.DelaySeconds);
                if (hop.ClockSkew)
                {
                    delay += " skew";
                }

                string tls = hop.TlsVersion ?? (hop.Encrypted ? hop.With ?? "yes" : "-");
                rows.Add(new[]
                {
                    hop.Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    from,
                    hop.FromIp ?? "-",
                    hop.ByHost ?? hop.ByIp ?? "-",
                    delay,
                    tls,
                    hop.IsEdge ? "edge" : string.Empty,
                });
            }

            var header = new[] { "#", "From", "IP", "By", "Delay", "TLS", string.Empty };
            int[] widths = FitColumns(header, rows, Output.Width - 2, shrinkable: new[] { 1, 3 });
            if (widths.Sum() + widths.Length - 1 > Output.Width - 2)
            {
                widths = FitColumns(header, rows, Output.Width - 2, shrinkable: new[] { 1, 3, 2 });
            }

            Console.WriteLine(Output.Paint("  " + Row(header, widths), "2"));
            for (int i = 0; i < rows.Count; i++)
            {
                // A padded or looping header can hold hundreds of hops: show the oldest few and the
                // newest (where the edge usually is); --json has them all.
                if (rows.Count > MaxHopRows && i == HeadHopRows)
                {
                    int hidden = rows.Count - MaxHopRows;
                    int next = rows.Count - (MaxHopRows - HeadHopRows);
                    string edgeNote = rows.Skip(i).Take(next - i).Any(x => x[6] == "edge") ? " (the edge hop among them)" : string.Empty;
                    Console.WriteLine(Output.Paint($"  … {hidden} hops not shown{edgeNote}; --json lists them all", "2"));
                    i = next;
                }

                string[] row = rows[i];
                string line = "  " + Row(row, widths);
                Console.WriteLine(row[6] == "edge" ? Output.Paint(line, "1") : line);
            }
        }

        private static string Row(string[] cells, int[] widths)
        {
            var parts = new string[cells.Length];
            for (int i = 0; i < cells.Length; i++)
            {
                // Host names (From, By) keep both ends; the rest is cut at the end.
                parts[i] = i == 1 || i == 3 ? Output.CellMiddle(cells[i], widths[i]) : Output.Cell(cells[i], widths[i]);
            }

            return string.Join(" ", parts).TrimEnd();
        }

        /// <summary>Natural column widths; when too wide, the shrinkable columns give way, the widest first.</summary>
        private static int[] FitColumns(string[] header, List<string[]> rows, int width, int[] shrinkable)
        {
            int[] widths = header.Select(h => h.Length).ToArray();
            foreach (string[] row in rows)
            {
                for (int i = 0; i < row.Length; i++)
                {
                    widths[i] = Math.Max(widths[i], Output.OneLine(row[i]).Length);
                }
            }

            int Total() => widths.Sum() + widths.Length - 1;
            while (Total() > width)
            {
                int widest = shrinkable.OrderByDescending(i => widths[i]).First();
                if (widths[widest] <= 16)
                {
                    break;
                }

                widths[widest]--;
            }

            return widths;
        }

        private static void WriteFindings(MailHeaderReport r)
        {
            Console.WriteLine(Output.Paint("Findings", "1") + (r.Findings.Count == 0 ? ": none" : $" ({r.Findings.Count}, most severe first)"));
            if (r.Findings.Count == 0)
            {
                return;
            }

            int idWidth = r.Findings.Max(f => f.Id.Length);
            int indent = 2 + 8 + idWidth + 2;
            foreach (Finding f in r.Findings)
            {
                string prefix = "  " + Output.PaintSeverity(f.SeverityCode, 8) + Output.Cell(f.Id, idWidth) + "  ";
                Output.WriteWrapped(prefix, f.Message, indent);
                if (!string.IsNullOrEmpty(f.Subject) && Output.OneLine(f.Message).IndexOf(Output.OneLine(f.Subject!), StringComparison.OrdinalIgnoreCase) < 0)
                {
                    Output.WriteWrapped(new string(' ', indent) + Output.Paint("evidence: ", "2"), f.Subject!, indent + 10);
                }
            }

            if (r.InputNotes.Count > 0)
            {
                Console.WriteLine();
                Console.WriteLine(Output.Paint("Input repairs", "2"));
                foreach (string note in r.InputNotes)
                {
                    Output.WriteWrapped("  - ", note);
                }
            }
        }

        private static string Label(string text) => Output.Paint(text.PadRight(LabelWidth), "1");

        private static void Field(string name, string value)
        {
            Output.WriteWrapped(Label(name), value, LabelWidth);
        }
    }
}
