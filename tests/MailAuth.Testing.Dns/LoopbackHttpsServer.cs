using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace MailAuth.Testing.Http
{
    /// <summary>How the server delimits a body (RFC 7230 §3.3.3).</summary>
    public enum HttpBodyFraming
    {
        /// <summary>Content-Length: the body's size.</summary>
        ContentLength,
        /// <summary>Transfer-Encoding: chunked, in chunks of <see cref="HttpAnswer.ChunkSize"/> bytes.</summary>
        Chunked,
        /// <summary>Neither header: the body ends when the server closes the connection.</summary>
        CloseDelimited,
    }

    /// <summary>What the server answers for one host and path.</summary>
    public sealed class HttpAnswer
    {
        public int Status { get; set; } = 200;

        /// <summary>Null: no Content-Type header.</summary>
        public string? ContentType { get; set; } = "text/plain";

        public string Body { get; set; } = string.Empty;

        public string? Location { get; set; }

        /// <summary>Wait before the status line (timeouts).</summary>
        public TimeSpan Delay { get; set; }

        public HttpBodyFraming Framing { get; set; } = HttpBodyFraming.ContentLength;

        public int ChunkSize { get; set; } = 16;

        /// <summary>When set, sent verbatim (ASCII) in place of the answer built from the other properties, then the connection closes.</summary>
        public string? Raw { get; set; }
    }

    /// <summary>One request the server read, in arrival order.</summary>
    public sealed class ServedRequest
    {
        internal ServedRequest(string? serverName, string requestLine, string host, string path, string localEndPoint)
        {
            ServerName = serverName;
            RequestLine = requestLine;
            Host = host;
            Path = path;
            LocalEndPoint = localEndPoint;
        }

        /// <summary>The TLS server name indication the client sent (RFC 6066 §3); null without one.</summary>
        public string? ServerName { get; }

        public string RequestLine { get; }

        /// <summary>The Host header as sent, port included when there was one.</summary>
        public string Host { get; }

        public string Path { get; }

        /// <summary>The address:port the client connected to.</summary>
        public string LocalEndPoint { get; }

        public override string ToString() => $"{RequestLine} Host={Host} SNI={ServerName}";
    }

    /// <summary>
    /// A minimal HTTP/1.1 server over TLS on a loopback address (127.0.0.1 unless told), with a
    /// self-signed certificate for the names given, made at start (ASP.NET's test host is not
    /// available). One request per connection; logs each request's SNI and Host. The xunit tests
    /// and the Pester tests (through Add-Type) serve MTA-STS policies from it.
    /// </summary>
    public sealed class LoopbackHttpsServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly ConcurrentDictionary<string, HttpAnswer> _answers = new ConcurrentDictionary<string, HttpAnswer>(StringComparer.OrdinalIgnoreCase);
        private readonly ConcurrentQueue<ServedRequest> _requests = new ConcurrentQueue<ServedRequest>();
        private int _connections;

        /// <summary>Listens on 127.0.0.1 with a certificate for <paramref name="certificateNames"/>.</summary>
        public LoopbackHttpsServer(params string[] certificateNames)
            : this(IPAddress.Loopback, certificateNames)
        {
        }

        /// <summary>Listens on <paramref name="address"/> (127.0.0.1 or ::1) on a free port.</summary>
        public LoopbackHttpsServer(IPAddress address, params string[] certificateNames)
        {
            if (address is null)
            {
                throw new ArgumentNullException(nameof(address));
            }

            if (certificateNames is null || certificateNames.Length == 0)
            {
                throw new ArgumentException("Give at least one DNS name for the certificate.", nameof(certificateNames));
            }

            Certificate = CreateCertificate(certificateNames);
            _listener = new TcpListener(address, 0);
            _listener.Start();
            _ = AcceptLoopAsync();
        }

        public X509Certificate2 Certificate { get; }

        public string Thumbprint => Certificate.Thumbprint;

        public IPAddress Address => ((IPEndPoint)_listener.LocalEndpoint).Address;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        /// <summary>Complete request heads read (after the TLS handshake).</summary>
        public int RequestCount => _requests.Count;

        /// <summary>TCP connections accepted, whether or not TLS completed.</summary>
        public int ConnectionCount => Volatile.Read(ref _connections);

        /// <summary>A snapshot of the request log, in arrival order.</summary>
        public IReadOnlyList<ServedRequest> Requests => _requests.ToArray();

        /// <summary>Serves <paramref name="answer"/> for <paramref name="host"/> (the Host header without port) and <paramref name="path"/>.</summary>
        public void Serve(string host, string path, HttpAnswer answer) => _answers[host + path] = answer;

        /// <summary>A free TCP port on 127.0.0.1 that nothing listens on (just released).</summary>
        public static int GetClosedPort()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return port;
        }

        /// <summary>True when this machine can listen on ::1.</summary>
        public static bool CanListenOnIPv6Loopback()
        {
            if (!Socket.OSSupportsIPv6)
            {
                return false;
            }

            try
            {
                var probe = new TcpListener(IPAddress.IPv6Loopback, 0);
                probe.Start();
                probe.Stop();
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }

        private static X509Certificate2 CreateCertificate(string[] dnsNames)
        {
            using RSA key = RSA.Create(2048);
            var request = new CertificateRequest("CN=" + dnsNames[0], key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            foreach (string name in dnsNames)
            {
                san.AddDnsName(name);
            }

            request.CertificateExtensions.Add(san.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
            using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));

            // Round trip through PKCS#12 so the private key is usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
        }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                Interlocked.Increment(ref _connections);
                _ = HandleAsync(client);
            }
        }

        private async Task HandleAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    string local = client.Client.LocalEndPoint?.ToString() ?? string.Empty;
                    using var ssl = new SslStream(client.GetStream(), false);
                    string? serverName = null;
                    await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                    {
                        ServerCertificateSelectionCallback = (sender, name) =>
                        {
                            serverName = string.IsNullOrEmpty(name) ? null : name;
                            return Certificate;
                        },
                    }, _stop.Token);
                    string head = await ReadHeadAsync(ssl);
                    if (!head.EndsWith("\r\n\r\n", StringComparison.Ordinal))
                    {
                        // No request: with TLS 1.3 the handshake completes here before the client has
                        // judged the certificate, so a refusal shows as a close without a request.
                        return;
                    }

                    string[] lines = head.Split("\r\n");
                    string[] requestLine = lines[0].Split(' ');
                    string path = requestLine.Length > 1 ? requestLine[1] : "/";
                    string hostHeader = string.Empty;
                    foreach (string line in lines)
                    {
                        if (line.StartsWith("Host:", StringComparison.OrdinalIgnoreCase))
                        {
                            hostHeader = line.Substring(5).Trim();
                        }
                    }

                    _requests.Enqueue(new ServedRequest(serverName, lines[0], hostHeader, path, local));
                    string host = hostHeader;
                    int colon = host.LastIndexOf(':');
                    if (colon >= 0 && !host.EndsWith("]", StringComparison.Ordinal))
                    {
                        host = host.Substring(0, colon);
                    }

                    HttpAnswer answer = _answers.TryGetValue(host + path, out HttpAnswer? found)
                        ? found
                        : new HttpAnswer { Status = 404, Body = "not found" };
                    if (answer.Delay > TimeSpan.Zero)
                    {
                        await Task.Delay(answer.Delay, _stop.Token);
                    }

                    await WriteAnswerAsync(ssl, answer);
                }
                catch (Exception ex) when (ex is IOException || ex is System.Security.Authentication.AuthenticationException || ex is OperationCanceledException || ex is ObjectDisposedException || ex is SocketException)
                {
                    // The client gave up (certificate rejected, timeout): nothing to answer.
                }
            }
        }

        private static async Task WriteAnswerAsync(SslStream ssl, HttpAnswer answer)
        {
            if (answer.Raw != null)
            {
                await ssl.WriteAsync(Encoding.ASCII.GetBytes(answer.Raw));
                await ssl.FlushAsync();
                await ssl.ShutdownAsync();
                return;
            }

            byte[] body = Encoding.UTF8.GetBytes(answer.Body);
            var head = new StringBuilder();
            head.Append("HTTP/1.1 ").Append(answer.Status).Append(' ').Append(answer.Status == 200 ? "OK" : "Other").Append("\r\n");
            if (answer.ContentType != null)
            {
                head.Append("Content-Type: ").Append(answer.ContentType).Append("\r\n");
            }

            switch (answer.Framing)
            {
                case HttpBodyFraming.ContentLength:
                    head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
                    break;
                case HttpBodyFraming.Chunked:
                    head.Append("Transfer-Encoding: chunked\r\n");
                    break;
            }

            if (answer.Location != null)
            {
                head.Append("Location: ").Append(answer.Location).Append("\r\n");
            }

            head.Append("Connection: close\r\n\r\n");
            await ssl.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
            if (answer.Framing == HttpBodyFraming.Chunked)
            {
                int size = Math.Max(1, answer.ChunkSize);
                for (int offset = 0; offset < body.Length; offset += size)
                {
                    int n = Math.Min(size, body.Length - offset);
                    // A chunk extension on the first chunk, which clients must ignore (RFC 7230 §4.1.1).
                    string sizeLine = n.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + (offset == 0 ? ";note=first" : string.Empty) + "\r\n";
                    await ssl.WriteAsync(Encoding.ASCII.GetBytes(sizeLine));
                    await ssl.WriteAsync(body.AsMemory(offset, n));
                    await ssl.WriteAsync("\r\n"u8.ToArray());
                }

                await ssl.WriteAsync("0\r\n\r\n"u8.ToArray());
            }
            else
            {
                await ssl.WriteAsync(body);
            }

            await ssl.FlushAsync();
            if (answer.Framing == HttpBodyFraming.CloseDelimited)
            {
                await ssl.ShutdownAsync();
            }
        }

        private static async Task<string> ReadHeadAsync(Stream stream)
        {
            var buffer = new MemoryStream();
            var one = new byte[1];
            while (buffer.Length < 16384)
            {
                int read = await stream.ReadAsync(one);
                if (read == 0)
                {
                    break;
                }

                buffer.WriteByte(one[0]);
                long n = buffer.Length;
                if (n >= 4)
                {
                    byte[] b = buffer.GetBuffer();
                    if (b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n')
                    {
                        break;
                    }
                }
            }

            return Encoding.ASCII.GetString(buffer.ToArray());
        }
    }
}
