using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace MailAuth.PowerShell
{
    /// <summary>
    /// Base of the per-protocol posture cmdlets: one object per domain, in input order; an empty or
    /// unusable domain is one error record and the pipeline goes on.
    /// </summary>
    public abstract class DomainLookupCmdlet : DnsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Name", "DomainName", "FromDomain")]
        [AllowEmptyString]
        [AllowNull]
        public string[] Domain { get; set; } = Array.Empty<string>();

        protected override void ProcessRecord()
        {
            foreach (string? domain in Domain)
            {
                if (string.IsNullOrWhiteSpace(domain))
                {
                    WriteInputError(new ArgumentException("The domain is empty."), "EmptyDomain", ErrorCategory.InvalidArgument, domain,
                        "Give a domain name such as contoso.com.");
                    continue;
                }

                try
                {
                    WriteObject(RunAndWait(ct => LookupAsync(domain!.Trim(), ct)));
                }
                catch (ArgumentException ex)
                {
                    WriteInputError(ex, "InvalidDomain", ErrorCategory.InvalidArgument, domain,
                        "Give a domain name of labels up to 63 characters, 253 in all.");
                }
            }
        }

        /// <summary>The core call for one domain; runs on a worker thread.</summary>
        protected abstract Task<object> LookupAsync(string domain, CancellationToken cancellationToken);
    }
}
