using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailAuth.Testing.Dns
{
    /// <summary>Record types the loopback server can hold (RFC 1035 numbers; SPF is type 99, RFC 7208 §3.1).</summary>
    public enum ZoneRecordType
    {
        A = 1,
        NS = 2,
        CNAME = 5,
        SOA = 6,
        PTR = 12,
        MX = 15,
        TXT = 16,
        AAAA = 28,
        SPF = 99,
    }

    /// <summary>Scripted misbehaviour for a name (and optionally one type).</summary>
    public enum DnsFault
    {
        /// <summary>Never answer.</summary>
        Timeout,
        /// <summary>RCODE 2.</summary>
        ServFail,
        /// <summary>RCODE 5.</summary>
        Refused,
        /// <summary>UDP: TC bit and no answers; TCP: the full answer (RFC 1035 §4.2.1, RFC 7766).</summary>
        Truncate,
        /// <summary>Unparseable bytes that carry the query id.</summary>
        Garbage,
        /// <summary>RCODE 3 even though the name may hold records.</summary>
        NxDomain,
        /// <summary>The first query for the name is never answered (a datagram lost on the way); later ones are.</summary>
        DropFirst,
    }

    /// <summary>
    /// The data a <see cref="LoopbackDnsServer"/> answers from. Names are case-insensitive and kept
    /// without the trailing dot; any text is accepted as a name (the server matches the query's
    /// labels joined with dots). Thread-safe: it may change while a server answers from it.
    /// </summary>
    public sealed class DnsZone
    {
        private readonly object _sync = new object();
        private readonly Dictionary<string, List<ZoneRecord>> _records = new Dictionary<string, List<ZoneRecord>>(StringComparer.Ordinal);
        private readonly HashSet<string> _ancestors = new HashSet<string>(StringComparer.Ordinal);
        private readonly List<FaultEntry> _faults = new List<FaultEntry>();
        private readonly Dictionary<string, TimeSpan> _latency = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        private TimeSpan _defaultLatency;

        /// <summary>Delay injected before every answer that has no per-name latency.</summary>
        public TimeSpan DefaultLatency
        {
            get { lock (_sync) { return _defaultLatency; } }
            set { lock (_sync) { _defaultLatency = value; } }
        }

        /// <summary>
        /// Adds one record. A/AAAA: address text; MX: "10 mx.example.com"; CNAME/PTR/NS: the target
        /// name; SOA: "ns hostmaster serial refresh retry expire minimum"; TXT/SPF: one string
        /// (split into 255-byte character-strings when longer).
        /// </summary>
        public DnsZone Add(string name, ZoneRecordType type, string data, int ttl = 300)
        {
            if (data is null)
            {
                throw new ArgumentNullException(nameof(data));
            }

            byte[]? rdata = null;
            string? target = null;
            switch (type)
            {
                case ZoneRecordType.A:
                case ZoneRecordType.AAAA:
                    AddressFamily family = type == ZoneRecordType.A ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
                    if (!IPAddress.TryParse(data.Trim(), out IPAddress? address) || address.AddressFamily != family)
                    {
                        throw new ArgumentException($"'{data}' is not an {(type == ZoneRecordType.A ? "IPv4" : "IPv6")} address for the {type} record of '{name}'.", nameof(data));
                    }

                    rdata = address.GetAddressBytes();
                    break;
                case ZoneRecordType.MX:
                    string[] mx = data.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                    if (mx.Length != 2 || !ushort.TryParse(mx[0], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    {
                        throw new ArgumentException($"'{data}' is not 'preference exchange' for the MX record of '{name}'.", nameof(data));
                    }

                    target = mx[1];
                    break;
                case ZoneRecordType.CNAME:
                case ZoneRecordType.PTR:
                case ZoneRecordType.NS:
                    target = data.Trim();
                    break;
                case ZoneRecordType.SOA:
                    string[] soa = data.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                    if (soa.Length != 7)
                    {
                        throw new ArgumentException($"'{data}' is not 'mname rname serial refresh retry expire minimum' for the SOA record of '{name}'.", nameof(data));
                    }

                    for (int i = 2; i < 7; i++)
                    {
                        if (!uint.TryParse(soa[i], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                        {
                            throw new ArgumentException($"'{soa[i]}' in the SOA record of '{name}' is not a 32-bit unsigned number.", nameof(data));
                        }
                    }

                    break;
                case ZoneRecordType.TXT:
                case ZoneRecordType.SPF:
                    return AddStrings(name, type, new[] { Encoding.UTF8.GetBytes(data) }, ttl);
                default:
                    throw new ArgumentOutOfRangeException(nameof(type), type, "Unsupported record type.");
            }

            return AddRecord(new ZoneRecord(Normalize(name), type, ttl, data, rdata, target));
        }

        /// <summary>One TXT record with these character-strings (UTF-8; each longer than 255 bytes is split).</summary>
        public DnsZone AddTxt(string name, params string[] strings) => AddStrings(name, ZoneRecordType.TXT, ToBytes(strings), 300);

        /// <summary>One TXT record with these character-strings as raw bytes (for non-UTF-8 content).</summary>
        public DnsZone AddTxtRaw(string name, params byte[][] strings) => AddStrings(name, ZoneRecordType.TXT, strings, 300);

        /// <summary>One type 99 (SPF) record with these character-strings.</summary>
        public DnsZone AddSpf(string name, params string[] strings) => AddStrings(name, ZoneRecordType.SPF, ToBytes(strings), 300);

        /// <summary>Makes queries for <paramref name="name"/> (and only <paramref name="type"/>, when given) misbehave.</summary>
        public DnsZone AddFault(string name, DnsFault fault, ZoneRecordType? type = null)
        {
            string key = Normalize(name);
            lock (_sync)
            {
                _faults.Add(new FaultEntry(key, fault, type));
            }

            return this;
        }

        /// <summary>Delay before answering queries for this name (overrides <see cref="DefaultLatency"/>).</summary>
        public DnsZone SetLatency(string name, TimeSpan latency)
        {
            string key = Normalize(name);
            lock (_sync)
            {
                _latency[key] = latency;
            }

            return this;
        }

        internal static string Normalize(string name)
        {
            if (name is null)
            {
                throw new ArgumentNullException(nameof(name));
            }

            string value = name.Trim();
            if (value.EndsWith(".", StringComparison.Ordinal) && value.Length > 1)
            {
                value = value.Substring(0, value.Length - 1);
            }

            return value.ToLowerInvariant();
        }

        private readonly HashSet<string> _droppedOnce = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>True the first time it is asked for <paramref name="key"/> (for <see cref="DnsFault.DropFirst"/>).</summary>
        internal bool DropThisOnce(string key)
        {
            lock (_sync)
            {
                return _droppedOnce.Add(key);
            }
        }

        internal TimeSpan GetLatency(string key)
        {
            lock (_sync)
            {
                return _latency.TryGetValue(key, out TimeSpan latency) ? latency : _defaultLatency;
            }
        }

        internal DnsFault? GetFault(string key, int type)
        {
            lock (_sync)
            {
                // A fault for the exact type wins over one for every type of the name.
                DnsFault? any = null;
                foreach (FaultEntry entry in _faults)
                {
                    if (!string.Equals(entry.Name, key, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    if (entry.Type.HasValue && (int)entry.Type.Value == type)
                    {
                        return entry.Fault;
                    }

                    if (!entry.Type.HasValue && any is null)
                    {
                        any = entry.Fault;
                    }
                }

                return any;
            }
        }

        internal List<ZoneRecord>? GetRecords(string key)
        {
            lock (_sync)
            {
                return _records.TryGetValue(key, out List<ZoneRecord>? list) ? new List<ZoneRecord>(list) : null;
            }
        }

        /// <summary>
        /// True when the name holds records or is an empty non-terminal (a name below it holds
        /// records): such a name exists and answers NODATA, not NXDOMAIN (RFC 8020 §2).
        /// </summary>
        internal bool NameExists(string key)
        {
            lock (_sync)
            {
                if (_records.ContainsKey(key))
                {
                    return true;
                }

                // An empty non-terminal: a name with owners below it exists (RFC 8020).
                return _ancestors.Contains(key);
            }
        }

        /// <summary>The SOA of the closest enclosing name that has one, for negative answers (RFC 2308 §3).</summary>
        internal ZoneRecord? FindSoa(string key)
        {
            lock (_sync)
            {
                string current = key;
                while (true)
                {
                    if (_records.TryGetValue(current, out List<ZoneRecord>? list))
                    {
                        foreach (ZoneRecord record in list)
                        {
                            if (record.Type == ZoneRecordType.SOA)
                            {
                                return record;
                            }
                        }
                    }

                    int dot = current.IndexOf('.');
                    if (dot < 0)
                    {
                        return null;
                    }

                    current = current.Substring(dot + 1);
                }
            }
        }

        private DnsZone AddStrings(string name, ZoneRecordType type, IReadOnlyList<byte[]> strings, int ttl)
        {
            if (strings is null)
            {
                throw new ArgumentNullException(nameof(strings));
            }

            // RDATA of TXT is one or more <character-string>s of at most 255 octets each (RFC 1035
            // §3.3.14). Zero strings is illegal but kept, so clients can be tested against it.
            var rdata = new List<byte>();
            var texts = new List<string>();
            foreach (byte[] value in strings)
            {
                if (value is null)
                {
                    throw new ArgumentException("A TXT string is null.", nameof(strings));
                }

                foreach (byte[] chunk in SplitCharacterString(value))
                {
                    rdata.Add((byte)chunk.Length);
                    rdata.AddRange(chunk);
                }

                texts.Add(Encoding.UTF8.GetString(value));
            }

            return AddRecord(new ZoneRecord(Normalize(name), type, ttl, string.Join(string.Empty, texts), rdata.ToArray(), null));
        }

        private static IEnumerable<byte[]> SplitCharacterString(byte[] value)
        {
            if (value.Length <= 255)
            {
                yield return value;
                yield break;
            }

            int start = 0;
            while (start < value.Length)
            {
                int length = Math.Min(255, value.Length - start);
                // Do not cut a UTF-8 sequence: back up while the first byte after the cut is a
                // continuation byte (10xxxxxx).
                if (start + length < value.Length)
                {
                    int cut = length;
                    while (cut > 0 && (value[start + cut] & 0xC0) == 0x80)
                    {
                        cut--;
                    }

                    if (cut > 0)
                    {
                        length = cut;
                    }
                }

                var chunk = new byte[length];
                Array.Copy(value, start, chunk, 0, length);
                yield return chunk;
                start += length;
            }
        }

        private static byte[][] ToBytes(string[] strings)
        {
            if (strings is null)
            {
                throw new ArgumentNullException(nameof(strings));
            }

            var result = new byte[strings.Length][];
            for (int i = 0; i < strings.Length; i++)
            {
                result[i] = Encoding.UTF8.GetBytes(strings[i] ?? throw new ArgumentException("A TXT string is null.", nameof(strings)));
            }

            return result;
        }

        /// <summary>Removes the name's records of one type (a zone edit between two runs).</summary>
        public DnsZone Remove(string name, ZoneRecordType type)
        {
            lock (_sync)
            {
                if (_records.TryGetValue(Normalize(name), out List<ZoneRecord>? list))
                {
                    list.RemoveAll(r => r.Type == type);
                }
            }

            return this;
        }

        private DnsZone AddRecord(ZoneRecord record)
        {
            lock (_sync)
            {
                if (!_records.TryGetValue(record.Name, out List<ZoneRecord>? list))
                {
                    list = new List<ZoneRecord>();
                    _records.Add(record.Name, list);
                    for (int dot = record.Name.IndexOf('.'); dot >= 0; dot = record.Name.IndexOf('.', dot + 1))
                    {
                        _ancestors.Add(record.Name.Substring(dot + 1));
                    }
                }

                list.Add(record);
            }

            return this;
        }

        private readonly struct FaultEntry
        {
            public FaultEntry(string name, DnsFault fault, ZoneRecordType? type)
            {
                Name = name;
                Fault = fault;
                Type = type;
            }

            public string Name { get; }

            public DnsFault Fault { get; }

            public ZoneRecordType? Type { get; }
        }
    }

    internal sealed class ZoneRecord
    {
        public ZoneRecord(string name, ZoneRecordType type, int ttl, string data, byte[]? rdata, string? target)
        {
            Name = name;
            Type = type;
            Ttl = ttl;
            Data = data;
            Rdata = rdata;
            Target = target;
        }

        public string Name { get; }

        public ZoneRecordType Type { get; }

        public int Ttl { get; }

        /// <summary>The text given to Add (for SOA/MX parsing at answer time).</summary>
        public string Data { get; }

        /// <summary>Pre-encoded RDATA for types without names inside (A, AAAA, TXT, SPF).</summary>
        public byte[]? Rdata { get; }

        /// <summary>CNAME/PTR/NS target or MX exchange.</summary>
        public string? Target { get; }
    }
}
