using System;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace MailAuth.Core.Tests.Cli
{
    /// <summary>mailauth header: the samples, standard input, mbox, bad input.</summary>
    public sealed class CliHeaderTests
    {
        private static string Sample(string name) => Path.Combine("samples", name);

        // Expected values are what each sample's own fields say (From, the edge Received field, the
        // receiver's Authentication-Results), read from the files, not from our output.
        [Theory]
        [InlineData("phish-spf-pass-unaligned.txt", "noreply@example.com", "203.0.113.45", "pass", "fail")]
        [InlineData("m365-clean-inbound.txt", "invoices@example.com", "198.51.100.25", "pass", "pass")]
        [InlineData("gmail-to-exchange-arc.txt", "alice@example.org", "198.51.100.54", "pass", "pass")]
        [InlineData("mailing-list-dkim-broken.txt", "carol@example.com", "203.0.113.80", "pass", "fail")]
        [InlineData("spoof-dmarc-reject.txt", "ceo@example.com", "203.0.113.200", "fail", "fail")]
        public void Each_sample_gives_one_json_report_with_the_report_property_names(string file, string from, string clientIp, string spf, string dmarc)
        {
            CliResult result = CliRunner.Run(null, "header", Sample(file), "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            JsonElement report = Assert.Single(result.JsonLines);
            Assert.Equal(from, report.GetProperty("FromAddress").GetString());
            Assert.Equal(clientIp, report.GetProperty("ClientIP").GetString());
            Assert.Equal(spf, report.GetProperty("Spf").GetString());
            Assert.Equal(dmarc, report.GetProperty("Dmarc").GetString());

            // Nested detail serialized too: hops with dates, findings with severities as names, headers.
            JsonElement hops = report.GetProperty("Hops");
            Assert.Equal(report.GetProperty("HopCount").GetInt32(), hops.GetArrayLength());
            Assert.Contains(hops.EnumerateArray(), h => h.GetProperty("IsEdge").GetBoolean() && h.GetProperty("FromIp").GetString() == clientIp);
            Assert.True(hops.EnumerateArray().All(h => h.GetProperty("Timestamp").ValueKind == JsonValueKind.String));
            DateTimeOffset.Parse(report.GetProperty("Date").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(report.GetProperty("FindingCount").GetInt32(), report.GetProperty("Findings").GetArrayLength());
            Assert.All(report.GetProperty("Findings").EnumerateArray(),
                f => Assert.Contains(f.GetProperty("Severity").GetString(), new[] { "Information", "Warning", "Error" }));
            Assert.True(report.GetProperty("Headers").GetArrayLength() > 10);
            Assert.Equal(JsonValueKind.Array, report.GetProperty("AuthenticationResults").ValueKind);
            Assert.Equal(JsonValueKind.Array, report.GetProperty("Stamps").ValueKind);
        }

        [Theory]
        [InlineData("phish-spf-pass-unaligned.txt", "noreply@example.com", "203.0.113.45")]
        [InlineData("m365-clean-inbound.txt", "invoices@example.com", "198.51.100.25")]
        [InlineData("gmail-to-exchange-arc.txt", "alice@example.org", "198.51.100.54")]
        [InlineData("mailing-list-dkim-broken.txt", "carol@example.com", "203.0.113.80")]
        [InlineData("spoof-dmarc-reject.txt", "ceo@example.com", "203.0.113.200")]
        public void Each_sample_reads_as_a_verdict_in_100_columns(string file, string from, string clientIp)
        {
            CliResult result = CliRunner.Run(null, "header", Sample(file));
            Assert.True(result.ExitCode == 0, result.ToString());
            string[] lines = result.Stdout.Split('\n');
            Assert.StartsWith("Verdict", lines[1]);
            Assert.Contains(lines, l => l.StartsWith("From ", StringComparison.Ordinal) && l.Contains(from, StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("Client ", StringComparison.Ordinal) && l.Contains(clientIp, StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("  SPF ", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("Hops", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("Findings", StringComparison.Ordinal));
            Assert.All(lines, l => Assert.True(l.Length <= 100, $"line over 100 columns: {l}"));
        }

        [Fact]
        public void The_seeds_case_verdict_names_the_unaligned_spf_pass_first()
        {
            CliResult result = CliRunner.Run(null, "header", Sample("phish-spf-pass-unaligned.txt"));
            Assert.True(result.ExitCode == 0, result.ToString());
            string[] lines = result.Stdout.Split('\n');
            Assert.Contains("SUSPECT", lines[1]);

            // The verdict's first reason is the unaligned pass, and it names both domains.
            string firstReason = string.Join(" ", lines.Skip(2).TakeWhile(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith("- The", StringComparison.Ordinal)).Select(l => l.Trim()));
            Assert.Contains("s12.cpanel-host.example.org", firstReason);
            Assert.Contains("example.com", firstReason);
            Assert.Contains(lines, l => l.Contains("error", StringComparison.Ordinal) && l.Contains("HDR-SPF-UNALIGNED", StringComparison.Ordinal));

            // The edge hop is marked on the hop that came from the hosting provider's address.
            Assert.Contains(lines, l => l.Contains("203.0.113.45", StringComparison.Ordinal) && l.TrimEnd().EndsWith("edge", StringComparison.Ordinal));

            CliResult json = CliRunner.Run(null, "header", Sample("phish-spf-pass-unaligned.txt"), "--json");
            JsonElement report = Assert.Single(json.JsonLines);
            Assert.StartsWith("HDR-SPF-UNALIGNED", report.GetProperty("TopFinding").GetString());
            Assert.Equal("webmaster@s12.cpanel-host.example.org", report.GetProperty("XSender").GetString());
        }

        [Fact]
        public void Standard_input_is_read_with_a_dash()
        {
            string paste = File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "samples", "spoof-dmarc-reject.txt"));
            CliResult result = CliRunner.Run(paste, "header", "-", "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            JsonElement report = Assert.Single(result.JsonLines);
            Assert.Equal("ceo@example.com", report.GetProperty("FromAddress").GetString());
            Assert.Equal("stdin", report.GetProperty("Source").GetString());

            CliResult human = CliRunner.Run(paste, "header", "-");
            Assert.Equal(0, human.ExitCode);
            Assert.Contains("HDR-DMARC-FAIL", human.Stdout);
        }

        [Fact]
        public void An_mbox_gives_one_report_per_message_and_trust_options_apply()
        {
            string a = File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "samples", "spoof-dmarc-reject.txt"));
            string b = File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "samples", "m365-clean-inbound.txt")).Replace("\r\n", "\n");
            string mbox = "From sender@example.org Mon Nov 16 09:00:00 2026\n" + a.TrimEnd() + "\n\nbody one\n\n"
                + "From other@example.org Mon Nov 16 10:00:00 2026\n" + b.TrimEnd() + "\n";
            string path = Path.Combine(Path.GetTempPath(), "mailauth-cli-" + Guid.NewGuid().ToString("N") + ".mbox");
            File.WriteAllText(path, mbox);
            try
            {
                CliResult result = CliRunner.Run(null, "header", path, "--json");
                Assert.True(result.ExitCode == 0, result.ToString());
                Assert.Equal(2, result.JsonLines.Length);
                Assert.Equal("ceo@example.com", result.JsonLines[0].GetProperty("FromAddress").GetString());
                Assert.Equal("invoices@example.com", result.JsonLines[1].GetProperty("FromAddress").GetString());
                Assert.Equal(2, result.JsonLines[1].GetProperty("MessageNumber").GetInt32());

                // A message without any header field inside the mbox: reported, and exit code 1.
                File.AppendAllText(path, "\nFrom third@example.org Mon Nov 16 11:00:00 2026\nno fields in this one\n");
                CliResult withEmpty = CliRunner.Run(null, "header", path, "--json");
                Assert.Equal(1, withEmpty.ExitCode);
                Assert.Equal(3, withEmpty.JsonLines.Length);
                Assert.Contains(withEmpty.JsonLines[2].GetProperty("Findings").EnumerateArray(), f => f.GetProperty("Id").GetString() == "HDR-NO-HEADER-FIELDS");

                // Trusting only an authserv-id that wrote nothing: no recorded verdicts are believed.
                CliResult trusted = CliRunner.Run(null, "header", Sample("spoof-dmarc-reject.txt"), "--json", "--trusted-authserv-id", "nobody.example.net",
                    "--receiving-domain", "example.org");
                JsonElement report = Assert.Single(trusted.JsonLines);
                Assert.Contains("example.org", report.GetProperty("ReceivingDomains").EnumerateArray().Select(e => e.GetString()));
                Assert.Equal(JsonValueKind.Null, report.GetProperty("Dmarc").ValueKind);
                Assert.Contains("nobody.example.net", report.GetProperty("TrustedAuthServIds").EnumerateArray().Select(e => e.GetString()));
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void A_missing_file_is_exit_code_1_naming_it_and_the_other_files_are_still_reported()
        {
            CliResult result = CliRunner.Run(null, "header", "samples/no-such-message.eml", Sample("spoof-dmarc-reject.txt"));
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("samples/no-such-message.eml", result.Stderr);
            Assert.Contains("Verdict", result.Stdout);
        }

        [Fact]
        public void Input_without_header_fields_is_exit_code_1_and_no_file_is_usage()
        {
            CliResult garbage = CliRunner.Run("just some words\nand more words\n", "header", "-");
            Assert.Equal(1, garbage.ExitCode);
            Assert.Contains("standard input", garbage.Stderr);
            Assert.Equal(string.Empty, garbage.Stdout);

            CliResult usage = CliRunner.Run(null, "header");
            Assert.Equal(2, usage.ExitCode);
        }

        [Fact]
        public void A_padded_header_shows_a_bounded_hop_table_and_json_keeps_every_hop()
        {
            var paste = new System.Text.StringBuilder();
            for (int i = 60; i >= 1; i--)
            {
                paste.Append("Received: from relay").Append(i).Append(".example.org ([198.51.100.").Append(i)
                    .Append("]) by relay").Append(i + 1).Append(".example.org with ESMTP; Mon, 16 Nov 2026 09:")
                    .Append((i % 60).ToString("00", System.Globalization.CultureInfo.InvariantCulture)).Append(":00 +0000\n");
            }

            paste.Append("From: a@example.org\nSubject: loop\n");
            CliResult human = CliRunner.Run(paste.ToString(), "header", "-");
            Assert.True(human.ExitCode == 0, human.ToString());
            Assert.Contains("20 hops not shown", human.Stdout);
            Assert.Contains("relay60.example.org", human.Stdout);
            Assert.DoesNotContain("relay30.example.org ", human.Stdout);

            CliResult json = CliRunner.Run(paste.ToString(), "header", "-", "--json");
            Assert.Equal(60, Assert.Single(json.JsonLines).GetProperty("Hops").GetArrayLength());
        }
    }
}
