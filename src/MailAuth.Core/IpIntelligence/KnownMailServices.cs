using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MailAuth.IpIntelligence
{
    /// <summary>A mail service a source belongs to, and why.</summary>
    public sealed class KnownServiceMatch
    {
        internal KnownServiceMatch(string service, string evidence)
        {
            Service = service;
            Evidence = evidence;
        }

        public string Service { get; }

        /// <summary>What matched: "PTR …", "AS…", "DKIM d=…", "SPF/envelope …".</summary>
        public string Evidence { get; }

        public override string ToString() => Service + " (" + Evidence + ")";
    }

    /// <summary>
    /// The big senders admins find in their reports, recognised by PTR name suffix, origin AS, and
    /// the domains of their DKIM signatures and envelope senders (SPF). Evidence is checked in that
    /// order: reverse DNS and AS describe the IP; signing and envelope domains describe the sender.
    /// </summary>
    public static class KnownMailServices
    {
        private sealed class Service
        {
            public Service(string name, string[] ptr, long[] asn, string[] domains)
            {
                Name = name;
                Ptr = ptr;
                Asn = asn;
                Domains = domains;
            }

            public string Name { get; }

            public string[] Ptr { get; }

            public long[] Asn { get; }

            public string[] Domains { get; }
        }

        private static readonly Service[] s_services =
        {
            new Service("Microsoft 365", new[] { "protection.outlook.com", "outbound.protection.outlook.com" }, new long[] { 8075 },
                new[] { "onmicrosoft.com", "protection.outlook.com", "outlook.com", "hotmail.com" }),
            new Service("Google", new[] { "google.com", "googlemail.com" }, new long[] { 15169, 396982 }, new[] { "google.com", "gmail.com", "googlemail.com", "1e100.net" }),
            new Service("Amazon SES", new[] { "amazonses.com" }, Array.Empty<long>(), new[] { "amazonses.com" }),
            new Service("SendGrid", new[] { "sendgrid.net" }, new long[] { 11377 }, new[] { "sendgrid.net", "sendgrid.com" }),
            new Service("Mailchimp", new[] { "mcsv.net", "mcdlv.net", "rsgsv.net", "mandrillapp.com" }, Array.Empty<long>(),
                new[] { "mcsv.net", "mcdlv.net", "rsgsv.net", "mandrillapp.com", "mailchimpapp.net" }),
            new Service("Mailgun", new[] { "mailgun.net", "mailgun.org" }, Array.Empty<long>(), new[] { "mailgun.org", "mailgun.net", "mg.mailgun.org" }),
            new Service("Salesforce", new[] { "salesforce.com", "exacttarget.com" }, new long[] { 14340 }, new[] { "salesforce.com", "exacttarget.com", "s7.exacttarget.com" }),
            new Service("Zendesk", new[] { "zendesk.com" }, Array.Empty<long>(), new[] { "zendesk.com" }),
            new Service("Proofpoint", new[] { "pphosted.com", "ppe-hosted.com" }, new long[] { 26211, 22843 }, new[] { "pphosted.com" }),
            new Service("Mimecast", new[] { "mimecast.com", "mimecast-offshore.com" }, new long[] { 30031 }, new[] { "mimecast.com", "mimecastreport.com" }),
            new Service("Yahoo", new[] { "yahoo.com", "yahoodns.net" }, new long[] { 36647, 26101 }, new[] { "yahoo.com", "yahoodns.net" }),
            new Service("Amazon Web Services", new[] { "amazonaws.com" }, new long[] { 16509, 14618 }, Array.Empty<string>()),
        };

        /// <summary>The names of the services known.</summary>
        public static IReadOnlyList<string> Names => s_services.Select(s => s.Name).ToArray();

        /// <summary>The service that fits, from the strongest evidence at hand; null when none does.</summary>
        public static KnownServiceMatch? Match(string? ptrName, long? asn, IEnumerable<string>? dkimDomains, IEnumerable<string>? spfDomains)
        {
            if (!string.IsNullOrEmpty(ptrName))
            {
                foreach (Service s in s_services)
                {
                    string? suffix = s.Ptr.FirstOrDefault(p => IsAtOrBelow(ptrName!, p));
                    if (suffix != null)
                    {
                        return new KnownServiceMatch(s.Name, "PTR " + ptrName);
                    }
                }
            }

            if (asn is long a)
            {
                foreach (Service s in s_services)
                {
                    if (s.Asn.Contains(a))
                    {
                        return new KnownServiceMatch(s.Name, "AS" + a.ToString(CultureInfo.InvariantCulture));
                    }
                }
            }

            foreach ((IEnumerable<string>? domains, string label) in new[] { (dkimDomains, "DKIM d="), (spfDomains, "SPF ") })
            {
                foreach (string d in domains ?? Array.Empty<string>())
                {
                    foreach (Service s in s_services)
                    {
                        if (s.Domains.Any(x => IsAtOrBelow(d, x)))
                        {
                            return new KnownServiceMatch(s.Name, label + d);
                        }
                    }
                }
            }

            return null;
        }

        private static bool IsAtOrBelow(string name, string domain)
        {
            string n = name.TrimEnd('.').ToLowerInvariant();
            return n == domain || n.EndsWith("." + domain, StringComparison.Ordinal);
        }
    }
}
