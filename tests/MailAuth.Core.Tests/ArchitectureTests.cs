using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using MailAuth.Core.Tests.Cli;

namespace MailAuth.Core.Tests
{
    /// <summary>The rooms of docs/architecture.md and who may use whom: assembly references and namespaces.</summary>
    public class ArchitectureTests
    {
        private static readonly string[] s_shared = { "MailAuth", "MailAuth.Findings", "MailAuth.Dns", "MailAuth.Names" };
        private static readonly string[] s_protocols = { "MailAuth.Spf", "MailAuth.Dmarc", "MailAuth.Dkim", "MailAuth.Posture" };
        private static readonly string[] s_composites = { "MailAuth.Headers", "MailAuth.DomainReport", "MailAuth.Addresses", "MailAuth.IpIntelligence", "MailAuth.Reports", "MailAuth.Html" };

        private static readonly Lazy<Dictionary<string, HashSet<string>>> s_uses = new Lazy<Dictionary<string, HashSet<string>>>(ReadNamespaceUses);

        /// <summary>The names of the assemblies a built file references (from its metadata; nothing is loaded).</summary>
        internal static IReadOnlyList<string> References(string path)
        {
            Assert.True(File.Exists(path), path + " is not built");
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            MetadataReader reader = pe.GetMetadataReader();
            return reader.AssemblyReferences.Select(h => reader.GetString(reader.GetAssemblyReference(h).Name)).ToList();
        }

        [Fact]
        public void The_core_references_no_PowerShell_CLI_or_storage_assembly()
        {
            IReadOnlyList<string> references = References(typeof(Finding).Assembly.Location);
            Assert.Contains("MimeKit", references);
            foreach (string forbidden in new[] { "System.Management.Automation", "MailAuth.PowerShell", "mailauth", "MailAuth.Storage", "MailAuth.Cli" })
            {
                Assert.DoesNotContain(forbidden, references);
            }
        }

        [Fact]
        public void Storage_and_the_CLI_reference_no_PowerShell_assembly()
        {
            IReadOnlyList<string> storage = References(typeof(MailAuth.Storage.SqliteDmarcReportStore).Assembly.Location);
            Assert.Contains("MailAuth.Core", storage);
            Assert.DoesNotContain("System.Management.Automation", storage);
            Assert.DoesNotContain("MailAuth.PowerShell", storage);
            Assert.DoesNotContain("mailauth", storage);

            IReadOnlyList<string> cli = References(CliRunner.CliPath);
            Assert.Contains("MailAuth.Core", cli);
            Assert.DoesNotContain("System.Management.Automation", cli);
            Assert.DoesNotContain("MailAuth.PowerShell", cli);
        }

        [Fact]
        public void No_core_source_uses_the_PowerShell_engine()
        {
            Assert.All(s_uses.Value, room => Assert.DoesNotContain(room.Value, u => u.StartsWith("System.Management.Automation", StringComparison.Ordinal)));
        }

        [Fact]
        public void Shared_rooms_use_no_protocol_or_composite_room()
        {
            foreach (string room in s_shared)
            {
                Assert.Empty(Uses(room).Where(u => u.StartsWith("MailAuth", StringComparison.Ordinal) && !s_shared.Contains(u)));
            }
        }

        [Fact]
        public void Protocol_rooms_use_no_composite_room_and_SPF_stands_alone()
        {
            foreach (string room in s_protocols)
            {
                var wrong = Uses(room).Where(s_composites.Contains).ToList();
                Assert.True(wrong.Count == 0, $"{room} uses {string.Join(", ", wrong)}");
            }

            var spf = Uses("MailAuth.Spf").Where(u => u.StartsWith("MailAuth", StringComparison.Ordinal) && !s_shared.Contains(u)).ToList();
            Assert.True(spf.Count == 0, "MailAuth.Spf uses " + string.Join(", ", spf));
        }

        [Fact]
        public void Every_core_namespace_is_in_a_room()
        {
            // A new folder must be placed in docs/architecture.md (and here) before it can hide from the rules.
            var rooms = s_shared.Concat(s_protocols).Concat(s_composites).ToList();
            var unplaced = s_uses.Value.Keys.Where(ns => !rooms.Contains(ns == "MailAuth" ? ns : string.Join(".", ns.Split('.').Take(2)))).ToList();
            Assert.True(unplaced.Count == 0, "Not in a room: " + string.Join(", ", unplaced));
            Assert.Contains("MailAuth.Spf", s_uses.Value.Keys);
        }

        [Fact]
        public void The_scanner_sees_a_use_and_ignores_strings_and_comments()
        {
            Assert.Equal(new[] { "MailAuth.Dns", "MailAuth.Headers" }, ScanUses("using MailAuth.Dns;\n// MailAuth.Reports.X\nvar s = \"MailAuth.Html.Y\"; var x = MailAuth.Headers.MailHop.Parse();").OrderBy(u => u));
        }

        private static IEnumerable<string> Uses(string room) =>
            s_uses.Value.Where(p => Room(p.Key) == room).SelectMany(p => p.Value).Select(Room).Where(u => u != room).Distinct();

        // MailAuth.Reports.Storage is in the Reports room; a type of the root namespace
        // (MailAuth.ResultList) is in the MailAuth room; other assemblies' names stay as they are.
        private static string Room(string name)
        {
            if (!name.StartsWith("MailAuth.", StringComparison.Ordinal))
            {
                return name;
            }

            string two = string.Join(".", name.Split('.').Take(2));
            return s_shared.Concat(s_protocols).Concat(s_composites).Contains(two) || IsOtherAssembly(two) ? two : "MailAuth";
        }

        private static bool IsOtherAssembly(string name) => name == "MailAuth.PowerShell" || name == "MailAuth.Cli" || name == "MailAuth.Storage";

        private static Dictionary<string, HashSet<string>> ReadNamespaceUses()
        {
            var uses = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (string file in Directory.EnumerateFiles(RepositoryFiles.Path("src/MailAuth.Core"), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            {
                string text = File.ReadAllText(file);
                string ns = Regex.Match(text, @"^namespace ([\w.]+)", RegexOptions.Multiline).Groups[1].Value;
                if (!uses.TryGetValue(ns, out HashSet<string>? set))
                {
                    uses[ns] = set = new HashSet<string>(StringComparer.Ordinal);
                }

                set.UnionWith(ScanUses(text));
            }

            return uses;
        }

        /// <summary>Namespaces a source text uses: using directives and qualified names, outside comments and string literals.</summary>
        private static IEnumerable<string> ScanUses(string text)
        {
            string code = Regex.Replace(text, @"//[^\n]*|/\*.*?\*/|@""(?:[^""]|"""")*""|\$?""(?:[^""\\\n]|\\.)*""", " ", RegexOptions.Singleline);
            var found = new HashSet<string>(StringComparer.Ordinal);
            // using static names a type, whose namespace the qualified-name scan below sees anyway.
            foreach (Match m in Regex.Matches(code, @"^\s*using ([\w.]+);", RegexOptions.Multiline))
            {
                found.Add(Room(m.Groups[1].Value));
            }

            foreach (Match m in Regex.Matches(code, @"\b((?:MailAuth|System\.Management)\.[A-Z]\w*)\."))
            {
                found.Add(Room(m.Groups[1].Value));
            }

            return found.Where(u => u.StartsWith("MailAuth", StringComparison.Ordinal) || u.StartsWith("System.Management", StringComparison.Ordinal));
        }
    }
}
