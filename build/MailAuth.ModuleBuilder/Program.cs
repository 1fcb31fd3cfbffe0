using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace MailAuth.ModuleBuilder
{
    /// <summary>
    /// Finishes the laid-out module folder: stamps the manifest with the version and its release
    /// notes from CHANGELOG.md, and builds the help: MAML for every cmdlet from
    /// docs/en-US/&lt;cmdlet&gt;.md and the cmdlet's own metadata, plus the about_ topics.
    /// Usage: MailAuth.ModuleBuilder &lt;repository root&gt; &lt;module folder&gt; &lt;version&gt;.
    /// Pages and parameters that do not match the cmdlets are reported as MSBuild warnings; the
    /// Pester suite fails on them (tests/Pester/Help.Tests.ps1).
    /// </summary>
    internal static class Program
    {
        private const string ModuleName = "MailAuth.PowerShell";

        private static int Main(string[] args)
        {
            if (args.Length != 3)
            {
                Console.Error.WriteLine("usage: MailAuth.ModuleBuilder <repository root> <module folder> <version>");
                return 2;
            }

            string root = Path.GetFullPath(args[0]);
            string docs = Path.Combine(root, "docs", "en-US");
            string module = Path.GetFullPath(args[1]);
            string manifest = Path.Combine(module, ModuleName + ".psd1");
            ManifestStamp.Apply(manifest, args[2], Path.Combine(root, "CHANGELOG.md"));
            string helpFolder = Path.Combine(module, "en-US");
            Directory.CreateDirectory(helpFolder);

            List<CmdletInfo> cmdlets = LoadCmdlets(manifest);
            var commands = new List<MamlCommand>();
            foreach (CmdletInfo cmdlet in cmdlets.OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                string pagePath = Path.Combine(docs, cmdlet.Name + ".md");
                if (!File.Exists(pagePath))
                {
                    Warn(pagePath, "MAHELP001", $"{cmdlet.Name} has no help page.");
                    continue;
                }

                HelpPage page = HelpPage.Load(pagePath);
                var command = new MamlCommand(cmdlet, page);
                foreach (string problem in command.Problems)
                {
                    Warn(pagePath, "MAHELP002", problem);
                }

                commands.Add(command);
            }

            string mamlPath = Path.Combine(helpFolder, ModuleName + ".dll-Help.xml");
            MamlWriter.Write(mamlPath, commands);
            foreach (string about in Directory.GetFiles(docs, "about_*.help.txt"))
            {
                File.Copy(about, Path.Combine(helpFolder, Path.GetFileName(about)), overwrite: true);
            }

            Console.WriteLine($"MailAuth.PowerShell help -> {mamlPath} ({commands.Count} cmdlets)");
            return 0;
        }

        /// <summary>The module's cmdlets as the engine sees them once the built module is imported.</summary>
        private static List<CmdletInfo> LoadCmdlets(string manifest)
        {
            using Runspace runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            runspace.Open();
            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            // The SDK package holds the engine only (no Microsoft.PowerShell.Utility): read the PSModuleInfo.
            ps.AddCommand("Import-Module").AddParameter("Name", manifest).AddParameter("PassThru");
            List<CmdletInfo> cmdlets = ps.Invoke().Select(o => (PSModuleInfo)o.BaseObject)
                .SelectMany(m => m.ExportedCmdlets.Values).ToList();
            if (ps.HadErrors || cmdlets.Count == 0)
            {
                string errors = string.Join("; ", ps.Streams.Error.Select(e => e.ToString()));
                throw new InvalidOperationException($"Importing {manifest} gave no cmdlets: {errors}");
            }

            return cmdlets;
        }

        private static void Warn(string file, string code, string message) =>
            // MSBuild's canonical format, so the line shows as a build warning.
            Console.WriteLine($"{file}: warning {code}: {message}");
    }
}
