using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using MailAuth.IpIntelligence;
using MailAuth.Reports;
using MailAuth.Reports.Storage;

namespace MailAuth.Cli
{
    /// <summary>
    /// mailauth reports import PATH... [--csv FILE | --json] [--database FILE | --connection-string CS]
    /// and mailauth reports summary: Import-DmarcReport and Get-DmarcReportSummary for other shells.
    /// </summary>
    internal static class ReportsCommand
    {
        private static readonly string[] s_columns =
        {
            "OrgName", "ReportId", "BeginDate", "EndDate", "PolicyDomain", "PolicyP", "SourceIP", "Count", "Disposition", "HeaderFrom", "EnvelopeFrom",
            "DkimResult", "DkimDomain", "SpfResult", "SpfDomain", "DkimAligned", "SpfAligned", "DmarcResult", "SourceFile", "Detail",
        };

        public static Command Create()
        {
            var reports = new Command("reports", "DMARC aggregate reports (RFC 7489, RFC 9990): import, summarise, keep.");
            reports.Subcommands.Add(CreateImport());
            reports.Subcommands.Add(CreateSummary());
            return reports;
        }

        private static Command CreateImport()
        {
            var paths = new Argument<string[]>("path") { Description = "Report files or folders: .xml, .xml.gz/.gz, .zip, .eml, mbox.", Arity = ArgumentArity.OneOrMore };
            var csv = new Option<string>("--csv") { Description = "Write the records to this CSV file (the flat columns, then Detail)." };
            var json = new Option<bool>("--json") { Description = "One JSON object per record and line, with Import-DmarcReport's property names." };
            var database = new Option<string>("--database") { Description = "Keep the reports in this SQLite file (deduplicated)." };
            var connection = new Option<string>("--connection-string") { Description = "Keep the reports in PostgreSQL (Npgsql connection string)." };
            var command = new Command("import", "Read DMARC aggregate reports: one row per record; bad files are one error each, duplicates one note.");
            command.Arguments.Add(paths);
            command.Options.Add(csv);
            command.Options.Add(json);
            command.Options.Add(database);
            command.Options.Add(connection);
            command.SetAction(result =>
            {
                string? csvPath = result.GetValue(csv);
                bool asJson = result.GetValue(json);
                if (csvPath != null && asJson)
                {
                    Output.WriteError("give --csv or --json, not both.");
                    return Output.Usage;
                }

                IDmarcReportStore? store;
                try
                {
                    store = OpenStore(result.GetValue(database), result.GetValue(connection));
                }
                catch (Exception ex) when (ex is DmarcReportStoreException || ex is ArgumentException || ex is UsageException)
                {
                    Output.WriteError(ex.Message);
                    return ex is UsageException ? Output.Usage : Output.InputFailed;
                }

                using (store)
                {
                    TextWriter? csvWriter = null;
                    try
                    {
                        if (csvPath != null)
                        {
                            csvWriter = new StreamWriter(csvPath, false, new UTF8Encoding(false));
                            csvWriter.Write(string.Join(",", s_columns) + "\r\n");
                        }

                        var options = new ReportImportOptions();
                        if (store != null)
                        {
                            options.KnownReport = store.FindReport;
                        }

                        int exit = Output.Success;
                        var importer = new DmarcReportImporter(options);
                        bool header = false;
                        foreach (string file in Files(result.GetValue(paths) ?? Array.Empty<string>(), ref exit))
                        {
                            foreach (DmarcReportImport import in importer.ImportFile(file))
                            {
                                if (import.DuplicateNote != null)
                                {
                                    Output.WriteError("note: " + import.DuplicateNote);
                                    continue;
                                }

                                if (import.Error != null && !import.Streamed)
                                {
                                    Output.WriteError(import.Error.Message);
                                    exit = Output.InputFailed;
                                    continue;
                                }

                                DmarcAggregateReport report = import.Report!;
                                IEnumerable<DmarcReportRecord> records = Write(import.Records, csvWriter, asJson, store is null && csvWriter is null && !asJson, ref header);
                                if (store != null)
                                {
                                    long kept = store.AddReport(report, records, () => import.Error);
                                    if (import.Error is null && csvWriter is null && !asJson)
                                    {
                                        Console.WriteLine($"stored {report.OrgName} {report.ReportId} {report.PolicyDomain}: {kept} records, {report.MessageCount} messages ({store.Description})");
                                    }
                                }
                                else
                                {
                                    foreach (DmarcReportRecord unused in records)
                                    {
                                    }
                                }

                                if (import.Error != null)
                                {
                                    Output.WriteError(import.Error.Message);
                                    exit = Output.InputFailed;
                                }
                            }
                        }

                        return exit;
                    }
                    catch (DmarcReportStoreException ex)
                    {
                        Output.WriteError(ex.Message);
                        return Output.InputFailed;
                    }
                    finally
                    {
                        csvWriter?.Dispose();
                    }
                }
            });
            return command;
        }

