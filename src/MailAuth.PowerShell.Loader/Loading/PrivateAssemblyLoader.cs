using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MailAuth.PowerShell.Loading
{
    /// <summary>
    /// Makes the module's private assemblies (bin/) resolvable without putting them where other
    /// modules' copies of DnsClient, MimeKit or BouncyCastle could clash with them.
    /// PowerShell 7: one <see cref="ModuleLoadContext"/> holds MailAuth.Core and everything it needs;
    /// the default context is only asked to find MailAuth.Core, and the answer comes from our context.
    /// Windows PowerShell 5.1: an AssemblyResolve handler that answers only for files in bin/.
    /// Process-wide and idempotent: Import-Module -Force and several runspaces share one loader.
    /// </summary>
    internal static class PrivateAssemblyLoader
    {
        internal const string CoreAssemblyName = "MailAuth.Core";
        internal const string PrivateFolderName = "bin";

        private static readonly object s_sync = new object();
        private static Assembly? s_coreAssembly;

        internal static bool IsNetFramework =>
            RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);

        internal static string PrivateDirectory
        {
            get
            {
                string entryDirectory = Path.GetDirectoryName(typeof(PrivateAssemblyLoader).Assembly.Location) ?? string.Empty;
                return Path.Combine(entryDirectory, PrivateFolderName);
            }
        }

        internal static void Initialize()
        {
            lock (s_sync)
            {
                if (s_coreAssembly != null)
                {
                    return;
                }

                string directory = PrivateDirectory;
                string corePath = Path.Combine(directory, CoreAssemblyName + ".dll");
                if (!Directory.Exists(directory))
                {
                    throw new ModuleLoadException(
                        $"MailAuth.PowerShell cannot load: its private folder '{directory}' is missing. Reinstall the module (Install-Module MailAuth.PowerShell -Force) or rebuild it (dotnet build).");
                }

                if (!File.Exists(corePath))
                {
                    throw ModuleLoadException.Missing(CoreAssemblyName, corePath);
                }

                Assembly core = IsNetFramework
                    ? FrameworkResolver.Register(directory, corePath)
                    : CoreClrResolver.Register(directory, corePath);

                // Load the whole private dependency graph now, so a missing or damaged file fails
                // Import-Module with its name rather than the first cmdlet call with a bare FileNotFoundException.
                LoadReferencesOf(core, directory, new HashSet<string>(StringComparer.OrdinalIgnoreCase));
                s_coreAssembly = core;
            }
        }

        private static void LoadReferencesOf(Assembly assembly, string directory, HashSet<string> seen)
        {
            foreach (AssemblyName reference in assembly.GetReferencedAssemblies())
            {
                string name = reference.Name ?? string.Empty;
                if (!seen.Add(name))
                {
                    continue;
                }

                string path = Path.Combine(directory, name + ".dll");
                bool isPrivate = File.Exists(path);
                Assembly loaded;
                try
                {
                    loaded = IsNetFramework
                        ? Assembly.Load(reference)
                        : CoreClrResolver.LoadPrivate(reference);
                }
                catch (Exception ex) when (ex is BadImageFormatException || ex is FileLoadException || ex is FileNotFoundException)
                {
                    // Neither in bin/ nor provided by the runtime: a file of ours is missing or damaged.
                    throw isPrivate ? ModuleLoadException.Damaged(name, path, ex) : ModuleLoadException.Missing(name, path);
                }

                if (isPrivate)
                {
                    LoadReferencesOf(loaded, directory, seen);
                }
            }
        }

        /// <summary>Kept apart so that .NET Framework never JIT-compiles code naming AssemblyLoadContext.</summary>
        private static class CoreClrResolver
        {
            private static ModuleLoadContext? s_context;

            [MethodImpl(MethodImplOptions.NoInlining)]
            internal static Assembly Register(string directory, string corePath)
            {
                s_context = new ModuleLoadContext(directory);
                Assembly core = LoadCore(corePath);
                System.Runtime.Loader.AssemblyLoadContext.Default.Resolving += (context, name) =>
                    string.Equals(name.Name, CoreAssemblyName, StringComparison.OrdinalIgnoreCase) ? core : null;
                return core;
            }

            [MethodImpl(MethodImplOptions.NoInlining)]
            internal static Assembly LoadPrivate(AssemblyName name)
            {
                return s_context!.LoadFromAssemblyName(name);
            }

            private static Assembly LoadCore(string corePath)
            {
                try
                {
                    return s_context!.LoadFromAssemblyPath(corePath);
                }
                catch (BadImageFormatException ex)
                {
                    throw ModuleLoadException.Damaged(CoreAssemblyName, corePath, ex);
                }
            }
        }

        private static class FrameworkResolver
        {
            private static string s_directory = string.Empty;

            internal static Assembly Register(string directory, string corePath)
            {
                s_directory = directory;
                AppDomain.CurrentDomain.AssemblyResolve += OnAssemblyResolve;
                try
                {
                    return Assembly.LoadFrom(corePath);
                }
                catch (BadImageFormatException ex)
                {
                    throw ModuleLoadException.Damaged(CoreAssemblyName, corePath, ex);
                }
            }

            // Answers only for assemblies whose file is in our bin/ folder; every other request is
            // left to the runtime and to other handlers.
            private static Assembly? OnAssemblyResolve(object? sender, ResolveEventArgs args)
            {
                string name = new AssemblyName(args.Name).Name ?? string.Empty;
                string path = Path.Combine(s_directory, name + ".dll");
                return File.Exists(path) ? Assembly.LoadFrom(path) : null;
            }
        }
    }
}
