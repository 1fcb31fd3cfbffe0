using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace MailAuth.Reports.Storage
{
    /// <summary>
    /// Where imported DMARC reports are kept: a SQLite file or a PostgreSQL database, both with the
    /// schema of docs/reports.md (version <see cref="DmarcReportStore.SchemaVersion"/>). Reports are
    /// kept once (org_name + report_id, RFC 9990 §3.5.4); each report is written in one transaction.
    /// </summary>
    public interface IDmarcReportStore : IDisposable
    {
        /// <summary>"SQLite reports.db" or "PostgreSQL host/database", for messages.</summary>
        string Description { get; }

        /// <summary>The origin (file) of the report already kept under this org_name and report_id, or null.</summary>
        string? FindReport(string orgName, string reportId);

        /// <summary>
        /// Keeps a report and its records in one transaction; when <paramref name="error"/> gives a
        /// problem after the records were enumerated (a streamed report gone bad), nothing is kept.
        /// Returns the records kept.
        /// </summary>
        long AddReport(DmarcAggregateReport report, IEnumerable<DmarcReportRecord> records, Func<ReportImportProblem?> error);

        /// <summary>The records kept, oldest report first, optionally only reports overlapping [since, until] and of one policy domain.</summary>
        IEnumerable<DmarcReportRecord> ReadRecords(DateTime? since = null, DateTime? until = null, string? policyDomain = null);

        /// <summary>The reports kept, oldest first.</summary>
        IEnumerable<DmarcAggregateReport> ReadReports(DateTime? since = null, DateTime? until = null, string? policyDomain = null);
    }

    /// <summary>The store could not be opened or written: the message says why.</summary>
    public sealed class DmarcReportStoreException : Exception
    {
        public DmarcReportStoreException(string message, Exception? innerException = null)
            : base(message, innerException)
        {
        }
    }

    /// <summary>
    /// Opens a store. The SQLite (Microsoft.Data.Sqlite 11) and PostgreSQL (Npgsql 10) providers
    /// target .NET 10 and .NET 8+, so they live in MailAuth.Storage.dll (net10.0), loaded on first
    /// use beside this assembly: in PowerShell 7.6 and later and in mailauth. Windows PowerShell 5.1
    /// and older PowerShell 7 releases get a <see cref="DmarcReportStoreException"/> saying so.
    /// </summary>
    public static class DmarcReportStore
    {
        /// <summary>The schema version this build writes and reads (docs/reports.md).</summary>
        public const int SchemaVersion = 1;

        private const string StorageAssembly = "MailAuth.Storage";

        /// <summary>A SQLite database file (created with the schema when it does not exist).</summary>
        /// <exception cref="ArgumentException">The path is empty.</exception>
        /// <exception cref="DmarcReportStoreException">The file cannot be opened, is not a report database, or storage is not available here.</exception>
        public static IDmarcReportStore OpenSqlite(string path)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new ArgumentException("Give the path of a SQLite database file, such as reports.db.", nameof(path));
            }

            return Create("MailAuth.Storage.SqliteDmarcReportStore", path);
        }

        /// <summary>A PostgreSQL database (Npgsql connection string; the schema is created when missing).</summary>
        /// <exception cref="ArgumentException">The connection string is empty.</exception>
        /// <exception cref="DmarcReportStoreException">The server cannot be reached, refuses, or storage is not available here.</exception>
        public static IDmarcReportStore OpenPostgres(string connectionString)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new ArgumentException("Give a PostgreSQL connection string, such as 'Host=db;Database=dmarc;Username=reports'.", nameof(connectionString));
            }

            return Create("MailAuth.Storage.PostgresDmarcReportStore", connectionString);
        }

        private static IDmarcReportStore Create(string typeName, string argument)
        {
            Version runtime = Environment.Version;
            if (System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase) || runtime.Major < 10)
            {
                throw new DmarcReportStoreException(
                    $"Report storage needs .NET 10 (PowerShell 7.6 or later, or mailauth); this is {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}. Import and summarise without -Database here, or run in PowerShell 7.6.");
            }

            Type? type;
            try
            {
                // Loaded into the load context of this assembly (the module's private one), from beside it.
                Assembly storage = Assembly.Load(new AssemblyName(StorageAssembly));
                type = storage.GetType(typeName, throwOnError: true);
            }
            catch (Exception ex) when (ex is FileNotFoundException || ex is FileLoadException || ex is BadImageFormatException || ex is TypeLoadException)
            {
                throw new DmarcReportStoreException($"Report storage is not available: {StorageAssembly}.dll could not be loaded ({ex.Message}). Reinstall the module or rebuild it.", ex);
            }

            try
            {
                return (IDmarcReportStore)Activator.CreateInstance(type!, argument)!;
            }
            catch (TargetInvocationException ex) when (ex.InnerException != null)
            {
                if (ex.InnerException is DmarcReportStoreException store)
                {
                    throw store;
                }

                throw new DmarcReportStoreException(ex.InnerException.Message, ex.InnerException);
            }
        }
    }
}
