using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using MailAuth.Headers;

namespace MailAuth.Core.Tests.Headers
{
    /// <summary>
    /// The real-world header corpus in tests/headers: every sample against the facts written for
    /// it by reading the header and the standards (tests/headers/README.md). A sample's findings
    /// must be exactly its listed ones (plus any it allows): a finding nobody expected is a false alarm.
    /// </summary>
    public class CorpusTests
    {
        /// <summary>After every sample's dates, so "now" never makes a hop look future.</summary>
        private static readonly DateTimeOffset s_now = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

        private static string Corpus => RepositoryFiles.Path(Path.Combine("tests", "headers"));

        public static IEnumerable<object[]> Samples() =>
            Directory.EnumerateFiles(Corpus, "*.eml", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(Corpus, f).Replace('\\', '/'))
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => new object[] { f });

        [Fact]
        public void TheCorpusHasFortySamplesFromTwelveFamilies()
        {
            var samples = Samples().Select(s => (string)s[0]).ToList();
            Assert.True(samples.Count >= 40, $"{samples.Count} samples");
            Assert.True(samples.Select(s => s.Split('/')[0]).Distinct().Count() >= 12);
        }

        [Fact]
        public void EverySampleHasFactsAndASource()
        {
            var sources = File.ReadAllText(Path.Combine(Corpus, "SOURCES.md"));
            foreach (var sample in Samples().Select(s => (string)s[0]))
            {
                Assert.True(File.Exists(Path.Combine(Corpus, Path.ChangeExtension(sample, ".facts.json"))), sample + " has no facts file");
                Assert.Contains(sample, sources, StringComparison.Ordinal);
            }
        }

        [Theory]
        [MemberData(nameof(Samples))]
        public void SampleReadsAsItsFactsSay(string sample)
        {
            using var facts = JsonDocument.Parse(File.ReadAllText(Path.Combine(Corpus, Path.ChangeExtension(sample, ".facts.json"))));
            var root = facts.RootElement;
            var options = new MailHeaderOptions { Now = s_now };
            if (root.TryGetProperty("options", out var o) && o.TryGetProperty("receivingDomains", out var rd))
            {
                options.ReceivingDomains = rd.EnumerateArray().Select(e => e.GetString()!).ToArray();
            }

            var report = MailHeaderAnalyzer.AnalyzeFile(Path.Combine(Corpus, sample), options).Single();
            var problems = new List<string>();

            foreach (var p in root.GetProperty("summary").EnumerateObject())
            {
                var property = typeof(MailHeaderReport).GetProperty(p.Name) ?? throw new InvalidOperationException(sample + ": no property " + p.Name);
                var actual = property.GetValue(report);
                var expected = p.Value.ValueKind switch
                {
                    JsonValueKind.Null => null,
                    JsonValueKind.Number => (object)p.Value.GetInt32(),
                    _ => p.Value.GetString(),
                };
                if (!Equals(expected, actual))
                {
                    problems.Add($"{p.Name}: expected {Show(expected)}, got {Show(actual)}");
                }
            }

            var edge = root.GetProperty("edgeHop").GetInt32();
            if (report.EdgeHop?.Number != edge)
            {
                problems.Add($"edge hop: expected {edge}, got {report.EdgeHop?.Number.ToString(CultureInfo.InvariantCulture) ?? "none"}");
            }

            var ids = root.GetProperty("trustedAuthServIds").EnumerateArray().Select(e => e.GetString()!.ToLowerInvariant()).OrderBy(x => x, StringComparer.Ordinal);
            var actualIds = report.TrustedAuthServIds.Select(x => x.ToLowerInvariant()).OrderBy(x => x, StringComparer.Ordinal);
            if (!ids.SequenceEqual(actualIds))
            {
                problems.Add($"trusted authserv-ids: expected [{string.Join(", ", ids)}], got [{string.Join(", ", actualIds)}]");
            }

            // The receiver's own results, per method, as the trusted fields record them.
            var results = root.GetProperty("results");
            var trusted = report.AuthenticationResults.Where(a => a.IsTrusted).SelectMany(a => a.Results).ToList();
            var methods = results.EnumerateObject().Select(m => m.Name).Concat(trusted.Select(t => t.Method)).Distinct();
            foreach (var method in methods)
            {
                var expected = results.TryGetProperty(method, out var list)
                    ? list.EnumerateArray().Select(e => e.GetString()!).OrderBy(x => x, StringComparer.Ordinal).ToList()
                    : new List<string>();
                var actual = trusted.Where(t => t.Method == method).Select(t => t.Result).OrderBy(x => x, StringComparer.Ordinal).ToList();
                if (!expected.SequenceEqual(actual) && (expected.Count > 0 || IsCoreMethod(method)))
                {
                    problems.Add($"{method} results: expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}]");
                }
            }

            // Findings: each listed one with its severity, and nothing else but the allowed ones.
            var required = root.GetProperty("findings").EnumerateArray().Select(e => e.GetString()!).ToList();
            var allowed = root.GetProperty("allowedFindings").EnumerateArray().Select(e => e.GetString()!).ToList();
            foreach (var f in required)
            {
                var (id, severity) = Split(f);
                if (!report.Findings.Any(x => x.Id == id && (severity == null || x.Severity == severity)))
                {
                    problems.Add($"missing finding {f} (got {string.Join(", ", report.Findings.Select(x => x.Id + ":" + x.Severity))})");
                }
            }

            // A finding is expected only with a listed severity: a warning where information was
            // expected is a false alarm too.
            var known = required.Concat(allowed).Select(Split).ToList();
            foreach (var f in report.Findings.Where(x => !known.Any(k => k.Id == x.Id && (k.Severity == null || k.Severity == x.Severity))))
            {
                problems.Add($"unexpected finding {f.Id}:{f.Severity}: {f.Message}");
            }

            Assert.True(problems.Count == 0, sample + Environment.NewLine + string.Join(Environment.NewLine, problems));
        }

        private static bool IsCoreMethod(string method) => method is "spf" or "dkim" or "dmarc" or "arc" or "compauth";

        private static (string Id, string? Severity) Split(string finding)
        {
            var colon = finding.IndexOf(':');
            return colon < 0 ? (finding, null) : (finding.Substring(0, colon), finding.Substring(colon + 1));
        }

        private static string Show(object? value) => value == null ? "null" : "\"" + value + "\"";
    }
}
