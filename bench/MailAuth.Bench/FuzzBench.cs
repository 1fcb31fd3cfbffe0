using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using MailAuth.Fuzzing;

namespace MailAuth.Bench
{
    /// <summary>
    /// Long fuzzing campaigns and the hostile-input figures of issue 20.
    /// <c>fuzz [inputs-per-target] [seed] [target]</c>: a campaign over every entry point (or one).
    /// <c>hostile</c>: each hostile input in a process of its own, with its time, CPU and peak
    /// working set; <c>hostile NAME</c>: one of them, in this process.
    /// </summary>
    public static class FuzzBench
    {
        public static int Campaign(string[] args)
        {
            int count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
            int seed = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : Environment.TickCount;
            string? only = args.Length > 3 ? args[3] : null;
            int failures = 0;
            foreach (FuzzTarget target in FuzzTarget.All.Where(t => only is null || t.Name == only))
            {
                var clock = Stopwatch.StartNew();
                FuzzRun run = FuzzRunner.Run(target, seed, count);
                Console.WriteLine($"{target.Name,-24} seed {seed}: {run.Inputs,8} inputs in {clock.Elapsed.TotalSeconds,6:0.0} s, slowest {run.Slowest.TotalMilliseconds,7:0.0} ms, {run.Failures.Count} failures");
                if (Environment.GetEnvironmentVariable("FUZZ_SHOW_SLOWEST") == "1")
                {
                    string shown = run.SlowestInput.Length > 300 ? run.SlowestInput.Substring(0, 300) : run.SlowestInput;
                    Console.WriteLine($"  slowest input ({run.SlowestInput.Length} chars): {shown.Replace("\r", "\\r").Replace("\n", "\\n")}");
                }
                foreach (FuzzFailure failure in run.Failures.Take(5))
                {
                    Console.WriteLine("  " + failure);
                }

                failures += run.Failures.Count;
            }

            return failures == 0 ? 0 : 1;
        }

        public static int Hostile(string[] args)
        {
            if (args.Length > 1)
            {
                return RunOne(args[1]);
            }

            Console.WriteLine($"{"input",-30} {"chars",10} {"wall ms",9} {"CPU ms",8} {"peak MB",8}  result");
            foreach (HostileInput input in HostileInputs.All)
            {
                // A process per input: its peak working set is its own.
                var start = new ProcessStartInfo(Environment.ProcessPath!, Environment.GetCommandLineArgs()[0] + " hostile " + input.Name)
                {
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                };
                if (Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal))
                {
                    start.Arguments = $"\"{typeof(FuzzBench).Assembly.Location}\" hostile {input.Name}";
                }

                using Process child = Process.Start(start)!;
                string line = child.StandardOutput.ReadToEnd().Trim();
                child.WaitForExit();
                Console.WriteLine(line);
            }

            return 0;
        }

        private static int RunOne(string name)
        {
            HostileInput input = HostileInputs.All.Single(h => h.Name == name);
            FuzzTarget target = FuzzTarget.All.Single(t => t.Name == input.Target);
            string text = input.Build();
            // Warm the code paths on the target's seeds first, so start-up (JIT, regex compilation)
            // is not counted as the input's.
            foreach (string seed in target.Seeds().Take(20))
            {
                FuzzRunner.Try(target, seed);
            }
            using Process self = Process.GetCurrentProcess();
            self.Refresh();
            TimeSpan cpuBefore = self.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            (TimeSpan _, string? problem) = FuzzRunner.Try(target, text);
            clock.Stop();
            self.Refresh();
            TimeSpan cpu = self.TotalProcessorTime - cpuBefore;
            Console.WriteLine($"{name,-30} {text.Length,10} {clock.Elapsed.TotalMilliseconds,9:0} {cpu.TotalMilliseconds,8:0} {self.PeakWorkingSet64 / 1048576.0,8:0}  {problem ?? "reported"}");
            return problem is null ? 0 : 1;
        }
    }
}
