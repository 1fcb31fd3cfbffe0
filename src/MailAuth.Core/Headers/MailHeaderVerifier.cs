using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dkim;
using MailAuth.Dmarc;
using MailAuth.Dns;
using MailAuth.Spf;
using MimeKit;
using MailAuth.Findings;

namespace MailAuth.Headers
{
    /// <summary>Settings of <see cref="MailHeaderVerifier"/>. All optional.</summary>
    public sealed class MailHeaderVerifyOptions
    {
        /// <summary>"Now" for DKIM signature expiry (x=); the clock when null (tests and suites pin it).</summary>
        public DateTimeOffset? Now { get; set; }

        /// <summary>SPF limits and trace hook; defaults when null.</summary>
        public SpfEvaluationOptions? Spf { get; set; }

        /// <summary>DMARC options; when null, report-destination checks and method comparison are off (not needed to re-judge a message).</summary>
        public DmarcOptions? Dmarc { get; set; }

        /// <summary>DKIM acceptance settings (minimum RSA key, rsa-sha1, expiry).</summary>
        public DkimVerifierSettings? Dkim { get; set; }
    }

    /// <summary>
    /// -Verify: recomputes SPF (edge client IP, envelope sender, HELO), DKIM (MimeKit's DkimVerifier;
    /// with the header alone, the key record and header signature only), ARC (MimeKit's ArcVerifier)
    /// and DMARC (with those recomputed results) and sets them beside what the trusted receiver
    /// recorded. Thread-safe; the resolver's cache serves the DKIM keys of an mbox's messages.
    /// </summary>
    public sealed class MailHeaderVerifier
    {
        private readonly IDnsResolver _resolver;
        private readonly MailHeaderVerifyOptions _options;

        public MailHeaderVerifier(IDnsResolver resolver, MailHeaderVerifyOptions? options = null)
        {
            _resolver = resolver ?? throw new ArgumentNullException(nameof(resolver));
            _options = options ?? new MailHeaderVerifyOptions();
        }

        /// <summary>One-off verification; see <see cref="VerifyAsync(MailHeaderReport, object?, CancellationToken)"/>.</summary>
        public static Task<MailHeaderVerification> VerifyAsync(MailHeaderReport report, object? message, IDnsResolver resolver,
            MailHeaderVerifyOptions? options = null, CancellationToken cancellationToken = default)
        {
            return new MailHeaderVerifier(resolver, options).VerifyAsync(report, message, cancellationToken);
        }

