using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Findings;

namespace MailAuth.DomainReport
{
    /// <summary>
    /// Runs work for inputs as they arrive, at most <see cref="ThrottleLimit"/> at a time, and hands
    /// the results back strictly in input order, so a single (pipeline) thread can write them while
    /// more work runs. Nothing is lost: an exception from the work becomes a result through the
    /// error projection. Thread-safe; typically one thread posts and takes.
    /// </summary>
    /// <remarks>
    /// Memory stays flat: at most <see cref="Window"/> inputs are started beyond the next result
    /// to hand out, so a slow domain at the head holds back new starts instead of letting finished
    /// results pile up without bound.
    /// </remarks>
    public sealed class BulkRunner<TIn, TOut> : IDisposable
    {
        private readonly Func<TIn, CancellationToken, Task<TOut>> _work;
        private readonly Func<TIn, Exception, TOut> _onError;
        private readonly CancellationTokenSource _cancel;
        private readonly object _sync = new object();
        private readonly Queue<(long Index, TIn Input)> _pending = new Queue<(long, TIn)>();
        private readonly Dictionary<long, TOut> _done = new Dictionary<long, TOut>();
        private readonly Stopwatch _clock = new Stopwatch();

        // The severities of whoever made the runner: work started later, from any thread, uses them
        // (and not those of a thread that happens to post or finish work).
        private readonly FindingSeverityPolicy _findingPolicy = FindingSeverityPolicy.Current ?? FindingSeverityPolicy.Default;
        private long _posted;
        private long _started;
        private long _completed;
        private long _taken;
        private int _running;
        private bool _addingCompleted;
        private int _startingThread;

        // The adaptive concurrency (with Backlog): AIMD on inputs in flight, as TCP does on segments.
        private double _limit;
        private long _lastDecrease;

        /// <summary>Default concurrency: DNS work waits on the network, not the CPU.</summary>
        public const int DefaultThrottleLimit = 32;

        /// <param name="work">The work for one input; given a token cancelled by <see cref="Cancel"/>.</param>
        /// <param name="onError">Turns an exception from <paramref name="work"/> into a result (cancellation included).</param>
        /// <param name="throttleLimit">Most inputs in flight at once (1 or more).</param>
        /// <param name="window">Most inputs started beyond the next one to take; 0: 8 × throttle, at least 256.</param>
        /// <param name="cancellationToken">Stops the run (Ctrl+C): running work is cancelled, pending work is not started.</param>
        public BulkRunner(Func<TIn, CancellationToken, Task<TOut>> work, Func<TIn, Exception, TOut> onError,
            int throttleLimit = DefaultThrottleLimit, int window = 0, CancellationToken cancellationToken = default)
        {
            _work = work ?? throw new ArgumentNullException(nameof(work));
            _onError = onError ?? throw new ArgumentNullException(nameof(onError));
            if (throttleLimit < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(throttleLimit), throttleLimit, "The throttle limit must be 1 or more.");
            }

            if (window < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(window), window, "The window must be 0 (automatic) or more.");
            }

