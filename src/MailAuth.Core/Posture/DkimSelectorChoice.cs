using System;
using System.Collections.Generic;
using System.Linq;

namespace MailAuth.Posture
{
    /// <summary>
    /// Chooses which DKIM selectors to ask for, from what a domain shows: its MX hosts, the domains
    /// its SPF record includes, and selectors seen in its mail (DKIM-Signature s=). DKIM selectors
    /// cannot be listed from DNS (RFC 6376 §3.1 leaves them to the signer), so a sweep of every
    /// common name costs about 30 queries per domain; the services a domain uses name their
    /// selectors in their documentation (docs/posture.md, "DKIM selectors"), and a short list of
    /// generic names covers self-hosted signers.
    /// </summary>
    public static class DkimSelectorChoice
    {
        /// <summary>
        /// Always asked: Microsoft 365's and Google's defaults, Mailchimp's k1 (its customers need no
        /// SPF include, so nothing else shows it), and the usual self-hosted names.
        /// </summary>
        public static IReadOnlyList<string> Short { get; } = new[] { "selector1", "selector2", "google", "k1", "default", "dkim" };

        /// <summary>A sending service, how a domain shows it uses it, and the selectors it documents.</summary>
        private sealed class Service
        {
            public Service(string name, string[] mxSuffixes, string[] spfSuffixes, string[] selectors)
            {
                Name = name;
                MxSuffixes = mxSuffixes;
                SpfSuffixes = spfSuffixes;
                Selectors = selectors;
            }

            public string Name { get; }

            public string[] MxSuffixes { get; }

            public string[] SpfSuffixes { get; }

            public string[] Selectors { get; }
        }

        private static readonly Service[] s_services =
        {
            new Service("Microsoft 365", new[] { "mail.protection.outlook.com" }, new[] { "spf.protection.outlook.com" }, new[] { "selector1", "selector2" }),
            new Service("Google Workspace", new[] { "google.com", "googlemail.com" }, new[] { "_spf.google.com" }, new[] { "google" }),
            new Service("SendGrid", Array.Empty<string>(), new[] { "sendgrid.net" }, new[] { "s1", "s2", "smtpapi" }),
            new Service("Mailchimp", Array.Empty<string>(), new[] { "servers.mcsv.net", "mcsv.net" }, new[] { "k1", "k2", "k3" }),
            new Service("Mandrill", Array.Empty<string>(), new[] { "spf.mandrillapp.com", "mandrillapp.com" }, new[] { "mte1", "mte2", "mandrill" }),
            new Service("Mailgun", new[] { "mailgun.org" }, new[] { "mailgun.org" }, new[] { "smtp", "mx", "krs", "k1", "pic", "mailo" }),
            new Service("Zoho", new[] { "zoho.com", "zoho.eu", "zoho.in", "zoho.com.au", "zohomail.com" }, new[] { "zoho.com", "zoho.eu", "zoho.in", "zohomail.com" }, new[] { "zoho", "zmail" }),
            new Service("Amazon SES", new[] { "amazonaws.com" }, new[] { "amazonses.com" }, new[] { "amazonses" }),
            new Service("Postmark", Array.Empty<string>(), new[] { "spf.mtasv.net", "mtasv.net" }, new[] { "pm" }),
            new Service("Mailjet", Array.Empty<string>(), new[] { "spf.mailjet.com", "mailjet.com" }, new[] { "mailjet" }),
            new Service("Brevo", Array.Empty<string>(), new[] { "spf.brevo.com", "spf.sendinblue.com", "sendinblue.com" }, new[] { "mail", "brevo1", "brevo2" }),
            new Service("Salesforce", Array.Empty<string>(), new[] { "_spf.salesforce.com", "salesforce.com" }, new[] { "sf1", "sf2" }),
            new Service("Proofpoint", new[] { "pphosted.com", "ppe-hosted.com" }, new[] { "pphosted.com", "ppe-hosted.com" }, new[] { "proofpoint" }),
            new Service("Fastmail", new[] { "messagingengine.com" }, new[] { "messagingengine.com" }, new[] { "fm1", "fm2", "fm3" }),
            new Service("Proton Mail", new[] { "protonmail.ch" }, new[] { "_spf.protonmail.ch", "protonmail.ch" }, new[] { "protonmail", "protonmail2", "protonmail3" }),
        };

        /// <summary>
        /// The selectors to ask for, in order, and why each service's were added ("Microsoft 365 (MX)").
        /// </summary>
        /// <param name="mxHosts">The domain's MX host names (any case, trailing dot or not).</param>
        /// <param name="spfDomains">Domains its SPF record reaches (includes and redirects).</param>
        /// <param name="seen">Selectors seen in its signed mail; asked first.</param>
        public static (IReadOnlyList<string> Selectors, IReadOnlyList<string> Reasons) Choose(
            IEnumerable<string>? mxHosts, IEnumerable<string>? spfDomains, IEnumerable<string>? seen = null)
        {
            var selectors = new List<string>();
            var reasons = new List<string>();
            void Add(IEnumerable<string> names)
            {
                foreach (string name in names)
                {
                    if (!selectors.Contains(name, StringComparer.Ordinal))
                    {
                        selectors.Add(name);
                    }
                }
            }

            List<string> seenList = (seen ?? Array.Empty<string>()).Where(s => !string.IsNullOrWhiteSpace(s)).Select(DkimSelectors.Normalize).ToList();
            if (seenList.Count > 0)
            {
                Add(seenList);
                reasons.Add("seen in signed mail");
            }

            string[] mx = Clean(mxHosts);
            string[] spf = Clean(spfDomains);
            foreach (Service service in s_services)
            {
                bool byMx = AnyAtOrUnder(mx, service.MxSuffixes);
                bool bySpf = AnyAtOrUnder(spf, service.SpfSuffixes);
                if (byMx || bySpf)
                {
                    Add(service.Selectors);
                    reasons.Add($"{service.Name} ({(byMx && bySpf ? "MX and SPF" : byMx ? "MX" : "SPF")})");
                }
            }

            Add(Short);
            return (selectors, reasons);
        }

        private static string[] Clean(IEnumerable<string>? names) =>
            (names ?? Array.Empty<string>()).Where(n => !string.IsNullOrEmpty(n)).Select(n => n.TrimEnd('.').ToLowerInvariant()).ToArray();

        // Loops, not LINQ: this runs for every service and every domain of a bulk audit.
        private static bool AnyAtOrUnder(string[] names, string[] suffixes)
        {
            foreach (string name in names)
            {
                foreach (string suffix in suffixes)
                {
                    if (IsAtOrUnder(name, suffix))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static bool IsAtOrUnder(string name, string suffix) =>
            name.EndsWith(suffix, StringComparison.Ordinal)
            && (name.Length == suffix.Length || name[name.Length - suffix.Length - 1] == '.');
    }
}
