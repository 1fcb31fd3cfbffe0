using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dmarc;
using MailAuth.Dns;
using MailAuth.Posture;
using MailAuth.Spf;
using MailAuth.Names;

namespace MailAuth.DomainReport
{
    /// <summary>
    /// Builds one <see cref="MailDomainReport"/> per domain: MX, SPF, DMARC, DKIM, BIMI, MTA-STS
    /// and TLS-RPT checked concurrently over one shared resolver (and its cache), within a time
    /// budget, graded. Thread-safe: one reporter serves a whole bulk run. Dispose it when done.
    /// </summary>
    public sealed class DomainReporter : IDisposable
    {
        private readonly IDnsResolver _dns;
        private readonly DomainReportOptions _options;
        private readonly MtaStsResolver _mtaSts;

        /// <summary>Creates a reporter over <paramref name="dns"/> (share one resolver so its cache serves every domain).</summary>
        /// <exception cref="ArgumentNullException"><paramref name="dns"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The time budget is negative.</exception>
        /// <exception cref="ArgumentException">A DKIM or BIMI selector is not a DNS name.</exception>
        public DomainReporter(IDnsResolver dns, DomainReportOptions? options = null)
        {
            _dns = dns ?? throw new ArgumentNullException(nameof(dns));
            _options = options ?? new DomainReportOptions();
            if (_options.TimeBudget.HasValue && _options.TimeBudget.Value < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(options), _options.TimeBudget, "DomainReportOptions.TimeBudget must not be negative.");
            }

            // Check selectors once here, so a bad one fails the whole run up front rather than every domain.
            foreach (string selector in _options.DkimSelectors ?? Array.Empty<string>())
            {
                MailAuth.Names.DomainName.ParseSelector(selector, nameof(options));
            }

            if (_options.BimiSelector != null)
            {
                MailAuth.Names.DomainName.ParseSelector(_options.BimiSelector, nameof(options));
            }

            _mtaSts = new MtaStsResolver(_dns, _options.MtaSts ?? new MtaStsOptions());
        }

        public DomainReportOptions Options => _options;

        /// <summary>
        /// The default ceiling of domains in flight. It is a ceiling, not a setting: what adapts is
        /// the number of DNS queries on the wire (each server's congestion window, DnsUdpClient), and
        /// new domains wait while queries wait for it (<see cref="DomainReportOptions.DnsBacklog"/>).
        /// Domains whose server never answers hold a slot for a timeout each, so the ceiling is high.
        /// </summary>
        public const int DefaultThrottleLimit = 1024;

        /// <summary>
        /// The report for one input line. Never throws for bad input (InvalidInput) or DNS trouble
        /// (LookupFailed); throws only <see cref="OperationCanceledException"/> when
        /// <paramref name="cancellationToken"/> is cancelled.
        /// </summary>
        public Task<MailDomainReport> GetReportAsync(string? input, CancellationToken cancellationToken = default)
        {
            return GetReportAsync(input, null, cancellationToken);
        }

