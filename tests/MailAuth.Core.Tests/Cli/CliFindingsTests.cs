using System;
using System.Linq;
using System.Text.Json;
using MailAuth.Findings;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Cli
{
    /// <summary>mailauth findings: the catalog, as Get-MailAuthFinding lists it.</summary>
    public sealed class CliFindingsTests : IDisposable
    {
        private readonly LoopbackDnsServer _server = LoopbackDnsServer.Start(new DnsZone()
            .AddTxt("open.example", "v=spf1 ptr +all")
            .AddTxt("_dmarc.open.example", "v=DMARC1; p=none"));

        public void Dispose() => _server.Dispose();

        [Fact]
        public void Finding_severity_changes_and_silences_findings_of_any_command()
        {
            CliResult plain = CliRunner.Run(null, "spf", "record", "open.example", "--server", _server.Address, "--json");
            Assert.True(plain.ExitCode == 0, plain.ToString());
            JsonElement[] findings = Assert.Single(plain.JsonLines).GetProperty("Findings").EnumerateArray().ToArray();
            Assert.Contains(findings, f => f.GetProperty("Id").GetString() == "SPF-ALL-PASS" && f.GetProperty("Severity").GetString() == "Error");

            CliResult quiet = CliRunner.Run(null, "spf", "record", "open.example", "--server", _server.Address, "--json",
                "--finding-severity", "SPF-ALL-PASS=Off", "--finding-severity", "spf-p*=Error");
            Assert.True(quiet.ExitCode == 0, quiet.ToString());
            JsonElement[] left = Assert.Single(quiet.JsonLines).GetProperty("Findings").EnumerateArray().ToArray();
            Assert.DoesNotContain(left, f => f.GetProperty("Id").GetString() == "SPF-ALL-PASS");
            Assert.Contains(left, f => f.GetProperty("Id").GetString() == "SPF-PTR" && f.GetProperty("Severity").GetString() == "Error");

            CliResult dmarc = CliRunner.Run(null, "dmarc", "open.example", "--server", _server.Address, "--json", "--finding-severity", "DMARC-P-NONE=Information");
            Assert.True(dmarc.ExitCode == 0, dmarc.ToString());
            Assert.Contains(Assert.Single(dmarc.JsonLines).GetProperty("Findings").EnumerateArray(),
                f => f.GetProperty("Id").GetString() == "DMARC-P-NONE" && f.GetProperty("Severity").GetString() == "Information");
        }

        [Fact]
        public void A_wrong_finding_severity_is_a_usage_error_naming_it()
        {
            CliResult unknown = CliRunner.Run(null, "findings", "--finding-severity", "HDR-REPLY-TO-DIFFERS=Off");
            Assert.Equal(2, unknown.ExitCode);
            Assert.Contains("'HDR-REPLY-TO-DIFFERS' is not a finding id", unknown.Stderr);
            Assert.Contains("HDR-REPLYTO-DIFFERS", unknown.Stderr);

            CliResult severity = CliRunner.Run(null, "findings", "--finding-severity", "SPF-PTR=Critical");
            Assert.Equal(2, severity.ExitCode);
            Assert.Contains("'Critical' is not a finding severity", severity.Stderr);

            CliResult shape = CliRunner.Run(null, "findings", "--finding-severity", "SPF-PTR");
            Assert.Equal(2, shape.ExitCode);
            Assert.Contains("is not ID=SEVERITY", shape.Stderr);
        }

        [Fact]
        public void Findings_lists_the_whole_catalog_as_json_with_the_cmdlet_property_names()
        {
            CliResult result = CliRunner.Run(null, "findings", "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal(FindingCatalog.All.Count, result.JsonLines.Length);
            JsonElement first = result.JsonLines.First(l => l.GetProperty("Id").GetString() == "HDR-REPLYTO-DIFFERS");
            Assert.Equal("Warning", first.GetProperty("Severity").GetString());
            Assert.Equal("Headers", first.GetProperty("Area").GetString());
            Assert.Equal("RFC 5322 §3.6.2", first.GetProperty("Reference").GetString());
            Assert.EndsWith("findings.md#hdr-replyto-differs", first.GetProperty("HelpUri").GetString());
            Assert.False(first.TryGetProperty("SeverityCode", out _));
        }

        [Fact]
        public void Findings_takes_wildcards_and_areas_and_refuses_an_unknown_id()
        {
            CliResult spf = CliRunner.Run(null, "findings", "*-LOOKUP-FAILED", "--area", "Spf", "Mx");
            Assert.True(spf.ExitCode == 0, spf.ToString());
            Assert.Contains("SPF-LOOKUP-FAILED", spf.Stdout);
            Assert.Contains("MX-LOOKUP-FAILED", spf.Stdout);
            Assert.DoesNotContain("DMARC-LOOKUP-FAILED", spf.Stdout);

            CliResult unknown = CliRunner.Run(null, "findings", "HDR-NOPE", "SPF-PTR");
            Assert.Equal(1, unknown.ExitCode);
            Assert.Contains("'HDR-NOPE' is not a finding id", unknown.Stderr);
            Assert.Contains("SPF-PTR", unknown.Stdout);
        }
    }
}
