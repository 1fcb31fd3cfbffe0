using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using MailAuth.Reports;

namespace MailAuth.Core.Tests.Reports
{
    /// <summary>TLS reports of the corpus (expected.json "tlsrpt", written by reading the files).</summary>
    public class TlsRptReportTests
    {
        private static readonly JsonElement s_expected =
            JsonDocument.Parse(File.ReadAllText(RepositoryFiles.Conformance("dmarc-reports/expected.json"))).RootElement.GetProperty("tlsrpt");

        public static IEnumerable<object[]> Files() => s_expected.EnumerateObject().Select(p => new object[] { p.Name });

        [Theory]
        [MemberData(nameof(Files))]
        public void Each_file_imports_as_expected(string file)
        {
            JsonElement want = s_expected.GetProperty(file);
            var rows = new List<TlsRptReportRow>();
            var errors = new List<string>();
            foreach (TlsRptReportImport import in new TlsRptReportImporter().ImportFile(RepositoryFiles.Conformance("dmarc-reports/" + file)))
            {
                rows.AddRange(import.Rows);
                if (import.Error != null)
                {
                    errors.Add(import.Error.ErrorId);
                    Assert.Contains(Path.GetFileName(file), import.Error.Message, StringComparison.Ordinal);
                }
            }

            Assert.Equal(want.GetProperty("rows").GetInt32(), rows.Count);
            string[] wantErrors = want.TryGetProperty("errors", out JsonElement e) ? e.EnumerateArray().Select(x => x.GetString()!).ToArray() : Array.Empty<string>();
            Assert.Equal(wantErrors, errors.ToArray());
            if (want.TryGetProperty("policies", out JsonElement policies))
            {
                Assert.Equal(policies.GetInt32(), rows.Select(r => r.PolicyNumber).Distinct().Count());
                Assert.Equal(want.GetProperty("failedSessions").GetInt64(), rows.Sum(r => r.FailedSessionCount));
            }
        }

        [Fact]
        public void The_rfc_example_reads_field_by_field()
        {
            TlsRptReportRow[] rows = new TlsRptReportImporter().ImportFile(RepositoryFiles.Conformance("dmarc-reports/parsedmarc/smtp_tls/rfc8460.json")).SelectMany(i => i.Rows).ToArray();
            TlsRptReportRow last = rows[2];
            Assert.Equal("Company-X", last.OrganizationName);
            Assert.Equal("5065427c-23d3-47ca-b6e0-946ea0e8c4be", last.ReportId);
            Assert.Equal(new DateTime(2016, 4, 1, 23, 59, 59, DateTimeKind.Utc), last.EndDate);
            Assert.Equal("sts", last.PolicyType);
            Assert.Equal("company-y.example", last.PolicyDomain);
            Assert.Equal("*.mail.company-y.example", last.MxHost);
            Assert.Equal(5326, last.TotalSuccessfulSessionCount);
            Assert.Equal(303, last.TotalFailureSessionCount);
            Assert.Equal("validation-failure", last.ResultType);
            Assert.Equal("198.51.100.62", last.SendingMtaIp);
            Assert.Equal("203.0.113.58", last.ReceivingIp);
            Assert.Equal("X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED", last.FailureReasonCode);
            Assert.Equal(4, last.PolicyString.Count);
        }
    }
}
