using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Linq;
using MailAuth.Findings;

namespace MailAuth.Cli
{
    /// <summary>mailauth findings [ID...] [--area AREA] [--json]: the catalog Get-MailAuthFinding lists (docs/findings.md).</summary>
    internal static class FindingsCommand
    {
        public static Command Create()
        {
            var ids = new Argument<string[]>("id") { Description = "Finding ids; wildcards * and ? allowed (quote them). Default: all.", Arity = ArgumentArity.ZeroOrMore };
            var area = new Option<FindingArea[]>("--area") { Description = "Only these areas: Headers, Dmarc, Spf, Dkim, Mx, MtaSts, TlsRpt, Bimi, Address.", AllowMultipleArgumentsPerToken = true };
            var json = new Option<bool>("--json") { Description = "One JSON object per line, with Get-MailAuthFinding's property names." };
            var command = new Command("findings", "List the findings the checks can report: id, severity, area, title, reference and help link.");
            command.Arguments.Add(ids);
            command.Options.Add(area);
            command.Options.Add(json);
            command.SetAction(result =>
            {
                string[] patterns = result.GetValue(ids) ?? Array.Empty<string>();
                FindingArea[] areas = result.GetValue(area) ?? Array.Empty<FindingArea>();
                int exit = Output.Success;
                foreach (string id in patterns.Where(p => p.IndexOfAny(new[] { '*', '?' }) < 0 && FindingCatalog.Select(new[] { p }, areas).Count == 0))
                {
                    Output.WriteError($"'{id}' is not a finding id{(areas.Length > 0 ? " of the areas given" : string.Empty)}; 'mailauth findings' lists them.");
                    exit = Output.InputFailed;
                }

                IReadOnlyList<FindingDefinition> found = FindingCatalog.Select(patterns, areas);
                foreach (FindingDefinition d in found)
                {
                    if (result.GetValue(json))
                    {
                        Output.WriteJson(d);
                    }
                    else
                    {
                        Console.WriteLine(Output.Cell(d.Id, 28) + Output.PaintSeverity(d.SeverityCode, 12) + Output.Cell(d.Area, 8) + d.Title);
                    }
                }

                return exit;
            });
            return command;
        }
    }
}
