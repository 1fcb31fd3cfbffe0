using System;

namespace MailAuth.Headers
{
    /// <summary>One Received header field (RFC 5321 §4.4), as a hop in travel order.</summary>
    public sealed class MailHop
    {
        internal MailHop(int headerIndex, string raw)
        {
            HeaderIndex = headerIndex;
            Raw = raw;
        }

        /// <summary>1 for the oldest hop (the bottom Received field), counting up towards the recipient.</summary>
        public int Number { get; internal set; }

        /// <summary>Position of the Received field in <see cref="MailHeaderReport.Headers"/>.</summary>
        public int HeaderIndex { get; }

        /// <summary>The name after "from" as written (usually the HELO/EHLO name).</summary>
        public string? FromHost { get; internal set; }

        /// <summary>The reverse-DNS name the receiver recorded in the comment, when it gave one.</summary>
        public string? FromReverseDns { get; internal set; }

        /// <summary>The connecting client's address (IPv4 or IPv6, normalized).</summary>
        public string? FromIp { get; internal set; }

        /// <summary>The HELO/EHLO name: helo= / HELO in the comment, else the name after "from".</summary>
        public string? Helo { get; internal set; }

        /// <summary>The receiving host after "by".</summary>
        public string? ByHost { get; internal set; }

        /// <summary>The receiving host's address, when it wrote one.</summary>
        public string? ByIp { get; internal set; }

        /// <summary>The "with" protocol: ESMTP, ESMTPS, ESMTPSA (RFC 3848), "Microsoft SMTP Server", ...</summary>
        public string? With { get; internal set; }

        /// <summary>The "via" clause (Microsoft writes "Frontend Transport").</summary>
        public string? Via { get; internal set; }

        /// <summary>The receiver's queue or message id.</summary>
        public string? Id { get; internal set; }

        /// <summary>The recipient named in the "for" clause, without angle brackets.</summary>
        public string? For { get; internal set; }

        /// <summary>envelope-from recorded in a comment (Exim, Sendmail).</summary>
        public string? EnvelopeFrom { get; internal set; }

        /// <summary>TLS1_2, TLSv1.3, ... as the receiver wrote it.</summary>
        public string? TlsVersion { get; internal set; }

        /// <summary>The cipher suite as the receiver wrote it.</summary>
        public string? TlsCipher { get; internal set; }

        /// <summary>True when the hop recorded TLS (a version, or an "S" protocol per RFC 3848).</summary>
        public bool Encrypted { get; internal set; }

        /// <summary>The date after the last ";" (RFC 5321 §4.4), null when missing or unreadable.</summary>
        public DateTimeOffset? Timestamp { get; internal set; }

        /// <summary>The date text after the last ";" as written.</summary>
        public string? TimestampText { get; internal set; }

        /// <summary>Seconds since the previous hop's timestamp; null when either is missing.</summary>
        public double? DelaySeconds { get; internal set; }

        /// <summary>This hop is stamped earlier than the previous one: clocks disagree or the chain is forged.</summary>
        public bool ClockSkew { get; internal set; }

        /// <summary>The hop where the message entered the receiving organization.</summary>
        public bool IsEdge { get; internal set; }

        /// <summary>The "by" host belongs to the receiving organization.</summary>
        public bool IsInternal { get; internal set; }

        /// <summary>With -Enrich: the client's origin AS ("AS15169 GOOGLE - Google LLC, US").</summary>
        public string? Owner { get; internal set; }

        /// <summary>With -Enrich: the client's blocklist status (Get-MailIpReport's Status).</summary>
        public string? IpStatus { get; internal set; }

        /// <summary>With -Enrich: the client's listings, "zone=code; zone=code" (empty when none).</summary>
        public string? Listings { get; internal set; }

        /// <summary>
        /// Why the client of an internal hop is inside the organization too (loopback, a content
        /// filter, the same host, a private address, a host of the organization, a third-party
        /// gateway in front of it), so the hop is not the edge; null for the edge and the hops below it.
        /// </summary>
        public string? InternalReason { get; internal set; }

        /// <summary>The Received field's value as written, unfolded.</summary>
        public string Raw { get; }

        /// <summary>"2: from host [ip] by host with ESMTPS at 2026-11-16 09:14:02Z" (no "; " inside: a list of hops in a CSV cell reads one by one).</summary>
        public override string ToString() =>
            $"{Number}: from {FromHost ?? "?"} [{FromIp ?? "?"}] by {ByHost ?? "?"} with {With ?? "?"} at {Timestamp?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "no date"}";
    }
}
