using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace MailAuth.Addresses
{
    /// <summary>What the receiving server said to RCPT TO, as one word.</summary>
    public enum SmtpProbeOutcome
    {
        /// <summary>250/251 to RCPT: the server takes mail for the address (catch-all servers take every address).</summary>
        Accepted,
        /// <summary>A 5xx to RCPT (550, 551, 553...): the server refuses the address.</summary>
        Rejected,
        /// <summary>A 4xx to RCPT (450, 451, 452): try later; greylisting or a full mailbox, not an answer.</summary>
        TemporaryFailure,
        /// <summary>The server refused the session or the null sender before RCPT: nothing learned about the address.</summary>
        Refused,
        /// <summary>No exchange answered within the time allowed.</summary>
        Unreachable,
    }

    /// <summary>One SMTP conversation with an exchange, up to RCPT TO and QUIT; DATA is never sent.</summary>
    public sealed class SmtpProbeResult
    {
        internal SmtpProbeResult(SmtpProbeOutcome outcome, string meaning, string? host, string? address, int port,
            bool? startTlsOffered, bool? smtpUtf8Offered, int? rcptCode, string? rcptReply, IReadOnlyList<string> transcript, double elapsedMilliseconds)
        {
            OutcomeCode = outcome;
            Meaning = meaning;
            Host = host;
            Address = address;
            Port = port;
            StartTlsOffered = startTlsOffered;
            SmtpUtf8Offered = smtpUtf8Offered;
            RcptCode = rcptCode;
            RcptReply = rcptReply;
            Transcript = ResultList.From(transcript);
            ElapsedMilliseconds = elapsedMilliseconds;
        }

        public string Outcome => OutcomeCode.ToString();

        internal SmtpProbeOutcome OutcomeCode { get; }

        /// <summary>What the outcome does and does not tell.</summary>
        public string Meaning { get; }

        /// <summary>The exchange that answered (or the last one tried).</summary>
        public string? Host { get; }

        public string? Address { get; }

        public int Port { get; }

        /// <summary>The EHLO reply lists STARTTLS (RFC 3207); null when EHLO was not reached.</summary>
        public bool? StartTlsOffered { get; }

        /// <summary>The EHLO reply lists SMTPUTF8 (RFC 6531).</summary>
        public bool? SmtpUtf8Offered { get; }

        public int? RcptCode { get; }

        public string? RcptReply { get; }

        /// <summary>Each line sent (C:) and received (S:).</summary>
        public ResultList<string> Transcript { get; }

        public double ElapsedMilliseconds { get; }

        public override string ToString() => RcptCode is int code ? $"{Outcome} {code} from {Host}" : $"{Outcome} ({Host ?? "no host"})";
    }

    /// <summary>Where and how long to probe.</summary>
    public sealed class SmtpProbeOptions
    {
        /// <summary>TCP port (RFC 5321 §4.5.4 relays use 25); another one for tests.</summary>
        public int Port { get; set; } = 25;

        /// <summary>The whole probe, every exchange tried: beyond it the result is Unreachable or what was learned.</summary>
        public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>One TCP connect attempt.</summary>
        public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>
        /// The EHLO argument; default the address literal of our side of the connection, which
        /// RFC 5321 §4.1.4 permits when the client has no meaningful name.
        /// </summary>
        public string? HeloName { get; set; }

        /// <summary>Most exchanges (MX host addresses) tried before giving up.</summary>
        public int MaxAttempts { get; set; } = 3;
    }

    /// <summary>
    /// Asks an exchange whether it takes mail for an address: EHLO, MAIL FROM:&lt;&gt; (the null
    /// reverse-path, RFC 5321 §4.5.5, so no bounce can go anywhere), RCPT TO, QUIT. Never DATA.
    /// </summary>
    internal static class SmtpProber
    {
        // RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets; a server sends few of them.
        private const int MaxLineOctets = 2048;
        private const int MaxReplyLines = 100;

        public static async Task<SmtpProbeResult> ProbeAsync(IReadOnlyList<(string Host, IPAddress Address)> targets, string rcpt,
            SmtpProbeOptions options, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            var transcript = new List<string>();
            string? lastHost = null;
            string? lastAddress = null;
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            budget.CancelAfter(options.TotalTimeout);
            foreach ((string host, IPAddress address) in targets.Take(Math.Max(1, options.MaxAttempts)))
            {
                lastHost = host;
                lastAddress = address.ToString();
                using var client = new TcpClient(address.AddressFamily);
                try
                {
                    Task connect = client.ConnectAsync(address, options.Port);
                    Task done = await Task.WhenAny(connect, Task.Delay(options.ConnectTimeout, budget.Token)).ConfigureAwait(false);
                    if (done != connect || !client.Connected)
                    {
                        transcript.Add($"-- {host} [{address}]:{options.Port}: no connection within {options.ConnectTimeout.TotalSeconds:0} s");
                        Observe(connect);
                        if (budget.IsCancellationRequested)
                        {
                            break;
                        }

                        continue;
                    }

                    await connect.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is SocketException || ex is OperationCanceledException)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    transcript.Add($"-- {host} [{address}]:{options.Port}: {(ex is SocketException s ? s.SocketErrorCode.ToString() : "time budget spent")}");
                    if (budget.IsCancellationRequested)
                    {
                        break;
                    }

                    continue;
                }

                transcript.Add($"-- connected to {host} [{address}]:{options.Port}");
                try
                {
                    using (budget.Token.Register(() => client.Dispose()))
                    {
                        return await ConverseAsync(client, host, address, rcpt, options, transcript, clock).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException || ex is InvalidOperationException)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    transcript.Add($"-- {host}: connection lost ({(budget.IsCancellationRequested ? "time budget spent" : ex.Message)})");
                    if (budget.IsCancellationRequested)
                    {
                        break;
                    }
                }
            }

            return new SmtpProbeResult(SmtpProbeOutcome.Unreachable,
                $"No exchange completed the conversation within {options.TotalTimeout.TotalSeconds:0} s on port {options.Port} (many networks block outbound port 25): nothing is known about the address.",
                lastHost, lastAddress, options.Port, null, null, null, null, transcript, clock.Elapsed.TotalMilliseconds);
        }

        private static void Observe(Task task) => task.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);

        private static async Task<SmtpProbeResult> ConverseAsync(TcpClient client, string host, IPAddress address, string rcpt,
            SmtpProbeOptions options, List<string> transcript, Stopwatch clock)
        {
            NetworkStream stream = client.GetStream();
            var reader = new StreamReader(stream, new UTF8Encoding(false), false, 1024);
            string helo = options.HeloName ?? LocalLiteral(client);

            SmtpProbeResult Done(SmtpProbeOutcome outcome, string meaning, bool? tls, bool? utf8, int? code, string? reply) =>
                new SmtpProbeResult(outcome, meaning, host, address.ToString(), options.Port, tls, utf8, code, reply, transcript, clock.Elapsed.TotalMilliseconds);

            (int greetCode, List<string> greeting) = await ReadReplyAsync(reader, transcript).ConfigureAwait(false);
            if (greetCode != 220)
            {
                // RFC 5321 §3.1: 554 instead of 220 means the server takes no mail from us.
                await QuitAsync(stream, reader, transcript).ConfigureAwait(false);
                return Done(SmtpProbeOutcome.Refused, $"The server greeted with {greetCode}, not 220: it refuses this client (RFC 5321 §3.1), which says nothing about the address.", null, null, null, null);
            }

            await SendAsync(stream, "EHLO " + helo, transcript).ConfigureAwait(false);
            (int ehloCode, List<string> ehlo) = await ReadReplyAsync(reader, transcript).ConfigureAwait(false);
            bool? tls = null;
            bool? utf8 = null;
            if (ehloCode == 250)
            {
                // RFC 5321 §4.1.1.1: the keywords follow the first line.
                var keywords = ehlo.Skip(1).Select(l => l.Split(' ')[0].ToUpperInvariant()).ToList();
                tls = keywords.Contains("STARTTLS");
                utf8 = keywords.Contains("SMTPUTF8");
            }
            else
            {
                // RFC 5321 §4.1.4: a server that does not know EHLO answers 500/502; fall back to HELO.
                await SendAsync(stream, "HELO " + helo, transcript).ConfigureAwait(false);
                (int heloCode, _) = await ReadReplyAsync(reader, transcript).ConfigureAwait(false);
                if (heloCode != 250)
                {
                    await QuitAsync(stream, reader, transcript).ConfigureAwait(false);
                    return Done(SmtpProbeOutcome.Refused, $"The server refused EHLO and HELO ({heloCode}); nothing is known about the address.", null, null, null, null);
                }
            }

            string mailFrom = utf8 == true && rcpt.Any(c => c >= 0x80) ? "MAIL FROM:<> SMTPUTF8" : "MAIL FROM:<>";
            await SendAsync(stream, mailFrom, transcript).ConfigureAwait(false);
            (int mailCode, List<string> mail) = await ReadReplyAsync(reader, transcript).ConfigureAwait(false);
            if (mailCode / 100 != 2)
            {
                await QuitAsync(stream, reader, transcript).ConfigureAwait(false);
                return Done(SmtpProbeOutcome.Refused,
                    $"The server refused the null sender (MAIL FROM:<>) with {mailCode}, which RFC 5321 §4.5.5 says it must accept for bounces; nothing is known about the address.",
                    tls, utf8, null, null);
            }

            await SendAsync(stream, "RCPT TO:<" + rcpt + ">", transcript).ConfigureAwait(false);
            (int rcptCode, List<string> rcptLines) = await ReadReplyAsync(reader, transcript).ConfigureAwait(false);
            string rcptReply = string.Join(" ", rcptLines);
            await QuitAsync(stream, reader, transcript).ConfigureAwait(false);

            // RFC 5321 §4.2.1: 2yz positive, 4yz transient negative, 5yz permanent negative; §3.3
            // and §4.2.2: 250 / 251 accept, 450 / 451 / 452 try later, 550 / 551 / 553 refuse.
            if (rcptCode == 250 || rcptCode == 251 || rcptCode == 252)
            {
                string meaning = rcptCode == 252
                    ? "252: the server will accept the message but cannot verify the address (RFC 5321 §3.5.3); the address may or may not exist."
                    : $"{rcptCode}: the server accepts mail for the address. A catch-all domain accepts every address, and some servers accept at RCPT and bounce later, so this does not prove that the mailbox exists.";
                return Done(SmtpProbeOutcome.Accepted, meaning, tls, utf8, rcptCode, rcptReply);
            }

            if (rcptCode / 100 == 4)
            {
                return Done(SmtpProbeOutcome.TemporaryFailure,
                    $"{rcptCode}: a temporary refusal (RFC 5321 §4.2.1 4yz): greylisting, a full mailbox or a busy server. Try later; it is no answer about the address.",
                    tls, utf8, rcptCode, rcptReply);
            }

            if (rcptCode / 100 == 5)
            {
                return Done(SmtpProbeOutcome.Rejected,
                    $"{rcptCode}: the server refuses the address permanently (RFC 5321 §4.2.1 5yz; 550 is \"mailbox unavailable\"). Some servers refuse probes from unknown clients too: read the reply text.",
                    tls, utf8, rcptCode, rcptReply);
            }

            return Done(SmtpProbeOutcome.Refused, $"The server answered RCPT with {rcptCode}, which RFC 5321 §4.2 does not define; nothing is known about the address.", tls, utf8, rcptCode, rcptReply);
        }

        private static string LocalLiteral(TcpClient client)
        {
            if (client.Client.LocalEndPoint is IPEndPoint local)
            {
                IPAddress ip = local.Address.IsIPv4MappedToIPv6 ? local.Address.MapToIPv4() : local.Address;
                return ip.AddressFamily == AddressFamily.InterNetworkV6 ? "[IPv6:" + ip + "]" : "[" + ip + "]";
            }

            return "[127.0.0.1]";
        }

        private static async Task SendAsync(NetworkStream stream, string line, List<string> transcript)
        {
            transcript.Add("C: " + line);
            byte[] bytes = Encoding.UTF8.GetBytes(line + "\r\n");
            await stream.WriteAsync(bytes, 0, bytes.Length).ConfigureAwait(false);
        }

        private static async Task QuitAsync(NetworkStream stream, StreamReader reader, List<string> transcript)
        {
            try
            {
                await SendAsync(stream, "QUIT", transcript).ConfigureAwait(false);
                await ReadReplyAsync(reader, transcript).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException)
            {
                // The answer is already known; a server that hangs up at QUIT changes nothing.
            }
        }

        // A reply: lines "250-text" continue, "250 text" ends it (RFC 5321 §4.2.1).
        private static async Task<(int Code, List<string> Lines)> ReadReplyAsync(StreamReader reader, List<string> transcript)
        {
            var lines = new List<string>();
            while (lines.Count < MaxReplyLines)
            {
                string? line = await reader.ReadLineAsync().ConfigureAwait(false);
                if (line is null)
                {
                    throw new IOException("the server closed the connection");
                }

                if (line.Length > MaxLineOctets)
                {
                    line = line.Substring(0, MaxLineOctets);
                }

                transcript.Add("S: " + line);
                if (line.Length < 3 || !int.TryParse(line.Substring(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out int code))
                {
                    throw new IOException($"'{line}' is not an SMTP reply line");
                }

                lines.Add(line.Length > 4 ? line.Substring(4) : string.Empty);
                if (line.Length == 3 || line[3] != '-')
                {
                    return (code, lines);
                }
            }

            throw new IOException("the reply has too many lines");
        }
    }
}
