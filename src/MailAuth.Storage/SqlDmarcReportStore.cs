using System;
using System.Collections.Generic;
using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Linq;
using MailAuth.Dmarc;
using MailAuth.Reports;
using MailAuth.Reports.Storage;

namespace MailAuth.Storage
{
    /// <summary>
    /// The report schema of docs/reports.md over ADO.NET: the same tables, columns and types in
    /// SQLite and PostgreSQL (dates as Unix seconds, booleans as 0/1, lists as text), so both keep
    /// the same data and the same queries read it. Only the key column's identity clause differs.
    /// </summary>
    public abstract class SqlDmarcReportStore : IDmarcReportStore
    {
        private static readonly DateTime s_epoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        private readonly DbConnection _connection;

        protected SqlDmarcReportStore(DbConnection connection, string description)
        {
            _connection = connection;
            Description = description;
            try
            {
                _connection.Open();
                EnsureSchema();
            }
            catch (DbException ex)
            {
                _connection.Dispose();
                throw new DmarcReportStoreException($"{description}: cannot open the report database: {ex.Message}", ex);
            }
        }

        public string Description { get; }

        /// <summary>The key column: an identity in each dialect.</summary>
        protected abstract string KeyColumn { get; }

        protected virtual void Prepare(DbCommand command)
        {
        }

        private void EnsureSchema()
        {
            int? version = ReadVersion();
            if (version == DmarcReportStore.SchemaVersion)
            {
                return;
            }

            if (version != null)
            {
                throw new DmarcReportStoreException(
                    $"{Description}: the database has report schema version {version}; this module reads version {DmarcReportStore.SchemaVersion} (docs/reports.md).");
            }

            using DbTransaction tx = _connection.BeginTransaction();
            foreach (string ddl in Schema())
            {
                Execute(ddl, tx);
            }

            Execute("INSERT INTO mailauth_schema (version, applied_utc) VALUES (" + DmarcReportStore.SchemaVersion.ToString(CultureInfo.InvariantCulture) + ", " + Seconds(DateTime.UtcNow).ToString(CultureInfo.InvariantCulture) + ")", tx);
            tx.Commit();
        }

        private int? ReadVersion()
        {
            try
            {
                using DbCommand command = _connection.CreateCommand();
                command.CommandText = "SELECT MAX(version) FROM mailauth_schema";
                object? value = command.ExecuteScalar();
                return value is null || value is DBNull ? (int?)null : Convert.ToInt32(value, CultureInfo.InvariantCulture);
            }
            catch (DbException)
            {
                // No schema table: a new database.
                return null;
            }
        }

