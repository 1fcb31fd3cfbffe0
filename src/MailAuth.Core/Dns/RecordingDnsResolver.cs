using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace MailAuth.Dns
{
    /// <summary>
    /// Wraps a resolver for one piece of work (one domain, one evaluation): keeps every response in
    /// order as the DNS evidence of the result, and hands each to an optional observer (the cmdlets'
    /// -Verbose). Thread-safe, since evaluators query concurrently.
    /// </summary>
    public sealed class RecordingDnsResolver : IDnsResolver
    {
        private readonly IDnsResolver _inner;
        private readonly Action<DnsResponse>? _observer;
        private readonly List<DnsResponse> _responses = new List<DnsResponse>();

        public RecordingDnsResolver(IDnsResolver inner, Action<DnsResponse>? observer = null)
        {
            _inner = inner ?? throw new ArgumentNullException(nameof(inner));
            _observer = observer;
        }

        /// <summary>A snapshot of the responses so far, in the order they completed.</summary>
        public IReadOnlyList<DnsResponse> Responses
        {
            get
            {
                lock (_responses)
                {
                    return _responses.ToArray();
                }
            }
        }

        public async Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
        {
            DnsResponse response = await _inner.QueryAsync(name, type, cancellationToken).ConfigureAwait(false);
            lock (_responses)
            {
                _responses.Add(response);
            }

            _observer?.Invoke(response);
            return response;
        }
    }
}
