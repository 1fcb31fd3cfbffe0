using System;
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

        /// <summary>Ask for every term's DNS at once when a record is read (speculative queries; off by default).</summary>
        [Parameter]
        public SwitchParameter Prefetch { get; set; }

        protected override void ConfigureOptions(SpfEvaluationOptions options)
        {
            options.Prefetch = Prefetch.IsPresent;
            if (DefaultExplanation != null)
            {
                options.DefaultExplanation = DefaultExplanation;
            }
        }

        protected override void ProcessRecord()
        {
            // One parser for every client address (MailAuth.ClientAddress): dotted quads, IPv6, IPv4-mapped,
            // [..] and IPv6: literals; inet_aton shorthands and leading zeros are refused with the reason.
            if (string.IsNullOrWhiteSpace(IPAddress))
            {
                EnqueueError(new ArgumentException("-IPAddress is empty, so there is no client to check: SPF evaluates the address of the connecting client (RFC 7208 §4.1). A message-trace row without FromIP (mail that Microsoft 365 generated itself, or a cut row) cannot be checked."),
                    "EmptyIPAddress", ErrorCategory.InvalidArgument, IPAddress, "Give the SMTP client's address, such as 52.100.165.209 or 2a01:111:f400::25, or leave out rows without one: Where-Object FromIP | Test-Spf.");
                return;
            }

            if (!ClientAddress.TryParse(IPAddress, out IPAddress? address, out string? error))
            {
                EnqueueError(new ArgumentException(error), "InvalidIPAddress", ErrorCategory.InvalidArgument, IPAddress,
                    "Give the SMTP client's address as four decimal numbers (52.100.165.209) or IPv6 text (2a01:111:f400::25), optionally as [..] or [IPv6:..].");
                return;
            }

            var request = new SpfCheckRequest(address!)
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
    }
}