        /// <summary>Schema version 1 (docs/reports.md).</summary>
        private IEnumerable<string> Schema()
        {
            yield return "CREATE TABLE mailauth_schema (version INTEGER NOT NULL, applied_utc BIGINT NOT NULL)";
            yield return "CREATE TABLE dmarc_report (" +
                KeyColumn + ", org_key TEXT NOT NULL, org_name TEXT NOT NULL, report_id TEXT NOT NULL, email TEXT, extra_contact_info TEXT, " +
                "generator TEXT, errors TEXT, version TEXT, schema_name TEXT NOT NULL, namespace TEXT NOT NULL, begin_utc BIGINT NOT NULL, end_utc BIGINT NOT NULL, " +
                "policy_domain TEXT NOT NULL, policy_p TEXT NOT NULL, policy_sp TEXT, policy_np TEXT, policy_adkim TEXT, policy_aspf TEXT, policy_pct INTEGER, " +
                "policy_fo TEXT, policy_testing TEXT, discovery_method TEXT, source_file TEXT NOT NULL, location TEXT, record_count BIGINT NOT NULL, " +
                "message_count BIGINT NOT NULL, notes TEXT, extensions TEXT, imported_utc BIGINT NOT NULL, UNIQUE (org_key, report_id))";
            yield return "CREATE TABLE dmarc_record (report_key BIGINT NOT NULL REFERENCES dmarc_report (report_key) ON DELETE CASCADE, " +
                "record_number INTEGER NOT NULL, source_ip TEXT NOT NULL, message_count BIGINT NOT NULL, disposition TEXT NOT NULL, " +
                "dkim_aligned INTEGER NOT NULL, spf_aligned INTEGER NOT NULL, dmarc_result TEXT NOT NULL, header_from TEXT NOT NULL, envelope_from TEXT, envelope_to TEXT, " +
                "dkim_result TEXT, dkim_domain TEXT, spf_result TEXT, spf_domain TEXT, primary_dkim INTEGER, primary_spf INTEGER, extensions TEXT, " +
                "PRIMARY KEY (report_key, record_number))";
            yield return "CREATE TABLE dmarc_auth_result (report_key BIGINT NOT NULL, record_number INTEGER NOT NULL, result_number INTEGER NOT NULL, " +
                "method TEXT NOT NULL, domain TEXT NOT NULL, selector TEXT, scope TEXT, result TEXT NOT NULL, human_result TEXT, " +
                "PRIMARY KEY (report_key, record_number, result_number), FOREIGN KEY (report_key, record_number) REFERENCES dmarc_record (report_key, record_number) ON DELETE CASCADE)";
            yield return "CREATE TABLE dmarc_override_reason (report_key BIGINT NOT NULL, record_number INTEGER NOT NULL, reason_number INTEGER NOT NULL, " +
                "type TEXT NOT NULL, comment TEXT, PRIMARY KEY (report_key, record_number, reason_number), " +
                "FOREIGN KEY (report_key, record_number) REFERENCES dmarc_record (report_key, record_number) ON DELETE CASCADE)";
            yield return "CREATE INDEX dmarc_record_source_ip ON dmarc_record (source_ip)";
            yield return "CREATE INDEX dmarc_report_period ON dmarc_report (policy_domain, begin_utc)";
        }

        public string? FindReport(string orgName, string reportId)
        {
            using DbCommand command = Command("SELECT source_file, location FROM dmarc_report WHERE org_key = @org AND report_id = @id", null);
            Add(command, "@org", OrgKey(orgName));
            Add(command, "@id", reportId.Trim());
            using DbDataReader reader = command.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            string file = reader.GetString(0);
            return reader.IsDBNull(1) ? Description + ": " + file : Description + ": " + file + " (" + reader.GetString(1) + ")";
        }

