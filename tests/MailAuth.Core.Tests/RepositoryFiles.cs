using System;
using System.IO;

namespace MailAuth.Core.Tests
{
    /// <summary>
    /// Files of this repository, found from the test binaries by walking up to the solution file.
    /// Tests read nothing outside the repository: the public suites live in tests/conformance.
    /// </summary>
    internal static class RepositoryFiles
    {
        private static readonly Lazy<string> s_root = new Lazy<string>(FindRoot);

        /// <summary>The repository root (the folder of MailAuth.PowerShell.sln).</summary>
        public static string Root => s_root.Value;

        /// <summary>A file or folder under the repository root; throws when it is missing.</summary>
        public static string Path(string relativePath)
        {
            string full = System.IO.Path.GetFullPath(System.IO.Path.Combine(Root, relativePath));
            if (!File.Exists(full) && !Directory.Exists(full))
            {
                throw new FileNotFoundException($"'{relativePath}' is not in the repository at {Root}.", full);
            }

            return full;
        }

        /// <summary>A file or folder of the public conformance suites (tests/conformance, see its SOURCES.md).</summary>
        public static string Conformance(string relativePath) =>
            Path(System.IO.Path.Combine("tests", "conformance", relativePath));

        private static string FindRoot()
        {
            string? directory = AppContext.BaseDirectory;
            while (directory != null && !File.Exists(System.IO.Path.Combine(directory, "MailAuth.PowerShell.sln")))
            {
                directory = System.IO.Path.GetDirectoryName(directory);
            }

            return directory ?? throw new InvalidOperationException("MailAuth.PowerShell.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
