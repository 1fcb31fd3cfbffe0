using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Net;
using MailAuth.Dns;

namespace MailAuth.Cli
{
    /// <summary>The options every DNS-using command shares, as the cmdlets' -Server, -TimeoutSec, -NoCache.</summary>
    internal sealed class CommonOptions
    {
        public Option<string[]> Server { get; } = new Option<string[]>("--server", "-s")
        {
            Description = "Name server as address, address:port or [IPv6]:port (repeatable). Default: the system's.",
            AllowMultipleArgumentsPerToken = false,
        };

        public Option<int> Timeout { get; } = new Option<int>("--timeout")
        {
            Description = "Seconds to wait for one DNS answer (1-60).",
            DefaultValueFactory = _ => 3,
        };

        public Option<bool> NoCache { get; } = new Option<bool>("--no-cache")
        {
            Description = "Ask the name servers every time.",
        };

        public Option<string> DnsArchive { get; } = new Option<string>("--dns-archive")
        {
            Description = "Append every DNS answer the results used to this JSON Lines file (docs/dns-archive.md); with --offline, answer only from it.",
        };

        public Option<bool> Offline { get; } = new Option<bool>("--offline")
        {
            Description = "Answer only from --dns-archive and send no DNS packet (no MTA-STS policy fetch either).",
        };

        public Option<bool> Json { get; } = new Option<bool>("--json")
        {
            Description = "One JSON object per line, with the same property names as the cmdlets' objects.",
        };

        public Option<int> MaxQps { get; } = new Option<int>("--max-qps")
        {
            Description = "Most DNS queries a second, retransmissions included (spares a shared company resolver). Default: no limit.",
        };

        /// <summary>The live resolver the last CreateDnsResolver made (null with --offline), for its load signals.</summary>
        public DnsResolver? LiveResolver { get; private set; }

        public Option<bool> Verbose { get; } = new Option<bool>("--verbose", "-v")
        {
            Description = "Print each DNS query to standard error.",
        };

        public void AddTo(Command command)
        {
            command.Options.Add(Server);
            command.Options.Add(Timeout);
            command.Options.Add(NoCache);
            command.Options.Add(DnsArchive);
            command.Options.Add(Offline);
            command.Options.Add(MaxQps);
            command.Options.Add(Json);
            command.Options.Add(Verbose);
        }

        /// <summary>Adds the DNS options only (--server, --timeout, --no-cache, --verbose), for commands with their own --json.</summary>
        public void AddDnsTo(Command command)
        {
            command.Options.Add(Server);
            command.Options.Add(Timeout);
            command.Options.Add(NoCache);
            command.Options.Add(DnsArchive);
            command.Options.Add(Offline);
            command.Options.Add(MaxQps);
            command.Options.Add(Verbose);
        }

        /// <summary>True with --offline: nothing may leave the machine.</summary>
        public bool IsOffline(ParseResult result) => result.GetValue(Offline);

        /// <summary>The resolver the options describe; throws <see cref="UsageException"/> for a bad server or timeout.</summary>
        public IDnsResolver CreateResolver(ParseResult result)
        {
            IDnsResolver resolver = CreateDnsResolver(result);
            if (result.GetValue(Verbose))
            {
                return new RecordingDnsResolver(resolver, response => Console.Error.WriteLine(response.ToVerboseLine()));
            }

            return resolver;
        }

        /// <summary>
        /// The resolver without the --verbose recording wrapper (a bulk audit traces through its
        /// report options instead, since a recording resolver keeps every response for the run):
        /// the archive replay with --offline, and recording into --dns-archive without it.
        /// </summary>
        public IDnsResolver CreateDnsResolver(ParseResult result)
        {
            string? archive = result.GetValue(DnsArchive);
            if (result.GetValue(Offline))
            {
                if (string.IsNullOrWhiteSpace(archive))
                {
                    throw new UsageException("--offline answers from a DNS archive: give --dns-archive FILE (record one by running without --offline).");
                }

                Dns.DnsArchive loaded;
                try
                {
                    loaded = Dns.DnsArchive.Load(archive!);
                }
                catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException)
                {
                    throw new UsageException($"--dns-archive {archive}: {ex.Message}");
                }

                foreach (string problem in loaded.Problems)
                {
                    Console.Error.WriteLine($"warning: DNS archive {loaded.Path}, {problem}");
                }

                return new DnsArchiveReplayResolver(loaded);
            }

            IDnsResolver live = CreateLiveResolver(result);
            if (string.IsNullOrWhiteSpace(archive))
            {
                return live;
            }

            DnsArchiveWriter writer;
            try
            {
                writer = DnsArchiveWriter.Open(archive!);
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException)
            {
                throw new UsageException($"--dns-archive {archive}: {ex.Message}");
            }

            // The command's last answers are written when the process ends.
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try
                {
                    writer.Dispose();
                }
                catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"error: the DNS archive {writer.Path} could not be written: {ex.Message}");
                    Environment.ExitCode = Environment.ExitCode == 0 ? 1 : Environment.ExitCode;
                }
            };
            return new ArchivingDnsResolver(live, writer);
        }

        private DnsResolver CreateLiveResolver(ParseResult result)
        {
            int timeout = result.GetValue(Timeout);
            if (timeout < 1 || timeout > 60)
            {
                throw new UsageException($"--timeout {timeout}: give a number of seconds from 1 to 60.");
            }

            var servers = new List<IPEndPoint>();
            foreach (string text in result.GetValue(Server) ?? Array.Empty<string>())
            {
                try
                {
                    servers.Add(DnsResolverOptions.ParseServer(text));
                }
                catch (FormatException ex)
                {
                    throw new UsageException(ex.Message);
                }
            }

            int maxQps = result.GetValue(MaxQps);
            if (maxQps < 0 || maxQps > 1000000)
            {
                throw new UsageException($"--max-qps {maxQps}: give a number of queries a second from 1 to 1000000 (0: no limit).");
            }

            LiveResolver = new DnsResolver(new DnsResolverOptions
            {
                Servers = servers,
                Timeout = TimeSpan.FromSeconds(timeout),
                UseCache = !result.GetValue(NoCache),
                MaxQueriesPerSecond = maxQps > 0 ? maxQps : (double?)null,
            });
            return LiveResolver;
        }
    }

    /// <summary>Wrong arguments: exit code 2 with the message.</summary>
    internal sealed class UsageException : Exception
    {
        public UsageException(string message)
            : base(message)
        {
        }
    }
}
