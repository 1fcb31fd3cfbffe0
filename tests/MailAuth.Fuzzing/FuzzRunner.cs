using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace MailAuth.Fuzzing
{
    /// <summary>An input that broke an entry point: it threw, or took longer than its kind allows.</summary>
    public sealed class FuzzFailure
    {
        public FuzzFailure(string target, int index, string input, string problem)
        {
            Target = target;
            Index = index;
            Input = input;
            Problem = problem;
        }

        public string Target { get; }

        /// <summary>The input's number in the run: with the seed, enough to make it again.</summary>
        public int Index { get; }

        public string Input { get; }

        public string Problem { get; }

        public override string ToString() =>
            $"{Target} #{Index}: {Problem}; input ({Input.Length} chars): {(Input.Length > 200 ? Input.Substring(0, 200) + "…" : Input)}";
    }

    /// <summary>What one run over one entry point did.</summary>
    public sealed class FuzzRun
    {
        public FuzzRun(string target, int inputs, TimeSpan slowest, string slowestInput, IReadOnlyList<FuzzFailure> failures)
        {
            SlowestInput = slowestInput;
            Target = target;
            Inputs = inputs;
            Slowest = slowest;
            Failures = failures;
        }

        public string Target { get; }

        public int Inputs { get; }

        /// <summary>The longest time one input took (its best of three when it was over the limit).</summary>
        public TimeSpan Slowest { get; }

        /// <summary>The input that took <see cref="Slowest"/>.</summary>
        public string SlowestInput { get; }

        public IReadOnlyList<FuzzFailure> Failures { get; }
    }

    /// <summary>
    /// Runs seeded inputs through an entry point: the seeds themselves, then mutations of them and,
    /// where the target has a grammar, generated inputs, alternately. Deterministic for a seed.
    /// </summary>
    public static class FuzzRunner
    {
        public static FuzzRun Run(FuzzTarget target, int seed, int count)
        {
            var random = new Random(seed);
            List<string> seeds = target.Seeds().ToList();
            if (seeds.Count == 0)
            {
                seeds.Add(string.Empty);
            }

            var failures = new List<FuzzFailure>();
            TimeSpan slowest = TimeSpan.Zero;
            string slowestInput = string.Empty;
            for (int i = 0; i < count; i++)
            {
                string input = i < seeds.Count ? seeds[i]
                    : target.Grammar != null && random.Next(3) == 0 ? target.Grammar(random)
                    : Mutator.Mutate(seeds[random.Next(seeds.Count)], random, seeds, target.MaxInputLength);
                if (input.Length > target.MaxInputLength)
                {
                    input = input.Substring(0, target.MaxInputLength);
                }

                (TimeSpan elapsed, string? problem) = Try(target, input);
                if (problem is null && elapsed > target.Limit)
                {
                    // One slow run can be the shared machine; an input that is slow every time is a defect.
                    elapsed = Enumerable.Range(0, 2).Select(_ => Try(target, input).Elapsed).Append(elapsed).Min();
                    if (elapsed > target.Limit)
                    {
                        problem = $"took {elapsed.TotalMilliseconds:0} ms, over the {target.Limit.TotalMilliseconds:0} ms a {target.Kind} may take";
                    }
                }

                if (elapsed > slowest)
                {
                    slowest = elapsed;
                    slowestInput = input;
                }

                if (problem != null)
                {
                    failures.Add(new FuzzFailure(target.Name, i, input, problem));
                }
            }

            return new FuzzRun(target.Name, count, slowest, slowestInput, failures);
        }

        /// <summary>Runs one input; the problem when it threw.</summary>
        public static (TimeSpan Elapsed, string? Problem) Try(FuzzTarget target, string input)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                target.Run(input);
                return (clock.Elapsed, null);
            }
            catch (Exception ex) when (target.DocumentedException != null && target.DocumentedException.IsInstanceOfType(ex))
            {
                return (clock.Elapsed, null);
            }
            catch (Exception ex)
            {
                // Every entry point reports bad input in its result: any exception is undocumented.
                return (clock.Elapsed, $"threw {ex.GetType().Name}: {ex.Message}");
            }
        }
    }
}
