using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Addresses;
using MailAuth.Dns;
using MailAuth.IpIntelligence;

namespace MailAuth.Cli
{
    /// <summary>
    /// mailauth ip IP... and mailauth address ADDRESS...: Get-MailIpReport and Test-MailAddress
    /// from the shell. "-" reads one input per line from standard input. Inputs run at once (at
    /// most 32) and print in input order.
    /// </summary>
    internal static class IntelCommands
    {
        private const int Throttle = 32;

        public static IEnumerable<Command> CreateAll()
        {
            yield return CreateIp();
            yield return CreateAddress();
        }

        private static Command CreateIp()
        {
            var common = new CommonOptions();
            var ips = new Argument<string[]>("ip") { Description = "IPv4 or IPv6 addresses; - reads one per line from standard input.", Arity = ArgumentArity.OneOrMore };
            var blocklist = new Option<string[]>("--blocklist") { Description = "DNS blocklist zone to ask (repeatable) instead of the default set." };
            var noBlocklist = new Option<bool>("--no-blocklist") { Description = "Ask no blocklist." };
            var asnDatabase = new Option<string>("--asn-database") { Description = "MMDB file with AS data (GeoLite2-ASN, IPinfo Lite), used instead of Team Cymru's DNS." };
            var countryDatabase = new Option<string>("--country-database") { Description = "MMDB file with country data (GeoLite2-Country or City, IPinfo Lite)." };
            var command = new Command("ip", "Who a sending IP belongs to (PTR, FCrDNS, AS, prefix, country) and whether DNS blocklists list it.");
            command.Arguments.Add(ips);
            command.Options.Add(blocklist);
            command.Options.Add(noBlocklist);
            command.Options.Add(asnDatabase);
            command.Options.Add(countryDatabase);
            common.AddTo(command);
            command.SetAction(result =>
            {
                IDnsResolver resolver;
                MailIpReporter reporter;
                MmdbIpDatabase? asn = null;
                MmdbIpDatabase? country = null;
                try
                {
                    resolver = common.CreateResolver(result);
                    var options = new MailIpReportOptions();
                    string? asnPath = result.GetValue(asnDatabase);
                    string? countryPath = result.GetValue(countryDatabase);
                    options.AsnDatabase = asn = asnPath is null ? null : MmdbIpDatabase.Open(asnPath);
                    options.CountryDatabase = country = countryPath is null ? null : MmdbIpDatabase.Open(countryPath);
                    string[]? zones = result.GetValue(blocklist);
                    if (result.GetValue(noBlocklist))
                    {
                        options.Blocklists = Array.Empty<string>();
                    }
                    else if (zones != null && zones.Length > 0)
                    {
                        options.Blocklists = zones;
                    }

                    reporter = new MailIpReporter(resolver, options);
                }
                catch (UsageException ex)
                {
                    Output.WriteError(ex.Message);
                    return Output.Usage;
                }
                catch (ArgumentException ex)
                {
                    Output.WriteError("--blocklist: " + ex.Message);
                    return Output.Usage;
                }
                catch (Exception ex) when (ex is IOException || ex is InvalidDataException || ex is UnauthorizedAccessException)
                {
                    asn?.Dispose();
                    Output.WriteError("MMDB file: " + ex.Message);
                    return Output.Usage;
                }

                using MmdbIpDatabase? asnScope = asn;
                using MmdbIpDatabase? countryScope = country;
                bool json = result.GetValue(common.Json);
                return RunInOrder(Inputs(result.GetValue(ips)), (ip, ct) => reporter.ReportAsync(ip, ct), report =>
                {
                    if (json)
                    {
                        Output.WriteJson(report);
                    }
                    else
                    {
                        WriteIp(report);
                    }

                    return report.StatusCode == MailIpStatus.LookupFailed || report.LookupErrors.Count > 0;
                });
            });
            return command;
        }

