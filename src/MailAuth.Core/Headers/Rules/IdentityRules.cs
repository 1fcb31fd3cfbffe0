using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using MailAuth.Findings;
using static MailAuth.Headers.MailHeaderReportBuilder;

namespace MailAuth.Headers
{
    /// <summary>
    /// HDR-SPF-UNALIGNED: SPF authenticates only the RFC 5321 MAIL FROM; DMARC needs it aligned with
    /// From (RFC 7489 §3.1.2). An error when nothing else authenticates the From domain; when an
    /// aligned DKIM signature passed or the receiver recorded dmarc=pass (forwarders, lists, ESPs),
    /// it is only a note.
    /// </summary>
    internal sealed class SpfUnalignedRule : IHeaderRule
    {
        public FindingDefinition Definition => FindingCatalog.Header.SpfPassUnaligned;

        public IEnumerable<Finding> Check(MailHeaderFacts f)
        {
            var fromDomain = f.Report.FromDomain;
            if (f.Report.Spf != "pass" || f.FromOrg == null || string.IsNullOrEmpty(f.Report.EnvelopeDomain)
                || string.Equals(f.OrgOf(f.Report.EnvelopeDomain), f.FromOrg, StringComparison.OrdinalIgnoreCase))
            {
                yield break;
            }

            var extra = new List<string>();
            if (f.Report.XSender != null)
            {
                extra.Add("X-Sender " + f.Report.XSender);
            }

            if (f.Report.ReturnPath != null)
            {
                extra.Add("Return-Path " + f.Report.ReturnPath);
            }

            var dmarcPass = f.Report.Dmarc == "pass";
            var vouched = f.AlignedDkimPass || dmarcPass;
            var why = f.AlignedDkimPass ? " (an aligned DKIM signature does vouch for it)."
                : dmarcPass ? " (the receiver recorded dmarc=pass, so something aligned did)."
                : "; nothing else authenticates the From domain.";
            yield return new Finding(Definition, vouched ? FindingSeverity.Information : FindingSeverity.Error,
                $"SPF passed for the envelope domain {f.Report.EnvelopeDomain}, which is not aligned with the From domain {fromDomain}: "
                + "the pass proves only that the sending server may send for " + f.Report.EnvelopeDomain + ", not that "
                + fromDomain + " sent this message" + why,
                $"smtp.mailfrom={f.Report.EnvelopeSender}; From={f.Report.FromAddress}" + (extra.Count > 0 ? "; " + string.Join("; ", extra) : ""));
        }
    }

    /// <summary>
    /// HDR-GATEWAY-SPF: Microsoft 365 behind a third-party gateway checks SPF against the gateway's
    /// address unless Enhanced Filtering for Connectors (skip listing) tells it the real source;
    /// then SPF, DMARC and compauth describe the gateway, not the sender.
    /// </summary>
    internal sealed class GatewaySpfRule : IHeaderRule
    {
        // "spf=fail (sender IP is 192.0.2.1)": Microsoft 365 names the address it checked.
        private static readonly Regex s_senderIp = new Regex(
            @"sender\s+ip\s+is\s+(?<ip>[0-9A-Fa-f:.]+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromMilliseconds(200));

        public FindingDefinition Definition => FindingCatalog.Header.GatewaySpf;

        public IEnumerable<Finding> Check(MailHeaderFacts f)
        {
            var gatewayHop = f.GatewayHop;
            if (!f.MicrosoftReceiver || gatewayHop?.FromIp == null)
            {
                yield break;
            }

            string? checkedIp = null;
            if (f.SpfResult?.Comment != null && SafeMatch(s_senderIp, f.SpfResult.Comment) is Match m && m.Success
                && ClientAddress.TryParseTraceToken(m.Groups["ip"].Value, out var ip))
            {
                checkedIp = ip!.ToString();
            }

            checkedIp ??= f.Report.Stamps.FirstOrDefault(st => st.Header.Equals("X-Forefront-Antispam-Report", StringComparison.OrdinalIgnoreCase)
                && st.Field.Equals("CIP", StringComparison.OrdinalIgnoreCase))?.Value;
            if (checkedIp == null || !ClientAddress.TryParseTraceToken(checkedIp, out var checkedAddress)
                || !ClientAddress.TryParseTraceToken(gatewayHop.FromIp, out var gatewayAddress) || !checkedAddress!.Equals(gatewayAddress))
            {
                yield break;
            }

            yield return new Finding(Definition,
                $"Microsoft 365 checked SPF against {gatewayHop.FromIp}, the {f.GatewayName} gateway in front of it ({ClientNameOf(gatewayHop)}), "
                + $"not against the sender's {f.Report.ClientIP ?? "address"}: spf={f.Report.Spf ?? "-"}, dmarc={f.Report.Dmarc ?? "-"} and compauth={f.Report.CompAuth ?? "-"} describe the gateway. "
                + "Enable Enhanced Filtering for Connectors (skip listing) on the inbound connector from the gateway so Microsoft 365 sees the original source.",
                gatewayHop.Raw);
        }

        private static string? ClientNameOf(MailHop hop) => hop.FromReverseDns ?? hop.FromHost ?? hop.FromIp;
    }

