using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using MailAuth.Headers;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>
    /// Get-MailHeaderReport: turns pasted headers, .eml/.txt files or mbox files into one report per
    /// message: identities, hops and delays, what each server concluded, Microsoft 365 stamps and
    /// findings. Lines from Get-Content are collected and reported at the end.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "MailHeaderReport", DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(MailHeaderReport))]
    public sealed class GetMailHeaderReportCommand : DnsCmdlet, IFindingSeverityParameter
    {
        private const string InputObjectSet = "InputObject";
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";

        private readonly System.Diagnostics.Stopwatch _sinceProgress = System.Diagnostics.Stopwatch.StartNew();
        private MailHeaderOptions _options = null!;
        private MailHeaderLineReader? _lines;
        private MailHeaderVerifier? _verifier;
        private long _reportCount;
        private bool _progressShown;

        /// <summary>
        /// Severities by finding id or wildcard: Information, Warning, Error, or Off to leave a finding
        /// out. Default: $MailAuthFindingSeverity (docs/findings.md).
        /// </summary>
        [Parameter]
        public Hashtable? FindingSeverity { get; set; }

        /// <summary>Header text (lines or a whole paste), a FileInfo, or a MimeKit MimeMessage.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
        [AllowEmptyString]
        [AllowNull]
        public object? InputObject { get; set; }

        /// <summary>Files (.eml, .txt, mbox); wildcards allowed.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = Array.Empty<string>();

        /// <summary>authserv-ids whose Authentication-Results to believe (default: inferred from the edge hop).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? TrustedAuthServId { get; set; }

        /// <summary>Domains of the receiving organization, to find the edge hop (default: inferred).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? ReceivingDomain { get; set; }

        /// <summary>
        /// Also ask DNS now: SPF for the edge client, DKIM signatures (with the body), the ARC chain and
        /// DMARC, each beside what the receiver recorded then; disagreements become findings.
        /// </summary>
        [Parameter]
        public SwitchParameter Verify { get; set; }

        /// <summary>
        /// Annotate each hop's public client address with its owner and DNS blocklist listings, and ask
        /// domain blocklists about the domains the message names (Get-MailIpReport's lookups).
        /// </summary>
        [Parameter]
        public SwitchParameter Enrich { get; set; }

        /// <summary>With -Enrich: IP blocklist zones instead of Get-MailIpReport's default set.</summary>
        [Parameter]
        [AllowEmptyCollection]
        public string[]? Blocklist { get; set; }

        /// <summary>With -Enrich: domain blocklist zones instead of the default (dbl.spamhaus.org, multi.surbl.org, multi.uribl.com).</summary>
        [Parameter]
        [AllowEmptyCollection]
        public string[]? DomainBlocklist { get; set; }

        private MailAuth.IpIntelligence.MailHeaderEnricher? _enricher;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (Enrich.IsPresent)
            {
                var ipOptions = new MailAuth.IpIntelligence.MailIpReportOptions();
                if (Blocklist != null)
                {
                    ipOptions.Blocklists = Blocklist;
                }

                try
                {
                    _enricher = new MailAuth.IpIntelligence.MailHeaderEnricher(VerboseResolver, ipOptions, DomainBlocklist);
                }
                catch (ArgumentException ex)
                {
                    ThrowTerminatingError(InputError(ex, "InvalidBlocklist", ErrorCategory.InvalidArgument, (object?)Blocklist ?? DomainBlocklist,
                        "Give blocklist zones as domain names, such as zen.spamhaus.org or dbl.spamhaus.org."));
                }
            }

            _options = new MailHeaderOptions
            {
                TrustedAuthServIds = TrustedAuthServId ?? Array.Empty<string>(),
                ReceivingDomains = ReceivingDomain ?? Array.Empty<string>(),
                KeepMessageForVerification = Verify.IsPresent,
            };

            // One verifier for the run: DKIM keys fetched for one message serve the next.
            _verifier = Verify.IsPresent ? new MailHeaderVerifier(VerboseResolver) : null;
        }

        protected override void ProcessRecord()
        {
            // Reports are read as they are written (an mbox streams): the severities hold throughout.
            using (FindingPolicy.Enter())
            {
                ProcessInput();
            }
        }

        private void ProcessInput()
        {
            switch (ParameterSetName)
            {
                case PathSet:
                    foreach (string pattern in Path)
                    {
                        foreach (string file in ResolvePaths(pattern, literal: false))
                        {
                            WriteFileReports(file);
                        }
                    }

                    break;
                case LiteralPathSet:
                    foreach (string item in LiteralPath)
                    {
                        foreach (string file in ResolvePaths(item, literal: true))
                        {
                            WriteFileReports(file);
                        }
                    }

                    break;
                default:
                    ProcessInputObject(InputObject is PSObject wrapped ? wrapped.BaseObject : InputObject);
                    break;
            }
        }

        protected override void EndProcessing()
        {
            try
            {
                if (_progressShown)
                {
                    WriteProgress(new ProgressRecord(0x4D48, "Reading mail headers", "Done") { RecordType = ProgressRecordType.Completed });
                }

                if (_lines is null)
                {
                    return;
                }

                try
                {
                    using (FindingPolicy.Enter())
                    {
                        WriteReports(_lines.Complete());
                    }
                }
                catch (MailHeaderFormatException ex)
                {
                    WriteInputError(ex, ex.ErrorId, ErrorCategory.InvalidData, "pipeline input",
                        "Paste the message's headers (for example from Outlook's Message options > Internet headers), or give -Path to an .eml file.");
                }
            }
            finally
            {
                // The DNS archive's last answers (DnsCmdlet).
                base.EndProcessing();
            }
        }

        private void ProcessInputObject(object? input)
        {
            switch (input)
            {
                case null:
                    return;
                case string text:
                    _lines ??= new MailHeaderLineReader(_options);
                    WriteReports(_lines.AddLine(text));
                    return;
                case FileInfo file:
                    WriteFileReports(file.FullName);
                    return;
                default:
                    try
                    {
                        WriteReports(MailHeaderAnalyzer.AnalyzeObject(input, _options, CancellationToken));
                    }
                    catch (MailHeaderFormatException ex)
                    {
                        WriteInputError(ex, ex.ErrorId, ErrorCategory.InvalidType, input,
                            "Give header text, a file (Get-ChildItem) or a MimeKit MimeMessage.");
                    }

                    return;
            }
        }

        private IEnumerable<string> ResolvePaths(string path, bool literal)
        {
            if (literal)
            {
                return new[] { GetUnresolvedProviderPathFromPSPath(path) };
            }

            try
            {
                return GetResolvedProviderPathFromPSPath(path, out _);
            }
            catch (ItemNotFoundException ex)
            {
                WriteInputError(ex, "FileNotFound", ErrorCategory.ObjectNotFound, path, "Check the path; wildcards must match at least one file.");
                return Array.Empty<string>();
            }
        }

        private void WriteFileReports(string file)
        {
            try
            {
                // Reports stream one message at a time, so an mbox of any size uses flat memory.
                WriteReports(MailHeaderAnalyzer.AnalyzeFile(file, _options, CancellationToken));
            }
            catch (FileNotFoundException ex)
            {
                WriteInputError(ex, "FileNotFound", ErrorCategory.ObjectNotFound, file, "Check the path of the .eml, .txt or mbox file.");
            }
            catch (UnauthorizedAccessException ex)
            {
                WriteInputError(ex, "FileAccessDenied", ErrorCategory.PermissionDenied, file, "Check that you may read the file.");
            }
            catch (IOException ex)
            {
                WriteInputError(ex, "FileReadError", ErrorCategory.ReadError, file, "Check that the file is readable and not locked.");
            }
            catch (MailHeaderFormatException ex)
            {
                WriteInputError(ex, ex.ErrorId, ErrorCategory.InvalidData, file,
                    "Give a file that holds a message's headers (.eml, a saved header paste, or mbox).");
            }
        }

        private void WriteReports(IEnumerable<MailHeaderReport> reports)
        {
            foreach (MailHeaderReport report in reports)
            {
                if (CancellationToken.IsCancellationRequested)
                {
                    throw new PipelineStoppedException();
                }

                if (_verifier != null)
                {
                    // One report at a time: its kept message is released before the next is read.
                    RunAndWait(ct => _verifier.VerifyAsync(report, null, ct));
                }

                if (_enricher != null)
                {
                    RunAndWait(async ct =>
                    {
                        await _enricher.EnrichAsync(report, ct).ConfigureAwait(false);
                        return true;
                    });
                }

                WriteObject(report);
                ReportProgress(report);
            }
        }

        // Large mbox files take a while: say how far the run is, at most twice a second.
        private void ReportProgress(MailHeaderReport report)
        {
            _reportCount++;
            if (_sinceProgress.ElapsedMilliseconds < 500)
            {
                return;
            }

            _sinceProgress.Restart();
            _progressShown = true;
            WriteProgress(new ProgressRecord(0x4D48, "Reading mail headers", $"{_reportCount} messages, now {report.Source ?? "pipeline input"} #{report.MessageNumber}"));
        }
    }
}
