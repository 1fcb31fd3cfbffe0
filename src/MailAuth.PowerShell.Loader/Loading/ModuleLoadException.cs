using System;

namespace MailAuth.PowerShell.Loading
{
    /// <summary>The module's files are incomplete or damaged; Import-Module fails with this message.</summary>
    public sealed class ModuleLoadException : Exception
    {
        public ModuleLoadException(string message, Exception? innerException = null)
            : base(message, innerException)
        {
        }

        internal static ModuleLoadException Missing(string name, string path) =>
            new ModuleLoadException(
                $"MailAuth.PowerShell cannot load: the private assembly '{name}' is missing ('{path}'). Reinstall the module (Install-Module MailAuth.PowerShell -Force) or rebuild it (dotnet build).");

        internal static ModuleLoadException Damaged(string name, string path, Exception inner) =>
            new ModuleLoadException(
                $"MailAuth.PowerShell cannot load: the private assembly '{name}' ('{path}') is missing or damaged: {inner.Message} Reinstall the module (Install-Module MailAuth.PowerShell -Force) or rebuild it (dotnet build).",
                inner);
    }
}