    /// <summary>
    /// HDR-REPLYTO-DIFFERS: replies that leave the From Organizational Domain (RFC 5322 §3.6.2).
    /// A list that asks for replies to itself (RFC 2369) is doing what lists do; a list that
    /// rewrote From to its own address keeps the author in Reply-To (only a note).
    /// </summary>
    internal sealed class ReplyToDiffersRule : IHeaderRule
    {
        public FindingDefinition Definition => FindingCatalog.Header.ReplyToDiffers;

        public IEnumerable<Finding> Check(MailHeaderFacts f)
        {
            if (f.FromOrg == null || f.Report.ReplyTo == null)
            {
                yield break;
            }

            // A list that asks for replies to itself (Reply-To: the List-Post address or the list's
            // domain, RFC 2369) is doing what lists do.
            var listOrgs = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var field in f.All("List-Post").Concat(f.All("List-Id")))
            {
                var d = DomainOf(Match(s_addressInText, field.Value)) ?? ListIdDomain(field.Value);
                if (f.OrgOf(d) is string o)
                {
                    listOrgs.Add(o);
                }
            }

            var other = f.All("Reply-To").SelectMany(ParseMailboxes)
                .Where(m => f.OrgOf(DomainOf(m.Address)) is string o && !string.Equals(o, f.FromOrg, StringComparison.OrdinalIgnoreCase) && !listOrgs.Contains(o))
                .Select(m => m.Address).ToList();
            if (other.Count > 0)
            {
                // A list that rewrote From to its own address (DMARC mitigation, Mailman's munge_from,
                // Google Groups) keeps the author in Reply-To: that is where replies belong.
                var listRewroteFrom = listOrgs.Contains(f.FromOrg);
                yield return new Finding(Definition, listRewroteFrom ? FindingSeverity.Information : FindingSeverity.Warning,
                    $"Replies go to {string.Join(", ", other)}, outside the From domain {f.Report.FromDomain}"
                    + (listRewroteFrom ? "; the list rewrote From to its own address and kept the author there." : "."),
                    "Reply-To: " + f.Report.ReplyTo);
            }
        }

        // "List-Id: Name <list.example.org>" (RFC 2919): the list id is a domain-like name.
        private static string? ListIdDomain(string value)
        {
            var lt = value.LastIndexOf('<');
            var gt = value.LastIndexOf('>');
            var id = lt >= 0 && gt > lt ? value.Substring(lt + 1, gt - lt - 1) : value;
            id = id.Trim();
            var dot = id.IndexOf('.');
            return dot > 0 && id.IndexOf(' ') < 0 ? id.Substring(dot + 1) : null;
        }
    }

