using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Posture;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>Get-BimiRecord: the BIMI assertion record and its DMARC prerequisite (enforcement, no pct below 100).</summary>
    [Cmdlet(VerbsCommon.Get, "BimiRecord")]
    [OutputType(typeof(BimiReport))]
    public sealed class GetBimiRecordCommand : DomainLookupCmdlet
    {
        /// <summary>The BIMI selector (default: "default").</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Selector { get; set; }

        protected override async Task<object> LookupAsync(string domain, CancellationToken cancellationToken) =>
            await new BimiResolver(VerboseResolver).ResolveAsync(domain, Selector, null, cancellationToken).ConfigureAwait(false);
    }
}
