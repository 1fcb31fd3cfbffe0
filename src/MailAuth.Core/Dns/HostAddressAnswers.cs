using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace MailAuth.Dns
{
    /// <summary>
    /// The A and AAAA answers for one host name, asked at once: what a sender does before it
    /// connects (RFC 5321 §5.1 for MX hosts, RFC 8461 §3.3 for the MTA-STS policy host).
    /// </summary>
    internal sealed class HostAddressAnswers
    {
        private HostAddressAnswers(DnsResponse a, DnsResponse aaaa)
        {
            A = a;
            Aaaa = aaaa;
        }

        public DnsResponse A { get; }

        public DnsResponse Aaaa { get; }

        /// <summary>The IPv4 addresses, distinct, in answer order.</summary>
        public IReadOnlyList<IPAddress> IPv4 => Addresses(A);

        /// <summary>The IPv6 addresses, distinct, in answer order.</summary>
        public IReadOnlyList<IPAddress> IPv6 => Addresses(Aaaa);

        /// <summary>The CNAME targets the resolver followed (RFC 1034 §3.6.2), from whichever answer has them.</summary>
        public IReadOnlyList<string> CanonicalNames => A.CanonicalNames.Count > 0 ? A.CanonicalNames : Aaaa.CanonicalNames;

        /// <summary>The answers that failed (timeout, SERVFAIL, ...): the host's addresses are then not all known.</summary>
        public IReadOnlyList<DnsResponse> Failed => new[] { A, Aaaa }.Where(r => r.StatusCode == DnsLookupStatus.Failed).ToArray();

        /// <exception cref="ArgumentException">The name cannot be queried (over 253 octets, an empty label).</exception>
        /// <exception cref="OperationCanceledException">Cancelled.</exception>
        public static async Task<HostAddressAnswers> QueryAsync(IDnsResolver dns, string host, CancellationToken cancellationToken)
        {
            Task<DnsResponse> a = dns.QueryAsync(host, DnsRecordType.A, cancellationToken);
            Task<DnsResponse> aaaa = dns.QueryAsync(host, DnsRecordType.AAAA, cancellationToken);
            return new HostAddressAnswers(await a.ConfigureAwait(false), await aaaa.ConfigureAwait(false));
        }

        private static IReadOnlyList<IPAddress> Addresses(DnsResponse response) =>
            response.Records.Where(r => r.AddressValue != null).Select(r => r.AddressValue!).Distinct().ToArray();
    }
}
