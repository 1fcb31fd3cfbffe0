using System;
using System.CommandLine;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Names;

namespace MailAuth.Cli
{
    /// <summary>One report per domain argument, in order, for the CLI's domain commands.</summary>
    internal static class DomainLoop
    {
        /// <summary>
        /// The per-domain loop the domain commands share (posture checks, spf record): one object (or report) per domain in
        /// argument order; a domain that is not a DNS name is one error line and exit code 1, and
        /// the others still run. Each input is read as the cmdlets read it (<see cref="DomainNameInput"/>):
        /// the same names taken, the same refusals printed, the same note when reading changed it.
        /// </summary>
        internal static int Run<T>(ParseResult result, CommonOptions common, Argument<string[]> domains,
            Func<IDnsResolver, string, CancellationToken, Task<T>> lookup, Action<T> human, Func<T, bool> failed,
            DomainNameKind kind = DomainNameKind.HostName)
            where T : class
        {
            IDnsResolver dns;
            try
            {
                dns = common.CreateResolver(result);
            }
            catch (UsageException ex)
            {
                Output.WriteError(ex.Message);
                return Output.Usage;
            }

            bool json = result.GetValue(common.Json);
            int exit = Output.Success;
            bool first = true;
            foreach (string input in result.GetValue(domains) ?? Array.Empty<string>())
            {
                DomainNameInput read = DomainNameInput.Read(input, kind);
                if (!read.IsValid)
                {
                    Output.WriteError(read.Refusal!);
                    exit = Output.InputFailed;
                    continue;
                }

                // As the cmdlets' -Verbose: what reading changed, with --verbose.
                if (read.VerboseNote != null && result.GetValue(common.Verbose))
                {
                    Console.Error.WriteLine(read.VerboseNote);
                }

                string domain = read.Domain!;
                try
                {
                    T report = lookup(dns, domain, CancellationToken.None).GetAwaiter().GetResult();
                    if (json)
                    {
                        Output.WriteJson(report);
                    }
                    else
                    {
                        if (!first)
                        {
                            Console.WriteLine();
                        }

                        human(report);
                        first = false;
                    }

                    if (failed(report))
                    {
                        exit = Output.InputFailed;
                    }
                }
                catch (ArgumentException ex)
                {
                    Output.WriteError($"{input}: {PostureCommands.StripParameter(ex.Message)}");
                    exit = Output.InputFailed;
                }
            }

            return exit;
        }
    }
}