        /// <summary>
        /// Verifies <paramref name="report"/>'s message now, sets <see cref="MailHeaderReport.Verification"/>
        /// and returns it. The message is, in this order: <paramref name="message"/> (a MimeMessage, the
        /// raw message as string or byte[], a Stream, or a FileInfo), the message the analyzer kept
        /// (<see cref="MailHeaderOptions.KeepMessageForVerification"/>; released afterwards), else the
        /// report's header fields alone (DKIM body hashes and the ARC message signature are then not checked).
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="report"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="message"/> is of another type or cannot be parsed as a message.</exception>
        /// <exception cref="OperationCanceledException">Cancelled.</exception>
        public async Task<MailHeaderVerification> VerifyAsync(MailHeaderReport report, object? message = null,
            CancellationToken cancellationToken = default)
        {
            if (report is null)
            {
                throw new ArgumentNullException(nameof(report));
            }

            var (mime, bodyPresent) = message != null ? (Parse(message), true) : FromReport(report);
            var now = _options.Now ?? DateTimeOffset.UtcNow;
            var v = new MailHeaderVerification { VerifiedAt = now, BodyVerified = bodyPresent };
            var findings = new List<Finding>();
            var comparisons = new List<VerdictComparison>();

            // SPF runs beside the DKIM/ARC work; DKIM and ARC run one after the other because both
            // stream the same MimeMessage, whose content streams are not safe to read concurrently.
            // The answers this verification used are its DNS evidence; DKIM keys are looked up
            // through the same recorder, so they are in it too (the resolver's cache still serves them).
            var dns = new RecordingDnsResolver(_resolver);
            var dkim = new DkimMessageVerifier(new DnsDkimPublicKeyLocator(dns), _options.Dkim);
            var spfTask = RecomputeSpfAsync(dns, report, v, cancellationToken);
            var signatures = await dkim.VerifySignaturesAsync(mime, bodyPresent, now, cancellationToken).ConfigureAwait(false);
            var arc = await dkim.VerifyArcAsync(mime, bodyPresent, cancellationToken).ConfigureAwait(false);
            await spfTask.ConfigureAwait(false);

            v.DkimSignatures = ResultList.From(signatures);
            v.DkimNow = signatures.Count == 0 ? "none"
                : signatures.Any(s => s.ResultCode == DkimVerifyResult.Pass) ? "pass" : signatures[0].ResultKeyword;
            v.Arc = arc;
            v.ArcNow = arc.Result;

            await RecomputeDmarcAsync(dns, report, v, signatures, cancellationToken).ConfigureAwait(false);

            v.SpfRecorded = Lower(report.Spf);
            v.DkimRecorded = Lower(report.Dkim);
            v.ArcRecorded = Lower(report.Arc);
            v.DmarcRecorded = Lower(report.Dmarc);

            Compare(report, v, signatures, bodyPresent, comparisons, findings);
            v.Comparisons = ResultList.From(comparisons);
            v.Disagreements = comparisons.Count(c => c.Agrees == false);
            v.Findings = FindingResults.From(findings.OrderByDescending(f => f.SeverityCode).ToArray());

            // The verification sits under the report, its SPF and DMARC results one level further:
            // DNS responses and the parsed DMARC tags would land past ConvertTo-Json -Depth 4. The
            // SPF trace keeps each answer as text; Test-Spf and Resolve-DmarcPolicy give the objects.
            v.Spf?.OmitDnsResponses();
            v.SpfHelo?.OmitDnsResponses();
            v.Dmarc?.OmitDnsResponses();
            v.Dmarc?.OmitParsedRecord();

            report.Verification = v;
            report.DnsEvidence = DnsEvidence.From(dns.Responses);
            report.RetainedMessage = null;
            return v;
        }

        // ---- Input ----------------------------------------------------------------------------

        private static MimeMessage Parse(object message)
        {
            try
            {
                switch (message)
                {
                    case MimeMessage m:
                        return m;
                    case string text:
                        return Load(Encoding.UTF8.GetBytes(text));
                    case byte[] bytes:
                        return Load(bytes);
                    case Stream stream:
                        return MimeMessage.Load(stream);
                    case FileInfo file:
                        return MimeMessage.Load(file.FullName);
                    default:
                        throw new ArgumentException(
                            $"Cannot verify a {message.GetType().FullName}; pass a MimeMessage, the raw message (string, byte[], Stream) or a FileInfo.", nameof(message));
                }
            }
            catch (FormatException e)
            {
                throw new ArgumentException("The message cannot be parsed: " + e.Message, nameof(message), e);
            }
        }

        private static MimeMessage Load(byte[] bytes)
        {
            using (var stream = new MemoryStream(bytes, writable: false))
            {
                return MimeMessage.Load(stream);
            }
        }

        private static (MimeMessage Message, bool BodyPresent) FromReport(MailHeaderReport report)
        {
            switch (report.RetainedMessage)
            {
                case MimeMessage mime:
                    return (mime, mime.Body != null);
                case string text:
                    try
                    {
                        return (Load(Encoding.UTF8.GetBytes(text)), report.HasBody);
                    }
                    catch (FormatException)
                    {
                        break;
                    }
            }

            // The header fields alone, rebuilt as a header block (RFC 5322 §2.2) with an empty body.
            var sb = new StringBuilder();
            foreach (var f in report.Headers)
            {
                sb.Append(f.Name).Append(": ").Append(f.RawValue.Replace("\r\n", "\n").Replace("\n", "\r\n")).Append("\r\n");
            }

            sb.Append("\r\n");
            try
            {
                return (Load(Encoding.UTF8.GetBytes(sb.ToString())), false);
            }
            catch (FormatException)
            {
                return (new MimeMessage(), false);
            }
        }

