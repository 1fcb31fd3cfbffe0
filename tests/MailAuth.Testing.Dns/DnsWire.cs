using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace MailAuth.Testing.Dns
{
    /// <summary>A parsed query: header fields, the one question and the EDNS payload size.</summary>
    internal sealed class DnsQueryMessage
    {
        private const int OptType = 41;

        private DnsQueryMessage(int id, int flags, List<byte[]> labels, int type, int @class, int? udpPayloadSize)
        {
            Id = id;
            Flags = flags;
            Labels = labels;
            Type = type;
            Class = @class;
            UdpPayloadSize = udpPayloadSize;
            var texts = new string[labels.Count];
            for (int i = 0; i < labels.Count; i++)
            {
                texts[i] = Encoding.UTF8.GetString(labels[i]);
            }

            Name = string.Join(".", texts);
        }

        public int Id { get; }

        public int Flags { get; }

        public int OpCode => (Flags >> 11) & 0xF;

        public bool RecursionDesired => (Flags & 0x0100) != 0;

        /// <summary>The question name's labels as sent (echoed byte for byte in the answer).</summary>
        public List<byte[]> Labels { get; }

        public string Name { get; }

        public int Type { get; }

        public int Class { get; }

        /// <summary>The requestor's UDP payload size from an OPT record (RFC 6891 §6.2.3), if any.</summary>
        public int? UdpPayloadSize { get; }

        /// <summary>Parses a query; null when it is not a query with exactly one readable question.</summary>
        public static DnsQueryMessage? TryParse(byte[] message)
        {
            try
            {
                if (message.Length < 12)
                {
                    return null;
                }

                int id = ReadUInt16(message, 0);
                int flags = ReadUInt16(message, 2);
                if ((flags & 0x8000) != 0)
                {
                    return null; // a response, not a query
                }

                int qdCount = ReadUInt16(message, 4);
                int anCount = ReadUInt16(message, 6);
                int nsCount = ReadUInt16(message, 8);
                int arCount = ReadUInt16(message, 10);
                if (qdCount != 1)
                {
                    return null;
                }

                int offset = 12;
                List<byte[]> labels = ReadName(message, ref offset);
                int type = ReadUInt16(message, offset);
                int @class = ReadUInt16(message, offset + 2);
                offset += 4;

                int? payload = null;
                for (int i = 0; i < anCount + nsCount + arCount; i++)
                {
                    ReadName(message, ref offset);
                    int rrType = ReadUInt16(message, offset);
                    int rrClass = ReadUInt16(message, offset + 2);
                    int rdLength = ReadUInt16(message, offset + 8);
                    offset += 10 + rdLength;
                    if (offset > message.Length)
                    {
                        throw new IndexOutOfRangeException();
                    }

                    if (rrType == OptType && i >= anCount + nsCount)
                    {
                        // Values below 512 are treated as 512 (RFC 6891 §6.2.5).
                        payload = Math.Max(512, rrClass);
                    }
                }

                return new DnsQueryMessage(id, flags, labels, type, @class, payload);
            }
            catch (IndexOutOfRangeException)
            {
                return null;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        /// <summary>
        /// Reads a possibly compressed name (RFC 1035 §4.1.4). Pointers must point backwards, which
        /// also rules out loops.
        /// </summary>
        private static List<byte[]> ReadName(byte[] message, ref int offset)
        {
            var labels = new List<byte[]>();
            int position = offset;
            bool jumped = false;
            int total = 0;
            while (true)
            {
                byte length = message[position];
                if ((length & 0xC0) == 0xC0)
                {
                    int pointer = ((length & 0x3F) << 8) | message[position + 1];
                    if (pointer >= position)
                    {
                        throw new FormatException("Forward or self compression pointer.");
                    }

                    if (!jumped)
                    {
                        offset = position + 2;
                        jumped = true;
                    }

                    position = pointer;
                    continue;
                }

                if ((length & 0xC0) != 0)
                {
                    throw new FormatException("Unknown label type.");
                }

                if (length == 0)
                {
                    if (!jumped)
                    {
                        offset = position + 1;
                    }

                    return labels;
                }

                if (position + 1 + length > message.Length)
                {
                    throw new IndexOutOfRangeException();
                }

                var label = new byte[length];
                Buffer.BlockCopy(message, position + 1, label, 0, length);
                labels.Add(label);
                total += length + 1;
                if (total > 255)
                {
                    throw new FormatException("Name longer than 255 octets.");
                }

                position += 1 + length;
            }
        }

        internal static int ReadUInt16(byte[] message, int offset)
        {
            if (offset + 2 > message.Length)
            {
                throw new IndexOutOfRangeException();
            }

            return (message[offset] << 8) | message[offset + 1];
        }
    }

    /// <summary>Builds answers in RFC 1035 wire format, without name compression.</summary>
    internal static class DnsAnswerBuilder
    {
        private const int RcodeNoError = 0;
        private const int RcodeFormErr = 1;
        private const int RcodeServFail = 2;
        private const int RcodeNxDomain = 3;
        private const int RcodeNotImp = 4;
        private const int RcodeRefused = 5;

        /// <summary>RFC 1035 §4.2.1: UDP messages are limited to 512 octets without EDNS.</summary>
        private const int ClassicUdpLimit = 512;

        private const int MaxCnameChain = 16;

        private static readonly Random s_random = new Random();

        public static byte[] FormatError(byte[] query)
        {
            var writer = new Writer();
            writer.UInt16(DnsQueryMessage.ReadUInt16(query, 0));
            writer.UInt16(0x8000 | (query[2] & 0x78) << 8 | RcodeFormErr);
            writer.UInt16(0);
            writer.UInt16(0);
            writer.UInt16(0);
            writer.UInt16(0);
            return writer.ToArray();
        }

        public static byte[] Build(DnsZone zone, DnsQueryMessage query, string key, DnsFault? fault, DnsTransport transport)
        {
            if (fault == DnsFault.Garbage)
            {
                return Garbage(query.Id);
            }

            if (query.OpCode != 0)
            {
                return Message(query, RcodeNotImp, null, null, truncated: false);
            }

            switch (fault)
            {
                case DnsFault.ServFail:
                    return Message(query, RcodeServFail, null, null, truncated: false);
                case DnsFault.Refused:
                    return Message(query, RcodeRefused, null, null, truncated: false);
                case DnsFault.NxDomain:
                    return Message(query, RcodeNxDomain, null, NegativeAuthority(zone, key), truncated: false);
                case DnsFault.Truncate when transport == DnsTransport.Udp:
                    return Message(query, RcodeNoError, null, null, truncated: true);
            }

            byte[] full;
            try
            {
                full = Resolve(zone, query, key);
            }
            catch (ArgumentException)
            {
                // A target name in the zone cannot be written on the wire (empty or long label).
                return Message(query, RcodeServFail, null, null, truncated: false);
            }

            if (transport == DnsTransport.Udp)
            {
                int limit = query.UdpPayloadSize ?? ClassicUdpLimit;
                if (full.Length > limit)
                {
                    // RFC 1035 §4.2.1 / RFC 2181 §9: set TC so the client repeats the query over TCP.
                    return Message(query, RcodeNoError, null, null, truncated: true);
                }
            }

            return full;
        }

        private static byte[] Resolve(DnsZone zone, DnsQueryMessage query, string key)
        {
            var answers = new List<ResourceRecord>();
            string current = key;
            string ownerText = query.Name;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int step = 0; step <= MaxCnameChain; step++)
            {
                List<ZoneRecord>? records = zone.GetRecords(current);
                if (records is null)
                {
                    if (!zone.NameExists(current))
                    {
                        // RFC 6604 §2: the RCODE describes the last name of a CNAME chain.
                        return Message(query, RcodeNxDomain, answers, NegativeAuthority(zone, current), truncated: false);
                    }

                    break;
                }

                // The first owner is the question name as sent; later ones are CNAME targets.
                byte[] owner = step == 0 ? EncodeLabels(query.Labels) : EncodeName(ownerText);
                ZoneRecord? cname = null;
                bool any = false;
                foreach (ZoneRecord record in records)
                {
                    if ((int)record.Type == query.Type)
                    {
                        answers.Add(new ResourceRecord(owner, record.Type, record.Ttl, Rdata(record)));
                        any = true;
                    }
                    else if (record.Type == ZoneRecordType.CNAME)
                    {
                        cname = record;
                    }
                }

                // RFC 1034 §3.6.2 / §4.3.2: a CNAME is followed unless CNAME itself was asked for.
                if (any || cname is null || !seen.Add(current))
                {
                    break;
                }

                answers.Add(new ResourceRecord(owner, ZoneRecordType.CNAME, cname.Ttl, Rdata(cname)));
                ownerText = cname.Target!;
                current = DnsZone.Normalize(cname.Target!);
            }

            bool noData = true;
            foreach (ResourceRecord answer in answers)
            {
                if ((int)answer.Type == query.Type)
                {
                    noData = false;
                }
            }

            // NODATA (RFC 2308 §2.2) carries the SOA so the client can cache the negative answer.
            return Message(query, RcodeNoError, answers, noData ? NegativeAuthority(zone, key) : null, truncated: false);
        }

        private static List<ResourceRecord> NegativeAuthority(DnsZone zone, string key)
        {
            ZoneRecord? soa = zone.FindSoa(key);
            if (soa != null)
            {
                return new List<ResourceRecord> { new ResourceRecord(EncodeName(soa.Name), ZoneRecordType.SOA, soa.Ttl, Rdata(soa)) };
            }

            // No SOA in the zone: synthesize one at the last two labels, with a 300 s negative TTL.
            string[] labels = key.Split('.');
            string apex = labels.Length >= 2 ? labels[labels.Length - 2] + "." + labels[labels.Length - 1] : key;
            var synthesized = new ZoneRecord(apex, ZoneRecordType.SOA, 300, "ns.invalid hostmaster.invalid 1 3600 600 86400 300", null, null);
            try
            {
                return new List<ResourceRecord> { new ResourceRecord(EncodeName(apex), ZoneRecordType.SOA, 300, Rdata(synthesized)) };
            }
            catch (ArgumentException)
            {
                return new List<ResourceRecord>();
            }
        }

        private static byte[] Rdata(ZoneRecord record)
        {
            if (record.Rdata != null)
            {
                return record.Rdata;
            }

            var writer = new Writer();
            switch (record.Type)
            {
                case ZoneRecordType.MX:
                    string[] mx = record.Data.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                    writer.UInt16(int.Parse(mx[0], CultureInfo.InvariantCulture));
                    writer.Bytes(EncodeName(record.Target!));
                    break;
                case ZoneRecordType.CNAME:
                case ZoneRecordType.PTR:
                case ZoneRecordType.NS:
                    writer.Bytes(EncodeName(record.Target!));
                    break;
                case ZoneRecordType.SOA:
                    string[] soa = record.Data.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                    writer.Bytes(EncodeName(soa[0]));
                    writer.Bytes(EncodeName(soa[1]));
                    for (int i = 2; i < 7; i++)
                    {
                        writer.UInt32(uint.Parse(soa[i], CultureInfo.InvariantCulture));
                    }

                    break;
            }

            return writer.ToArray();
        }

        private static byte[] Message(DnsQueryMessage query, int rcode, List<ResourceRecord>? answers, List<ResourceRecord>? authority, bool truncated)
        {
            var writer = new Writer();
            writer.UInt16(query.Id);
            // QR=1, opcode echoed, AA=1 (we are the authority for everything we hold), TC as asked,
            // RD echoed (RFC 1035 §4.1.1), RA=0.
            int flags = 0x8000 | (query.OpCode << 11) | 0x0400 | (truncated ? 0x0200 : 0) | (query.RecursionDesired ? 0x0100 : 0) | rcode;
            writer.UInt16(flags);
            writer.UInt16(1);
            writer.UInt16(answers?.Count ?? 0);
            writer.UInt16(authority?.Count ?? 0);
            writer.UInt16(0);
            writer.Bytes(EncodeLabels(query.Labels));
            writer.UInt16(query.Type);
            writer.UInt16(query.Class);
            WriteRecords(writer, answers);
            WriteRecords(writer, authority);
            return writer.ToArray();
        }

        private static void WriteRecords(Writer writer, List<ResourceRecord>? records)
        {
            if (records is null)
            {
                return;
            }

            foreach (ResourceRecord record in records)
            {
                writer.Bytes(record.Owner);
                writer.UInt16((int)record.Type);
                writer.UInt16(1); // IN
                writer.UInt32((uint)Math.Max(0, record.Ttl));
                writer.UInt16(record.Rdata.Length);
                writer.Bytes(record.Rdata);
            }
        }

        /// <summary>
        /// Bytes no parser can read: the query id, a response header that promises a question and
        /// an answer, then a 63-octet label of which only a few random bytes follow.
        /// </summary>
        private static byte[] Garbage(int id)
        {
            var bytes = new byte[12 + 1 + 7];
            lock (s_random)
            {
                s_random.NextBytes(bytes);
            }

            bytes[0] = (byte)(id >> 8);
            bytes[1] = (byte)id;
            bytes[2] = 0x84;
            bytes[3] = 0x00;
            bytes[4] = 0;
            bytes[5] = 1;
            bytes[6] = 0;
            bytes[7] = 1;
            bytes[8] = 0;
            bytes[9] = 0;
            bytes[10] = 0;
            bytes[11] = 0;
            bytes[12] = 63;
            return bytes;
        }

        private static byte[] EncodeLabels(List<byte[]> labels)
        {
            var writer = new Writer();
            foreach (byte[] label in labels)
            {
                writer.Byte(label.Length);
                writer.Bytes(label);
            }

            writer.Byte(0);
            return writer.ToArray();
        }

        /// <summary>Encodes a dotted name; throws ArgumentException for an empty or over-long label.</summary>
        internal static byte[] EncodeName(string name)
        {
            string value = name.Trim();
            if (value.EndsWith(".", StringComparison.Ordinal))
            {
                value = value.Substring(0, value.Length - 1);
            }

            var writer = new Writer();
            if (value.Length > 0)
            {
                foreach (string label in value.Split('.'))
                {
                    byte[] bytes = Encoding.UTF8.GetBytes(label);
                    if (bytes.Length == 0 || bytes.Length > 63)
                    {
                        throw new ArgumentException($"'{name}' cannot be written as a DNS name: label '{label}' has {bytes.Length} octets (1 to 63 allowed).");
                    }

                    writer.Byte(bytes.Length);
                    writer.Bytes(bytes);
                }
            }

            writer.Byte(0);
            return writer.ToArray();
        }

        private readonly struct ResourceRecord
        {
            public ResourceRecord(byte[] owner, ZoneRecordType type, int ttl, byte[] rdata)
            {
                Owner = owner;
                Type = type;
                Ttl = ttl;
                Rdata = rdata;
            }

            public byte[] Owner { get; }

            public ZoneRecordType Type { get; }

            public int Ttl { get; }

            public byte[] Rdata { get; }
        }

        private sealed class Writer
        {
            private readonly List<byte> _bytes = new List<byte>(512);

            public void Byte(int value) => _bytes.Add((byte)value);

            public void UInt16(int value)
            {
                _bytes.Add((byte)(value >> 8));
                _bytes.Add((byte)value);
            }

            public void UInt32(uint value)
            {
                _bytes.Add((byte)(value >> 24));
                _bytes.Add((byte)(value >> 16));
                _bytes.Add((byte)(value >> 8));
                _bytes.Add((byte)value);
            }

            public void Bytes(byte[] value) => _bytes.AddRange(value);

            public byte[] ToArray() => _bytes.ToArray();
        }
    }
}
