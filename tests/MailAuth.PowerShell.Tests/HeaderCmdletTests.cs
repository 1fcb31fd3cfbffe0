using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using MailAuth.Testing.Dns;

namespace MailAuth.PowerShell.Tests
{
    [Collection(PowerShellCollection.Name)]
    public sealed class HeaderCmdletTests : IDisposable
    {
        private static readonly string s_samples = Path.Combine(RepoPaths.Root, "samples");
        private static readonly string s_phish = Path.Combine(s_samples, "phish-spf-pass-unaligned.txt");

        private readonly PowerShellSession _session;
        private readonly LoopbackDnsServer _server;

        public HeaderCmdletTests(ModuleFixture fixture)
        {
            _session = fixture.Session;

            // Servers of earlier tests may have had this port: answers cached from them must not leak in.
            _session.Invoke("Clear-MailAuthDnsCache");
            _server = LoopbackDnsServer.Start(new DnsZone()
                .AddTxt("s12.cpanel-host.example.org", "v=spf1 ip4:203.0.113.0/24 -all")
                .AddTxt("_dmarc.example.com", "v=DMARC1; p=reject")
                .Add("example.com", ZoneRecordType.A, "192.0.2.80"));
        }

        public void Dispose()
        {
            _server.Dispose();
        }

        [Fact]
        public void Lines_piped_one_by_one_give_one_report_at_the_end()
        {
            PsInvocation result = _session.Invoke("[System.IO.File]::ReadAllLines($args[0]) | Get-MailHeaderReport", s_phish);
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            dynamic report = Assert.Single(result.Output);
            Assert.Equal("noreply@example.com", report.FromAddress);
            Assert.Equal("203.0.113.45", report.ClientIP);
            Assert.Equal("pass", report.Spf);
            Assert.Contains("HDR-SPF-UNALIGNED", ((System.Collections.IEnumerable)report.Findings).Cast<object>()
                .Select(f => (string)PSObject.AsPSObject(f).Properties["Id"].Value));
        }

        [Fact]
        public void Raw_text_Path_wildcards_and_FileInfo_give_the_same_report()
        {
            PsInvocation raw = _session.Invoke("[System.IO.File]::ReadAllText($args[0]) | Get-MailHeaderReport | ForEach-Object ClientIP", s_phish);
            PsInvocation path = _session.Invoke("Get-MailHeaderReport -Path $args[0] | ForEach-Object ClientIP", s_phish);
            PsInvocation file = _session.Invoke("[System.IO.FileInfo]::new($args[0]) | Get-MailHeaderReport | ForEach-Object ClientIP", s_phish);
            Assert.Equal("203.0.113.45", Assert.Single(raw.Output).BaseObject);
            Assert.Equal("203.0.113.45", Assert.Single(path.Output).BaseObject);
            Assert.Equal("203.0.113.45", Assert.Single(file.Output).BaseObject);

            PsInvocation all = _session.Invoke("Get-MailHeaderReport -Path ($args[0] + '/*.txt')", s_samples);
            Assert.True(all.Errors.Count == 0, all.ErrorText);
            Assert.Equal(Directory.GetFiles(s_samples, "*.txt").Length, all.Output.Count);
        }

        [Fact]
        public void Missing_file_and_text_without_headers_are_specific_errors()
        {
            PsInvocation missing = _session.Invoke("Get-MailHeaderReport -LiteralPath /nonexistent/mail.eml");
            ErrorRecord notFound = Assert.Single(missing.Errors);
            Assert.Equal("FileNotFound,MailAuth.PowerShell.Commands.GetMailHeaderReportCommand", notFound.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, notFound.CategoryInfo.Category);

            PsInvocation junk = _session.Invoke("'this is not', 'a header block' | Get-MailHeaderReport");
            Assert.Empty(junk.Output);
            ErrorRecord noHeaders = Assert.Single(junk.Errors);
            Assert.Equal("NoHeaderFields,MailAuth.PowerShell.Commands.GetMailHeaderReportCommand", noHeaders.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidData, noHeaders.CategoryInfo.Category);
        }

