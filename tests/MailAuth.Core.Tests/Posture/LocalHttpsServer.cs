using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace MailAuth.Core.Tests.Posture
{
    /// <summary>What the server answers for one path.</summary>
    internal sealed class HttpAnswer
    {
        public int Status { get; set; } = 200;

        public string ContentType { get; set; } = "text/plain";

        public string Body { get; set; } = string.Empty;

        public string? Location { get; set; }

        public TimeSpan Delay { get; set; }
    }

    /// <summary>
    /// A minimal HTTP/1.1 server over TLS on 127.0.0.1 with a self-signed certificate made at
    /// start (ASP.NET's test host is not available). One request per connection.
    /// </summary>
    internal sealed class LocalHttpsServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly ConcurrentDictionary<string, HttpAnswer> _answers = new ConcurrentDictionary<string, HttpAnswer>(StringComparer.OrdinalIgnoreCase);
        private int _requests;

        public LocalHttpsServer(params string[] dnsNames)
        {
            Certificate = CreateCertificate(dnsNames);
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _ = AcceptLoopAsync();
        }

        public X509Certificate2 Certificate { get; }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int RequestCount => Volatile.Read(ref _requests);

        /// <summary>Serves <paramref name="answer"/> for "host/path".</summary>
        public void Serve(string host, string path, HttpAnswer answer) => _answers[host + path] = answer;

        /// <summary>
        /// A client handler that connects every request to this server, whatever the URL's host,
        /// and checks the certificate normally unless <paramref name="trustOurCertificate"/>.
        /// </summary>
        public HttpMessageHandler CreateHandler(bool trustOurCertificate)
        {
            var handler = new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                ConnectCallback = async (context, ct) =>
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            };
            if (trustOurCertificate)
            {
                string thumbprint = Certificate.Thumbprint;
                handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                    certificate != null && string.Equals(new X509Certificate2(certificate).Thumbprint, thumbprint, StringComparison.Ordinal)
                    && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
            }

            return handler;
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

                _ = HandleAsync(client);
            }
        }

        private async Task HandleAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    using var ssl = new SslStream(client.GetStream(), false);
                    await ssl.AuthenticateAsServerAsync(Certificate, false, false);
                    string head = await ReadHeadAsync(ssl);
                    Interlocked.Increment(ref _requests);
                    string[] lines = head.Split("\r\n");
                    string[] requestLine = lines[0].Split(' ');
                    string path = requestLine.Length > 1 ? requestLine[1] : "/";
                    string host = string.Empty;
                    foreach (string line in lines)
                    {
                        if (line.StartsWith("Host:", StringComparison.OrdinalIgnoreCase))
                        {
                            host = line.Substring(5).Trim();
                            int colon = host.IndexOf(':');
                            if (colon >= 0)
                            {
                                host = host.Substring(0, colon);
                            }
                        }
                    }

                    HttpAnswer answer = _answers.TryGetValue(host + path, out HttpAnswer? found)
                        ? found
                        : new HttpAnswer { Status = 404, Body = "not found" };
                    if (answer.Delay > TimeSpan.Zero)
                    {
                        await Task.Delay(answer.Delay, _stop.Token);
                    }

                    byte[] body = Encoding.UTF8.GetBytes(answer.Body);
                    var response = new StringBuilder();
                    response.Append("HTTP/1.1 ").Append(answer.Status).Append(' ').Append(answer.Status == 200 ? "OK" : "Other").Append("\r\n");
                    response.Append("Content-Type: ").Append(answer.ContentType).Append("\r\n");
                    response.Append("Content-Length: ").Append(body.Length).Append("\r\n");
                    if (answer.Location != null)
                    {
                        response.Append("Location: ").Append(answer.Location).Append("\r\n");
                    }

                    response.Append("Connection: close\r\n\r\n");
                    await ssl.WriteAsync(Encoding.ASCII.GetBytes(response.ToString()));
                    await ssl.WriteAsync(body);
                    await ssl.FlushAsync();
                }
                catch (Exception ex) when (ex is IOException || ex is System.Security.Authentication.AuthenticationException || ex is OperationCanceledException || ex is ObjectDisposedException)
                {
                    // The client gave up (certificate rejected, timeout): nothing to answer.
                }
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