    /// <summary>
    /// HDR-DISPLAYNAME-ADDRESS: the display-name spoof: the (decoded) display name shows an address
    /// other than the real one, or a domain of another organization (RFC 5322 §3.4). A list that
    /// rewrote From for DMARC ("Alice via List", the author kept in Reply-To or Cc) is only noted.
    /// </summary>
    internal sealed class DisplayNameAddressRule : IHeaderRule
    {
        // A domain-looking word in a display name: labels of letters, digits and hyphens with a
        // top-level label of letters (RFC 1034 §3.5), e.g. "woodgrovebank.example".
        private static readonly Regex s_domainInText = new Regex(
            @"(?<![A-Za-z0-9@.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![A-Za-z0-9-])",
            RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));

        public FindingDefinition Definition => FindingCatalog.Header.DisplayNameAddress;

        public IEnumerable<Finding> Check(MailHeaderFacts f)
        {
            var name = f.Report.FromDisplayName;
            var address = f.Report.FromAddress;
            if (name == null || address == null)
            {
                yield break;
            }

            string? shown = null;
            // Quotes and brackets around an address in a name are not part of it ("'a@b.example' via List").
            var inName = Match(s_addressInText, name)?.Trim('.', '\'', '"', '`', '{', '}', '|');
            if (inName != null && !string.Equals(inName, address, StringComparison.OrdinalIgnoreCase))
            {
                shown = "the address " + inName;
            }
            else if (inName == null && f.FromOrg != null)
            {
                foreach (System.Text.RegularExpressions.Match m in MatchAll(s_domainInText, name))
                {
                    var domain = m.Value.TrimEnd('.').ToLowerInvariant();
                    if (!HasListedSuffix(domain))
                    {
                        continue;
                    }

                    var org = f.OrgOf(domain);
                    if (org != null && !string.Equals(org, f.FromOrg, StringComparison.OrdinalIgnoreCase))
                    {
                        shown = "the domain " + domain;
                        break;
                    }
                }
            }

            if (shown == null)
            {
                yield break;
            }

            var encoded = f.All("From").FirstOrDefault()?.RawValue.IndexOf("=?", StringComparison.Ordinal) >= 0;
            var listRewrite = inName != null && f.All("List-Id").Any()
                && f.All("Reply-To").Concat(f.All("Cc")).Concat(f.All("X-Original-From")).SelectMany(ParseMailboxes)
                    .Any(m => string.Equals(m.Address, inName, StringComparison.OrdinalIgnoreCase));
            yield return new Finding(Definition, listRewrite ? FindingSeverity.Information : FindingSeverity.Warning,
                $"The display name shows {shown}, but the message is from {address}"
                + (encoded ? " (the name is RFC 2047 encoded, which hides it from plain-text filters)" : "")
                + (listRewrite ? "; a mailing list rewrote From and kept the author in Reply-To or Cc." : "."),
                f.Report.From);
        }

        // A real top-level domain (a Public Suffix List rule, not the implicit "*"), or one of the
        // names RFC 2606 reserves for examples: "J.R.R. Tolkien" and "v2.1" are not domains.
        private static bool HasListedSuffix(string domain)
        {
            var tld = domain.Substring(domain.LastIndexOf('.') + 1);
            if (tld == "example" || tld == "test")
            {
                return true;
            }

            try
            {
                return MailAuth.Names.PublicSuffixList.Embedded.GetSection(domain) != null;
            }
            catch (Exception)
            {
                return false;
            }
        }

        private static IEnumerable<System.Text.RegularExpressions.Match> MatchAll(Regex regex, string text)
        {
            MatchCollection matches;
            try
            {
                matches = regex.Matches(text.Length > 2000 ? text.Substring(0, 2000) : text);
                _ = matches.Count;
            }
            catch (RegexMatchTimeoutException)
            {
                yield break;
            }

            foreach (System.Text.RegularExpressions.Match m in matches)
            {
                yield return m;
            }
        }
    }
}
