using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dmarc;
using MailAuth.Dns;

namespace MailAuth.Core.Tests.Dmarc
{
    /// <summary>The faults the DMARC tests script.</summary>
    public enum TestFault
    {
        ServFail,
        Timeout,
    }

    /// <summary>
    /// Zone data for a DMARC test and the resolver that serves it. Names not in the zone answer
    /// NXDOMAIN; a name with records of other types answers NODATA (as the loopback server does).
    /// </summary>
    internal sealed class DmarcTestDns : IDnsResolver
    {
        private readonly Dictionary<string, List<(DnsRecordType Type, string Data)>> _records =
            new Dictionary<string, List<(DnsRecordType, string)>>(StringComparer.OrdinalIgnoreCase);

        private readonly Dictionary<string, TestFault> _faults = new Dictionary<string, TestFault>(StringComparer.OrdinalIgnoreCase);
        private readonly List<string> _queries = new List<string>();

        public DmarcTestDns Txt(string name, string text)
        {
            Add(name, DnsRecordType.TXT, text);
            return this;
        }

        public DmarcTestDns A(string name, string address = "192.0.2.1")
        {
            Add(name, DnsRecordType.A, address);
            return this;
        }

        public DmarcTestDns Fault(string name, TestFault fault)
        {
            _faults[name] = fault;
            return this;
        }

        /// <summary>"TYPE name" of every query, in order.</summary>
        public IReadOnlyList<string> Queries
        {
            get
            {
                lock (_queries)
                {
                    return _queries.ToArray();
                }
            }
        }

        public IReadOnlyList<string> DmarcQueries => Queries.Where(q => q.StartsWith("TXT _dmarc.", StringComparison.Ordinal)).ToArray();

        public DmarcResolver Resolver() => new DmarcResolver(this);

        public Task<DmarcPolicy> ResolveAsync(DmarcQuery query, DmarcOptions? options = null)
        {
            return Resolver().ResolveAsync(query, options ?? new DmarcOptions());
        }

        public Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
        {
            lock (_queries)
            {
                _queries.Add($"{type} {name}");
            }

            if (_faults.TryGetValue(name, out TestFault fault))
            {
                string code = fault == TestFault.Timeout ? "Timeout" : "ServFail";
                return Task.FromResult(new DnsResponse(name, type, DnsLookupStatus.Failed, code,
                    Array.Empty<DnsRecord>(), "fake", 0, false, code == "Timeout" ? "no answer within 500 ms" : "server failure"));
            }

            if (!_records.TryGetValue(name, out List<(DnsRecordType Type, string Data)>? entries))
            {
                return Task.FromResult(new DnsResponse(name, type, DnsLookupStatus.NotFound, "NXDomain",
                    Array.Empty<DnsRecord>(), "fake", 0, false, null));
            }

            DnsRecord[] records = entries.Where(e => e.Type == type)
                .Select(e => new DnsRecord(name, type, 300, e.Data, type == DnsRecordType.TXT ? new[] { e.Data } : null))
                .ToArray();
            return Task.FromResult(new DnsResponse(name, type, records.Length > 0 ? DnsLookupStatus.Found : DnsLookupStatus.NotFound,
                "NoError", records, "fake", 0, false, null));
        }

        private void Add(string name, DnsRecordType type, string data)
        {
            // Every ancestor of a name exists (an empty non-terminal answers NODATA, not NXDOMAIN).
            string? current = name;
            while (current != null)
            {
                if (!_records.ContainsKey(current))
                {
                    _records[current] = new List<(DnsRecordType, string)>();
                }

                int dot = current.IndexOf('.');
                current = dot < 0 ? null : current.Substring(dot + 1);
            }

            _records[name].Add((type, data));
        }
    }
}
