using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Posture;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>
    /// Get-MtaStsPolicy: the _mta-sts record (RFC 8461 §3.1), the HTTPS policy from
    /// mta-sts.&lt;domain&gt; (§3.2) and whether the domain's MX hosts match it (§4.1).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "MtaStsPolicy")]
    [OutputType(typeof(MtaStsReport))]
    public sealed class GetMtaStsPolicyCommand : DomainLookupCmdlet
    {
        private MtaStsResolver? _mtaSts;

        /// <summary>Check the DNS record only; do not fetch the policy over HTTPS.</summary>
        [Parameter]
        public SwitchParameter NoFetch { get; set; }

        /// <summary>Seconds to wait for the HTTPS policy.</summary>
        [Parameter]
        [ValidateRange(1, 120)]
        public int FetchTimeoutSec { get; set; } = 15;

        /// <summary>
        /// Hidden, for tests only: the port of the policy host (RFC 8461 §3.3 uses 443), so a test
        /// can serve the policy from a local server. Not in help syntax or tab completion.
        /// </summary>
        [Parameter(DontShow = true)]
        [ValidateRange(1, 65535)]
        public int PolicyPort { get; set; } = 443;

        /// <summary>
        /// Hidden, for tests only: accept the policy host's certificate with this SHA-1 thumbprint
        /// although its chain is not trusted (a test's self-signed certificate). It must still be
        /// valid for mta-sts.&lt;domain&gt;.
        /// </summary>
        [Parameter(DontShow = true)]
        [ValidateNotNullOrEmpty]
        public string? PolicyCertificateThumbprint { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            _mtaSts = new MtaStsResolver(VerboseResolver, new MtaStsOptions
            {
                FetchPolicy = !NoFetch.IsPresent && !IsOffline, // -Offline: no HTTPS either
                FetchTimeout = TimeSpan.FromSeconds(FetchTimeoutSec),
                PolicyPort = PolicyPort,
                ServerCertificateValidation = PolicyCertificateThumbprint is null ? null : MtaStsOptions.TrustCertificate(PolicyCertificateThumbprint),
            });
        }

        protected override async Task<object> LookupAsync(string domain, CancellationToken cancellationToken) =>
            await _mtaSts!.ResolveAsync(domain, null, cancellationToken).ConfigureAwait(false);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _mtaSts?.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
