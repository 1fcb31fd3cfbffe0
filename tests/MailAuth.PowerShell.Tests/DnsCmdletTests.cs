using System;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using MailAuth.Testing.Dns;

namespace MailAuth.PowerShell.Tests
{
    [Collection(PowerShellCollection.Name)]
    public sealed class DnsCmdletTests : IDisposable
    {
        private readonly PowerShellSession _session;
        private readonly LoopbackDnsServer _server;

        public DnsCmdletTests(ModuleFixture fixture)
        {
            _session = fixture.Session;

            // Servers of earlier tests may have had this port: answers cached from them must not leak in.
            _session.Invoke("Clear-MailAuthDnsCache");
            var zone = new DnsZone()
                .AddTxt("example.com", "v=spf1 ip4:192.0.2.0/24", " -all")
                .Add("example.com", ZoneRecordType.MX, "10 mx.example.com")
                .Add("mx.example.com", ZoneRecordType.A, "192.0.2.25")
                .AddTxt("example.net", "v=spf1 -all")
                .AddFault("broken.example", DnsFault.ServFail)
                .AddFault("silent.example", DnsFault.Timeout);
            _server = LoopbackDnsServer.Start(zone);
        }

        public void Dispose()
        {
            _server.Dispose();
        }

        [Fact]
        public void Found_answer_joins_the_strings_of_one_TXT_record()
        {
            PsInvocation result = _session.Invoke("Resolve-MailAuthDnsName example.com -Server $args[0] -NoCache", _server.Address);
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            PSObject response = Assert.Single(result.Output);
            Assert.Equal("Found", response.Properties["Status"].Value.ToString());
            Assert.Equal("v=spf1 ip4:192.0.2.0/24 -all", ((dynamic)response).Records[0].Data);
            Assert.Equal(_server.Address, response.Properties["Server"].Value);
        }

        [Fact]
        public void NXDOMAIN_is_NotFound_and_SERVFAIL_is_Failed_never_NotFound()
        {
            PsInvocation result = _session.Invoke(
                "'nothing.example', 'broken.example' | Resolve-MailAuthDnsName -Type A -Server $args[0] -NoCache", _server.Address);
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            Assert.Equal(2, result.Output.Count);
            Assert.Equal("NotFound", result.Output[0].Properties["Status"].Value.ToString());
            Assert.Equal(true, result.Output[0].Properties["IsNxDomain"].Value);
            Assert.Equal("Failed", result.Output[1].Properties["Status"].Value.ToString());
            Assert.Equal("ServFail", result.Output[1].Properties["ResponseCode"].Value);
        }

        [Fact]
        public void One_bad_name_in_a_pipeline_is_one_error_and_the_others_still_answer()
        {
            string tooLong = new string('a', 64) + ".example";
            PsInvocation result = _session.Invoke(
                "'example.com', $args[1], '', 'example.net' | Resolve-MailAuthDnsName -Server $args[0]", _server.Address, tooLong);
            Assert.Equal(new[] { "example.com", "example.net" }, result.Output.Select(o => (string)o.Properties["QueryName"].Value).ToArray());
            Assert.Equal(2, result.Errors.Count);
            // The ErrorIds every domain-taking cmdlet writes (docs/domain-names.md).
            Assert.Equal("InvalidDomain,MailAuth.PowerShell.Commands.ResolveMailAuthDnsNameCommand", result.Errors[0].FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, result.Errors[0].CategoryInfo.Category);
            Assert.Equal(tooLong, result.Errors[0].TargetObject);
            Assert.Contains(tooLong, result.Errors[0].Exception.Message);
            Assert.Contains("rule LabelTooLong, RFC 1035 §2.3.4", result.Errors[0].Exception.Message);
            Assert.Equal("EmptyDomain,MailAuth.PowerShell.Commands.ResolveMailAuthDnsNameCommand", result.Errors[1].FullyQualifiedErrorId);
        }

        [Fact]
        public void Objects_with_a_Domain_property_bind_by_property_name()
        {
            PsInvocation result = _session.Invoke(
                "[pscustomobject]@{ Domain = 'example.net' } | Resolve-MailAuthDnsName -Server $args[0]", _server.Address);
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            Assert.Equal("v=spf1 -all", ((dynamic)Assert.Single(result.Output)).Records[0].Data);
        }

        [Fact]
        public void Verbose_shows_each_DNS_query()
        {
            PsInvocation result = _session.Invoke(
                "Resolve-MailAuthDnsName example.com -Type MX -Server $args[0] -NoCache -Verbose", _server.Address);
            string line = Assert.Single(result.Verbose);
            Assert.StartsWith("DNS MX example.com @" + _server.Address + " NoError", line);
            Assert.Contains("10 mx.example.com", line);
        }

        [Fact]
        public void Invalid_server_stops_the_command_before_any_input()
        {
            PsInvocation result = _session.Invoke("'example.com', 'example.net' | Resolve-MailAuthDnsName -Server '192.0.2.1:99999'");
            Assert.Empty(result.Output);
            ErrorRecord error = Assert.Single(result.Errors);
            Assert.Equal("InvalidServer,MailAuth.PowerShell.Commands.ResolveMailAuthDnsNameCommand", error.FullyQualifiedErrorId);
            Assert.Equal("192.0.2.1:99999", error.TargetObject);
        }

        [Fact]
        public void Cache_is_shared_between_calls_and_Clear_MailAuthDnsCache_empties_it()
        {
            string script = "Resolve-MailAuthDnsName example.net -Server $args[0] | ForEach-Object FromCache";
            _session.Invoke("Clear-MailAuthDnsCache");
            _server.ResetCounters();
            Assert.Equal(false, _session.Invoke(script, _server.Address).Output.Single().BaseObject);
            Assert.Equal(true, _session.Invoke(script, _server.Address).Output.Single().BaseObject);
            Assert.Equal(1, _server.QueryCount);

            PsInvocation cleared = _session.Invoke("Clear-MailAuthDnsCache -PassThru");
            Assert.True((int)cleared.Output.Single().BaseObject >= 1);
            Assert.Equal(false, _session.Invoke(script, _server.Address).Output.Single().BaseObject);
            Assert.Equal(2, _server.QueryCount);

            _session.Invoke("Resolve-MailAuthDnsName example.net -Server $args[0] -NoCache", _server.Address);
            Assert.Equal(3, _server.QueryCount);
        }

        [Fact]
        public void Stop_cancels_a_command_waiting_on_DNS()
        {
            using var runspace = System.Management.Automation.Runspaces.RunspaceFactory.CreateRunspace(
                System.Management.Automation.Runspaces.InitialSessionState.CreateDefault2());
            runspace.Open();
            using var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddScript("Import-Module $args[0]; Resolve-MailAuthDnsName silent.example -Server $args[1] -TimeoutSec 30 -NoCache")
                .AddArgument(RepoPaths.ModuleManifest).AddArgument(_server.Address);
            IAsyncResult pending = ps.BeginInvoke();
            var clock = Stopwatch.StartNew();
            while (_server.Queries.All(q => q.Name != "silent.example") && clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                System.Threading.Thread.Sleep(20);
            }

            ps.Stop();
            Assert.True(pending.IsCompleted);
            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);

            // Stopped long before the 30-second timeout (and its retry) could have ended the query.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), clock.Elapsed.ToString());
        }
    }
}
