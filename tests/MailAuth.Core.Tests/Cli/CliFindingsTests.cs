using System.Linq;
using System.Text.Json;
using MailAuth.Findings;

namespace MailAuth.Core.Tests.Cli
{
    /// <summary>mailauth findings: the catalog, as Get-MailAuthFinding lists it.</summary>
    public sealed class CliFindingsTests
    {
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
