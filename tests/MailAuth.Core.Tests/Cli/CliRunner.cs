using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;

namespace MailAuth.Core.Tests.Cli
{
    /// <summary>Runs the built mailauth as its own process, as a user's shell would.</summary>
    internal static class CliRunner
    {
        public static string RepoRoot => RepositoryFiles.Root;

        internal static string CliPath
        {
            get
            {
                string configuration = typeof(CliRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                    .First(a => a.Key == "Configuration").Value!;
                return Path.Combine(RepositoryFiles.Root, "src", "MailAuth.Cli", "bin", configuration, "net10.0", "mailauth.dll");
            }
        }

        public static CliResult Run(string? stdin, params string[] arguments)
        {
            using Process process = Start(arguments);
            if (stdin != null)
            {
                process.StandardInput.Write(stdin);
            }

            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(120_000), "mailauth did not finish within 120 s");
            return new CliResult(process.ExitCode, stdout.Result, stderr.Result);
        }

        /// <summary>Starts mailauth with every stream redirected, for tests that talk to it while it runs.</summary>
        public static Process Start(params string[] arguments)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                WorkingDirectory = RepositoryFiles.Root,
                StandardOutputEncoding = new System.Text.UTF8Encoding(false),
                StandardErrorEncoding = new System.Text.UTF8Encoding(false),
                StandardInputEncoding = new System.Text.UTF8Encoding(false),
            };
            start.ArgumentList.Add(CliPath);
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            // The human output's layout must not depend on the terminal the tests run in.
            start.Environment["COLUMNS"] = "100";
            start.Environment["NO_COLOR"] = "1";
            return Process.Start(start)!;
        }

    }

    internal sealed class CliResult
    {
        public CliResult(int exitCode, string stdout, string stderr)
        {
            ExitCode = exitCode;
            Stdout = stdout;
            Stderr = stderr;
        }

        public int ExitCode { get; }

        public string Stdout { get; }

        public string Stderr { get; }

        public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        public JsonElement[] JsonLines => Lines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();

        public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
    }
}