        /// <summary>The same, with a note from the caller (the audit runner's duplicate note) added to InputNote.</summary>
        internal async Task<MailDomainReport> GetReportAsync(string? input, string? callerNote, CancellationToken cancellationToken)
        {
            var watch = Stopwatch.StartNew();
            DomainNameInput parsed = DomainNameInput.Read(input).WithNote(callerNote);
            DomainCheck checks = _options.EffectiveChecks;
            if (!parsed.IsValid)
            {
                return new MailDomainReport(parsed.Input ?? string.Empty, null, null, DomainReportStatus.InvalidInput, parsed.Error, checks,
                    null, null, null, null, null, null, null, null, null, Array.Empty<string>(), Array.Empty<Finding>(), Array.Empty<DnsResponse>(), watch.Elapsed.TotalMilliseconds);
            }

            string domain = parsed.Domain!;
            var recorder = new RecordingDnsResolver(_dns, _options.TraceObserver);
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (_options.TimeBudget.HasValue && _options.TimeBudget.Value > TimeSpan.Zero)
            {
                budget.CancelAfter(_options.TimeBudget.Value);
            }

            CancellationToken ct = budget.Token;
            Task<MxReport>? mxTask = Has(checks, DomainCheck.Mx) ? new MxResolver(recorder).ResolveAsync(domain, true, ct) : null;
            Task<SpfRecordReport>? spfTask = Has(checks, DomainCheck.Spf) ? new SpfEvaluator(recorder).GetRecordReportAsync(domain, _options.Spf, ct) : null;
            Task<DmarcPolicy>? dmarcTask = Has(checks, DomainCheck.Dmarc)
                ? new DmarcResolver(recorder).ResolveAsync(new DmarcQuery(domain) { Method = _options.DmarcMethod }, new DmarcOptions(), ct)
                : null;
            Task<DkimReport>? dkimTask = null;
            if (Has(checks, DomainCheck.Dkim))
            {
                var keys = new DkimRecordResolver(recorder);
                dkimTask = _options.DkimSelectors is { Count: > 0 } ? keys.ResolveAsync(domain, _options.DkimSelectors, ct)
                    : _options.AllCommonSelectors ? keys.ResolveAsync(domain, null, ct)
                    : keys.ResolveChosenAsync(domain, ChooseSelectorsAsync(domain, mxTask, spfTask), ct);
            }

            // BIMI and MTA-STS run beside the others: the DMARC and MX queries they repeat are
            // answered once by the shared resolver (in-flight de-duplication and cache).
            Task<BimiReport>? bimiTask = Has(checks, DomainCheck.Bimi) ? BimiAsync(recorder, domain, dmarcTask, ct) : null;
            Task<MtaStsReport>? mtaTask = Has(checks, DomainCheck.MtaSts) ? _mtaSts.ResolveAsync(recorder, domain, null, ct) : null;
            Task<TlsRptReport>? tlsTask = Has(checks, DomainCheck.TlsRpt) ? new TlsRptResolver(recorder).ResolveAsync(domain, ct) : null;

            var all = new List<Task>();
            foreach (Task? t in new Task?[] { mxTask, spfTask, dmarcTask, dkimTask, bimiTask, mtaTask, tlsTask })
            {
                if (t != null)
                {
                    all.Add(t);
                }
            }

            try
            {
                await Task.WhenAll(all).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                string seconds = _options.TimeBudget!.Value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
                string pending = string.Join(", ", Names(checks, mxTask, spfTask, dmarcTask, dkimTask, bimiTask, mtaTask, tlsTask).Where(n => !n.Done).Select(n => n.Name));
                return new MailDomainReport(parsed.Input ?? string.Empty, domain, parsed.Note, DomainReportStatus.LookupFailed,
                    $"time budget exceeded ({seconds} s) before {(pending.Length == 0 ? "the checks" : pending)} finished.", checks,
                    Done(mxTask), Done(spfTask), Done(dmarcTask), Done(dkimTask), Done(bimiTask), Done(mtaTask), Done(tlsTask),
                    null, null, Array.Empty<string>(), Array.Empty<Finding>(), recorder.Responses, watch.Elapsed.TotalMilliseconds);
            }

            MxReport? mx = Done(mxTask);
            SpfRecordReport? spf = Done(spfTask);
            DmarcPolicy? dmarc = Done(dmarcTask);
            DkimReport? dkim = Done(dkimTask);
            BimiReport? bimi = Done(bimiTask);
            MtaStsReport? mta = Done(mtaTask);
            TlsRptReport? tls = Done(tlsTask);

            var findings = new List<Finding>();
            findings.AddRange(mx?.Findings ?? ResultList<Finding>.Empty);
            findings.AddRange(spf?.Findings ?? ResultList<Finding>.Empty);
            findings.AddRange(dmarc?.Findings ?? ResultList<Finding>.Empty);
            findings.AddRange(dkim?.Findings ?? ResultList<Finding>.Empty);
            findings.AddRange(bimi?.Findings ?? ResultList<Finding>.Empty);
            findings.AddRange(mta?.Findings ?? ResultList<Finding>.Empty);
            findings.AddRange(tls?.Findings ?? ResultList<Finding>.Empty);
            Finding[] ordered = findings.Select((f, i) => (f, i)).OrderByDescending(p => p.f.SeverityCode).ThenBy(p => p.i).Select(p => p.f).ToArray();

            // A check whose own lookup failed leaves the report incomplete: say so rather than grade it.
            var failures = new List<string>();
            if (mx?.StatusCode == PostureStatus.LookupFailed)
            {
                failures.Add("MX: " + mx.ErrorMessage);
            }

            if (spf?.StatusCode == SpfRecordStatus.LookupFailed)
            {
                failures.Add("SPF: " + spf.Reason);
            }

            if (dmarc?.StatusCode == DmarcStatus.LookupFailed)
            {
                failures.Add("DMARC: " + dmarc.ErrorMessage);
            }

            if (dkim?.StatusCode == PostureStatus.LookupFailed)
            {
                failures.Add("DKIM: " + dkim.ErrorMessage);
            }

            if (bimi?.StatusCode == PostureStatus.LookupFailed)
            {
                failures.Add("BIMI: " + bimi.ErrorMessage);
            }

            if (mta?.StatusCode == PostureStatus.LookupFailed)
            {
                failures.Add("MTA-STS: " + mta.ErrorMessage);
            }

            if (tls?.StatusCode == PostureStatus.LookupFailed)
            {
                failures.Add("TLS-RPT: " + tls.ErrorMessage);
            }

            if (failures.Count > 0)
            {
                return new MailDomainReport(parsed.Input ?? string.Empty, domain, parsed.Note, DomainReportStatus.LookupFailed, string.Join(" | ", failures), checks,
                    mx, spf, dmarc, dkim, bimi, mta, tls, null, null, Array.Empty<string>(), ordered, recorder.Responses, watch.Elapsed.TotalMilliseconds);
            }

            DomainReportStatus status = ordered.Any(f => f.SeverityCode >= FindingSeverity.Warning) ? DomainReportStatus.Findings : DomainReportStatus.Ok;
            if (checks == DomainCheck.None)
            {
                // Nothing was checked: nothing to grade.
                return new MailDomainReport(parsed.Input ?? string.Empty, domain, parsed.Note, status, null, checks,
                    null, null, null, null, null, null, null, null, null, Array.Empty<string>(), ordered, recorder.Responses, watch.Elapsed.TotalMilliseconds);
            }

            (MailDomainGrade grade, int score, IReadOnlyList<string> reasons, string summary) = DomainGrader.Grade(checks, mx, spf, dmarc, dkim, bimi, mta, tls);
            (MailDomainRole? role, IReadOnlyList<string> advice) = DomainRoleJudge.Judge(mx, spf, dmarc, dkim);
            return new MailDomainReport(parsed.Input ?? string.Empty, domain, parsed.Note, status, null, checks,
                mx, spf, dmarc, dkim, bimi, mta, tls, grade, score, reasons, ordered, recorder.Responses, watch.Elapsed.TotalMilliseconds)
                .WithJudgement(summary, role, advice);
        }