        private static Command CreateSummary()
        {
            var paths = new Argument<string[]>("path") { Description = "Report files or folders (or give --database / --connection-string).", Arity = ArgumentArity.ZeroOrMore };
            var database = new Option<string>("--database") { Description = "Summarise the reports kept in this SQLite file." };
            var connection = new Option<string>("--connection-string") { Description = "Summarise the reports kept in PostgreSQL." };
            var since = new Option<DateTime?>("--since") { Description = "With a database: reports ending on or after this date." };
            var until = new Option<DateTime?>("--until") { Description = "With a database: reports beginning on or before this date." };
            var domain = new Option<string>("--domain") { Description = "With a database: only this policy domain." };
            var enrich = new Option<bool>("--enrich") { Description = "Look up PTR, FCrDNS and ASN (Team Cymru) of each source over DNS." };
            var dns = new CommonOptions();
            var command = new Command("summary", "Per source IP: messages, DMARC pass/fail, dispositions, alignment, known service.");
            command.Arguments.Add(paths);
            command.Options.Add(database);
            command.Options.Add(connection);
            command.Options.Add(since);
            command.Options.Add(until);
            command.Options.Add(domain);
            command.Options.Add(enrich);
            dns.AddTo(command);
            command.SetAction(result =>
            {
                string[] inputs = result.GetValue(paths) ?? Array.Empty<string>();
                int exit = Output.Success;
                var summarizer = new DmarcReportSummarizer();
                try
                {
                    using IDmarcReportStore? store = OpenStore(result.GetValue(database), result.GetValue(connection));
                    if (store is null && inputs.Length == 0)
                    {
                        Output.WriteError("give report files or folders, or --database / --connection-string.");
                        return Output.Usage;
                    }

                    if (store != null)
                    {
                        foreach (DmarcReportRecord r in store.ReadRecords(result.GetValue(since), result.GetValue(until), result.GetValue(domain)))
                        {
                            summarizer.Add(r);
                        }
                    }

                    var importer = new DmarcReportImporter();
                    foreach (string file in Files(inputs, ref exit))
                    {
                        foreach (DmarcReportImport import in importer.ImportFile(file))
                        {
                            if (import.DuplicateNote != null)
                            {
                                Output.WriteError("note: " + import.DuplicateNote);
                                continue;
                            }

                            if (import.Error != null && !import.Streamed)
                            {
                                Output.WriteError(import.Error.Message);
                                exit = Output.InputFailed;
                                continue;
                            }

                            foreach (DmarcReportRecord r in import.Records)
                            {
                                summarizer.Add(r);
                            }
                        }
                    }

                    bool enriching = result.GetValue(enrich);
                    MailAuth.Dns.IDnsResolver? resolver = enriching ? dns.CreateResolver(result) : null;
                    IpIntelligenceResolver? intelligence = resolver is null ? null : new IpIntelligenceResolver(resolver);
                    MailAuth.Spf.SpfEvaluator? spf = resolver is null ? null : new MailAuth.Spf.SpfEvaluator(resolver);
                    IReadOnlyList<DmarcSourceSummary> sources = summarizer.SummarizeAsync(intelligence, 32, null, CancellationToken.None, spf).GetAwaiter().GetResult();
                    if (result.GetValue(dns.Json))
                    {
                        foreach (DmarcSourceSummary s in sources)
                        {
                            Output.WriteJson(s);
                        }
                    }
                    else
                    {
                        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-39} {1,9} {2,6} {3,9} {4,9} {5,8}  {6}", "SOURCE", "MESSAGES", "PASS%", "DKIM", "SPF", "BLOCKED", "SERVICE"));
                        foreach (DmarcSourceSummary s in sources)
                        {
                            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-39} {1,9} {2,6:0.0} {3,9} {4,9} {5,8}  {6}", s.SourceIP, s.Messages, s.PassPercent,
                                s.DkimAligned, s.SpfAligned, s.DispositionReject + s.DispositionQuarantine, s.Service ?? s.PtrName ?? string.Empty));
                        }
                    }