        [Fact]
        public void Report_pipes_into_Test_Spf_and_Resolve_DmarcPolicy_by_property_name()
        {
            PsInvocation spf = _session.Invoke(
                "Get-MailHeaderReport -Path $args[0] | Test-Spf -Server $args[1]", s_phish, _server.Address);
            Assert.True(spf.Errors.Count == 0, spf.ErrorText);
            dynamic spfResult = Assert.Single(spf.Output);
            Assert.Equal("Pass", spfResult.Result.ToString());
            Assert.Equal("s12.cpanel-host.example.org", spfResult.Domain);
            Assert.Equal("203.0.113.45", spfResult.IPAddress);

            PsInvocation dmarc = _session.Invoke(
                "Get-MailHeaderReport -Path $args[0] | Resolve-DmarcPolicy -Server $args[1] -SkipReportAuthorization", s_phish, _server.Address);
            Assert.True(dmarc.Errors.Count == 0, dmarc.ErrorText);
            dynamic policy = Assert.Single(dmarc.Output);
            Assert.Equal("example.com", policy.Domain);
            Assert.Equal("Fail", policy.DmarcResult.ToString());
            Assert.Equal("Reject", policy.Disposition.ToString());
        }

        [Fact]
        public void Verify_recomputes_SPF_and_DMARC_beside_the_recorded_verdicts()
        {
            PsInvocation result = _session.Invoke(
                "Get-MailHeaderReport -Path $args[0] -Verify -Server $args[1] -NoCache -Verbose", s_phish, _server.Address);
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            dynamic report = Assert.Single(result.Output);
            Assert.Equal("pass", report.SpfNow);
            Assert.Equal("pass", report.Verification.SpfRecorded);
            Assert.Equal("fail", report.DmarcNow);
            Assert.Equal("reject", (string)report.Verification.DispositionNow);
            Assert.Contains(result.Verbose, v => v.StartsWith("DNS TXT s12.cpanel-host.example.org", StringComparison.Ordinal));
        }

        [Fact]
        public void A_large_mbox_streams_every_message_with_progress()
        {
            string mbox = Path.Combine(Path.GetTempPath(), "mailauth-" + Guid.NewGuid().ToString("N") + ".mbox");
            string message = File.ReadAllText(Path.Combine(s_samples, "m365-clean-inbound.txt")).Replace("\r\n", "\n");
            using (var writer = new StreamWriter(mbox))
            {
                for (int i = 0; i < 6000; i++)
                {
                    writer.Write("From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n" + message + "\n\n");
                }
            }

            try
            {
                PsInvocation result = _session.Invoke("Get-MailHeaderReport -LiteralPath $args[0] | ForEach-Object MessageNumber", mbox);
                Assert.True(result.Errors.Count == 0, result.ErrorText);
                Assert.Equal(Enumerable.Range(1, 6000).Cast<object>(), result.Output.Select(o => o.BaseObject));
                Assert.NotEmpty(result.Progress);
                Assert.Equal(ProgressRecordType.Completed, result.Progress[^1].RecordType);
            }
            finally
            {
                File.Delete(mbox);
            }
        }

        [Fact]
        public void An_mbox_gives_one_report_per_message()
        {
            string mbox = Path.Combine(Path.GetTempPath(), "mailauth-" + Guid.NewGuid().ToString("N") + ".mbox");
            string message = File.ReadAllText(Path.Combine(s_samples, "m365-clean-inbound.txt")).Replace("\r\n", "\n");
            File.WriteAllText(mbox, "From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n" + message + "\n\nFrom MAILER-DAEMON Mon Nov 23 10:01:00 2026\n" + message + "\n");
            try
            {
                PsInvocation result = _session.Invoke("Get-MailHeaderReport -LiteralPath $args[0] | ForEach-Object MessageNumber", mbox);
                Assert.True(result.Errors.Count == 0, result.ErrorText);
                Assert.Equal(new object[] { 1, 2 }, result.Output.Select(o => o.BaseObject).ToArray());
            }
            finally
            {
                File.Delete(mbox);
            }
        }
    }
}
