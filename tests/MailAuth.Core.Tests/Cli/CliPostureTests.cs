using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Cli
{
    /// <summary>mailauth dkim | bimi | mta-sts | tls-rpt | mx over a loopback zone, and header --verify.</summary>
    public sealed class CliPostureTests : IDisposable
    {
        private readonly LoopbackDnsServer _server;
        private readonly string _key2048;

        public CliPostureTests()
        {
            using RSA rsa = RSA.Create(2048);
            _key2048 = Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
            using RSA small = RSA.Create(1024);
            string key1024 = Convert.ToBase64String(small.ExportSubjectPublicKeyInfo());
            _server = LoopbackDnsServer.Start(new DnsZone()
                .AddTxt("sel1._domainkey.dk.example", "v=DKIM1; k=rsa; t=y; p=" + _key2048)
                .AddTxt("old._domainkey.dk.example", "v=DKIM1; k=rsa; p=" + key1024)
                .AddFault("sel1._domainkey.broken.example", DnsFault.ServFail)
                .AddTxt("default._bimi.b.example", "v=BIMI1; l=https://b.example/logo.svg; a=https://b.example/vmc.pem")
                .AddTxt("_dmarc.b.example", "v=DMARC1; p=reject")
                .AddTxt("default._bimi.weak.example", "v=BIMI1; l=https://weak.example/logo.svg; a=https://weak.example/vmc.pem")
                .AddTxt("_dmarc.weak.example", "v=DMARC1; p=none")
                .AddTxt("_mta-sts.m.example", "v=STSv1; id=20261123")
                .Add("m.example", ZoneRecordType.MX, "10 mx1.m.example")
                .Add("m.example", ZoneRecordType.MX, "20 mx2.m.example")
                .Add("mx1.m.example", ZoneRecordType.A, "192.0.2.10")
                .Add("nullmx.example", ZoneRecordType.MX, "0 .")
                .AddTxt("_smtp._tls.t.example", "v=TLSRPTv1; rua=mailto:tls@t.example,https://t.example/tlsrpt")
                .AddFault("_smtp._tls.down.example", DnsFault.ServFail)
                .AddTxt("s12.cpanel-host.example.org", "v=spf1 ip4:203.0.113.45 -all")
                .AddTxt("_dmarc.example.com", "v=DMARC1; p=quarantine")
                .AddTxt("s12.cpanel-host.example.net", "v=spf1 -all"));
        }

        public void Dispose() => _server.Dispose();

        private CliResult Run(params string[] arguments) => CliRunner.Run(null, arguments.Concat(new[] { "--server", _server.Address, "--timeout", "3" }).ToArray());

        [Fact]
        public void Dkim_json_reports_key_size_testing_and_failed_selectors()
        {
            CliResult result = Run("dkim", "dk.example", "--selector", "sel1", "--selector", "old", "--selector", "none", "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            JsonElement report = Assert.Single(result.JsonLines);
            Assert.Equal("Found", report.GetProperty("Status").GetString());
            Assert.Equal("sel1;old", report.GetProperty("SelectorsFound").GetString());
            Assert.Equal(1024, report.GetProperty("SmallestRsaBits").GetInt32());
            JsonElement[] selectors = report.GetProperty("Selectors").EnumerateArray().ToArray();
            Assert.Equal(new[] { "sel1", "old", "none" }, selectors.Select(s => s.GetProperty("Selector").GetString()));
            Assert.Equal(2048, selectors[0].GetProperty("KeyBits").GetInt32());
            Assert.True(selectors[0].GetProperty("IsTesting").GetBoolean());
            Assert.Equal("NotFound", selectors[2].GetProperty("Status").GetString());
            Assert.Contains(report.GetProperty("Findings").EnumerateArray(), f => f.GetProperty("Id").GetString() == "DKIM-KEY-WEAK");

            CliResult failed = Run("dkim", "broken.example", "--selector", "sel1");
            Assert.Equal(1, failed.ExitCode);
            Assert.StartsWith("broken.example: LookupFailed", failed.Lines[0]);
        }

        [Fact]
        public void Dkim_human_output_names_each_selector_and_bad_input_is_exit_1()
        {
            CliResult result = Run("dkim", "dk.example", "not a domain", "--selector", "sel1");
            Assert.Equal(1, result.ExitCode);
            Assert.StartsWith("dk.example: Found", result.Lines[0]);
            Assert.Contains(result.Lines, l => l.StartsWith("sel1", StringComparison.Ordinal) && l.Contains("rsa 2048 bits", StringComparison.Ordinal) && l.Contains("testing", StringComparison.Ordinal));
            Assert.Contains(result.Lines, l => l.Contains("DKIM-TESTING", StringComparison.Ordinal));
            Assert.Contains("not a domain", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("(Parameter", result.Stderr, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("dkim")]
        [InlineData("mx")]
        [InlineData("tls-rpt")]
        [InlineData("bimi")]
        [InlineData("mta-sts")]
        [InlineData("dmarc")]
        [InlineData("spf", "record")]
        public void Every_domain_command_reads_and_refuses_names_as_the_cmdlets_do(string command, string? sub = null)
        {
            // The same message the cmdlets' error records carry (docs/domain-names.md).
            string[] inputs = { "d0..example", "192.0.2.1", "user@m.example" };
            CliResult result = Run((sub is null ? new[] { command } : new[] { command, sub }).Concat(inputs).Concat(new[] { "--json" }).ToArray());
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("mailauth: " + MailAuth.Names.DomainNameInput.Read("d0..example").Refusal, result.Stderr, StringComparison.Ordinal);
            Assert.Contains("mailauth: " + MailAuth.Names.DomainNameInput.Read("192.0.2.1").Refusal, result.Stderr, StringComparison.Ordinal);
            Assert.Contains("(rule EmptyLabel, RFC 1035 §2.3.1)", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("(rule IpAddress, RFC 5321 §4.1.3)", result.Stderr, StringComparison.Ordinal);
            JsonElement report = Assert.Single(result.JsonLines);
            Assert.Equal("m.example", report.GetProperty("Domain").GetString());
        }

        [Fact]
        public void Bimi_json_checks_the_dmarc_prerequisite()
        {
            CliResult result = Run("bimi", "b.example", "weak.example", "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            JsonElement[] reports = result.JsonLines;
            Assert.Equal(2, reports.Length);
            Assert.Equal("https://b.example/logo.svg", reports[0].GetProperty("Location").GetString());
            Assert.True(reports[0].GetProperty("IsValid").GetBoolean());
            Assert.True(reports[0].GetProperty("DmarcQualifies").GetBoolean());
            Assert.False(reports[1].GetProperty("DmarcQualifies").GetBoolean());
            Assert.Contains("BIMI-DMARC-NOT-ENFORCED", reports[1].GetProperty("FindingText").GetString(), StringComparison.Ordinal);

            CliResult human = Run("bimi", "b.example", "--selector", "other");
            Assert.True(human.ExitCode == 0, human.ToString());
            Assert.StartsWith("b.example: NotFound", human.Lines[0]);
            Assert.Contains("other._bimi.b.example", human.Lines[0], StringComparison.Ordinal);
        }

        [Fact]
        public void Mta_sts_json_without_fetching_reads_the_record_only()
        {
            CliResult result = Run("mta-sts", "m.example", "t.example", "--no-fetch", "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            JsonElement[] reports = result.JsonLines;
            Assert.Equal("Found", reports[0].GetProperty("Status").GetString());
            Assert.Equal("20261123", reports[0].GetProperty("Id").GetString());
            Assert.Equal("NotFetched", reports[0].GetProperty("FetchStatus").GetString());
            Assert.Equal("https://mta-sts.m.example/.well-known/mta-sts.txt", reports[0].GetProperty("PolicyUrl").GetString());
            Assert.Equal("NotFound", reports[1].GetProperty("Status").GetString());

            CliResult human = Run("mta-sts", "m.example", "--no-fetch");
            Assert.StartsWith("m.example: Found", human.Lines[0]);
            Assert.Contains(human.Lines, l => l.StartsWith("policy", StringComparison.Ordinal) && l.Contains("NotFetched", StringComparison.Ordinal));
        }

        [Fact]
        public void Tls_rpt_json_and_a_failed_lookup_is_exit_1_never_not_found()
        {
            CliResult result = Run("tls-rpt", "t.example", "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            JsonElement report = Assert.Single(result.JsonLines);
            Assert.True(report.GetProperty("IsValid").GetBoolean());
            Assert.Equal("mailto:tls@t.example;https://t.example/tlsrpt", report.GetProperty("ReportUriText").GetString());

            CliResult failed = Run("tls-rpt", "down.example", "t.example", "--json");
            Assert.Equal(1, failed.ExitCode);
            Assert.Equal(new[] { "LookupFailed", "Found" }, failed.JsonLines.Select(j => j.GetProperty("Status").GetString()));
        }

        [Fact]
        public void Mx_json_human_and_no_host_lookup()
        {
            CliResult result = Run("mx", "m.example", "nullmx.example", "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            JsonElement[] reports = result.JsonLines;
            Assert.Equal("10 mx1.m.example;20 mx2.m.example", reports[0].GetProperty("HostText").GetString());
            JsonElement[] hosts = reports[0].GetProperty("Hosts").EnumerateArray().ToArray();
            Assert.Equal("Resolves", hosts[0].GetProperty("Resolution").GetString());
            Assert.Equal("192.0.2.10", hosts[0].GetProperty("Addresses")[0].GetString());
            Assert.Equal("DoesNotResolve", hosts[1].GetProperty("Resolution").GetString());
            Assert.True(reports[1].GetProperty("IsNullMx").GetBoolean());

            CliResult noHosts = Run("mx", "m.example", "--no-host-lookup", "--json");
            Assert.All(Assert.Single(noHosts.JsonLines).GetProperty("Hosts").EnumerateArray(), h => Assert.Equal("NotChecked", h.GetProperty("Resolution").GetString()));

            CliResult human = Run("mx", "m.example");
            Assert.StartsWith("m.example: Found", human.Lines[0]);
            Assert.Contains(human.Lines, l => l.StartsWith("10 mx1.m.example", StringComparison.Ordinal) && l.Contains("192.0.2.10", StringComparison.Ordinal));
            Assert.Contains(human.Lines, l => l.Contains("MX-HOST-NOT-RESOLVING", StringComparison.Ordinal));
        }

        [Fact]
        public void Header_verify_shows_spf_now_pass_and_dmarc_now_fail_beside_the_recorded_verdicts()
        {
            string sample = Path.Combine("samples", "phish-spf-pass-unaligned.txt");
            CliResult json = Run("header", sample, "--verify", "--json");
            Assert.True(json.ExitCode == 0, json.ToString());
            JsonElement report = Assert.Single(json.JsonLines);
            JsonElement v = report.GetProperty("Verification");
            Assert.Equal("pass", v.GetProperty("SpfNow").GetString());
            Assert.Equal("pass", v.GetProperty("SpfRecorded").GetString());
            Assert.Equal("fail", v.GetProperty("DmarcNow").GetString());
            Assert.Equal("fail", v.GetProperty("DmarcRecorded").GetString());
            Assert.Equal("pass", report.GetProperty("SpfNow").GetString());
            Assert.Equal("s12.cpanel-host.example.org", v.GetProperty("Spf").GetProperty("Domain").GetString());
            Assert.Equal(0, v.GetProperty("Disagreements").GetInt32());

            CliResult human = Run("header", sample, "--verify");
            Assert.True(human.ExitCode == 0, human.ToString());
            string[] lines = human.Stdout.Split('\n');
            int now = Array.FindIndex(lines, l => l.StartsWith("Now (DNS)", StringComparison.Ordinal));
            Assert.True(now > 0, human.Stdout);
            Assert.Contains(lines.Skip(now), l => l.StartsWith("  SPF ", StringComparison.Ordinal) && l.Contains("pass", StringComparison.Ordinal));
            string dmarc = lines.Skip(now).First(l => l.StartsWith("  DMARC ", StringComparison.Ordinal));
            Assert.Equal("fail", dmarc.Substring(12, 14).Trim());
            Assert.Contains("Disagreements: none", human.Stdout, StringComparison.Ordinal);

            // Without --verify no DNS is asked and no such section is printed.
            CliResult plain = CliRunner.Run(null, "header", sample);
            Assert.DoesNotContain("Now (DNS)", plain.Stdout, StringComparison.Ordinal);
            Assert.Equal(2, CliRunner.Run(null, "header", sample, "--server", _server.Address).ExitCode);
        }

        [Fact]
        public void Header_verify_lists_a_disagreement_when_the_record_changed()
        {
            // The same message, with the envelope domain moved to a name whose record now fails the IP.
            string text = File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "samples", "phish-spf-pass-unaligned.txt"))
                .Replace("s12.cpanel-host.example.org", "s12.cpanel-host.example.net", StringComparison.Ordinal);
            CliResult result = CliRunner.Run(text, "header", "-", "--verify", "--server", _server.Address, "--timeout", "3");
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("Disagreements: 1", result.Stdout, StringComparison.Ordinal);
            Assert.Contains(result.Stdout.Split('\n'), l => l.Contains("SPF", StringComparison.Ordinal) && l.Contains("recorded pass, now fail", StringComparison.Ordinal));
        }
    }
}
