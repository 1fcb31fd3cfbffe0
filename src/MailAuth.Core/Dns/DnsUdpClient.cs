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
    /// </remarks>
    internal sealed class DnsUdpClient : IDisposable
    {
        /// <summary>Queries sent over one socket before the next query opens a new one.</summary>
        internal const int QueriesPerSocket = 512;

        /// <summary>Largest datagram read: any UDP payload (we advertise 1232, a server may still send more).</summary>
        private const int ReceiveBufferSize = 65535;

        private static readonly RandomNumberGenerator s_random = RandomNumberGenerator.Create();

        private readonly IPEndPoint _server;
        private readonly string _serverText;
        private readonly TimeSpan _timeout;
        private readonly object _sync = new object();
        private readonly Timer _timer;
        private readonly long _tickTicks;

        /// <summary>How long past its deadline a query may wait while answers sit unread on its socket (Stopwatch ticks).</summary>
        private readonly long _unreadGraceTicks;
        private readonly byte[] _ids = new byte[512];
        private int _idOffset = 512;
        private Channel? _current;
        private bool _timerArmed;
        private int _pendingTotal;
        private bool _disposed;

        public DnsUdpClient(IPEndPoint server, string serverText, TimeSpan timeout)
        {
            _server = server;
            _serverText = serverText;
            _timeout = timeout;

            // Timeouts are checked on a tick of an eighth of the timeout (5 ms to 100 ms), so a query
            // ends at most one tick late; the timer runs only while queries are in flight.
            long tick = Math.Max(TimeSpan.FromMilliseconds(5).Ticks, Math.Min(TimeSpan.FromMilliseconds(100).Ticks, timeout.Ticks / 8));
            _tickTicks = tick;
            _unreadGraceTicks = (long)(4 * timeout.TotalSeconds * Stopwatch.Frequency);
            _timer = new Timer(_ => OnTick(), null, Timeout.Infinite, Timeout.Infinite);
        }

        /// <summary>Sends <paramref name="query"/> (its id is set here) and waits for the matching response.</summary>
        public Task<DnsExchange> ExchangeAsync(byte[] query, CancellationToken cancellationToken)
        {
            var pending = new Pending(query, Stopwatch.GetTimestamp() + (long)(_timeout.TotalSeconds * Stopwatch.Frequency));
            Channel channel;
            lock (_sync)
            {
                if (_disposed)
                {
                    throw new ObjectDisposedException(nameof(DnsResolver));
                }

                channel = CurrentChannel();
                if (channel is null)
                {
                    return Task.FromResult(DnsExchange.Failed("NetworkError", _lastOpenError ?? $"Network error talking to {_serverText}."));
                }

                int id;
                do
                {
                    id = NextId();
                }
                while (channel.Pending.ContainsKey(id));

                DnsMessage.WriteId(query, id);
                pending.Id = id;
                pending.Channel = channel;
                channel.Pending.Add(id, pending);
                channel.Sent++;
                _pendingTotal++;
                if (!_timerArmed)
                {
                    _timerArmed = true;
                    _timer.Change(TimeSpan.FromTicks(_tickTicks), TimeSpan.FromTicks(_tickTicks));
                }
            }

            if (cancellationToken.CanBeCanceled)
            {
                pending.Registration = cancellationToken.Register(s => ((DnsUdpClient)((object[])s!)[0]).Cancel((Pending)((object[])s!)[1]), new object[] { this, pending });
            }

            if (pending.Task.IsCompleted)
            {
                return pending.Task; // cancelled before it was sent
            }

            try
            {
                // A UDP send does not wait for the network: done synchronously it is one system call.
                channel.Socket.Send(query, 0, query.Length, SocketFlags.None);
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
            {
                Complete(pending, DnsExchange.Failed("NetworkError", $"Network error talking to {_serverText}: {ex.Message}"));
            }

            return pending.Task;
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
                    pending.Registration.Dispose();
                    pending.TrySetResult(DnsExchange.Failed("Malformed", $"The answer from {_serverText} could not be read: it does not repeat the question."));
                    return;
                }

                Remove(pending);
                runHere = channel.Pending.Count == 0;
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
            lock (_sync)
            {
                removed = IsPending(pending);
                if (removed)
                {
                    Remove(pending);
                }
            }

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
            if (channel != _current && channel.Pending.Count == 0)
            {
                CloseChannel(channel);
            }
        }

        private void OnTick()
        {
            long now = Stopwatch.GetTimestamp();
            List<Pending>? expired = null;
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
                    // so those queries wait for the reader, up to a few timeouts more (issue 14).
                    bool unread = channel.Pending.Count > 0 && !channel.NothingWaiting();
                    foreach (Pending pending in channel.Pending.Values)
                    {
                        if (now >= pending.Deadline && (!unread || now >= pending.Deadline + _unreadGraceTicks))
                        {
                            (expired ??= new List<Pending>()).Add(pending);
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

                if (_pendingTotal == 0 && _timerArmed)
                {
                    _timerArmed = false;
                    _timer.Change(Timeout.Infinite, Timeout.Infinite);
                }
            }

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
            public Pending(byte[] query, long deadline)
            {
                Query = query;
                Deadline = deadline;
            }

            public byte[] Query { get; }

            public long Deadline { get; }

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
                }
                catch
                {
                    Socket.Dispose();
                    throw;
                }
            }

            public Socket Socket { get; }

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