        public long AddReport(DmarcAggregateReport report, IEnumerable<DmarcReportRecord> records, Func<ReportImportProblem?> error)
        {
            if (report is null)
            {
                throw new ArgumentNullException(nameof(report));
            }

            try
            {
                using DbTransaction tx = _connection.BeginTransaction();
                long key = InsertReport(report, tx);
                using DbCommand record = Command("INSERT INTO dmarc_record (report_key, record_number, source_ip, message_count, disposition, dkim_aligned, spf_aligned, dmarc_result, header_from, envelope_from, envelope_to, dkim_result, dkim_domain, spf_result, spf_domain, primary_dkim, primary_spf, extensions) VALUES (@k, @n, @ip, @c, @d, @da, @sa, @dr, @hf, @ef, @et, @dkr, @dkd, @spr, @spd, @pd, @ps, @x)", tx);
                DbParameter[] rp = Parameters(record, "@k", "@n", "@ip", "@c", "@d", "@da", "@sa", "@dr", "@hf", "@ef", "@et", "@dkr", "@dkd", "@spr", "@spd", "@pd", "@ps", "@x");
                using DbCommand auth = Command("INSERT INTO dmarc_auth_result (report_key, record_number, result_number, method, domain, selector, scope, result, human_result) VALUES (@k, @n, @r, @m, @dom, @sel, @sc, @res, @h)", tx);
                DbParameter[] ap = Parameters(auth, "@k", "@n", "@r", "@m", "@dom", "@sel", "@sc", "@res", "@h");
                using DbCommand reason = Command("INSERT INTO dmarc_override_reason (report_key, record_number, reason_number, type, comment) VALUES (@k, @n, @r, @t, @c)", tx);
                DbParameter[] op = Parameters(reason, "@k", "@n", "@r", "@t", "@c");
                Prepare(record);
                Prepare(auth);
                Prepare(reason);
                long n = 0;
                foreach (DmarcReportRecord r in records)
                {
                    n++;
                    DmarcRecordDetail d = r.Detail;
                    Set(rp, key, n, r.SourceIP, r.Count, r.Disposition, r.DkimAligned ? 1 : 0, r.SpfAligned ? 1 : 0, r.DmarcResult, r.HeaderFrom, r.EnvelopeFrom,
                        d.EnvelopeTo, r.DkimResult, r.DkimDomain, r.SpfResult, r.SpfDomain,
                        d.PrimaryDkim is null ? null : (object)(d.Dkim.IndexOf(d.PrimaryDkim) + 1),
                        d.PrimarySpf is null ? null : (object)(d.Spf.IndexOf(d.PrimarySpf) + 1), Join(d.Extensions));
                    record.ExecuteNonQuery();
                    int i = 0;
                    foreach (DmarcDkimAuthResult a in d.Dkim)
                    {
                        Set(ap, key, n, ++i, "dkim", a.Domain, a.Selector, null, a.Result, a.HumanResult);
                        auth.ExecuteNonQuery();
                    }

                    foreach (DmarcSpfAuthResult a in d.Spf)
                    {
                        Set(ap, key, n, ++i, "spf", a.Domain, null, a.Scope, a.Result, a.HumanResult);
                        auth.ExecuteNonQuery();
                    }

                    int j = 0;
                    foreach (DmarcPolicyOverrideReason o in d.PolicyOverrides)
                    {
                        Set(op, key, n, ++j, o.Type, o.Comment);
                        reason.ExecuteNonQuery();
                    }
                }

                if (error() != null)
                {
                    // A streamed report that went bad: keep none of it.
                    tx.Rollback();
                    return 0;
                }

                // Counts and notes are complete only now that every record was read.
                using (DbCommand update = Command("UPDATE dmarc_report SET record_count = @rc, message_count = @mc, notes = @notes, extensions = @x, errors = @e WHERE report_key = @k", tx))
                {
                    Add(update, "@rc", report.RecordCount);
                    Add(update, "@mc", report.MessageCount);
                    Add(update, "@notes", Join(report.Notes));
                    Add(update, "@x", Join(report.Extensions));
                    Add(update, "@e", Join(report.Errors));
                    Add(update, "@k", key);
                    update.ExecuteNonQuery();
                }

                tx.Commit();
                return n;
            }
            catch (DbException ex)
            {
                throw new DmarcReportStoreException($"{Description}: the report {report.OrgName} {report.ReportId} from {report.Origin} could not be stored: {ex.Message}", ex);
            }
        }

