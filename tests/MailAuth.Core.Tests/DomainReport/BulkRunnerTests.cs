using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.DomainReport;

namespace MailAuth.Core.Tests.DomainReport
{
    public class BulkRunnerTests
    {
        [Fact]
        public void ResultsComeBackInInputOrderWithinTheThrottle()
        {
            int running = 0;
            int maxRunning = 0;
            var random = new Random(7);
            int[] delays = Enumerable.Range(0, 200).Select(_ => random.Next(0, 15)).ToArray();
            using var runner = new BulkRunner<int, string>(async (i, ct) =>
            {
                int now = Interlocked.Increment(ref running);
                int seen;
                while ((seen = Volatile.Read(ref maxRunning)) < now && Interlocked.CompareExchange(ref maxRunning, now, seen) != seen)
                {
                }

                await Task.Delay(delays[i], ct);
                Interlocked.Decrement(ref running);
                return "r" + i;
            }, (i, ex) => "error " + i, throttleLimit: 8);

            var results = new List<string>();
            for (int i = 0; i < 200; i++)
            {
                runner.Post(i);

                // Write what is ready while more runs, as the cmdlet's pipeline thread does.
                while (runner.TryTakeNext(out string ready))
                {
                    results.Add(ready);
                }
            }

            runner.CompleteAdding();
            results.AddRange(runner.TakeAll());

            Assert.Equal(Enumerable.Range(0, 200).Select(i => "r" + i), results);
            Assert.InRange(maxRunning, 2, 8);
            Assert.Equal(200, runner.Completed);
            Assert.Equal(200, runner.Taken);
            Assert.True(runner.IsFinished);
            Assert.True(runner.RatePerSecond > 0);
        }

        [Fact]
        public void Adaptive_concurrency_grows_while_nothing_queues_below_and_shrinks_when_the_backlog_is_full()
        {
            int running = 0;
            int maxRunning = 0;
            int backlog = 0;
            using var runner = new BulkRunner<int, int>(async (i, ct) =>
            {
                int now = Interlocked.Increment(ref running);
                int seen;
                while ((seen = Volatile.Read(ref maxRunning)) < now && Interlocked.CompareExchange(ref maxRunning, now, seen) != seen)
                {
                }

                await Task.Delay(2, ct);
                Interlocked.Decrement(ref running);
                return i;
            }, (i, ex) => -1, throttleLimit: 48)
            {
                Backlog = () => Volatile.Read(ref backlog),
                BacklogLimit = 10,
            };

            // It starts below the ceiling (slow start), then grows by one per completion that the limit held back.
            Assert.Equal(BulkRunner<int, int>.InitialConcurrency, runner.ConcurrencyLimit);
            var results = new List<int>();
            void RunBatch(int from, int count)
            {
                for (int i = from; i < from + count; i++)
                {
                    runner.Post(i);
                }

                while (results.Count < from + count && runner.WaitNext(TimeSpan.FromSeconds(10), out int r))
                {
                    results.Add(r);
                }
            }

            RunBatch(0, 400);
            Assert.Equal(48, runner.ConcurrencyLimit);
            Assert.InRange(maxRunning, BulkRunner<int, int>.InitialConcurrency + 1, 48);

            // A full backlog below: no new start while work runs (one at a time), and the limit falls by a
            // quarter per DecreaseInterval, however many completions come in between.
            Volatile.Write(ref backlog, 10);
            maxRunning = 0;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            RunBatch(400, 60);
            int decreases = (int)(watch.Elapsed.Ticks / BulkRunner<int, int>.DecreaseInterval.Ticks) + 1;
            Assert.Equal(1, maxRunning);
            Assert.InRange(runner.ConcurrencyLimit, (int)(48 * Math.Pow(0.75, decreases)) - 1, 36);

            // A backlog short of the limit holds the level: no growth, no decrease.
            Volatile.Write(ref backlog, 3);
            int held = runner.ConcurrencyLimit;
            RunBatch(460, 100);
            Assert.Equal(held, runner.ConcurrencyLimit);

            runner.CompleteAdding();
            results.AddRange(runner.TakeAll());
            Assert.Equal(Enumerable.Range(0, 560), results);
        }

        [Fact]
        public void Without_a_backlog_signal_the_throttle_alone_is_the_limit()
        {
            using var runner = new BulkRunner<int, int>((i, ct) => Task.FromResult(i), (i, ex) => -1, throttleLimit: 700);
            Assert.Equal(700, runner.ConcurrencyLimit);
        }

