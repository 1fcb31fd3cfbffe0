using System;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using MailAuth.Testing.Dns;

namespace MailAuth.PowerShell.Tests
{
    [Collection(PowerShellCollection.Name)]
    public sealed class PostureCmdletTests : IDisposable
    {
        private readonly PowerShellSession _session;
        private readonly LoopbackDnsServer _server;

        public PostureCmdletTests(ModuleFixture fixture)
        {
            _session = fixture.Session;

            // Servers of earlier tests may have had this port: answers cached from them must not leak in.
            _session.Invoke("Clear-MailAuthDnsCache");
            using RSA rsa2048 = RSA.Create(2048);
            using RSA rsa1024 = RSA.Create(1024);
            var zone = new DnsZone()
                .Add("contoso.com", ZoneRecordType.MX, "10 mail.contoso.com")
                .Add("mail.contoso.com", ZoneRecordType.A, "192.0.2.25")
                .AddTxt("contoso.com", "v=spf1 mx -all")
                .AddTxt("_dmarc.contoso.com", "v=DMARC1; p=reject; rua=mailto:d@contoso.com")
                .AddTxt("selector1._domainkey.contoso.com", "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(rsa2048.ExportSubjectPublicKeyInfo()))
                .AddTxt("_smtp._tls.contoso.com", "v=TLSRPTv1; rua=mailto:tls@contoso.com")
                .AddTxt("_mta-sts.contoso.com", "v=STSv1; id=20261123")
                .AddTxt("default._bimi.contoso.com", "v=BIMI1; l=https://contoso.com/logo.svg; a=https://contoso.com/vmc.pem")
                .AddTxt("google._domainkey.example.org", "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(rsa1024.ExportSubjectPublicKeyInfo()))
                .Add("nullmx.example", ZoneRecordType.MX, "0 .")
                .AddFault("failing.example", DnsFault.ServFail)
                .AddFault("_dmarc.failing.example", DnsFault.ServFail);
            for (int i = 0; i < 300; i++)
            {
                string name = $"d{i}.example";
                zone.AddTxt(name, "v=spf1 -all").AddTxt("_dmarc." + name, "v=DMARC1; p=none");
                if (i % 10 == 3)
                {
                    zone.AddFault(name, i % 20 == 3 ? DnsFault.ServFail : DnsFault.Garbage);
                }
                else if (i % 10 == 7)
                {
                    zone.AddFault("_dmarc." + name, DnsFault.Timeout);
                }
            }

            _server = LoopbackDnsServer.Start(zone);
        }

        public void Dispose()
        {
            _server.Dispose();
        }

        private PsInvocation Run(string script, params object[] more) =>
            _session.Invoke(script, new object[] { _server.Address }.Concat(more).ToArray());

        [Fact]
        public void Domain_report_has_one_row_per_domain_in_input_order_and_skips_blank_and_comment_lines()
        {
            PsInvocation result = Run(
                "'contoso.com', '', '# audit list', 'not a domain!', 'failing.example', 'Contoso.com.' | " +
                "Get-MailDomainReport -Server $args[0] -NoMtaStsFetch -Selector selector1");
            Assert.Equal(new[] { "contoso.com", "not a domain!", "failing.example", "Contoso.com." },
                result.Output.Select(o => (string)o.Properties["Input"].Value).ToArray());
            Assert.Equal(new[] { "Ok|Findings", "InvalidInput", "LookupFailed", "Ok|Findings" },
                result.Output.Select(o => o.Properties["Status"].Value.ToString() is "Ok" or "Findings" ? "Ok|Findings" : o.Properties["Status"].Value.ToString()).ToArray());

            dynamic contoso = result.Output[0];
            Assert.Equal("Found", contoso.SpfStatus);
            Assert.Equal("Reject", contoso.DmarcEffectivePolicy);
            Assert.Equal("selector1", contoso.DkimSelectors);
            Assert.Equal("Found", contoso.TlsRptStatus);
            Assert.Contains("duplicate of input 1", (string)((dynamic)result.Output[3]).InputNote);

            ErrorRecord error = Assert.Single(result.Errors);
            Assert.Equal("InvalidDomain,MailAuth.PowerShell.Commands.GetMailDomainReportCommand", error.FullyQualifiedErrorId);
            Assert.Equal("not a domain!", error.TargetObject);
        }

        [Fact]
        public void Three_hundred_domains_with_faults_give_three_hundred_rows_in_order()
        {
            string[] domains = Enumerable.Range(0, 300).Select(i => $"d{i}.example").ToArray();
            PsInvocation result = Run(
                "$args[1] | Get-MailDomainReport -Server $args[0] -TimeoutSec 2 -Include Spf, Dmarc -ThrottleLimit 64", (object)domains);
            Assert.Equal(domains, result.Output.Select(o => (string)o.Properties["Domain"].Value).ToArray());
            for (int i = 0; i < 300; i++)
            {
                string status = result.Output[i].Properties["Status"].Value.ToString()!;
                bool faulted = i % 10 == 3 || i % 10 == 7;
                Assert.True(faulted ? status == "LookupFailed" : status != "LookupFailed", $"d{i}.example: {status}");
            }

            Assert.Empty(result.Errors);
            Assert.NotEmpty(result.Progress);
            Assert.Equal(ProgressRecordType.Completed, result.Progress[^1].RecordType);
        }

        [Fact]
        public void Per_protocol_cmdlets_return_their_records()
        {
            PsInvocation result = Run(
                "Get-DkimRecord contoso.com -Selector selector1 -Server $args[0]; " +
                "Get-MxRecord contoso.com, nullmx.example -Server $args[0]; " +
                "Get-TlsRptRecord contoso.com -Server $args[0]; " +
                "Get-MtaStsPolicy contoso.com -NoFetch -Server $args[0]; " +
                "Get-BimiRecord contoso.com -Server $args[0]");
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            Assert.Equal(6, result.Output.Count);
            Assert.Equal(2048, (int)((dynamic)result.Output[0]).SmallestRsaBits);
            Assert.Equal("10 mail.contoso.com", (string)((dynamic)result.Output[1]).HostText);
            Assert.True((bool)((dynamic)result.Output[2]).IsNullMx);
            Assert.Equal("mailto:tls@contoso.com", (string)((dynamic)result.Output[3]).ReportUriText);
            Assert.Equal("20261123", (string)((dynamic)result.Output[4]).Id);
            Assert.True((bool)((dynamic)result.Output[5]).DmarcQualifies);
        }

        [Fact]
        public void Header_report_piped_into_Get_DkimRecord_checks_the_keys_that_signed()
        {
            PsInvocation result = Run(
                "Get-MailHeaderReport -Path $args[1] | Get-DkimRecord -Server $args[0]",
                System.IO.Path.Combine(RepoPaths.Root, "samples", "gmail-to-exchange-arc.txt"));
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            dynamic dkim = Assert.Single(result.Output);
            Assert.Equal("example.org", dkim.Domain);
            Assert.Equal("google", dkim.SelectorsFound);
            Assert.Equal(1024, (int)dkim.SmallestRsaBits);
            Assert.Contains("DKIM", (string)dkim.FindingText);
        }

        [Fact]
        public void Per_protocol_cmdlets_show_their_DNS_queries_with_Verbose()
        {
            PsInvocation result = Run(
                "Get-MtaStsPolicy contoso.com -NoFetch -NoCache -Verbose -Server $args[0]; Get-DkimRecord contoso.com -Selector selector1 -NoCache -Verbose -Server $args[0]");
            Assert.Contains(result.Verbose, v => v.StartsWith("DNS TXT _mta-sts.contoso.com", StringComparison.Ordinal));
            Assert.Contains(result.Verbose, v => v.StartsWith("DNS TXT selector1._domainkey.contoso.com", StringComparison.Ordinal));
        }

        [Fact]
        public void Per_protocol_cmdlets_report_empty_input_as_an_error_and_go_on()
        {
            PsInvocation result = Run("'', 'contoso.com' | Get-TlsRptRecord -Server $args[0]");
            Assert.Single(result.Output);
            Assert.Equal("EmptyDomain,MailAuth.PowerShell.Commands.GetTlsRptRecordCommand", Assert.Single(result.Errors).FullyQualifiedErrorId);
        }
    }
}
