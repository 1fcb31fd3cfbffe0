using System;
using System.Collections.Generic;

namespace MailAuth.Headers
{
    /// <summary>Settings for <see cref="MailHeaderAnalyzer"/>. All optional.</summary>
    public sealed class MailHeaderOptions
    {
        /// <summary>
        /// authserv-ids (RFC 8601 §2.5) whose Authentication-Results are believed. When empty the
        /// receiving organization is inferred from the Received chain (see docs/headers.md).
        /// </summary>
        public IReadOnlyList<string> TrustedAuthServIds { get; set; } = Array.Empty<string>();

        /// <summary>Domains of the receiving organization (for example your accepted domains); added to the inferred ones.</summary>
        public IReadOnlyList<string> ReceivingDomains { get; set; } = Array.Empty<string>();

        /// <summary>
        /// The Organizational Domain seam used for alignment. The default is a two/three-label
        /// approximation; swap in the Public Suffix List engine when it exists.
        /// </summary>
        public MailAuth.Names.IOrganizationalDomainProvider? OrganizationalDomainProvider { get; set; }

        /// <summary>"Now" for the future-date check; the clock when null (tests pin it).</summary>
        public DateTimeOffset? Now { get; set; }

        /// <summary>A delay between two hops at or above this is reported (default one hour).</summary>
        public TimeSpan LargeDelayThreshold { get; set; } = TimeSpan.FromHours(1);

        /// <summary>How far in the future a date may be before it is reported (clock tolerance, default 15 minutes).</summary>
        public TimeSpan FutureTolerance { get; set; } = TimeSpan.FromMinutes(15);

        /// <summary>
        /// Characters of one message kept for analysis (default 32 Mi). Beyond it the rest of the
        /// message is dropped and a finding says so, which bounds memory for line-by-line input.
        /// </summary>
        public int MaxMessageLength { get; set; } = 32 * 1024 * 1024;

        /// <summary>
        /// Characters of header text read per message (default 2 MiB, docs/limits.md): eight times
        /// the largest header Exchange Online accepts (256 KB) and twenty times Postfix's
        /// header_size_limit (102,400), so no real message reaches it. The rest is left out, with
        /// a finding.
        /// </summary>
        public int MaxHeaderLength { get; set; } = 2 * 1024 * 1024;

        /// <summary>
        /// Received fields read as hops (default 100, the loop threshold RFC 5321 §6.3 recommends
        /// MTAs use); the older ones stay header fields only, with a finding.
        /// </summary>
        public int MaxHops { get; set; } = 100;

        /// <summary>Header fields read per message (default 10,000); the rest are left out, with a finding.</summary>
        public int MaxHeaderFields { get; set; } = 10_000;

        /// <summary>
        /// RFC 2047 encoded words decoded in one field (default 1,000); a field with more is shown
        /// as written, undecoded, with a finding. A display name needs a handful.
        /// </summary>
        public int MaxEncodedWordsPerField { get; set; } = 1000;

        /// <summary>
        /// Time one report may take (default 5 s): past it the remaining checks are skipped and a
        /// finding says so. With the limits above no input comes near it (docs/limits.md).
        /// </summary>
        public TimeSpan MaxAnalysisTime { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>
        /// Keep each message whole (headers and body, up to <see cref="MaxMessageLength"/>) on its
        /// report so <see cref="MailHeaderVerifier"/> can verify DKIM body hashes and ARC later.
        /// Off by default: reports then hold no body and an mbox streams with flat memory. When on,
        /// the verifier releases the kept message once it has run, so memory stays flat as long as
        /// each report is verified before the next is read.
        /// </summary>
        public bool KeepMessageForVerification { get; set; }

        internal static MailHeaderOptions Default { get; } = new MailHeaderOptions();

        internal MailAuth.Names.IOrganizationalDomainProvider OrgDomains =>
            OrganizationalDomainProvider ?? MailAuth.Names.OrganizationalDomainService.Embedded;

        internal DateTimeOffset GetNow() => Now ?? DateTimeOffset.UtcNow;
    }
}
