using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Text;

namespace MailAuth.Dns
{
    /// <summary>
    /// RFC 1035 §4 messages on the wire: the one kind of query the resolver sends (a single
    /// question, RD set, an EDNS(0) OPT record) and the parts of an answer it reads. No
    /// allocations beyond the query bytes and the records kept.
    /// </summary>
    internal static class DnsMessage
    {
        public const int HeaderSize = 12;

        /// <summary>RFC 1035 §4.1.1 flag bits.</summary>
        private const int FlagResponse = 0x8000;
        private const int FlagTruncated = 0x0200;
        private const int FlagRecursionDesired = 0x0100;

        private const int TypeOpt = 41;
        private const int ClassIn = 1;

        /// <summary>RFC 1035 §2.3.4: 255 octets for a whole name on the wire.</summary>
        private const int MaxWireNameLength = 255;

        /// <summary>
        /// The query with id 0 (the transport writes the id into the first two octets): one question,
        /// recursion desired, and an OPT record advertising <paramref name="udpPayloadSize"/> (RFC 6891 §6.1.2).
        /// </summary>
        /// <param name="name">An ASCII name without the trailing dot, labels of 1-63 octets (<see cref="DnsResolver.NormalizeName"/>).</param>
        public static byte[] BuildQuery(string name, DnsRecordType type, int udpPayloadSize)
        {
            int nameLength = WireNameLength(name);
            var query = new byte[HeaderSize + nameLength + 4 + 11];
            query[2] = FlagRecursionDesired >> 8;
            query[5] = 1; // QDCOUNT
            query[11] = 1; // ARCOUNT: the OPT record
            int offset = HeaderSize;
            int labelStart = 0;
            for (int i = 0; i <= name.Length; i++)
            {
                if (i == name.Length || name[i] == '.')
                {
                    int length = i - labelStart;
                    query[offset++] = (byte)length;
                    for (int j = labelStart; j < i; j++)
                    {
                        query[offset++] = (byte)name[j];
                    }

                    labelStart = i + 1;
                }
            }

            query[offset++] = 0;
            WriteUInt16(query, offset, (int)type);
            WriteUInt16(query, offset + 2, ClassIn);
            offset += 4;

            // OPT: root owner, TYPE 41, CLASS = UDP payload size, TTL = extended RCODE/version/flags 0, no options.
            query[offset++] = 0;
            WriteUInt16(query, offset, TypeOpt);
            WriteUInt16(query, offset + 2, udpPayloadSize);
            return query;
        }

        /// <summary>Octets of the question section (name, type and class) of a query built by <see cref="BuildQuery"/>.</summary>
        public static int QuestionLength(byte[] query) => query.Length - HeaderSize - 11;

        private static int WireNameLength(string name)
        {
            // Each label costs its length plus one length octet; a name of n characters with dots between
            // the labels is n + 2 octets with the root label (RFC 1035 §3.1).
            int length = name.Length + 2;
            if (length > MaxWireNameLength)
            {
                throw new ArgumentException($"'{name}' cannot be queried: it is longer than 255 octets on the wire.", nameof(name));
            }

            return length;
        }

        public static int ReadId(byte[] message) => (message[0] << 8) | message[1];

        public static void WriteId(byte[] message, int id)
        {
            message[0] = (byte)(id >> 8);
            message[1] = (byte)id;
        }

        /// <summary>
        /// True when <paramref name="response"/> answers <paramref name="query"/>: a response (QR set) with
        /// the same id and the same single question, the name compared without case (RFC 1035 §7.3, RFC 5452 §4.3).
        /// </summary>
        public static bool AnswersQuery(byte[] response, int length, byte[] query)
        {
            if (length < HeaderSize || response[0] != query[0] || response[1] != query[1] || (response[2] & 0x80) == 0)
            {
                return false;
            }

            int questionLength = QuestionLength(query);
            if (response[4] != 0 || response[5] != 1 || length < HeaderSize + questionLength)
            {
                return false;
            }

            for (int i = HeaderSize; i < HeaderSize + questionLength; i++)
            {
                byte a = response[i];
                byte b = query[i];
                if (a != b && ToLower(a) != ToLower(b))
                {
                    return false;
                }
            }

            return true;
        }

        private static byte ToLower(byte value) => value >= (byte)'A' && value <= (byte)'Z' ? (byte)(value | 0x20) : value;

        /// <summary>
        /// Reads a response. Throws <see cref="FormatException"/> when the message cannot be read (truncated
        /// sections, bad compression pointers, record data of the wrong size).
        /// </summary>
        public static DnsWireResponse Parse(byte[] message, int length) => Parse(message, length, null);