        // ---- SPF ------------------------------------------------------------------------------

        private async Task RecomputeSpfAsync(IDnsResolver dns, MailHeaderReport report, MailHeaderVerification v, CancellationToken cancellationToken)
        {
            if (string.IsNullOrEmpty(report.ClientIP) || !ClientAddress.TryParse(report.ClientIP, out var ip))
            {
                v.SpfNote = "No client IP at the edge hop: SPF cannot be recomputed (RFC 7208 §4.1 needs the connecting address).";
                return;
            }

            string? sender = report.EnvelopeSender?.Trim().Trim('<', '>');
            if (!string.IsNullOrEmpty(sender) && sender!.IndexOf('@') < 0)
            {
                // Microsoft records only the MAIL FROM domain; RFC 7208 §4.3 takes "postmaster" as local-part.
                sender = "postmaster@" + sender;
            }

            string? helo = string.IsNullOrWhiteSpace(report.Helo) ? null : report.Helo;
            if (string.IsNullOrEmpty(sender) && helo == null)
            {
                v.SpfNote = "Neither an envelope sender nor a HELO name was recorded: SPF cannot be recomputed.";
                return;
            }

            var evaluator = new SpfEvaluator(dns, _options.Spf);
            try
            {
                // The HELO identity on its own (RFC 7208 §2.3) beside the MAIL FROM check.
                var heloTask = helo == null || string.IsNullOrEmpty(sender)
                    ? Task.FromResult<SpfResult?>(null)
                    : CheckHeloAsync(evaluator, ip, helo, cancellationToken);
                v.Spf = await evaluator.CheckAsync(ip, sender, helo, _options.Spf, cancellationToken).ConfigureAwait(false);
                v.SpfNow = v.Spf.ResultKeyword;
                v.SpfHelo = await heloTask.ConfigureAwait(false);
                v.SpfHeloNow = v.SpfHelo?.ResultKeyword;
            }
            catch (ArgumentException e)
            {
                v.SpfNote = "SPF cannot be recomputed: " + e.Message;
            }
        }

