using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using MailAuth.Findings;
using Xunit;

namespace MailAuth.Core.Tests.Findings
{
    /// <summary>docs/findings.md and the catalog, both ways (as PSScriptAnalyzer's RuleDocumentation tests).</summary>
    public class FindingDocsTests
    {
        private static readonly Lazy<Dictionary<string, Section>> s_sections = new Lazy<Dictionary<string, Section>>(Read);

        private sealed class Section
        {
            public string Severity = string.Empty;
            public string Area = string.Empty;
            public string Reference = string.Empty;
            public string Text = string.Empty;
        }

        // "### HDR-REPLYTO-DIFFERS", then "- Severity: Warning; ...", "- Area: Headers", "- Reference: ..." and the prose.
        private static Dictionary<string, Section> Read()
        {
            var sections = new Dictionary<string, Section>(StringComparer.Ordinal);
            Section? current = null;
            foreach (string line in File.ReadLines(RepositoryFiles.Path("docs/findings.md")))
            {
                Match heading = Regex.Match(line, @"^### ([A-Z][A-Z0-9-]+)\s*$");
                if (heading.Success)
                {
                    current = new Section();
                    Assert.True(!sections.ContainsKey(heading.Groups[1].Value), "documented twice: " + heading.Groups[1].Value);
                    sections[heading.Groups[1].Value] = current;
                    continue;
                }

                if (line.StartsWith("#", StringComparison.Ordinal))
                {
                    current = null;
                }
                else if (current != null)
                {
                    Match field = Regex.Match(line, @"^- (Severity|Area|Reference): (\S+)(.*)$");
                    if (field.Success && field.Groups[1].Value == "Severity")
                    {
                        current.Severity = field.Groups[2].Value.TrimEnd(';');
                    }
                    else if (field.Success && field.Groups[1].Value == "Area")
                    {
                        current.Area = field.Groups[2].Value;
                    }
                    else if (field.Success)
                    {
                        current.Reference = field.Groups[2].Value + field.Groups[3].Value;
                    }

                    current.Text += line + "\n";
                }
            }

            return sections;
        }

        [Fact]
        public void Every_catalog_id_has_a_section_with_its_severity_area_and_reference()
        {
            var missing = FindingCatalog.All.Where(d => !s_sections.Value.ContainsKey(d.Id)).Select(d => d.Id).ToList();
            Assert.True(missing.Count == 0, "Not in docs/findings.md: " + string.Join(", ", missing));
            foreach (FindingDefinition d in FindingCatalog.All)
            {
                Section s = s_sections.Value[d.Id];
                Assert.True(d.Severity == s.Severity, $"{d.Id}: the catalog says {d.Severity}, docs/findings.md {s.Severity}");
                Assert.True(d.Area == s.Area, $"{d.Id}: the catalog says {d.Area}, docs/findings.md {s.Area}");
                Assert.True(s.Reference.Contains(d.Reference, StringComparison.Ordinal), $"{d.Id}: the reference {d.Reference} is not in docs/findings.md ({s.Reference})");
                Assert.Contains("**Meaning.**", s.Text, StringComparison.Ordinal);
                Assert.Contains("**What to do.**", s.Text, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void Every_documented_id_is_in_the_catalog()
        {
            var unknown = s_sections.Value.Keys.Where(id => FindingCatalog.Find(id) is null).ToList();
            Assert.True(unknown.Count == 0, "docs/findings.md documents ids the catalog lacks: " + string.Join(", ", unknown));
            Assert.Equal(FindingCatalog.All.Count, s_sections.Value.Count);
        }

        [Fact]
        public void The_anchor_of_each_section_is_the_help_uri_fragment()
        {
            // GitHub's anchor of "### HDR-REPLYTO-DIFFERS" is "hdr-replyto-differs".
            foreach (FindingDefinition d in FindingCatalog.All)
            {
                Assert.Equal(d.Id.ToLowerInvariant(), new Uri(d.HelpUri).Fragment.TrimStart('#'));
            }
        }
    }
}
