using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using MailAuth.Reports;

namespace MailAuth.Core.Tests.Reports
{
    /// <summary>
    /// The report corpus of tests/conformance/dmarc-reports (see SOURCES.md): every file, imported
    /// alone, gives the records, messages, errors and duplicates written in expected.json by
    /// reading the files; and stalwart's reports give what stalwart's own parser expects.
    /// </summary>
    public class DmarcReportCorpusTests
    {
        private static readonly JsonElement s_expected =
            JsonDocument.Parse(File.ReadAllText(RepositoryFiles.Conformance("dmarc-reports/expected.json"))).RootElement;

        public static IEnumerable<object[]> DmarcFiles() =>
            s_expected.GetProperty("dmarc").EnumerateObject().Select(p => new object[] { p.Name });

        [Theory]
        [MemberData(nameof(DmarcFiles))]
        public void Each_file_imports_as_expected(string file)
        {
            JsonElement expected = s_expected.GetProperty("dmarc").GetProperty(file);
            var outcome = Import(RepositoryFiles.Conformance("dmarc-reports/" + file));

            Assert.Equal(expected.GetProperty("records").GetInt64(), outcome.Records.Count);
            Assert.Equal(expected.GetProperty("messages").GetInt64(), outcome.Records.Sum(r => r.Count));
            string[] errors = expected.TryGetProperty("errors", out JsonElement e) ? e.EnumerateArray().Select(x => x.GetString()!).ToArray() : Array.Empty<string>();
            Assert.Equal(errors, outcome.Errors.Select(x => x.ErrorId).ToArray());
            foreach (ReportImportProblem problem in outcome.Errors)
            {
                // The message names the file and says what is wrong.
                Assert.Contains(Path.GetFileName(file), problem.Message, StringComparison.Ordinal);
                Assert.True(problem.Reason.Length > 20, problem.Reason);
            }

            int duplicates = expected.TryGetProperty("duplicates", out JsonElement d) ? d.GetInt32() : 0;
            Assert.Equal(duplicates, outcome.Duplicates.Count);
            if (expected.TryGetProperty("reports", out JsonElement reports))
            {
                Assert.Equal(reports.GetInt32(), outcome.Reports.Count);
            }

            if (expected.TryGetProperty("org", out JsonElement org))
            {
                Assert.All(outcome.Records, r => Assert.Equal(org.GetString(), r.OrgName));
            }

            if (expected.TryGetProperty("schema", out JsonElement schema))
            {
                Assert.All(outcome.Reports, r => Assert.Equal(schema.GetString(), r.Schema));
            }

            Assert.All(outcome.Records, r => Assert.Equal(RepositoryFiles.Conformance("dmarc-reports/" + file), r.SourceFile));
        }

        public static IEnumerable<object[]> StalwartFiles() =>
            Directory.GetFiles(RepositoryFiles.Conformance("stalwart-mail-auth/dmarc-feedback"), "*.json").OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => new object[] { Path.GetFileName(f) });

