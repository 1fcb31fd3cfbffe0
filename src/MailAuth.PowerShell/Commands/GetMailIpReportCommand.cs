using System;
using System.IO;
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

        /// <summary>An MMDB file with AS data (GeoLite2-ASN, IPinfo Lite), used instead of Team Cymru's DNS.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? AsnDatabase { get; set; }

        /// <summary>An MMDB file with country data (GeoLite2-Country or City, IPinfo Lite).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CountryDatabase { get; set; }

        private MmdbIpDatabase? _asnDatabase;
        private MmdbIpDatabase? _countryDatabase;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            var options = new MailIpReportOptions();
            if (Blocklist != null)
            {
                options.Blocklists = Blocklist;
            }

            _asnDatabase = OpenDatabase(AsnDatabase, "AsnDatabaseUnreadable");
            _countryDatabase = OpenDatabase(CountryDatabase, "CountryDatabaseUnreadable");
            options.AsnDatabase = _asnDatabase;
            options.CountryDatabase = _countryDatabase;

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

        private MmdbIpDatabase? OpenDatabase(string? path, string errorId)
        {
            if (path is null)
            {
                return null;
            }

            string full = GetUnresolvedProviderPathFromPSPath(path);
            try
            {
                return MmdbIpDatabase.Open(full);
            }
            catch (Exception ex) when (ex is IOException || ex is InvalidDataException || ex is UnauthorizedAccessException || ex is ArgumentException)
            {
                // No address can be reported as asked without the file: stop before the first.
                ThrowTerminatingError(new ErrorRecord(ex, errorId, ErrorCategory.ReadError, full)
                {
                    ErrorDetails = new ErrorDetails($"Cannot read the MMDB file '{full}': {ex.Message}")
                    {
                        RecommendedAction = "Give the path of a GeoLite2-ASN, GeoLite2-Country/City or IPinfo Lite .mmdb file.",
                    },
                });
                return null;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _asnDatabase?.Dispose();
                _countryDatabase?.Dispose();
            }

            base.Dispose(disposing);
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
