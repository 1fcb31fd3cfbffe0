using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;

namespace MailAuth.Core.Tests.Spf
{
    /// <summary>
    /// A tiny in-memory resolver for pure unit tests of evaluation logic (STYLE.md allows it there;
    /// DNS behaviour and conformance go over the loopback server). NXDOMAIN for unknown names,
    /// NODATA for known names without the type, CNAMEs followed, scripted timeouts.
    /// </summary>
    public sealed class FakeDnsResolver : IDnsResolver
    {
        private readonly Dictionary<string, List<DnsRecord>> _names = new Dictionary<string, List<DnsRecord>>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _timeouts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly List<string> _queries = new List<string>();

        public TimeSpan Latency { get; set; }

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

        public int QueryCount => Queries.Count;

        public FakeDnsResolver Txt(string name, params string[] strings)
        {
            Records(name).Add(new DnsRecord(name, DnsRecordType.TXT, 300, string.Concat(strings), strings));
            return this;
        }

        public FakeDnsResolver A(string name, params string[] addresses)
        {
            foreach (string address in addresses)
            {
                IPAddress ip = IPAddress.Parse(address);
                DnsRecordType type = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? DnsRecordType.AAAA : DnsRecordType.A;
                Records(name).Add(new DnsRecord(name, type, 300, ip.ToString(), address: ip));
            }

            return this;
        }

        public FakeDnsResolver Mx(string name, int preference, string exchange)
        {
            Records(name).Add(new DnsRecord(name, DnsRecordType.MX, 300, preference + " " + exchange, target: exchange.TrimEnd('.'), preference: preference));
            return this;
        }

        public FakeDnsResolver Ptr(string name, string target)
        {
            Records(name).Add(new DnsRecord(name, DnsRecordType.PTR, 300, target, target: target.TrimEnd('.')));
            return this;
        }

        public FakeDnsResolver Cname(string name, string target)
        {
            Records(name).Add(new DnsRecord(name, DnsRecordType.CNAME, 300, target, target: target.TrimEnd('.')));
            return this;
        }

        public FakeDnsResolver Spf99(string name, params string[] strings)
        {
            Records(name).Add(new DnsRecord(name, DnsRecordType.SPF, 300, string.Concat(strings), strings));
            return this;
        }

        /// <summary>Declares the name (so it is NODATA rather than NXDOMAIN for missing types).</summary>
        public FakeDnsResolver Exists(string name)
        {
            Records(name);
            return this;
        }

        public FakeDnsResolver Timeout(string name, DnsRecordType? type = null)
        {
            _timeouts.Add(type is null ? name : name + "|" + type);
            return this;
        }

        private List<DnsRecord> Records(string name)
        {
            name = name.TrimEnd('.');
            if (!_names.TryGetValue(name, out List<DnsRecord>? list))
            {
                list = new List<DnsRecord>();
                _names[name] = list;
            }

            return list;
        }

        public async Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
        {
            lock (_queries)
            {
                _queries.Add(type + " " + name);
            }

            if (Latency > TimeSpan.Zero)
            {
                await Task.Delay(Latency, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await Task.Yield();
            }

            string current = name.TrimEnd('.');
            var chain = new List<string>();
            for (int hop = 0; hop < 8; hop++)
            {
                if (_timeouts.Contains(current) || _timeouts.Contains(current + "|" + type))
                {
                    return new DnsResponse(name, type, DnsLookupStatus.Failed, "Timeout", Array.Empty<DnsRecord>(), "fake", 0, false, "timed out");
                }

                if (!_names.TryGetValue(current, out List<DnsRecord>? records))
                {
                    return new DnsResponse(name, type, DnsLookupStatus.NotFound, "NXDomain", Array.Empty<DnsRecord>(), "fake", 0, false, null, chain);
                }

                DnsRecord[] answers = records.Where(r => r.TypeCode == type).ToArray();
                if (answers.Length > 0)
                {
                    return new DnsResponse(name, type, DnsLookupStatus.Found, "NoError", answers, "fake", 0, false, null, chain);
                }

                DnsRecord? cname = type == DnsRecordType.CNAME ? null : records.FirstOrDefault(r => r.TypeCode == DnsRecordType.CNAME);
                if (cname is null)
                {
                    return new DnsResponse(name, type, DnsLookupStatus.NotFound, "NoError", Array.Empty<DnsRecord>(), "fake", 0, false, null, chain);
                }

                current = cname.Target!;
                chain.Add(current);
            }

            return new DnsResponse(name, type, DnsLookupStatus.Failed, "ServFail", Array.Empty<DnsRecord>(), "fake", 0, false, "CNAME loop");
        }
    }
}
