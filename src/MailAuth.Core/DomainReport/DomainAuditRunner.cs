using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using MailAuth.Names;

namespace MailAuth.DomainReport
{
    /// <summary>
    /// The bulk audit: domains start as they are posted, at most ThrottleLimit at once, and reports
    /// come back strictly in input order (<see cref="BulkRunner{TIn,TOut}"/>), one per input, always.
    /// A domain seen before is audited again (the shared cache answers it) and its InputNote says
    /// "duplicate of input N". Post and take from one thread (the cmdlet's pipeline thread).
    /// </summary>
    public sealed class DomainAuditRunner : IDisposable
    {
        private readonly BulkRunner<(string? Input, string? Note), MailDomainReport> _runner;
        // Input position of each domain seen, by a 64-bit hash of its name rather than the name itself,
        // so a long input costs 24 bytes a domain here, not a string as well. Two names collide with
        // odds of about n² / 2⁶⁵ (10⁻⁸ at a million domains), and then only the InputNote is wrong.
        private readonly Dictionary<ulong, long> _firstSeen = new Dictionary<ulong, long>();
        private long _posted;

        internal DomainAuditRunner(DomainReporter reporter, int throttleLimit, CancellationToken cancellationToken)
        {
            _runner = new BulkRunner<(string? Input, string? Note), MailDomainReport>(
                (item, ct) => reporter.GetReportAsync(item.Input, item.Note, ct),
                (item, ex) => reporter.ErrorReport(item.Input, ex),
                // Finished rows wait in memory behind a slow one at the head (a dead domain waits one
                // timeout): six times the ceiling of domains in flight bounds them, so memory stays
                // flat however long the input (issue 14), and leaves room for a 3 s timeout's worth of
                // starts at 2,000 domains a second (at four times, -Selector runs stalled behind dead heads).
                throttleLimit, Math.Max(256, 6 * throttleLimit), cancellationToken)
            {
                Backlog = reporter.Options.DnsBacklog,
                BacklogLimit = MailAuth.Dns.DnsResolver.BacklogLimit,
            };
        }

        public int ThrottleLimit => _runner.ThrottleLimit;

        public long Posted => _runner.Posted;

        public long Started => _runner.Started;

        public long Completed => _runner.Completed;

        public long Taken => _runner.Taken;

        public int Running => _runner.Running;

        /// <summary>Domains allowed in flight now (adaptive with the options' DnsBacklog; see <see cref="BulkRunner{TIn,TOut}.ConcurrencyLimit"/>).</summary>
        public int ConcurrencyLimit => _runner.ConcurrencyLimit;

        public TimeSpan Elapsed => _runner.Elapsed;

        /// <summary>Domains completed per second (for Write-Progress).</summary>
        public double RatePerSecond => _runner.RatePerSecond;

        /// <summary>Time left for the domains posted so far at the current rate (the ETA).</summary>
        public TimeSpan? EstimatedRemaining => _runner.EstimatedRemaining;

        public bool IsFinished => _runner.IsFinished;

        /// <summary>Adds one input line; never blocks.</summary>
        /// <exception cref="InvalidOperationException">After <see cref="CompleteAdding"/>.</exception>
        public void Post(string? input)
        {
            string? note = null;
            DomainNameInput parsed = DomainNameInput.Read(input);
            long position = ++_posted;
            if (parsed.IsValid)
            {
                ulong key = Fnv1a64(parsed.Domain!);
                if (_firstSeen.TryGetValue(key, out long first))
                {
                    note = "duplicate of input " + first.ToString(CultureInfo.InvariantCulture);
                }
                else
                {
                    _firstSeen[key] = position;
                }
            }

            _runner.Post((input, note));
        }

        /// <summary>
        /// Inputs to post beyond the last report taken, at most: twice the runner's window (inputs started
        /// beyond the head), so work never runs dry while the reader waits. A caller posting from a long
        /// input waits for reports (<see cref="WaitNext"/>) while <see cref="IsReadAheadFull"/>, which keeps
        /// memory flat however long the input: unread lines stay in the file or the pipeline.
        /// </summary>
        public long ReadAhead => 2L * _runner.Window;

        /// <summary>True while <see cref="ReadAhead"/> inputs are posted and not yet taken.</summary>
        public bool IsReadAheadFull => _runner.Posted - _runner.Taken >= ReadAhead;

        public void CompleteAdding() => _runner.CompleteAdding();

        /// <summary>Stops (Ctrl+C): every input not finished still yields a LookupFailed report saying so.</summary>
        public void Cancel() => _runner.Cancel();

        /// <summary>The next report in input order, if ready.</summary>
        public bool TryTakeNext(out MailDomainReport report) => _runner.TryTakeNext(out report);

        /// <summary>Waits up to <paramref name="timeout"/> for the next report in input order.</summary>
        public bool WaitNext(TimeSpan timeout, out MailDomainReport report) => _runner.WaitNext(timeout, out report);

        /// <summary>Every remaining report in order (after <see cref="CompleteAdding"/>).</summary>
        public IEnumerable<MailDomainReport> TakeAll() => _runner.TakeAll();

        public void Dispose() => _runner.Dispose();

        // FNV-1a, 64-bit, over the UTF-16 code units (the names are ASCII A-labels).
        private static ulong Fnv1a64(string text)
        {
            ulong hash = 14695981039346656037UL;
            foreach (char ch in text)
            {
                hash = (hash ^ ch) * 1099511628211UL;
            }

            return hash;
        }
    }
}
