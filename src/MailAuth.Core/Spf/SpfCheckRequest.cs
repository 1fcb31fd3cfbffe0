using System.Net;

namespace MailAuth.Spf
{
    /// <summary>
    /// Everything Test-Spf / "mailauth spf check" can be asked, in one object; see
    /// <see cref="SpfEvaluator.CheckAsync(SpfCheckRequest, SpfEvaluationOptions?, System.Threading.CancellationToken)"/>.
    /// </summary>
    public sealed class SpfCheckRequest
    {
        public SpfCheckRequest(IPAddress ipAddress)
        {
            IPAddress = ipAddress;
        }

        /// <summary>The connecting client.</summary>
        public IPAddress IPAddress { get; }

        /// <summary>MAIL FROM; empty or "&lt;&gt;" means the null reverse-path (postmaster@HELO is checked).</summary>
        public string? Sender { get; set; }

        /// <summary>The HELO/EHLO name.</summary>
        public string? Helo { get; set; }

        /// <summary>Check this domain instead of the sender's (check_host() with this &lt;domain&gt;).</summary>
        public string? Domain { get; set; }

        /// <summary>A candidate record to evaluate as if the domain published it.</summary>
        public string? Record { get; set; }

        /// <summary>Check the HELO identity (RFC 7208 §2.3) instead of MAIL FROM.</summary>
        public SpfIdentity Identity { get; set; } = SpfIdentity.MailFrom;
    }
}
