using System;
using System.Collections.Generic;
using System.Linq;
using MailAuth.Findings;
using static MailAuth.Headers.MailHeaderReportBuilder;

namespace MailAuth.Headers
{
    /// <summary>HDR-DMARC-FAIL: the receiving organization recorded dmarc=fail (RFC 7489 §6.6.2).</summary>
    internal sealed class DmarcFailRule : IHeaderRule
    {
        public FindingDefinition Definition => FindingCatalog.Header.DmarcFail;

        public IEnumerable<Finding> Check(MailHeaderFacts f)
        {
            if (f.Trusted.Count > 0 && f.Report.Dmarc == "fail")
            {
                yield return new Finding(Definition,
                    $"The receiver recorded dmarc=fail for {f.Report.FromDomain ?? "the From domain"}: neither SPF nor DKIM authenticated it"
                    + (f.Report.DmarcPolicy != null ? $" (policy p={f.Report.DmarcPolicy}" + (f.Report.DmarcAction != null ? $", action {f.Report.DmarcAction})" : ")") : "") + ".",
                    Describe(f.TrustedResults("dmarc").First()));
            }
        }
    }

    /// <summary>HDR-DMARC-NONE: the receiver recorded dmarc=none: the From domain publishes no policy (RFC 7489 §6.6.3).</summary>
    internal sealed class DmarcNoneRule : IHeaderRule
    {
        public FindingDefinition Definition => FindingCatalog.Header.DmarcNone;

        public IEnumerable<Finding> Check(MailHeaderFacts f)
        {
            if (f.Trusted.Count > 0 && f.Report.Dmarc == "none")
            {
                yield return new Finding(Definition,
                    $"The receiver recorded dmarc=none for {f.Report.FromDomain ?? "the From domain"}: it publishes no DMARC policy, so a forged From is not rejected.",
                    Describe(f.TrustedResults("dmarc").First()));
            }
        }
    }

    /// <summary>HDR-DMARC-NOT-RECORDED: trusted results, but no dmarc among them (RFC 8601 §2.7.1).</summary>
    internal sealed class DmarcNotRecordedRule : IHeaderRule
    {
        public FindingDefinition Definition => FindingCatalog.Header.DmarcNotRecorded;

        public IEnumerable<Finding> Check(MailHeaderFacts f)
        {
            if (f.Trusted.Count > 0 && f.Report.Dmarc == null)
            {
                yield return new Finding(Definition, "The receiving organization recorded no DMARC result.", null);
            }
        }
    }

    /// <summary>
    /// HDR-DKIM-NONE: no DKIM-Signature, and no trusted dkim result other than none: nothing ties the
    /// content to a domain (RFC 6376 §3.5). Without trusted results, the signatures alone decide.
    /// </summary>
    internal sealed class DkimNoneRule : IHeaderRule
    {
        public FindingDefinition Definition => FindingCatalog.Header.DkimNone;

        public IEnumerable<Finding> Check(MailHeaderFacts f)
        {
            bool unsigned = f.Report.DkimSignatures.Count == 0;
            bool none = f.Trusted.Count > 0
                ? unsigned && (f.DkimResults.Count == 0 || f.DkimResults.All(d => d.Result == "none"))
                : unsigned && f.Fields.Count > 0;
            if (none)
            {
                yield return new Finding(Definition, "The message carries no DKIM signature: nothing ties its content to a domain.", null);
            }
        }
    }

    /// <summary>
    /// HDR-DKIM-FAIL: each trusted dkim result other than pass or none. A signature broken on the way
    /// (a list's subject tag, a forwarder's footer) is no alarm when an aligned signature or the
    /// receiver's DMARC pass vouches for the From domain (then Information).
    /// </summary>
    internal sealed class DkimFailRule : IHeaderRule
    {
        public FindingDefinition Definition => FindingCatalog.Header.DkimFail;

        public IEnumerable<Finding> Check(MailHeaderFacts f)
        {
            if (f.Trusted.Count == 0)
            {
                yield break;
            }

            var fromAuthenticated = f.AlignedDkimPass || f.Report.Dmarc == "pass";
            foreach (var d in f.DkimResults.Where(d => d.Result != "pass" && d.Result != "none"))
            {
                yield return new Finding(Definition, fromAuthenticated ? FindingSeverity.Information : FindingSeverity.Warning,
                    $"DKIM {d.Result} for {DkimDomain(d) ?? "a signature"}" + (d.Reason != null ? $" ({d.Reason})" : d.Comment != null ? $" ({d.Comment})" : "")
                    + (fromAuthenticated ? $"; {(f.AlignedDkimPass ? "an aligned signature" : "DMARC")} still authenticates {f.Report.FromDomain}." : "."),
                    Describe(d));
            }
        }
    }

