using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;

namespace MailAuth.Posture
{
    /// <summary>
    /// The RFC 8461 §3.3 policy fetch over our own resolver: mta-sts.&lt;domain&gt; is looked up
    /// (A and AAAA) through the <see cref="IDnsResolver"/> the report uses, never the operating
    /// system's, so the user's name servers answer and the queries show in the trace. Then TCP to
    /// each address in turn, TLS with SNI and certificate validation for the host name, and one
    /// HTTP/1.1 GET (Connection: close, no redirects). netstandard2.0 has no
    /// SocketsHttpHandler.ConnectCallback, hence a small client of our own instead of HttpClient.
    /// </summary>
    internal static class MtaStsPolicyFetcher
    {
        /// <summary>RFC 8461 §3.2: the policy's well-known path.</summary>
        internal const string PolicyPath = "/.well-known/mta-sts.txt";

        /// <summary>RFC 8461 §3.3: policies are fetched over HTTPS (RFC 2818), port 443.</summary>
        internal const int HttpsPort = 443;

        /// <summary>Status line plus headers; a policy host has no reason to send more.</summary>
        private const int MaxHeadBytes = 16 * 1024;

        /// <summary>A chunk-size line (RFC 7230 §4.1) with extensions; longer is not a policy host.</summary>
        private const int MaxChunkLineBytes = 1024;

        /// <summary>Interim 1xx answers skipped before the final one (RFC 7231 §6.2).</summary>
        private const int MaxInterimResponses = 5;

        private const string UserAgent = "MailAuth (MTA-STS policy check, RFC 8461)";

        internal readonly struct Result
        {
            public Result(string? body, string? error, string? contentType)
            {
                Body = body;
                Error = error;
                ContentType = contentType;
            }

            /// <summary>The policy text; null when the fetch failed.</summary>
            public string? Body { get; }

            public string? Error { get; }

            /// <summary>The media type of Content-Type, without parameters; null when absent.</summary>
            public string? ContentType { get; }

            public static Result Fail(string error, string? contentType = null) => new Result(null, error, contentType);
        }

        /// <summary>
        /// Fetches https://<paramref name="host"/>/.well-known/mta-sts.txt. Never throws except on
        /// caller cancellation: every failure (DNS, connect, certificate, HTTP, size, timeout) comes
        /// back as the reason.
        /// </summary>
        public static async Task<Result> FetchAsync(IDnsResolver dns, string host, MtaStsOptions options, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            string stage = "looking up " + host;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.FetchTimeout);
            Socket? socket = null;
            try
            {
                AddressLookup lookup = await LookupAsync(dns, host, timeout.Token).ConfigureAwait(false);
                if (lookup.Addresses.Count == 0)
                {
                    return Result.Fail(lookup.Error!);
                }

                // Connect to the addresses in turn; each attempt gets an equal share of the time
                // left, so one address that never answers cannot use up the whole fetch.
                var failures = new List<string>();
                for (int i = 0; i < lookup.Addresses.Count && socket is null; i++)
                {
                    IPAddress address = lookup.Addresses[i];
                    stage = "connecting to " + EndPointText(address, options.PolicyPort);
                    TimeSpan left = options.FetchTimeout - clock.Elapsed;
                    var share = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, left.Ticks / (lookup.Addresses.Count - i)));
                    (socket, string? failure) = await ConnectAsync(address, options.PolicyPort, share, timeout.Token).ConfigureAwait(false);
                    if (failure != null)
                    {
                        failures.Add(EndPointText(address, options.PolicyPort) + " " + failure);
                    }
                }

                if (socket is null)
                {
                    return Result.Fail($"Could not connect to {host}{lookup.AliasNote}: {string.Join("; ", failures)}.{lookup.PartialFailureNote}");
                }

                string endPoint = EndPointText(((IPEndPoint)socket.RemoteEndPoint!).Address, options.PolicyPort);
                Socket connected = socket;