        [Fact]
        public void StartInline_runs_work_on_the_posting_thread_and_never_nests()
        {
            int poster = Environment.CurrentManagedThreadId;
            int onPoster = 0;
            int maxDepth = 0;
            int depth = 0;
            using var runner = new BulkRunner<int, int>((i, ct) =>
            {
                // Synchronously finished work: each completion asks for the next start on this thread.
                int d = Interlocked.Increment(ref depth);
                maxDepth = Math.Max(maxDepth, d);
                if (Environment.CurrentManagedThreadId == poster)
                {
                    onPoster++;
                }

                Interlocked.Decrement(ref depth);
                return Task.FromResult(i * 2);
            }, (i, ex) => -1, throttleLimit: 4, window: 100000) { StartInline = true };

            for (int i = 0; i < 20000; i++)
            {
                runner.Post(i);
            }

            runner.CompleteAdding();
            Assert.Equal(Enumerable.Range(0, 20000).Select(i => i * 2), runner.TakeAll());
            Assert.Equal(20000, onPoster);
            Assert.Equal(1, maxDepth);
        }

        [Fact]
        public async Task StartInline_work_that_waits_continues_elsewhere_in_order()
        {
            using var runner = new BulkRunner<int, string>(async (i, ct) =>
            {
                await Task.Delay(i % 5, ct);
                return "r" + i;
            }, (i, ex) => "error", throttleLimit: 8) { StartInline = true };

            for (int i = 0; i < 300; i++)
            {
                runner.Post(i);
            }

            runner.CompleteAdding();
            List<string> results = await Task.Run(() => runner.TakeAll().ToList());
            Assert.Equal(Enumerable.Range(0, 300).Select(i => "r" + i), results);
        }

        [Fact]
        public void ExceptionsBecomeResultsInPlace()
        {
            using var runner = new BulkRunner<int, string>((i, ct) =>
                i % 3 == 0 ? throw new InvalidOperationException("boom " + i) : Task.FromResult("ok " + i),
                (i, ex) => "error " + ex.Message, throttleLimit: 4);
            for (int i = 1; i <= 9; i++)
            {
                runner.Post(i);
            }

            runner.CompleteAdding();
            Assert.Equal(new[] { "ok 1", "ok 2", "error boom 3", "ok 4", "ok 5", "error boom 6", "ok 7", "ok 8", "error boom 9" }, runner.TakeAll());
        }

        [Fact]
        public void CancelStillYieldsOneResultPerInput()
        {
            using var cts = new CancellationTokenSource();
            using var runner = new BulkRunner<int, string>(async (i, ct) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(30), ct);
                return "done";
            }, (i, ex) => ex is OperationCanceledException ? "cancelled " + i : "other", throttleLimit: 2, cancellationToken: cts.Token);
            for (int i = 0; i < 10; i++)
            {
                runner.Post(i);
            }

            runner.CompleteAdding();
            Assert.False(runner.WaitNext(TimeSpan.FromMilliseconds(100), out _));
            cts.Cancel();
            var results = runner.TakeAll().ToList();
            Assert.Equal(Enumerable.Range(0, 10).Select(i => "cancelled " + i), results);
        }

        [Fact]
        public void SlowHeadHoldsBackNewStartsBeyondTheWindow()
        {
            var release = new TaskCompletionSource<bool>();
            using var runner = new BulkRunner<int, int>(async (i, ct) =>
            {
                if (i == 0)
                {
                    await release.Task;
                }

                return i;
            }, (i, ex) => -1, throttleLimit: 4, window: 10);
            for (int i = 0; i < 50; i++)
            {
                runner.Post(i);
            }

            SpinWait.SpinUntil(() => runner.Completed >= 9, TimeSpan.FromSeconds(5));
            Thread.Sleep(100);
            Assert.Equal(10, runner.Started); // input 0 plus nine more: the window is 10
            Assert.False(runner.TryTakeNext(out _));

            release.SetResult(true);
            runner.CompleteAdding();
            Assert.Equal(Enumerable.Range(0, 50), runner.TakeAll());
        }

        [Fact]
        public void ArgumentsAndMisuseAreChecked()
        {
            Assert.Throws<ArgumentNullException>(() => new BulkRunner<int, int>(null!, (i, e) => 0));
            Assert.Throws<ArgumentNullException>(() => new BulkRunner<int, int>((i, c) => Task.FromResult(i), null!));
            Assert.Throws<ArgumentOutOfRangeException>(() => new BulkRunner<int, int>((i, c) => Task.FromResult(i), (i, e) => 0, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => new BulkRunner<int, int>((i, c) => Task.FromResult(i), (i, e) => 0, 1, -1));
            using var runner = new BulkRunner<int, int>((i, c) => Task.FromResult(i), (i, e) => 0);
            runner.CompleteAdding();
            Assert.Throws<InvalidOperationException>(() => runner.Post(1));
            Assert.False(runner.WaitNext(TimeSpan.FromSeconds(5), out _)); // finished: returns at once
        }
    }
}
