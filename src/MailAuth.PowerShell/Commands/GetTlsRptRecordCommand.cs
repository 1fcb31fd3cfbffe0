using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Posture;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>Get-TlsRptRecord: the SMTP TLS reporting record at _smtp._tls (RFC 8460 §3).</summary>
    [Cmdlet(VerbsCommon.Get, "TlsRptRecord")]
    [OutputType(typeof(TlsRptReport))]
    public sealed class GetTlsRptRecordCommand : DomainLookupCmdlet
    {
        protected override async Task<object> LookupAsync(string domain, CancellationToken cancellationToken) =>
            await new TlsRptResolver(VerboseResolver).ResolveAsync(domain, cancellationToken).ConfigureAwait(false);
    }
}
