using System.Threading;
using System.Threading.Tasks;

namespace MailAuth.Dns
{
    /// <summary>
    /// The one seam every evaluator queries DNS through. Implementations never throw for DNS
    /// outcomes: timeouts, SERVFAIL and garbage come back as <see cref="DnsLookupStatus.Failed"/>.
    /// They throw only <see cref="System.OperationCanceledException"/> on cancellation and
    /// <see cref="System.ArgumentException"/> for a name that cannot be queried.
    /// </summary>
    public interface IDnsResolver
    {
        Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default);
    }
}
