using System;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using MailAuth.Testing.Dns;
using MailAuth.Testing.Http;

namespace MailAuth.PowerShell.Tests
{
    /// <summary>
    /// Get-MtaStsPolicy fetches the policy from the host its -Server names (RFC 8461 §3.3 over the
    /// module's resolver), served by a loopback HTTPS server reached through the hidden test
    /// parameters -PolicyPort and -PolicyCertificateThumbprint.
    /// </summary>
    [Collection(PowerShellCollection.Name)]
    public sealed class MtaStsCmdletTests : IDisposable
    {
        private const string Host = "mta-sts.contoso.example";
        private readonly PowerShellSession _session;
        private readonly LoopbackDnsServer _server;
        private readonly LoopbackHttpsServer _https;

        public MtaStsCmdletTests(ModuleFixture fixture)
        {
            _session = fixture.Session;
            _session.Invoke("Clear-MailAuthDnsCache");
            _server = LoopbackDnsServer.Start(new DnsZone()
                .AddTxt("_mta-sts.contoso.example", "v=STSv1; id=20240101")
                .Add("contoso.example", ZoneRecordType.MX, "10 mx1.contoso.example")
                .Add(Host, ZoneRecordType.A, "127.0.0.1"));
            _https = new LoopbackHttpsServer(Host);
            _https.Serve(Host, "/.well-known/mta-sts.txt", new HttpAnswer { Body = "version: STSv1\r\nmode: enforce\r\nmx: mx1.contoso.example\r\nmax_age: 604800\r\n" });
        }

        public void Dispose()
        {
            _https.Dispose();
            _server.Dispose();
        }

        [Fact]
        public void Policy_host_is_resolved_by_the_given_server_and_shown_with_Verbose()
        {
            PsInvocation result = _session.Invoke(
                "Get-MtaStsPolicy contoso.example -Server $args[0] -NoCache -Verbose -PolicyPort $args[1] -PolicyCertificateThumbprint $args[2]",
                _server.Address, _https.Port, _https.Thumbprint);

            Assert.True(result.Errors.Count == 0, result.ErrorText);
            dynamic report = Assert.Single(result.Output);
            Assert.True(report.FetchStatus.ToString() == "Fetched", (string)report.FetchError);
            Assert.Equal("Enforce", report.Mode.ToString());
            Assert.True((bool)report.MxMatch);
            Assert.Contains(_server.Queries, q => q.Type == ZoneRecordType.A && q.Name == Host);
            Assert.Contains(result.Verbose, v => v.StartsWith("DNS A " + Host + " @" + _server.Address + " ", StringComparison.Ordinal));
            Assert.Equal(Host, Assert.Single(_https.Requests).ServerName);
        }

        [Fact]
        public void Self_signed_certificate_is_refused_without_the_test_thumbprint()
        {
            PsInvocation result = _session.Invoke(
                "Get-MtaStsPolicy contoso.example -Server $args[0] -NoCache -PolicyPort $args[1]", _server.Address, _https.Port);

            dynamic report = Assert.Single(result.Output);
            Assert.Equal("Failed", report.FetchStatus.ToString());
            Assert.Contains("certificate of " + Host, (string)report.FetchError, StringComparison.Ordinal);
            Assert.Equal(0, _https.RequestCount);
        }

        [Fact]
        public void Closed_port_is_a_fetch_failure_naming_the_address()
        {
            int port = LoopbackHttpsServer.GetClosedPort();
            PsInvocation result = _session.Invoke(
                "Get-MtaStsPolicy contoso.example -Server $args[0] -NoCache -PolicyPort $args[1]", _server.Address, port);

            dynamic report = Assert.Single(result.Output);
            Assert.Equal("Failed", report.FetchStatus.ToString());
            Assert.Contains("127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), (string)report.FetchError, StringComparison.Ordinal);
        }

        [Fact]
        public void Test_parameters_are_hidden()
        {
            PsInvocation result = _session.Invoke(
                "$c = Get-Command Get-MtaStsPolicy; 'PolicyPort', 'PolicyCertificateThumbprint' | ForEach-Object { " +
                "$c.Parameters[$_].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] } | ForEach-Object DontShow }; " +
                "@((TabExpansion2 'Get-MtaStsPolicy -' 18).CompletionMatches.CompletionText) -match '^-Policy'");
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            // DontShow: not offered by tab completion (Get-Command -Syntax still lists them).
            Assert.Equal(new object[] { true, true }, result.Output.Select(o => o.BaseObject).ToArray());
        }
    }
}