        /// <summary>
        /// Parses an answer to a question for <paramref name="queryName"/> (as sent): a name that is a
        /// compression pointer to the question and reads exactly as <paramref name="queryName"/> (the usual
        /// owner of every answer record) is that string, not a new one.
        /// </summary>
        public static DnsWireResponse Parse(byte[] message, int length, string? queryName)
        {
            if (length < HeaderSize)
            {
                throw new FormatException($"the message is {length.ToString(CultureInfo.InvariantCulture)} octets, shorter than a DNS header.");
            }

            var reader = new Reader(message, length);
            int flags = ReadUInt16(message, 2);
            int questions = ReadUInt16(message, 4);
            int answers = ReadUInt16(message, 6);
            int authorities = ReadUInt16(message, 8);
            int additionals = ReadUInt16(message, 10);
            var result = new DnsWireResponse
            {
                Id = ReadUInt16(message, 0),
                IsResponse = (flags & FlagResponse) != 0,
                Truncated = (flags & FlagTruncated) != 0,
                ResponseCode = flags & 0xF,
            };

            reader.Offset = HeaderSize;
            if (questions == 1 && queryName != null && reader.NameEquals(HeaderSize, queryName))
            {
                reader.QuestionName = queryName;
            }

            for (int i = 0; i < questions; i++)
            {
                reader.SkipName();
                reader.Need(4);
                reader.Offset += 4;
            }

            for (int i = 0; i < answers; i++)
            {
                DnsRecord? record = reader.ReadRecord(out _, out _);
                if (record != null)
                {
                    result.Answers.Add(record);
                }
            }

            for (int i = 0; i < authorities; i++)
            {
                DnsRecord? record = reader.ReadRecord(out _, out _);
                if (record != null && record.TypeCode == DnsRecordType.SOA && result.Soa is null)
                {
                    result.Soa = record;
                    result.SoaMinimum = reader.LastSoaMinimum;
                }
            }

            for (int i = 0; i < additionals; i++)
            {
                reader.ReadRecord(out int type, out long ttl);
                if (type == TypeOpt)
                {
                    // RFC 6891 §6.1.3: the OPT TTL carries the upper 8 bits of a 12-bit RCODE.
                    result.ResponseCode |= (int)((ttl >> 24) & 0xFF) << 4;
                }
            }

            return result;
        }

        internal static int ReadUInt16(byte[] data, int offset) => (data[offset] << 8) | data[offset + 1];

        private static void WriteUInt16(byte[] data, int offset, int value)
        {
            data[offset] = (byte)(value >> 8);
            data[offset + 1] = (byte)value;
        }

        private struct Reader
        {
            private readonly byte[] _data;
            private readonly int _length;
            private readonly StringBuilder _name;

            // One builder per thread, not per message: parsing is synchronous and never nests.
            [ThreadStatic]
            private static StringBuilder? t_name;

            [ThreadStatic]
            private static char[]? t_text;

            public Reader(byte[] data, int length)
            {
                _data = data;
                _length = length;
                _name = t_name ??= new StringBuilder(64);
                Offset = 0;
                LastSoaMinimum = 0;
            }

            public int Offset;

            public long LastSoaMinimum;

            /// <summary>The question's name when it reads exactly as the query name the caller gave.</summary>
            public string? QuestionName;

            /// <summary>
            /// True when the name at <paramref name="start"/> is written in labels (no pointer) that read exactly
            /// as <paramref name="name"/>: octet for character, '.' between labels, no escapes needed.
            /// </summary>
            public bool NameEquals(int start, string name)
            {
                int offset = start;
                int at = 0;
                while (offset < _length)
                {
                    int length = _data[offset];
                    if (length == 0)
                    {
                        return at == name.Length || (name.Length == 1 && name[0] == '.' && at == 0);
                    }

                    if ((length & 0xC0) != 0 || offset + 1 + length > _length)
                    {
                        return false;
                    }

                    if (at > 0)
                    {
                        if (at >= name.Length || name[at] != '.')
                        {
                            return false;
                        }

                        at++;
                    }

                    if (at + length > name.Length)
                    {
                        return false;
                    }

                    for (int i = 0; i < length; i++)
                    {
                        byte b = _data[offset + 1 + i];
                        if (b == (byte)'.' || b == (byte)'\\' || name[at + i] != (char)b)
                        {
                            return false; // an escaped or different octet: read the long way
                        }
                    }

                    at += length;
                    offset += 1 + length;
                }

                return false;
            }