        private long InsertReport(DmarcAggregateReport r, DbTransaction tx)
        {
            using DbCommand command = Command("INSERT INTO dmarc_report (org_key, org_name, report_id, email, extra_contact_info, generator, errors, version, schema_name, namespace, begin_utc, end_utc, policy_domain, policy_p, policy_sp, policy_np, policy_adkim, policy_aspf, policy_pct, policy_fo, policy_testing, discovery_method, source_file, location, record_count, message_count, notes, extensions, imported_utc) VALUES (@ok, @o, @id, @em, @x, @g, @e, @v, @s, @ns, @b, @en, @pd, @p, @sp, @np, @ad, @as, @pct, @fo, @t, @dm, @sf, @loc, 0, 0, NULL, NULL, @now) RETURNING report_key", tx);
            DbParameter[] p = Parameters(command, "@ok", "@o", "@id", "@em", "@x", "@g", "@e", "@v", "@s", "@ns", "@b", "@en", "@pd", "@p", "@sp", "@np", "@ad", "@as", "@pct", "@fo", "@t", "@dm", "@sf", "@loc", "@now");
            Set(p, OrgKey(r.OrgName), r.OrgName, r.ReportId.Trim(), r.Email, r.ExtraContactInfo, r.Generator, Join(r.Errors), r.Version, r.Schema, r.Namespace,
                Seconds(r.BeginDate), Seconds(r.EndDate), r.PolicyDomain, r.PolicyP, r.PolicySp, r.PolicyNp, r.PolicyAdkim, r.PolicyAspf,
                r.PolicyPct is int pct ? (object)pct : null, r.PolicyFo, r.PolicyTesting, r.DiscoveryMethod, r.SourceFile, r.Location, Seconds(DateTime.UtcNow));
            return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        public IEnumerable<DmarcAggregateReport> ReadReports(DateTime? since = null, DateTime? until = null, string? policyDomain = null)
        {
            foreach ((long _, DmarcAggregateReport report) in Reports(since, until, policyDomain))
            {
                yield return report;
            }
        }

        public IEnumerable<DmarcReportRecord> ReadRecords(DateTime? since = null, DateTime? until = null, string? policyDomain = null)
        {
            foreach ((long key, DmarcAggregateReport report) in Reports(since, until, policyDomain).ToList())
            {
                var auth = new Dictionary<long, List<object[]>>();
                using (DbCommand command = Command("SELECT record_number, method, domain, selector, scope, result, human_result FROM dmarc_auth_result WHERE report_key = @k ORDER BY record_number, result_number", null))
                {
                    Add(command, "@k", key);
                    using DbDataReader reader = command.ExecuteReader();
                    while (reader.Read())
                    {
                        long n = reader.GetInt64(0);
                        if (!auth.TryGetValue(n, out List<object[]>? list))
                        {
                            auth[n] = list = new List<object[]>();
                        }

                        list.Add(new object[] { reader.GetString(1), reader.GetString(2), Text(reader, 3)!, Text(reader, 4)!, reader.GetString(5), Text(reader, 6)! });
                    }
                }

                var reasons = new Dictionary<long, List<DmarcPolicyOverrideReason>>();
                using (DbCommand command = Command("SELECT record_number, type, comment FROM dmarc_override_reason WHERE report_key = @k ORDER BY record_number, reason_number", null))
                {
                    Add(command, "@k", key);
                    using DbDataReader reader = command.ExecuteReader();
                    while (reader.Read())
                    {
                        long n = reader.GetInt64(0);
                        if (!reasons.TryGetValue(n, out List<DmarcPolicyOverrideReason>? list))
                        {
                            reasons[n] = list = new List<DmarcPolicyOverrideReason>();
                        }

                        list.Add(DmarcStoredValues.Reason(reader.GetString(1), Text(reader, 2)));
                    }
                }

                var records = new List<DmarcReportRecord>();
                using (DbCommand command = Command("SELECT record_number, source_ip, message_count, disposition, dkim_aligned, spf_aligned, header_from, envelope_from, envelope_to, primary_dkim, primary_spf, extensions FROM dmarc_record WHERE report_key = @k ORDER BY record_number", null))
                {
                    Add(command, "@k", key);
                    using DbDataReader reader = command.ExecuteReader();
                    while (reader.Read())
                    {
                        long n = reader.GetInt64(0);
                        var dkim = new List<DmarcDkimAuthResult>();
                        var spf = new List<DmarcSpfAuthResult>();
                        if (auth.TryGetValue(n, out List<object[]>? results))
                        {
                            foreach (object[] a in results)
                            {
                                if ((string)a[0] == "dkim")
                                {
                                    dkim.Add(DmarcStoredValues.Dkim((string)a[1], (string?)a[2], (string)a[4], (string?)a[5]));
                                }
                                else
                                {
                                    spf.Add(DmarcStoredValues.Spf((string)a[1], (string?)a[3], (string)a[4], (string?)a[5]));
                                }
                            }
                        }

                        int? primaryDkim = reader.IsDBNull(9) ? (int?)null : Convert.ToInt32(reader.GetValue(9), CultureInfo.InvariantCulture);
                        int? primarySpf = reader.IsDBNull(10) ? (int?)null : Convert.ToInt32(reader.GetValue(10), CultureInfo.InvariantCulture);
                        records.Add(DmarcStoredValues.Record(report, reader.GetString(1), reader.GetInt64(2), reader.GetString(3),
                            Convert.ToInt64(reader.GetValue(4), CultureInfo.InvariantCulture) != 0, Convert.ToInt64(reader.GetValue(5), CultureInfo.InvariantCulture) != 0,
                            reader.GetString(6), Text(reader, 7), Text(reader, 8), dkim, spf,
                            reasons.TryGetValue(n, out List<DmarcPolicyOverrideReason>? r) ? r : new List<DmarcPolicyOverrideReason>(),
                            Split(Text(reader, 11)), primaryDkim, primarySpf));
                    }
                }

                foreach (DmarcReportRecord record in records)
                {
                    yield return record;
                }
            }
        }

        private IEnumerable<(long Key, DmarcAggregateReport Report)> Reports(DateTime? since, DateTime? until, string? policyDomain)
        {
            var where = new List<string>();
            using DbCommand command = Command(string.Empty, null);
            if (since is DateTime s)
            {
                where.Add("end_utc >= @since");
                Add(command, "@since", Seconds(s.ToUniversalTime()));
            }

            if (until is DateTime u)
            {
                where.Add("begin_utc <= @until");
                Add(command, "@until", Seconds(u.ToUniversalTime()));
            }

            if (!string.IsNullOrWhiteSpace(policyDomain))
            {
                where.Add("policy_domain = @domain");
                Add(command, "@domain", policyDomain!.Trim().TrimEnd('.').ToLowerInvariant());
            }

            command.CommandText = "SELECT report_key, org_name, report_id, email, extra_contact_info, generator, errors, version, schema_name, namespace, begin_utc, end_utc, policy_domain, policy_p, policy_sp, policy_np, policy_adkim, policy_aspf, policy_pct, policy_fo, policy_testing, discovery_method, source_file, location, record_count, message_count, notes, extensions FROM dmarc_report"
                + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty) + " ORDER BY begin_utc, report_key";
            using DbDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                DmarcAggregateReport report = DmarcStoredValues.Report(reader.GetString(22), Text(reader, 23), reader.GetString(1), reader.GetString(2), Text(reader, 3), Text(reader, 4),
                    Text(reader, 5), Split(Text(reader, 6)), Text(reader, 7), reader.GetString(8), reader.GetString(9), s_epoch.AddSeconds(reader.GetInt64(10)), s_epoch.AddSeconds(reader.GetInt64(11)),
                    reader.GetString(12), reader.GetString(13), Text(reader, 14), Text(reader, 15), Text(reader, 16), Text(reader, 17),
                    reader.IsDBNull(18) ? (int?)null : Convert.ToInt32(reader.GetValue(18), CultureInfo.InvariantCulture), Text(reader, 19), Text(reader, 20), Text(reader, 21),
                    reader.GetInt64(24), reader.GetInt64(25), Split(Text(reader, 26)), Split(Text(reader, 27)));
                yield return (reader.GetInt64(0), report);
            }
        }

