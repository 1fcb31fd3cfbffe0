using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace MailAuth.Dns
{
    /// <summary>The outcome of one exchange with one server: the response octets, or why there are none.</summary>
    internal readonly struct DnsExchange
    {
        private DnsExchange(byte[]? message, int length, string? failureCode, string? failure)
        {
            Message = message;
            Length = length;
            FailureCode = failureCode;
            Failure = failure;
        }

        public byte[]? Message { get; }

        public int Length { get; }

        /// <summary>"Timeout", "NetworkError" or "Malformed" when <see cref="Message"/> is null.</summary>
        public string? FailureCode { get; }

        public string? Failure { get; }

        public static DnsExchange Answer(byte[] message, int length) => new DnsExchange(message, length, null, null);

        public static DnsExchange Failed(string code, string reason) => new DnsExchange(null, 0, code, reason);
    }

    /// <summary>
    /// UDP to one name server over a reused, connected socket: queries carry random ids and are
    /// matched to responses by id and question (RFC 5452 §4.3, §9.1), one receive loop serves every
    /// query in flight, and one timer per client (not one per query) ends those that time out.
    /// </summary>
    /// <remarks>
    /// A new socket per query costs a socket(), bind(), connect() and close() each time, which is most of
    /// the CPU of a query on loopback (bench/README.md). Reusing one socket keeps the source port fixed,
    /// so the socket is replaced after <see cref="QueriesPerSocket"/> queries: an off-path forger must
    /// still match a 16-bit random id, the question, and a port that keeps changing (RFC 5452 §9.2).
    /// A connected UDP socket accepts datagrams from the server's address and port only.
    ///
    /// Bulk runs send thousands of queries at once, and a burst larger than the server's receive
    /// buffer is dropped by its kernel. So queries on the wire are bounded by a congestion window,
    /// adapted as TCP does (RFC 5681): it grows by one per answer up to its threshold (slow start),
    /// then by one per window; an answer that needed a retransmission halves it, at most once per
    /// round trip. Queries beyond the window wait
    /// here, unsent, and their timeout starts when they are sent. A query unanswered after the
    /// retransmission timeout (RTO, estimated per RFC 6298 §2) is sent again with the same id, with
    /// the RTO doubled each time (§5.5), up to <see cref="MaxRetransmissions"/> times within its
    /// timeout; it leaves the window then, so names a server never answers do not hold it.
    /// </remarks>
    internal sealed class DnsUdpClient : IDisposable
    {
        /// <summary>Queries sent over one socket before the next query opens a new one.</summary>
        internal const int QueriesPerSocket = 512;

        /// <summary>Largest datagram read: any UDP payload (we advertise 1232, a server may still send more).</summary>
        private const int ReceiveBufferSize = 65535;

        /// <summary>Kernel receive buffer asked for each socket (SO_RCVBUF): room for a few thousand answers.</summary>
        private const int SocketReceiveBufferBytes = 4 * 1024 * 1024;

        private static readonly RandomNumberGenerator s_random = RandomNumberGenerator.Create();

        private readonly IPEndPoint _server;
        private readonly string _serverText;
        private readonly TimeSpan _timeout;
        private readonly object _sync = new object();
        private readonly Timer _timer;
        private readonly long _tickTicks;

        /// <summary>How long past its deadline a query may wait while answers sit unread on its socket (Stopwatch ticks).</summary>
        private readonly long _unreadGraceTicks;
        /// <summary>
        /// Extra sends of an unanswered query within one timeout: sent at 0, RTO, 3 RTO and 7 RTO,
        /// so four losses in a row, not one, make a timeout. With one server they stand in for the
        /// resolver's retry after a timeout, so a name the server never answers costs one timeout.
        /// </summary>
        internal const int MaxRetransmissions = 3;

        /// <summary>Window bounds: never fewer queries on the wire than this, nor more than the maximum.</summary>
        internal const int MinWindow = 8;
        internal const int MaxWindow = 4096;
        internal const int InitialWindow = 64;

        /// <summary>Slow start ends here (or at the first loss): doubling further overshoots a server's receive buffer.</summary>
        internal const int InitialThreshold = 512;

        /// <summary>Scalable TCP's constants (Kelly 2003): +0.01 per answer (1 % per round trip), -12.5 % on loss.</summary>
        private const double IncreasePerAnswer = 0.01;
        private const double DecreaseFactor = 0.875;

        private static readonly long s_minRto = Stopwatch.Frequency / 10; // 100 ms
        private static readonly long s_initialRto = Stopwatch.Frequency; // 1 s before any sample (RFC 6298 §2.1)

        private readonly byte[] _ids = new byte[512];
        private readonly Queue<Pending> _waiting = new Queue<Pending>();

        /// <summary>_waiting.Count, readable without the lock (a bulk runner asks it under its own lock).</summary>
        private int _waitingCount;
        private readonly long _maxRto;
        private double _window = InitialWindow;
        private double _threshold = InitialThreshold;
        private int _onWire;
        private int _periodAnswers;
        private int _periodLosses;
        private long _srtt;
        private long _minRtt;
        private static readonly long s_queueingAllowance = Stopwatch.Frequency / 200; // 5 ms
        private long _rttvar;
        private long _rto = s_initialRto;
        private long _noDecreaseUntil;
        private long _retransmissions;
        private long _windowDecreases;
        private int _idOffset = 512;
        private Channel? _current;
        private bool _timerArmed;

        // The timer's lateness, smoothed as RFC 6298 smooths the RTT: its callback waits in the thread
        // pool's queue behind the continuations of every answer, so lateness is this process's CPU backlog.
        private long _lastTick;
        private long _tickLag;
        private int _pendingTotal;
        private bool _disposed;

        private readonly DnsRateLimiter? _rate;

        public DnsUdpClient(IPEndPoint server, string serverText, TimeSpan timeout, DnsRateLimiter? rate = null)
        {
            _rate = rate;
            _server = server;
            _serverText = serverText;
            _timeout = timeout;

            // Timeouts and retransmissions are checked on a tick of an eighth of the timeout (5 ms to
            // 25 ms), so either happens at most one tick late; the timer runs only while queries wait.
            long tick = Math.Max(TimeSpan.FromMilliseconds(5).Ticks, Math.Min(TimeSpan.FromMilliseconds(25).Ticks, timeout.Ticks / 8));
            _tickTicks = tick;
            _maxRto = Math.Max(s_minRto, (long)(timeout.TotalSeconds * Stopwatch.Frequency / 2));
            _rto = Math.Min(_rto, _maxRto);
            _unreadGraceTicks = (long)(4 * timeout.TotalSeconds * Stopwatch.Frequency);
            _timer = new Timer(_ => OnTick(), null, Timeout.Infinite, Timeout.Infinite);
        }

        /// <summary>Sends <paramref name="query"/> (its id is set here) and waits for the matching response.</summary>
        public Task<DnsExchange> ExchangeAsync(byte[] query, CancellationToken cancellationToken)
        {
            var pending = new Pending(query);
            bool send;
            lock (_sync)
            {
                if (_disposed)
                {
                    throw new ObjectDisposedException(nameof(DnsResolver));
                }

                send = _waiting.Count == 0 && _onWire < (int)_window;
                if (send)
                {
                    if (!Assign(pending))
                    {
                        return Task.FromResult(DnsExchange.Failed("NetworkError", _lastOpenError ?? $"Network error talking to {_serverText}."));
                    }
                }
                else
                {
                    _waiting.Enqueue(pending);
                    Volatile.Write(ref _waitingCount, _waiting.Count);
                    _pendingTotal++;
                    ArmTimer();
                }
            }

            if (cancellationToken.CanBeCanceled)
            {
                pending.Registration = cancellationToken.Register(s => ((DnsUdpClient)((object[])s!)[0]).Cancel((Pending)((object[])s!)[1]), new object[] { this, pending });
            }

            if (send && !pending.Task.IsCompleted)
            {
                Transmit(pending);
            }

            return pending.Task;
        }

        /// <summary>Queries waiting for the window now.</summary>
        internal int Waiting => Volatile.Read(ref _waitingCount);

        /// <summary>
        /// Whether answers queue: 0 while the smoothed RTT is within the window's own growth allowance
        /// (2 × min RTT + 5 ms) and the timeout tick runs within 10 ms of its time; 1 beyond either; 2 once the
        /// RTT passes 3 × min RTT + 10 ms or the tick runs 40 ms late. A late RTT means answers queue at the
        /// server or before this process reads them; a late tick means the thread pool has more ready work
        /// than CPU, so answers already read wait to be handled. Lock-free, for a bulk run's load signal.
        /// </summary>
        internal int QueueingLevel => Math.Max(RttQueueingLevel, TickQueueingLevel);

        /// <summary>The RTT's part of <see cref="QueueingLevel"/>.</summary>
        internal int RttQueueingLevel
        {
            get
            {
                long srtt = Interlocked.Read(ref _srtt);
                long minRtt = Interlocked.Read(ref _minRtt);
                return minRtt == 0 || srtt <= 2 * minRtt + s_queueingAllowance ? 0 : srtt > 3 * minRtt + 2 * s_queueingAllowance ? 2 : 1;
            }
        }

        /// <summary>The tick's part of <see cref="QueueingLevel"/>.</summary>
        internal int TickQueueingLevel
        {
            get
            {
                long lag = Interlocked.Read(ref _tickLag);
                return lag <= s_tickLagAllowance ? 0 : lag > 4 * s_tickLagAllowance ? 2 : 1;
            }
        }

        private static readonly long s_tickLagAllowance = Stopwatch.Frequency / 100; // 10 ms

        private void MeasureTickLag(long now)
        {
            long last = Interlocked.Exchange(ref _lastTick, now);
            if (last != 0)
            {
                long lag = Math.Max(0, now - last - _tickTicks * Stopwatch.Frequency / TimeSpan.TicksPerSecond);
                long smoothed = Interlocked.Read(ref _tickLag);
                Interlocked.Exchange(ref _tickLag, (7 * smoothed + lag) / 8);
            }
        }

        /// <summary>Queries on the wire now, the window, the RTO and the counters (for tests and the bench).</summary>
        internal (int OnWire, int Waiting, double Window, double RtoMilliseconds, long Retransmissions, long WindowDecreases, double SrttMilliseconds, double MinRttMilliseconds) State
        {
            get
            {
                lock (_sync)
                {
                    return (_onWire, _waiting.Count, _window, _rto * 1000.0 / Stopwatch.Frequency, _retransmissions, _windowDecreases,
                        _srtt * 1000.0 / Stopwatch.Frequency, _minRtt * 1000.0 / Stopwatch.Frequency);
                }
            }
        }

        /// <summary>Gives a query its channel, id and deadline, and puts it on the wire's count. Under <see cref="_sync"/>.</summary>
        private bool Assign(Pending pending)
        {
            Channel? channel = CurrentChannel();
            if (channel is null)
            {
                return false;
            }

            int id;
            do
            {
                id = NextId();
            }
            while (channel.Pending.ContainsKey(id));

            DnsMessage.WriteId(pending.Query, id);
            long now = Stopwatch.GetTimestamp();
            pending.Id = id;
            pending.Channel = channel;
            pending.SentAt = now;
            pending.LastSentAt = now;
            pending.NextSendAt = now + _rto;
            pending.Deadline = now + (long)(_timeout.TotalSeconds * Stopwatch.Frequency);
            pending.OnWire = true;
            channel.Pending.Add(id, pending);
            channel.Sent++;
            _pendingTotal++;
            _onWire++;
            ArmTimer();
            return true;
        }

        private void ArmTimer()
        {
            if (!_timerArmed)
            {
                _timerArmed = true;
                _lastTick = 0;
                _timer.Change(TimeSpan.FromTicks(_tickTicks), TimeSpan.FromTicks(_tickTicks));
            }
        }

        /// <summary>Sends (or sends again) a query that has its channel. Not under the lock.</summary>
        private void Transmit(Pending pending)
        {
            try
            {
                // A UDP send does not wait for the network: done synchronously it is one system call.
                pending.Channel!.Socket.Send(pending.Query, 0, pending.Query.Length, SocketFlags.None);
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
            {
                Complete(pending, DnsExchange.Failed("NetworkError", $"Network error talking to {_serverText}: {ex.Message}"));
            }
        }

        /// <summary>Moves waiting queries onto the wire while the window has room. Under <see cref="_sync"/>; send the list after.</summary>
        private List<Pending>? TakeSendable(List<Pending>? list)
        {
            while (_waiting.Count > 0 && _onWire < (int)_window)
            {
                Pending next = _waiting.Dequeue();
                Volatile.Write(ref _waitingCount, _waiting.Count);
                _pendingTotal--;
                if (next.Task.IsCompleted)
                {
                    continue; // cancelled while it waited
                }

                if (!Assign(next))
                {
                    _waiting.Enqueue(next); // no socket now: the next tick tries again
                    Volatile.Write(ref _waitingCount, _waiting.Count);
                    _pendingTotal++;
                    break;
                }

                (list ??= new List<Pending>()).Add(next);
            }

            return list;
        }

        private void TransmitAll(List<Pending>? list)
        {
            if (list != null)
            {
                foreach (Pending pending in list)
                {
                    Transmit(pending);
                }
            }
        }

        /// <summary>An answer came: an RTT sample, and the window grows, or shrinks if it took a retransmission. Under <see cref="_sync"/>.</summary>
        private void OnAnswered(Pending pending, bool onWire, long now)
        {
            if (pending.Sends == 1)
            {
                // Karn's rule: only answers to a query sent once measure the round trip (RFC 6298 §3).
                long rtt = now - pending.SentAt;
                _minRtt = _minRtt == 0 ? rtt : Math.Min(_minRtt, rtt);
                if (_srtt == 0)
                {
                    _srtt = rtt;
                    _rttvar = rtt / 2;
                }
                else
                {
                    _rttvar = (3 * _rttvar + Math.Abs(_srtt - rtt)) / 4;
                    _srtt = (7 * _srtt + rtt) / 8;
                }

                // RFC 6298 §2.3, and at least twice the smoothed round trip: answers that all take about
                // the same time have little variance, and an RTO just above them would send again on
                // every small delay in this process.
                long granularity = _tickTicks * Stopwatch.Frequency / TimeSpan.TicksPerSecond;
                _rto = Math.Min(_maxRto, Math.Max(Math.Max(s_minRto, 2 * _srtt), _srtt + Math.Max(granularity, 4 * _rttvar)));
                // Grow only a window that limits (RFC 7661): a window never filled proves nothing. And
                // not while answers take much longer than the fastest one did: queries are queueing
                // (at the server, or in this process behind its own work), and more would be lost
                // from a full receive buffer before any loss could be seen (the idea of TCP Vegas).
                if (onWire && (_waiting.Count > 0 || _onWire + 1 >= (int)_window) && _srtt <= 2 * _minRtt + s_queueingAllowance)
                {
                    // Slow start below the threshold; above it, Scalable TCP's increase, which regains a
                    // decrease in a fixed number of round trips however large the window (Reno's one
                    // per round trip takes minutes from a few hundred).
                    _window = _window < _threshold ? _window + 1 : _window + Math.Max(1 / _window, IncreasePerAnswer);
                    _window = Math.Min(_window, MaxWindow);
                }
            }
            else if (now - pending.LastSentAt >= _srtt / 2)
            {
                // It took a retransmission: a query or its answer was lost. An answer sooner after the
                // last send than half a round trip answers an earlier send, which was only late: the
                // retransmission was spurious and is no loss (the Eifel idea, RFC 3522).
                _periodLosses++;
            }

            // Losses are judged per window of answers: a loaded server drops a few datagrams of every
            // burst, and halving on each would hold the window near 1.22/sqrt(loss) (RFC 3448 §3.1's
            // TCP model), far below what the server sustains. So the window halves only when more
            // than 2 % of a window's answers needed a retransmission (BBR v2's loss threshold), and then
            // by an eighth (Scalable TCP), not a half.
            if (++_periodAnswers >= Math.Max(32, (int)_window))
            {
                if (_periodLosses * 50 > _periodAnswers)
                {
                    Decrease(now);
                }

                _periodAnswers = 0;
                _periodLosses = 0;
            }
        }

        /// <summary>Halves the window, once per round trip (RFC 5681 §3.1). Under <see cref="_sync"/>.</summary>
        private void Decrease(long now)
        {
            if (now < _noDecreaseUntil)
            {
                return;
            }

            _threshold = Math.Max(MinWindow, _window * DecreaseFactor);
            _window = _threshold;
            _windowDecreases++;
            _noDecreaseUntil = now + Math.Max(2 * _srtt, _rto);
        }

        public void Dispose()
        {
            List<Pending> orphans = new List<Pending>();
            lock (_sync)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                foreach (Channel channel in _channels)
                {
                    orphans.AddRange(channel.Pending.Values);
                    channel.Pending.Clear();
                    channel.Close();
                }

                _channels.Clear();
                orphans.AddRange(_waiting);
                _waiting.Clear();
                Volatile.Write(ref _waitingCount, 0);
                _current = null;
                _timer.Dispose();
            }

            foreach (Pending pending in orphans)
            {
                pending.Registration.Dispose();
                pending.TrySetResult(DnsExchange.Failed("NetworkError", "The resolver was disposed."));
            }
        }

        // ---- channels (one socket each) ---------------------------------------------------------

        private readonly List<Channel> _channels = new List<Channel>();
        private string? _lastOpenError;

        /// <summary>The socket new queries go to; a fresh one after <see cref="QueriesPerSocket"/>. Under <see cref="_sync"/>.</summary>
        private Channel? CurrentChannel()
        {
            if (_current != null && _current.Sent < QueriesPerSocket && !_current.Broken)
            {
                return _current;
            }

            Channel? retired = _current;
            _current = null;
            try
            {
                _current = new Channel(this, _server);
                _channels.Add(_current);
                _current.Start();
            }
            catch (SocketException ex)
            {
                _lastOpenError = $"Network error talking to {_serverText}: {ex.Message}";
                if (_current != null)
                {
                    _channels.Remove(_current);
                    _current.Close();
                    _current = null;
                }
            }

            if (retired != null && retired.Pending.Count == 0)
            {
                CloseChannel(retired);
            }

            return _current;
        }

        private void CloseChannel(Channel channel)
        {
            _channels.Remove(channel);
            channel.Close();
        }

        private int NextId()
        {
            if (_idOffset >= _ids.Length)
            {
                s_random.GetBytes(_ids);
                _idOffset = 0;
            }

            int id = (_ids[_idOffset] << 8) | _ids[_idOffset + 1];
            _idOffset += 2;
            return id;
        }

        // ---- completion --------------------------------------------------------------------------

        /// <summary>A datagram arrived on <paramref name="channel"/>; <paramref name="buffer"/> is its own copy.</summary>
        private void OnDatagram(Channel channel, byte[] buffer, int length)
        {
            if (length < 2)
            {
                return;
            }

            int id = DnsMessage.ReadId(buffer);
            Pending? pending;
            bool runHere;
            List<Pending>? sendable;
            bool malformed = false;
            lock (_sync)
            {
                if (!channel.Pending.TryGetValue(id, out pending))
                {
                    return; // late (timed out) or stray: ignored
                }

                if (!DnsMessage.AnswersQuery(buffer, length, pending.Query))
                {
                    // The id is in use but the question does not match. A message too short or garbled to
                    // hold a question is the server's failure; a different, well-formed question is a
                    // stray or forged answer, and the query keeps waiting (RFC 5452 §9.1).
                    if (HasReadableQuestion(buffer, length))
                    {
                        return;
                    }

                    Remove(pending);
                    malformed = true;
                }
                else
                {
                    bool onWire = pending.OnWire;
                    Remove(pending);
                    OnAnswered(pending, onWire, Stopwatch.GetTimestamp());
                }

                sendable = TakeSendable(null);
                runHere = channel.Pending.Count == 0;
            }

            // Every completion happens outside the lock: a continuation that runs synchronously may
            // reach other locks (a bulk runner's asks QueriesWaiting under its own).
            TransmitAll(sendable);
            if (malformed)
            {
                pending.Registration.Dispose();
                pending.TrySetResult(DnsExchange.Failed("Malformed", $"The answer from {_serverText} could not be read: it does not repeat the question."));
                return;
            }

            // With other queries in flight, the continuation still runs here unless an answer is already
            // waiting behind this one: handing each answer to the pool costs a pool thread's wake and spin
            // per answer (bench/README.md), while an answer that waits would be held up behind it.
            runHere = runHere || channel.NothingWaiting();

            pending.Registration.Dispose();
            if (runHere)
            {
                // No other query waits on this socket, so running the caller's continuation on the receive
                // thread holds up no answer, and saves waking a pool thread.
                pending.TrySetResult(DnsExchange.Answer(buffer, length));
            }
            else
            {
                // Another answer is waiting behind this one: the continuation runs on the pool.
                ThreadPool.UnsafeQueueUserWorkItem(s =>
                {
                    var (p, m, n) = ((Pending, byte[], int))s!;
                    p.TrySetResult(DnsExchange.Answer(m, n));
                }, (pending, buffer, length));
            }
        }

        private static bool HasReadableQuestion(byte[] buffer, int length)
        {
            if (length < DnsMessage.HeaderSize || DnsMessage.ReadUInt16(buffer, 4) != 1)
            {
                return false;
            }

            int offset = DnsMessage.HeaderSize;
            while (offset < length)
            {
                int label = buffer[offset];
                if (label == 0)
                {
                    return offset + 5 <= length;
                }

                if (label > 63)
                {
                    return false;
                }

                offset += label + 1;
            }

            return false;
        }

        /// <summary>The socket reported an error: ICMP port unreachable and the like end every query on it.</summary>
        private void OnChannelError(Channel channel, SocketError error)
        {
            List<Pending> failed;
            lock (_sync)
            {
                channel.Broken = true;
                failed = new List<Pending>(channel.Pending.Values);
                foreach (Pending pending in failed)
                {
                    Remove(pending);
                }
            }

            string reason = $"Network error talking to {_serverText}: {new SocketException((int)error).Message}";
            foreach (Pending pending in failed)
            {
                pending.Registration.Dispose();
                pending.TrySetResult(DnsExchange.Failed("NetworkError", reason));
            }
        }

        private void Complete(Pending pending, DnsExchange outcome)
        {
            lock (_sync)
            {
                if (!IsPending(pending))
                {
                    return;
                }

                Remove(pending);
            }

            pending.Registration.Dispose();
            pending.TrySetResult(outcome);
        }

        private static bool IsPending(Pending pending) =>
            pending.Channel != null && pending.Channel.Pending.TryGetValue(pending.Id, out Pending? current) && current == pending;

        private void Cancel(Pending pending)
        {
            bool removed;
            List<Pending>? sendable = null;
            lock (_sync)
            {
                // A query still waiting for the window has no channel: it is skipped when its turn comes.
                removed = pending.Channel is null || IsPending(pending);
                if (removed && pending.Channel != null)
                {
                    Remove(pending);
                    sendable = TakeSendable(null);
                }
            }

            TransmitAll(sendable);

            if (removed)
            {
                pending.TrySetCanceled();
            }
        }

        /// <summary>Drops a pending query from its channel; closes a retired channel left empty. Under <see cref="_sync"/>.</summary>
        private void Remove(Pending pending)
        {
            Channel channel = pending.Channel!;
            channel.Pending.Remove(pending.Id);
            _pendingTotal--;
            if (pending.OnWire)
            {
                pending.OnWire = false;
                _onWire--;
            }

            if (channel != _current && channel.Pending.Count == 0)
            {
                CloseChannel(channel);
            }
        }

        private void OnTick()
        {
            long now = Stopwatch.GetTimestamp();
            MeasureTickLag(now);
            List<Pending>? expired = null;
            List<Pending>? resend = null;
            lock (_sync)
            {
                if (_disposed)
                {
                    return;
                }

                foreach (Channel channel in _channels)
                {
                    // Datagrams wait on the socket, unread: this process is behind (its receive thread
                    // busy or not scheduled), not the server. A timeout measures waiting for the wire,
                    // so those queries wait for the reader, up to a few timeouts more (issue 14), and
                    // nothing is sent again.
                    bool unread = channel.Pending.Count > 0 && !channel.NothingWaiting();

                    foreach (Pending pending in channel.Pending.Values)
                    {
                        if (now >= pending.Deadline)
                        {
                            if (!unread || now >= pending.Deadline + _unreadGraceTicks)
                            {
                                (expired ??= new List<Pending>()).Add(pending);
                            }
                        }
                        else if (!unread && now >= pending.NextSendAt && pending.Sends <= MaxRetransmissions && (_rate is null || _rate.TryTake()))
                        {
                            // RFC 6298 §5.5: back off, doubling the RTO for each retransmission. The query
                            // leaves the window: an unanswered name must not hold it.
                            pending.Sends++;
                            pending.LastSentAt = now;
                            pending.NextSendAt = now + Math.Min(_maxRto, _rto << (pending.Sends - 1));
                            _retransmissions++;
                            if (pending.OnWire)
                            {
                                pending.OnWire = false;
                                _onWire--;
                            }

                            (resend ??= new List<Pending>()).Add(pending);
                        }
                    }
                }

                if (expired != null)
                {
                    foreach (Pending pending in expired)
                    {
                        Remove(pending);
                    }
                }

                resend = TakeSendable(resend);
                if (_pendingTotal == 0 && _timerArmed)
                {
                    _timerArmed = false;
                    _timer.Change(Timeout.Infinite, Timeout.Infinite);

                    // Idle: a lateness measured under an earlier load says nothing about the next.
                    Interlocked.Exchange(ref _tickLag, 0);
                }
            }

            TransmitAll(resend);
            if (expired != null)
            {
                string reason = $"No answer from {_serverText} within {_timeout.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms.";
                foreach (Pending pending in expired)
                {
                    pending.Registration.Dispose();
                    pending.TrySetResult(DnsExchange.Failed("Timeout", reason));
                }
            }
        }

        /// <summary>One query waiting for its answer. Continuations run on the thread that completes it.</summary>
        private sealed class Pending : TaskCompletionSource<DnsExchange>
        {
            public Pending(byte[] query)
            {
                Query = query;
            }

            public byte[] Query { get; }

            /// <summary>When the first send went out, when the next is due, and when the query times out (Stopwatch ticks).</summary>
            public long SentAt;

            public long LastSentAt;

            public long NextSendAt;

            public long Deadline;

            /// <summary>Times sent (1 + retransmissions).</summary>
            public int Sends = 1;

            /// <summary>Counted in the window: sent and neither answered nor past its first RTO.</summary>
            public bool OnWire;

            public int Id;

            public Channel? Channel;

            public CancellationTokenRegistration Registration;
        }

        /// <summary>
        /// One connected socket and the thread that receives on it. A blocking receive on its own
        /// thread wakes one thread per answer; an asynchronous receive wakes the socket engine's thread
        /// and then a pool thread, which costs about twice the CPU per query (bench/README.md).
        /// </summary>
        private sealed class Channel
        {
            /// <summary>How often a blocked receive wakes to see whether its socket was closed (a safety net).</summary>
            private const int ReceiveTimeoutMilliseconds = 5000;

            private readonly DnsUdpClient _owner;
            private int _closed;

            public Channel(DnsUdpClient owner, IPEndPoint server)
            {
                _owner = owner;
                Socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                try
                {
                    Socket.Connect(server);
                    Socket.ReceiveTimeout = ReceiveTimeoutMilliseconds;
                    TryEnlargeReceiveBuffer(Socket);
                }
                catch
                {
                    Socket.Dispose();
                    throw;
                }
            }

            public Socket Socket { get; }

            // A full window's answers can arrive while this process is paused (a garbage collection stops
            // the receive thread for tens of milliseconds): the default buffer (rmem_default, 208 KB on
            // Linux, about 200 small datagrams) overflows and the kernel drops answers, which then cost a
            // retransmission and a window decrease. The kernel caps the size at its own maximum.
            private static void TryEnlargeReceiveBuffer(Socket socket)
            {
                try
                {
                    if (socket.ReceiveBufferSize < SocketReceiveBufferBytes)
                    {
                        socket.ReceiveBufferSize = SocketReceiveBufferBytes;
                    }
                }
                catch (SocketException)
                {
                    // A platform that refuses keeps its default: drops are still recovered by retransmission.
                }
            }

            public Dictionary<int, Pending> Pending { get; } = new Dictionary<int, Pending>();

            public int Sent;

            public bool Broken;

            /// <summary>True when no datagram waits on the socket (FIONREAD).</summary>
            public bool NothingWaiting()
            {
                try
                {
                    return Socket.Available == 0;
                }
                catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
                {
                    return true;
                }
            }

            public void Start()
            {
                new Thread(ReceiveLoop) { IsBackground = true, Name = "MailAuth DNS receive" }.Start();
            }

            public void Close()
            {
                if (Interlocked.Exchange(ref _closed, 1) == 0)
                {
                    try
                    {
                        // Wakes the receive blocked on this socket (closing alone may not, on Linux).
                        Socket.Shutdown(SocketShutdown.Both);
                    }
                    catch (SocketException)
                    {
                    }

                    Socket.Dispose();
                }
            }

            private void ReceiveLoop()
            {
                var buffer = new byte[ReceiveBufferSize];
                while (Volatile.Read(ref _closed) == 0)
                {
                    int length;
                    try
                    {
                        length = Socket.Receive(buffer, 0, buffer.Length, SocketFlags.None);
                    }
                    catch (ObjectDisposedException)
                    {
                        return;
                    }
                    catch (SocketException ex)
                    {
                        if (Volatile.Read(ref _closed) != 0)
                        {
                            return;
                        }

                        // EINTR (the runtime suspends threads with signals, e.g. for a GC), the receive timeout
                        // and an oversized datagram are no failure of the queries in flight: receive again.
                        if (ex.SocketErrorCode != SocketError.Interrupted && ex.SocketErrorCode != SocketError.TimedOut
                            && ex.SocketErrorCode != SocketError.WouldBlock && ex.SocketErrorCode != SocketError.MessageSize)
                        {
                            // ICMP port unreachable and the like, reported on a connected socket.
                            _owner.OnChannelError(this, ex.SocketErrorCode);
                        }

                        continue;
                    }

                    var message = new byte[length];
                    Buffer.BlockCopy(buffer, 0, message, 0, length);
                    _owner.OnDatagram(this, message, length);
                }
            }
        }
    }
}
