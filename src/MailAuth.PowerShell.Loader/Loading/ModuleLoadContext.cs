using System;
using System.Collections.Concurrent;
using System.IO;
using System.Collections.Generic;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace MailAuth.PowerShell.Loading
{
    /// <summary>
    /// The module's own load context (PowerShell 7): MailAuth.Core, DnsClient, MimeKit, BouncyCastle
    /// and any later dependency load here from bin/, whatever versions other modules put in the
    /// default context. Framework assemblies are taken from the runtime unless ours is newer.
    /// </summary>
    internal sealed class ModuleLoadContext : AssemblyLoadContext
    {
        private static readonly string s_runtimeDirectory =
            Path.GetDirectoryName(typeof(object).Assembly.Location) ?? string.Empty;

        private readonly string _directory;
        private readonly ConcurrentDictionary<string, Version?> _runtimeVersions =
            new ConcurrentDictionary<string, Version?>(StringComparer.OrdinalIgnoreCase);

        public ModuleLoadContext(string directory)
        {
            _directory = directory;
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            string name = assemblyName.Name ?? string.Empty;
            string path = Path.Combine(_directory, name + ".dll");
            if (!File.Exists(path))
            {
                return null;
            }

            // netstandard2.0 packages bring facades such as System.Memory; the runtime's own copy is
            // the real implementation and must win, or Span<T> would exist twice.
            Version? runtimeVersion = _runtimeVersions.GetOrAdd(name, RuntimeVersionOf);
            if (runtimeVersion != null && (assemblyName.Version == null || runtimeVersion >= assemblyName.Version))
            {
                return null;
            }

            return LoadFromAssemblyPath(path);
        }

        /// <summary>
        /// Native libraries of our dependencies (SQLite's e_sqlite3 for report storage): from
        /// bin/runtimes/&lt;rid&gt;/native, where NuGet packages put them, since the host (pwsh) has
        /// no deps.json entry for them. Nothing found: the runtime's own probing goes on.
        /// </summary>
        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
        {
            foreach (string path in NativeCandidates(_directory, unmanagedDllName))
            {
                if (File.Exists(path))
                {
                    return LoadUnmanagedDllFromPath(path);
                }
            }

            return IntPtr.Zero;
        }

        internal static IEnumerable<string> NativeCandidates(string directory, string name)
        {
            string file = System.IO.Path.GetFileName(name);
            var names = new List<string>();
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                names.Add(file.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? file : file + ".dll");
            }
            else
            {
                string ext = RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? ".dylib" : ".so";
                string bare = file.StartsWith("lib", StringComparison.Ordinal) ? file : "lib" + file;
                names.Add(bare.EndsWith(ext, StringComparison.Ordinal) ? bare : bare + ext);
                names.Add(file);
            }

            foreach (string rid in RuntimeIdentifiers())
            {
                foreach (string candidate in names)
                {
                    yield return System.IO.Path.Combine(directory, "runtimes", rid, "native", candidate);
                }
            }

            foreach (string candidate in names)
            {
                yield return System.IO.Path.Combine(directory, candidate);
            }
        }

        /// <summary>This process's runtime identifier and the portable ones it falls back to (win-x64, linux-musl-arm64, osx-arm64, ...).</summary>
        internal static IEnumerable<string> RuntimeIdentifiers()
        {
            string arch = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X86 => "x86",
                Architecture.Arm => "arm",
                Architecture.Arm64 => "arm64",
                _ => "x64",
            };

            // .NET 5+ knows its own RID (netstandard2.0 cannot name the property).
            string? own = typeof(RuntimeInformation).GetProperty("RuntimeIdentifier")?.GetValue(null) as string;
            if (!string.IsNullOrEmpty(own))
            {
                yield return own!;
            }

            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                yield return "win-" + arch;
            }
            else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
            {
                yield return "osx-" + arch;
            }
            else
            {
                bool musl = (own ?? string.Empty).IndexOf("musl", StringComparison.OrdinalIgnoreCase) >= 0 || File.Exists("/etc/alpine-release");
                yield return (musl ? "linux-musl-" : "linux-") + arch;
            }
        }

        private static Version? RuntimeVersionOf(string name)
        {
            string path = Path.Combine(s_runtimeDirectory, name + ".dll");
            return File.Exists(path) ? AssemblyName.GetAssemblyName(path).Version : null;
        }
    }
}
