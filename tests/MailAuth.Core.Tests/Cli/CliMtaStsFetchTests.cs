using System;
using System.Linq;
using System.Text.Json;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Cli
{
    /// <summary>mailauth mta-sts looks the policy host up through --server (RFC 8461 §3.3 over our resolver).</summary>
    public sealed class CliMtaStsFetchTests : IDisposable
    {
        private readonly LoopbackDnsServer _server = LoopbackDnsServer.Start(new DnsZone()
            .AddTxt("_mta-sts.fetch.example", "v=STSv1; id=1"));

        public void Dispose() => _server.Dispose();

        [Fact]
        public void Policy_host_is_asked_of_the_given_server()
        {
            // mta-sts.fetch.example is not in the zone: the server says NXDOMAIN, which no system
            // resolver could have said for it, and the fetch fails with "no address".
            CliResult result = CliRunner.Run(null, "mta-sts", "fetch.example", "--json", "--verbose", "--server", _server.Address, "--timeout", "3");

            Assert.True(result.ExitCode == 0, result.ToString());
            JsonElement report = Assert.Single(result.JsonLines);
            Assert.Equal("Failed", report.GetProperty("FetchStatus").GetString());
            Assert.Equal("mta-sts.fetch.example has no address (NXDOMAIN).", report.GetProperty("FetchError").GetString());
            Assert.Contains(_server.Queries, q => q.Type == ZoneRecordType.A && q.Name == "mta-sts.fetch.example");
            Assert.Contains(_server.Queries, q => q.Type == ZoneRecordType.AAAA && q.Name == "mta-sts.fetch.example");
            Assert.Contains("DNS A mta-sts.fetch.example @" + _server.Address, result.Stderr, StringComparison.Ordinal);
        }
    }
}
