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

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Name", "DomainName")]
        [AllowEmptyString]
        [AllowNull]
        public string[] Domain { get; set; } = Array.Empty<string>();

        protected override void ProcessRecord()
        {
            foreach (string? domain in Domain)
            {
                if (string.IsNullOrWhiteSpace(domain))
                {
                    EnqueueError(new ArgumentException("The domain is empty."), "EmptyDomain", ErrorCategory.InvalidArgument, domain,
                        "Give a domain name such as contoso.com.");
                    continue;
                }

                Enqueue(domain, async ct => await Evaluator.GetRecordReportAsync(domain!, SpfOptions, ct).ConfigureAwait(false),
                    "InvalidDomain", "Give a domain name of labels up to 63 characters, 253 in all.");
            }
        }
    }
}
