using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MailAuth.Findings;

namespace MailAuth.Headers
{
    /// <summary>HDR-NO-TRUSTED-AUTHRES: Authentication-Results are present, but none by the receiving organization (RFC 8601 §5).</summary>
    internal sealed class NoTrustedResultsRule : IHeaderRule
    {
        public FindingDefinition Definition => FindingCatalog.Header.NoTrustedResults;

        public IEnumerable<Finding> Check(MailHeaderFacts f)
        {
            if (f.Trusted.Count == 0 && f.Report.AuthenticationResults.Any(a => a.HeaderName.Equals("Authentication-Results", StringComparison.OrdinalIgnoreCase)))
            {
                yield return new Finding(Definition,
                    "No Authentication-Results written by the receiving organization were found; the ones present are shown as untrusted.",
                    string.Join(", ", f.Report.AuthenticationResults.Select(a => a.AuthServId ?? "(no authserv-id)").Distinct()));
            }
        }
    }

    /// <summary>
    /// HDR-AUTHRES-BEFORE-EDGE: results that were already in the message when the receiving
    /// organization got it: a sender can write anything there (RFC 8601 §5). Say what they claim
    /// and that it is ignored; borrowing the receiver's own authserv-id suggests forgery.
    /// </summary>
    internal sealed class ResultsBeforeEdgeRule : IHeaderRule
    {
        public FindingDefinition Definition => FindingCatalog.Header.ResultsBeforeEdge;

        public IEnumerable<Finding> Check(MailHeaderFacts f)
        {
            var edge = f.Report.EdgeHop;
            if (edge == null || HeaderRuleFacts.ExplicitTrust(f))
            {
                yield break;
            }

            // The message passed through the organization before (a forward or list inside it):
            // its own earlier results below the edge are not a forgery.
            var visitedBefore = f.Report.Hops.Any(h => h.Number < edge.Number && f.InReceivingOrg(h.ByHost));
            foreach (var early in f.Report.AuthenticationResults.Where(a =>
                a.HeaderName.Equals("Authentication-Results", StringComparison.OrdinalIgnoreCase) && !a.IsTrusted && !f.InReceiverZone(a.HeaderIndex)
                && a.HeaderIndex > edge.HeaderIndex))
            {
                var claims = early.Results.Where(x => x.Result == "pass").Select(x => x.Method + "=pass").Distinct().ToList();
                if (claims.Count == 0)
                {
                    continue;
                }

                var usesOurId = early.AuthServId != null && (f.InReceivingOrg(early.AuthServId) || f.IsInternalHostName(early.AuthServId));
                var forged = usesOurId && !visitedBefore;
                yield return new Finding(Definition, forged ? FindingSeverity.Warning : FindingSeverity.Information,
                    $"An Authentication-Results field by {early.AuthServId ?? "(no authserv-id)"} was in the message before it reached the receiving organization and claims {string.Join(", ", claims)}; it is not believed"
                    + (forged ? ", and it borrows the receiver's own authserv-id, which suggests forgery."
                        : usesOurId ? " (the message passed through the organization before)." : "."),
                    early.Raw);
            }
        }
    }

    /// <summary>
    /// HDR-AUTHRES-NO-AUTHSERVID: Microsoft 365 leaves out the authserv-id (RFC 8601 §2.2 requires
    /// one). Above the edge of a Microsoft 365 receiver the field is believed as its own
    /// (TrustReason says so); anywhere else it is ignored, and that is said rather than left silent.
    /// </summary>
    internal sealed class ResultsWithoutAuthServIdRule : IHeaderRule
    {
        public FindingDefinition Definition => FindingCatalog.Header.ResultsWithoutAuthServId;

        public IEnumerable<Finding> Check(MailHeaderFacts f)
        {
            var anonymous = f.Report.AuthenticationResults.Where(a => a.AuthServId == null && !a.IsTrusted
                && a.HeaderName.Equals("Authentication-Results", StringComparison.OrdinalIgnoreCase)).ToList();
            if (anonymous.Count > 0 && !HeaderRuleFacts.ExplicitTrust(f))
            {
                yield return new Finding(Definition,
                    $"{anonymous.Count} Authentication-Results field(s) have no authserv-id (RFC 8601 §2.2), as Microsoft 365 writes them; "
                    + (f.MicrosoftReceiver ? "they were in the message before this Microsoft 365 receiver got it, so they are not believed."
                        : "the receiving organization is not Microsoft 365, so they are an earlier hop's and are not believed."),
                    string.Join(" | ", anonymous.Select(a => a.ToString())));
            }
        }
    }

    /// <summary>
    /// HDR-ARC-MICROSOFT-SEAL: Microsoft 365 seals what it relays (ARC, RFC 8617); its
    /// ARC-Authentication-Results ("i=1; mx.microsoft.com 1; spf=none ...") describe that Microsoft
    /// hop, often the sender's own submission, not the receiver's checks.
    /// </summary>
    internal sealed class ArcMicrosoftSealRule : IHeaderRule
    {
        public FindingDefinition Definition => FindingCatalog.Header.ArcMicrosoftSeal;

        public IEnumerable<Finding> Check(MailHeaderFacts f)
        {
            var edge = f.Report.EdgeHop;
            if (edge == null)
            {
                yield break;
            }

            var microsoftSets = f.Report.AuthenticationResults
                .Where(a => a.ArcInstance != null && string.Equals(a.AuthServId, "mx.microsoft.com", StringComparison.OrdinalIgnoreCase)
                    && (!f.MicrosoftReceiver || a.HeaderIndex > edge.HeaderIndex))
                .ToList();
            if (microsoftSets.Count > 0)
            {
                yield return new Finding(Definition,
                    "ARC set(s) i=" + string.Join(", i=", microsoftSets.Select(a => a.ArcInstance!.Value.ToString(CultureInfo.InvariantCulture)))
                    + " were sealed by Microsoft 365 (mx.microsoft.com, version 1) before the message reached the receiving organization: "
                    + "they record what that Microsoft 365 hop saw (" + string.Join("; ", microsoftSets.Select(a => string.Join(" ", a.Results.Select(r => r.ToString())))) + "), "
                    + "not the receiver's verdict, and count only through a validated ARC chain.",
                    string.Join(" | ", microsoftSets.Select(a => a.Raw)));
            }
        }
    }

    /// <summary>Questions several rules ask of the facts.</summary>
    internal static class HeaderRuleFacts
    {
        /// <summary>The user named the authserv-ids to trust (-TrustedAuthServId): what else is untrusted is by choice, not news.</summary>
        public static bool ExplicitTrust(MailHeaderFacts f) => (f.Options.TrustedAuthServIds ?? Array.Empty<string>()).Count > 0;
    }
}
