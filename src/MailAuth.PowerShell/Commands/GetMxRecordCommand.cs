using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Posture;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>Get-MxRecord: MX hosts and preferences, null MX (RFC 7505), CNAME and IP-literal exchanges, hosts that do not resolve.</summary>
    [Cmdlet(VerbsCommon.Get, "MxRecord")]
    [OutputType(typeof(MxReport))]
    public sealed class GetMxRecordCommand : DomainLookupCmdlet
    {
        /// <summary>Do not look up the hosts' A/AAAA records.</summary>
        [Parameter]
        public SwitchParameter NoHostLookup { get; set; }

        protected override async Task<object> LookupAsync(string domain, CancellationToken cancellationToken) =>
            await new MxResolver(VerboseResolver).ResolveAsync(domain, !NoHostLookup.IsPresent, cancellationToken).ConfigureAwait(false);
    }
}
