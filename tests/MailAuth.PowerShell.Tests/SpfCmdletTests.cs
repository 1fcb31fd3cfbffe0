using System;
using System.Linq;
using System.Management.Automation;
using MailAuth.Testing.Dns;

namespace MailAuth.PowerShell.Tests
{
    [Collection(PowerShellCollection.Name)]
    public sealed class SpfCmdletTests : IDisposable
    {
        private readonly PowerShellSession _session;
        private readonly LoopbackDnsServer _server;

        public SpfCmdletTests(ModuleFixture fixture)
        {
            _session = fixture.Session;

            // Servers of earlier tests may have had this port: answers cached from them must not leak in.
            _session.Invoke("Clear-MailAuthDnsCache");
            var zone = new DnsZone()
                .AddTxt("contoso.com", "v=spf1 include:_spf.contoso.com mx -all")
                .AddTxt("_spf.contoso.com", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all")
                .Add("contoso.com", ZoneRecordType.MX, "10 mail.contoso.com")
                .Add("mail.contoso.com", ZoneRecordType.A, "198.51.100.25")
                .AddTxt("_dmarc.contoso.com", "v=DMARC1; p=reject")
                .AddTxt("open.example", "v=spf1 +all")
                .AddTxt("broken-syntax.example", "v=spf1 ip4:192.0.2.0/33 -all")
                .AddTxt("hoster.example", "v=spf1 ip4:203.0.113.0/24 -all")
                .AddFault("failing.example", DnsFault.ServFail)
                .Add("nospf.example", ZoneRecordType.A, "192.0.2.99")
                .AddTxt("xn--bcher-kva.example", "v=spf1 ip4:192.0.2.0/24 -all");
            _server = LoopbackDnsServer.Start(zone);
        }

        public void Dispose()
        {
            _server.Dispose();
        }

        private PsInvocation Run(string script, params object[] more) =>
            _session.Invoke(script, new object[] { _server.Address }.Concat(more).ToArray());

        [Fact]
        public void Get_SpfRecord_reports_the_four_states_one_object_each_in_input_order()
        {
            PsInvocation result = Run(
                "'contoso.com', 'nospf.example', 'failing.example', 'broken-syntax.example' | Get-SpfRecord -Server $args[0]");
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            Assert.Equal(new[] { "Found", "NotFound", "LookupFailed", "Invalid" },
                result.Output.Select(o => o.Properties["Status"].Value.ToString()).ToArray());

            dynamic contoso = result.Output[0];
            Assert.Equal("v=spf1 include:_spf.contoso.com mx -all", contoso.Record);
            Assert.Equal(2, (int)contoso.DnsLookupCount);
            Assert.Equal("-", contoso.AllQualifier);
            dynamic invalid = result.Output[3];
            Assert.Contains("CIDR length over 32", (string)invalid.Reason);
        }

        [Fact]
        public void Get_SpfRecord_lints_a_permissive_all()
        {
            PsInvocation result = Run("Get-SpfRecord -Name open.example -Server $args[0]");
            dynamic report = Assert.Single(result.Output);
            string[] errors = ((System.Collections.IEnumerable)report.Errors).Cast<object>()
                .Select(w => (string)PSObject.AsPSObject(w).Properties["Id"].Value).ToArray();
            Assert.Contains("SPF-ALL-PASS", errors);
            Assert.Equal("+", (string)report.AllQualifier);
        }

        [Fact]
        public void Get_SpfRecord_empty_input_is_one_error_and_the_rest_goes_on()
        {
            PsInvocation result = Run("'contoso.com', '', 'open.example' | Get-SpfRecord -Server $args[0]");
            Assert.Equal(2, result.Output.Count);
            ErrorRecord error = Assert.Single(result.Errors);
            Assert.Equal("EmptyDomain,MailAuth.PowerShell.Commands.GetSpfRecordCommand", error.FullyQualifiedErrorId);
        }

        [Fact]
        public void Test_Spf_decides_pass_softfail_and_fail_with_headers()
        {
            PsInvocation result = Run(
                "Test-Spf -IPAddress 192.0.2.10 -Sender alice@contoso.com -Helo mail.contoso.com -Server $args[0]; " +
                "Test-Spf 2001:db8::25 alice@contoso.com -Server $args[0]; " +
                "Test-Spf -IPAddress 203.0.113.7 -Sender alice@contoso.com -Server $args[0]");
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            Assert.Equal(new[] { "Pass", "Pass", "Fail" }, result.Output.Select(o => o.Properties["Result"].Value.ToString()).ToArray());
            dynamic pass = result.Output[0];
            Assert.Equal("include:_spf.contoso.com", pass.MatchedMechanism);
            Assert.StartsWith("Received-SPF: pass", (string)pass.ReceivedSpf, StringComparison.OrdinalIgnoreCase);
            Assert.Equal("spf=pass smtp.mailfrom=contoso.com", pass.AuthenticationResults);
            dynamic fail = result.Output[2];
            Assert.Contains("550 5.7.23", (string)fail.SmtpReply);
        }

        [Fact]
        public void Test_Spf_Record_evaluates_a_candidate_before_it_is_published()
        {
            PsInvocation result = Run(
                "Test-Spf -IPAddress 203.0.113.7 -Domain contoso.com -Record 'v=spf1 ip4:203.0.113.0/24 -all' -Server $args[0]");
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            Assert.Equal("Pass", Assert.Single(result.Output).Properties["Result"].Value.ToString());
        }

        [Fact]
        public void Test_Spf_Quiet_returns_a_boolean()
        {
            PsInvocation result = Run(
                "Test-Spf 192.0.2.10 alice@contoso.com -Quiet -Server $args[0]; Test-Spf 203.0.113.7 alice@contoso.com -Quiet -Server $args[0]");
            Assert.Equal(new object[] { true, false }, result.Output.Select(o => o.BaseObject).ToArray());
        }

        [Fact]
        public void Get_SpfRecord_pipes_into_Test_Spf()
        {
            PsInvocation result = Run("Get-SpfRecord contoso.com, open.example -Server $args[0] | Test-Spf -IPAddress 198.51.100.25 -Server $args[0]");
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            Assert.Equal(new[] { "contoso.com", "open.example" }, result.Output.Select(o => (string)o.Properties["Domain"].Value).ToArray());
            Assert.Equal("mx", (string)((dynamic)result.Output[0]).MatchedMechanism);
            Assert.Equal("Pass", result.Output[1].Properties["Result"].Value.ToString());
        }

        [Fact]
        public void Test_Spf_bad_inputs_are_specific_errors_and_the_pipeline_goes_on()
        {
            PsInvocation result = Run(
                "@([pscustomobject]@{ ClientIP = '192.0.2.10'; EnvelopeSender = 'a@contoso.com' }, " +
                "  [pscustomobject]@{ ClientIP = '300.1.2.3'; EnvelopeSender = 'a@contoso.com' }, " +
                "  [pscustomobject]@{ ClientIP = '192.0.2.10'; EnvelopeSender = '' }, " +
                "  [pscustomobject]@{ ClientIP = '2001:db8::1'; EnvelopeSender = 'b@contoso.com' }) | Test-Spf -Server $args[0]");
            Assert.Equal(new[] { "Pass", "Pass" }, result.Output.Select(o => o.Properties["Result"].Value.ToString()).ToArray());
            Assert.Equal(2, result.Errors.Count);
            Assert.Equal("InvalidIPAddress,MailAuth.PowerShell.Commands.TestSpfCommand", result.Errors[0].FullyQualifiedErrorId);
            Assert.Equal("300.1.2.3", result.Errors[0].TargetObject);
            Assert.Equal("MissingIdentity,MailAuth.PowerShell.Commands.TestSpfCommand", result.Errors[1].FullyQualifiedErrorId);
        }

        [Fact]
        public void Test_Spf_result_pipes_into_Resolve_DmarcPolicy_the_seeds_case()
        {
            PsInvocation result = Run(
                "Test-Spf -IPAddress 203.0.113.9 -Sender bounce@hoster.example -Server $args[0] | " +
                "Resolve-DmarcPolicy -From ceo@contoso.com -Server $args[0] -SkipReportAuthorization");
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            dynamic policy = Assert.Single(result.Output);
            Assert.Equal("Fail", policy.DmarcResult.ToString());
            Assert.Equal("Reject", policy.Disposition.ToString());
            Assert.Contains(((System.Collections.IEnumerable)policy.Identifiers).Cast<object>(),
                i => PSObject.AsPSObject(i).Properties["Mechanism"].Value.ToString() == "spf"
                    && (bool)PSObject.AsPSObject(i).Properties["Passed"].Value);
        }

        [Fact]
        public void Verbose_shows_every_DNS_query_of_the_evaluation()
        {
            PsInvocation result = Run("Test-Spf 192.0.2.10 alice@contoso.com -Server $args[0] -NoCache -Verbose");
            Assert.Contains(result.Verbose, v => v.StartsWith("DNS TXT contoso.com", StringComparison.Ordinal));
            Assert.Contains(result.Verbose, v => v.StartsWith("DNS TXT _spf.contoso.com", StringComparison.Ordinal));
        }

        [Fact]
        public void IDN_domains_are_queried_as_A_labels()
        {
            PsInvocation result = Run("Get-SpfRecord 'bücher.example' -Server $args[0]; Test-Spf 192.0.2.1 'info@bücher.example' -Server $args[0]");
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            Assert.Equal("xn--bcher-kva.example", result.Output[0].Properties["Domain"].Value);
            Assert.Equal("Found", result.Output[0].Properties["Status"].Value.ToString());
            Assert.Equal("Pass", result.Output[1].Properties["Result"].Value.ToString());
        }

        [Fact]
        public void Lookup_limit_is_configurable()
        {
            PsInvocation result = Run("Test-Spf 198.51.100.25 alice@contoso.com -MaxDnsLookups 1 -Server $args[0]");
            dynamic spf = Assert.Single(result.Output);
            Assert.Equal("PermError", spf.Result.ToString());
        }
    }
}