        private static Command CreateAddress()
        {
            var common = new CommonOptions();
            var addresses = new Argument<string[]>("address") { Description = "Mail addresses; - reads one per line from standard input.", Arity = ArgumentArity.OneOrMore };
            var smtp = new Option<bool>("--smtp") { Description = "Ask the first reachable exchange: EHLO, MAIL FROM:<>, RCPT TO, QUIT (never DATA)." };
            var smtpPort = new Option<int>("--smtp-port") { Description = "SMTP port for --smtp.", DefaultValueFactory = _ => 25 };
            var smtpTimeout = new Option<int>("--smtp-timeout") { Description = "Seconds the whole --smtp probe of one address may take (1-300).", DefaultValueFactory = _ => 30 };
            var noPosture = new Option<bool>("--no-posture") { Description = "Do not look up the domain's SPF and DMARC records." };
            var command = new Command("address", "Check mail addresses: RFC 5321 syntax, MX / null MX / implicit MX routing, SPF/DMARC posture, optional SMTP probe.");
            command.Arguments.Add(addresses);
            command.Options.Add(smtp);
            command.Options.Add(smtpPort);
            command.Options.Add(smtpTimeout);
            command.Options.Add(noPosture);
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

                int port = result.GetValue(smtpPort);
                int seconds = result.GetValue(smtpTimeout);
                if (port < 1 || port > 65535 || seconds < 1 || seconds > 300)
                {
                    Output.WriteError("--smtp-port must be 1-65535 and --smtp-timeout 1-300.");
                    return Output.Usage;
                }

                if (result.GetValue(smtp) && result.GetValue(common.Offline))
                {
                    Output.WriteError("--smtp talks to the domain's mail server and --offline sends nothing: leave one out.");
                    return Output.Usage;
                }

                var options = new MailAddressTestOptions { IncludePosture = !result.GetValue(noPosture) };
                if (result.GetValue(smtp))
                {
                    options.Smtp = new SmtpProbeOptions { Port = port, TotalTimeout = TimeSpan.FromSeconds(seconds), ConnectTimeout = TimeSpan.FromSeconds(Math.Min(10, seconds)) };
                }

                var tester = new MailAddressTester(resolver, options);
                bool json = result.GetValue(common.Json);
                return RunInOrder(Inputs(result.GetValue(addresses)), (address, ct) => tester.TestAsync(address, ct), report =>
                {
                    if (json)
                    {
                        Output.WriteJson(report);
                    }
                    else
                    {
                        WriteAddress(report);
                    }

                    return report.MxStatusCode == MailRoutingStatus.LookupFailed;
                });
            });
            return command;
        }

        private static IEnumerable<string> Inputs(string[]? arguments)
        {
            foreach (string argument in arguments ?? Array.Empty<string>())
            {
                if (argument == "-")
                {
                    string? line;
                    while ((line = Console.In.ReadLine()) != null)
                    {
                        yield return line;
                    }
                }
                else
                {
                    yield return argument;
                }
            }
        }

        // Starts every input (at most Throttle at once) and prints each in input order; an
        // ArgumentException (an empty or unusable input) is one line on standard error.
        private static int RunInOrder<T>(IEnumerable<string> inputs, Func<string, CancellationToken, Task<T>> work, Func<T, bool> write)
        {
            using var throttle = new SemaphoreSlim(Throttle);
            var tasks = new List<(string Input, Task<T> Task)>();
            foreach (string input in inputs)
            {
                tasks.Add((input, Throttled(input)));
            }

            async Task<T> Throttled(string input)
            {
                await throttle.WaitAsync().ConfigureAwait(false);
                try
                {
                    return await work(input, CancellationToken.None).ConfigureAwait(false);
                }
                finally
                {
                    throttle.Release();
                }
            }

            int exit = Output.Success;
            foreach ((string input, Task<T> task) in tasks)
            {
                try
                {
                    if (write(task.GetAwaiter().GetResult()))
                    {
                        exit = Output.InputFailed;
                    }
                }
                catch (ArgumentException ex)
                {
                    Output.WriteError($"'{input}': {UserMessage(ex)}");
                    exit = Output.InputFailed;
                }
            }

            return exit;
        }

        private static string UserMessage(ArgumentException ex)
        {
            string suffix = new ArgumentException(string.Empty, ex.ParamName).Message;
            return ex.ParamName != null && suffix.Length > 0 && ex.Message.EndsWith(suffix, StringComparison.Ordinal)
                ? ex.Message.Substring(0, ex.Message.Length - suffix.Length).TrimEnd()
                : ex.Message;
        }

        private static void WriteIp(MailIpReport r)
        {
            string owner = r.Asn is long asn ? "AS" + asn.ToString(CultureInfo.InvariantCulture) + (r.AsName is null ? string.Empty : " " + r.AsName) : "AS unknown";
            Console.WriteLine($"{r.IPAddress}: {r.Status}");
            if (r.StatusCode != MailIpStatus.NotPublic)
            {
                Console.WriteLine($"  PTR      {r.PtrName ?? "(none)"}{(r.ForwardConfirmed == true ? " (forward-confirmed)" : r.ForwardConfirmed == false ? " (not forward-confirmed)" : string.Empty)}");
                Console.WriteLine($"  Owner    {owner}{(r.Prefix is null ? string.Empty : ", " + r.Prefix)}{(r.Country is null ? string.Empty : ", " + r.Country + " (" + r.Registry + ")")}");
            }
            else
            {
                Console.WriteLine("  A private, loopback, documentation or other special-purpose address (RFC 6890): nothing looked up.");
            }

            foreach (DnsBlocklistListing listing in r.Listings)
            {
                Console.WriteLine($"  Listed   {listing.Zone} {listing.ReturnCode}: {listing.Meaning}");
            }

            foreach (string error in r.LookupErrors)
            {
                Console.WriteLine("  Error    " + error);
            }
        }

        private static void WriteAddress(MailAddressReport r)
        {
            Console.WriteLine($"{r.Address}: {r.Deliverable}{(r.MxStatus is null ? string.Empty : " (" + r.MxStatus + ")")}");
            Console.WriteLine("  " + r.DeliverableReason);
            if (r.Exchanges.Count > 0)
            {
                Console.WriteLine("  MX       " + string.Join(", ", r.Exchanges));
            }

            if (r.Posture != null)
            {
                Console.WriteLine("  Posture  " + r.Posture);
            }

            if (r.SmtpProbe != null)
            {
                Console.WriteLine($"  SMTP     {r.SmtpProbe.Outcome} {r.SmtpProbe.RcptReply ?? string.Empty} ({r.SmtpProbe.Host}; STARTTLS {(r.SmtpProbe.StartTlsOffered == true ? "offered" : r.SmtpProbe.StartTlsOffered == false ? "not offered" : "unknown")})");
            }

            foreach (Finding finding in r.Findings)
            {
                Console.WriteLine($"  {finding.Severity,-11} {finding.Id}: {finding.Message}");
            }
        }
    }
}
