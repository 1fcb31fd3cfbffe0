using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Cli
{
    /// <summary>
    /// mailauth audit over loopback zones: ~200 domains with faults injected, blank, comment and
    /// bad lines; one row per domain line, in input order, failures as LookupFailed.
    /// </summary>
    public sealed class CliAuditTests : IDisposable
    {
        private const int DomainCount = 200;
        private readonly LoopbackDnsServer _server;
        private readonly string _dir;
        private readonly HashSet<string> _faulted = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        public CliAuditTests()
        {
            var zone = new DnsZone();
            for (int i = 0; i < DomainCount; i++)
            {
                string d = Name(i);
                zone.Add(d, ZoneRecordType.MX, "10 mx." + d);
                zone.Add("mx." + d, ZoneRecordType.A, "192.0.2." + (i % 250 + 1).ToString(CultureInfo.InvariantCulture));
                zone.AddTxt(d, "v=spf1 mx -all");
                zone.AddTxt("_dmarc." + d, i % 2 == 0 ? "v=DMARC1; p=reject; rua=mailto:d@" + d : "v=DMARC1; p=none");
                zone.AddTxt("_smtp._tls." + d, "v=TLSRPTv1; rua=mailto:tls@" + d);

                // Faults on the domain's own name: its MX and SPF TXT lookups fail.
                DnsFault? fault = (i % 20) switch
                {
                    3 => DnsFault.ServFail,
                    7 => DnsFault.Timeout,
                    11 => DnsFault.Garbage,
                    _ => null,
                };
                if (fault != null)
                {
                    zone.AddFault(d, fault.Value);
                    _faulted.Add(d);
                }
            }

            _server = LoopbackDnsServer.Start(zone);
            _dir = Path.Combine(Path.GetTempPath(), "mailauth-cli-audit-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_dir);
        }

        public void Dispose()
        {
            _server.Dispose();
            try
            {
                Directory.Delete(_dir, true);
            }
            catch (IOException)
            {
            }
        }

        private static string Name(int i) => "d" + i.ToString("000", CultureInfo.InvariantCulture) + ".audit.example";

        /// <summary>The input file: every domain, plus blank, comment and bad lines mixed in.</summary>
        private (string Path, List<string> DomainLines) WriteInput()
        {
            var lines = new List<string> { "# audit input", string.Empty, "; another comment style" };
            var domainLines = new List<string>();
            void Domain(string line)
            {
                lines.Add(line);
                domainLines.Add(line);
            }

            for (int i = 0; i < DomainCount; i++)
            {
                Domain(i % 50 == 5 ? "  " + Name(i).ToUpperInvariant() + ".  " : Name(i));
                if (i % 40 == 0)
                {
                    lines.Add("   ");
                    lines.Add("# comment after " + Name(i));
                }

                if (i == 60)
                {
                    Domain("not a domain");
                    Domain("192.0.2.1");
                    Domain("postmaster@" + Name(1));
                    Domain(new string('a', 300) + ".example");
                }
            }

            string path = System.IO.Path.Combine(_dir, "domains.txt");
            File.WriteAllText(path, string.Join("\n", lines) + "\n", new UTF8Encoding(false));
            return (path, domainLines);
        }

        // Timeouts long enough that a loaded CI machine never turns a good answer into a timeout.
        private static readonly string[] s_fast = { "--selector", "selector1", "--no-mta-sts-fetch", "--timeout", "3" };

        [Fact]
        public void Csv_has_one_row_per_domain_line_in_input_order_with_failures_as_lookup_failed()
        {
            (string input, List<string> domainLines) = WriteInput();
            string csv = Path.Combine(_dir, "out.csv");
            CliResult result = CliRunner.Run(null, new[] { "audit", input, "--csv", csv, "--server", _server.Address }.Concat(s_fast).ToArray());
            Assert.True(result.ExitCode == 1, result.ToString());

            List<string[]> rows = ReadCsv(File.ReadAllText(csv, Encoding.UTF8));
            string[] header = rows[0];
            Assert.Equal(new[] { "Input", "Domain", "InputNote", "Status", "ErrorMessage", "Grade", "Score" }, header.Take(7));
            foreach (string column in new[] { "MxStatus", "MxHosts", "NullMx", "SpfStatus", "SpfRecord", "SpfLookups", "SpfAll", "DmarcStatus", "DmarcPolicy",
                "DmarcEffectivePolicy", "DmarcPct", "DkimStatus", "DkimSelectors", "DkimMinKeyBits", "BimiStatus", "MtaStsStatus", "MtaStsMode",
                "TlsRptStatus", "TlsRptRua", "ErrorCount", "WarningCount", "FindingText", "QueryCount", "ElapsedMilliseconds" })
            {
                Assert.Contains(column, header);
            }

            Assert.Equal(DocumentedCsvColumns(), header);
            Assert.DoesNotContain("Checks", header);
            Assert.DoesNotContain("Trace", header);
            List<Dictionary<string, string>> data = rows.Skip(1).Select(r =>
            {
                Assert.Equal(header.Length, r.Length);
                return header.Zip(r, (h, v) => (h, v)).ToDictionary(p => p.h, p => p.v);
            }).ToList();

            // Nothing dropped, nothing added, in input order.
            Assert.Equal(domainLines.Count, data.Count);
            Assert.Equal(domainLines, data.Select(d => d["Input"]));

            foreach (Dictionary<string, string> row in data)
            {
                string domain = row["Domain"];
                if (domain.Length == 0)
                {
                    Assert.Equal("InvalidInput", row["Status"]);
                    Assert.NotEqual(string.Empty, row["ErrorMessage"]);
                    continue;
                }

                if (_faulted.Contains(domain))
                {
                    Assert.True(row["Status"] == "LookupFailed", domain + ": " + row["Status"]);
                    Assert.Contains("MX", row["ErrorMessage"], StringComparison.Ordinal);
                    Assert.Equal(string.Empty, row["Grade"]);
                }
                else if (domain.EndsWith(".audit.example", StringComparison.Ordinal))
                {
                    Assert.True(row["Status"] == "Ok" || row["Status"] == "Findings", domain + ": " + row["Status"] + " " + row["ErrorMessage"]);
                    Assert.Equal("Found", row["SpfStatus"]);
                    Assert.Equal("-", row["SpfAll"]);
                    Assert.Equal("v=spf1 mx -all", row["SpfRecord"]);

                    // Numbers as numbers, in the invariant culture.
                    Assert.Equal(1, int.Parse(row["SpfLookups"], NumberStyles.None, CultureInfo.InvariantCulture));
                    int score = int.Parse(row["Score"], NumberStyles.None, CultureInfo.InvariantCulture);
                    Assert.InRange(score, 0, 100);
                    Assert.True(double.Parse(row["ElapsedMilliseconds"], NumberStyles.Float, CultureInfo.InvariantCulture) >= 0);
                    Assert.Equal("10 mx." + domain, row["MxHosts"]);
                    int index = int.Parse(domain.Substring(1, 3), CultureInfo.InvariantCulture);
                    Assert.Equal(index % 2 == 0 ? "Reject" : "None", row["DmarcPolicy"]);
                    Assert.Equal(index % 2 == 0 ? "True" : "False", row["DmarcRua"]);
                    Assert.Equal("Found", row["TlsRptStatus"]);
                    Assert.Equal("NotFound", row["DkimStatus"]);
                }
            }

            // The normalised and duplicate lines.
            Dictionary<string, string> upper = data.Single(d => d["Input"] == "  " + Name(5).ToUpperInvariant() + ".  ");
            Assert.Equal(Name(5), upper["Domain"]);
            Assert.Contains("removed the white space around it", upper["InputNote"], StringComparison.Ordinal);
            Dictionary<string, string> address = data.Single(d => d["Input"] == "postmaster@" + Name(1));
            Assert.Equal(Name(1), address["Domain"]);
            Assert.Contains("duplicate of input", address["InputNote"], StringComparison.Ordinal);

            // ErrorMessage with " | " and commas is quoted and still read back whole.
            Assert.Contains(data, d => d["ErrorMessage"].Contains(" | ", StringComparison.Ordinal));
            Assert.Equal(3 * DomainCount / 20, data.Count(d => _faulted.Contains(d["Domain"])));
        }

        [Fact]
        public void Json_lines_carry_flat_properties_and_nested_detail_for_every_domain()
        {
            (string input, List<string> domainLines) = WriteInput();
            CliResult result = CliRunner.Run(null, new[] { "audit", input, "--json", "--server", _server.Address }.Concat(s_fast).ToArray());
            Assert.True(result.ExitCode == 1, result.ToString());
            JsonElement[] lines = result.JsonLines;
            Assert.Equal(domainLines.Count, lines.Length);
            Assert.Equal(domainLines, lines.Select(l => l.GetProperty("Input").GetString()));

            JsonElement healthy = lines.First(l => l.GetProperty("Domain").GetString() == Name(0));
            Assert.Equal("10 mx." + Name(0), healthy.GetProperty("MxHosts").GetString());
            Assert.Equal("192.0.2.1", healthy.GetProperty("Mx").GetProperty("Hosts")[0].GetProperty("Addresses")[0].GetString());
            Assert.Equal("v=spf1 mx -all", healthy.GetProperty("Spf").GetProperty("Record").GetString());
            Assert.Equal("Reject", healthy.GetProperty("Dmarc").GetProperty("Policy").GetString());
            Assert.Equal("selector1", healthy.GetProperty("Dkim").GetProperty("Selectors")[0].GetProperty("Selector").GetString());
            Assert.Equal("NotFetched", healthy.GetProperty("MtaSts").GetProperty("FetchStatus").GetString());
            Assert.Equal("mailto:tls@" + Name(0), healthy.GetProperty("TlsRpt").GetProperty("ReportUriText").GetString());
            Assert.Equal(JsonValueKind.Object, healthy.GetProperty("Bimi").ValueKind);
            Assert.True(healthy.GetProperty("DnsEvidence").GetArrayLength() > 0);
            Assert.Equal(healthy.GetProperty("ErrorCount").GetInt32() + healthy.GetProperty("WarningCount").GetInt32(),
                healthy.GetProperty("Findings").EnumerateArray().Count(f => f.GetProperty("Severity").GetString() != "Information"));
            Assert.Equal(JsonValueKind.String, healthy.GetProperty("Grade").ValueKind);

            JsonElement failed = lines.First(l => l.GetProperty("Domain").GetString() == Name(3));
            Assert.Equal("LookupFailed", failed.GetProperty("Status").GetString());
            Assert.Equal(JsonValueKind.Null, failed.GetProperty("Grade").ValueKind);
            Assert.Equal("InvalidInput", lines.Single(l => l.GetProperty("Input").GetString() == "not a domain").GetProperty("Status").GetString());
        }

        [Fact]
        public void Resume_skips_the_domains_already_written_and_rewrites_a_row_cut_off_mid_write()
        {
            string[] names = Enumerable.Range(0, 12).Select(i => Name(i * 2)).ToArray(); // no faulted domain
            string first = Path.Combine(_dir, "first.txt");
            string all = Path.Combine(_dir, "all.txt");
            File.WriteAllLines(first, names.Take(5));
            File.WriteAllLines(all, names);
            string csv = Path.Combine(_dir, "resume.csv");
            string[] fast = { "--server", _server.Address, "--include", "Spf,Dmarc", "--no-mta-sts-fetch" };

            CliResult one = CliRunner.Run(null, new[] { "audit", first, "--resume", csv }.Concat(fast).ToArray());
            Assert.True(one.ExitCode == 0, one.ToString());

            // A killed run leaves half a row behind.
            File.AppendAllText(csv, Name(10) + ",d010.audit.exa");
            CliResult two = CliRunner.Run(null, new[] { "audit", all, "--resume", csv }.Concat(fast).ToArray());
            Assert.True(two.ExitCode == 0, two.ToString());
            Assert.Contains("5 domain(s) already in", two.Stderr, StringComparison.Ordinal);

            List<string[]> rows = ReadCsv(File.ReadAllText(csv, Encoding.UTF8));
            Assert.Equal(DocumentedCsvColumns(), rows[0]);
            Assert.Equal(names, rows.Skip(1).Select(r => r[0]));
            Assert.All(rows.Skip(1), r => Assert.Equal(rows[0].Length, r.Length));

            // Only the seven new domains were asked this time: the table lists them alone.
            Assert.DoesNotContain(Name(0), two.Stdout, StringComparison.Ordinal);
            Assert.Contains(Name(22), two.Stdout, StringComparison.Ordinal);

            string other = Path.Combine(_dir, "other.csv");
            File.WriteAllText(other, "a,b\r\n1,2\r\n");
            CliResult refused = CliRunner.Run(null, new[] { "audit", all, "--resume", other }.Concat(fast).ToArray());
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("its header is not the one mailauth audit writes", refused.Stderr, StringComparison.Ordinal);
            Assert.Equal(2, CliRunner.Run(null, new[] { "audit", all, "--resume", csv, "--csv", other }.Concat(fast).ToArray()).ExitCode);
            Assert.Equal(2, CliRunner.Run(null, new[] { "audit", all, "--throttle", "1025" }.Concat(fast).ToArray()).ExitCode);
        }

        [Fact]
        public void Table_fits_the_width_and_exit_code_is_0_when_every_row_is_ok_or_findings()
        {
            string input = Path.Combine(_dir, "ok.txt");
            File.WriteAllLines(input, new[] { Name(0), "# skip", string.Empty, Name(1), Name(2) });
            CliResult result = CliRunner.Run(null, new[] { "audit", input, "--server", _server.Address, "--include", "Spf,Dmarc", "--include", "TlsRpt" }.Concat(s_fast).ToArray());
            Assert.True(result.ExitCode == 0, result.ToString());
            string[] lines = result.Stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
            Assert.StartsWith("Domain", lines[0]);
            Assert.All(lines, l => Assert.True(l.Length <= 100, l));
            string row0 = lines.Single(l => l.StartsWith(Name(0), StringComparison.Ordinal));
            Assert.Contains("-all", row0, StringComparison.Ordinal);
            Assert.Contains("reject", row0, StringComparison.Ordinal);

            // MX, DKIM, BIMI and MTA-STS were not included: their cells are "-".
            string row1 = lines.Single(l => l.StartsWith(Name(1), StringComparison.Ordinal));
            Assert.Contains(" none ", row1, StringComparison.Ordinal);
            Assert.Contains("3 domains", result.Stdout, StringComparison.Ordinal);
            Assert.Equal(string.Empty, result.Stderr.Trim());
        }

        [Fact]
        public void Standard_input_and_usage_errors()
        {
            CliResult stdin = CliRunner.Run(Name(0) + "\n\nnot a domain\n", new[] { "audit", "-", "--json", "--server", _server.Address, "--include", "Spf" }.Concat(s_fast).ToArray());
            Assert.Equal(1, stdin.ExitCode);
            Assert.Equal(new[] { "Ok", "InvalidInput" }, stdin.JsonLines.Select(l => l.GetProperty("Status").GetString()));

            Assert.Equal(2, CliRunner.Run(null, "audit", "x.txt", "--include", "Spf,Nope").ExitCode);
            Assert.Equal(2, CliRunner.Run(null, "audit", "x.txt", "--throttle", "0").ExitCode);
            Assert.Equal(2, CliRunner.Run(null, "audit", "x.txt", "--time-budget", "0").ExitCode);
            Assert.Equal(2, CliRunner.Run(null, "audit", "x.txt", "--include", "Spf", "--exclude", "spf").ExitCode);
            Assert.Equal(2, CliRunner.Run(null, "audit", "x.txt", "--selector", "bad selector").ExitCode);
            CliResult missing = CliRunner.Run(null, "audit", Path.Combine(_dir, "missing.txt"));
            Assert.Equal(1, missing.ExitCode);
            Assert.Contains("missing.txt", missing.Stderr, StringComparison.Ordinal);
        }

        [Fact]
        public async System.Threading.Tasks.Task Ctrl_c_stops_cleanly_with_every_started_domain_written_and_the_csv_closed()
        {
            // Slow answers so the run is still going when the signal comes.
            var zone = new DnsZone { DefaultLatency = TimeSpan.FromMilliseconds(400) };
            var names = Enumerable.Range(0, 300).Select(i => "s" + i.ToString(CultureInfo.InvariantCulture) + ".slow.example").ToList();
            foreach (string n in names)
            {
                zone.AddTxt(n, "v=spf1 -all");
            }

            using LoopbackDnsServer slow = LoopbackDnsServer.Start(zone);
            string input = Path.Combine(_dir, "slow.txt");
            File.WriteAllLines(input, names);
            string csv = Path.Combine(_dir, "slow.csv");
            using Process process = CliRunner.Start("audit", input, "--csv", csv, "--json", "--include", "Spf", "--throttle", "4", "--server", slow.Address, "--timeout", "5");
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();

            // Wait for the first rows in the CSV (it is flushed per row), then interrupt.
            var wait = Stopwatch.StartNew();
            while (wait.Elapsed < TimeSpan.FromSeconds(60) && (!File.Exists(csv) || ReadShared(csv).Split("\r\n").Length < 4))
            {
                await System.Threading.Tasks.Task.Delay(50);
            }

            using (Process kill = Process.Start("kill", new[] { "-INT", process.Id.ToString(CultureInfo.InvariantCulture) })!)
            {
                kill.WaitForExit();
            }

            // The whole run would take about 30 s (300 domains, 4 at a time, 400 ms each).
            var stopping = Stopwatch.StartNew();
            Assert.True(process.WaitForExit(60_000), "mailauth did not stop after SIGINT");
            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(15), "stopping took " + stopping.Elapsed);
            string err = await stderr;
            Assert.True(process.ExitCode == 1, "exit " + process.ExitCode + " " + err);
            Assert.Contains("stopping", err, StringComparison.Ordinal);

            string[] json = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            List<string[]> rows = ReadCsv(File.ReadAllText(csv));
            Assert.Equal(json.Length, rows.Count - 1);

            // Every domain read before the signal still has its row, in order: the finished ones
            // as they were, the rest LookupFailed saying they were cancelled (never "no record").
            int statusColumn = Array.IndexOf(rows[0], "Status");
            int errorColumn = Array.IndexOf(rows[0], "ErrorMessage");
            Assert.Equal(names.Take(rows.Count - 1), rows.Skip(1).Select(r => r[0]));
            Assert.Equal("Ok", rows[1][statusColumn]);
            Assert.Equal("LookupFailed", rows[rows.Count - 1][statusColumn]);
            Assert.Contains("cancelled", rows[rows.Count - 1][errorColumn], StringComparison.Ordinal);
            Assert.All(rows.Skip(1), r => Assert.True(r[statusColumn] == "Ok" || (r[statusColumn] == "LookupFailed" && r[errorColumn].Contains("cancelled", StringComparison.Ordinal)), string.Join(",", r)));
            Assert.Contains("stopped", err, StringComparison.Ordinal);
        }

        [Fact]
        public async System.Threading.Tasks.Task Progress_goes_to_standard_error_only_when_it_is_a_terminal()
        {
            if (!File.Exists("/usr/bin/script"))
            {
                // util-linux script(1) gives the child a terminal; without it there is nothing to run this on.
                Assert.Fail("/usr/bin/script (util-linux) is needed to give mailauth a terminal.");
            }

            var zone = new DnsZone { DefaultLatency = TimeSpan.FromMilliseconds(300) };
            var names = Enumerable.Range(0, 16).Select(i => "p" + i.ToString(CultureInfo.InvariantCulture) + ".progress.example").ToList();
            foreach (string n in names)
            {
                zone.AddTxt(n, "v=spf1 -all");
            }

            using LoopbackDnsServer slow = LoopbackDnsServer.Start(zone);
            string input = Path.Combine(_dir, "progress.txt");
            string output = Path.Combine(_dir, "progress.jsonl");
            File.WriteAllLines(input, names);

            // Standard error (and input) on a pseudo-terminal, standard output to a file.
            string inner = $"dotnet '{CliRunner.CliPath}' audit '{input}' --json --include Spf --throttle 2 --server {slow.Address} > '{output}'";
            var start = new ProcessStartInfo("/usr/bin/script") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in new[] { "-qec", inner, "/dev/null" })
            {
                start.ArgumentList.Add(a);
            }

            using Process process = Process.Start(start)!;
            string terminal = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, "exit " + process.ExitCode + ": " + terminal);

            // Rate and ETA on the terminal, redrawn in place (carriage returns), nothing on stdout.
            Assert.Matches(@"\d+ of 16 domains, \d+\.\d/s, \d+ running, ETA ", terminal);
            Assert.Contains("\r", terminal, StringComparison.Ordinal);
            string[] lines = File.ReadAllLines(output);
            Assert.Equal(names, lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("Domain").GetString()));
        }

        /// <summary>The column list docs/cli.md gives under "CSV columns", so the docs and the file agree.</summary>
        private static string[] DocumentedCsvColumns()
        {
            string docs = File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "docs", "cli.md"));
            int section = docs.IndexOf("### CSV columns", StringComparison.Ordinal);
            int start = docs.IndexOf("in this order:", section, StringComparison.Ordinal);
            int end = docs.IndexOf("\n\n", start + 20, StringComparison.Ordinal);
            Assert.True(section > 0 && start > 0 && end > start, "docs/cli.md has no CSV column list");
            return System.Text.RegularExpressions.Regex.Matches(docs.Substring(start, end - start), "`([A-Za-z]+)`").Select(m => m.Groups[1].Value).ToArray();
        }

        private static string ReadShared(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }

        /// <summary>A small RFC 4180 reader: quoted fields with doubled quotes, commas and line breaks inside.</summary>
        internal static List<string[]> ReadCsv(string text)
        {
            var rows = new List<string[]>();
            var row = new List<string>();
            var field = new StringBuilder();
            bool quoted = false;
            int i = 0;
            while (i < text.Length)
            {
                char c = text[i];
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        quoted = false;
                    }
                    else
                    {
                        field.Append(c);
                    }
                }
                else if (c == '"' && field.Length == 0)
                {
                    quoted = true;
                }
                else if (c == ',')
                {
                    row.Add(field.ToString());
                    field.Clear();
                }
                else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    row.Add(field.ToString());
                    field.Clear();
                    rows.Add(row.ToArray());
                    row.Clear();
                    i += 2;
                    continue;
                }
                else
                {
                    Assert.True(c != '\n' && c != '"', $"unquoted {(c == '\n' ? "LF" : "quote")} at {i}");
                    field.Append(c);
                }

                i++;
            }

            Assert.False(quoted, "unterminated quoted field");
            Assert.True(field.Length == 0 && row.Count == 0, "the last record must end with CRLF");
            return rows;
        }
    }
}