        private DbCommand Command(string sql, DbTransaction? tx)
        {
            DbCommand command = _connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = tx;
            return command;
        }

        private static DbParameter[] Parameters(DbCommand command, params string[] names)
        {
            var result = new DbParameter[names.Length];
            for (int i = 0; i < names.Length; i++)
            {
                DbParameter p = command.CreateParameter();
                p.ParameterName = names[i];
                command.Parameters.Add(p);
                result[i] = p;
            }

            return result;
        }

        private static void Set(DbParameter[] parameters, params object?[] values)
        {
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i].Value = values[i] ?? DBNull.Value;
            }
        }

        private static void Add(DbCommand command, string name, object? value)
        {
            DbParameter p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            command.Parameters.Add(p);
        }

        private void Execute(string sql, DbTransaction tx)
        {
            using DbCommand command = Command(sql, tx);
            command.ExecuteNonQuery();
        }

        private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

        private static string OrgKey(string orgName) => orgName.Trim().ToLowerInvariant();

        private static long Seconds(DateTime utc) => (long)(utc - s_epoch).TotalSeconds;

        /// <summary>Lists as text, one item a line (items never hold line breaks that matter: they are trimmed values).</summary>
        private static string? Join(IReadOnlyList<string> items) => items.Count == 0 ? null : string.Join("\n", items.Select(i => i.Replace("\n", " ")));

        private static IReadOnlyList<string> Split(string? text) => string.IsNullOrEmpty(text) ? Array.Empty<string>() : text!.Split('\n');

        public void Dispose()
        {
            _connection.Dispose();
        }
    }
}
