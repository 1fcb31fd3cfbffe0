using System;
using System.Collections;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace MailAuth.PowerShell
{
    /// <summary>
    /// Base of the per-protocol posture cmdlets: one object per domain, in input order; an empty or
    /// unusable domain is one error record and the pipeline goes on. Exchange recipients bind by
    /// PrimarySmtpAddress and EmailAddresses, accepted domains by DomainName.
    /// </summary>
    public abstract class DomainLookupCmdlet : DnsCmdlet, IFindingSeverityParameter
    {
        private readonly DomainArguments _domains = new DomainArguments();

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

        protected override void ProcessRecord()
        {
            foreach (DomainArgument argument in _domains.Take(Domain, EmailAddress))
            {
                if (argument.Domain is null)
                {
                    WriteError(argument.ToErrorRecord());
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

                try
                {
                    WriteObject(RunAndWait(ct => LookupAsync(argument.Domain, ct)));
                }
                catch (ArgumentException ex)
                {
                    WriteInputError(ex, "InvalidDomain", ErrorCategory.InvalidArgument, argument.Input,
                        "Give a domain such as contoso.com.");
                }
            }
        }

        /// <summary>The core call for one domain; runs on a worker thread.</summary>
        protected abstract Task<object> LookupAsync(string domain, CancellationToken cancellationToken);
    }
}
