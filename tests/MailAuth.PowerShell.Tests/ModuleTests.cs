using System.IO;
using System.Linq;
using System.Management.Automation;

namespace MailAuth.PowerShell.Tests
{
    [Collection(PowerShellCollection.Name)]
    public sealed class ModuleTests
    {
        private static readonly string[] s_expectedCmdlets =
        {
            "Clear-MailAuthDnsCache",
            "Export-MailAuthReport",
            "Get-BimiRecord",
            "Get-DkimRecord",
            "Get-DmarcReportSummary",
            "Get-MailAuthFinding",
            "Get-MailDomainReport",
            "Get-MailHeaderReport",
            "Get-MailIpReport",
            "Get-MtaStsPolicy",
            "Get-MxRecord",
            "Get-SpfRecord",
            "Get-TlsRptRecord",
            "Import-DmarcReport",
            "Import-TlsRptReport",
            "Resolve-DmarcPolicy",
            "Resolve-MailAuthDnsName",
            "Test-MailAddress",
            "Test-Spf",
        };

        private readonly PowerShellSession _session;

        public ModuleTests(ModuleFixture fixture)
        {
            _session = fixture.Session;
        }

        [Fact]
        public void Built_module_folder_has_the_entry_dll_on_top_and_dependencies_private()
        {
            Assert.True(File.Exists(Path.Combine(RepoPaths.ModuleDirectory, "MailAuth.PowerShell.dll")));
            Assert.False(File.Exists(Path.Combine(RepoPaths.ModuleDirectory, "MailAuth.Core.dll")));
            // DNS is the core's own wire code: no DnsClient to clash with DnsClient-PS.
            Assert.False(File.Exists(Path.Combine(RepoPaths.ModuleDirectory, "DnsClient.dll")));
            Assert.False(File.Exists(Path.Combine(RepoPaths.ModuleDirectory, "bin", "DnsClient.dll")));
            foreach (string name in new[] { "MailAuth.Core", "MimeKit", "BouncyCastle.Cryptography" })
            {
                Assert.True(File.Exists(Path.Combine(RepoPaths.ModuleDirectory, "bin", name + ".dll")), name + " missing from bin/");
            }
        }

        [Fact]
        public void Test_ModuleManifest_passes()
        {
            PsInvocation result = _session.Invoke("Test-ModuleManifest -Path $args[0]", RepoPaths.ModuleManifest);
            Assert.Empty(result.Errors);
            PSObject module = Assert.Single(result.Output);
            Assert.Equal("MailAuth.PowerShell", module.Properties["Name"].Value);
            Assert.Equal("5.1", module.Properties["PowerShellVersion"].Value.ToString());
        }

        [Fact]
        public void Get_Command_lists_exactly_the_exported_cmdlets()
        {
            PsInvocation result = _session.Invoke("Get-Command -Module MailAuth.PowerShell | ForEach-Object { $_.Name }");
            Assert.Empty(result.Errors);
            string[] names = result.Output.Select(o => (string)o.BaseObject).OrderBy(n => n, System.StringComparer.Ordinal).ToArray();
            Assert.Equal(s_expectedCmdlets, names);
        }

        [Fact]
        public void Manifest_exports_every_cmdlet_the_assembly_defines()
        {
            // A cmdlet class missing from CmdletsToExport would silently vanish for users.
            PsInvocation result = _session.Invoke(
                "(Get-Module MailAuth.PowerShell).ImplementingAssembly.GetTypes() | " +
                "Where-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).Count -gt 0 } | " +
                "ForEach-Object { $a = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]; $a.VerbName + '-' + $a.NounName }");
            Assert.Empty(result.Errors);
            string[] names = result.Output.Select(o => (string)o.BaseObject).OrderBy(n => n, System.StringComparer.Ordinal).ToArray();
            Assert.Equal(s_expectedCmdlets, names);
        }

        [Fact]
        public void Format_and_types_files_are_loaded()
        {
            PsInvocation result = _session.Invoke("$m = Get-Module MailAuth.PowerShell; $m.ExportedFormatFiles.Count; $m.ExportedTypeFiles.Count");
            Assert.Empty(result.Errors);
            Assert.Equal(new object[] { 1, 1 }, result.Output.Select(o => o.BaseObject).ToArray());
        }

        [Fact]
        public void Import_Module_Force_and_Remove_Module_then_import_again_work()
        {
            using var session = new PowerShellSession(importModule: false);
            PsInvocation result = session.Invoke(
                "Import-Module $args[0] -ErrorAction Stop; Import-Module $args[0] -Force -ErrorAction Stop; " +
                "Remove-Module MailAuth.PowerShell -ErrorAction Stop; Import-Module $args[0] -ErrorAction Stop; " +
                "(Get-Command Resolve-MailAuthDnsName).Name",
                RepoPaths.ModuleManifest);
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            Assert.Equal("Resolve-MailAuthDnsName", Assert.Single(result.Output).BaseObject);
        }

        [Fact]
        public void Two_runspaces_in_one_process_import_and_use_the_module()
        {
            using var first = new PowerShellSession();
            using var second = new PowerShellSession();
            PsInvocation a = first.Invoke("(Get-Module MailAuth.PowerShell).Version.ToString()");
            PsInvocation b = second.Invoke("(Get-Module MailAuth.PowerShell).Version.ToString()");
            Assert.True(a.Errors.Count == 0 && b.Errors.Count == 0, a.ErrorText + b.ErrorText);
            Assert.Equal(a.Output.Single().BaseObject, b.Output.Single().BaseObject);
        }
    }
}
