using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace MailAuth.Dns
{
    /// <summary>
    /// A token bucket: at most <see cref="QueriesPerSecond"/> queries a second on average, with bursts
    /// of a tenth of a second's worth, so a bulk run does not flood a shared company resolver.
    /// Thread-safe. A query that must wait reserves its slot, so waiters go in order.
    /// </summary>
    internal sealed class DnsRateLimiter
    {
        private readonly object _sync = new object();
        private readonly double _perTick;
        private readonly double _capacity;
        private double _tokens;
        private long _last;

        public DnsRateLimiter(double queriesPerSecond)
        {
            if (!(queriesPerSecond > 0))
            {
                throw new ArgumentOutOfRangeException(nameof(queriesPerSecond), queriesPerSecond, "The query rate must be positive.");
            }

            QueriesPerSecond = queriesPerSecond;
            _perTick = queriesPerSecond / Stopwatch.Frequency;
            _capacity = Math.Max(1, queriesPerSecond / 10);
            _tokens = _capacity;
            _last = Stopwatch.GetTimestamp();
        }

        public double QueriesPerSecond { get; }

        /// <summary>Takes a token if one is there now (retransmissions, which may wait a tick).</summary>
        public bool TryTake()
        {
            lock (_sync)
            {
                Refill();
                if (_tokens >= 1)
                {
                    _tokens -= 1;
                    return true;
                }

                return false;
            }
        }

        /// <summary>Waits for a token; completes at once while the bucket has one.</summary>
        public Task WaitAsync(CancellationToken cancellationToken)
        {
            double wait;
            lock (_sync)
            {
                Refill();
                _tokens -= 1;
                if (_tokens >= 0)
                {
                    return Task.CompletedTask;
                }

                wait = -_tokens / QueriesPerSecond;
            }

            return Task.Delay(TimeSpan.FromSeconds(wait), cancellationToken);
        }

        private void Refill()
        {
            long now = Stopwatch.GetTimestamp();
            _tokens = Math.Min(_capacity, _tokens + (now - _last) * _perTick);
            _last = now;
        }
    }
}
