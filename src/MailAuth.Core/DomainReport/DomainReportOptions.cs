using System;
using System.Collections.Generic;
using MailAuth.Dmarc;
using MailAuth.Dns;
using MailAuth.Posture;
using MailAuth.Spf;

namespace MailAuth.DomainReport
{
    /// <summary>The checks a domain report can run.</summary>
    [Flags]
    public enum DomainCheck
    {
        None = 0,
        Mx = 1,
        Spf = 2,
        Dmarc = 4,
        Dkim = 8,
        Bimi = 16,
        MtaSts = 32,
        TlsRpt = 64,
        All = Mx | Spf | Dmarc | Dkim | Bimi | MtaSts | TlsRpt,
    }

    /// <summary>The overall state of one domain's report.</summary>
    public enum DomainReportStatus
    {
        /// <summary>Every check ran and nothing at warning or error level was found.</summary>
        Ok,
        /// <summary>Every check ran; warnings or errors were found.</summary>
        Findings,
        /// <summary>A lookup a check depends on failed, or the time budget ran out: the report is incomplete.</summary>
        LookupFailed,
        /// <summary>The input is not a domain; see ErrorMessage.</summary>
        InvalidInput,
    }

    /// <summary>What a <see cref="DomainReporter"/> checks and how.</summary>
    public sealed class DomainReportOptions
    {
        /// <summary>Checks to run (default all).</summary>
        public DomainCheck Include { get; set; } = DomainCheck.All;

        /// <summary>Checks to leave out (applied after <see cref="Include"/>).</summary>
        public DomainCheck Exclude { get; set; } = DomainCheck.None;

        /// <summary>
        /// DKIM selectors to try. Null or empty: those the domain's MX and SPF point to
        /// (<see cref="DkimSelectorChoice"/>), or the whole common list with <see cref="AllCommonSelectors"/>.
        /// </summary>
        public IReadOnlyList<string>? DkimSelectors { get; set; }

        /// <summary>Sweep every name of <see cref="Posture.DkimSelectors.Common"/> (about 30 queries) instead of choosing.</summary>
        public bool AllCommonSelectors { get; set; }

        /// <summary>
        /// Selectors seen in each domain's signed mail (DKIM-Signature d= and s=, e.g. from piped header
        /// reports), asked first. Keys are domains; read when the domain's report starts.
        /// </summary>
        public System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<string>> SeenSelectors { get; } =
            new System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);

        /// <summary>BIMI selector (default "default").</summary>
        public string? BimiSelector { get; set; }

        /// <summary>
        /// Time allowed per domain; when it runs out the report is LookupFailed with "time budget
        /// exceeded". Null or zero: no budget (the DNS timeouts still bound every query).
        /// </summary>
        public TimeSpan? TimeBudget { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>MTA-STS fetching (on by default; set FetchPolicy false to skip HTTPS).</summary>
        public MtaStsOptions MtaSts { get; set; } = new MtaStsOptions();

        /// <summary>SPF limits for the record report (null: RFC 7208 defaults).</summary>
        public SpfEvaluationOptions? Spf { get; set; }

        /// <summary>DMARC discovery method.</summary>
        public DmarcDiscoveryMethod DmarcMethod { get; set; } = DmarcDiscoveryMethod.TreeWalk;

        /// <summary>
        /// The DNS queries waiting in this process for a server's congestion window (DnsResolver.QueriesWaiting):
        /// a bulk run's adaptive concurrency follows it (see <see cref="BulkRunner{TIn,TOut}.Backlog"/>).
        /// Null: the throttle alone decides.
        /// </summary>
        public Func<int>? DnsBacklog { get; set; }

        /// <summary>Called with every DNS response (the cmdlets' -Verbose). Must be thread-safe.</summary>
        public Action<DnsResponse>? TraceObserver { get; set; }

        /// <summary>The checks that run: Include minus Exclude.</summary>
        public DomainCheck EffectiveChecks => Include & ~Exclude & DomainCheck.All;
    }
}
