using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using MailAuth.IpIntelligence;
using MailAuth.Reports;
using MailAuth.Reports.Storage;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>
    /// Get-DmarcReportSummary: per source IP across the records piped in (Import-DmarcReport), read
    /// from -Path, or kept in -Database / -ConnectionString: messages, DMARC pass and fail,
    /// dispositions and alignment; -Enrich adds PTR, FCrDNS and ASN (cached, in parallel) and the
    /// known service each source belongs to.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "DmarcReportSummary", DefaultParameterSetName = InputSet)]
    [OutputType(typeof(DmarcSourceSummary))]
    public sealed class GetDmarcReportSummaryCommand : DnsCmdlet
    {
        private const string InputSet = "InputObject";
        private const string PathSet = "Path";
        private const string StoreSet = "Store";

        private readonly DmarcReportSummarizer _summarizer = new DmarcReportSummarizer();
        private readonly BulkProgress _progress = new BulkProgress(0x4453, "Looking up DMARC report sources", "sources");
        private DmarcReportImporter? _importer;

        /// <summary>Records from Import-DmarcReport.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
        [AllowNull]
        public object? InputObject { get; set; }

        /// <summary>Report files or folders to read (as Import-DmarcReport -Path).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>A SQLite database that Import-DmarcReport -Database filled.</summary>
        [Parameter(ParameterSetName = StoreSet)]
        [ValidateNotNullOrEmpty]
        public string? Database { get; set; }

        /// <summary>A PostgreSQL database that Import-DmarcReport -ConnectionString filled.</summary>
        [Parameter(ParameterSetName = StoreSet)]
        [ValidateNotNullOrEmpty]
        public string? ConnectionString { get; set; }

        /// <summary>With a database: only reports ending on or after this time.</summary>
        [Parameter(ParameterSetName = StoreSet)]
        public DateTime? Since { get; set; }

        /// <summary>With a database: only reports beginning on or before this time.</summary>
        [Parameter(ParameterSetName = StoreSet)]
        public DateTime? Until { get; set; }

        /// <summary>With a database: only reports of this policy domain.</summary>
        [Parameter(ParameterSetName = StoreSet)]
        [ValidateNotNullOrEmpty]
        public string? PolicyDomain { get; set; }

        /// <summary>Look up PTR, forward-confirmed PTR and ASN (Team Cymru) of each source over DNS.</summary>
        [Parameter]
        public SwitchParameter Enrich { get; set; }

        /// <summary>Sources looked up at once with -Enrich.</summary>
        [Parameter]
        [ValidateRange(1, 512)]
        public int ThrottleLimit { get; set; } = 32;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (ParameterSetName == StoreSet)
            {
                if ((Database is null) == (ConnectionString is null))
                {
                    ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give -Database or -ConnectionString."), "StorageMissing", ErrorCategory.InvalidArgument, null)
                    {
                        ErrorDetails = new ErrorDetails("Give exactly one of -Database or -ConnectionString.") { RecommendedAction = "Name the SQLite file or the PostgreSQL database Import-DmarcReport filled." },
                    });
                }

                using IDmarcReportStore store = StoreArguments.Open(this, Database, ConnectionString)!;
                foreach (DmarcReportRecord record in store.ReadRecords(Since, Until, PolicyDomain))
                {
                    if (CancellationToken.IsCancellationRequested)
                    {
                        throw new PipelineStoppedException();
                    }

                    _summarizer.Add(record);
                }
            }
            else if (ParameterSetName == PathSet)
            {
                _importer = new DmarcReportImporter();
            }
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == PathSet)
            {
                foreach (string pattern in Path)
                {
                    ReadPath(pattern);
                }

                return;
            }

            if (ParameterSetName != InputSet)
            {
                return;
            }

            object? input = InputObject is PSObject wrapped ? wrapped.BaseObject : InputObject;
            switch (input)
            {
                case null:
                    return;
                case DmarcReportRecord record:
                    _summarizer.Add(record);
                    return;
                default:
                    WriteInputError(new ArgumentException($"A {input.GetType().Name} is not a DMARC report record."), "NotADmarcReportRecord", ErrorCategory.InvalidType, input,
                        "Pipe in the output of Import-DmarcReport, or give -Path or -Database.");
                    return;
            }
        }

        protected override void EndProcessing()
        {
            try
            {
                IpIntelligenceResolver? intelligence = Enrich.IsPresent ? new IpIntelligenceResolver(VerboseResolver) : null;
                Spf.SpfEvaluator? spf = Enrich.IsPresent ? new Spf.SpfEvaluator(VerboseResolver) : null;
                IReadOnlyList<DmarcSourceSummary> sources = RunAndWait(ct => _summarizer.SummarizeAsync(intelligence, ThrottleLimit,
                    (done, total) => PostToPipeline(() => _progress.Report(this, total, done, 0, 0, null)), ct, spf));
                _progress.Complete(this);
                foreach (DmarcSourceSummary source in sources)
                {
                    WriteObject(source);
                }
            }
            finally
            {
                // The DNS archive's last answers (DnsCmdlet).
                base.EndProcessing();
            }
        }

        private void ReadPath(string pattern)
        {
            IEnumerable<string> files;
            try
            {
                var list = new List<string>();
                foreach (string p in GetResolvedProviderPathFromPSPath(pattern, out _))
                {
                    if (Directory.Exists(p))
                    {
                        string[] inFolder = Directory.GetFiles(p);
                        Array.Sort(inFolder, StringComparer.Ordinal);
                        list.AddRange(inFolder);
                    }
                    else
                    {
                        list.Add(p);
                    }
                }

                files = list;
            }
            catch (ItemNotFoundException ex)
            {
                WriteInputError(ex, "FileNotFound", ErrorCategory.ObjectNotFound, pattern, "Check the path; wildcards must match at least one file.");
                return;
            }

            foreach (string file in files)
            {
                foreach (DmarcReportImport import in _importer!.ImportFile(file, CancellationToken))
                {
                    if (import.DuplicateNote != null)
                    {
                        WriteWarning(import.DuplicateNote);
                        continue;
                    }

                    if (import.Error != null && !import.Streamed)
                    {
                        WriteError(new ErrorRecord(new InvalidDataException(import.Error.Message), import.Error.ErrorId,
                            import.Error.IsReadError ? ErrorCategory.ReadError : ErrorCategory.InvalidData, import.Error.SourceFile)
                        {
                            ErrorDetails = new ErrorDetails(import.Error.Message) { RecommendedAction = "The file is not a valid DMARC aggregate report; the reason says what is wrong." },
                        });
                        continue;
                    }

                    foreach (DmarcReportRecord record in import.Records)
                    {
                        _summarizer.Add(record);
                    }
                }
            }
        }
    }
}
