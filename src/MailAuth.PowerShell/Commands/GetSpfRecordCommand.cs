using System;
using System.Management.Automation;
using MailAuth.Spf;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>
    /// Get-SpfRecord: looks up, parses and lints the SPF record of each domain and walks its include
    /// tree, counting DNS lookups the way an evaluation would (RFC 7208 §4.6.4).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SpfRecord")]
    [OutputType(typeof(SpfRecordReport))]
    public sealed class GetSpfRecordCommand : SpfCmdlet
    {
        protected override string ProgressActivity => "Reading SPF records";

        protected override int ProgressActivityId => 0x4D53;

        private readonly DomainArguments _domains = new DomainArguments();

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

        protected override void ProcessRecord()
        {
            foreach (DomainArgument argument in _domains.Take(Domain, EmailAddress))
            {
                if (argument.Domain is null)
                {
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
                Enqueue(argument.Input, async ct => await Evaluator.GetRecordReportAsync(domain, SpfOptions, ct).ConfigureAwait(false),
                    "InvalidDomain", "Give a domain name of labels up to 63 characters, 253 in all.");
            }
        }
    }
}
