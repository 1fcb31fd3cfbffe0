using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.DomainReport;
using MailAuth.Reports;
using MailAuth.Reports.Storage;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>
    /// Import-DmarcReport: one flat object per record of every DMARC aggregate report in the files
    /// given (.xml, .xml.gz/.gz, .zip, .eml, mbox); a bad report is one error record and the rest
    /// import; a report received twice is imported once, with a warning. With -Database or
    /// -ConnectionString the reports are stored (deduplicated) and one object per report is written.
    /// </summary>
    [Cmdlet(VerbsData.Import, "DmarcReport", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(DmarcReportRecord), typeof(DmarcAggregateReport))]
    public sealed class ImportDmarcReportCommand : ReportFileCmdlet
    {
        private DmarcReportImporter _importer = null!;
        private IDmarcReportStore? _store;
        private BulkRunner<string, DmarcParsedFile>? _runner;

        /// <summary>A SQLite database file to keep the reports in (created with the schema when missing).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Database { get; set; }

        /// <summary>A PostgreSQL connection string (Npgsql form) to keep the reports in.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ConnectionString { get; set; }

        /// <summary>With -Database or -ConnectionString: write the records too, not only one object per report.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Files read at once (each on its own thread); output stays in input order.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = Math.Max(2, Environment.ProcessorCount);

        protected override int ProgressActivityId => 0x4452;

        protected override string ProgressActivity => "Importing DMARC reports";

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (Database != null && ConnectionString != null)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give -Database or -ConnectionString, not both."), "StorageConflict", ErrorCategory.InvalidArgument, null)
                {
                    ErrorDetails = new ErrorDetails("Give -Database or -ConnectionString, not both.") { RecommendedAction = "Keep reports either in a SQLite file (-Database) or in PostgreSQL (-ConnectionString)." },
                });
            }

            _store = StoreArguments.Open(this, Database, ConnectionString);
            var options = new ReportImportOptions();
            if (_store != null)
            {
                IDmarcReportStore store = _store;
                options.KnownReport = (org, id) => store.FindReport(org, id);
            }

            _importer = new DmarcReportImporter(options);

            // Files are read on worker threads, a few ahead; duplicates, storage and output happen
            // here, in input order (STYLE.md: bulk). A report too large to hold streams in order.
            DmarcReportImporter importer = _importer;
            _runner = new BulkRunner<string, DmarcParsedFile>(
                (file, ct) => Task.Run(() => importer.ParseFile(file, ct), ct),
                DmarcReportImporter.Failed,
                ThrottleLimit, ThrottleLimit * 2, CancellationToken);
        }

        protected override void ImportFile(string file)
        {
            _runner!.Post(file);
            WriteReady(TimeSpan.Zero);
        }

        protected override void EndProcessing()
        {
            _runner!.CompleteAdding();
            while (!_runner.IsFinished)
            {
                WriteReady(TimeSpan.FromMilliseconds(100));
            }

            base.EndProcessing();
        }

        private void WriteReady(TimeSpan wait)
        {
            while (_runner!.WaitNext(wait, out DmarcParsedFile parsed))
            {
                if (CancellationToken.IsCancellationRequested)
                {
                    throw new PipelineStoppedException();
                }

                WriteFile(parsed);
                ReportProgress(parsed.File);
                wait = TimeSpan.Zero;
            }
        }

        private void WriteFile(DmarcParsedFile parsed)
        {
            string file = parsed.File;
            foreach (DmarcReportImport import in _importer.Admit(parsed, CancellationToken))
            {
                if (import.DuplicateNote != null)
                {
                    WriteWarning(import.DuplicateNote);
                    continue;
                }

                if (import.Error != null && import.Report is null || import.Error != null && !import.Streamed)
                {
                    WriteProblem(import.Error!, Recommended);
                    continue;
                }

                DmarcAggregateReport report = import.Report!;
                if (_store != null)
                {
                    Store(import, report);
                }
                else
                {
                    foreach (DmarcReportRecord record in import.Records)
                    {
                        WriteObject(record);
                        RowsWritten++;
                        if ((RowsWritten & 0x3FFF) == 0)
                        {
                            ReportProgress(file);
                        }
                    }
                }

                if (import.Error != null)
                {
                    // A streamed report that went bad after its first records.
                    WriteProblem(import.Error, Recommended + $" The {report.RecordCount} records read before the problem were written.");
                    continue;
                }

                foreach (string note in report.Notes)
                {
                    WriteVerbose($"{report.Origin}: {note}");
                }
            }
        }

        private void Store(DmarcReportImport import, DmarcAggregateReport report)
        {
            IEnumerable<DmarcReportRecord> records = import.Records;
            if (PassThru.IsPresent)
            {
                records = Pass(records);
            }

            try
            {
                _store!.AddReport(report, records, () => import.Error);
            }
            catch (DmarcReportStoreException ex)
            {
                WriteInputError(ex, "ReportStoreError", ErrorCategory.WriteError, report.Origin, "Check the database: it must be reachable, writable and of this module's schema (docs/reports.md).");
                return;
            }

            if (import.Error is null && !PassThru.IsPresent)
            {
                WriteObject(report);
            }
        }

        private IEnumerable<DmarcReportRecord> Pass(IEnumerable<DmarcReportRecord> records)
        {
            foreach (DmarcReportRecord record in records)
            {
                WriteObject(record);
                RowsWritten++;
                yield return record;
            }
        }

        private const string Recommended =
            "The file is not a valid DMARC aggregate report (RFC 7489 appendix C, RFC 9990); the reason says what is wrong. Ask its sender, or leave it out.";

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _runner?.Dispose();
                _store?.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
