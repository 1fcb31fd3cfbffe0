using System;
using System.Collections.Concurrent;
using System.IO;
using System.Reflection;
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

        private static Version? RuntimeVersionOf(string name)
        {
            string path = Path.Combine(s_runtimeDirectory, name + ".dll");
            return File.Exists(path) ? AssemblyName.GetAssemblyName(path).Version : null;
        }
    }
}
