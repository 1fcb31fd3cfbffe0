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

        private string? _selector;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            _selector = Selector is null ? null : NormalizeSelectors(new[] { Selector })![0];
        }

        protected override async Task<object> LookupAsync(string domain, CancellationToken cancellationToken) =>
            await new BimiResolver(VerboseResolver).ResolveAsync(domain, _selector, null, cancellationToken).ConfigureAwait(false);
    }
}
