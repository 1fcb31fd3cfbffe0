using System.Collections.Generic;
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
            TextStrings = textStrings ?? System.Array.Empty<string>();
            Address = address;
            Target = target;
            Preference = preference;
        }

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

        /// <summary>TXT only: the character-strings as sent.</summary>
        public IReadOnlyList<string> TextStrings { get; }

        /// <summary>A and AAAA only.</summary>
        public IPAddress? Address { get; }

        /// <summary>MX exchange, PTR/CNAME/NS target, without the trailing dot.</summary>
        public string? Target { get; }

        /// <summary>MX only.</summary>
        public int Preference { get; }

        public override string ToString() => $"{Name} {Ttl} {Type} {Data}";
    }
}
