using System.Management.Automation;
using MailAuth.Dns;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>Clear-MailAuthDnsCache: forgets the answers the module's cmdlets share in this process.</summary>
    [Cmdlet(VerbsCommon.Clear, "MailAuthDnsCache", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(int))]
    public sealed class ClearMailAuthDnsCacheCommand : PSCmdlet
    {
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessing()
        {
            if (!ShouldProcess("the shared DNS cache of MailAuth.PowerShell", "Clear"))
            {
                return;
            }

            int dropped = DnsResolver.ClearSharedCaches();
            if (PassThru.IsPresent)
            {
                WriteObject(dropped);
            }
        }
    }
}
