using System;
using System.Collections;
using System.Management.Automation;
using MailAuth.Addresses;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>
    /// Test-MailAddress: RFC 5321 syntax, mail routing (MX, null MX, implicit MX), the domain's
    /// SPF/DMARC posture and, with -Smtp, what the first reachable exchange says to RCPT TO.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "MailAddress")]
    [OutputType(typeof(MailAddressReport))]
    public sealed class TestMailAddressCommand : BulkDnsCmdlet, IFindingSeverityParameter
    {
        private const string EmptyAction = "Give an address such as megan@contoso.com; check the input row or column for an empty value.";
        private MailAddressTester _tester = null!;

        protected override string ProgressActivity => "Testing mail addresses";

        protected override int ProgressActivityId => 0x4D45;

        /// <summary>
        /// Severities by finding id or wildcard: Information, Warning, Error, or Off to leave a finding
        /// out. Default: $MailAuthFindingSeverity (docs/findings.md).
        /// </summary>
        [Parameter]
        public Hashtable? FindingSeverity { get; set; }

        /// <summary>Addresses to test.</summary>
        // PrimarySmtpAddress: Get-Mailbox / Get-Recipient; EmailAddress: a CSV column or an Entra user.
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PrimarySmtpAddress", "EmailAddress")]
        [AllowEmptyString]
        [AllowNull]
        public string[] Address { get; set; } = Array.Empty<string>();

        /// <summary>Ask the first reachable exchange: EHLO, MAIL FROM:&lt;&gt;, RCPT TO, QUIT (never DATA).</summary>
        [Parameter]
        public SwitchParameter Smtp { get; set; }

        /// <summary>The exchanges' SMTP port for -Smtp.</summary>
        [Parameter]
        [ValidateRange(1, 65535)]
        public int SmtpPort { get; set; } = 25;

        /// <summary>Seconds the whole -Smtp probe of one address may take.</summary>
        [Parameter]
        [ValidateRange(1, 300)]
        public int SmtpTimeoutSec { get; set; } = 30;

        /// <summary>Do not look up the domain's SPF and DMARC records.</summary>
        [Parameter]
        public SwitchParameter NoPosture { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            var options = new MailAddressTestOptions { IncludePosture = !NoPosture.IsPresent };
            if (Smtp.IsPresent && IsOffline)
            {
                // A replay sends nothing, and an SMTP conversation is not in a DNS archive.
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Smtp talks to the domain's mail server; -Offline sends nothing."),
                    "SmtpOffline", ErrorCategory.InvalidArgument, null)
                {
                    ErrorDetails = new ErrorDetails("-Smtp cannot run with -Offline: the probe talks to the mail server, and a DNS archive holds no SMTP replies.") { RecommendedAction = "Leave out -Smtp to replay the DNS checks, or -Offline to probe the server now." },
                });
            }

            if (Smtp.IsPresent)
            {
                options.Smtp = new SmtpProbeOptions
                {
                    Port = SmtpPort,
                    TotalTimeout = TimeSpan.FromSeconds(SmtpTimeoutSec),
                    ConnectTimeout = TimeSpan.FromSeconds(Math.Min(10, SmtpTimeoutSec)),
                };
            }

            _tester = new MailAddressTester(VerboseResolver, options);
        }

        protected override void ProcessRecord()
        {
            foreach (string? address in Address ?? new string?[] { null })
            {
                if (string.IsNullOrWhiteSpace(address))
                {
                    // Bad syntax is a result (SyntaxValid false); an empty value is no address at all.
                    EnqueueError(new ArgumentException("The address is empty."), "EmptyAddress", ErrorCategory.InvalidArgument, address, EmptyAction);
                    continue;
                }

                string input = address!;
                Enqueue(input, async ct => await _tester.TestAsync(input, ct).ConfigureAwait(false), "EmptyAddress", EmptyAction);
            }
        }
    }
}
