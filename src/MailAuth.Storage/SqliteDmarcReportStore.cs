using System;
using System.IO;
using Microsoft.Data.Sqlite;
using MailAuth.Reports.Storage;

namespace MailAuth.Storage
{
    /// <summary>Reports kept in a SQLite file (Microsoft.Data.Sqlite over the bundled e_sqlite3).</summary>
    public sealed class SqliteDmarcReportStore : SqlDmarcReportStore
    {
        public SqliteDmarcReportStore(string path)
            : base(Connect(path), "SQLite " + path)
        {
        }

        protected override string KeyColumn => "report_key INTEGER PRIMARY KEY AUTOINCREMENT";

        private static SqliteConnection Connect(string path)
        {
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder != null && !Directory.Exists(folder))
            {
                throw new DmarcReportStoreException($"SQLite {path}: the folder '{folder}' does not exist.");
            }

            var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, ForeignKeys = true, Pooling = false };
            return new SqliteConnection(builder.ToString());
        }
    }
}
