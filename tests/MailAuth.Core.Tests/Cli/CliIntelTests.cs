using System;
using System.Linq;
using System.Text.Json;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Cli
{
    /// <summary>mailauth ip and mailauth address over a loopback world: order, --json names, exit codes.</summary>
    public sealed class CliIntelTests : IDisposable
    {
        private readonly LoopbackDnsServer _server;

        public CliIntelTests()
        {
            _server = LoopbackDnsServer.Start(new DnsZone()
                .Add("41.220.85.209.in-addr.arpa", ZoneRecordType.PTR, "mail-sor-f41.google.com")
                .Add("mail-sor-f41.google.com", ZoneRecordType.A, "209.85.220.41")
                .AddTxt("41.220.85.209.origin.asn.cymru.com", "15169 | 209.85.128.0/17 | US | arin | 2005-09-12")
                .AddTxt("AS15169.asn.cymru.com", "15169 | US | arin | 2000-03-30 | GOOGLE - Google LLC, US")
                .AddTxt("12.219.234.185.origin.asn.cymru.com", "204601 | 185.234.216.0/22 | NL | ripencc | 2018-04-09")
                .AddTxt("AS204601.asn.cymru.com", "204601 | NL | ripencc | 2017-02-20 | ZEN-ECN, NL")
                .Add("12.219.234.185.zen.spamhaus.org", ZoneRecordType.A, "127.0.0.3")
                .Add("37.165.146.45.zen.spamhaus.org", ZoneRecordType.A, "127.255.255.254")
                .Add("contoso.com", ZoneRecordType.MX, "0 contoso-com.mail.protection.outlook.com")
                .Add("contoso-com.mail.protection.outlook.com", ZoneRecordType.A, "52.101.68.10")
                .AddTxt("contoso.com", "v=spf1 ip4:40.107.0.0/16 -all")
                .AddTxt("_dmarc.contoso.com", "v=DMARC1; p=quarantine")
                .Add("parked.example", ZoneRecordType.MX, "0 .")
                .AddFault("broken.example", DnsFault.ServFail, ZoneRecordType.MX));
        }

        public void Dispose() => _server.Dispose();

        [Fact]
        public void Ip_json_keeps_input_order_with_names_not_numbers()
        {
            CliResult result = CliRunner.Run(null, "ip", "209.85.220.41", "185.234.219.12", "10.0.0.1", "--blocklist", "zen.spamhaus.org", "--server", _server.Address, "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            JsonElement[] lines = result.JsonLines;
            Assert.Equal(new[] { "209.85.220.41", "185.234.219.12", "10.0.0.1" }, lines.Select(l => l.GetProperty("IPAddress").GetString()));
            Assert.Equal("NotListed", lines[0].GetProperty("Status").GetString());
            Assert.Equal(15169, lines[0].GetProperty("Asn").GetInt64());
            Assert.True(lines[0].GetProperty("ForwardConfirmed").GetBoolean());
            Assert.Equal("Listed", lines[1].GetProperty("Status").GetString());
            JsonElement listing = lines[1].GetProperty("Listings")[0];
            Assert.Equal("zen.spamhaus.org", listing.GetProperty("Zone").GetString());
            Assert.Equal("127.0.0.3", listing.GetProperty("ReturnCode").GetString());
            Assert.StartsWith("SBL CSS", listing.GetProperty("Meaning").GetString());
            Assert.Equal("NotPublic", lines[2].GetProperty("Status").GetString());
            Assert.False(lines[0].TryGetProperty("StatusCode", out _));
        }

        [Fact]
        public void Ip_refused_query_is_an_error_and_exit_1()
        {
            CliResult result = CliRunner.Run(null, "ip", "45.146.165.37", "--blocklist", "zen.spamhaus.org", "--server", _server.Address);
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("45.146.165.37: LookupFailed", result.Stdout);
            Assert.Contains("public or open resolver", result.Stdout);
            Assert.DoesNotContain("Listed ", result.Stdout);
        }

        [Fact]
        public void Ip_bad_input_is_named_on_stderr_and_the_rest_still_run()
        {
            CliResult result = CliRunner.Run(null, "ip", "mail.contoso.com", "209.85.220.41", "--no-blocklist", "--server", _server.Address);
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("'mail.contoso.com'", result.Stderr);
            Assert.Contains("209.85.220.41: NotChecked", result.Stdout);
            Assert.Contains("GOOGLE - Google LLC, US", result.Stdout);
        }

        [Fact]
        public void Address_reads_routing_and_posture_from_stdin_in_order()
        {
            CliResult result = CliRunner.Run("megan@contoso.com\ninfo@parked.example\nbad..dots@contoso.com\n", "address", "-", "--server", _server.Address, "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            JsonElement[] lines = result.JsonLines;
            Assert.Equal(3, lines.Length);
            Assert.Equal("Found", lines[0].GetProperty("MxStatus").GetString());
            Assert.Equal("Yes", lines[0].GetProperty("Deliverable").GetString());
            Assert.Equal("SPF OK -all; DMARC p=quarantine", lines[0].GetProperty("Posture").GetString());
            Assert.Equal("NullMx", lines[1].GetProperty("MxStatus").GetString());
            Assert.Equal("No", lines[1].GetProperty("Deliverable").GetString());
            Assert.False(lines[2].GetProperty("SyntaxValid").GetBoolean());
            Assert.Equal("LocalPartDot", lines[2].GetProperty("SyntaxRule").GetString());
        }

        [Fact]
        public void Header_enrich_annotates_the_hops_and_lists_the_domains()
        {
            // The bundled phish with its edge client moved from documentation space to the listed address.
            string text = System.IO.File.ReadAllText(System.IO.Path.Combine(CliRunner.RepoRoot, "samples/phish-spf-pass-unaligned.txt"))
                .Replace("203.0.113.45", "185.234.219.12", StringComparison.Ordinal);
            _server.Zone.Add("example.org.dbl.spamhaus.org", ZoneRecordType.A, "127.0.1.2");
            CliResult result = CliRunner.Run(text, "header", "-", "--enrich", "--server", _server.Address, "--json");
            JsonElement report = Assert.Single(result.JsonLines);
            JsonElement hop = report.GetProperty("Hops").EnumerateArray().Single(h => h.GetProperty("FromIp").GetString() == "185.234.219.12");
            Assert.Equal("AS204601 ZEN-ECN, NL", hop.GetProperty("Owner").GetString());
            Assert.Equal("Listed", hop.GetProperty("IpStatus").GetString());
            Assert.Contains(report.GetProperty("DomainListings").EnumerateArray(), l => l.GetString() == "example.org: dbl.spamhaus.org=127.0.1.2 (DBL: spam domain)");
            Assert.Contains(report.GetProperty("Findings").EnumerateArray(), f => f.GetProperty("Id").GetString() == "HDR-DOMAIN-LISTED");

            CliResult human = CliRunner.Run(text, "header", "-", "--enrich", "--server", _server.Address);
            Assert.Contains("185.234.219.12: Listed AS204601 ZEN-ECN, NL zen.spamhaus.org=127.0.0.3", human.Stdout);
            Assert.Contains("domain example.org: dbl.spamhaus.org=127.0.1.2", human.Stdout);
        }

        [Fact]
        public void Address_lookup_failure_is_exit_1()
        {
            CliResult result = CliRunner.Run(null, "address", "someone@broken.example", "--server", _server.Address);
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("someone@broken.example: Unknown (LookupFailed)", result.Stdout);
        }
    }
}
