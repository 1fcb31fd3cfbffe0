using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace MailAuth.PowerShell.Tests
{
    internal static class RepoPaths
    {
        public static string Root { get; } = FindRoot();

        public static string ModuleDirectory => Path.Combine(Root, "out", "MailAuth.PowerShell");

        public static string ModuleManifest => Path.Combine(ModuleDirectory, "MailAuth.PowerShell.psd1");

        public static string Configuration =>
            typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .First(a => a.Key == "Configuration").Value!;

        public static string IsolationHost =>
            Path.Combine(Root, "tests", "MailAuth.IsolationHost", "bin", Configuration, "net10.0", "MailAuth.IsolationHost.dll");

        private static string FindRoot()
        {
            string? directory = AppContext.BaseDirectory;
            while (directory != null && !File.Exists(Path.Combine(directory, "MailAuth.PowerShell.sln")))
            {
                directory = Path.GetDirectoryName(directory);
            }

            return directory ?? throw new InvalidOperationException("MailAuth.PowerShell.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>What one script run produced: output, error records and verbose lines.</summary>
    public sealed class PsInvocation
    {
        public PsInvocation(Collection<PSObject> output, IReadOnlyList<ErrorRecord> errors, IReadOnlyList<string> verbose,
            IReadOnlyList<ProgressRecord>? progress = null)
        {
            Output = output;
            Errors = errors;
            Verbose = verbose;
            Progress = progress ?? Array.Empty<ProgressRecord>();
        }

        public IReadOnlyList<ProgressRecord> Progress { get; }

        public Collection<PSObject> Output { get; }

        public IReadOnlyList<ErrorRecord> Errors { get; }

        public IReadOnlyList<string> Verbose { get; }

        public string ErrorText => string.Join(Environment.NewLine, Errors.Select(e => e.FullyQualifiedErrorId + ": " + e));
    }

    /// <summary>A runspace of the real engine (the System.Management.Automation package).</summary>
    public sealed class PowerShellSession : IDisposable
    {
        private readonly Runspace _runspace;

        public PowerShellSession(bool importModule = true)
        {
            _runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            _runspace.Open();
            if (importModule)
            {
                PsInvocation import = Invoke("Import-Module -Name $args[0] -ErrorAction Stop", RepoPaths.ModuleManifest);
                if (import.Errors.Count > 0)
                {
                    throw new InvalidOperationException("Import-Module failed: " + import.ErrorText);
                }
            }
        }

        /// <summary>Runs a script; $args holds the arguments. Terminating errors become error records.</summary>
        public PsInvocation Invoke(string script, params object[] arguments)
        {
            using var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = _runspace;
            ps.AddScript(script);
            foreach (object argument in arguments)
            {
                ps.AddArgument(argument);
            }

            Collection<PSObject> output;
            var errors = new List<ErrorRecord>();
            try
            {
                output = ps.Invoke();
            }
            catch (RuntimeException ex)
            {
                output = new Collection<PSObject>();
                errors.Add(ex.ErrorRecord);
            }

            errors.InsertRange(0, ps.Streams.Error);
            List<string> verbose = ps.Streams.Verbose.Select(v => v.Message).ToList();
            return new PsInvocation(output, errors, verbose, ps.Streams.Progress.ToList());
        }

        public void Dispose()
        {
            _runspace.Dispose();
        }
    }

    /// <summary>One engine with the module imported, shared by the tests of the collection.</summary>
    public sealed class ModuleFixture : IDisposable
    {
        public PowerShellSession Session { get; } = new PowerShellSession();

        public void Dispose()
        {
            Session.Dispose();
        }
    }

    [CollectionDefinition(Name)]
    public sealed class PowerShellCollection : ICollectionFixture<ModuleFixture>
    {
        public const string Name = "PowerShell engine";
    }
}
