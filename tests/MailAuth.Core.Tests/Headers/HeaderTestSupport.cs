using System;
using System.IO;
using System.Linq;
using MailAuth.Headers;

namespace MailAuth.Core.Tests.Headers
{
    internal static class HeaderTestSupport
    {
        /// <summary>The samples/ folder at the repository root, found by walking up from the test binaries.</summary>
        public static string SamplesDirectory => RepositoryFiles.Path("samples");

        public static string SamplePath(string name) => Path.Combine(SamplesDirectory, name);

        public static string ReadSample(string name) => File.ReadAllText(SamplePath(name));

        /// <summary>Options pinned to a fixed "now" a week after the samples were written.</summary>
        public static MailHeaderOptions Options() => new MailHeaderOptions
        {
            Now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero),
        };

        public static MailHeaderReport Single(string text, MailHeaderOptions? options = null) =>
            MailHeaderAnalyzer.AnalyzeText(text, options ?? Options()).Single();

        public static MailHeaderReport Sample(string name) => Single(ReadSample(name));

        public static bool Has(this MailHeaderReport report, string findingId) =>
            report.Findings.Any(f => f.Id == findingId);
    }
}
