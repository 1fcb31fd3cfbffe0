using System;
using System.Management.Automation;
using MailAuth.IpIntelligence;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>
    /// Get-MailIpReport: who a sending IP belongs to (PTR, FCrDNS, origin AS, prefix, registry
    /// country) and whether DNS blocklists list it, one row per address in input order.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "MailIpReport")]
    [OutputType(typeof(MailIpReport))]
    public sealed class GetMailIpReportCommand : BulkDnsCmdlet
    {
        private const string InvalidAddressAction = "Give an IPv4 or IPv6 address, such as 209.85.220.41 or 2a01:111:f403::1.";
        private MailIpReporter _reporter = null!;

        protected override string ProgressActivity => "Reporting on sending IPs";

        protected override int ProgressActivityId => 0x4D49;

        /// <summary>Addresses to report on.</summary>
        // ClientIP: a header report; FromIP: Get-MessageTraceV2; SourceIP: a DMARC report row.
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ClientIP", "FromIP", "SourceIP")]
        [AllowEmptyString]
        [AllowNull]
        public string[] IPAddress { get; set; } = Array.Empty<string>();

        /// <summary>DNS blocklist zones to ask instead of the default set; @() asks none.</summary>
        [Parameter]
        [AllowEmptyCollection]
        public string[]? Blocklist { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            var options = new MailIpReportOptions();
            if (Blocklist != null)
            {
                options.Blocklists = Blocklist;
            }

            try
            {
                _reporter = new MailIpReporter(VerboseResolver, options);
            }
            catch (ArgumentException ex)
            {
                // A zone that is no domain name fails every address: stop before the first.
                ThrowTerminatingError(InputError(ex, "InvalidBlocklist", ErrorCategory.InvalidArgument, Blocklist,
                    "Give blocklist zones as domain names, such as zen.spamhaus.org or bl.spamcop.net."));
            }
        }

        protected override void ProcessRecord()
        {
            foreach (string? ip in IPAddress ?? new string?[] { null })
            {
                if (string.IsNullOrWhiteSpace(ip))
                {
                    EnqueueError(new ArgumentException("The IP address is empty."), "EmptyIPAddress", ErrorCategory.InvalidArgument, ip, InvalidAddressAction);
                    continue;
                }

                string input = ip!;
                Enqueue(input, async ct => await _reporter.ReportAsync(input, ct).ConfigureAwait(false), "InvalidIPAddress", InvalidAddressAction);
            }
        }
    }
}