            ThrottleLimit = throttleLimit;
            _limit = Math.Min(throttleLimit, InitialConcurrency);
            Window = Math.Max(throttleLimit, window == 0 ? Math.Max(256, throttleLimit * 8) : window);
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        }

        /// <summary>The ceiling: at most this many inputs in flight, whatever <see cref="ConcurrencyLimit"/> says.</summary>
        public int ThrottleLimit { get; }

        /// <summary>Where the adaptive concurrency starts (with <see cref="Backlog"/>).</summary>
        public const int InitialConcurrency = 16;

        /// <summary>
        /// Inputs allowed in flight now. Without <see cref="Backlog"/> it is <see cref="ThrottleLimit"/>. With it,
        /// it adapts in the manner of TCP congestion control (RFC 5681): it grows by one per completion while
        /// the limit binds and nothing is queued below, and shrinks by a quarter, at most once per
        /// <see cref="DecreaseInterval"/>, when a completion finds the backlog at <see cref="BacklogLimit"/>.
        /// So the number of domains in flight follows what the DNS layer carries instead of queueing behind it.
        /// </summary>
        public int ConcurrencyLimit
        {
            get
            {
                lock (_sync)
                {
                    return CurrentLimit();
                }
            }
        }

        /// <summary>Shortest time between two decreases of <see cref="ConcurrencyLimit"/> (about a few round trips).</summary>
        public static readonly TimeSpan DecreaseInterval = TimeSpan.FromMilliseconds(100);

        public int Window { get; }

        /// <summary>
        /// Start each input's work on the thread that lets it start (the one posting it, or the one
        /// finishing the work before it) instead of on the thread pool: the work runs there until its
        /// first await. Set it when that part is short (an SPF check parses its input and sends its first
        /// query), to save a thread-pool hop per input; leave it off for work that computes before it
        /// waits. Set before the first <see cref="Post"/>.
        /// </summary>
        public bool StartInline { get; set; }

        /// <summary>
        /// Work queued further down (the DNS layer's queries waiting for a congestion window), asked before
        /// each start beyond the first running input and at each completion. At <see cref="BacklogLimit"/>
        /// or more, new inputs are held back and <see cref="ConcurrencyLimit"/> shrinks; at 0 it may grow.
        /// Null: the throttle alone decides. Must be thread-safe and cheap (it is asked under a lock).
        /// </summary>
        public Func<int>? Backlog { get; set; }

        /// <summary>The <see cref="Backlog"/> at which new inputs wait (DnsResolver.BacklogLimit for DNS work).</summary>
        public int BacklogLimit { get; set; } = 256;

        /// <summary>Inputs posted so far.</summary>
        public long Posted => Interlocked.Read(ref _posted);

        /// <summary>Inputs whose work has started.</summary>
        public long Started => Interlocked.Read(ref _started);

        /// <summary>Inputs whose result is ready (taken or not).</summary>
        public long Completed => Interlocked.Read(ref _completed);

        /// <summary>Results handed out.</summary>
        public long Taken => Interlocked.Read(ref _taken);

        public int Running => Volatile.Read(ref _running);

        /// <summary>Time since the first input was posted.</summary>
        public TimeSpan Elapsed => _clock.Elapsed;

        /// <summary>Completed inputs per second since the first was posted.</summary>
        public double RatePerSecond
        {
            get
            {
                double seconds = _clock.Elapsed.TotalSeconds;
                return seconds <= 0 ? 0 : Completed / seconds;
            }
        }

        /// <summary>Time left for the inputs posted so far at the current rate; null until a rate is known.</summary>
        public TimeSpan? EstimatedRemaining
        {
            get
            {
                double rate = RatePerSecond;
                long left = Posted - Completed;
                return rate <= 0 ? (TimeSpan?)null : TimeSpan.FromSeconds(left / rate);
            }
        }

        /// <summary>True once <see cref="CompleteAdding"/> was called and every result was taken.</summary>
        public bool IsFinished
        {
            get
            {
                lock (_sync)
                {
                    return _addingCompleted && _taken == _posted;
                }
            }
        }

        /// <summary>Adds an input; its work starts now if the throttle and window allow, else later. Never blocks.</summary>
        /// <exception cref="InvalidOperationException">After <see cref="CompleteAdding"/>.</exception>
        public void Post(TIn input)
        {
            lock (_sync)
            {
                if (_addingCompleted)
                {
                    throw new InvalidOperationException("No input can be posted after CompleteAdding.");
                }

                if (!_clock.IsRunning)
                {
                    _clock.Start();
                }

                _pending.Enqueue((_posted, input));
                _posted++;
            }

            StartMore();
        }

        /// <summary>Says no more input will come (the end of the pipeline).</summary>
        public void CompleteAdding()
        {
            lock (_sync)
            {
                _addingCompleted = true;
                Monitor.PulseAll(_sync);
            }
        }

        /// <summary>Stops: running work is cancelled and reports through the error projection; pending work does too, without running.</summary>
        public void Cancel()
        {
            _cancel.Cancel();
            StartMore();
        }

        /// <summary>The next result in input order, if it is ready.</summary>
        public bool TryTakeNext(out TOut result) => WaitNext(TimeSpan.Zero, out result);

        /// <summary>
        /// Waits up to <paramref name="timeout"/> for the next result in input order. False on
        /// timeout, or when everything posted has been taken (check <see cref="IsFinished"/>).
        /// </summary>
        public bool WaitNext(TimeSpan timeout, out TOut result)
        {
            long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            bool took = false;
            result = default!;
            lock (_sync)
            {
                while (true)
                {
                    if (_done.TryGetValue(_taken, out TOut? value))
                    {
                        _done.Remove(_taken);
                        result = value;
                        _taken++;
                        took = true;
                        break;
                    }

                    if (_taken == _posted && _addingCompleted)
                    {
                        break;
                    }

                    long now = Stopwatch.GetTimestamp();
                    if (now >= deadline)
                    {
                        break;
                    }

                    long left = deadline - now;
                    int wait = left >= int.MaxValue / 1000L * Stopwatch.Frequency ? int.MaxValue : (int)Math.Max(1, left * 1000 / Stopwatch.Frequency);
                    Monitor.Wait(_sync, wait);
                }
            }

            if (took)
            {
                // Taking moved the window: more inputs may start.
                StartMore();
            }

            return took;
        }

        /// <summary>Blocks until the next result or the end, returning every result in order (for tests and the CLI).</summary>
        public IEnumerable<TOut> TakeAll()
        {
            while (WaitNext(Timeout.InfiniteTimeSpan, out TOut result))
            {
                yield return result;
            }
        }

        public void Dispose()
        {
            _cancel.Cancel();
            _cancel.Dispose();
        }

        private void StartMore()
        {
            int me = Environment.CurrentManagedThreadId;
            if (Volatile.Read(ref _startingThread) == me)
            {
                // Work started inline finished at once and asks for more: the loop further up this thread's
                // stack starts it, so a run of synchronously finished inputs never nests.
                return;
            }

            while (true)
            {
                (long Index, TIn Input) next;
                lock (_sync)
                {
                    if (_pending.Count == 0 || _running >= CurrentLimit() || _pending.Peek().Index - _taken >= Window
                        || (_running > 0 && Backlog != null && !_cancel.IsCancellationRequested && Backlog() >= BacklogLimit))
                    {
                        return;
                    }

                    next = _pending.Dequeue();
                    _running++;
                    _started++;
                }

                if (StartInline && Interlocked.CompareExchange(ref _startingThread, me, 0) == 0)
                {
                    try
                    {
                        _ = RunAsync(next.Index, next.Input, inline: true);
                    }
                    finally
                    {
                        Volatile.Write(ref _startingThread, 0);
                    }
                }
                else
                {
                    _ = RunAsync(next.Index, next.Input, inline: false);
                }
            }
        }

        private int CurrentLimit() => Backlog == null ? ThrottleLimit : Math.Max(1, Math.Min(ThrottleLimit, (int)_limit));

        // Under _sync, as an input completes (still counted in _running).
        private void Adapt()
        {
            if (_cancel.IsCancellationRequested)
            {
                return;
            }

            int backlog = Backlog!();
            if (backlog >= BacklogLimit)
            {
                long now = Stopwatch.GetTimestamp();
                if (now - _lastDecrease >= DecreaseInterval.TotalSeconds * Stopwatch.Frequency)
                {
                    _lastDecrease = now;
                    _limit = Math.Max(MinimumConcurrency, _limit * 0.75);
                }
            }
            else if (backlog == 0 && _running >= (int)_limit && _limit < ThrottleLimit)
            {
                // Only while the limit is what holds inputs back and nothing queues below: idle headroom
                // proves nothing, and queries already waiting would only wait longer. By one per
                // completion, as in slow start: a domain waiting out a dead server holds its slot for
                // seconds without loading the DNS layer, so a per-round increase would starve the run.
                _limit += 1;
            }
        }

        private const double MinimumConcurrency = 4;

        private async Task RunAsync(long index, TIn input, bool inline)
        {
            TOut result;
            try
            {
                // By default on the thread pool, so Post returns at once whatever the work does before its
                // first await; inline (StartInline) on this thread. No caller's synchronization context is
                // captured either way (ConfigureAwait(false)).
                CancellationToken token = _cancel.Token;
                using (_findingPolicy.Enter())
                {
                    result = inline
                        ? await _work(input, token).ConfigureAwait(false)
                        : await Task.Run(() => _work(input, token), token).ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                try
                {
                    result = _onError(input, ex);
                }
                catch (Exception inner)
                {
                    // The projection itself failed: still one result per input.
                    result = default!;
                    System.Diagnostics.Debug.WriteLine(inner);
                }
            }

            lock (_sync)
            {
                _done[index] = result;
                if (Backlog != null)
                {
                    Adapt();
                }

                _running--;
                _completed++;
                Monitor.PulseAll(_sync);
            }

            StartMore();
        }
    }
}
