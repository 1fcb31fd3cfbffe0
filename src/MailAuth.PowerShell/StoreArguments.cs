using System;
using System.Management.Automation;
using MailAuth.Reports.Storage;

namespace MailAuth.PowerShell
{
    /// <summary>-Database / -ConnectionString into a report store; a store that cannot open stops the command before any input.</summary>
    internal static class StoreArguments
    {
        public static IDmarcReportStore? Open(PSCmdlet cmdlet, string? database, string? connectionString)
        {
            try
            {
                if (database != null)
                {
                    return DmarcReportStore.OpenSqlite(cmdlet.GetUnresolvedProviderPathFromPSPath(database));
                }

                return connectionString != null ? DmarcReportStore.OpenPostgres(connectionString) : null;
            }
            catch (Exception ex) when (ex is DmarcReportStoreException || ex is ArgumentException)
            {
                cmdlet.ThrowTerminatingError(MailAuthCmdlet.InputError(ex, "ReportStoreUnavailable", ErrorCategory.OpenError, (object?)database ?? "connection string",
                    "Check the database path or connection string; storage needs PowerShell 7.6 or later (docs/reports.md)."));
                return null;
            }
        }
    }
}
