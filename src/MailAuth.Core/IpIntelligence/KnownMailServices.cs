using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Spf;

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
            public Service(string name, string[] ptr, long[] asn, string[] domains, string? spfInclude = null)
            {
                Name = name;
                Ptr = ptr;
                Asn = asn;
                Domains = domains;
                SpfInclude = spfInclude;
            }

            /// <summary>The domain customers include in their SPF record for this service.</summary>
            public string? SpfInclude { get; }

            public string Name { get; }

            public string[] Ptr { get; }

            public long[] Asn { get; }

            public string[] Domains { get; }
        }

        private static readonly Service[] s_services =
        {
            new Service("Microsoft 365", new[] { "protection.outlook.com", "outbound.protection.outlook.com" }, new long[] { 8075 },
                new[] { "onmicrosoft.com", "protection.outlook.com", "outlook.com", "hotmail.com" }, "spf.protection.outlook.com"),
            new Service("Google", new[] { "google.com", "googlemail.com" }, new long[] { 15169, 396982 }, new[] { "google.com", "gmail.com", "googlemail.com", "1e100.net" }, "_spf.google.com"),
            new Service("Amazon SES", new[] { "amazonses.com" }, Array.Empty<long>(), new[] { "amazonses.com" }, "amazonses.com"),
            new Service("SendGrid", new[] { "sendgrid.net" }, new long[] { 11377 }, new[] { "sendgrid.net", "sendgrid.com" }, "sendgrid.net"),
            new Service("Mailchimp", new[] { "mcsv.net", "mcdlv.net", "rsgsv.net", "mandrillapp.com" }, Array.Empty<long>(),
                new[] { "mcsv.net", "mcdlv.net", "rsgsv.net", "mandrillapp.com", "mailchimpapp.net" }, "servers.mcsv.net"),
            new Service("Mailgun", new[] { "mailgun.net", "mailgun.org" }, Array.Empty<long>(), new[] { "mailgun.org", "mailgun.net", "mg.mailgun.org" }, "mailgun.org"),
            new Service("Salesforce", new[] { "salesforce.com", "exacttarget.com" }, new long[] { 14340 }, new[] { "salesforce.com", "exacttarget.com", "s7.exacttarget.com" }, "_spf.salesforce.com"),
            new Service("Zendesk", new[] { "zendesk.com" }, Array.Empty<long>(), new[] { "zendesk.com" }, "mail.zendesk.com"),
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

        /// <summary>
        /// The service whose SPF include domain (spf.protection.outlook.com, _spf.google.com, ...)
        /// authorizes <paramref name="ip"/>: check_host() of that domain passes (RFC 7208 §5.2, as an
        /// include: would). DNS through the evaluator's resolver and cache; null when none passes.
        /// </summary>
        public static async Task<KnownServiceMatch?> MatchSpfAsync(SpfEvaluator evaluator, IPAddress ip, CancellationToken cancellationToken = default)
        {
            if (evaluator is null)
            {
                throw new ArgumentNullException(nameof(evaluator));
            }

            if (ip is null)
            {
                throw new ArgumentNullException(nameof(ip));
            }

            foreach (Service s in s_services.Where(x => x.SpfInclude != null))
            {
                SpfResult result = await evaluator.CheckHostAsync(ip, s.SpfInclude!, "postmaster@" + s.SpfInclude, null, null, cancellationToken).ConfigureAwait(false);
                if (result.ResultCode == SpfResultCode.Pass)
                {
                    return new KnownServiceMatch(s.Name, "SPF include:" + s.SpfInclude);
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
