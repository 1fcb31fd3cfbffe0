using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace MailAuth.Dns
{
    /// <summary>
    /// One query over TCP (RFC 1035 §4.2.2, RFC 7766): a connection per query, the message framed by a
    /// two-octet length. Used only when a UDP answer comes back truncated, so it is kept simple.
    /// </summary>
    internal static class DnsTcpClient
    {
        public static async Task<DnsExchange> ExchangeAsync(IPEndPoint server, string serverText, byte[] query, int id, TimeSpan timeout, CancellationToken cancellationToken)
        {
            DnsMessage.WriteId(query, id);
            using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);

            // Closing the socket is the only way to stop a pending connect or receive on every runtime.
            using (deadline.Token.Register(s => ((Socket)s!).Dispose(), socket))
            {
                try
                {
                    await socket.ConnectAsync(server).ConfigureAwait(false);
                    var framed = new byte[query.Length + 2];
                    framed[0] = (byte)(query.Length >> 8);
                    framed[1] = (byte)query.Length;
                    Buffer.BlockCopy(query, 0, framed, 2, query.Length);
                    int sent = 0;
                    while (sent < framed.Length)
                    {
                        sent += await socket.SendAsync(new ArraySegment<byte>(framed, sent, framed.Length - sent), SocketFlags.None).ConfigureAwait(false);
                    }

                    var prefix = new byte[2];
                    if (!await ReadExactlyAsync(socket, prefix, 2).ConfigureAwait(false))
                    {
                        return DnsExchange.Failed("NetworkError", $"Network error talking to {serverText}: the TCP connection closed before an answer.");
                    }

                    int length = (prefix[0] << 8) | prefix[1];
                    var message = new byte[length];
                    if (!await ReadExactlyAsync(socket, message, length).ConfigureAwait(false))
                    {
                        return DnsExchange.Failed("Malformed", $"The answer from {serverText} could not be read: the TCP connection closed inside the message.");
                    }

                    if (!DnsMessage.AnswersQuery(message, length, query))
                    {
                        return DnsExchange.Failed("Malformed", $"The answer from {serverText} could not be read: it does not answer the question asked.");
                    }

                    return DnsExchange.Answer(message, length);
                }
                catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException || ex is InvalidOperationException)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        throw new OperationCanceledException("The DNS query was cancelled.", ex, cancellationToken);
                    }

                    if (deadline.IsCancellationRequested)
                    {
                        return DnsExchange.Failed("Timeout", $"No answer from {serverText} over TCP within {timeout.TotalMilliseconds:0} ms.");
                    }

                    return DnsExchange.Failed("NetworkError", $"Network error talking to {serverText}: {ex.Message}");
                }
            }
        }

        private static async Task<bool> ReadExactlyAsync(Socket socket, byte[] buffer, int count)
        {
            int read = 0;
            while (read < count)
            {
                int n = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, read, count - read), SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                {
                    return false;
                }

                read += n;
            }

            return true;
        }
    }
}