    /// <summary>
    /// HDR-DKIM-UNALIGNED: DKIM passed, but only for domains not aligned with From (RFC 7489
    /// §3.1.1). A pass that names no domain (Zoho's "dkim=pass" without header.d/header.i) cannot be
    /// called unaligned; with the receiver's dmarc=pass it is only a note.
    /// </summary>
    internal sealed class DkimUnalignedRule : IHeaderRule
    {
        public FindingDefinition Definition => FindingCatalog.Header.DkimUnaligned;

        public IEnumerable<Finding> Check(MailHeaderFacts f)
        {
            var passes = f.DkimResults.Where(d => d.Result == "pass").ToList();
            if (f.Trusted.Count > 0 && f.FromOrg != null && passes.Count > 0 && !f.AlignedDkimPass && passes.All(d => DkimDomain(d) != null))
            {
                var dmarc = f.Report.Dmarc;
                var domains = passes.Select(DkimDomain).Distinct(StringComparer.OrdinalIgnoreCase);
                yield return new Finding(Definition, dmarc == "pass" ? FindingSeverity.Information : FindingSeverity.Warning,
                    $"DKIM passed only for {string.Join(", ", domains)}, not aligned with the From domain {f.Report.FromDomain}"
                    + (dmarc == "pass" ? "; the receiver still recorded dmarc=pass." : "."),
                    null);
            }
        }
    }

    /// <summary>HDR-COMPAUTH-FAIL: Microsoft 365's trusted compauth=fail, with the reason's meaning.</summary>
    internal sealed class CompAuthFailRule : IHeaderRule
    {
        public FindingDefinition Definition => FindingCatalog.Header.CompAuthFail;

        public IEnumerable<Finding> Check(MailHeaderFacts f)
        {
            var compauth = f.Trusted.Count > 0 ? f.TrustedResults("compauth").FirstOrDefault() : null;
            if (compauth != null && compauth.Result == "fail")
            {
                var meaning = compauth.Reason != null ? MicrosoftStamps.CompAuthReasonMeaning(compauth.Reason) : null;
                yield return new Finding(Definition,
                    $"Microsoft 365 composite authentication failed (reason {compauth.Reason ?? "none given"}: {meaning ?? "unknown"}).",
                    Describe(compauth));
            }
        }
    }

    /// <summary>
    /// HDR-FUTURE-DATE: RFC 5322 §3.6.1: Date is when the author finished the message, so it cannot be
    /// later than when the receiving organization took it (the edge hop's time, or the first dated
    /// hop above it) beyond clock tolerance. Without a dated edge, "now" is the bound; hops are held
    /// to "now" too.
    /// </summary>
    internal sealed class FutureDateRule : IHeaderRule
    {
        public FindingDefinition Definition => FindingCatalog.Header.FutureDate;

        public IEnumerable<Finding> Check(MailHeaderFacts f)
        {
            var tolerance = f.Options.FutureTolerance;
            var now = f.Options.GetNow();
            var edge = f.Report.EdgeHop;
            var edgeTime = edge?.Timestamp ?? f.Report.Hops.Where(h => edge != null && h.Number > edge.Number && h.Timestamp != null)
                .Select(h => h.Timestamp).FirstOrDefault();
            if (f.Report.Date is DateTimeOffset date)
            {
                if (edgeTime is DateTimeOffset received && date > received + tolerance)
                {
                    var ahead = date - received;
                    yield return new Finding(Definition,
                        $"The Date header ({date.ToUniversalTime():u}) is {FormatSpan(ahead)} after the receiving organization took the message ({received.ToUniversalTime():u}): "
                        + "the sender's clock or time zone is wrong, or the date was set to keep the message on top of the inbox.",
                        f.Report.DateText);
                }
                else if (edgeTime == null && date > now + tolerance)
                {
                    yield return new Finding(Definition,
                        $"The Date header ({date.ToUniversalTime():u}) is in the future.", f.Report.DateText);
                }
            }

            foreach (var hop in f.Report.Hops.Where(h => h.Timestamp > now + tolerance))
            {
                yield return new Finding(Definition,
                    $"Hop {hop.Number} is dated in the future ({hop.Timestamp:u}).", hop.Raw);
            }
        }

        private static string FormatSpan(TimeSpan span) =>
            span.TotalDays >= 2 ? $"{span.TotalDays:0} days"
            : span.TotalHours >= 2 ? $"{span.TotalHours:0} hours"
            : $"{span.TotalMinutes:0} minutes";
    }
}
