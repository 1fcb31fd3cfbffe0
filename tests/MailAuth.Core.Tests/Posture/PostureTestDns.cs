using System;
using System.Collections.Generic;
using System.Linq;
using MailAuth.Dns;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Posture
{
    /// <summary>
    /// A zone served by the loopback DNS server over real sockets, and the core
    /// <see cref="DnsResolver"/> pointed at it.
    /// </summary>
    internal sealed class PostureTestDns : IDisposable
    {
        private LoopbackDnsServer? _server;
        private DnsResolver? _dns;
        private bool _hasTimeouts;

        public DnsZone Zone { get; } = new DnsZone();

        /// <summary>Overrides the per-query timeout (and then allows one retry) for load tests.</summary>
        public TimeSpan? QueryTimeout { get; set; }

        public PostureTestDns Txt(string name, params string[] strings)
        {
            Zone.AddTxt(name, strings);
            return this;
        }

        public PostureTestDns Add(string name, ZoneRecordType type, string data)
        {
            Zone.Add(name, type, data);
            return this;
        }

        public PostureTestDns Fault(string name, DnsFault fault, ZoneRecordType? type = null)
        {
            Zone.AddFault(name, fault, type);
            _hasTimeouts |= fault == DnsFault.Timeout;
            return this;
        }

        public IReadOnlyList<string> Queries => _server is null
            ? Array.Empty<string>()
            : _server.Queries.Select(q => $"{q.Type} {q.Name}").ToArray();

        public LoopbackDnsServer Server => _server ?? throw new InvalidOperationException("Resolver() first.");

        public DnsResolver Resolver()
        {
            if (_server is null)
            {
                _server = LoopbackDnsServer.Start(Zone);
                _dns = new DnsResolver(new DnsResolverOptions
                {
                    Servers = new[] { _server.EndPoint },
                    // Short only where a timeout is scripted; the shared 2-core machine can delay
                    // a loopback answer, so otherwise generous.
                    Timeout = QueryTimeout ?? (_hasTimeouts ? TimeSpan.FromMilliseconds(400) : TimeSpan.FromSeconds(3)),
                    Retries = QueryTimeout.HasValue || !_hasTimeouts ? 1 : 0,
                });
            }

            return _dns!;
        }

        public void Dispose()
        {
            _dns?.Dispose();
            _server?.Dispose();
        }
    }
}
