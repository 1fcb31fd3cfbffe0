using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net;
using MailAuth.Dns;

namespace MailAuth.PowerShell
{
    /// <summary>
    /// Base of every cmdlet that queries DNS: the shared -Server, -TimeoutSec and -NoCache
    /// parameters, and the session-wide resolver (one cache shared by all cmdlets with the same
    /// settings). Each DNS query is shown with -Verbose.
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

        /// <summary>Ask the name servers every time instead of using cached answers.</summary>
        [Parameter]
        public SwitchParameter NoCache { get; set; }

        protected DnsResolver Resolver { get; private set; } = null!;

        /// <summary>
        /// The session resolver, showing each query with -Verbose. Nothing is kept: the results carry
        /// their own DNS evidence, so a long pipeline does not grow.
        /// </summary>
        protected IDnsResolver VerboseResolver { get; private set; } = null!;

        protected override void BeginProcessing()
        {
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

            Resolver = DnsResolver.GetShared(new DnsResolverOptions
            {
                Servers = servers,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
                UseCache = !NoCache.IsPresent,
            });
            VerboseResolver = VerboseEnabled ? new VerboseDnsResolver(Resolver, this) : Resolver;
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
                _cmdlet.PostVerbose("DNS " + response);
                return response;
            }
        }
    }
}
