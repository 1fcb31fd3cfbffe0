using System;
using System.IO;
using System.Text.RegularExpressions;

namespace MailAuth.ModuleBuilder
{
    /// <summary>
    /// Writes the version (Directory.Build.props' ModuleVersion, the one place it is set) and the
    /// release notes (that version's section of CHANGELOG.md) into the laid-out manifest, so the
    /// Gallery shows what changed.
    /// </summary>
    internal static class ManifestStamp
    {
        public static void Apply(string manifestPath, string version, string changelogPath)
        {
            string notes = ReleaseNotes(changelogPath, version);
            string text = File.ReadAllText(manifestPath);
            text = Replace(text, @"ModuleVersion\s*=\s*'[^']*'", $"ModuleVersion        = '{version}'", manifestPath);
            // A psd1 string in single quotes: a quote inside is doubled.
            text = Replace(text, @"ReleaseNotes\s*=\s*'(?:[^']|'')*'", "ReleaseNotes = '" + notes.Replace("'", "''") + "'", manifestPath);
            File.WriteAllText(manifestPath, text);
        }

        /// <summary>The body of "## [version]" in a Keep a Changelog file.</summary>
        internal static string ReleaseNotes(string changelogPath, string version)
        {
            string changelog = File.ReadAllText(changelogPath).Replace("\r\n", "\n");
            Match section = Regex.Match(changelog, @"^## \[" + Regex.Escape(version) + @"\][^\n]*\n(.*?)(?=^## \[|\z)", RegexOptions.Multiline | RegexOptions.Singleline);
            if (!section.Success || section.Groups[1].Value.Trim().Length == 0)
            {
                throw new InvalidOperationException($"{changelogPath} has no '## [{version}]' section: say what this version changes before building it.");
            }

            return section.Groups[1].Value.Trim();
        }

        private static string Replace(string text, string pattern, string replacement, string path)
        {
            var regex = new Regex(pattern);
            if (!regex.IsMatch(text))
            {
                throw new InvalidOperationException($"{path} has no entry matching {pattern}.");
            }

            return regex.Replace(text, replacement.Replace("$", "$$"), 1);
        }
    }
}
