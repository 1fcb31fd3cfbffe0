using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace MailAuth.PowerShell.Tests
{
    /// <summary>docs/architecture.md: the cmdlets' assembly stands on the core and the engine only.</summary>
    public sealed class ArchitectureTests
    {
        [Fact]
        public void The_cmdlets_reference_the_core_and_the_engine_but_not_the_CLI_or_storage()
        {
            string path = Path.Combine(RepoPaths.ModuleDirectory, "MailAuth.PowerShell.dll");
            Assert.True(File.Exists(path), path + " is not built");
            using FileStream stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            MetadataReader reader = pe.GetMetadataReader();
            var references = reader.AssemblyReferences.Select(h => reader.GetString(reader.GetAssemblyReference(h).Name)).ToList();
            Assert.Contains("MailAuth.Core", references);
            Assert.Contains("System.Management.Automation", references);
            Assert.DoesNotContain("mailauth", references);
            Assert.DoesNotContain("MailAuth.Storage", references);
        }
    }
}
