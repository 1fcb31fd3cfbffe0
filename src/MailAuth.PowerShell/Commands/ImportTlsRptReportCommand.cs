using System.Management.Automation;
using MailAuth.Reports;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>
    /// Import-TlsRptReport: SMTP TLS reports (RFC 8460 JSON, .json or gzip, also zipped or mailed),
    /// one row per policy and failure-details entry; a bad report is one error record.
    /// </summary>
    [Cmdlet(VerbsData.Import, "TlsRptReport", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(TlsRptReportRow))]
    public sealed class ImportTlsRptReportCommand : ReportFileCmdlet
    {
        private readonly TlsRptReportImporter _importer = new TlsRptReportImporter();

        protected override int ProgressActivityId => 0x5452;

        protected override string ProgressActivity => "Importing TLS reports";

        protected override void ImportFile(string file)
        {
            foreach (TlsRptReportImport import in _importer.ImportFile(file, CancellationToken))
            {
                if (import.DuplicateNote != null)
                {
                    WriteWarning(import.DuplicateNote);
                }
                else if (import.Error != null)
                {
                    WriteProblem(import.Error, "The file is not a valid SMTP TLS report (RFC 8460 §4.4 JSON); the reason says what is wrong. Ask its sender, or leave it out.");
                }
                else
                {
                    foreach (TlsRptReportRow row in import.Rows)
                    {
                        WriteObject(row);
                        RowsWritten++;
                    }
                }
            }
        }
    }
}