        /// <summary>Another check's result for a check that builds on it; null when it was not run or failed (that check reports its own failure).</summary>
        private static async Task<T?> ResultOrNullAsync<T>(Task<T>? task)
            where T : class
        {
            try
            {
                return task is null ? null : await task.ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                return null;
            }
        }

        /// <summary>BIMI over the domain's DMARC policy, instead of a second DMARC discovery (half of BIMI's work); its own query goes out at once.</summary>
        private async Task<BimiReport> BimiAsync(IDnsResolver dns, string domain, Task<DmarcPolicy>? dmarcTask, CancellationToken cancellationToken)
        {
            return await new BimiResolver(dns).ResolveAlongsideDmarcAsync(domain, _options.BimiSelector, dmarcTask is null ? null : ResultOrNullAsync(dmarcTask), cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The selectors to ask for, from the domain's MX hosts and SPF includes (a failed lookup adds nothing).</summary>
        private async Task<(IReadOnlyList<string> Selectors, IReadOnlyList<string> Reasons)> ChooseSelectorsAsync(string domain, Task<MxReport>? mxTask, Task<SpfRecordReport>? spfTask)
        {
            MxReport? mx = await ResultOrNullAsync(mxTask).ConfigureAwait(false);
            SpfRecordReport? spf = await ResultOrNullAsync(spfTask).ConfigureAwait(false);
            _options.SeenSelectors.TryGetValue(domain, out IReadOnlyList<string>? seen);
            return DkimSelectorChoice.Choose(mx?.Hosts.Select(h => h.Host), spf?.IncludeTree.Select(n => n.Domain), seen);
        }

        /// <summary>
        /// A runner that reports on domains posted to it, <paramref name="throttleLimit"/> at a time,
        /// handing reports back in input order. Cancellation (Ctrl+C) and any unexpected error
        /// still yield one LookupFailed report per input.
        /// </summary>
        public DomainAuditRunner CreateBulkRunner(int throttleLimit = DefaultThrottleLimit, CancellationToken cancellationToken = default)
        {
            return new DomainAuditRunner(this, throttleLimit, cancellationToken);
        }

        /// <summary>The report for an input whose work ended in an exception (cancellation included).</summary>
        public MailDomainReport ErrorReport(string? input, Exception exception)
        {
            DomainNameInput parsed = DomainNameInput.Read(input);
            if (!parsed.IsValid)
            {
                return new MailDomainReport(parsed.Input ?? string.Empty, null, null, DomainReportStatus.InvalidInput, parsed.Error, _options.EffectiveChecks,
                    null, null, null, null, null, null, null, null, null, Array.Empty<string>(), Array.Empty<Finding>(), Array.Empty<DnsResponse>(), 0);
            }

            string message = exception is OperationCanceledException
                ? "cancelled before the checks finished."
                : $"the checks stopped with an unexpected {exception.GetType().Name}: {exception.Message}";
            return new MailDomainReport(parsed.Input ?? string.Empty, parsed.Domain, parsed.Note, DomainReportStatus.LookupFailed, message, _options.EffectiveChecks,
                null, null, null, null, null, null, null, null, null, Array.Empty<string>(), Array.Empty<Finding>(), Array.Empty<DnsResponse>(), 0);
        }

        public void Dispose() => _mtaSts.Dispose();

        private static bool Has(DomainCheck checks, DomainCheck check) => (checks & check) == check;

        private static T? Done<T>(Task<T>? task)
            where T : class
        {
            return task != null && task.Status == TaskStatus.RanToCompletion ? task.Result : null;
        }

        private static IEnumerable<(string Name, bool Done)> Names(DomainCheck checks, params Task?[] tasks)
        {
            string[] names = { "MX", "SPF", "DMARC", "DKIM", "BIMI", "MTA-STS", "TLS-RPT" };
            for (int i = 0; i < tasks.Length; i++)
            {
                if (tasks[i] != null)
                {
                    yield return (names[i], tasks[i]!.Status == TaskStatus.RanToCompletion);
                }
            }
        }
    }
}
