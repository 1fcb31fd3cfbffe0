using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;

namespace MailAuth.Spf
{
    /// <summary>
    /// The DNS queries of one evaluation or one record report: each name and type is asked once
    /// (prefetch and evaluation share the task), at most MaxConcurrentQueries at a time, and every
    /// response is handed to the owner as it arrives.
    /// </summary>
    internal sealed class SpfQueryMemo
    {
        private readonly IDnsResolver _resolver;
        private readonly CancellationToken _ct;
        private readonly Action<DnsResponse> _onResponse;
        private readonly Dictionary<string, Lazy<Task<DnsResponse>>> _memo = new Dictionary<string, Lazy<Task<DnsResponse>>>(StringComparer.Ordinal);
        private readonly SemaphoreSlim _gate;

        public SpfQueryMemo(IDnsResolver resolver, int maxConcurrentQueries, CancellationToken ct, Action<DnsResponse> onResponse)
        {
            _resolver = resolver;
            _ct = ct;
            _onResponse = onResponse;
            _gate = new SemaphoreSlim(maxConcurrentQueries, maxConcurrentQueries);
        }

        public Task<DnsResponse> QueryAsync(string name, DnsRecordType type)
        {
            string key = ((int)type).ToString(CultureInfo.InvariantCulture) + "|" + name.ToLowerInvariant();
            Lazy<Task<DnsResponse>> lazy;
            lock (_memo)
            {
                if (!_memo.TryGetValue(key, out lazy!))
                {
                    lazy = new Lazy<Task<DnsResponse>>(() => SendAsync(name, type));
                    _memo[key] = lazy;
                }
            }

            return lazy.Value;
        }

        private async Task<DnsResponse> SendAsync(string name, DnsRecordType type)
        {
            await _gate.WaitAsync(_ct).ConfigureAwait(false);
            try
            {
                DnsResponse response;
                try
                {
                    response = await _resolver.QueryAsync(name, type, _ct).ConfigureAwait(false);
                }
                catch (ArgumentException ex)
                {
                    // The resolver refuses names no query can be built for: nothing exists under them.
                    response = new DnsResponse(name, type, DnsLookupStatus.NotFound, "InvalidName", Array.Empty<DnsRecord>(), null, 0, false, ex.Message);
                }

                _onResponse(response);
                return response;
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
