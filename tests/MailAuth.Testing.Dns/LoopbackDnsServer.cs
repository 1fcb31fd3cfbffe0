using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace MailAuth.Testing.Dns
{
    /// <summary>
    /// An authoritative DNS server for tests on 127.0.0.1: UDP and TCP on the same free port,
    /// answers built by hand from a <see cref="DnsZone"/> (RFC 1035 wire format), with scripted
    /// faults and latency. Every query is answered on its own task so that a slow answer never
    /// holds up the next query.
    /// </summary>
    public sealed class LoopbackDnsServer : IDisposable
    {
        private const int MaxBindAttempts = 50;

        private readonly DnsZone _zone;
        private readonly Socket _udp;
        private readonly Socket _tcpListener;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly ConcurrentQueue<ServedQuery> _queries = new ConcurrentQueue<ServedQuery>();
        private readonly ConcurrentDictionary<Socket, bool> _connections = new ConcurrentDictionary<Socket, bool>();
        private readonly Task _udpLoop;
        private readonly Task _tcpLoop;
        private int _udpCount;
        private int _tcpCount;
        private int _disposed;

        private LoopbackDnsServer(DnsZone zone, Socket udp, Socket tcpListener)
        {
            _zone = zone;
            _udp = udp;
            _tcpListener = tcpListener;
            EndPoint = (IPEndPoint)udp.LocalEndPoint!;
            _udpLoop = Task.Run(UdpLoopAsync);
            _tcpLoop = Task.Run(TcpAcceptLoopAsync);
        }

        /// <summary>127.0.0.1 and the port both transports listen on.</summary>
        public IPEndPoint EndPoint { get; }

        /// <summary>"127.0.0.1:port", as DNS server options take it.</summary>
        public string Address => EndPoint.Address + ":" + EndPoint.Port;

        /// <summary>Queries received over both transports (including unparseable ones).</summary>
        public int QueryCount => Volatile.Read(ref _udpCount) + Volatile.Read(ref _tcpCount);

        public int UdpQueryCount => Volatile.Read(ref _udpCount);

        public int TcpQueryCount => Volatile.Read(ref _tcpCount);

        /// <summary>A snapshot of the query log, in arrival order.</summary>
        public IReadOnlyList<ServedQuery> Queries => _queries.ToArray();

        public DnsZone Zone => _zone;

        /// <summary>Starts a server answering from <paramref name="zone"/>.</summary>
        public static LoopbackDnsServer Start(DnsZone zone)
        {
            if (zone is null)
            {
                throw new ArgumentNullException(nameof(zone));
            }

            SocketException? last = null;
            for (int attempt = 0; attempt < MaxBindAttempts; attempt++)
            {
                var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                Socket? tcp = null;
                try
                {
                    udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                    int port = ((IPEndPoint)udp.LocalEndPoint!).Port;
                    tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                    tcp.Listen(64);
                    return new LoopbackDnsServer(zone, udp, tcp);
                }
                catch (SocketException ex)
                {
                    // The TCP port was taken by someone else: pick another UDP port and try again.
                    last = ex;
                    udp.Dispose();
                    tcp?.Dispose();
                }
            }

            throw new InvalidOperationException("Could not bind UDP and TCP to one free port on 127.0.0.1.", last);
        }

        /// <summary>Sets the counters to zero and clears the query log.</summary>
        public void ResetCounters()
        {
            Interlocked.Exchange(ref _udpCount, 0);
            Interlocked.Exchange(ref _tcpCount, 0);
            _queries.Clear();
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            _stop.Cancel();
            _udp.Dispose();
            _tcpListener.Dispose();
            foreach (Socket connection in _connections.Keys)
            {
                connection.Dispose();
            }

            try
            {
                Task.WaitAll(new[] { _udpLoop, _tcpLoop }, TimeSpan.FromSeconds(2));
            }
            catch (AggregateException)
            {
                // The loops end by exceptions from the closed sockets; nothing to report.
            }

            _stop.Dispose();
        }

        private async Task UdpLoopAsync()
        {
            var buffer = new byte[65535];
            var any = new IPEndPoint(IPAddress.Any, 0);
            while (!_stop.IsCancellationRequested)
            {
                SocketReceiveFromResult received;
                try
                {
                    received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                catch (ObjectDisposedException)
                {
                    break;
                }
                catch (SocketException)
                {
                    // E.g. an ICMP port unreachable reported on the next receive (Windows): keep serving.
                    continue;
                }

                byte[] message = new byte[received.ReceivedBytes];
                Buffer.BlockCopy(buffer, 0, message, 0, message.Length);
                EndPoint remote = received.RemoteEndPoint;
                Interlocked.Increment(ref _udpCount);
                _ = Task.Run(() => AnswerUdpAsync(message, remote));
            }
        }

        private async Task AnswerUdpAsync(byte[] message, EndPoint remote)
        {
            try
            {
                byte[]? answer = await AnswerAsync(message, DnsTransport.Udp, (remote as IPEndPoint)?.Port ?? 0).ConfigureAwait(false);
                if (answer != null && !_stop.IsCancellationRequested)
                {
                    await _udp.SendToAsync(answer, SocketFlags.None, remote).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is ObjectDisposedException || ex is SocketException || ex is OperationCanceledException)
            {
                // Server stopped or the client went away.
            }
        }

        private async Task TcpAcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await _tcpListener.AcceptAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException || ex is ObjectDisposedException || ex is SocketException)
                {
                    if (_stop.IsCancellationRequested)
                    {
                        break;
                    }

                    continue;
                }

                _connections[client] = true;
                _ = Task.Run(() => ServeConnectionAsync(client));
            }
        }

        private async Task ServeConnectionAsync(Socket client)
        {
            // RFC 1035 §4.2.2 / RFC 7766 §6.2.1: each message has a two-octet length prefix, and a
            // client may send several queries on one connection without waiting for answers.
            var writeLock = new SemaphoreSlim(1, 1);
            try
            {
                using var stream = new NetworkStream(client, ownsSocket: true);
                var prefix = new byte[2];
                while (!_stop.IsCancellationRequested)
                {
                    if (!await ReadExactlyAsync(stream, prefix).ConfigureAwait(false))
                    {
                        break;
                    }

                    var message = new byte[(prefix[0] << 8) | prefix[1]];
                    if (!await ReadExactlyAsync(stream, message).ConfigureAwait(false))
                    {
                        break;
                    }

                    Interlocked.Increment(ref _tcpCount);
                    _ = Task.Run(() => AnswerTcpAsync(stream, writeLock, message));
                }
            }
            catch (Exception ex) when (ex is ObjectDisposedException || ex is SocketException || ex is System.IO.IOException || ex is OperationCanceledException)
            {
                // Connection closed by either side.
            }
            finally
            {
                _connections.TryRemove(client, out _);
            }
        }

        private async Task AnswerTcpAsync(NetworkStream stream, SemaphoreSlim writeLock, byte[] message)
        {
            try
            {
                byte[]? answer = await AnswerAsync(message, DnsTransport.Tcp, 0).ConfigureAwait(false);
                if (answer is null)
                {
                    return;
                }

                var framed = new byte[answer.Length + 2];
                framed[0] = (byte)(answer.Length >> 8);
                framed[1] = (byte)answer.Length;
                Buffer.BlockCopy(answer, 0, framed, 2, answer.Length);
                await writeLock.WaitAsync(_stop.Token).ConfigureAwait(false);
                try
                {
                    await stream.WriteAsync(framed, 0, framed.Length, _stop.Token).ConfigureAwait(false);
                }
                finally
                {
                    writeLock.Release();
                }
            }
            catch (Exception ex) when (ex is ObjectDisposedException || ex is SocketException || ex is System.IO.IOException || ex is OperationCanceledException)
            {
                // Connection closed by either side.
            }
        }

        private static async Task<bool> ReadExactlyAsync(NetworkStream stream, byte[] buffer)
        {
            int read = 0;
            while (read < buffer.Length)
            {
                int n = await stream.ReadAsync(buffer, read, buffer.Length - read).ConfigureAwait(false);
                if (n == 0)
                {
                    return false;
                }

                read += n;
            }

            return true;
        }

        private async Task<byte[]?> AnswerAsync(byte[] message, DnsTransport transport, int clientPort)
        {
            DnsQueryMessage? query = DnsQueryMessage.TryParse(message);
            string name = query?.Name ?? string.Empty;
            int type = query?.Type ?? 0;
            _queries.Enqueue(new ServedQuery(name, (ZoneRecordType)type, transport, query?.Id ?? (message.Length >= 2 ? (message[0] << 8) | message[1] : 0), DateTimeOffset.UtcNow, clientPort));

            if (query is null)
            {
                // Too short or not a query: a FORMERR with the id, when there is an id to echo.
                return message.Length >= 12 && (message[2] & 0x80) == 0 ? DnsAnswerBuilder.FormatError(message) : null;
            }

            string key = DnsZone.Normalize(name);
            TimeSpan latency = _zone.GetLatency(key);
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, _stop.Token).ConfigureAwait(false);
            }

            DnsFault? fault = _zone.GetFault(key, type);
            if (fault == DnsFault.Timeout)
            {
                return null;
            }

            if (fault == DnsFault.DropFirst)
            {
                if (_zone.DropThisOnce(key))
                {
                    return null;
                }

                fault = null;
            }

            return DnsAnswerBuilder.Build(_zone, query, key, fault, transport);
        }
    }
}
