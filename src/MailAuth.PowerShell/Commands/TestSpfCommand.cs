using System;
using System.Globalization;
using System.Management.Automation;
using System.Net;
using MailAuth.Spf;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>
    /// Test-Spf: what a receiver would decide (RFC 7208 check_host()) for a client IP, MAIL FROM and
    /// HELO, with the trace, the Received-SPF header and the Authentication-Results clause.
    /// -Record evaluates a candidate record before it is published.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "Spf")]
    [OutputType(typeof(SpfResult), typeof(bool))]
    public sealed class TestSpfCommand : SpfCmdlet
    {
        protected override string ProgressActivity => "Evaluating SPF";

        protected override int ProgressActivityId => 0x4D54;

        /// <summary>The SMTP client's address (IPv4, IPv6 or IPv4-mapped IPv6).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("ClientIP", "FromIP", "IP")]
        [AllowEmptyString]
        public string IPAddress { get; set; } = string.Empty;

        /// <summary>The MAIL FROM address; empty (or "&lt;&gt;") means a bounce, checked as postmaster@HELO.</summary>
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("EnvelopeSender", "SenderAddress", "MailFrom")]
        [AllowEmptyString]
        public string? Sender { get; set; }

        /// <summary>The HELO/EHLO name the client gave.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("HeloName", "Ehlo")]
        [AllowEmptyString]
        public string? Helo { get; set; }

        /// <summary>The domain whose policy to evaluate (default: the sender's domain, else the HELO).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string? Domain { get; set; }

        /// <summary>A candidate record to evaluate instead of the published one.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Record { get; set; }

        /// <summary>Check the MAIL FROM identity (default) or the HELO identity (RFC 7208 §2.3).</summary>
        [Parameter]
        public SpfIdentity Identity { get; set; } = SpfIdentity.MailFrom;

        /// <summary>The explanation for Fail when the record has no exp= (a macro-string).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? DefaultExplanation { get; set; }

        /// <summary>Return only $true for Pass and $false otherwise.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        protected override void ConfigureOptions(SpfEvaluationOptions options)
        {
            if (DefaultExplanation != null)
            {
                options.DefaultExplanation = DefaultExplanation;
            }
        }

        protected override void ProcessRecord()
        {
            string text = (IPAddress ?? string.Empty).Trim().TrimStart('[').TrimEnd(']');
            if (text.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
            {
                text = text.Substring(5);
            }

            if (!System.Net.IPAddress.TryParse(text, out IPAddress? address) || !LooksLikeAnAddress(text))
            {
                EnqueueError(new ArgumentException($"'{IPAddress}' is not an IPv4 or IPv6 address."), "InvalidIPAddress",
                    ErrorCategory.InvalidArgument, IPAddress, "Give the SMTP client's address, such as 192.0.2.25 or 2001:db8::25.");
                return;
            }

            var request = new SpfCheckRequest(address)
            {
                Sender = Sender,
                Helo = Helo,
                Domain = Domain,
                Record = Record,
                Identity = Identity,
            };

            // Parameters bound from the pipeline change with the next input: the request captures them now.
            bool quiet = Quiet.IsPresent;
            Enqueue(IPAddress, async ct =>
            {
                SpfResult result = await Evaluator.CheckAsync(request, SpfOptions, ct).ConfigureAwait(false);
                return quiet ? (object)(result.ResultCode == SpfResultCode.Pass) : result;
            }, "MissingIdentity", "Give -Sender (MAIL FROM), -Helo or -Domain so there is a domain to check.");
        }

        // IPAddress.TryParse also takes "1", "1.2" and "0x7f.1" (inet_aton forms); an SMTP client
        // address is written in full.
        private static bool LooksLikeAnAddress(string text) =>
            text.IndexOf(':') >= 0 || text.Split('.').Length == 4 && int.TryParse(text.Replace(".", string.Empty), NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }
}
