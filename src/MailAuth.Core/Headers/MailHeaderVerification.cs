using System;
using System.Collections.Generic;
using MailAuth.Dkim;
using MailAuth.Dmarc;
using MailAuth.Dns;
using MailAuth.Spf;

namespace MailAuth.Headers
{
    /// <summary>
    /// -Verify: SPF, DKIM, ARC and DMARC recomputed now, beside what the receiver recorded then.
    /// Flat strings first (they survive Export-Csv), detail after.
    /// </summary>
    public sealed class MailHeaderVerification
    {
        internal MailHeaderVerification()
        {
        }

        // ---- Flat summary -------------------------------------------------------------------

        /// <summary>SPF recomputed now for the edge client IP, envelope sender and HELO (RFC 7208 §8 keyword); null when it could not be.</summary>
        public string? SpfNow { get; internal set; }

        /// <summary>SPF of the HELO identity alone (RFC 7208 §2.3) for the edge client; null without a HELO or when MAIL FROM was empty (then SpfNow is already the HELO check).</summary>
        public string? SpfHeloNow { get; internal set; }

        /// <summary>The SPF result the receiver recorded (the report's Spf), lower case.</summary>
        public string? SpfRecorded { get; internal set; }

        /// <summary>"pass" when any signature verifies now, else the first signature's result, "none" without signatures (RFC 8601 §2.7.1).</summary>
        public string? DkimNow { get; internal set; }

        public string? DkimRecorded { get; internal set; }

        /// <summary>none, pass or fail (RFC 8617); null when the chain could not be decided (body missing).</summary>
        public string? ArcNow { get; internal set; }

        public string? ArcRecorded { get; internal set; }

        /// <summary>DMARC evaluated now with the recomputed SPF and DKIM results (pass, fail, none, temperror, permerror).</summary>
        public string? DmarcNow { get; internal set; }

        public string? DmarcRecorded { get; internal set; }

        /// <summary>The disposition DMARC asks for now: none, quarantine, reject.</summary>
        public string? DispositionNow { get; internal set; }

        /// <summary>Recorded and recomputed verdicts that differ.</summary>
        public int Disagreements { get; internal set; }

        /// <summary>The body was there, so DKIM body hashes and the ARC message signature were checked.</summary>
        public bool BodyVerified { get; internal set; }

        /// <summary>The time used for "now" (signature expiry).</summary>
        public DateTimeOffset VerifiedAt { get; internal set; }

        // ---- Detail ---------------------------------------------------------------------------

        /// <summary>The SPF evaluation, with its trace.</summary>
        public SpfResult? Spf { get; internal set; }

        /// <summary>The HELO identity's evaluation.</summary>
        public SpfResult? SpfHelo { get; internal set; }

        /// <summary>Why SPF was not recomputed, when it was not.</summary>
        public string? SpfNote { get; internal set; }

        /// <summary>Each DKIM-Signature, top first.</summary>
        public ResultList<DkimSignatureVerification> DkimSignatures { get; internal set; } = ResultList<DkimSignatureVerification>.Empty;

        public ArcChainVerification? Arc { get; internal set; }

        /// <summary>The DMARC policy and evaluation for the From domain.</summary>
        public DmarcPolicy? Dmarc { get; internal set; }

        /// <summary>Why DMARC was not evaluated, or what it rests on.</summary>
        public string? DmarcNote { get; internal set; }

        /// <summary>Each verdict the receiver recorded next to the recomputed one.</summary>
        public ResultList<VerdictComparison> Comparisons { get; internal set; } = ResultList<VerdictComparison>.Empty;

        /// <summary>Disagreements and notes (HDR-VERIFY-*), most severe first.</summary>
        public ResultList<Finding> Findings { get; internal set; } = ResultList<Finding>.Empty;

        public override string ToString() =>
            $"now: spf={SpfNow ?? "-"} dkim={DkimNow ?? "-"} arc={ArcNow ?? "-"} dmarc={DmarcNow ?? "-"}, {Disagreements} disagreement(s)";
    }

    /// <summary>One recorded verdict beside its recomputed value.</summary>
    public sealed class VerdictComparison
    {
        internal VerdictComparison(string method, string? subject, string? recorded, string? now, bool? agrees, string note)
        {
            Method = method;
            Subject = subject;
            Recorded = recorded;
            Now = now;
            Agrees = agrees;
            Note = note;
        }

        /// <summary>spf, dkim, arc, dmarc.</summary>
        public string Method { get; }

        /// <summary>What was compared, e.g. "d=example.com s=sel1" or the SPF domain.</summary>
        public string? Subject { get; }

        public string? Recorded { get; }

        public string? Now { get; }

        /// <summary>True/false; null when the comparison cannot be made (nothing recorded, or not recomputable).</summary>
        public bool? Agrees { get; }

        public string Note { get; }

        public override string ToString() => $"{Method}{(Subject == null ? "" : " " + Subject)}: recorded {Recorded ?? "-"}, now {Now ?? "-"}";
    }
}
