using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text;
using MailAuth.Dns;

namespace MailAuth.Spf
{
    /// <summary>
    /// The outcome of one SPF check (RFC 7208 check_host()): the result in §8 terms, why, what it
    /// means for a receiver, the header texts to record it, and the trace with its DNS evidence.
    /// </summary>
    public sealed class SpfResult
    {
        internal SpfResult(SpfResultCode result, SpfIdentity identity, string domain, IPAddress ipAddress,
            string sender, string? helo, string? record, string? matchedMechanism, string? matchedDomain,
            string reason, string? explanation, int dnsLookupCount, int voidLookupCount,
            IReadOnlyList<SpfTraceStep> trace, string? receiverName, double elapsedMilliseconds,
            SpfSyntaxError? syntaxError)
        {
            ResultCode = result;
            IdentityCode = identity;
            Domain = domain;
            ClientAddress = ipAddress;
            Sender = sender;
            Helo = helo;
            Record = record;
            MatchedMechanism = matchedMechanism;
            MatchedDomain = matchedDomain;
            Reason = reason;
            Explanation = explanation;
            DnsLookupCount = dnsLookupCount;
            VoidLookupCount = voidLookupCount;
            Trace = ResultList.From(trace);
            ElapsedMilliseconds = elapsedMilliseconds;
            SyntaxError = syntaxError;
            var seen = new HashSet<DnsResponse>();
            DnsEvidence = DnsEvidence.From(trace.SelectMany(s => s.DnsResponses).Where(seen.Add));
            Meaning = MeaningOf(result, domain);
            SmtpReply = SmtpReplyOf(result, explanation);
            ReceivedSpf = BuildReceivedSpf(receiverName);
            AuthenticationResults = BuildAuthenticationResults();
        }

        /// <summary>The result (RFC 7208 §8).</summary>
        public string Result => ResultCode.ToString();

        internal SpfResultCode ResultCode { get; }

        /// <summary>The identity checked: MAIL FROM (possibly postmaster@HELO) or HELO.</summary>
        public string Identity => IdentityCode.ToString();

        internal SpfIdentity IdentityCode { get; }

        /// <summary>The domain check_host() started with.</summary>
        public string Domain { get; }

        /// <summary>
        /// The client IP as text (IPv4-mapped IPv6 addresses are reported as IPv4, §5): text so it
        /// survives Export-Csv and ConvertTo-Json and binds back into Test-Spf -IPAddress.
        /// </summary>
        public string IPAddress => ClientAddress.ToString();

        /// <summary>The client IP as text, as <see cref="IPAddress"/> (the name it always had).</summary>
        public string Address => ClientAddress.ToString();

        internal System.Net.IPAddress ClientAddress { get; }

        /// <summary>The sender used for macros: MAIL FROM, or postmaster@HELO.</summary>
        public string Sender { get; }

        public string? Helo { get; }

        /// <summary>The SPF record of <see cref="Domain"/> that was evaluated (or the candidate text given).</summary>
        public string? Record { get; }

        /// <summary>The mechanism that decided the result, as written; null when none matched.</summary>
        public string? MatchedMechanism { get; }

        /// <summary>The domain whose record holds <see cref="MatchedMechanism"/>.</summary>
        public string? MatchedDomain { get; }

        /// <summary>Why, in plain language.</summary>
        public string Reason { get; }

        /// <summary>For Fail only: the exp= text expanded (§6.2), or the default explanation.</summary>
        public string? Explanation { get; }

        /// <summary>DNS-querying terms counted (§4.6.4).</summary>
        public int DnsLookupCount { get; }

        /// <summary>Void lookups counted (§4.6.4).</summary>
        public int VoidLookupCount { get; }

        /// <summary>What the result means and what a receiver should do.</summary>
        public string Meaning { get; }

        /// <summary>A suggested SMTP reply when the receiver acts on the result in the session; empty otherwise.</summary>
        public string SmtpReply { get; }

        /// <summary>The Received-SPF header field (RFC 7208 §9.1), including the field name.</summary>
        public string ReceivedSpf { get; }

        /// <summary>The Authentication-Results "spf=" method clause (RFC 8601 §2.7.2, RFC 7208 §9.2).</summary>
        public string AuthenticationResults { get; }

        /// <summary>Wall-clock time of the evaluation.</summary>
        public double ElapsedMilliseconds { get; }

        /// <summary>The syntax error behind a PermError, if that was the cause.</summary>
        public SpfSyntaxError? SyntaxError { get; }

        /// <summary>Ordered evaluation steps.</summary>
        public ResultList<SpfTraceStep> Trace { get; }

        /// <summary>Every DNS response the evaluation used, in trace order.</summary>
        public DnsEvidence DnsEvidence { get; private set; }

        /// <summary>
        /// Inside a header verification the result sits two levels down, where a DNS response's
        /// records would be past ConvertTo-Json -Depth 4; the trace steps keep each answer as text.
        /// </summary>
        internal void OmitDnsResponses() => DnsEvidence = DnsEvidence.Empty;

        /// <summary>The result as the lower-case keyword of RFC 7208 §8 ("pass", "softfail", ...).</summary>
        public string ResultKeyword => Keyword(ResultCode);

        public override string ToString() => $"{ResultKeyword} ({Reason})";

