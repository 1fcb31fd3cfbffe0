using System;

namespace MailAuth.Testing.Dns
{
    /// <summary>How a query reached the loopback server.</summary>
    public enum DnsTransport
    {
        Udp,
        Tcp,
    }

    /// <summary>One query the loopback server received, in arrival order.</summary>
    public sealed class ServedQuery
    {
        internal ServedQuery(string name, ZoneRecordType type, DnsTransport transport, int id, DateTimeOffset receivedAt, int clientPort = 0)
        {
            ClientPort = clientPort;
            Name = name;
            Type = type;
            Transport = transport;
            Id = id;
            ReceivedAt = receivedAt;
        }

        /// <summary>The question name as sent (labels joined with dots, no trailing dot); empty when the message was unparseable.</summary>
        public string Name { get; }

        /// <summary>The question type; may be a number outside the enum (e.g. 255 for ANY).</summary>
        public ZoneRecordType Type { get; }

        public DnsTransport Transport { get; }

        /// <summary>The message id of the query.</summary>
        public int Id { get; }

        public DateTimeOffset ReceivedAt { get; }

        /// <summary>The UDP source port of the query (0 for TCP): shows whether a client reuses its socket.</summary>
        public int ClientPort { get; }

        public override string ToString() => $"{Transport} {Type} {Name} (id {Id})";
    }
}
