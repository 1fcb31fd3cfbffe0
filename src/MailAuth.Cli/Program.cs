using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Parsing;
using MailAuth.Findings;

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

            // -FindingSeverity of the cmdlets: on every command, applied to all the work it runs.
            var findingSeverity = new Option<string[]>("--finding-severity")
            {
                Description = "ID=SEVERITY: Information, Warning, Error, or Off to leave the finding out; ids as 'mailauth findings' lists them, wildcards * and ? allowed. Repeat it for more ids.",
                Recursive = true,
            };
            root.Options.Add(findingSeverity);
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

            FindingSeverityPolicy policy;
            try
            {
                policy = ParsePolicy(parse.GetValue(findingSeverity));
            }
            catch (ArgumentException ex)
            {
                Output.WriteError("--finding-severity: " + ex.Message.Split(new[] { " (Parameter" }, StringSplitOptions.None)[0]);
                return Output.Usage;
            }

            using (policy.Enter())
            {
                return parse.Invoke();
            }
        }

        /// <summary>"ID=SEVERITY" values as a policy (docs/findings.md).</summary>
        private static FindingSeverityPolicy ParsePolicy(string[]? values)
        {
            var entries = new List<KeyValuePair<string, string>>();
            foreach (string value in values ?? Array.Empty<string>())
            {
                int eq = value.LastIndexOf('=');
                if (eq <= 0)
                {
                    throw new ArgumentException($"'{value}' is not ID=SEVERITY, such as HDR-REPLYTO-DIFFERS=Information or 'DMARC-T-*=Off'.");
                }

                entries.Add(new KeyValuePair<string, string>(value.Substring(0, eq), value.Substring(eq + 1)));
            }

            return FindingSeverityPolicy.Create(entries);
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