                // netstandard2.0's SslStream and NetworkStream take no token (and .NET Framework
                // ignores it on reads): closing the socket ends whatever is pending.
                using CancellationTokenRegistration abort = timeout.Token.Register(() => connected.Dispose());
                using var network = new NetworkStream(socket, ownsSocket: true);
                var certificate = new CertificateCheck(host, options.ServerCertificateValidation);
                using var tls = new SslStream(network, leaveInnerStreamOpen: false, certificate.Validate);
                stage = "in the TLS handshake with " + endPoint;
                try
                {
                    // RFC 8461 §3.3: the certificate must be valid for the mta-sts host name (SNI
                    // and the name check both use it, never the address or a CNAME target).
                    // SslProtocols.None: the platform's choice of TLS versions.
                    await tls.AuthenticateAsClientAsync(host, new X509CertificateCollection(), SslProtocols.None, checkCertificateRevocation: false).ConfigureAwait(false);
                }
                catch (AuthenticationException) when (certificate.Problem != null && !timeout.IsCancellationRequested)
                {
                    return Result.Fail($"The certificate of {host} ({endPoint}) is not acceptable: {certificate.Problem} RFC 8461 §3.3 requires a certificate valid for {host} that chains to a trusted root.");
                }
                catch (Exception ex) when ((ex is AuthenticationException || ex is IOException || ex is SocketException) && !timeout.IsCancellationRequested)
                {
                    return Result.Fail($"The TLS handshake with {host} ({endPoint}) failed: {Describe(ex)}");
                }

