using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace MailAuth.PowerShell.Tests
{
    /// <summary>
    /// Each scenario runs in a fresh process (MailAuth.IsolationHost) that holds DnsClient 1.6.1 in
    /// the default load context, as DnsClient-PS does, and has never loaded MailAuth itself.
    /// </summary>
    public sealed class IsolationTests
    {
        [Fact]
        public void Module_works_when_DnsClient_1_6_1_was_loaded_first()
        {
            List<string> lines = RunHost("dnsclient-first", RepoPaths.ModuleManifest);
            Assert.Contains(lines, l => l.StartsWith("default-dnsclient-before=1.6.1", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.StartsWith("error=", StringComparison.Ordinal) || l.StartsWith("exception=", StringComparison.Ordinal));
            Assert.Contains("module-txt=v=spf1 ip4:192.0.2.0/24 -all", lines);
            Assert.Contains("module-status=Found", lines);
            Assert.Contains("spf-record=Found", lines);
            Assert.Contains("spf-test=Pass", lines);
            Assert.Contains("dmarc=Reject", lines);
            Assert.Contains("header=203.0.113.45", lines);

            // The module queries DNS with its own wire code: the only DnsClient is DnsClient-PS's 1.6.1,
            // in the default context, untouched.
            string dnsClient = Assert.Single(lines, l => l.StartsWith("assembly=DnsClient ", StringComparison.Ordinal));
            Assert.Contains(" 1.6.1.0 ", dnsClient);
            Assert.EndsWith(" True", dnsClient);
        }

        [Fact]
        public void DnsClient_1_6_1_works_after_the_module_was_imported_and_used()
        {
            List<string> lines = RunHost("module-first", RepoPaths.ModuleManifest);
            Assert.DoesNotContain(lines, l => l.StartsWith("error=", StringComparison.Ordinal) || l.StartsWith("exception=", StringComparison.Ordinal));
            Assert.Contains("module-status=Found", lines);
            Assert.Contains("default-dnsclient-after=1.6.1.0 192.0.2.10", lines);
        }

        [Fact]
        public void Core_and_MimeKit_live_in_the_modules_load_context()
        {
            List<string> lines = RunHost("module-first", RepoPaths.ModuleManifest);
            Assert.Contains("context-core=MailAuth.PowerShell.Loading.ModuleLoadContext", lines);
            Assert.DoesNotContain(lines, l => l.StartsWith("assembly=DnsClient ", StringComparison.Ordinal));
            foreach (string name in new[] { "MailAuth.Core", "MimeKit", "BouncyCastle.Cryptography" })
            {
                string line = Assert.Single(lines, l => l.StartsWith("assembly=" + name + " ", StringComparison.Ordinal));
                Assert.EndsWith("MailAuth.PowerShell.Loading.ModuleLoadContext False", line);
            }
        }

        [Fact]
        public void Missing_private_dll_fails_Import_Module_naming_the_file()
        {
            string copy = CopyModule();
            try
            {
                File.Delete(Path.Combine(copy, "bin", "BouncyCastle.Cryptography.dll"));
                List<string> lines = RunHost("import-only", Path.Combine(copy, "MailAuth.PowerShell.psd1"));
                string error = Assert.Single(lines, l => l.StartsWith("error=", StringComparison.Ordinal));
                Assert.Contains("'BouncyCastle.Cryptography' is missing", error);
                Assert.Contains(Path.Combine(copy, "bin", "BouncyCastle.Cryptography.dll"), error);
                Assert.DoesNotContain("imported", lines);
                Assert.Contains("modules=", lines);
            }
            finally
            {
                Directory.Delete(copy, recursive: true);
            }
        }

        [Fact]
        public void Damaged_private_dll_fails_Import_Module_naming_the_file()
        {
            string copy = CopyModule();
            try
            {
                File.WriteAllBytes(Path.Combine(copy, "bin", "MimeKit.dll"), new byte[] { 0x4D, 0x5A, 0x00, 0x01, 0x02 });
                List<string> lines = RunHost("import-only", Path.Combine(copy, "MailAuth.PowerShell.psd1"));
                string error = Assert.Single(lines, l => l.StartsWith("error=", StringComparison.Ordinal));
                Assert.Contains("'MimeKit'", error);
                Assert.Contains("missing or damaged", error);
                Assert.DoesNotContain("imported", lines);
                Assert.Contains("modules=", lines);
            }
            finally
            {
                Directory.Delete(copy, recursive: true);
            }
        }

        [Fact]
        public void Missing_private_folder_fails_Import_Module_with_one_clear_error()
        {
            string copy = CopyModule();
            try
            {
                Directory.Delete(Path.Combine(copy, "bin"), recursive: true);
                List<string> lines = RunHost("import-only", Path.Combine(copy, "MailAuth.PowerShell.psd1"));
                string error = Assert.Single(lines, l => l.StartsWith("error=", StringComparison.Ordinal));
                Assert.Contains("private folder", error);
                Assert.Contains(Path.Combine(copy, "bin"), error);
                Assert.Contains("modules=", lines);
            }
            finally
            {
                Directory.Delete(copy, recursive: true);
            }
        }

        private static string CopyModule()
        {
            string target = Path.Combine(Path.GetTempPath(), "mailauth-module-" + Guid.NewGuid().ToString("N"), "MailAuth.PowerShell");
            foreach (string file in Directory.GetFiles(RepoPaths.ModuleDirectory, "*", SearchOption.AllDirectories))
            {
                string destination = Path.Combine(target, Path.GetRelativePath(RepoPaths.ModuleDirectory, file));
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(file, destination);
            }

            return target;
        }

        private static List<string> RunHost(string scenario, string manifest)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(RepoPaths.IsolationHost);
            start.ArgumentList.Add(scenario);
            start.ArgumentList.Add(manifest);
            start.ArgumentList.Add(Path.Combine(RepoPaths.Root, "samples", "phish-spf-pass-unaligned.txt"));
            using Process process = Process.Start(start)!;
            string stdout = process.StandardOutput.ReadToEnd();
            string stderr = process.StandardError.ReadToEnd();
            Assert.True(process.WaitForExit(60_000), "isolation host did not finish within 60 s");
            Assert.True(process.ExitCode == 0, $"host exit {process.ExitCode}: {stdout} {stderr}");
            return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        }
    }
}
