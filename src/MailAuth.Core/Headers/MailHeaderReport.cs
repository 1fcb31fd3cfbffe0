using System;
using System.Collections.Generic;

namespace MailAuth.Headers
{
    /// <summary>One DKIM outcome as the receiver recorded it in Authentication-Results.</summary>
    public sealed class RecordedDkimResult
    {
        public RecordedDkimResult(string domain, string result, string? selector)
        {
            Domain = domain;
            Result = result;
            Selector = selector;
        }

        /// <summary>header.d (or the domain of header.i).</summary>
        public string Domain { get; }

        public string Result { get; }

        public string? Selector { get; }

        public override string ToString() => $"{Domain}:{Result}";
    }

    /// <summary>
    /// Header forensics for one message. The first properties are flat strings and numbers
    /// (they survive Export-Csv); the detail (hops, results, stamps, findings, headers) follows.
    /// </summary>
    public sealed class MailHeaderReport
    {
        internal MailHeaderReport()
        {
        }

        // ---- Flat summary -------------------------------------------------------------------

        /// <summary>The From header as written (decoded), e.g. "Alice &lt;alice@example.com&gt;".</summary>
        public string? From { get; internal set; }

        public string? ReturnPath { get; internal set; }

        /// <summary>The connecting client at the edge hop: the address the receiving organization saw.</summary>
        public string? ClientIP { get; internal set; }

        /// <summary>HELO/EHLO name at the edge hop.</summary>
        public string? Helo { get; internal set; }

        /// <summary>spf result recorded by the trusted authserv-id (or the Received-SPF above the edge).</summary>
        public string? Spf { get; internal set; }

        /// <summary>dkim result: "pass" when any signature passed, else the first result.</summary>
        public string? Dkim { get; internal set; }

        public string? Dmarc { get; internal set; }

        /// <summary>The From domain's DMARC policy (p=) as the trusted receiver recorded it: none, quarantine, reject.</summary>
        public string? DmarcPolicy { get; internal set; }

        /// <summary>
        /// What the trusted receiver did with the DMARC result: Microsoft 365's action= (none,
        /// pct.quarantine, pct.reject, oreject, ...), else the disposition it applied (dis=).
        /// </summary>
        public string? DmarcAction { get; internal set; }

        /// <summary>
        /// Each DKIM outcome the trusted authserv-id recorded, with its d= domain: the input DMARC
        /// evaluation needs (binds into Resolve-DmarcPolicy -DkimResult by property name).
        /// </summary>
        public ResultList<RecordedDkimResult> DkimResults { get; internal set; } = ResultList<RecordedDkimResult>.Empty;

        /// <summary>arc result recorded by the trusted authserv-id (RFC 8617 §4.2: pass, fail, none).</summary>
        public string? Arc { get; internal set; }

        /// <summary>Microsoft 365's composite authentication result (pass, fail, softpass, none).</summary>
        public string? CompAuth { get; internal set; }

        /// <summary>The compauth reason code, e.g. "001".</summary>
        public string? CompAuthReason { get; internal set; }

        /// <summary>Spam confidence level (X-MS-Exchange-Organization-SCL, else X-Forefront-Antispam-Report SCL).</summary>
        public int? Scl { get; internal set; }

        public int? Bcl { get; internal set; }

        public int HopCount { get; internal set; }

        /// <summary>Seconds from the first to the last dated hop.</summary>
        public double? TotalDelay { get; internal set; }

        public int FindingCount { get; internal set; }

        /// <summary>The most severe finding as "Id: message".</summary>
        public string? TopFinding { get; internal set; }

        /// <summary>With -Verify: SPF as DNS says now (flat, for Export-Csv; detail in <see cref="Verification"/>).</summary>
        public string? SpfNow => Verification?.SpfNow;

        /// <summary>With -Verify: DKIM as verified now.</summary>
        public string? DkimNow => Verification?.DkimNow;

        /// <summary>With -Verify: DMARC as evaluated now.</summary>
        public string? DmarcNow => Verification?.DmarcNow;

        /// <summary>With -Verify: how many recomputed verdicts differ from the recorded ones.</summary>
        public int? Disagreements => Verification?.Disagreements;

        // ---- Identities -----------------------------------------------------------------------

        public string? FromDisplayName { get; internal set; }

        public string? FromAddress { get; internal set; }

        public string? FromDomain { get; internal set; }

        /// <summary>The Sender header (RFC 5322 §3.6.2); named apart from the envelope sender so it never binds as -Sender.</summary>
        public string? SenderHeader { get; internal set; }

        /// <summary>Reply-To addresses, comma separated.</summary>
        public string? ReplyTo { get; internal set; }

        /// <summary>The RFC 5321 MAIL FROM as recorded by the receiver (smtp.mailfrom, Received-SPF envelope-from, Return-Path).</summary>
        public string? EnvelopeSender { get; internal set; }

        /// <summary>The domain of <see cref="EnvelopeSender"/> (Microsoft records only the domain).</summary>
        public string? EnvelopeDomain { get; internal set; }

        /// <summary>Where <see cref="EnvelopeSender"/> came from: smtp.mailfrom, Received-SPF, Return-Path.</summary>
        public string? EnvelopeSenderSource { get; internal set; }