                    return exit;
                }
                catch (Exception ex) when (ex is DmarcReportStoreException || ex is UsageException || ex is ArgumentException)
                {
                    Output.WriteError(ex.Message);
                    return ex is UsageException ? Output.Usage : Output.InputFailed;
                }
            });
            return command;
        }

        private static IDmarcReportStore? OpenStore(string? database, string? connection)
        {
            if (database != null && connection != null)
            {
                throw new UsageException("give --database or --connection-string, not both.");
            }

            return database != null ? DmarcReportStore.OpenSqlite(database) : connection != null ? DmarcReportStore.OpenPostgres(connection) : null;
        }

        private static IEnumerable<string> Files(string[] inputs, ref int exit)
        {
            var files = new List<string>();
            foreach (string input in inputs)
            {
                if (Directory.Exists(input))
                {
                    string[] inFolder = Directory.GetFiles(input);
                    Array.Sort(inFolder, StringComparer.Ordinal);
                    files.AddRange(inFolder);
                }
                else if (File.Exists(input))
                {
                    files.Add(input);
                }
                else
                {
                    Output.WriteError($"{input}: no such file or folder.");
                    exit = Output.InputFailed;
                }
            }

            return files;
        }

        private static IEnumerable<DmarcReportRecord> Write(IEnumerable<DmarcReportRecord> records, TextWriter? csv, bool json, bool human, ref bool header)
        {
            if (human && !header)
            {
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-39} {1,7} {2,-24} {3,-11} {4,-4} {5,-4} {6}", "SOURCE", "COUNT", "HEADER FROM", "DISPOSITION", "DKIM", "SPF", "REPORTER"));
                header = true;
            }

            return Iterate(records, csv, json, human);
        }

        private static IEnumerable<DmarcReportRecord> Iterate(IEnumerable<DmarcReportRecord> records, TextWriter? csv, bool json, bool human)
        {
            foreach (DmarcReportRecord r in records)
            {
                if (csv != null)
                {
                    csv.Write(string.Join(",", new object?[]
                    {
                        r.OrgName, r.ReportId, r.BeginDate.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), r.EndDate.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                        r.PolicyDomain, r.PolicyP, r.SourceIP, r.Count, r.Disposition, r.HeaderFrom, r.EnvelopeFrom, r.DkimResult, r.DkimDomain, r.SpfResult, r.SpfDomain,
                        r.DkimAligned, r.SpfAligned, r.DmarcResult, r.SourceFile, r.Detail.ToString(),
                    }.Select(v => CsvRowWriter<DmarcReportRecord>.Quote(CsvRowWriter<DmarcReportRecord>.Format(v)))) + "\r\n");
                }
                else if (json)
                {
                    Output.WriteJson(r);
                }
                else if (human)
                {
                    Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-39} {1,7} {2,-24} {3,-11} {4,-4} {5,-4} {6}", r.SourceIP, r.Count, Output.Cell(r.HeaderFrom, 24).TrimEnd(),
                        r.Disposition, r.DkimAligned ? "pass" : "fail", r.SpfAligned ? "pass" : "fail", r.OrgName));
                }

                yield return r;
            }
        }
    }
}
