using System.CommandLine;

namespace MailAuth.Cli
{
    /// <summary>
    /// mailauth: the core's checks for shells without PowerShell. Human output by default,
    /// --json for one JSON object per line with the cmdlets' property names.
    /// Exit codes: 0 every input was evaluated; 1 some input failed (bad input or DNS failure);
    /// 2 usage error. See docs/cli.md.
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            var root = new RootCommand("mailauth: SPF, DMARC, DKIM and mail-header checks (MailAuth.PowerShell's core).");
            root.Subcommands.Add(DnsCommand.Create());
            root.Subcommands.Add(DmarcCommand.Create());
            return root.Parse(args).Invoke();
        }
    }
}
