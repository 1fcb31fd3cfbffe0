using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MailAuth.Reports;
using MailAuth.Reports.Storage;

namespace MailAuth.Core.Tests.Reports
{
    /// <summary>One PostgreSQL cluster for the storage tests of this assembly.</summary>
    public sealed class PostgresFixture : IDisposable
    {
        private readonly Lazy<PostgresCluster> _cluster = new Lazy<PostgresCluster>(() => new PostgresCluster());

        public PostgresCluster Cluster => _cluster.Value;

        public void Dispose()
        {
            if (_cluster.IsValueCreated)
            {
                _cluster.Value.Dispose();
            }
        }
    }

    /// <summary>
    /// SQLite and a real PostgreSQL hold the same data: the corpus imported into both reads back
    /// record for record, field for field, equal to what was imported; reports are kept once.
    /// </summary>
    public sealed class ReportStoreTests : IClassFixture<PostgresFixture>, IDisposable
    {
        private readonly PostgresFixture _pg;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "mailauth-store-" + Guid.NewGuid().ToString("N"));

        public ReportStoreTests(PostgresFixture pg)
        {
            _pg = pg;
            Directory.CreateDirectory(_folder);
        }

        private static IEnumerable<string> Corpus() =>
            new[] { "mailauth", "parsedmarc/aggregate" }.SelectMany(f => Directory.GetFiles(RepositoryFiles.Conformance("dmarc-reports/" + f)))
                .Concat(Directory.GetFiles(RepositoryFiles.Conformance("stalwart-mail-auth/dmarc-feedback")))
                .Where(f => !f.EndsWith(".json", StringComparison.Ordinal) && !f.EndsWith(".py", StringComparison.Ordinal))
                .OrderBy(f => f, StringComparer.Ordinal);

        [Fact]
        public void Sqlite_and_PostgreSQL_hold_the_same_data_as_imported()
        {
            List<string> imported = Fill(null);
            using IDmarcReportStore sqlite = DmarcReportStore.OpenSqlite(Path.Combine(_folder, "reports.db"));
            using IDmarcReportStore postgres = DmarcReportStore.OpenPostgres(_pg.Cluster.NewDatabase("same_data"));
            Fill(sqlite);
            Fill(postgres);

            List<string> fromSqlite = sqlite.ReadRecords().Select(Canonical).ToList();
            List<string> fromPostgres = postgres.ReadRecords().Select(Canonical).ToList();
            Assert.True(imported.Count > 2300, "the corpus has its records");
            Assert.Equal(imported.OrderBy(x => x, StringComparer.Ordinal), fromSqlite.OrderBy(x => x, StringComparer.Ordinal));
            Assert.Equal(fromSqlite, fromPostgres);
            Assert.Equal(sqlite.ReadReports().Select(ReportCanonical), postgres.ReadReports().Select(ReportCanonical));
        }

        [Fact]
        public void A_report_is_kept_once_and_found_again()
        {
            using IDmarcReportStore store = DmarcReportStore.OpenPostgres(_pg.Cluster.NewDatabase("once"));
            string yahoo = RepositoryFiles.Conformance("dmarc-reports/mailauth/yahoo.com!contoso.com!1767225600!1767311999.xml.gz");
            var importer = new DmarcReportImporter(new ReportImportOptions { KnownReport = store.FindReport });
            foreach (DmarcReportImport i in importer.ImportFile(yahoo))
            {
                Assert.Equal(3, store.AddReport(i.Report!, i.Records, () => i.Error));
            }

            var second = new DmarcReportImporter(new ReportImportOptions { KnownReport = store.FindReport });
            DmarcReportImport again = Assert.Single(second.ImportFile(yahoo));
            Assert.NotNull(again.DuplicateOf);
            Assert.Contains("PostgreSQL 127.0.0.1", again.DuplicateNote, StringComparison.Ordinal);
            Assert.Equal(3, store.ReadRecords(policyDomain: "contoso.com").Count());
            Assert.Empty(store.ReadRecords(since: new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
        }

        [Fact]
        public void A_database_of_another_schema_version_is_refused()
        {
            string path = Path.Combine(_folder, "old.db");
            using (IDmarcReportStore created = DmarcReportStore.OpenSqlite(path))
            {
            }

            using (var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + path + ";Pooling=false"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "UPDATE mailauth_schema SET version = 99";
                command.ExecuteNonQuery();
            }

            var ex = Assert.Throws<DmarcReportStoreException>(() => DmarcReportStore.OpenSqlite(path));
            Assert.Contains("version 99", ex.Message, StringComparison.Ordinal);
        }

        private static List<string> Fill(IDmarcReportStore? store)
        {
            var importer = new DmarcReportImporter(new ReportImportOptions { KnownReport = store is null ? null : (Func<string, string, string?>)store.FindReport });
            var all = new List<string>();
            foreach (string file in Corpus())
            {
                foreach (DmarcReportImport i in importer.ImportFile(file))
                {
                    if (i.Error != null || i.DuplicateOf != null)
                    {
                        continue;
                    }

                    if (store is null)
                    {
                        all.AddRange(i.Records.Select(Canonical));
                    }
                    else
                    {
                        store.AddReport(i.Report!, i.Records, () => i.Error);
                    }
                }
            }

            return all;
        }

        internal static string Canonical(DmarcReportRecord r) => string.Join("|", new object?[]
        {
            r.OrgName, r.ReportId, r.BeginDate.ToString("o"), r.EndDate.ToString("o"), r.PolicyDomain, r.PolicyP, r.SourceIP, r.Count, r.Disposition,
            r.HeaderFrom, r.EnvelopeFrom, r.DkimResult, r.DkimDomain, r.SpfResult, r.SpfDomain, r.DkimAligned, r.SpfAligned, r.DmarcResult, r.SourceFile,
            r.Detail.EnvelopeTo, r.Detail.ToString(), string.Join(",", r.Detail.Dkim.Select(d => d.HumanResult)), string.Join(",", r.Detail.Spf.Select(d => d.HumanResult)),
            r.Detail.Extensions.ToString(), ReportCanonical(r.Detail.Report),
        });

        private static string ReportCanonical(DmarcAggregateReport r) => string.Join("|", new object?[]
        {
            r.OrgName, r.ReportId, r.Email, r.ExtraContactInfo, r.Generator, r.Errors.ToString(), r.Version, r.Schema, r.Namespace, r.PolicySp, r.PolicyNp,
            r.PolicyAdkim, r.PolicyAspf, r.PolicyPct, r.PolicyFo, r.PolicyTesting, r.DiscoveryMethod, r.Location, r.RecordCount, r.MessageCount, r.Notes.ToString(), r.Extensions.ToString(),
        });

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
