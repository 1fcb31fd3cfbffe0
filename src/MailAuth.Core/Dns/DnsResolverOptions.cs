using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;

namespace MailAuth.Dns
{
    /// <summary>How a <see cref="DnsResolver"/> talks to name servers.</summary>
    public sealed class DnsResolverOptions
    {
        public const int DefaultPort = 53;

        /// <summary>Name servers to ask, in order. Empty: the system's resolvers.</summary>
        public IReadOnlyList<IPEndPoint> Servers { get; set; } = Array.Empty<IPEndPoint>();

        /// <summary>Time to wait for one answer from one server.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);

        /// <summary>
        /// How many more rounds over the servers a query gets after a failure (SERVFAIL, REFUSED, a
        /// malformed answer) or a timeout. With one server a timeout ends it: the UDP query was
        /// already sent again, up to three times, within its timeout.
        /// </summary>
        public int Retries { get; set; } = 1;

        /// <summary>Keep answers for their TTL and share them between evaluations.</summary>
        public bool UseCache { get; set; } = true;

        /// <summary>
        /// Most answers kept at once; past it the least recently used go, so memory stays flat however
        /// many domains a session audits. Default 20,000 (a few tens of MB).
        /// </summary>
        public int CacheCapacity { get; set; } = 20000;

        /// <summary>
        /// Most queries a second sent to the servers, retransmissions included (null: no limit), so a
        /// bulk audit does not overload a shared company resolver.
        /// </summary>
        public double? MaxQueriesPerSecond { get; set; }

        /// <summary>
        /// How long a server that stopped answering (several timeouts or network errors in a row, no
        /// answer between) is asked only after the others: one dead server then does not cost a
        /// timeout per query. After it, one query at a time probes it again.
        /// </summary>
        public TimeSpan ServerCooldown { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Repeat a truncated UDP answer over TCP (RFC 7766).</summary>
        public bool UseTcpFallback { get; set; } = true;

        /// <summary>
        /// Parses "address", "address:port" or "[ipv6]:port" (a bare IPv6 address takes port 53).
        /// </summary>
        /// <exception cref="FormatException">The text is not an address with an optional port.</exception>
        public static IPEndPoint ParseServer(string text)
        {
            if (text is null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            string value = text.Trim();
            string host = value;
            int port = DefaultPort;

            if (value.StartsWith("[", StringComparison.Ordinal))
            {
                int close = value.IndexOf(']');
                if (close < 0)
                {
                    throw new FormatException($"'{text}' is not a name server: a '[' opens an IPv6 address but no ']' closes it. Use [2001:db8::1]:53.");
                }

                host = value.Substring(1, close - 1);
                string rest = value.Substring(close + 1);
                if (rest.Length > 0)
                {
                    if (!rest.StartsWith(":", StringComparison.Ordinal) || !TryParsePort(rest.Substring(1), out port))
                    {
                        throw new FormatException($"'{text}' is not a name server: expected ']:port' after the IPv6 address, with a port from 1 to 65535.");
                    }
                }
            }
            else if (value.IndexOf(':') >= 0 && value.IndexOf(':') == value.LastIndexOf(':'))
            {
                // Exactly one colon: IPv4 (or a name) with a port. Several colons: a bare IPv6 address.
                int colon = value.IndexOf(':');
                host = value.Substring(0, colon);
                if (!TryParsePort(value.Substring(colon + 1), out port))
                {
                    throw new FormatException($"'{text}' is not a name server: the port must be a number from 1 to 65535.");
                }
            }

            if (!IPAddress.TryParse(host, out IPAddress? address))
            {
                throw new FormatException($"'{text}' is not a name server: '{host}' is not an IPv4 or IPv6 address. Give an address such as 192.0.2.53, 192.0.2.53:5353 or [2001:db8::53]:53.");
            }

            return new IPEndPoint(address, port);
        }

        private static bool TryParsePort(string text, out int port)
        {
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port > 0 && port <= 65535;
        }
    }
}
