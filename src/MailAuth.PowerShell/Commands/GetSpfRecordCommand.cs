using System;
using System.Collections;
using System.Management.Automation;
using MailAuth.Names;
using MailAuth.Spf;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>
    /// Get-SpfRecord: looks up, parses and lints the SPF record of each domain and walks its include
    /// tree, counting DNS lookups the way an evaluation would (RFC 7208 §4.6.4), with the lookup
    /// ledger of every term. -Flatten suggests the record the tree resolves to now.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SpfRecord", DefaultParameterSetName = ReportSet)]
    [OutputType(typeof(SpfRecordReport), ParameterSetName = new[] { ReportSet })]
    [OutputType(typeof(SpfFlattening), ParameterSetName = new[] { FlattenSet })]
    public sealed class GetSpfRecordCommand : SpfCmdlet, IFindingSeverityParameter
    {
        public const string ReportSet = "Report";

        public const string FlattenSet = "Flatten";
        protected override string ProgressActivity => "Reading SPF records";

        protected override int ProgressActivityId => 0x4D53;

        // SPF records sit at underscore names too (_spf.contoso.com): DNS names, not only host names.
        private readonly DomainArguments _domains = new DomainArguments(DomainNameKind.DnsName);

        /// <summary>
        /// Severities by finding id or wildcard: Information, Warning, Error, or Off to leave a finding
        /// out. Default: $MailAuthFindingSeverity (docs/findings.md).
        /// </summary>
        [Parameter]
        public Hashtable? FindingSeverity { get; set; }

        // Alias order is binding precedence: a mailbox has a Name too (its display name).
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("DomainName", "PrimarySmtpAddress", "FromDomain", "Name")]
        [AllowEmptyString]
        [AllowNull]
        public string[] Domain { get; set; } = Array.Empty<string>();

        /// <summary>Exchange proxy addresses (Get-Mailbox's EmailAddresses); the domains of the smtp: entries are checked too.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("EmailAddresses")]
        [AllowEmptyCollection]
        [AllowNull]
        public string[]? EmailAddress { get; set; }

        /// <summary>Return a flattening suggestion (SpfFlattening) instead of the report.</summary>
        [Parameter(ParameterSetName = FlattenSet)]
        public SwitchParameter Flatten { get; set; }

        protected override void OnWriting(object result)
        {
            // The object carries the warning too; this one reaches an admin who only looks at the screen.
            if (result is SpfFlattening flattening && flattening.Record != null)
            {
                WriteWarning($"{flattening.Domain}: {flattening.Warning}");
            }
        }

        protected override void ProcessRecord()
        {
            foreach (DomainArgument argument in _domains.Take(Domain, EmailAddress))
            {
                if (argument.Domain is null)
                {
                    // A bulk cmdlet keeps a row for a refused input (Status InvalidInput) beside its
                    // error record, as Get-MailDomainReport does; a blank line is only the error.
                    if (!argument.Parsed.IsBlankOrComment && !Flatten.IsPresent)
                    {
                        SpfRecordReport row = SpfRecordReport.Refused(argument.Input, argument.Parsed.Refusal!);
                        Enqueue(argument.Input, _ => System.Threading.Tasks.Task.FromResult<object>(row), "InvalidDomain", DomainNameInput.DomainAction);
                    }

                    EnqueueError(argument.ToErrorRecord());
                    continue;
                }

                if (argument.AlreadyChecked)
                {
                    WriteVerbose(argument.AlreadyCheckedNote);
                    continue;
                }

                if (argument.VerboseNote != null)
                {
                    WriteVerbose(argument.VerboseNote);
                }

                string domain = argument.Domain;
                if (Flatten.IsPresent)
                {
                    Enqueue(argument.Input, async ct => await Evaluator.FlattenRecordAsync(domain, SpfOptions, ct).ConfigureAwait(false),
                        "InvalidDomain", "Give a domain name of labels up to 63 characters, 253 in all.");
                }
                else
                {
                    Enqueue(argument.Input, async ct => await Evaluator.GetRecordReportAsync(domain, SpfOptions, ct).ConfigureAwait(false),
                        "InvalidDomain", "Give a domain name of labels up to 63 characters, 253 in all.");
                }
            }
        }
    }
}
