using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using MailAuth.DomainReport;
using MailAuth.Headers;
using MailAuth.Html;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>
    /// Export-MailAuthReport: the header reports and domain reports of the pipeline as one
    /// self-contained HTML page (docs/html-report.md). The page needs every report (its summary
    /// comes first), so the file is written when the pipeline ends.
    /// </summary>
    [Cmdlet(VerbsData.Export, "MailAuthReport")]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportMailAuthReportCommand : MailAuthCmdlet
    {
        private readonly List<MailHeaderReport> _headers = new List<MailHeaderReport>();
        private readonly List<MailDomainReport> _domains = new List<MailDomainReport>();
        private string _file = string.Empty;

        /// <summary>The HTML file to write (replaced when it exists).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>Reports from Get-MailHeaderReport or Get-MailDomainReport.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [AllowNull]
        public PSObject? InputObject { get; set; }

        /// <summary>The page's title and heading.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Title { get; set; }

        /// <summary>Write the FileInfo of the page.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void BeginProcessing()
        {
            // A path no page can be written to stops the command before any input is read.
            try
            {
                _file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path, out ProviderInfo provider, out _);
                if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
                {
                    throw new NotSupportedException($"'{Path}' is on the {provider.Name} provider; give a file system path.");
                }
            }
            catch (Exception ex) when (ex is NotSupportedException || ex is ArgumentException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException || ex is ItemNotFoundException)
            {
                ThrowTerminatingError(InputError(ex, "InvalidReportPath", ErrorCategory.InvalidArgument, Path, "Give the path of the HTML file to write."));
            }

            string? folder = System.IO.Path.GetDirectoryName(_file);
            if (Directory.Exists(_file) || (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder)))
            {
                var ex = new DirectoryNotFoundException(Directory.Exists(_file) ? $"'{_file}' is a folder; give the path of a file in it." : $"The folder '{folder}' does not exist.");
                ThrowTerminatingError(InputError(ex, "InvalidReportPath", ErrorCategory.ObjectNotFound, Path, "Give the path of an HTML file in an existing folder."));
            }
        }

        protected override void ProcessRecord()
        {
            switch (InputObject?.BaseObject)
            {
                case MailHeaderReport header:
                    _headers.Add(header);
                    break;
                case MailDomainReport domain:
                    _domains.Add(domain);
                    break;
                default:
                    object? value = InputObject?.BaseObject;
                    var ex = new ArgumentException(value is null
                        ? "The input is null, not a report."
                        : $"A {value.GetType().Name} is not a report: Export-MailAuthReport takes the output of Get-MailHeaderReport and Get-MailDomainReport.");
                    WriteInputError(ex, "UnsupportedReportInput", ErrorCategory.InvalidType, value, "Pipe the output of Get-MailHeaderReport or Get-MailDomainReport.");
                    break;
            }
        }

        protected override void EndProcessing()
        {
            if (_headers.Count == 0 && _domains.Count == 0)
            {
                var ex = new InvalidOperationException("No header or domain report came in, so no page was written.");
                WriteError(InputError(ex, "NoReportToExport", ErrorCategory.InvalidData, Path, "Pipe the output of Get-MailHeaderReport or Get-MailDomainReport."));
                return;
            }

            try
            {
                HtmlReport.WriteFile(_file, _headers, _domains, new HtmlReportOptions { Title = Title ?? DefaultTitle() });
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                ThrowTerminatingError(InputError(ex, "ReportWriteError", ErrorCategory.WriteError, _file, "Check that the folder is writable and the file is not open elsewhere."));
            }

            if (PassThru.IsPresent)
            {
                WriteObject(new FileInfo(_file));
            }
        }

        private string DefaultTitle()
        {
            if (_domains.Count == 0)
            {
                return _headers.Count == 1 ? "Header analysis: " + (_headers[0].Subject ?? _headers[0].Source ?? "message") : $"Header analysis: {_headers.Count} messages";
            }

            string domains = _domains.Count == 1 ? "1 domain" : $"{_domains.Count} domains";
            return _headers.Count == 0 ? "Domain audit: " + domains : "MailAuth report: " + (_headers.Count == 1 ? "1 message" : $"{_headers.Count} messages") + ", " + domains;
        }
    }
}
