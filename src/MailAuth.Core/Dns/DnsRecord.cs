using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace MailAuth.Dns
{
    /// <summary>One resource record of an answer, with the typed fields its type has.</summary>
    public sealed class DnsRecord
    {
        public DnsRecord(string name, DnsRecordType type, int ttl, string data,
            IReadOnlyList<string>? textStrings = null, IPAddress? address = null,
            string? target = null, int preference = 0)
        {
            Name = name;
            TypeCode = type;
            Ttl = ttl;
            Data = data;
            _textStrings = textStrings ?? System.Array.Empty<string>();
            AddressValue = address;
            Target = target;
            Preference = preference;
        }

        /// <summary>
        /// A TXT record as read from the wire: <paramref name="data"/> is its character-strings joined and
        /// <paramref name="textLengths"/> their lengths, so a record of several strings (a 2048-bit DKIM
        /// key) holds its text once; the strings are cut from it when asked for.
        /// </summary>
        internal DnsRecord(string name, DnsRecordType type, int ttl, string data, int[] textLengths)
        {
            Name = name;
            TypeCode = type;
            Ttl = ttl;
            Data = data;
            _textLengths = textLengths;
        }

        private readonly IReadOnlyList<string>? _textStrings;
        private readonly int[]? _textLengths;

        /// <summary>The same record with another TTL (a cached answer counted down).</summary>
        internal DnsRecord WithTtl(int ttl) => _textLengths != null
            ? new DnsRecord(Name, TypeCode, ttl, Data, _textLengths)
            : new DnsRecord(Name, TypeCode, ttl, Data, _textStrings, AddressValue, Target, Preference);

        /// <summary>Owner name, without the trailing dot.</summary>
        public string Name { get; }

        public string Type => TypeCode.ToString();

        internal DnsRecordType TypeCode { get; }

        public int Ttl { get; }

        /// <summary>
        /// Presentation form of the data. For TXT: the character-strings of this one record joined
        /// with no separator (RFC 7208 §3.3), never joined across records.
        /// </summary>
        public string Data { get; }

        /// <summary>
        /// TXT only: the character-strings as sent, each quoted, separated by a space: the zone-file
        /// form (RFC 1035 §5.1), e.g. "v=spf1 ip4:192.0.2.0/24" " -all". Text, not a list, so a
        /// record in a trace stays one level deep for ConvertTo-Json; empty for other types.
        /// </summary>
        public string TextStrings => TextStringList.Count == 0 ? string.Empty : string.Join(" ", TextStringList.Select(Quote));

        /// <summary>A and AAAA only: the address as text.</summary>
        public string? Address => AddressValue?.ToString();

        internal IReadOnlyList<string> TextStringList
        {
            get
            {
                if (_textLengths is null)
                {
                    return _textStrings!;
                }

                if (_textLengths.Length == 1)
                {
                    return new[] { Data };
                }

                var strings = new string[_textLengths.Length];
                int at = 0;
                for (int i = 0; i < strings.Length; i++)
                {
                    strings[i] = Data.Substring(at, _textLengths[i]);
                    at += _textLengths[i];
                }

                return strings;
            }
        }

        internal IPAddress? AddressValue { get; }

        /// <summary>MX exchange, PTR/CNAME/NS target, without the trailing dot.</summary>
        public string? Target { get; }

        /// <summary>MX only.</summary>
        public int Preference { get; }

        public override string ToString() => $"{Name} {Ttl} {Type} {Data}";

        // RFC 1035 §5.1: a character-string in quotes, with '"' and '\' escaped by a backslash.
        private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }
}