                stage = "waiting for the answer of " + endPoint;
                byte[] request = Encoding.ASCII.GetBytes(
                    "GET " + PolicyPath + " HTTP/1.1\r\n"
                    // RFC 7230 §5.4: the port belongs in Host when it is not the scheme's default.
                    + "Host: " + host + (options.PolicyPort == HttpsPort ? string.Empty : ":" + options.PolicyPort.ToString(CultureInfo.InvariantCulture)) + "\r\n"
                    + "User-Agent: " + UserAgent + "\r\n"
                    + "Accept: */*\r\n"
                    + "Connection: close\r\n"
                    + "\r\n");
                var reader = new HttpReader(tls);
                try
                {
                    await tls.WriteAsync(request, 0, request.Length, timeout.Token).ConfigureAwait(false);
                    await tls.FlushAsync(timeout.Token).ConfigureAwait(false);
                    return await ReadResponseAsync(reader, endPoint, options.MaxPolicyBytes, s => stage = s + endPoint, timeout.Token).ConfigureAwait(false);
                }
                catch (InvalidDataException ex)
                {
                    return Result.Fail($"{endPoint} sent {ex.Message} in the chunked body.");
                }
                catch (Exception ex) when ((ex is IOException || ex is SocketException) && !timeout.IsCancellationRequested)
                {
                    return Result.Fail($"The connection to {host} ({endPoint}) broke: {Describe(ex)}");
                }
            }
            catch (Exception ex) when (timeout.IsCancellationRequested && (ex is OperationCanceledException || ex is ObjectDisposedException || ex is IOException || ex is SocketException || ex is AuthenticationException))
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException(cancellationToken);
                }

                // RFC 8461 §3.3: senders may time the fetch out (a minute is suggested).
                return Result.Fail(string.Format(CultureInfo.InvariantCulture, "No complete answer within {0:0.###} s ({1}).", options.FetchTimeout.TotalSeconds, stage));
            }
            finally
            {
                socket?.Dispose();
            }
        }

        private static async Task<Result> ReadResponseAsync(HttpReader reader, string endPoint, int maxBytes, Action<string> setStage, CancellationToken cancellationToken)
        {
            HttpHead? head = null;
            for (int interim = 0; interim <= MaxInterimResponses; interim++)
            {
                head = await HttpHead.ReadAsync(reader, cancellationToken).ConfigureAwait(false);
                if (head.Error != null)
                {
                    return Result.Fail($"{endPoint} {head.Error}");
                }

                // RFC 7231 §6.2: 1xx answers are interim (we never ask for one); 101 is a switch.
                if (head.Status < 100 || head.Status >= 200 || head.Status == 101)
                {
                    break;
                }
            }

            int code = head!.Status;
            string codeText = code.ToString(CultureInfo.InvariantCulture);
            if (code >= 300 && code < 400)
            {
                // RFC 8461 §3.3: "HTTP 3xx redirects MUST NOT be followed".
                string target = head.Header("Location") is string location ? "redirect to " + Printable(location) : "redirect (no Location)";
                return Result.Fail($"HTTP {codeText} {target}; RFC 8461 §3.3 forbids following redirects.");
            }

            if (code != 200)
            {
                // RFC 8461 §3.3: "only valid if the HTTP response code is 200 (OK)".
                string reason = head.Reason.Length == 0 ? string.Empty : " " + Printable(head.Reason);
                return Result.Fail($"HTTP {codeText}{reason}; only 200 is a policy (RFC 8461 §3.3).");
            }

            string? contentType = head.Header("Content-Type") is string type ? type.Split(';')[0].Trim() : null;
            if (head.Header("Content-Encoding") is string encoding && !string.Equals(encoding.Trim(), "identity", StringComparison.OrdinalIgnoreCase))
            {
                return Result.Fail($"The policy is sent with Content-Encoding {encoding.Trim()}, which was not asked for.", contentType);
            }

            setStage("reading the policy from ");
            var body = new MemoryStream();
            string? error;

            // RFC 7230 §3.3.3: Transfer-Encoding decides over Content-Length; without either the
            // body runs to the end of the connection (we sent Connection: close).
            string? transferEncoding = head.Header("Transfer-Encoding");
            if (transferEncoding != null)
            {
                string last = transferEncoding.Split(',').Select(t => t.Trim()).LastOrDefault(t => t.Length > 0) ?? string.Empty;
                error = string.Equals(last, "chunked", StringComparison.OrdinalIgnoreCase)
                    ? await ReadChunkedAsync(reader, body, maxBytes, cancellationToken).ConfigureAwait(false)
                    : await ReadToEndAsync(reader, body, maxBytes, cancellationToken).ConfigureAwait(false);
            }
            else if (head.Header("Content-Length") is string lengthText)
            {
                long? length = ParseContentLength(lengthText);
                if (length is null)
                {
                    return Result.Fail($"{endPoint} sent an invalid Content-Length ({lengthText}).", contentType);
                }

                error = length > maxBytes
                    ? LargerThan(maxBytes)
                    : await ReadExactlyAsync(reader, body, (int)length.Value, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                error = await ReadToEndAsync(reader, body, maxBytes, cancellationToken).ConfigureAwait(false);
            }

            if (error != null)
            {
                return Result.Fail(error, contentType);
            }

            return new Result(new UTF8Encoding(false, false).GetString(body.ToArray()), null, contentType);
        }

        /// <summary>RFC 8461 §3.3: senders may cap the policy size (64 KiB suggested).</summary>
        private static string LargerThan(int maxBytes) => $"The policy is larger than {maxBytes.ToString(CultureInfo.InvariantCulture)} bytes.";

        /// <summary>RFC 7230 §3.3.2: one non-negative number; repeated identical values may be merged.</summary>
        private static long? ParseContentLength(string text)
        {
            long? value = null;
            foreach (string part in text.Split(','))
            {
                string digits = part.Trim();
                if (digits.Length == 0 || digits.Length > 18 || !digits.All(c => c >= '0' && c <= '9'))
                {
                    return null;
                }

                long parsed = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
                if (value.HasValue && value.Value != parsed)
                {
                    return null;
                }

                value = parsed;
            }

            return value;
        }

        private static async Task<string?> ReadExactlyAsync(HttpReader reader, MemoryStream body, int length, CancellationToken cancellationToken)
        {
            var buffer = new byte[8192];
            int remaining = length;
            while (remaining > 0)
            {
                int read = await reader.ReadAsync(buffer, Math.Min(buffer.Length, remaining), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return $"The connection closed after {(length - remaining).ToString(CultureInfo.InvariantCulture)} of the {length.ToString(CultureInfo.InvariantCulture)} bytes of Content-Length.";
                }

                body.Write(buffer, 0, read);
                remaining -= read;
            }

            return null;
        }

        private static async Task<string?> ReadToEndAsync(HttpReader reader, MemoryStream body, int maxBytes, CancellationToken cancellationToken)
        {
            var buffer = new byte[8192];
            while (true)
            {
                int read = await reader.ReadAsync(buffer, buffer.Length, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return null;
                }

                body.Write(buffer, 0, read);
                if (body.Length > maxBytes)
                {
                    return LargerThan(maxBytes);
                }
            }
        }

        /// <summary>RFC 7230 §4.1: chunk-size [; ext] CRLF data CRLF ... 0 CRLF trailers CRLF.</summary>
        private static async Task<string?> ReadChunkedAsync(HttpReader reader, MemoryStream body, int maxBytes, CancellationToken cancellationToken)
        {
            while (true)
            {
                string? line = await reader.ReadLineAsync(MaxChunkLineBytes, cancellationToken).ConfigureAwait(false);
                if (line is null)
                {
                    return "The connection closed inside the chunked body.";
                }

                string sizeText = line.Split(';')[0].Trim();
                if (sizeText.Length == 0 || sizeText.Length > 8 || !long.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long size))
                {
                    return $"The chunked body has an invalid chunk size line ({Printable(line)}).";
                }

                if (size == 0)
                {
                    // Trailer fields up to the empty line; a close right after the last chunk is tolerated.
                    for (int i = 0; i < 64; i++)
                    {
                        string? trailer = await reader.ReadLineAsync(MaxChunkLineBytes, cancellationToken).ConfigureAwait(false);
                        if (string.IsNullOrEmpty(trailer))
                        {
                            break;
                        }
                    }

                    return null;
                }

                if (body.Length + size > maxBytes)
                {
                    return LargerThan(maxBytes);
                }

                string? error = await ReadExactlyAsync(reader, body, (int)size, cancellationToken).ConfigureAwait(false);
                if (error != null)
                {
                    return "The connection closed inside a chunk of the chunked body.";
                }

                string? end = await reader.ReadLineAsync(MaxChunkLineBytes, cancellationToken).ConfigureAwait(false);
                if (end is null || end.Length != 0)
                {
                    return "The chunked body has a chunk without its closing CRLF.";
                }
            }
        }

        /// <summary>A and AAAA for the policy host through <paramref name="dns"/>, concurrently.</summary>
        private static async Task<AddressLookup> LookupAsync(IDnsResolver dns, string host, CancellationToken cancellationToken)
        {
            HostAddressAnswers answers;
            try
            {
                answers = await HostAddressAnswers.QueryAsync(dns, host, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                return new AddressLookup(Array.Empty<IPAddress>(), $"{host} cannot be looked up: {ex.Message}", string.Empty, string.Empty);
            }

            // The resolver follows CNAMEs (RFC 1034 §3.6.2) and reports the chain; the addresses
            // are the chain's end, while TLS still checks the certificate for the host itself.
            IReadOnlyList<string> chain = answers.CanonicalNames;
            string alias = chain.Count > 0 ? $" (alias of {chain[chain.Count - 1]})" : string.Empty;
            IReadOnlyList<IPAddress> v4 = answers.IPv4;
            IReadOnlyList<IPAddress> v6 = answers.IPv6;

            // IPv6 first, then the families alternate (RFC 8305 §4).
            var addresses = new List<IPAddress>(v4.Count + v6.Count);
            for (int i = 0; i < Math.Max(v4.Count, v6.Count); i++)
            {
                if (i < v6.Count)
                {
                    addresses.Add(v6[i]);
                }

                if (i < v4.Count)
                {
                    addresses.Add(v4[i]);
                }
            }

            IReadOnlyList<DnsResponse> failed = answers.Failed;
            string failureText = string.Join("; ", failed.Select(r => PostureHelpers.FailureText(r).TrimEnd('.')));
            if (addresses.Count > 0)
            {
                string partial = failed.Count == 0 ? string.Empty : $" The {string.Join(" and ", failed.Select(r => r.QueryType))} lookup failed ({failureText}), so other addresses may exist.";
                return new AddressLookup(addresses, null, alias, partial);
            }

            if (failed.Count > 0)
            {
                // A failed lookup is never "no policy": the host may well exist (RFC 8461 §3.3
                // leaves the sender without a policy for now, not for good).
                return new AddressLookup(addresses, $"The address lookup of {host}{alias} failed ({failureText}); its address is unknown.", alias, string.Empty);
            }

            string why = answers.A.IsNxDomain || answers.Aaaa.IsNxDomain ? "NXDOMAIN" : "no A or AAAA records";
            return new AddressLookup(addresses, $"{host}{alias} has no address ({why}).", alias, string.Empty);
        }

        /// <summary>Connects within <paramref name="limit"/>; a socket, or null with the reason.</summary>
        private static async Task<(Socket? Socket, string? Failure)> ConnectAsync(IPAddress address, int port, TimeSpan limit, CancellationToken cancellationToken)
        {
            Socket socket;
            try
            {
                socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            }
            catch (SocketException ex)
            {
                return (null, "(" + ex.Message + ")");
            }

            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(limit);
            string? failure = null;
            CancellationTokenRegistration registration = attempt.Token.Register(() => socket.Dispose());
            try
            {
                await socket.ConnectAsync(address, port).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
            {
                failure = "(" + (ex is SocketException socketError ? socketError.Message : "closed") + ")";
            }
            finally
            {
                registration.Dispose();
            }

            if (attempt.IsCancellationRequested)
            {
                socket.Dispose();
                cancellationToken.ThrowIfCancellationRequested();
                return (null, string.Format(CultureInfo.InvariantCulture, "(no answer within {0:0.###} s)", limit.TotalSeconds));
            }

            if (failure != null)
            {
                socket.Dispose();
                return (null, failure);
            }

            return (socket, null);
        }

        internal static string EndPointText(IPAddress address, int port)
        {
            string text = address.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + address + "]" : address.ToString();
            return text + ":" + port.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>The messages of an exception and its inner ones, without repeats.</summary>
        private static string Describe(Exception ex)
        {
            var parts = new List<string>();
            for (Exception? e = ex; e != null; e = e.InnerException)
            {
                if (!parts.Contains(e.Message))
                {
                    parts.Add(e.Message);
                }
            }

            return string.Join(" ", parts);
        }

        /// <summary>Text from the wire for a message: control characters escaped, length capped.</summary>
        private static string Printable(string text)
        {
            var builder = new StringBuilder();
            foreach (char c in text.Length > 80 ? text.Substring(0, 80) + "..." : text)
            {
                builder.Append(c < 0x20 || c > 0x7E ? "\\x" + ((int)c).ToString("X2", CultureInfo.InvariantCulture) : c.ToString());
            }

            return builder.ToString();
        }

        private sealed class AddressLookup
        {
            public AddressLookup(IReadOnlyList<IPAddress> addresses, string? error, string aliasNote, string partialFailureNote)
            {
                Addresses = addresses;
                Error = error;
                AliasNote = aliasNote;
                PartialFailureNote = partialFailureNote;
            }

            public IReadOnlyList<IPAddress> Addresses { get; }

            /// <summary>Why there is no address (set when <see cref="Addresses"/> is empty).</summary>
            public string? Error { get; }

            public string AliasNote { get; }

            public string PartialFailureNote { get; }
        }

        /// <summary>
        /// Certificate validation for one fetch: the platform's verdict (chain to a trusted root,
        /// time, name for the SNI host), or the test hook's; remembers why a certificate was refused,
        /// since SslStream's own exception only says the callback said no.
        /// </summary>
        private sealed class CertificateCheck
        {
            private readonly string _host;
            private readonly Func<string, X509Certificate2?, X509Chain?, SslPolicyErrors, bool>? _hook;

            public CertificateCheck(string host, Func<string, X509Certificate2?, X509Chain?, SslPolicyErrors, bool>? hook)
            {
                _host = host;
                _hook = hook;
            }

            public string? Problem { get; private set; }

            public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
            {
                X509Certificate2? certificate2 = certificate as X509Certificate2 ?? (certificate is null ? null : new X509Certificate2(certificate));
                bool accepted = _hook?.Invoke(_host, certificate2, chain, errors) ?? errors == SslPolicyErrors.None;
                if (!accepted)
                {
                    Problem = CertificateProblems.Describe(_host, certificate2, chain, errors);
                }

                return accepted;
            }
        }

        /// <summary>A buffered reader over the TLS stream: lines for the head, bytes for the body.</summary>
        private sealed class HttpReader
        {
            private readonly Stream _stream;
            private readonly byte[] _buffer = new byte[8192];
            private int _position;
            private int _length;

            public HttpReader(Stream stream) => _stream = stream;

            /// <summary>Reads up to <paramref name="count"/> bytes; 0 at the end of the stream.</summary>
            public async Task<int> ReadAsync(byte[] destination, int count, CancellationToken cancellationToken)
            {
                if (_position == _length && !await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    return 0;
                }

                int n = Math.Min(count, _length - _position);
                Buffer.BlockCopy(_buffer, _position, destination, 0, n);
                _position += n;
                return n;
            }

            /// <summary>
            /// One line without its CRLF (a bare LF is accepted, RFC 7230 §3.5), as Latin-1; null at the
            /// end of the stream; throws <see cref="InvalidDataException"/> past <paramref name="maxBytes"/>.
            /// </summary>
            public async Task<string?> ReadLineAsync(int maxBytes, CancellationToken cancellationToken)
            {
                var line = new StringBuilder();
                while (true)
                {
                    if (_position == _length && !await FillAsync(cancellationToken).ConfigureAwait(false))
                    {
                        return line.Length == 0 ? null : line.ToString();
                    }

                    byte b = _buffer[_position++];
                    if (b == (byte)'\n')
                    {
                        if (line.Length > 0 && line[line.Length - 1] == '\r')
                        {
                            line.Length--;
                        }

                        return line.ToString();
                    }

                    if (line.Length >= maxBytes)
                    {
                        throw new InvalidDataException($"a line longer than {maxBytes.ToString(CultureInfo.InvariantCulture)} bytes");
                    }

                    line.Append((char)b);
                }
            }

            private async Task<bool> FillAsync(CancellationToken cancellationToken)
            {
                _position = 0;
                _length = await _stream.ReadAsync(_buffer, 0, _buffer.Length, cancellationToken).ConfigureAwait(false);
                return _length > 0;
            }
        }

        /// <summary>A status line and header fields (RFC 7230 §3).</summary>
        private sealed class HttpHead
        {
            private readonly List<KeyValuePair<string, string>> _fields = new List<KeyValuePair<string, string>>();

            public int Status { get; private set; }

            public string Reason { get; private set; } = string.Empty;

            /// <summary>Why the head is unusable ("closed the connection ...").</summary>
            public string? Error { get; private set; }

            /// <summary>The field's values joined with ", " (RFC 7230 §3.2.2); null when absent.</summary>
            public string? Header(string name)
            {
                string[] values = _fields.Where(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase)).Select(f => f.Value).ToArray();
                return values.Length == 0 ? null : string.Join(", ", values);
            }

            public static async Task<HttpHead> ReadAsync(HttpReader reader, CancellationToken cancellationToken)
            {
                var head = new HttpHead();
                int total = 0;
                try
                {
                    string? statusLine = await reader.ReadLineAsync(MaxHeadBytes, cancellationToken).ConfigureAwait(false);
                    if (statusLine is null)
                    {
                        head.Error = "closed the connection without an HTTP answer.";
                        return head;
                    }

                    total += statusLine.Length + 2;

                    // status-line = HTTP-version SP status-code SP reason-phrase (RFC 7230 §3.1.2).
                    string[] parts = statusLine.Split(new[] { ' ' }, 3);
                    if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || parts[1].Length != 3
                        || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int status))
                    {
                        head.Error = $"did not answer with HTTP/1.x ({Printable(statusLine)}).";
                        return head;
                    }

                    head.Status = status;
                    head.Reason = parts.Length > 2 ? parts[2].Trim() : string.Empty;
                    while (true)
                    {
                        string? line = await reader.ReadLineAsync(MaxHeadBytes, cancellationToken).ConfigureAwait(false);
                        if (line is null)
                        {
                            head.Error = "closed the connection inside the HTTP header.";
                            return head;
                        }

                        total += line.Length + 2;
                        if (total > MaxHeadBytes)
                        {
                            head.Error = $"sent an HTTP header longer than {MaxHeadBytes.ToString(CultureInfo.InvariantCulture)} bytes.";
                            return head;
                        }

                        if (line.Length == 0)
                        {
                            return head;
                        }

                        if ((line[0] == ' ' || line[0] == '\t') && head._fields.Count > 0)
                        {
                            // obs-fold (RFC 7230 §3.2.4): a continuation of the previous field.
                            KeyValuePair<string, string> previous = head._fields[head._fields.Count - 1];
                            head._fields[head._fields.Count - 1] = new KeyValuePair<string, string>(previous.Key, previous.Value + " " + line.Trim());
                            continue;
                        }

                        int colon = line.IndexOf(':');
                        if (colon <= 0)
                        {
                            head.Error = $"sent a malformed HTTP header line ({Printable(line)}).";
                            return head;
                        }

                        head._fields.Add(new KeyValuePair<string, string>(line.Substring(0, colon).Trim(), line.Substring(colon + 1).Trim()));
                    }
                }
                catch (InvalidDataException ex)
                {
                    head.Error = $"sent {ex.Message} in the HTTP header.";
                    return head;
                }
            }
        }
    }

    /// <summary>Says why a server certificate is not acceptable, in terms a domain owner can act on.</summary>
    internal static class CertificateProblems
    {
        private const string SubjectAlternativeNameOid = "2.5.29.17";

        public static string Describe(string host, X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            {
                return "the server sent no certificate.";
            }

            var parts = new List<string>();
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                IReadOnlyList<string> names = DnsNames(certificate);
                string named = names.Count > 0 ? string.Join(", ", names) : "no DNS name; subject " + certificate.Subject;
                parts.Add($"it is not valid for {host} (it is for {named})");
            }

            if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            {
                string[] statuses = (chain?.ChainStatus ?? Array.Empty<X509ChainStatus>())
                    .Where(s => s.Status != X509ChainStatusFlags.NoError)
                    .Select(s => s.Status + (string.IsNullOrWhiteSpace(s.StatusInformation) ? string.Empty : ": " + s.StatusInformation.Trim()))
                    .Distinct(StringComparer.Ordinal)
                    .ToArray();
                string validity = string.Format(CultureInfo.InvariantCulture, "valid {0:yyyy-MM-dd HH:mm} to {1:yyyy-MM-dd HH:mm} UTC",
                    certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime());
                parts.Add($"its chain does not verify ({(statuses.Length > 0 ? string.Join("; ", statuses) : "chain errors")}; issuer {certificate.Issuer}, {validity})");
            }

            if (parts.Count == 0)
            {
                parts.Add("MtaStsOptions.ServerCertificateValidation refused it");
            }

            return string.Join("; ", parts) + ".";
        }

        /// <summary>
        /// The dNSName entries of the subjectAltName extension (RFC 5280 §4.2.1.6), which RFC 6125
        /// (and so RFC 8461 §3.3) matches against; read from the DER since netstandard2.0 has no API.
        /// </summary>
        internal static IReadOnlyList<string> DnsNames(X509Certificate2 certificate)
        {
            var names = new List<string>();
            foreach (X509Extension extension in certificate.Extensions)
            {
                if (extension.Oid?.Value != SubjectAlternativeNameOid)
                {
                    continue;
                }

                byte[] der = extension.RawData;
                int offset = 0;
                if (!TryReadHeader(der, ref offset, out byte tag, out int length) || tag != 0x30)
                {
                    break;
                }

                int end = offset + length;
                while (offset < end)
                {
                    if (!TryReadHeader(der, ref offset, out tag, out length) || offset + length > end)
                    {
                        break;
                    }

                    if (tag == 0x82)
                    {
                        // dNSName [2] IMPLICIT IA5String
                        names.Add(Encoding.ASCII.GetString(der, offset, length));
                    }

                    offset += length;
                }
            }

            if (names.Count == 0)
            {
                string simple = certificate.GetNameInfo(X509NameType.DnsName, false);
                if (!string.IsNullOrEmpty(simple))
                {
                    names.Add(simple);
                }
            }

            return names;
        }

        private static bool TryReadHeader(byte[] der, ref int offset, out byte tag, out int length)
        {
            tag = 0;
            length = 0;
            if (offset + 2 > der.Length)
            {
                return false;
            }

            tag = der[offset++];
            int first = der[offset++];
            if (first < 0x80)
            {
                length = first;
                return offset + length <= der.Length;
            }

            int count = first & 0x7F;
            if (count == 0 || count > 3 || offset + count > der.Length)
            {
                return false;
            }

            for (int i = 0; i < count; i++)
            {
                length = (length << 8) | der[offset++];
            }

            return offset + length <= der.Length;
        }
    }
}
