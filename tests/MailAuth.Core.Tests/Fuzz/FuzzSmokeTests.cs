using System;
using System.Collections.Generic;
using System.Linq;
using MailAuth.Dkim;
using MailAuth.Fuzzing;
using MailAuth.Headers;
using Xunit;

namespace MailAuth.Core.Tests.Fuzz
{
    /// <summary>
    /// CI's bounded fuzz run (issue 20): a fixed seed, a few thousand inputs per entry point (fewer
    /// for whole header blocks and signed messages, which cost more each). No input may throw an
    /// undocumented exception or take longer than its kind allows (100 ms a record, 1 s a header
    /// block; an over-limit input is retried, best of three, so one slow moment of a shared machine
    /// is not a failure). Long campaigns: bench/MailAuth.Bench fuzz.
    /// </summary>
    public class FuzzSmokeTests
    {
        private const int Seed = 20261202;

        public static IEnumerable<object[]> Targets() => FuzzTarget.All.Select(t => new object[] { t.Name });

        [Theory]
        [MemberData(nameof(Targets))]
        public void Smoke_run_finds_no_defect(string name)
        {
            FuzzTarget target = FuzzTarget.All.Single(t => t.Name == name);
            int inputs = target.Kind == FuzzInputKind.Record ? 3000 : 600;
            FuzzRun run = FuzzRunner.Run(target, Seed, inputs);
            Assert.Equal(inputs, run.Inputs);
            Assert.True(run.Failures.Count == 0, string.Join(Environment.NewLine, run.Failures.Take(5)));
        }

        [Fact]
        public void Every_target_has_seeds_from_the_repository()
        {
            // A target without seeds would only fuzz the empty string and the grammar.
            Assert.All(FuzzTarget.All, t => Assert.NotEmpty(t.Seeds()));
            Assert.True(FuzzTarget.All.Single(t => t.Name == "spf-record").Seeds().Count() > 100, "the OpenSPF suites' records");
            Assert.True(FuzzTarget.All.Single(t => t.Name == "header-block").Seeds().Count() > 40, "samples and tests/headers");
            Assert.True(FuzzTarget.All.Single(t => t.Name == "dkim-arc-verify").Seeds().Count() >= 5, "stalwart's signed messages");
        }

        [Fact]
        public void Undocumented_exceptions_and_slow_inputs_are_failures()
        {
            // The runner itself must be able to fail: a target that throws, and one that is slow.
            var throwing = new FuzzTarget("throws", FuzzInputKind.Record, text => throw new InvalidOperationException("boom " + text.Length), () => new[] { "x" });
            FuzzRun thrown = FuzzRunner.Run(throwing, Seed, 5);
            Assert.Equal(5, thrown.Failures.Count);
            Assert.StartsWith("threw InvalidOperationException: boom", thrown.Failures[0].Problem, StringComparison.Ordinal);

            var slow = new FuzzTarget("slow", FuzzInputKind.Record, _ => System.Threading.Thread.Sleep(150), () => new[] { "x" });
            FuzzRun slowRun = FuzzRunner.Run(slow, Seed, 1);
            Assert.Contains("over the 100 ms a Record may take", Assert.Single(slowRun.Failures).Problem, StringComparison.Ordinal);

            // The documented exception is not a failure; another exception type still is.
            var documented = new FuzzTarget("documented", FuzzInputKind.HeaderBlock, text => MailHeaderAnalyzer.AnalyzeText(text), () => new[] { "no fields here" },
                documentedException: typeof(MailHeaderFormatException));
            Assert.Empty(FuzzRunner.Run(documented, Seed, 1).Failures);
        }

        [Fact]
        public void Mutations_are_deterministic_and_bounded()
        {
            var seeds = new[] { "v=spf1 ip4:192.0.2.0/24 -all", "v=DMARC1; p=reject" };
            var a = Enumerable.Range(0, 200).Select(i => Mutator.Mutate(seeds[i % 2], new Random(i), seeds, 1000)).ToList();
            var b = Enumerable.Range(0, 200).Select(i => Mutator.Mutate(seeds[i % 2], new Random(i), seeds, 1000)).ToList();
            Assert.Equal(a, b);
            Assert.All(a, m => Assert.True(m.Length <= 1000));
            Assert.True(a.Distinct().Count() > 150, "mutations differ from one another");
        }

        [Fact]
        public void Signed_message_seeds_verify_with_their_keys()
        {
            // The verification target is only worth fuzzing if its seeds pass: the keys are found.
            string seed = FuzzTarget.All.Single(t => t.Name == "dkim-arc-verify").Seeds().First();
            Assert.Contains("DKIM-Signature:", seed, StringComparison.Ordinal);
            Assert.Equal(DkimVerifyResult.Pass, SignedMessages.VerifySignatures(seed).Last().ResultCode);
        }
    }
}
