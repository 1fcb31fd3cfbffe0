using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using MailAuth.Names;
using MailAuth.Dmarc;
using MailAuth.DomainReport;
using MailAuth.Dns;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>
    /// Get-MailDomainReport: one row per input domain, always, in input order: MX, SPF, DMARC, DKIM,
    /// BIMI, MTA-STS and TLS-RPT with a grade and the findings behind it. Domains start as they
    /// arrive, -ThrottleLimit at a time, over one shared DNS cache; rows are written from the
    /// pipeline thread in input order while later domains still run.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "MailDomainReport")]
    [OutputType(typeof(MailDomainReport))]
    public sealed class GetMailDomainReportCommand : DnsCmdlet, IFindingSeverityParameter
    {
        private readonly BulkProgress _progress = new BulkProgress(0x4D41, "Auditing mail domains", "domains");
        private DomainReporter? _reporter;
        private DomainAuditRunner? _runner;

        private readonly DomainArguments _domains = new DomainArguments();

        /// <summary>
        /// Severities by finding id or wildcard: Information, Warning, Error, or Off to leave a finding
        /// out. Default: $MailAuthFindingSeverity (docs/findings.md).
        /// </summary>
        [Parameter]
        public Hashtable? FindingSeverity { get; set; }

        // Alias order is binding precedence: Get-AcceptedDomain's DomainName, a recipient's
        // PrimarySmtpAddress; a mailbox has a Name too (its display name).
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("DomainName", "PrimarySmtpAddress", "FromDomain", "Name")]
        [AllowEmptyString]
        [AllowNull]
        public string[] Domain { get; set; } = Array.Empty<string>();

        /// <summary>Exchange proxy addresses (Get-Mailbox's EmailAddresses); the domains of the smtp: entries are audited too.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("EmailAddresses")]
        [AllowEmptyCollection]
        [AllowNull]
        public string[]? EmailAddress { get; set; }

        /// <summary>Checks to run (default: all).</summary>
        [Parameter]
        public DomainCheck[]? Include { get; set; }

        /// <summary>Checks to leave out.</summary>
        [Parameter]
        public DomainCheck[]? Exclude { get; set; }

        /// <summary>DKIM selectors to query instead of those chosen from the domain's MX and SPF.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Selector { get; set; }

        /// <summary>Sweep the whole common selector list (about 30 queries a domain) instead of choosing.</summary>
        [Parameter]
        public SwitchParameter AllCommonSelectors { get; set; }

        /// <summary>
        /// DKIM-Signature fields of the domain's mail (a header report's DkimSignatures): their
        /// selectors for their d= domains are asked first.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowNull]
        [AllowEmptyCollection]
        public PSObject[]? DkimSignatures { get; set; }

        /// <summary>
        /// Most domains in flight. A ceiling: the DNS queries on the wire adapt to the server and this
        /// machine (a congestion window per server), and new domains wait while queries wait.
        /// </summary>
        [Parameter]
        [ValidateRange(1, 1024)]
        public int ThrottleLimit { get; set; } = DomainReporter.DefaultThrottleLimit;

        /// <summary>Seconds one domain may take in all before its row reads LookupFailed.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeBudgetSec { get; set; } = 30;

        /// <summary>DMARC discovery method (default: the RFC 9989 tree walk).</summary>
        [Parameter]
        public DmarcDiscoveryMethod Method { get; set; } = DmarcDiscoveryMethod.TreeWalk;

        /// <summary>Check MTA-STS records only; do not fetch policies over HTTPS.</summary>
        [Parameter]
        public SwitchParameter NoMtaStsFetch { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            var options = new DomainReportOptions
            {
                Include = Combine(Include, DomainCheck.All),
                Exclude = Combine(Exclude, DomainCheck.None),
                DkimSelectors = NormalizeSelectors(Selector),
                AllCommonSelectors = AllCommonSelectors.IsPresent,
                TimeBudget = TimeSpan.FromSeconds(TimeBudgetSec),
                DmarcMethod = Method,
                TraceObserver = VerboseEnabled ? response => PostVerbose(response.ToVerboseLine()) : (System.Action<MailAuth.Dns.DnsResponse>?)null,
            };
            options.MtaSts.FetchPolicy = !NoMtaStsFetch.IsPresent && !IsOffline; // -Offline: no HTTPS either
            DnsResolver? wire = WireResolver;
            if (wire != null)
            {
                // Backpressure: while queries wait for a server's window, more domains would only wait too.
                options.DnsBacklog = () => wire.Backlog;
            }

            _reporter = new DomainReporter(Resolver, options);
            using (FindingPolicy.Enter())
            {
                // The runner takes the severities along to every domain's work.
                _runner = _reporter.CreateBulkRunner(ThrottleLimit, CancellationToken);
            }
        }

        protected override void ProcessRecord()
        {
            RememberSignedSelectors();
            foreach (DomainArgument argument in _domains.Take(Domain, EmailAddress))
            {
                // Blank lines and #/; comments of a domains file are not domains: no row for them.
                if (argument.Parsed.IsBlankOrComment)
                {
                    continue;
                }

                // One row per input line, but a domain taken from recipients' addresses once.
                if (argument.AlreadyChecked)
                {
                    WriteVerbose(argument.AlreadyCheckedNote);
                    continue;
                }

                if (argument.VerboseNote != null)
                {
                    WriteVerbose(argument.VerboseNote);
                }

                _runner!.Post(argument.Input);

                // Backpressure on the pipeline: the upstream command (Get-Content) waits while the runner
                // holds its read-ahead, so a million-line input is not buffered in memory.
                while (_runner.IsReadAheadFull)
                {
                    if (_runner.WaitNext(TimeSpan.FromMilliseconds(100), out MailDomainReport report))
                    {
                        Write(report);
                    }

                    WriteReady();
                }
            }

            WriteReady();
        }

        protected override void EndProcessing()
        {
            try
            {
                _runner!.CompleteAdding();
                while (!_runner.IsFinished)
                {
                    if (_runner.WaitNext(TimeSpan.FromMilliseconds(100), out MailDomainReport report))
                    {
                        Write(report);
                    }

                    WriteReady();
                }

                _progress.Complete(this);
            }
            finally
            {
                // The DNS archive's last answers (DnsCmdlet).
                base.EndProcessing();
            }
        }

        /// <summary>Selectors of piped DKIM-Signature fields, by their d= domain, for the reporter to ask first.</summary>
        private void RememberSignedSelectors()
        {
            foreach ((string domain, string signedSelector) in SignedSelectors.Read(DkimSignatures))
            {
                string selector;
                try
                {
                    selector = MailAuth.Posture.DkimSelectors.Normalize(signedSelector);
                }
                catch (ArgumentException)
                {
                    continue; // a malformed s= in a pasted header is the header report's finding, not ours
                }

                _reporter!.Options.SeenSelectors.AddOrUpdate(domain.TrimEnd('.'), new[] { selector },
                    (_, known) => known.Contains(selector) ? known : known.Concat(new[] { selector }).ToArray());
            }
        }

        private void WriteReady()
        {
            DrainPipelineActions();
            while (_runner!.TryTakeNext(out MailDomainReport report))
            {
                Write(report);
            }

            _progress.Report(this, _runner.Posted, _runner.Completed, _runner.Running, _runner.RatePerSecond, _runner.EstimatedRemaining);
        }

        private void Write(MailDomainReport report)
        {
            DrainPipelineActions();
            WriteObject(report);
            if (report.StatusCode == DomainReportStatus.InvalidInput)
            {
                // The row keeps the CSV complete; the error record tells the console which input was bad.
                WriteError(DomainArgument.ErrorRecordOf(DomainNameInput.Read(report.Input)));
            }
        }

        private static DomainCheck Combine(DomainCheck[]? checks, DomainCheck whenNone)
        {
            if (checks is null || checks.Length == 0)
            {
                return whenNone;
            }

            DomainCheck combined = DomainCheck.None;
            foreach (DomainCheck check in checks)
            {
                combined |= check;
            }

            return combined;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _runner?.Dispose();
                _reporter?.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
