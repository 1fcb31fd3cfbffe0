using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Cli
{
    /// <summary>mailauth spf record / check / check --batch against zones on the loopback server.</summary>
    public sealed class CliSpfTests : IDisposable
    {
        private readonly LoopbackDnsServer _server;

        public CliSpfTests()
        {
            var zone = new DnsZone()
                // A three-level tree: pass.example -> _spf.pass.example -> _deep.pass.example (a:mail.pass.example).
                .AddTxt("pass.example", "v=spf1 ip4:192.0.2.0/24 include:_spf.pass.example -all")
                .AddTxt("_spf.pass.example", "v=spf1 ip4:198.51.100.0/24 include:_deep.pass.example ~all")
                .AddTxt("_deep.pass.example", "v=spf1 a:mail.pass.example -all")
                .Add("mail.pass.example", ZoneRecordType.A, "203.0.113.5")
                .AddTxt("soft.example", "v=spf1 ip4:192.0.2.0/24 ~all")
                .AddTxt("fail.example", "v=spf1 ip4:192.0.2.0/24 -all exp=why.fail.example")
                .AddTxt("why.fail.example", "%{i} may not send for %{d}")
                .AddTxt("broken.example", "v=spf1 include:missing.example ip4:192.0.2.0/24 -all")
                .AddTxt("helo.example", "v=spf1 ip4:192.0.2.77 -all")
                .AddTxt("syntax.example", "v=spf1 ip4:192.0.2.0/33 -all")
                .AddTxt("slow.example", "v=spf1 ip4:192.0.2.0/24 -all")
                .SetLatency("slow.example", TimeSpan.FromMilliseconds(300));

            // Eleven includes: one DNS-querying term over the RFC 7208 §4.6.4 limit of ten.
            var includes = new StringBuilder("v=spf1");
            for (int i = 1; i <= 11; i++)
            {
                includes.Append(" include:i").Append(i).Append(".limit.example");
                zone.AddTxt("i" + i + ".limit.example", "v=spf1 ip4:10.0.0." + i + " -all");
            }

            zone.AddTxt("limit.example", includes.Append(" -all").ToString());
            _server = LoopbackDnsServer.Start(zone);
        }

        public void Dispose() => _server.Dispose();

        private CliResult Spf(string? stdin, params string[] arguments) =>
            CliRunner.Run(stdin, new[] { "spf" }.Concat(arguments).Concat(new[] { "--server", _server.Address, "--timeout", "2" }).ToArray());

        [Fact]
        public void Record_prints_the_include_tree_with_counts_and_broken_branches()
        {
            CliResult json = Spf(null, "record", "pass.example", "broken.example", "--json");
            Assert.True(json.ExitCode == 0, json.ToString());
            Assert.Equal(2, json.JsonLines.Length);
            JsonElement pass = json.JsonLines[0];
            Assert.Equal("Found", pass.GetProperty("Status").GetString());
            // include, include, a: three DNS-querying terms through the tree.
            Assert.Equal(3, pass.GetProperty("DnsLookupCount").GetInt32());
            // The tree is flat, in the order check_host() reaches it, each node with its Depth and Parent.
            JsonElement[] tree = pass.GetProperty("IncludeTree").EnumerateArray().ToArray();
            Assert.Equal(new[] { "pass.example", "_spf.pass.example", "_deep.pass.example" }, tree.Select(n => n.GetProperty("Domain").GetString()));
            Assert.Equal(new[] { 0, 1, 2 }, tree.Select(n => n.GetProperty("Depth").GetInt32()));
            Assert.Equal(JsonValueKind.Null, tree[0].GetProperty("Parent").ValueKind);
            Assert.Equal("pass.example", tree[1].GetProperty("Parent").GetString());
            Assert.Equal("_spf.pass.example", tree[2].GetProperty("Parent").GetString());
            Assert.Equal(2, tree[1].GetProperty("TotalLookupCount").GetInt32());

            JsonElement broken = json.JsonLines[1];
            Assert.Contains(broken.GetProperty("Errors").EnumerateArray(), e => e.GetProperty("Id").GetString() == "SPF-INCLUDE-NO-SPF");

            CliResult human = Spf(null, "record", "pass.example", "broken.example");
            Assert.True(human.ExitCode == 0, human.ToString());
            string[] lines = human.Stdout.Split('\n');
            Assert.StartsWith("pass.example: Found", lines[0]);
            Assert.Contains(lines, l => l.Contains("└─ include:_spf.pass.example", StringComparison.Ordinal) && l.Contains("Found", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("   └─ include:_deep.pass.example", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("include:missing.example", StringComparison.Ordinal) && l.Contains("NotFound", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("SPF-INCLUDE-NO-SPF", StringComparison.Ordinal));
        }

        [Fact]
        public void Record_over_the_lookup_limit_names_the_crossing_and_a_failed_lookup_is_exit_1()
        {
            CliResult json = Spf(null, "record", "limit.example", "--json");
            Assert.True(json.ExitCode == 0, json.ToString());
            JsonElement report = Assert.Single(json.JsonLines);
            Assert.Equal(11, report.GetProperty("DnsLookupCount").GetInt32());
            Assert.True(report.GetProperty("LookupLimitExceeded").GetBoolean());
            Assert.Contains("i11.limit.example", report.GetProperty("LimitCrossedAt").GetString());
            Assert.Equal(11, report.GetProperty("IncludeTree").EnumerateArray().Count(n => n.GetProperty("Depth").GetInt32() == 1));
            Assert.Contains(report.GetProperty("Errors").EnumerateArray(), e => e.GetProperty("Id").GetString() == "SPF-LOOKUP-LIMIT");

            CliResult human = Spf(null, "record", "limit.example");
            Assert.Contains("11 of 10 DNS lookups (over the limit)", human.Stdout);
            Assert.Contains("SPF-LOOKUP-LIMIT", human.Stdout);

            // No server answers on this port: the lookup fails, which is exit code 1.
            CliResult failed = CliRunner.Run(null, "spf", "record", "pass.example", "--server", "127.0.0.1:9", "--timeout", "1", "--json");
            Assert.Equal(1, failed.ExitCode);
            Assert.Equal("LookupFailed", Assert.Single(failed.JsonLines).GetProperty("Status").GetString());
        }

        [Theory]
        // A pass through include is decided by the include mechanism of the checked record (RFC 7208
        // §5.2); the term that matched inside the included record shows in the trace.
        [InlineData("192.0.2.10", "user@pass.example", "Pass", "ip4:192.0.2.0/24", "ip4:192.0.2.0/24")]
        [InlineData("203.0.113.5", "user@pass.example", "Pass", "include:_spf.pass.example", "a:mail.pass.example")]
        [InlineData("198.51.100.1", "user@pass.example", "Pass", "include:_spf.pass.example", "ip4:198.51.100.0/24")]
        [InlineData("203.0.113.9", "user@soft.example", "SoftFail", "~all", "~all")]
        [InlineData("203.0.113.9", "user@fail.example", "Fail", "-all", "-all")]
        public void Check_json_carries_the_result_and_the_header_texts(string ip, string sender, string expected, string mechanism, string innerTerm)
        {
            CliResult result = Spf(null, "check", "--ip", ip, "--sender", sender, "--helo", "mta.example.org", "--receiver", "mx.example.net", "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            JsonElement r = Assert.Single(result.JsonLines);
            Assert.Equal(expected, r.GetProperty("Result").GetString());
            Assert.Equal(mechanism, r.GetProperty("MatchedMechanism").GetString());
            Assert.Equal("MailFrom", r.GetProperty("Identity").GetString());
            Assert.Equal(ip, r.GetProperty("Address").GetString());
            Assert.All(r.GetProperty("Trace").EnumerateArray(), step => Assert.Equal(JsonValueKind.String, step.GetProperty("Dns").ValueKind));
            string keyword = expected.ToLowerInvariant();
            string domain = sender.Substring(sender.IndexOf('@') + 1);
            string receivedSpf = r.GetProperty("ReceivedSpf").GetString()!;
            Assert.StartsWith("Received-SPF: " + keyword + " (", receivedSpf);
            Assert.Contains("client-ip=" + ip + ";", receivedSpf);
            Assert.Contains("helo=mta.example.org;", receivedSpf);
            Assert.Contains("receiver=mx.example.net;", receivedSpf);
            Assert.Equal("spf=" + keyword + " smtp.mailfrom=" + domain, r.GetProperty("AuthenticationResults").GetString());
            Assert.False(string.IsNullOrEmpty(r.GetProperty("Meaning").GetString()));
            Assert.Contains(r.GetProperty("Trace").EnumerateArray(),
                step => step.GetProperty("Term").GetString() == innerTerm && step.GetProperty("Outcome").GetString() == "match");
            if (expected == "Fail")
            {
                // exp= of fail.example, with its macros expanded (RFC 7208 §6.2).
                Assert.Equal(ip + " may not send for fail.example", r.GetProperty("Explanation").GetString());
                Assert.StartsWith("550 5.7.23 ", r.GetProperty("SmtpReply").GetString());
            }
        }

        [Fact]
        public void Check_human_output_shows_result_reason_and_headers()
        {
            CliResult result = Spf(null, "check", "--ip", "203.0.113.9", "--sender", "user@fail.example", "--verbose");
            Assert.True(result.ExitCode == 0, result.ToString());
            string[] lines = result.Stdout.Split('\n');
            Assert.StartsWith("fail  fail.example does not authorize 203.0.113.9", lines[0]);
            Assert.Contains(lines, l => l.StartsWith("  explanation  203.0.113.9 may not send for fail.example", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("  Received-SPF: fail", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("  Authentication-Results clause: spf=fail smtp.mailfrom=fail.example", StringComparison.Ordinal));
            Assert.Contains("trace", result.Stdout);
            // --verbose: the DNS queries on standard error.
            Assert.Contains("fail.example", result.Stderr);
        }

        [Fact]
        public void Check_evaluates_a_candidate_record_instead_of_the_published_one()
        {
            // Published: fail.example allows only 192.0.2.0/24. The candidate adds 203.0.113.0/24.
            CliResult candidate = Spf(null, "check", "--ip", "203.0.113.9", "--sender", "user@fail.example",
                "--record", "v=spf1 ip4:192.0.2.0/24 ip4:203.0.113.0/24 -all", "--json");
            Assert.True(candidate.ExitCode == 0, candidate.ToString());
            JsonElement r = Assert.Single(candidate.JsonLines);
            Assert.Equal("Pass", r.GetProperty("Result").GetString());
            Assert.Equal("ip4:203.0.113.0/24", r.GetProperty("MatchedMechanism").GetString());
            Assert.Equal("v=spf1 ip4:192.0.2.0/24 ip4:203.0.113.0/24 -all", r.GetProperty("Record").GetString());

            // A candidate with a syntax error is PermError, with the default explanation option unused.
            CliResult bad = Spf(null, "check", "--ip", "203.0.113.9", "--domain", "fail.example", "--record", "v=spf1 ip4:192.0.2.0/33 -all", "--json");
            JsonElement e = Assert.Single(bad.JsonLines);
            Assert.Equal("PermError", e.GetProperty("Result").GetString());
            Assert.Contains("/33", e.GetProperty("Reason").GetString());

            // --default-explanation explains a Fail without exp=.
            CliResult custom = Spf(null, "check", "--ip", "203.0.113.9", "--sender", "user@soft.example",
                "--record", "v=spf1 -all", "--default-explanation", "see https://%{d}/spf for %{i}", "--json");
            Assert.Equal("see https://soft.example/spf for 203.0.113.9", Assert.Single(custom.JsonLines).GetProperty("Explanation").GetString());
        }

        [Fact]
        public void Check_of_the_helo_identity_reports_smtp_helo()
        {
            // MAIL FROM is at pass.example, but the HELO identity (RFC 7208 §2.3) checks helo.example alone.
            CliResult result = Spf(null, "check", "--ip", "192.0.2.77", "--sender", "user@pass.example", "--helo", "helo.example", "--identity", "Helo", "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            JsonElement r = Assert.Single(result.JsonLines);
            Assert.Equal("Pass", r.GetProperty("Result").GetString());
            Assert.Equal("spf=pass smtp.helo=helo.example", r.GetProperty("AuthenticationResults").GetString());
            Assert.Contains("identity=helo;", r.GetProperty("ReceivedSpf").GetString());

            CliResult batch = Spf("192.0.2.78\tuser@pass.example\thelo.example\n192.0.2.77\tuser@pass.example\n", "check", "--batch", "--identity", "Helo");
            Assert.Equal(new[] { "fail\t192.0.2.78 is not one of helo.example's designated mail servers.", "permerror\tline 2: no HELO to check (--identity Helo)" }, batch.Lines);
        }

        [Fact]
        public void Check_usage_and_input_errors_have_their_exit_codes()
        {
            Assert.Equal(2, Spf(null, "check", "--sender", "user@pass.example").ExitCode);
            CliResult badIp = Spf(null, "check", "--ip", "1.2.3", "--sender", "user@pass.example");
            Assert.Equal(1, badIp.ExitCode);
            Assert.Contains("1.2.3", badIp.Stderr);
            Assert.Equal(2, Spf("x\n", "check", "--batch", "--ip", "192.0.2.1").ExitCode);
        }

        [Fact]
        public void Batch_answers_every_line_in_input_order_with_malformed_lines_reported()
        {
            var input = new StringBuilder();
            var expected = new List<(string Result, string? Text)>();
            for (int i = 0; i < 200; i++)
            {
                int host = i % 250 + 1;
                switch (i % 10)
                {
                    case 0:
                        // Slow DNS at the front of each group: later lines finish first and must wait.
                        input.Append("192.0.2.").Append(host).Append("\tbounce@slow.example\tmta.slow.example\n");
                        expected.Add(("pass", null));
                        break;
                    case 1:
                        input.Append("203.0.113.").Append(host).Append("\tuser@fail.example\tmta.example.org\n");
                        expected.Add(("fail", $"203.0.113.{host} may not send for fail.example"));
                        break;
                    case 2:
                        input.Append("203.0.113.").Append(host).Append("\tuser@soft.example\n");
                        expected.Add(("softfail", null));
                        break;
                    case 3:
                        input.Append("198.51.100.").Append(host).Append("\tuser@pass.example\tmta.example.org\n");
                        expected.Add(("pass", null));
                        break;
                    case 4:
                        // Null reverse-path: postmaster@HELO is checked (RFC 7208 §2.4).
                        input.Append("192.0.2.77\t<>\thelo.example\n");
                        expected.Add(("pass", null));
                        break;
                    case 5:
                        input.Append("192.0.2.78\t\thelo.example\n");
                        expected.Add(("fail", "192.0.2.78 is not one of helo.example's designated mail servers."));
                        break;
                    case 6:
                        input.Append("not-an-ip\tuser@pass.example\tmta.example.org\n");
                        expected.Add(("permerror", $"line {i + 1}: 'not-an-ip' is not an IPv4 or IPv6 address"));
                        break;
                    case 7:
                        input.Append("192.0.2.1\tuser@syntax.example\tmta.example.org\n");
                        expected.Add(("permerror", null));
                        break;
                    case 8:
                        switch (i % 30)
                        {
                            case 8:
                                input.Append('\n');
                                expected.Add(("permerror", $"line {i + 1}: empty line; expected ip<TAB>mailfrom<TAB>helo"));
                                break;
                            case 18:
                                input.Append("192.0.2.1\ta\tb\tc\n");
                                expected.Add(("permerror", $"line {i + 1}: 4 tab-separated fields; expected ip<TAB>mailfrom<TAB>helo"));
                                break;
                            default:
                                input.Append("192.0.2.1\t<>\n");
                                expected.Add(("permerror", $"line {i + 1}: empty MAIL FROM and no HELO: nothing names a domain to check"));
                                break;
                        }

                        break;
                    default:
                        input.Append("2001:db8::1\tuser@nothing.example\tmta.example.org\r\n");
                        expected.Add(("none", null));
                        break;
                }
            }

            // --no-cache: every slow.example line really waits for its answer.
            CliResult result = Spf(input.ToString(), "check", "--batch", "--no-cache");
            Assert.True(result.ExitCode == 0, result.ToString());
            string[] lines = result.Stdout.Split('\n');
            Assert.Equal(string.Empty, lines[^1]);
            Assert.Equal(200, lines.Length - 1);
            for (int i = 0; i < 200; i++)
            {
                string[] parts = lines[i].Split('\t');
                Assert.True(parts.Length == 2, $"line {i + 1}: '{lines[i]}'");
                Assert.True(expected[i].Result == parts[0], $"line {i + 1}: expected {expected[i].Result}, got '{lines[i]}'");
                Assert.False(string.IsNullOrWhiteSpace(parts[1]));
                if (expected[i].Text != null)
                {
                    Assert.Equal(expected[i].Text, parts[1]);
                }
            }

            // Lines run concurrently: each slow.example answer takes 300 ms, so one line at a time could
            // never have a second slow.example query reach the server before the first was answered.
            DateTimeOffset[] slow = _server.Queries.Where(q => q.Name == "slow.example").Select(q => q.ReceivedAt).OrderBy(t => t).ToArray();
            Assert.True(slow.Length >= 2, "slow.example was asked " + slow.Length + " times");
            Assert.True(slow[1] - slow[0] < TimeSpan.FromMilliseconds(300), $"second slow.example query came {(slow[1] - slow[0]).TotalMilliseconds} ms after the first");
        }

        [Fact]
        public async Task Batch_answers_the_first_line_before_standard_input_is_closed()
        {
            using Process process = CliRunner.Start("spf", "check", "--batch", "--server", _server.Address, "--timeout", "2");
            try
            {
                process.StandardInput.Write("192.0.2.5\tuser@pass.example\tmta.example.org\n");
                process.StandardInput.Flush();
                Task<string?> first = process.StandardOutput.ReadLineAsync();
                Task done = await Task.WhenAny(first, Task.Delay(TimeSpan.FromSeconds(30)));
                Assert.True(done == first, "no answer within 30 s while standard input stayed open");
                Assert.StartsWith("pass\t", await first);

                process.StandardInput.Write("203.0.113.9\tuser@fail.example\tmta.example.org\n");
                process.StandardInput.Flush();
                Task<string?> second = process.StandardOutput.ReadLineAsync();
                Assert.True(await Task.WhenAny(second, Task.Delay(TimeSpan.FromSeconds(30))) == second, "no second answer");
                Assert.Equal("fail\t203.0.113.9 may not send for fail.example", await second);

                process.StandardInput.Close();
                Assert.Null(await process.StandardOutput.ReadLineAsync());
                Assert.True(process.WaitForExit(30_000));
                Assert.Equal(0, process.ExitCode);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }
            }
        }
    }
}
