using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using MailAuth.Reports;

namespace MailAuth.PowerShell
{
    /// <summary>
    /// Base of the report importers: -Path (files, folders, wildcards) and -LiteralPath (bound from
    /// Get-ChildItem's PSPath), each file resolved once, in input order; a path that matches nothing
    /// is one error and the rest go on. A bad report is one error record, with the file as target.
    /// </summary>
    public abstract class ReportFileCmdlet : MailAuthCmdlet
    {
        protected const string PathSet = "Path";
        protected const string LiteralPathSet = "LiteralPath";

        private readonly System.Diagnostics.Stopwatch _sinceProgress = System.Diagnostics.Stopwatch.StartNew();
        private bool _progressShown;

        /// <summary>Report files or folders; wildcards allowed. Strings in the pipeline bind here.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Report files or folders, taken as written (Get-ChildItem binds its PSPath here).</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = Array.Empty<string>();

        /// <summary>Also read the files in subfolders of a folder given.</summary>
        [Parameter]
        public SwitchParameter Recurse { get; set; }

        protected abstract int ProgressActivityId { get; }

        protected abstract string ProgressActivity { get; }

        protected long FilesRead { get; private set; }

        protected long RowsWritten { get; set; }

        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == LiteralPathSet;
            foreach (string item in literal ? LiteralPath : Path)
            {
                foreach (string file in ResolveFiles(item, literal))
                {
                    if (CancellationToken.IsCancellationRequested)
                    {
                        throw new PipelineStoppedException();
                    }

                    FilesRead++;
                    try
                    {
                        ImportFile(file);
                    }
                    catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
                    {
                        // Ctrl+C inside a large report: the reader stops at the next record.
                        throw new PipelineStoppedException();
                    }

                    ReportProgress(file);
                }
            }
        }

        protected override void EndProcessing()
        {
            if (_progressShown)
            {
                WriteProgress(new ProgressRecord(ProgressActivityId, ProgressActivity, "Done") { RecordType = ProgressRecordType.Completed });
            }
        }

        /// <summary>Reads one file and writes its objects and errors.</summary>
        protected abstract void ImportFile(string file);

        /// <summary>One bad report: an error record naming the file and the reason, then on with the next.</summary>
        protected void WriteProblem(ReportImportProblem problem, string recommendedAction)
        {
            var exception = problem.IsReadError
                ? (Exception)new IOException(problem.Message, problem.Exception)
                : new InvalidDataException(problem.Message, problem.Exception);
            var record = new ErrorRecord(exception, problem.ErrorId, problem.IsReadError ? ErrorCategory.ReadError : ErrorCategory.InvalidData, problem.SourceFile)
            {
                ErrorDetails = new ErrorDetails(problem.Message)
                {
                    RecommendedAction = problem.IsReadError ? "Check that the file exists, is readable and is not locked." : recommendedAction,
                },
            };
            WriteError(record);
        }

        /// <summary>Throttled Write-Progress: files and rows so far, at most twice a second.</summary>
        protected void ReportProgress(string file)
        {
            if (_sinceProgress.ElapsedMilliseconds < 500)
            {
                return;
            }

            _sinceProgress.Restart();
            _progressShown = true;
            WriteProgress(new ProgressRecord(ProgressActivityId, ProgressActivity,
                $"{FilesRead} files, {RowsWritten} rows, now {System.IO.Path.GetFileName(file)}"));
        }

        private IEnumerable<string> ResolveFiles(string item, bool literal)
        {
            List<string> paths;
            try
            {
                paths = literal
                    ? new List<string> { GetUnresolvedProviderPathFromPSPath(item) }
                    : new List<string>(GetResolvedProviderPathFromPSPath(item, out _));
            }
            catch (ItemNotFoundException ex)
            {
                WriteInputError(ex, "FileNotFound", ErrorCategory.ObjectNotFound, item, "Check the path; wildcards must match at least one file.");
                yield break;
            }
            catch (Exception ex) when (ex is NotSupportedException || ex is ArgumentException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException)
            {
                WriteInputError(ex, "InvalidPath", ErrorCategory.InvalidArgument, item, "Give the path of a report file or of a folder of them.");
                yield break;
            }

            paths.Sort(StringComparer.Ordinal);
            foreach (string path in paths)
            {
                if (Directory.Exists(path))
                {
                    string[] files;
                    try
                    {
                        files = Directory.GetFiles(path, "*", Recurse.IsPresent ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly);
                    }
                    catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                    {
                        WriteInputError(ex, "FolderReadError", ErrorCategory.ReadError, path, "Check that you may list the folder.");
                        continue;
                    }

                    Array.Sort(files, StringComparer.Ordinal);
                    foreach (string file in files)
                    {
                        yield return file;
                    }
                }
                else if (File.Exists(path))
                {
                    yield return path;
                }
                else
                {
                    var ex = new FileNotFoundException($"'{path}' does not exist.", path);
                    WriteInputError(ex, "FileNotFound", ErrorCategory.ObjectNotFound, path, "Check the path of the report file.");
                }
            }
        }
    }
}
