using System;
using System.IO;

namespace MailAuth.Core.Tests.Dmarc
{
    internal static class DmarcTestFiles
    {
        /// <summary>Finds a repository file by walking up from the test assembly's folder.</summary>
        public static string Find(string relativePath)
        {
            string? directory = AppContext.BaseDirectory;
            while (directory != null)
            {
                string candidate = Path.Combine(directory, relativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }

                directory = Path.GetDirectoryName(directory);
            }

            throw new FileNotFoundException($"'{relativePath}' was not found above {AppContext.BaseDirectory}.");
        }
    }
}
