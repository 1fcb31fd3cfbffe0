using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using MailAuth.Findings;
using Xunit;

namespace MailAuth.Core.Tests.Findings
{
    /// <summary>The one catalog: well formed, and nothing emits an id outside it.</summary>
    public class FindingCatalogTests
    {
        private static readonly Regex s_idShape = new Regex("^[A-Z]+(-[A-Z0-9]+)+$");

        // A string literal that reads like a finding id ("HDR-X", "SPF-LOOKUP-LIMIT").
        private static readonly Regex s_idLiteral = new Regex("\"(?:HDR|DMARC|SPF|DKIM|MX|MTASTS|TLSRPT|BIMI|ADDR)-[A-Z0-9-]*[A-Z0-9]\"");

        [Fact]
        public void Every_definition_is_well_formed_and_ids_are_unique()
        {
            Assert.True(FindingCatalog.All.Count >= 150, $"only {FindingCatalog.All.Count} definitions");
            Assert.Equal(FindingCatalog.All.Count, FindingCatalog.All.Select(d => d.Id).Distinct(StringComparer.OrdinalIgnoreCase).Count());
            foreach (FindingDefinition d in FindingCatalog.All)
            {
                Assert.Matches(s_idShape, d.Id);
                Assert.False(string.IsNullOrWhiteSpace(d.Title), d.Id);
                Assert.False(d.Title.EndsWith(".", StringComparison.Ordinal), d.Id + ": a title is not a sentence");
                Assert.True(d.Reference.StartsWith("RFC ", StringComparison.Ordinal) || d.Reference.StartsWith("https://", StringComparison.Ordinal)
                    || d.Reference.StartsWith("docs/", StringComparison.Ordinal), d.Id + ": " + d.Reference);
                Assert.Equal(FindingCatalog.DocumentUri + "#" + d.Id.ToLowerInvariant(), d.HelpUri);
                Assert.Equal(d.Id, d.ToString());
                Assert.Same(d, FindingCatalog.Find(d.Id.ToLowerInvariant()));
            }
        }

        [Fact]
        public void The_area_follows_the_id_prefix()
        {
            Assert.All(FindingCatalog.All.Where(d => d.Id.StartsWith("HDR-", StringComparison.Ordinal)), d => Assert.Equal("Headers", d.Area));
            Assert.All(FindingCatalog.All.Where(d => d.Id.StartsWith("MTASTS-", StringComparison.Ordinal)), d => Assert.Equal("MtaSts", d.Area));
            Assert.Equal(FindingCatalog.All.Select(d => d.AreaCode).OrderBy(a => a), FindingCatalog.All.Select(d => d.AreaCode));
            Assert.Equal(Enum.GetValues(typeof(FindingArea)).Cast<FindingArea>(), FindingCatalog.All.Select(d => d.AreaCode).Distinct());
        }

        [Fact]
        public void Select_takes_wildcards_and_areas()
        {
            Assert.Equal(new[] { "HDR-REPLYTO-DIFFERS" }, FindingCatalog.Select(new[] { "hdr-replyto-*" }, null).Select(d => d.Id));
            Assert.All(FindingCatalog.Select(new[] { "*-LOOKUP-FAILED" }, null), d => Assert.EndsWith("-LOOKUP-FAILED", d.Id, StringComparison.Ordinal));
            Assert.Contains(FindingCatalog.Select(new[] { "*-LOOKUP-FAILED" }, null), d => d.Id == "MX-LOOKUP-FAILED");
            Assert.Equal(new[] { "SPF-LOOKUP-FAILED", "SPF-INCLUDE-LOOKUP-FAILED" }, FindingCatalog.Select(new[] { "*-LOOKUP-FAILED" }, new[] { FindingArea.Spf }).Select(d => d.Id));
            Assert.Equal(FindingCatalog.All.Count(d => d.Area == "Mx"), FindingCatalog.Select(null, new[] { FindingArea.Mx }).Count);
            Assert.Equal(new[] { "MX-NULL" }, FindingCatalog.Select(new[] { "MX-NUL?" }, null).Select(d => d.Id));
            Assert.Empty(FindingCatalog.Select(new[] { "NOPE-*" }, null));
            Assert.Null(FindingCatalog.Find("HDR-NOT-A-FINDING"));
            Assert.Throws<ArgumentNullException>(() => FindingCatalog.Find(null!));
        }

        [Fact]
        public void A_finding_can_only_be_made_from_a_catalog_definition()
        {
            // No public way to make a finding from a bare id, nor a definition outside the catalog.
            Assert.DoesNotContain(typeof(Finding).GetConstructors(), c => c.GetParameters().FirstOrDefault()?.ParameterType == typeof(string));
            Assert.Empty(typeof(FindingDefinition).GetConstructors(BindingFlags.Public | BindingFlags.Instance));
            Assert.Throws<ArgumentNullException>(() => new Finding(null!, "message"));
            Assert.Throws<ArgumentNullException>(() => new Finding(FindingCatalog.Spf.Ptr, null!));
        }

        [Fact]
        public void No_source_file_writes_a_finding_id_or_makes_a_definition_outside_the_catalog()
        {
            string catalog = Path.Combine("src", "MailAuth.Core", "Findings", "FindingCatalog.cs");
            var offenders = Directory.EnumerateFiles(RepositoryFiles.Path("src"), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .Where(f => !f.EndsWith(catalog, StringComparison.Ordinal))
                .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
                .Where(l => s_idLiteral.IsMatch(l.Text) || l.Text.Contains("new FindingDefinition(", StringComparison.Ordinal))
                .Select(l => $"{Path.GetRelativePath(RepositoryFiles.Root, l.File)}:{l.Line}: {l.Text.Trim()}")
                .ToList();
            Assert.True(offenders.Count == 0, "Finding ids belong in FindingCatalog.cs:\n" + string.Join("\n", offenders));
        }

        [Fact]
        public void Every_definition_is_emitted_somewhere()
        {
            // A definition no code names is a finding users can list but never see.
            string catalog = Path.Combine("src", "MailAuth.Core", "Findings", "FindingCatalog.cs");
            string code = string.Join("\n", Directory.EnumerateFiles(RepositoryFiles.Path("src"), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.EndsWith(catalog, StringComparison.Ordinal))
                .Select(File.ReadAllText));
            var unused = typeof(FindingCatalog).GetNestedTypes()
                .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => "FindingCatalog." + t.Name + "." + f.Name))
                .Where(name => !Regex.IsMatch(code, Regex.Escape(name) + @"\b"))
                .ToList();
            Assert.True(unused.Count == 0, "Never emitted: " + string.Join(", ", unused));
        }
    }
}
