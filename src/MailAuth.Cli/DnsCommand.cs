using System;
using System.CommandLine;
using System.Linq;
using MailAuth.Dns;

namespace MailAuth.Cli
{
    /// <summary>mailauth dns NAME [--type TXT]: one query through the core resolver.</summary>
    internal static class DnsCommand
    {
        public static Command Create()
        {
            var common = new CommonOptions();
            var name = new Argument<string[]>("name") { Description = "Domain names to query.", Arity = ArgumentArity.OneOrMore };
            var type = new Option<DnsRecordType>("--type", "-t") { Description = "Record type (A, AAAA, MX, TXT, PTR, CNAME, NS, SOA).", DefaultValueFactory = _ => DnsRecordType.TXT };
            var command = new Command("dns", "Query DNS the way the checks do: Found, NotFound or Failed.");
            command.Arguments.Add(name);
            command.Options.Add(type);
            common.AddTo(command);
            command.SetAction(result =>
            {
                IDnsResolver resolver;
                try
                {
                    resolver = common.CreateResolver(result);
                }
                catch (UsageException ex)
                {
                    Output.WriteError(ex.Message);
                    return Output.Usage;
                }

                bool json = result.GetValue(common.Json);
                int exit = Output.Success;
                foreach (string item in result.GetValue(name) ?? Array.Empty<string>())
                {
                    try
                    {
                        DnsResponse response = resolver.QueryAsync(item, result.GetValue(type)).GetAwaiter().GetResult();
                        if (json)
                        {
                            Output.WriteJson(response);
                        }
                        else
                        {
                            Console.WriteLine(response.ToString());
                        }

                        if (response.StatusCode == DnsLookupStatus.Failed)
                        {
                            exit = Output.InputFailed;
                        }
                    }
                    catch (ArgumentException ex)
                    {
                        Output.WriteError($"{item}: {ex.Message}");
                        exit = Output.InputFailed;
                    }
                }

                return exit;
            });
            return command;
        }
    }
}
