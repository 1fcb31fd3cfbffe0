using System;
using System.IO;
using System.Linq;

namespace MailAuth.Core.Tests.Cli
{
    /// <summary>mailauth reports import / summary over the report corpus.</summary>
    public sealed class CliReportsTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "mailauth-cli-reports-" + Guid.NewGuid().ToString("N"));

        public CliReportsTests()
        {
            Directory.CreateDirectory(_folder);
        }

        private static string Own(string name) => RepositoryFiles.Conformance("dmarc-reports/mailauth/" + name);

        [Fact]
        public void Import_writes_csv_rows_and_names_the_bad_file_with_exit_1()
        {
            string csv = Path.Combine(_folder, "r.csv");
            CliResult r = CliRunner.Run(null, "reports", "import", Own("yahoo.com!contoso.com!1767225600!1767311999.xml.gz"), Own("truncated.xml"),
                Own("google.com!contoso.com!1767225600!1767311999.zip"), "--csv", csv);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("truncated.xml: truncated XML", r.Stderr, StringComparison.Ordinal);
            string[] lines = File.ReadAllLines(csv);
            Assert.StartsWith("OrgName,ReportId,BeginDate,EndDate,PolicyDomain,PolicyP,SourceIP,Count,", lines[0], StringComparison.Ordinal);
            Assert.Equal(1 + 6, lines.Length);
        }

        [Fact]
        public void Import_json_has_the_cmdlet_property_names()
        {
            CliResult r = CliRunner.Run(null, "reports", "import", Own("rfc9990-receiver.example!contoso.com!1767225600!1767311999.xml"), "--json");
            Assert.Equal(0, r.ExitCode);
            string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Length);
            Assert.Contains("\"Disposition\":\"Pass\"", lines[0], StringComparison.Ordinal);
            Assert.Contains("\"Selector\":\"selector1\"", lines[0], StringComparison.Ordinal);
        }

        [Fact]
        public void Database_keeps_reports_once_and_summary_reads_them()
        {
            string db = Path.Combine(_folder, "r.db");
            CliResult first = CliRunner.Run(null, "reports", "import", Own("yahoo.com!contoso.com!1767225600!1767311999.xml.gz"), "--database", db);
            Assert.Equal(0, first.ExitCode);
            Assert.Contains("stored Yahoo 1767312000.612345", first.Stdout, StringComparison.Ordinal);
            CliResult again = CliRunner.Run(null, "reports", "import", Own("yahoo.com!contoso.com!1767225600!1767311999.xml.gz"), "--database", db);
            Assert.Equal(0, again.ExitCode);
            Assert.Contains("note: ", again.Stderr, StringComparison.Ordinal);
            Assert.Contains("duplicate report Yahoo", again.Stderr, StringComparison.Ordinal);
            CliResult summary = CliRunner.Run(null, "reports", "summary", "--database", db);
            Assert.Equal(0, summary.ExitCode);
            string line = summary.Stdout.Split('\n').First(l => l.StartsWith("40.107.22.51", StringComparison.Ordinal));
            Assert.Contains(" 12 ", line, StringComparison.Ordinal);
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
