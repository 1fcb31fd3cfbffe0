using System;
using System.IO;
using System.Text.RegularExpressions;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Cli
{
    /// <summary>mailauth header --html and mailauth audit --html: the page beside the usual output.</summary>
    public sealed class CliHtmlTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "mailauth-cli-html-" + Guid.NewGuid().ToString("N"));

        public CliHtmlTests() => Directory.CreateDirectory(_dir);

        public void Dispose()
        {
            try
            {
                Directory.Delete(_dir, true);
            }
            catch (IOException)
            {
            }
        }

        [Fact]
        public void HeaderWritesThePageAndStillPrintsTheReport()
        {
            string page = Path.Combine(_dir, "header.html");
            CliResult result = CliRunner.Run(null, "header", RepositoryFiles.Path("samples/phish-spf-pass-unaligned.txt"), RepositoryFiles.Path("tests/html/hostile-headers.eml"), "--html", page);
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("SUSPECT", result.Stdout, StringComparison.Ordinal);
            string html = File.ReadAllText(page);
            Assert.Contains("<title>Header analysis: 2 messages</title>", html, StringComparison.Ordinal);
            Assert.Equal(2, Regex.Matches(html, "<section class=\"card msg\"").Count);
            Assert.Contains("&lt;script&gt;window.__pwned=7", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        }

        [Fact]
        public void AnUnwritableHtmlPathIsAUsageErrorBeforeAnyInput()
        {
            CliResult result = CliRunner.Run(null, "header", RepositoryFiles.Path("samples/phish-spf-pass-unaligned.txt"), "--html", Path.Combine(_dir, "no", "such", "x.html"));
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("--html", result.Stderr, StringComparison.Ordinal);
            Assert.Equal(string.Empty, result.Stdout);
        }

        [Fact]
        public void AuditWritesOneRowPerDomainLine()
        {
            var zone = new DnsZone();
            zone.Add("a.example", ZoneRecordType.MX, "10 mx.a.example").Add("mx.a.example", ZoneRecordType.A, "192.0.2.1");
            zone.AddTxt("a.example", "v=spf1 mx -all").AddTxt("_dmarc.a.example", "v=DMARC1; p=reject; rua=mailto:d@a.example");
            zone.AddTxt("b.example", "v=spf1 <b>bold</b> ~all");
            using LoopbackDnsServer server = LoopbackDnsServer.Start(zone);
            string domains = Path.Combine(_dir, "domains.txt");
            File.WriteAllLines(domains, new[] { "a.example", "# comment", "b.example", "not a domain!" });
            string page = Path.Combine(_dir, "audit.html");
            string csv = Path.Combine(_dir, "audit.csv");
            CliResult result = CliRunner.Run(null, "audit", domains, "--server", server.Address, "--no-mta-sts-fetch", "--html", page, "--csv", csv);
            Assert.True(result.ExitCode == 1, result.ToString()); // the bad line makes it 1, as without --html
            string html = File.ReadAllText(page);
            Assert.Contains("<title>Domain audit: domains.txt</title>", html, StringComparison.Ordinal);
            Assert.Equal(3, Regex.Matches(html, "<div class=\"dr\" data-g=").Count);
            Assert.Contains("v=spf1 &lt;b&gt;bold&lt;/b&gt; ~all", html, StringComparison.Ordinal);
            Assert.Contains("data-s=\"InvalidInput\"", html, StringComparison.Ordinal);
            Assert.Equal(1, Regex.Matches(html, "<script>").Count);
            Assert.Equal(4, File.ReadAllLines(csv).Length);
        }
    }
}