        [Theory]
        [MemberData(nameof(StalwartFiles))]
        public void Stalwart_reports_read_as_stalwart_expects(string jsonName)
        {
            string folder = RepositoryFiles.Conformance("stalwart-mail-auth/dmarc-feedback");
            string stem = Path.GetFileNameWithoutExtension(jsonName);
            string report = File.Exists(Path.Combine(folder, stem + ".xml")) ? Path.Combine(folder, stem + ".xml") : Path.Combine(folder, stem + ".eml");
            JsonElement want = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, jsonName))).RootElement;
            var outcome = Import(report);

            Assert.Empty(outcome.Errors);
            DmarcAggregateReport got = Assert.Single(outcome.Reports);
            JsonElement meta = want.GetProperty("report_metadata");
            Assert.Equal(meta.GetProperty("org_name").GetString(), got.OrgName);
            Assert.Equal(meta.GetProperty("report_id").GetString(), got.ReportId);
            Assert.Equal(meta.GetProperty("email").GetString(), got.Email);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(meta.GetProperty("date_range").GetProperty("begin").GetInt64()).UtcDateTime, got.BeginDate);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(meta.GetProperty("date_range").GetProperty("end").GetInt64()).UtcDateTime, got.EndDate);
            JsonElement policy = want.GetProperty("policy_published");
            Assert.Equal(policy.GetProperty("domain").GetString(), got.PolicyDomain);
            Assert.Equal(policy.GetProperty("p").GetString(), got.PolicyP);
            Assert.Equal(Alignment(policy.GetProperty("adkim").GetString()), got.PolicyAdkim);
            Assert.Equal(Alignment(policy.GetProperty("aspf").GetString()), got.PolicyAspf);

            JsonElement[] records = want.GetProperty("record").EnumerateArray().ToArray();
            Assert.Equal(records.Length, outcome.Records.Count);
            for (int i = 0; i < records.Length; i++)
            {
                JsonElement row = records[i].GetProperty("row");
                DmarcReportRecord r = outcome.Records[i];
                Assert.Equal(row.GetProperty("source_ip").GetString(), r.SourceIP);
                Assert.Equal(row.GetProperty("count").GetInt64(), r.Count);
                JsonElement pe = row.GetProperty("policy_evaluated");
                Assert.Equal(pe.GetProperty("disposition").GetString(), r.Disposition);
                Assert.Equal(pe.GetProperty("dkim").GetString() == "Pass", r.DkimAligned);
                Assert.Equal(pe.GetProperty("spf").GetString() == "Pass", r.SpfAligned);
                Assert.Equal(pe.GetProperty("reason").GetArrayLength(), r.Detail.PolicyOverrides.Count);
                JsonElement ids = records[i].GetProperty("identifiers");
                Assert.Equal(ids.GetProperty("header_from").GetString(), r.HeaderFrom);
                Assert.Equal(ids.GetProperty("envelope_from").GetString() ?? string.Empty, r.EnvelopeFrom ?? string.Empty);
                JsonElement[] dkim = records[i].GetProperty("auth_results").GetProperty("dkim").EnumerateArray().ToArray();
                Assert.Equal(dkim.Length, r.Detail.Dkim.Count);
                for (int k = 0; k < dkim.Length; k++)
                {
                    Assert.Equal(dkim[k].GetProperty("domain").GetString(), r.Detail.Dkim[k].Domain);
                    Assert.Equal(dkim[k].GetProperty("selector").GetString() ?? string.Empty, r.Detail.Dkim[k].Selector ?? string.Empty);
                    Assert.Equal(dkim[k].GetProperty("result").GetString(), r.Detail.Dkim[k].Result);
                }

                JsonElement[] spf = records[i].GetProperty("auth_results").GetProperty("spf").EnumerateArray().ToArray();
                Assert.Equal(spf.Length, r.Detail.Spf.Count);
                for (int k = 0; k < spf.Length; k++)
                {
                    Assert.Equal(spf[k].GetProperty("domain").GetString(), r.Detail.Spf[k].Domain);
                    Assert.Equal(spf[k].GetProperty("result").GetString(), r.Detail.Spf[k].Result);
                    string? scope = spf[k].GetProperty("scope").GetString() switch { "MailFrom" => "mfrom", "Helo" => "helo", _ => null };
                    Assert.Equal(scope, r.Detail.Spf[k].Scope);
                }
            }
        }

        private static string? Alignment(string? stalwart) => stalwart switch { "Relaxed" => "Relaxed", "Strict" => "Strict", _ => null };

        internal static Outcome Import(string path, DmarcReportImporter? importer = null)
        {
            importer ??= new DmarcReportImporter();
            var outcome = new Outcome();
            foreach (DmarcReportImport import in importer.ImportFile(path))
            {
                if (import.DuplicateOf != null)
                {
                    outcome.Duplicates.Add(import.DuplicateNote!);
                    continue;
                }

                outcome.Records.AddRange(import.Records);
                if (import.Error != null)
                {
                    outcome.Errors.Add(import.Error);
                }
                else if (import.Report != null)
                {
                    outcome.Reports.Add(import.Report);
                }
            }

            return outcome;
        }

        internal sealed class Outcome
        {
            public List<DmarcReportRecord> Records { get; } = new List<DmarcReportRecord>();

            public List<ReportImportProblem> Errors { get; } = new List<ReportImportProblem>();

            public List<DmarcAggregateReport> Reports { get; } = new List<DmarcAggregateReport>();

            public List<string> Duplicates { get; } = new List<string>();
        }
    }
}