            public void Need(int count)
            {
                if (Offset + count > _length)
                {
                    throw new FormatException($"the message ends at octet {_length.ToString(CultureInfo.InvariantCulture)}, inside a record.");
                }
            }

            public void SkipName() => ReadName(Offset, out Offset, build: false);

            public string ReadName() => ReadName(Offset, out Offset, build: true);

            /// <summary>
            /// A name at <paramref name="start"/> in presentation form without the trailing dot ("." for the
            /// root), following compression pointers (RFC 1035 §4.1.4) only backwards, so no loop is possible.
            /// </summary>
            private string ReadName(int start, out int next, bool build)
            {
                if (build && QuestionName != null && start + 1 < _length && _data[start] == 0xC0 && _data[start + 1] == HeaderSize)
                {
                    // A pointer to the question (RFC 1035 §4.1.4), which reads as the query name: that string.
                    next = start + 2;
                    return QuestionName;
                }

                if (build)
                {
                    _name.Clear();
                }

                int offset = start;
                next = -1;
                int wireLength = 1;
                int limit = start; // pointers must go strictly before the name they are part of
                while (true)
                {
                    if (offset >= _length)
                    {
                        throw new FormatException("a name runs past the end of the message.");
                    }

                    int length = _data[offset];
                    if ((length & 0xC0) == 0xC0)
                    {
                        if (offset + 1 >= _length)
                        {
                            throw new FormatException("a compression pointer runs past the end of the message.");
                        }

                        int target = ((length & 0x3F) << 8) | _data[offset + 1];
                        if (next < 0)
                        {
                            next = offset + 2;
                        }

                        if (target >= limit)
                        {
                            throw new FormatException("a compression pointer does not point backwards.");
                        }

                        limit = target;
                        offset = target;
                        continue;
                    }

                    if ((length & 0xC0) != 0)
                    {
                        throw new FormatException("a name uses an unknown label type (RFC 6891 §5).");
                    }

                    if (length == 0)
                    {
                        if (next < 0)
                        {
                            next = offset + 1;
                        }

                        break;
                    }

                    wireLength += length + 1;
                    if (wireLength > MaxWireNameLength || offset + 1 + length > _length)
                    {
                        throw new FormatException("a name is longer than 255 octets or runs past the end of the message.");
                    }

                    if (build)
                    {
                        if (_name.Length > 0)
                        {
                            _name.Append('.');
                        }

                        AppendLabel(_name, _data, offset + 1, length);
                    }

                    offset += 1 + length;
                }

                return build ? (_name.Length == 0 ? "." : _name.ToString()) : string.Empty;
            }

            /// <summary>
            /// A label as the resolver writes names it queries: one character per octet, so an answer's owner
            /// compares equal to the query name whatever octets it holds (RFC 2181 §11: any octet may be in a
            /// label). Only a '.' inside a label is escaped, as "\." (RFC 1035 §5.1), since it is not a separator.
            /// </summary>
            private static void AppendLabel(StringBuilder builder, byte[] data, int offset, int length)
            {
                for (int i = offset; i < offset + length; i++)
                {
                    byte b = data[i];
                    if (b == (byte)'.')
                    {
                        builder.Append('\\');
                    }

                    builder.Append((char)b);
                }
            }