        private async Task<SpfResult?> CheckHeloAsync(SpfEvaluator evaluator, IPAddress ip, string helo, CancellationToken cancellationToken)
        {
            try
            {
                return await evaluator.CheckHeloAsync(ip, helo, _options.Spf, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException)
            {
                return null;
            }
        }

        // ---- DMARC ----------------------------------------------------------------------------

        private async Task RecomputeDmarcAsync(IDnsResolver dns, MailHeaderReport report, MailHeaderVerification v,
            IReadOnlyList<DkimSignatureVerification> signatures, CancellationToken cancellationToken)
        {
            if (string.IsNullOrEmpty(report.FromDomain))
            {
                v.DmarcNote = "No From domain: DMARC cannot be evaluated (RFC 7489 §6.6.1).";
                return;
            }

            var query = new DmarcQuery(report.FromDomain!);
            if (v.Spf != null)
            {
                query.MailFromDomain = v.Spf.Domain;
                query.SpfResult = v.Spf.ResultKeyword;
            }
            else
            {
                query.SpfResult = "none";
            }

            foreach (var s in signatures)
            {
                if (!string.IsNullOrEmpty(s.Domain) && DmarcResolver.TryGetDomain(s.Domain, out _, out _))
                {
                    query.DkimResults.Add(new DkimSignatureResult(s.Domain!, s.ResultKeyword, s.Selector));
                }
            }

            var options = _options.Dmarc ?? new DmarcOptions { CompareMethods = false, CheckReportAuthorization = false };
            try
            {
                v.Dmarc = await new DmarcResolver(dns).ResolveAsync(query, options, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                v.DmarcNote = "DMARC cannot be evaluated: " + e.Message;
                return;
            }

            v.DmarcNow = v.Dmarc.DmarcResult?.ToString().ToLowerInvariant()
                ?? (v.Dmarc.StatusCode == DmarcStatus.LookupFailed ? "temperror" : "none");
            v.DispositionNow = v.Dmarc.DispositionCode?.ToString().ToLowerInvariant();
            bool unverifiedDkim = signatures.Any(s => !s.BodyChecked && s.ResultCode == DkimVerifyResult.Neutral);
            v.DmarcNote = unverifiedDkim && v.DmarcNow != "pass"
                ? "DKIM could not be fully verified without the body, so this DMARC result rests on SPF alone; with the body it may pass."
                : v.Dmarc.Reason;
        }

        // ---- Comparison -----------------------------------------------------------------------

        private static void Compare(MailHeaderReport report, MailHeaderVerification v, IReadOnlyList<DkimSignatureVerification> signatures,
            bool bodyPresent, List<VerdictComparison> comparisons, List<Finding> findings)
        {
            // SPF.
            if (v.SpfNow == null)
            {
                findings.Add(new Finding(FindingCatalog.Header.VerifySpfSkipped, v.SpfNote ?? "SPF was not recomputed.", report.ClientIP));
                comparisons.Add(new VerdictComparison("spf", null, v.SpfRecorded, null, null, v.SpfNote ?? "Not recomputed."));
            }
            else
            {
                string subject = $"{v.Spf!.Domain} from {v.Spf.IPAddress}";
                bool? agrees = v.SpfRecorded == null ? (bool?)null : v.SpfRecorded == v.SpfNow;
                comparisons.Add(new VerdictComparison("spf", subject, v.SpfRecorded, v.SpfNow, agrees,
                    agrees == null ? "Nothing recorded to compare with." : v.Spf.Reason));
                if (agrees == false)
                {
                    findings.Add(new Finding(FindingCatalog.Header.VerifySpfDiffers, Severity(v.SpfRecorded, v.SpfNow),
                        $"SPF was recorded as {v.SpfRecorded}, recomputed now as {v.SpfNow} for {v.Spf.IPAddress} and {v.Spf.Sender}: " +
                        $"the SPF record changed since, or the receiver saw a different IP. Now: {v.Spf.Reason}", subject));
                }
            }

            // DKIM: per recorded signature result, matched by d= (and s= when recorded).
            if (!bodyPresent && signatures.Count > 0)
            {
                findings.Add(new Finding(FindingCatalog.Header.VerifyBodyMissing,
                    "Only the header is available: DKIM body hashes (bh=) and the ARC message signature cannot be checked, " +
                    "so DKIM is at best neutral here. Key records and header signatures were checked. Verify the whole message (.eml) for a full result.", null));
            }

            foreach (var s in signatures.Where(s => s.Key != null && !s.Key.IsUsable))
            {
                findings.Add(new Finding(FindingCatalog.Header.VerifyDkimKey,
                    s.ResultCode == DkimVerifyResult.TempError ? FindingSeverity.Information : FindingSeverity.Warning,
                    $"The key of d={s.Domain} s={s.Selector} is not usable now ({s.ResultKeyword}): {s.Reason}" +
                    (s.ResultCode == DkimVerifyResult.PermError ? " Keys are often rotated or removed after some time; for old mail this is expected." : ""),
                    s.Key!.QueryName));
            }

            var recorded = report.DkimResults;
            if (recorded.Count > 0)
            {
                foreach (var r in recorded)
                {
                    var match = signatures.FirstOrDefault(s => string.Equals(s.Domain, r.Domain, StringComparison.OrdinalIgnoreCase)
                        && (r.Selector == null || string.Equals(s.Selector, r.Selector, StringComparison.OrdinalIgnoreCase)));
                    CompareDkim(match, r.Domain, r.Selector, Lower(r.Result), comparisons, findings);
                }
            }
            else if (v.DkimRecorded != null)
            {
                CompareDkim(signatures.FirstOrDefault(s => s.ResultCode == DkimVerifyResult.Pass) ?? signatures.FirstOrDefault(),
                    null, null, v.DkimRecorded, comparisons, findings);
            }

            // ARC.
            if (v.ArcRecorded != null || (v.ArcNow != null && v.ArcNow != "none"))
            {
                bool? agrees = v.ArcRecorded == null || v.ArcNow == null ? (bool?)null : v.ArcRecorded == v.ArcNow;
                comparisons.Add(new VerdictComparison("arc", null, v.ArcRecorded, v.ArcNow, agrees, v.Arc?.Reason ?? ""));
                if (agrees == false)
                {
                    findings.Add(new Finding(FindingCatalog.Header.VerifyArcDiffers, Severity(v.ArcRecorded, v.ArcNow),
                        $"ARC was recorded as {v.ArcRecorded}, validates now as {v.ArcNow}: {v.Arc?.Reason}", null));
                }
            }

            // DMARC.
            if (v.DmarcNow != null || v.DmarcRecorded != null)
            {
                bool inconclusive = v.DmarcNow == null || v.DmarcRecorded == null
                    || (v.DmarcNow != "pass" && signatures.Any(s => !s.BodyChecked && s.ResultCode == DkimVerifyResult.Neutral));
                bool? agrees = inconclusive ? (bool?)null : SameDmarc(v.DmarcRecorded!, v.DmarcNow!);
                comparisons.Add(new VerdictComparison("dmarc", report.FromDomain, v.DmarcRecorded, v.DmarcNow, agrees, v.DmarcNote ?? ""));
                if (agrees == false)
                {
                    findings.Add(new Finding(FindingCatalog.Header.VerifyDmarcDiffers, Severity(v.DmarcRecorded, v.DmarcNow),
                        $"DMARC was recorded as {v.DmarcRecorded}, evaluates now as {v.DmarcNow} for {report.FromDomain}: " +
                        $"the DMARC record or the SPF/DKIM results it rests on changed since. Now: {v.DmarcNote}", report.FromDomain));
                }
                else if (agrees == null && v.DmarcNow != null && v.DmarcRecorded != null)
                {
                    findings.Add(new Finding(FindingCatalog.Header.VerifyDmarcIncomplete,
                        $"DMARC was recorded as {v.DmarcRecorded} and is {v.DmarcNow} now on SPF alone; without the body DKIM cannot count, so the two are not compared.",
                        report.FromDomain));
                }
            }
        }

        private static void CompareDkim(DkimSignatureVerification? match, string? domain, string? selector, string? recorded,
            List<VerdictComparison> comparisons, List<Finding> findings)
        {
            string subject = domain == null ? "summary" : $"d={domain}" + (selector == null ? "" : " s=" + selector);
            if (match == null)
            {
                comparisons.Add(new VerdictComparison("dkim", subject, recorded, null, null,
                    "No DKIM-Signature in the header matches this recorded result (it may have been removed after the receiver checked it)."));
                return;
            }

            string now = match.ResultKeyword;
            if (!match.BodyChecked && match.ResultCode == DkimVerifyResult.Neutral)
            {
                comparisons.Add(new VerdictComparison("dkim", subject, recorded, now, null, match.Reason));
                return;
            }

            bool? agrees = recorded == null ? (bool?)null : recorded == now;
            comparisons.Add(new VerdictComparison("dkim", subject, recorded, now, agrees, match.Reason));
            if (agrees == false)
            {
                findings.Add(new Finding(FindingCatalog.Header.VerifyDkimDiffers, Severity(recorded, now),
                    $"DKIM for {subject} was recorded as {recorded}, verifies now as {now}: {match.Reason}", subject));
            }
        }

        // Microsoft's dmarc=bestguesspass means "no DMARC record, but it would pass": the same as none now.
        private static bool SameDmarc(string recorded, string now) =>
            recorded == now || (recorded == "bestguesspass" && now == "none");

        // A verdict that turned from pass to something else (or the reverse) matters most; a DNS
        // failure now only says to try again.
        private static FindingSeverity Severity(string? recorded, string? now) =>
            now == "temperror" ? FindingSeverity.Information : FindingSeverity.Warning;

        private static string? Lower(string? text) => string.IsNullOrWhiteSpace(text) ? null : text!.Trim().ToLowerInvariant();
    }
}
