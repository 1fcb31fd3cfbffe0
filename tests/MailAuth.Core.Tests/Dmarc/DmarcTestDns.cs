using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using MailAuth.Dmarc;
using MailAuth.Dns;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Dmarc
{
    /// <summary>The faults the DMARC tests script.</summary>
    public enum TestFault
    {
        ServFail,
        Timeout,
    }

    /// <summary>
    /// Zone data for a DMARC test, served by the loopback DNS server over real sockets, and a
    /// <see cref="DmarcResolver"/> over the core <see cref="DnsResolver"/> pointed at it. Names not
    /// in the zone answer NXDOMAIN; a name with records of other types answers NODATA.
    /// </summary>
    internal sealed class DmarcTestDns : IDisposable
    {
        private readonly DnsZone _zone = new DnsZone();
        private LoopbackDnsServer? _server;
        private bool _hasTimeouts;
        private DnsResolver? _dns;

        public DmarcTestDns Txt(string name, string text)
        {
            _zone.AddTxt(name, text);
            return this;
        }

        public DmarcTestDns A(string name, string address = "192.0.2.1")
        {
            _zone.Add(name, ZoneRecordType.A, address);
            return this;
        }

        public DmarcTestDns Fault(string name, TestFault fault)
        {
            _zone.AddFault(name, fault == TestFault.Timeout ? DnsFault.Timeout : DnsFault.ServFail);
            _hasTimeouts |= fault == TestFault.Timeout;
            return this;
        }

        public DmarcTestDns Latency(string name, TimeSpan latency)
        {
            _zone.SetLatency(name, latency);
            return this;
        }

        public IReadOnlyList<ServedQuery> ServedQueries => _server?.Queries ?? (IReadOnlyList<ServedQuery>)Array.Empty<ServedQuery>();

        /// <summary>"TYPE name" of every query the server received, in arrival order.</summary>
        public IReadOnlyList<string> Queries => _server is null
            ? Array.Empty<string>()
            : _server.Queries.Select(q => $"{q.Type} {q.Name}").ToArray();

        public IReadOnlyList<string> DmarcQueries => Queries.Where(q => q.StartsWith("TXT _dmarc.", StringComparison.Ordinal)).ToArray();

        public DmarcResolver Resolver() => new DmarcResolver(Dns());

        /// <summary>The resolver over the loopback server, started on first use.</summary>
        public IDnsResolver Dns()
        {
            if (_server is null)
            {
                _server = LoopbackDnsServer.Start(_zone);
                _dns = new DnsResolver(new DnsResolverOptions
                {
                    Servers = new[] { _server.EndPoint },
                    // Short only where a timeout is scripted; otherwise generous, since the shared
                    // 2-core machine can delay a loopback answer past half a second.
                    Timeout = _hasTimeouts ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromSeconds(3),
                    Retries = _hasTimeouts ? 0 : 1,
                });
            }

            return _dns!;
        }

        public Task<DmarcPolicy> ResolveAsync(DmarcQuery query, DmarcOptions? options = null)
        {
            return Resolver().ResolveAsync(query, options ?? new DmarcOptions());
        }

        public void Dispose()
        {
            _dns?.Dispose();
            _server?.Dispose();
        }
    }
}
