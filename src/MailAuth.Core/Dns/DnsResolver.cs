using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace MailAuth.Dns
{
    /// <summary>
    /// The toolkit's stub resolver: UDP over one reused socket per server with queries matched by
    /// id and question, TCP fallback on truncation, EDNS(0), a TTL-respecting cache (positive and
    /// negative, RFC 2308), in-flight de-duplication, and the three lookup states. Thread-safe.
    /// </summary>
    public sealed class DnsResolver : IDnsResolver, IDisposable
    {
        /// <summary>
        /// EDNS(0) UDP payload size we advertise (RFC 6891). 1232 avoids IP fragmentation on common
        /// paths (DNS Flag Day 2020, RFC 9715); larger answers come back truncated and go to TCP.
        /// </summary>
        private const int EdnsBufferSize = 1232;

        /// <summary>RFC 2308 §5: negative answers are cached at most this long (it suggests 1-3 h).</summary>
        private static readonly TimeSpan s_maxNegativeTtl = TimeSpan.FromHours(1);

        /// <summary>RFC 2308 §5: a negative answer without an SOA "SHOULD NOT" be cached; we keep it briefly.</summary>
        private static readonly TimeSpan s_negativeTtlWithoutSoa = TimeSpan.FromSeconds(60);

        /// <summary>Upper bound for positive answers (RFC 2181 §8 allows up to 68 years).</summary>
        private static readonly TimeSpan s_maxPositiveTtl = TimeSpan.FromDays(1);


        private static readonly ConcurrentDictionary<string, DnsResolver> s_shared = new ConcurrentDictionary<string, DnsResolver>(StringComparer.Ordinal);

        private readonly DnsResolverOptions _options;
        private readonly IPEndPoint[] _servers;
        private readonly string[] _serverTexts;
        private readonly DnsUdpClient[] _udp;
        private readonly ConcurrentDictionary<CacheKey, CacheEntry> _cache = new ConcurrentDictionary<CacheKey, CacheEntry>();
        private readonly ConcurrentDictionary<CacheKey, Task<DnsResponse>> _inFlight = new ConcurrentDictionary<CacheKey, Task<DnsResponse>>();

        // Entries in _cache, kept aside: ConcurrentDictionary.Count takes every lock, and the insert path asks.
        private int _cacheCount;
        private readonly bool _isShared;
        private readonly DnsRateLimiter? _rate;
        private readonly ServerHealth[] _health;
        private int _pruning;
        private long _queriesSent;
        private int _disposed;

        /// <summary>Creates a resolver with its own cache.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The timeout is not positive or the retries are negative.</exception>
        public DnsResolver(DnsResolverOptions options)
            : this(options, isShared: false)
        {
        }

        private DnsResolver(DnsResolverOptions options, bool isShared)
        {
            _options = Copy(options ?? throw new ArgumentNullException(nameof(options)));
            if (_options.CacheCapacity < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(options), _options.CacheCapacity, "CacheCapacity must be at least 1.");
            }
            _isShared = isShared;
            if (_options.Timeout <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(options), _options.Timeout, "DnsResolverOptions.Timeout must be positive.");
            }

            if (_options.MaxQueriesPerSecond.HasValue && !(_options.MaxQueriesPerSecond.Value > 0))
            {
                throw new ArgumentOutOfRangeException(nameof(options), _options.MaxQueriesPerSecond, "DnsResolverOptions.MaxQueriesPerSecond must be positive.");
            }

            if (_options.Retries < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(options), _options.Retries, "DnsResolverOptions.Retries must be 0 or more.");
            }

            _servers = _options.Servers.Count > 0
                ? _options.Servers.ToArray()
                : SystemNameServers.Find();
            _serverTexts = _servers.Select(FormatServer).ToArray();

            if (_options.MaxQueriesPerSecond.HasValue)
            {
                _rate = new DnsRateLimiter(_options.MaxQueriesPerSecond.Value);
            }

            // Retries and the TCP fallback are ours, so every wire query is counted.
            _udp = _servers.Select((s, i) => new DnsUdpClient(s, _serverTexts[i], _options.Timeout, _rate)).ToArray();
            _health = _servers.Select(_ => new ServerHealth()).ToArray();
        }

        /// <summary>
        /// One resolver (and cache) per distinct options for the whole process, so that cmdlets
        /// called one after another share answers. Disposing a shared resolver does nothing.
        /// </summary>
        public static DnsResolver GetShared(DnsResolverOptions options)
        {
            if (options is null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            string key = string.Join(",", (options.Servers ?? Array.Empty<IPEndPoint>()).Select(FormatServer))
                + "|" + options.Timeout.Ticks.ToString(CultureInfo.InvariantCulture)
                + "|" + options.Retries.ToString(CultureInfo.InvariantCulture)
                + "|" + (options.UseCache ? "cache" + options.CacheCapacity.ToString(CultureInfo.InvariantCulture) : "nocache")
                + "|" + (options.UseTcpFallback ? "tcp" : "notcp")
                + "|" + (options.MaxQueriesPerSecond?.ToString("R", CultureInfo.InvariantCulture) ?? "anyqps")
                + "|" + options.ServerCooldown.Ticks.ToString(CultureInfo.InvariantCulture);
            return s_shared.GetOrAdd(key, _ => new DnsResolver(options, isShared: true));
        }

        /// <summary>A copy of the options this resolver was made with.</summary>
        public DnsResolverOptions Options => Copy(_options);

        /// <summary>Wire queries sent (each UDP try, each TCP repeat), not cache hits.</summary>
        public long QueriesSent => Interlocked.Read(ref _queriesSent) + _udp.Sum(u => u.State.Retransmissions);

        /// <summary>The <see cref="Backlog"/> at which a bulk run starts no more work and shrinks its concurrency.</summary>
        public const int BacklogLimit = 256;

        /// <summary>
        /// The load signal a bulk run adapts its concurrency to (DomainReportOptions.DnsBacklog): the queries
        /// waiting for a congestion window, raised to 1 while answers take clearly longer than the fastest
        /// seen or the thread pool runs late, and to <see cref="BacklogLimit"/> while they take over three
        /// times as long or it runs 40 ms late (DnsUdpClient.QueueingLevel). Answers then queue somewhere,
        /// at the server or in this process's CPU, and more domains in flight would only queue too (the
        /// delay signal of TCP Vegas, beside the window's loss signal). Lock-free: a bulk runner asks it
        /// under its own lock.
        /// </summary>
        public int Backlog
        {
            get
            {
                int waiting = QueriesWaiting;
                int inflation = 0;
                foreach (DnsUdpClient udp in _udp)
                {
                    inflation = Math.Max(inflation, udp.QueueingLevel);
                }

                return inflation == 2 ? Math.Max(waiting, BacklogLimit) : inflation == 1 ? Math.Max(waiting, 1) : waiting;
            }
        }

        /// <summary>Queries waiting in this process for a server's congestion window.</summary>
        public int QueriesWaiting
        {
            get
            {
                int waiting = 0;
                foreach (DnsUdpClient udp in _udp)
                {
                    waiting += udp.Waiting;
                }

                return waiting;
            }
        }

        /// <summary>Each server's UDP state: queries on the wire and waiting, the congestion window, the RTO, retransmissions.</summary>
        /// <summary>Each server's RTT queueing level (DnsUdpClient.RttQueueingLevel), for tests.</summary>
        internal IReadOnlyList<int> RttQueueingLevels => _udp.Select(u => u.RttQueueingLevel).ToArray();

        internal IReadOnlyList<(int OnWire, int Waiting, double Window, double RtoMilliseconds, long Retransmissions, long WindowDecreases, double SrttMilliseconds, double MinRttMilliseconds)> UdpState =>
            _udp.Select(u => u.State).ToArray();

        /// <summary>Whether each server is in its cooldown now (it stopped answering), by "address:port".</summary>
        public IReadOnlyDictionary<string, bool> ServerDown
        {
            get
            {
                long now = Stopwatch.GetTimestamp();
                var down = new Dictionary<string, bool>(StringComparer.Ordinal);
                for (int i = 0; i < _servers.Length; i++)
                {
                    down[_serverTexts[i]] = _health[i].IsDown(now);
                }

                return down;
            }
        }

        /// <summary>Answers in the cache now (at most <see cref="DnsResolverOptions.CacheCapacity"/>).</summary>
        public int CachedAnswerCount => _cache.Count;

        /// <summary>The name servers queried, as "address:port".</summary>
        public IReadOnlyList<string> ServerAddresses => _serverTexts.ToArray();

        /// <summary>Forgets every cached answer; returns how many there were.</summary>
        public int ClearCache()
        {
            int count = _cache.Count;
            _cache.Clear();
            Volatile.Write(ref _cacheCount, 0);
            return count;
        }

        /// <summary>Forgets the cached answers of every shared resolver; returns how many there were.</summary>
        public static int ClearSharedCaches()
        {
            int count = 0;
            foreach (DnsResolver resolver in s_shared.Values)
            {
                count += resolver.ClearCache();
            }

            return count;
        }

        /// <summary>
        /// Looks up records of one type. Never throws for DNS outcomes: timeouts, SERVFAIL, REFUSED
        /// and malformed answers come back as <see cref="DnsLookupStatus.Failed"/>.
        /// </summary>
        /// <exception cref="ArgumentException">The name is empty, has an empty or over-long label, or is longer than 253 characters.</exception>
        /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
        public async Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
        {
            string queryName = NormalizeName(name);
            if (!Enum.IsDefined(typeof(DnsRecordType), type))
            {
                throw new ArgumentOutOfRangeException(nameof(type), type, "Not a record type the resolver asks for.");
            }

            if (Volatile.Read(ref _disposed) != 0)
            {
                throw new ObjectDisposedException(nameof(DnsResolver));
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (!_options.UseCache)
            {
                return (await SendAsync(queryName, type, cancellationToken).ConfigureAwait(false)).Response;
            }

            var key = new CacheKey(queryName, type);
            DnsResponse? cached = TryGetCached(key);
            if (cached != null)
            {
                return cached;
            }

            // Identical concurrent queries share one wire query. The shared lookup is not tied to
            // any one caller's token (it is bounded by the timeouts); each caller may stop waiting.
            var mine = new TaskCompletionSource<DnsResponse>();
            Task<DnsResponse> shared = _inFlight.GetOrAdd(key, mine.Task);
            if (shared == mine.Task)
            {
                _ = LookupAndCacheAsync(key, queryName, type, mine);
            }

            if (!cancellationToken.CanBeCanceled || shared.IsCompleted)
            {
                return await shared.ConfigureAwait(false);
            }

            var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(() => cancelled.TrySetResult(true)))
            {
                Task first = await Task.WhenAny(shared, cancelled.Task).ConfigureAwait(false);
                if (first != shared)
                {
                    throw new OperationCanceledException(cancellationToken);
                }
            }

            return await shared.ConfigureAwait(false);
        }

        /// <summary>Drops the cache; later queries throw <see cref="ObjectDisposedException"/>. No effect on a shared resolver.</summary>
        public void Dispose()
        {
            if (_isShared)
            {
                return;
            }

            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _cache.Clear();
                Volatile.Write(ref _cacheCount, 0);
                foreach (DnsUdpClient udp in _udp)
                {
                    udp.Dispose();
                }
            }
        }

        /// <summary>
        /// Checks a name and converts it to the form sent on the wire: trailing dot removed,
        /// non-ASCII labels to A-labels (RFC 5890 / IDNA2008 via <see cref="IdnMapping"/>).
        /// Other characters (underscores, '%', ...) pass unchanged: DNS labels are any octets (RFC 2181 §11).
        /// </summary>
        internal static string NormalizeName(string name)
        {
            if (name is null)
            {
                throw new ArgumentNullException(nameof(name));
            }

            // The shared query-name rules (docs/domain-names.md): empty labels and RFC 1035 §2.3.4 lengths.
            string? query = MailAuth.Names.DomainName.ToQueryName(name.Trim(), out string? reason);
            if (query is null)
            {
                throw new ArgumentException($"'{name}' cannot be queried: {reason}.", nameof(name));
            }

            return query;
        }

        private static string FormatServer(IPEndPoint endPoint)
        {
            return endPoint.AddressFamily == AddressFamily.InterNetworkV6
                ? "[" + endPoint.Address + "]:" + endPoint.Port.ToString(CultureInfo.InvariantCulture)
                : endPoint.Address + ":" + endPoint.Port.ToString(CultureInfo.InvariantCulture);
        }

        private static DnsResolverOptions Copy(DnsResolverOptions options)
        {
            return new DnsResolverOptions
            {
                Servers = (options.Servers ?? Array.Empty<IPEndPoint>()).ToArray(),
                Timeout = options.Timeout,
                Retries = options.Retries,
                UseCache = options.UseCache,
                UseTcpFallback = options.UseTcpFallback,
                CacheCapacity = options.CacheCapacity,
                MaxQueriesPerSecond = options.MaxQueriesPerSecond,
                ServerCooldown = options.ServerCooldown,
            };
        }

        private DnsResponse? TryGetCached(CacheKey key)
        {
            if (!_cache.TryGetValue(key, out CacheEntry? entry))
            {
                return null;
            }

            long now = Stopwatch.GetTimestamp();
            if (now >= entry.ExpiresAt)
            {
                RemoveCached(new KeyValuePair<CacheKey, CacheEntry>(key, entry));
                return null;
            }

            entry.Touch(now);
            return entry.ToCachedResponse(now);
        }

        private async Task LookupAndCacheAsync(CacheKey key, string queryName, DnsRecordType type, TaskCompletionSource<DnsResponse> completion)
        {
            try
            {
                DnsResponse? response = TryGetCached(key);
                if (response is null)
                {
                    int? negativeTtl;
                    (response, negativeTtl) = await SendAsync(queryName, type, CancellationToken.None).ConfigureAwait(false);
                    TimeSpan? ttl = CacheTime(response, negativeTtl);
                    if (ttl.HasValue && ttl.Value > TimeSpan.Zero)
                    {
                        if (Volatile.Read(ref _cacheCount) >= _options.CacheCapacity)
                        {
                            Prune();
                        }

                        var entry = new CacheEntry(response, Stopwatch.GetTimestamp() + (long)(ttl.Value.TotalSeconds * Stopwatch.Frequency));
                        if (_cache.TryAdd(key, entry))
                        {
                            Interlocked.Increment(ref _cacheCount);
                        }
                        else
                        {
                            _cache[key] = entry;
                        }
                    }
                }

                // Leave the in-flight table after caching, so the next caller finds the cache.
                RemoveInFlight(key, completion.Task);
                completion.TrySetResult(response);
            }
            catch (Exception ex)
            {
                RemoveInFlight(key, completion.Task);
                completion.TrySetException(ex);
            }
        }

        private void RemoveInFlight(CacheKey key, Task<DnsResponse> task)
        {
            ((ICollection<KeyValuePair<CacheKey, Task<DnsResponse>>>)_inFlight).Remove(new KeyValuePair<CacheKey, Task<DnsResponse>>(key, task));
        }

        private void RemoveCached(KeyValuePair<CacheKey, CacheEntry> pair)
        {
            if (((ICollection<KeyValuePair<CacheKey, CacheEntry>>)_cache).Remove(pair))
            {
                Interlocked.Decrement(ref _cacheCount);
            }
        }

        /// <summary>
        /// Keeps the cache within <see cref="DnsResolverOptions.CacheCapacity"/>, so a bulk audit of
        /// any size runs in flat memory: expired answers go first, then the least recently used, down
        /// to about three quarters of the capacity. Runs once per quarter-capacity of inserts, on one
        /// thread at a time, so its cost per insert stays small. The least recently used are found from
        /// a sample of at most about a thousand entries' last use, not a sorted copy of the cache (which,
        /// at 20,000 entries, was a large-object array per run and brought full collections forward).
        /// </summary>
        private void Prune()
        {
            if (Interlocked.CompareExchange(ref _pruning, 1, 0) != 0)
            {
                return;
            }

            try
            {
                // The count kept aside can drift when a clear or an expiry races an insert: set it right
                // here, where taking every lock once per quarter-capacity of inserts costs little.
                Volatile.Write(ref _cacheCount, _cache.Count);
                long now = Stopwatch.GetTimestamp();
                int stride = Math.Max(1, Volatile.Read(ref _cacheCount) / PruneSample);
                var sample = new List<long>(PruneSample + 16);
                int seen = 0;
                foreach (KeyValuePair<CacheKey, CacheEntry> pair in _cache)
                {
                    if (now >= pair.Value.ExpiresAt)
                    {
                        RemoveCached(pair);
                    }
                    else if (seen++ % stride == 0)
                    {
                        sample.Add(pair.Value.LastUsed);
                    }
                }

                int live = Volatile.Read(ref _cacheCount);
                int keep = _options.CacheCapacity * 3 / 4;
                if (live > keep && sample.Count > 0)
                {
                    // The last use below which the oldest (live - keep) entries lie, read from the sample.
                    sample.Sort();
                    int cut = (int)Math.Min(sample.Count - 1, (long)(live - keep) * sample.Count / live);
                    long oldest = sample[cut];
                    foreach (KeyValuePair<CacheKey, CacheEntry> pair in _cache)
                    {
                        if (pair.Value.LastUsed <= oldest && Volatile.Read(ref _cacheCount) > keep)
                        {
                            RemoveCached(pair);
                        }
                    }
                }
            }
            finally
            {
                Volatile.Write(ref _pruning, 0);
            }
        }

        private const int PruneSample = 1024;

        /// <summary>How long an answer may be kept; null for failures, which are never cached.</summary>
        private static TimeSpan? CacheTime(DnsResponse response, int? negativeTtl)
        {
            switch (response.StatusCode)
            {
                case DnsLookupStatus.Found:
                    // The smallest TTL of the records used (RFC 2181 §5.2: an RRset has one TTL).
                    return Min(TimeSpan.FromSeconds(response.Records.Min(r => Math.Max(0, r.Ttl))), s_maxPositiveTtl);
                case DnsLookupStatus.NotFound:
                    return negativeTtl.HasValue
                        ? Min(TimeSpan.FromSeconds(negativeTtl.Value), s_maxNegativeTtl)
                        : s_negativeTtlWithoutSoa;
                default:
                    return null;
            }
        }

        private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

        private async Task<(DnsResponse Response, int? NegativeTtl)> SendAsync(string queryName, DnsRecordType type, CancellationToken cancellationToken)
        {
            long started = Stopwatch.GetTimestamp();
            if (_servers.Length == 0)
            {
                return (Failed(queryName, type, "NetworkError", null, started, false,
                    "No name servers: none were given and none were found in the system's configuration."), null);
            }

            byte[] query = DnsMessage.BuildQuery(queryName, type, EdnsBufferSize);
            (DnsResponse Response, int? NegativeTtl) last = default;
            for (int attempt = 0; attempt <= _options.Retries; attempt++)
            {
                // A timeout or SERVFAIL from one server is asked of the next before it counts; servers
                // in their cooldown come last, so a dead one costs no timeout while another answers.
                if (attempt > 0 && _servers.Length == 1 && last.Response.ResponseCode == "Timeout")
                {
                    // The query was already sent again within its timeout (DnsUdpClient's retransmissions);
                    // repeating it to the same server would only double the wait for a dead name.
                    break;
                }

                if (_servers.Length == 1)
                {
                    // One server: no order to weigh (and no enumerator to allocate per query).
                    cancellationToken.ThrowIfCancellationRequested();
                    last = await QueryServerAsync(0, query, queryName, type, started, cancellationToken).ConfigureAwait(false);
                    if (last.Response.StatusCode != DnsLookupStatus.Failed)
                    {
                        return last;
                    }

                    continue;
                }

                foreach (int server in ServerOrder())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    (DnsResponse Response, int? NegativeTtl) outcome = await QueryServerAsync(server, query, queryName, type, started, cancellationToken).ConfigureAwait(false);
                    if (outcome.Response.StatusCode != DnsLookupStatus.Failed)
                    {
                        return outcome;
                    }

                    last = outcome;
                }
            }

            return last;
        }

        private async Task<(DnsResponse Response, int? NegativeTtl)> QueryServerAsync(int server, byte[] query, string queryName, DnsRecordType type, long started, CancellationToken cancellationToken)
        {
            string serverText = _serverTexts[server];
            if (_rate != null)
            {
                await _rate.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            Interlocked.Increment(ref _queriesSent);
            DnsExchange exchange = await _udp[server].ExchangeAsync(query, cancellationToken).ConfigureAwait(false);
            _health[server].Record(exchange.Message != null || exchange.FailureCode == "Malformed", Stopwatch.GetTimestamp(), _options.ServerCooldown);
            bool usedTcp = false;
            DnsWireResponse? parsed = null;
            if (exchange.Message != null)
            {
                if (!TryParse(exchange, serverText, queryName, out parsed, out exchange))
                {
                    return (Failed(queryName, type, exchange.FailureCode!, serverText, started, false, exchange.Failure!), null);
                }

                if (parsed!.Truncated)
                {
                    // RFC 1035 §4.2.1 / RFC 7766 §5: a truncated UDP answer is repeated over TCP.
                    if (!_options.UseTcpFallback)
                    {
                        return (Failed(queryName, type, "Truncated", serverText, started, false,
                            $"The UDP answer from {serverText} was truncated and TCP fallback is off."), null);
                    }

                    usedTcp = true;
                    Interlocked.Increment(ref _queriesSent);
                    exchange = await DnsTcpClient.ExchangeAsync(_servers[server], serverText, query, DnsMessage.ReadId(query), _options.Timeout, cancellationToken).ConfigureAwait(false);
                    if (exchange.Message != null && !TryParse(exchange, serverText, queryName, out parsed, out exchange))
                    {
                        return (Failed(queryName, type, exchange.FailureCode!, serverText, started, true, exchange.Failure!), null);
                    }
                }
            }

            if (exchange.Message is null)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException("The DNS query was cancelled.", cancellationToken);
                }

                return (Failed(queryName, type, exchange.FailureCode!, serverText, started, usedTcp, exchange.Failure!), null);
            }

            return Convert(parsed!, queryName, type, serverText, started, usedTcp);
        }

        /// <summary>
        /// Servers in the order to ask (several of them): the configured order, those in their cooldown
        /// last (one probes when it ends). Lazy: a server is weighed only when the one before it failed,
        /// so a probe is claimed only when it is sent.
        /// </summary>
        private IEnumerable<int> ServerOrder()
        {
            long now = Stopwatch.GetTimestamp();
            var later = new List<int>();
            for (int i = 0; i < _servers.Length; i++)
            {
                if (_health[i].MayAsk(now))
                {
                    yield return i;
                }
                else
                {
                    later.Add(i);
                }
            }

            foreach (int i in later)
            {
                yield return i;
            }
        }

        /// <summary>
        /// A server's recent record: after <see cref="FailuresBeforeCooldown"/> timeouts or network
        /// errors in a row with no answer between, it is asked last for the cooldown; then one query
        /// probes it, and an answer restores it.
        /// </summary>
        private sealed class ServerHealth
        {
            private const int FailuresBeforeCooldown = 5;
            private readonly object _sync = new object();
            private int _failuresInRow;
            private long _downUntil;
            private bool _probing;

            public bool IsDown(long now)
            {
                lock (_sync)
                {
                    return _failuresInRow >= FailuresBeforeCooldown && (now < _downUntil || _probing);
                }
            }

            /// <summary>True if queries may go to it first; after the cooldown, true once for the probe.</summary>
            public bool MayAsk(long now)
            {
                lock (_sync)
                {
                    if (_failuresInRow < FailuresBeforeCooldown)
                    {
                        return true;
                    }

                    if (now < _downUntil || _probing)
                    {
                        return false;
                    }

                    _probing = true;
                    return true;
                }
            }

            public void Record(bool answered, long now, TimeSpan cooldown)
            {
                lock (_sync)
                {
                    _probing = false;
                    if (answered)
                    {
                        _failuresInRow = 0;
                        return;
                    }

                    _failuresInRow++;
                    if (_failuresInRow >= FailuresBeforeCooldown)
                    {
                        _downUntil = now + (long)(cooldown.TotalSeconds * Stopwatch.Frequency);
                    }
                }
            }
        }

        private static bool TryParse(DnsExchange exchange, string serverText, string queryName, out DnsWireResponse? parsed, out DnsExchange failure)
        {
            try
            {
                parsed = DnsMessage.Parse(exchange.Message!, exchange.Length, queryName);
                failure = exchange;
                return true;
            }
            catch (FormatException ex)
            {
                parsed = null;
                failure = DnsExchange.Failed("Malformed", $"The answer from {serverText} could not be read: {ex.Message}");
                return false;
            }
        }

        private static double ElapsedMilliseconds(long started) => (Stopwatch.GetTimestamp() - started) * 1000.0 / Stopwatch.Frequency;

        private static DnsResponse Failed(string queryName, DnsRecordType type, string code, string? server, long started, bool usedTcp, string error)
        {
            return new DnsResponse(queryName, type, DnsLookupStatus.Failed, code, Array.Empty<DnsRecord>(), server,
                ElapsedMilliseconds(started), false, error, null, usedTcp);
        }

        private static (DnsResponse Response, int? NegativeTtl) Convert(DnsWireResponse response, string queryName, DnsRecordType type, string serverText, long started, bool usedTcp)
        {
            int rcode = response.ResponseCode;
            string code = ResponseCodeText(rcode);
            double elapsed = ElapsedMilliseconds(started);

            // Follow the CNAME chain in the answer (RFC 1034 §3.6.2) unless CNAME itself was asked for.
            List<string>? chain = null;
            string current = queryName;
            int chainTtl = int.MaxValue;
            if (type != DnsRecordType.CNAME)
            {
                for (int step = 0; step < 16; step++)
                {
                    DnsRecord? cname = null;
                    foreach (DnsRecord answer in response.Answers)
                    {
                        if (answer.TypeCode == DnsRecordType.CNAME && string.Equals(answer.Name, current, StringComparison.OrdinalIgnoreCase))
                        {
                            cname = answer;
                            break;
                        }
                    }

                    if (cname is null)
                    {
                        break;
                    }

                    string target = cname.Target!;
                    if (string.Equals(target, queryName, StringComparison.OrdinalIgnoreCase) || (chain != null && chain.Contains(target, StringComparer.OrdinalIgnoreCase)))
                    {
                        break; // a loop
                    }

                    (chain ??= new List<string>()).Add(target);
                    chainTtl = Math.Min(chainTtl, cname.Ttl);
                    current = target;
                }
            }

            if (rcode != 0 && rcode != 3)
            {
                string error = $"{serverText} answered {code} (RCODE {rcode.ToString(CultureInfo.InvariantCulture)}).";
                return (new DnsResponse(queryName, type, DnsLookupStatus.Failed, code, Array.Empty<DnsRecord>(), serverText, elapsed, false, error, chain, usedTcp), null);
            }

            List<DnsRecord>? records = null;
            if (rcode == 0)
            {
                foreach (DnsRecord answer in response.Answers)
                {
                    if (answer.TypeCode == type && IsOwner(answer.Name, queryName, chain))
                    {
                        (records ??= new List<DnsRecord>(response.Answers.Count)).Add(answer);
                    }
                }
            }

            DnsLookupStatus status = records != null ? DnsLookupStatus.Found : DnsLookupStatus.NotFound;
            int? negativeTtl = null;
            if (status == DnsLookupStatus.NotFound)
            {
                // RFC 2308 §5: a negative answer lives for the smaller of the SOA's TTL and its MINIMUM.
                if (response.Soa != null)
                {
                    negativeTtl = (int)Math.Min((long)Math.Max(0, response.Soa.Ttl), response.SoaMinimum);
                }
            }
            else if (chain != null)
            {
                // The chain's TTLs bound how long the answer holds (RFC 1034 §3.6.2).
                for (int i = 0; i < records!.Count; i++)
                {
                    if (records[i].Ttl > chainTtl)
                    {
                        records[i] = records[i].WithTtl(chainTtl);
                    }
                }
            }

            return (new DnsResponse(queryName, type, status, code, (IReadOnlyList<DnsRecord>?)records ?? Array.Empty<DnsRecord>(), serverText, elapsed, false, null, chain, usedTcp), negativeTtl);
        }

        private static bool IsOwner(string owner, string queryName, List<string>? chain)
        {
            if (string.Equals(owner, queryName, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (chain != null)
            {
                foreach (string name in chain)
                {
                    if (string.Equals(owner, name, StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static string ResponseCodeText(int rcode)
        {
            // RFC 1035 §4.1.1 and RFC 6895 §2.3 mnemonics.
            switch (rcode)
            {
                case 0: return "NoError";
                case 1: return "FormErr";
                case 2: return "ServFail";
                case 3: return "NXDomain";
                case 4: return "NotImp";
                case 5: return "Refused";
                case 6: return "YXDomain";
                case 7: return "YXRRSet";
                case 8: return "NXRRSet";
                case 9: return "NotAuth";
                case 10: return "NotZone";
                default: return "RCode" + rcode.ToString(CultureInfo.InvariantCulture);
            }
        }

        /// <summary>A question: the name as sent (case-insensitive, RFC 4343) and the type.</summary>
        private readonly struct CacheKey : IEquatable<CacheKey>
        {
            public CacheKey(string name, DnsRecordType type)
            {
                Name = name;
                Type = type;
            }

            public string Name { get; }

            public DnsRecordType Type { get; }

            public bool Equals(CacheKey other) => Type == other.Type && string.Equals(Name, other.Name, StringComparison.OrdinalIgnoreCase);

            public override bool Equals(object? obj) => obj is CacheKey other && Equals(other);

            public override int GetHashCode() => (StringComparer.OrdinalIgnoreCase.GetHashCode(Name) * 31) + (int)Type;
        }

        private sealed class CacheEntry
        {
            private long _lastUsed;

            public CacheEntry(DnsResponse response, long expiresAt)
            {
                Response = response;
                StoredAt = Stopwatch.GetTimestamp();
                ExpiresAt = expiresAt;
                _lastUsed = StoredAt;
            }

            /// <summary>When the answer was last stored or served (for least-recently-used eviction).</summary>
            public long LastUsed => Volatile.Read(ref _lastUsed);

            public void Touch(long now) => Volatile.Write(ref _lastUsed, now);

            public DnsResponse Response { get; }

            public long StoredAt { get; }

            public long ExpiresAt { get; }

            /// <summary>
            /// The stored answer with TTLs counted down to what remains (RFC 1035 §3.2.1). Answers are
            /// immutable and the TTLs move in whole seconds, so a copy serves every ask within the same
            /// second: a bulk audit asks the same provider names (includes, MX targets) for many domains.
            /// </summary>
            public DnsResponse ToCachedResponse(long now)
            {
                int age = (int)((now - StoredAt) / Stopwatch.Frequency);
                int remaining = (int)Math.Ceiling((double)(ExpiresAt - now) / Stopwatch.Frequency);
                CountedDown? last = Volatile.Read(ref _lastCopy);
                if (last != null && last.Age == age && last.Remaining == remaining)
                {
                    return last.Response;
                }

                long started = Stopwatch.GetTimestamp();
                var records = new DnsRecord[Response.Records.Count];
                for (int i = 0; i < records.Length; i++)
                {
                    DnsRecord r = Response.Records[i];
                    records[i] = r.WithTtl(Math.Max(0, Math.Min(r.Ttl - age, remaining)));
                }

                var copy = new DnsResponse(Response.QueryName, Response.QueryTypeCode, Response.StatusCode, Response.ResponseCode,
                    records, Response.Server, (Stopwatch.GetTimestamp() - started) * 1000.0 / Stopwatch.Frequency, true, Response.Error,
                    Response.CanonicalNames, Response.UsedTcp, Response.AskedAt);
                Volatile.Write(ref _lastCopy, new CountedDown(age, remaining, copy));
                return copy;
            }

            private CountedDown? _lastCopy;

            private sealed class CountedDown
            {
                public CountedDown(int age, int remaining, DnsResponse response)
                {
                    Age = age;
                    Remaining = remaining;
                    Response = response;
                }

                public int Age { get; }

                public int Remaining { get; }

                public DnsResponse Response { get; }
            }
        }
    }
}