        internal static string Keyword(SpfResultCode code) => code.ToString().ToLowerInvariant();

        private static string MeaningOf(SpfResultCode result, string domain) => result switch
        {
            SpfResultCode.Pass => $"{domain} authorizes this IP address to send its mail. Accept; the domain can be used for reputation and DMARC alignment.",
            SpfResultCode.Fail => $"{domain} states this IP address is not authorized to send its mail. A receiver may reject in the SMTP session (550 5.7.23) or, under DMARC, apply the domain's DMARC policy.",
            SpfResultCode.SoftFail => $"{domain} states this IP address is probably not authorized. Accept but mark the message (e.g. for spam scoring); do not reject on this alone.",
            SpfResultCode.Neutral => $"{domain} makes no statement about this IP address. Treat as if there were no policy.",
            SpfResultCode.None => $"No SPF policy for {domain} (or no valid domain to check). Treat as no policy; nothing can be said about the sender.",
            SpfResultCode.TempError => "A temporary DNS error prevented a result. Defer with a 4xx reply (451 4.4.3) so the sender retries, or accept with care.",
            _ => $"The SPF records of {domain} cannot be interpreted. The domain owner must fix them; do not reject permanently on this alone (treat as no policy, or apply local policy).",
        };

        private static string SmtpReplyOf(SpfResultCode result, string? explanation) => result switch
        {
            // RFC 7372 §3.2 (X.7.23 SPF validation failed) and RFC 7208 §8.4, §8.6.
            SpfResultCode.Fail => "550 5.7.23 " + (string.IsNullOrEmpty(explanation) ? "SPF validation failed" : explanation),
            SpfResultCode.TempError => "451 4.4.3 Temporary DNS error while checking SPF",
            _ => string.Empty,
        };

        // RFC 7208 §9.1: Received-SPF: result (comment) key=value; ... The comment follows the examples of the RFC.
        private string BuildReceivedSpf(string? receiverName)
        {
            string receiver = string.IsNullOrEmpty(receiverName) ? "unknown" : receiverName!;
            string ip = IPAddress.ToString();
            string comment = ResultCode switch
            {
                SpfResultCode.Pass => $"{receiver}: domain of {Sender} designates {ip} as permitted sender",
                SpfResultCode.Fail => $"{receiver}: domain of {Sender} does not designate {ip} as permitted sender",
                SpfResultCode.SoftFail => $"{receiver}: domain of transitioning {Sender} does not designate {ip} as permitted sender",
                SpfResultCode.Neutral => $"{receiver}: {ip} is neither permitted nor denied by domain of {Sender}",
                SpfResultCode.None => $"{receiver}: domain of {Sender} does not designate permitted sender hosts",
                SpfResultCode.TempError => $"{receiver}: error in processing during lookup of {Sender}: {Reason}",
                _ => $"{receiver}: permanent error in processing domain of {Sender}: {Reason}",
            };

            var builder = new StringBuilder("Received-SPF: ");
            builder.Append(ResultKeyword).Append(" (").Append(EscapeComment(comment)).Append(')');
            var pairs = new List<string>
            {
                // An IPv6 address holds ':', which is not atext: it must be quoted (§9.1 key-value-pair).
                "client-ip=" + Value(ip),
                "envelope-from=" + Quote(Sender),
            };
            if (!string.IsNullOrEmpty(Helo))
            {
                pairs.Add("helo=" + Value(Helo!));
            }

            if (!string.IsNullOrEmpty(receiverName))
            {
                pairs.Add("receiver=" + Value(receiverName!));
            }

            pairs.Add("identity=" + (IdentityCode == SpfIdentity.Helo ? "helo" : "mailfrom"));
            if (MatchedMechanism != null)
            {
                pairs.Add("mechanism=" + Quote(MatchedMechanism));
            }

            if (ResultCode == SpfResultCode.PermError || ResultCode == SpfResultCode.TempError)
            {
                pairs.Add("problem=" + Quote(Reason));
            }

            builder.Append(' ').Append(string.Join("; ", pairs)).Append(';');
            return builder.ToString();
        }

        private string BuildAuthenticationResults()
        {
            // RFC 7208 §9.2: smtp.mailfrom carries the MAIL FROM domain checked, smtp.helo the HELO.
            string property = IdentityCode == SpfIdentity.Helo ? "smtp.helo=" : "smtp.mailfrom=";
            return "spf=" + ResultKeyword + " " + property + Value(Domain);
        }

        private static string EscapeComment(string text) =>
            text.Replace("\\", "\\\\").Replace("(", "\\(").Replace(")", "\\)").Replace("\r", " ").Replace("\n", " ");

        // dot-atom when the text allows it, else quoted-string (RFC 5322 §3.2.3, §3.2.4).
        private static string Value(string text)
        {
            if (text.Length > 0 && text.All(IsAtext) && !text.StartsWith(".", StringComparison.Ordinal)
                && !text.EndsWith(".", StringComparison.Ordinal) && text.IndexOf("..", StringComparison.Ordinal) < 0)
            {
                return text;
            }

            return Quote(text);
        }

        private static bool IsAtext(char c) =>
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || "!#$%&'*+-/=?^_`{|}~".IndexOf(c) >= 0;

        private static string Quote(string text) =>
            "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\r", " ").Replace("\n", " ") + "\"";
    }
}
