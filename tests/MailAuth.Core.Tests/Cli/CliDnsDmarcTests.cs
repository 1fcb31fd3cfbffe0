using System;
using System.Linq;
using System.Text.Json;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Cli
{
    public sealed class CliDnsDmarcTests : IDisposable
    {
        private readonly LoopbackDnsServer _server;

        public CliDnsDmarcTests()
        {
            _server = LoopbackDnsServer.Start(new DnsZone()
                .AddTxt("example.com", "v=spf1 ", "-all")
                .AddFault("broken.example", DnsFault.ServFail)
                .AddTxt("_dmarc.contoso.com", "v=DMARC1; p=reject; rua=mailto:d@contoso.com")
                .Add("contoso.com", ZoneRecordType.A, "192.0.2.1"));
        }

        public void Dispose() => _server.Dispose();

        [Fact]
        public void Dns_json_has_the_cmdlet_property_names_one_object_per_line()
        {
            CliResult result = CliRunner.Run(null, "dns", "example.com", "nothing.example", "--server", _server.Address, "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            JsonElement[] lines = result.JsonLines;
            Assert.Equal(2, lines.Length);
            Assert.Equal("Found", lines[0].GetProperty("Status").GetString());
            Assert.Equal("v=spf1 -all", lines[0].GetProperty("Records")[0].GetProperty("Data").GetString());
            Assert.Equal("NotFound", lines[1].GetProperty("Status").GetString());
            Assert.True(lines[1].GetProperty("IsNxDomain").GetBoolean());
        }

        [Fact]
        public void Dns_json_writes_names_and_text_as_the_cmdlets_objects_show_them()
        {
            CliResult result = CliRunner.Run(null, "dns", "example.com", "--server", _server.Address, "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            JsonElement txt = Assert.Single(result.JsonLines);
            Assert.Equal("TXT", txt.GetProperty("QueryType").GetString());
            JsonElement record = txt.GetProperty("Records")[0];
            Assert.Equal("TXT", record.GetProperty("Type").GetString());
            // The two character-strings as sent, in zone-file form (RFC 1035 §5.1); Data joins them (RFC 7208 §3.3).
            Assert.Equal("\"v=spf1 \" \"-all\"", record.GetProperty("TextStrings").GetString());
            Assert.Equal(JsonValueKind.Array, txt.GetProperty("Texts").ValueKind);

            // The enums behind the names are internal: never serialized beside them.
            Assert.False(txt.TryGetProperty("StatusCode", out _));
            Assert.False(txt.TryGetProperty("QueryTypeCode", out _));

            CliResult a = CliRunner.Run(null, "dns", "contoso.com", "--type", "A", "--server", _server.Address, "--json");
            Assert.True(a.ExitCode == 0, a.ToString());
            JsonElement address = Assert.Single(a.JsonLines).GetProperty("Records")[0];
            Assert.Equal("A", address.GetProperty("Type").GetString());
            Assert.Equal("192.0.2.1", address.GetProperty("Address").GetString());
        }

        [Fact]
        public void Dns_failure_is_exit_code_1_and_bad_server_is_usage_exit_code_2()
        {
            CliResult failed = CliRunner.Run(null, "dns", "broken.example", "--server", _server.Address);
            Assert.Equal(1, failed.ExitCode);
            Assert.Contains("ServFail", failed.Stdout);

            CliResult usage = CliRunner.Run(null, "dns", "example.com", "--server", "not-an-address");
            Assert.Equal(2, usage.ExitCode);
            Assert.Contains("not-an-address", usage.Stderr);
        }

        [Fact]
        public void Dmarc_evaluates_the_seeds_case_and_prints_json()
        {
            CliResult result = CliRunner.Run(null, "dmarc", "ceo@contoso.com", "--mail-from", "bounce@hoster.example",
                "--spf-result", "pass", "--server", _server.Address, "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            JsonElement policy = Assert.Single(result.JsonLines);
            Assert.Equal("contoso.com", policy.GetProperty("Domain").GetString());
            Assert.Equal("Reject", policy.GetProperty("Policy").GetString());
            Assert.Equal("Fail", policy.GetProperty("DmarcResult").GetString());
            Assert.Equal("Reject", policy.GetProperty("Disposition").GetString());
        }

        [Fact]
        public void Dmarc_human_output_and_bad_input()
        {
            CliResult result = CliRunner.Run(null, "dmarc", "contoso.com", "not a domain", "--server", _server.Address);
            Assert.Equal(1, result.ExitCode);
            Assert.StartsWith("contoso.com: Found", result.Lines[0]);
            Assert.Contains("not a domain", result.Stderr);
        }
    }
}