            /// <summary>One resource record; the typed record for the types the resolver knows, else null.</summary>
            public DnsRecord? ReadRecord(out int type, out long rawTtl)
            {
                string owner = ReadName();
                Need(10);
                type = ReadUInt16(_data, Offset);
                rawTtl = ((long)_data[Offset + 4] << 24) | ((long)_data[Offset + 5] << 16) | ((long)_data[Offset + 6] << 8) | _data[Offset + 7];
                int rdLength = ReadUInt16(_data, Offset + 8);
                Offset += 10;
                Need(rdLength);
                int rdata = Offset;
                int end = rdata + rdLength;

                // RFC 2181 §8: a TTL with the top bit set is read as zero.
                int ttl = rawTtl > int.MaxValue ? 0 : (int)rawTtl;
                DnsRecord? record = null;
                switch (type)
                {
                    case (int)DnsRecordType.A:
                    case (int)DnsRecordType.AAAA:
                        {
                            int size = type == (int)DnsRecordType.A ? 4 : 16;
                            if (rdLength != size)
                            {
                                throw new FormatException($"an address record of {owner} has {rdLength.ToString(CultureInfo.InvariantCulture)} octets of data instead of {size.ToString(CultureInfo.InvariantCulture)}.");
                            }

                            var bytes = new byte[size];
                            Buffer.BlockCopy(_data, rdata, bytes, 0, size);
                            var address = new IPAddress(bytes);
                            record = new DnsRecord(owner, (DnsRecordType)type, ttl, address.ToString(), address: address);
                            break;
                        }

                    case (int)DnsRecordType.MX:
                        {
                            Need(2);
                            int preference = ReadUInt16(_data, Offset);
                            Offset += 2;
                            string exchange = ReadName();
                            record = new DnsRecord(owner, DnsRecordType.MX, ttl, preference.ToString(CultureInfo.InvariantCulture) + " " + exchange, target: exchange, preference: preference);
                            break;
                        }

                    case (int)DnsRecordType.CNAME:
                    case (int)DnsRecordType.PTR:
                    case (int)DnsRecordType.NS:
                        {
                            string target = ReadName();
                            record = new DnsRecord(owner, (DnsRecordType)type, ttl, target, target: target);
                            break;
                        }

                    case (int)DnsRecordType.SOA:
                        {
                            string mname = ReadName();
                            string rname = ReadName();
                            Need(20);
                            var numbers = new long[5];
                            for (int i = 0; i < 5; i++)
                            {
                                int at = Offset + i * 4;
                                numbers[i] = ((long)_data[at] << 24) | ((long)_data[at + 1] << 16) | ((long)_data[at + 2] << 8) | _data[at + 3];
                            }

                            Offset += 20;
                            LastSoaMinimum = numbers[4];
                            string data = mname + " " + rname + " " + numbers[0].ToString(CultureInfo.InvariantCulture) + " "
                                + numbers[1].ToString(CultureInfo.InvariantCulture) + " " + numbers[2].ToString(CultureInfo.InvariantCulture) + " "
                                + numbers[3].ToString(CultureInfo.InvariantCulture) + " " + numbers[4].ToString(CultureInfo.InvariantCulture);
                            record = new DnsRecord(owner, DnsRecordType.SOA, ttl, data, target: mname);
                            break;
                        }

                    case (int)DnsRecordType.TXT:
                    case (int)DnsRecordType.SPF:
                        {
                            // RFC 1035 §3.3.14: one or more <character-string>s, each a length octet and that many
                            // octets, read as UTF-8 (RFC 7208 §3.1 wants ASCII; other octets show as U+FFFD).
                            // The strings of one record are joined with nothing between them (RFC 7208 §3.3).
                            // Each string is decoded alone (a UTF-8 sequence cut by a string boundary stays two
                            // replacement characters, as before) into one buffer, so the joined text is the only string.
                            int count = 0;
                            for (int at = rdata; at < end; at += 1 + _data[at])
                            {
                                if (at + 1 + _data[at] > end)
                                {
                                    throw new FormatException($"a character-string in the TXT record of {owner} runs past the record's data.");
                                }

                                count++;
                            }

                            char[] text = t_text != null && t_text.Length >= end - rdata ? t_text : (t_text = new char[Math.Max(1024, end - rdata)]);
                            var lengths = new int[count];
                            int chars = 0;
                            for (int at = rdata, i = 0; at < end; at += 1 + _data[at], i++)
                            {
                                lengths[i] = Encoding.UTF8.GetChars(_data, at + 1, _data[at], text, chars);
                                chars += lengths[i];
                            }

                            record = new DnsRecord(owner, (DnsRecordType)type, ttl, new string(text, 0, chars), lengths);
                            break;
                        }
                }

                if (record != null && Offset > end)
                {
                    throw new FormatException($"the data of a record of {owner} is longer than its RDLENGTH.");
                }

                Offset = end;
                return record;
            }
        }
    }

    /// <summary>What <see cref="DnsMessage.Parse"/> read from a response.</summary>
    internal sealed class DnsWireResponse
    {
        public int Id;
        public bool IsResponse;
        public bool Truncated;

        /// <summary>RCODE, extended by the OPT record when there is one (RFC 6891 §6.1.3).</summary>
        public int ResponseCode;

        /// <summary>Answer records of the types the resolver knows, in message order.</summary>
        public List<DnsRecord> Answers = new List<DnsRecord>();

        /// <summary>The first SOA of the authority section (RFC 2308 §5 negative caching).</summary>
        public DnsRecord? Soa;

        /// <summary>The MINIMUM field of <see cref="Soa"/>.</summary>
        public long SoaMinimum;
    }
}
