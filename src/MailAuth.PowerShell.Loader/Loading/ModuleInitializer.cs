using System.Management.Automation;

namespace MailAuth.PowerShell.Loading
{
    /// <summary>
    /// Runs when the manifest's nested module MailAuth.PowerShell.Loader.dll is imported, which
    /// PowerShell does before it loads and reflects over the RootModule's cmdlets: from then on
    /// MailAuth.Core and its dependencies resolve from the private bin/ folder (docs/module-layout.md).
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer
    {
        public void OnImport()
        {
            PrivateAssemblyLoader.Initialize();
        }
    }
}
