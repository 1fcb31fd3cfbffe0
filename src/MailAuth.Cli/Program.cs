using System.CommandLine;
using System.CommandLine.Parsing;

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
            root.Subcommands.Add(SpfCommand.Create());
            root.Subcommands.Add(HeaderCommand.Create());
            foreach (Command posture in PostureCommands.CreateAll())
            {
                root.Subcommands.Add(posture);
            }

            foreach (Command intel in IntelCommands.CreateAll())
            {
                root.Subcommands.Add(intel);
            }

            root.Subcommands.Add(AuditCommand.Create());
            root.Subcommands.Add(ReportsCommand.Create());
            root.Subcommands.Add(FindingsCommand.Create());
            ParseResult parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                // System.CommandLine answers 1 to parse errors; 1 means "some input failed" here, so
                // report them ourselves with the usage exit code (docs/cli.md).
                foreach (ParseError error in parse.Errors)
                {
                    Output.WriteError(error.Message);
                }

                Output.WriteError($"see '{string.Join(" ", CommandPath(parse))} --help'.");
                return Output.Usage;
            }

            return parse.Invoke();
        }

        private static System.Collections.Generic.IEnumerable<string> CommandPath(ParseResult parse)
        {
            var names = new System.Collections.Generic.List<string>();
            for (SymbolResult? symbol = parse.CommandResult; symbol != null; symbol = symbol.Parent)
            {
                if (symbol is System.CommandLine.Parsing.CommandResult command)
                {
                    names.Insert(0, command.Command is RootCommand ? "mailauth" : command.Command.Name);
                }
            }

            return names;
        }
    }
}
