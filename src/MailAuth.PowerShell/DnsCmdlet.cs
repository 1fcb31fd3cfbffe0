using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net;
using MailAuth.Dns;

namespace MailAuth.PowerShell
{
    /// <summary>
    /// Base of every cmdlet that queries DNS: the shared -Server, -TimeoutSec and -NoCache
    /// parameters, the session-wide resolver (one cache shared by all cmdlets with the same
    /// settings), and -DnsArchive / -Offline to record the answers results used and replay them
    /// with no packet sent (docs/dns-archive.md). Each DNS query is shown with -Verbose.
    /// </summary>
    public abstract class DnsCmdlet : MailAuthCmdlet
    {
        /// <summary>Name servers as address, address:port or [IPv6]:port. Default: the system's.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Server { get; set; }

        /// <summary>Seconds to wait for one DNS answer.</summary>
        [Parameter]
        [ValidateRange(1, 60)]
        public int TimeoutSec { get; set; } = 3;

        /// <summary>
        /// Most DNS queries a second, retransmissions included, so a bulk run spares a shared company
        /// resolver. Default: no limit beyond each server's congestion window.
        /// </summary>
        [Parameter]
        [ValidateRange(1, 1000000)]
        public int MaxQueriesPerSecond { get; set; }

        /// <summary>Ask the name servers every time instead of using cached answers.</summary>
        [Parameter]
        public SwitchParameter NoCache { get; set; }

        /// <summary>
        /// A JSON Lines file (docs/dns-archive.md): every DNS answer a result used is appended to
        /// it; with -Offline, answers come only from it.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? DnsArchive { get; set; }

        /// <summary>Answer only from -DnsArchive and send no DNS packet (a replay of the recorded day).</summary>
        [Parameter]
        public SwitchParameter Offline { get; set; }

        /// <summary>The session resolver, or the archive replay with -Offline; records into -DnsArchive.</summary>
        protected IDnsResolver Resolver { get; private set; } = null!;

        /// <summary>The resolver that talks to the servers (null with -Offline), for its load signals.</summary>
        protected DnsResolver? WireResolver { get; private set; }

        /// <summary>True with -Offline: nothing may leave the machine, HTTPS fetches (MTA-STS policies) included.</summary>
        protected bool IsOffline => Offline.IsPresent;

        private DnsArchiveWriter? _archiveWriter;

        /// <summary>
        /// The session resolver, showing each query with -Verbose. Nothing is kept: the results carry
        /// their own DNS evidence, so a long pipeline does not grow.
        /// </summary>
        protected IDnsResolver VerboseResolver { get; private set; } = null!;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            var servers = new List<IPEndPoint>();
            foreach (string text in Server ?? Array.Empty<string>())
            {
                try
                {
                    servers.Add(DnsResolverOptions.ParseServer(text));
                }
                catch (FormatException ex)
                {
                    // No input can succeed with a wrong server: stop before the first one.
                    ThrowTerminatingError(new ErrorRecord(ex, "InvalidServer", ErrorCategory.InvalidArgument, text)
                    {
                        ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = "Give -Server as an IP address, address:port or [IPv6]:port." },
                    });
                }
            }