        public string? XSender { get; internal set; }

        public string? XOriginatingIp { get; internal set; }

        public string? MessageId { get; internal set; }

        public string? MessageIdDomain { get; internal set; }

        public string? To { get; internal set; }

        public string? Cc { get; internal set; }

        public string? Subject { get; internal set; }

        public DateTimeOffset? Date { get; internal set; }

        /// <summary>The Date header as written (kept when it cannot be parsed).</summary>
        public string? DateText { get; internal set; }

        // ---- Receiving organization and trust ---------------------------------------------------

        /// <summary>Organizational Domains taken as the receiving organization (inferred and given).</summary>
        public ResultList<string> ReceivingDomains { get; internal set; } = ResultList<string>.Empty;

        /// <summary>authserv-ids whose results are believed.</summary>
        public ResultList<string> TrustedAuthServIds { get; internal set; } = ResultList<string>.Empty;

        public MailHop? EdgeHop { get; internal set; }

        // ---- Detail ---------------------------------------------------------------------------

        /// <summary>Received chain in travel order (oldest first).</summary>
        public ResultList<MailHop> Hops { get; internal set; } = ResultList<MailHop>.Empty;

        /// <summary>Authentication-Results and ARC-Authentication-Results, top to bottom.</summary>
        public ResultList<AuthenticationResultsHeader> AuthenticationResults { get; internal set; } = ResultList<AuthenticationResultsHeader>.Empty;

        public ResultList<ReceivedSpfHeader> ReceivedSpf { get; internal set; } = ResultList<ReceivedSpfHeader>.Empty;

        public ResultList<DkimSignatureInfo> DkimSignatures { get; internal set; } = ResultList<DkimSignatureInfo>.Empty;

        /// <summary>ARC sets in instance order (i=1 first).</summary>
        public ResultList<ArcSet> ArcSets { get; internal set; } = ResultList<ArcSet>.Empty;

        public ResultList<MailHeaderStamp> Stamps { get; internal set; } = ResultList<MailHeaderStamp>.Empty;

        /// <summary>Most severe first.</summary>
        public ResultList<Finding> Findings { get; internal set; } = ResultList<Finding>.Empty;

        /// <summary>With -Enrich: the named domains that domain blocklists list, "domain: zone=code (meaning)".</summary>
        public ResultList<string> DomainListings { get; internal set; } = ResultList<string>.Empty;

        /// <summary>With -Enrich: the lookups that failed or were refused (whether those are listed is unknown).</summary>
        public ResultList<string> EnrichErrors { get; internal set; } = ResultList<string>.Empty;

        /// <summary>Every header field in order, duplicates and unknown ones included.</summary>
        public ResultList<MailHeaderField> Headers { get; internal set; } = ResultList<MailHeaderField>.Empty;

        /// <summary>What the input repair did (leading lines skipped, indentation removed, ...).</summary>
        public ResultList<string> InputNotes { get; internal set; } = ResultList<string>.Empty;

        /// <summary>A body followed the headers (DKIM body hashes could be checked by -Verify).</summary>
        public bool HasBody { get; internal set; }

        /// <summary>File path, "string", "MimeMessage", with the message number for mbox input.</summary>
        public string? Source { get; internal set; }

        /// <summary>1-based position of the message in its input (mbox).</summary>
        public int MessageNumber { get; internal set; } = 1;

        /// <summary>SPF/DKIM/ARC/DMARC recomputed now (<see cref="MailHeaderVerifier"/>); null until verified.</summary>
        public MailHeaderVerification? Verification { get; internal set; }

        /// <summary>
        /// Every DNS answer -Verify (SPF, DMARC, the DKIM and ARC keys: "what DNS says now") and
        /// -Enrich (PTR, ASN, blocklists) used. Here rather than under Verification, so the records
        /// stay within ConvertTo-Json -Depth 4. Empty otherwise: reading headers asks DNS nothing.
        /// </summary>
        public Dns.DnsEvidence DnsEvidence { get; internal set; } = Dns.DnsEvidence.Empty;

        /// <summary>
        /// The whole message kept for <see cref="MailHeaderVerifier"/> when
        /// <see cref="MailHeaderOptions.KeepMessageForVerification"/> is set (a MimeMessage or the
        /// repaired message text); released by the verifier so an mbox stays flat in memory.
        /// </summary>
        internal object? RetainedMessage { get; set; }

        /// <summary>True while a message kept for verification is held (see <see cref="MailHeaderOptions.KeepMessageForVerification"/>).</summary>
        public bool HasRetainedMessage => RetainedMessage != null;

        /// <summary>All header fields with this name, in order (case-insensitive).</summary>
        public IEnumerable<MailHeaderField> GetHeaders(string name)
        {
            foreach (var h in Headers)
            {
                if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    yield return h;
                }
            }
        }

        public override string ToString() =>
            $"From {From ?? "?"} via {ClientIP ?? "?"}: spf={Spf ?? "-"} dkim={Dkim ?? "-"} dmarc={Dmarc ?? "-"}, {FindingCount} finding(s)";
    }
}
