using System;
using System.CommandLine;
using System.Linq;
using MailAuth.Names;
using MailAuth.Dmarc;
using MailAuth.Dns;

namespace MailAuth.Cli
{
    /// <summary>mailauth dmarc DOMAIN...: Resolve-DmarcPolicy for shells without PowerShell.</summary>
    internal static class DmarcCommand
    {
        public static Command Create()
        {
            var common = new CommonOptions();
            var domains = new Argument<string[]>("domain") { Description = "From domains or addresses.", Arity = ArgumentArity.OneOrMore };
            var method = new Option<DmarcDiscoveryMethod>("--method") { Description = "TreeWalk (RFC 9989, default) or PublicSuffixList (RFC 7489).", DefaultValueFactory = _ => DmarcDiscoveryMethod.TreeWalk };
            var mailFrom = new Option<string?>("--mail-from") { Description = "The MAIL FROM address or domain SPF checked." };
            var spf = new Option<string?>("--spf-result") { Description = "SPF result for --mail-from: pass, fail, softfail, neutral, none, temperror, permerror." };
            var dkim = new Option<string[]>("--dkim") { Description = "A DKIM outcome as domain:result (repeatable)." };
            var psl = new Option<string?>("--public-suffix-list") { Description = "A newer public_suffix_list.dat instead of the bundled copy." };
            var command = new Command("dmarc", "Find, validate and evaluate the DMARC policy of From domains.");
            command.Arguments.Add(domains);
            command.Options.Add(method);
            command.Options.Add(mailFrom);
            command.Options.Add(spf);
            command.Options.Add(dkim);
            command.Options.Add(psl);
            common.AddTo(command);
            command.SetAction(result =>
            {
                IDnsResolver dns;
                var options = new DmarcOptions();
                try
                {
                    dns = common.CreateResolver(result);
                    string? pslPath = result.GetValue(psl);
                    if (pslPath != null)
                    {
                        options.PublicSuffixList = PublicSuffixList.Load(pslPath);
                    }
                }
                catch (Exception ex) when (ex is UsageException || ex is System.IO.IOException || ex is FormatException)
                {
                    Output.WriteError(ex.Message);
                    return Output.Usage;
                }

                var resolver = new DmarcResolver(dns);
                bool json = result.GetValue(common.Json);
                int exit = Output.Success;
                foreach (string input in result.GetValue(domains) ?? Array.Empty<string>())
                {
                    // The domain read as Resolve-DmarcPolicy reads it (docs/domain-names.md), the same refusal.
                    DomainNameInput read = DomainNameInput.Read(input);
                    if (!read.IsValid)
                    {
                        Output.WriteError(read.Refusal!);
                        exit = Output.InputFailed;
                        continue;
                    }

                    try
                    {
                        var query = new DmarcQuery(input)
                        {
                            Method = result.GetValue(method),
                            MailFromDomain = result.GetValue(mailFrom),
                            SpfResult = result.GetValue(spf)?.ToLowerInvariant(),
                        };
                        foreach (string item in result.GetValue(dkim) ?? Array.Empty<string>())
                        {
                            int colon = item.LastIndexOf(':');
                            if (colon <= 0 || colon == item.Length - 1)
                            {
                                throw new ArgumentException($"--dkim '{item}' is not domain:result (for example contoso.com:pass).");
                            }

                            query.DkimResults.Add(new DkimSignatureResult(item.Substring(0, colon), item.Substring(colon + 1).ToLowerInvariant()));
                        }

                        DmarcPolicy policy = resolver.ResolveAsync(query, options).GetAwaiter().GetResult();
                        if (json)
                        {
                            Output.WriteJson(policy);
                        }
                        else
                        {
                            WriteHuman(policy);
                        }

                        if (policy.StatusCode == DmarcStatus.LookupFailed)
                        {
                            exit = Output.InputFailed;
                        }
                    }
                    catch (ArgumentException ex)
                    {
                        Output.WriteError($"{input}: {ex.Message}");
                        exit = Output.InputFailed;
                    }
                }

                return exit;
            });
            return command;
        }

        private static void WriteHuman(DmarcPolicy p)
        {
            Console.WriteLine($"{p.Domain}: {p.StatusCode}{(p.ErrorMessage is null ? string.Empty : " (" + p.ErrorMessage + ")")}");
            if (p.Record != null)
            {
                Console.WriteLine($"  record at {p.RecordDomain}: {p.Record}");
                Console.WriteLine($"  organizational domain {p.OrganizationalDomain} ({p.Method}); effective policy {p.EffectivePolicyCode} from {p.PolicySourceCode}");
            }

            if (p.MethodsAgree == false)
            {
                Console.WriteLine($"  the other method finds {p.AlternateRecordDomain ?? "no record"} ({p.AlternateStatusCode})");
            }

            if (p.Evaluation != null)
            {
                Console.WriteLine($"  dmarc={p.DmarcResult} aligned={p.AlignedIdentifierCode} disposition={p.DispositionCode}: {p.Reason}");
            }

            foreach (Finding finding in p.Findings)
            {
                Console.WriteLine($"  {finding.SeverityCode} {finding.Id}: {finding.Message}");
            }
        }
    }
}