            WireResolver = Offline.IsPresent ? null : DnsResolver.GetShared(new DnsResolverOptions
            {
                Servers = servers,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
                UseCache = !NoCache.IsPresent,
                MaxQueriesPerSecond = MaxQueriesPerSecond > 0 ? MaxQueriesPerSecond : (double?)null,
            });
            Resolver = WireResolver ?? OpenReplay();
            if (DnsArchive != null && !Offline.IsPresent)
            {
                string path = GetUnresolvedProviderPathFromPSPath(DnsArchive);
                try
                {
                    _archiveWriter = DnsArchiveWriter.Open(path);
                }
                catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, "DnsArchiveNotWritable", ErrorCategory.WriteError, DnsArchive)
                    {
                        ErrorDetails = new ErrorDetails($"The DNS archive '{path}' cannot be used: {ex.Message}") { RecommendedAction = "Give -DnsArchive a file in a folder that exists and that you may write to." },
                    });
                }

                Resolver = new ArchivingDnsResolver(Resolver, _archiveWriter!);
            }

            VerboseResolver = VerboseEnabled ? new VerboseDnsResolver(Resolver, this) : Resolver;
        }

        /// <summary>Writes the archive's last answers; call base.EndProcessing() from an override.</summary>
        protected override void EndProcessing()
        {
            base.EndProcessing();
            if (_archiveWriter != null)
            {
                try
                {
                    _archiveWriter.Flush();
                }
                catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException)
                {
                    WriteError(new ErrorRecord(ex, "DnsArchiveWriteFailed", ErrorCategory.WriteError, _archiveWriter.Path)
                    {
                        ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = "Free space or fix the permissions, then run again: the results are complete, the archive is not." },
                    });
                }
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && _archiveWriter != null)
            {
                DnsArchiveWriter writer = _archiveWriter;
                _archiveWriter = null;
                try
                {
                    writer.Dispose();
                }
                catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException)
                {
                    // Reported by EndProcessing when the pipeline ran to its end; a stopped
                    // pipeline (Ctrl+C) has no error stream left to report to.
                }
            }

            base.Dispose(disposing);
        }

        private IDnsResolver OpenReplay()
        {
            if (DnsArchive is null)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Offline answers from a DNS archive: give -DnsArchive <file>."),
                    "DnsArchiveRequired", ErrorCategory.InvalidArgument, null)
                {
                    ErrorDetails = new ErrorDetails("-Offline needs -DnsArchive: the file of answers to replay.") { RecommendedAction = "Record one first: run the same command with -DnsArchive <file> and without -Offline." },
                });
            }

            string path = GetUnresolvedProviderPathFromPSPath(DnsArchive);
            MailAuth.Dns.DnsArchive archive;
            try
            {
                archive = MailAuth.Dns.DnsArchive.Load(path);
            }
            catch (System.IO.FileNotFoundException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "DnsArchiveNotFound", ErrorCategory.ObjectNotFound, DnsArchive)
                {
                    ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = "Check the path, or record an archive first: run without -Offline, with -DnsArchive <file>." },
                });
                throw;
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "DnsArchiveUnreadable", ErrorCategory.ReadError, DnsArchive)
                {
                    ErrorDetails = new ErrorDetails($"The DNS archive '{path}' cannot be read: {ex.Message}"),
                });
                throw;
            }

            const int Shown = 10;
            for (int i = 0; i < archive.Problems.Count && i < Shown; i++)
            {
                WriteWarning($"DNS archive {path}, {archive.Problems[i]}");
            }

            if (archive.Problems.Count > Shown)
            {
                WriteWarning($"DNS archive {path}: {archive.Problems.Count - Shown} more lines were skipped.");
            }

            WriteVerbose($"DNS archive {path}: replaying {archive.Responses.Count} answers; no DNS packet is sent.");
            return new DnsArchiveReplayResolver(archive);
        }

        private sealed class VerboseDnsResolver : IDnsResolver
        {
            private readonly IDnsResolver _inner;
            private readonly DnsCmdlet _cmdlet;

            public VerboseDnsResolver(IDnsResolver inner, DnsCmdlet cmdlet)
            {
                _inner = inner;
                _cmdlet = cmdlet;
            }

            public async System.Threading.Tasks.Task<DnsResponse> QueryAsync(string name, DnsRecordType type, System.Threading.CancellationToken cancellationToken = default)
            {
                DnsResponse response = await _inner.QueryAsync(name, type, cancellationToken).ConfigureAwait(false);
                _cmdlet.PostVerbose(response.ToVerboseLine());
                return response;
            }
        }
    }
}
