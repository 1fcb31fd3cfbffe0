using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dmarc;
using MailAuth.Dns;
using MailAuth.Headers;
using MailAuth.Posture;
using MailAuth.Findings;

namespace MailAuth.IpIntelligence
{
    /// <summary>
    /// Get-MailHeaderReport -Enrich: each hop's public client address annotated with its owner and
    /// listings (through <see cref="MailIpReporter"/>), and the domains the message names (From,
    /// envelope sender, Reply-To, Message-ID, DKIM d=) asked of domain blocklists; listings become
    /// findings. Thread-safe; one instance caches across the reports of a run.
    /// </summary>
    public sealed class MailHeaderEnricher
    {
        private readonly MailIpReporter _ips;
        private readonly string[] _domainZones;
        private readonly IDnsResolver _dns;

        /// <exception cref="ArgumentNullException"><paramref name="dns"/> is null.</exception>
        /// <exception cref="ArgumentException">A blocklist zone is not a domain name.</exception>
        public MailHeaderEnricher(IDnsResolver dns, MailIpReportOptions? ipOptions = null, IReadOnlyList<string>? domainBlocklists = null)
        {
            if (dns is null)
            {
                throw new ArgumentNullException(nameof(dns));
            }

            _ips = new MailIpReporter(dns, ipOptions);
            _dns = dns;
            _domainZones = (domainBlocklists ?? DnsBlocklists.DefaultDomainZones)
                .Select(z => MailAuth.Names.DomainNameInput.Require(z, "domainBlocklist")).Distinct(StringComparer.Ordinal).ToArray();
        }

        /// <summary>Annotates <paramref name="report"/> in place. DNS failures go to EnrichErrors, never thrown.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="report"/> is null.</exception>
        public async Task EnrichAsync(MailHeaderReport report, CancellationToken cancellationToken = default)
        {
            if (report is null)
            {
                throw new ArgumentNullException(nameof(report));
            }

            var findings = new List<Finding>();
            var errors = new List<string>();

            // Hops: one report per distinct public client address.
            var hops = report.Hops.Where(h => h.FromIp != null && IPAddress.TryParse(h.FromIp, out IPAddress? ip) && MailIpReporter.IsGlobal(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip)).ToList();
            var byIp = new Dictionary<string, Task<MailIpReport>>(StringComparer.OrdinalIgnoreCase);
            foreach (MailHop hop in hops)
            {
                if (!byIp.ContainsKey(hop.FromIp!))
                {
                    byIp[hop.FromIp!] = _ips.ReportAsync(hop.FromIp!, cancellationToken);
                }
            }

            // Domains: the registrable domain of each identity (the lists index registered domains).
            var named = new List<(string Role, string Domain)>();
            void Name(string role, string? domain)
            {
                string? registrable = MailAuth.Names.PublicSuffixList.Embedded.GetRegistrableDomain(domain?.Trim().TrimEnd('.').ToLowerInvariant());
                if (registrable != null && !named.Any(n => n.Domain == registrable))
                {
                    named.Add((role, registrable));
                }
            }

            Name("From", report.FromDomain);
            Name("envelope sender", report.EnvelopeDomain);
            Name("Reply-To", DomainOf(report.ReplyTo));
            Name("Message-ID", report.MessageIdDomain);
            foreach (DkimSignatureInfo signature in report.DkimSignatures)
            {
                Name("DKIM d=", signature.Domain);
            }

            var recorder = new RecordingDnsResolver(_dns);
            var domainChecker = new DnsBlocklistChecker(recorder);
            var domainTasks = named.Select(n => domainChecker.CheckDomainAsync(n.Domain, _domainZones, cancellationToken)).ToArray();
            await Task.WhenAll(byIp.Values.Cast<Task>().Concat(domainTasks)).ConfigureAwait(false);

            // The report's DNS evidence gains the enrichment's answers (beside -Verify's, if any).
            report.DnsEvidence = DnsEvidence.From(report.DnsEvidence
                .Concat(byIp.Values.SelectMany(t => t.Result.DnsEvidence))
                .Concat(recorder.Responses));

            foreach (MailHop hop in hops)
            {
                MailIpReport ip = byIp[hop.FromIp!].Result;
                hop.Owner = ip.Asn is long asn ? "AS" + asn.ToString(CultureInfo.InvariantCulture) + (ip.AsName is null ? string.Empty : " " + ip.AsName) : null;
                hop.IpStatus = ip.Status;
                hop.Listings = ip.Listings.ToString();
            }

            foreach (MailIpReport ip in byIp.Values.Select(t => t.Result))
            {
                errors.AddRange(ip.LookupErrors.Select(e => ip.IPAddress + ": " + e));
                if (ip.Listings.Count > 0)
                {
                    string hopsText = string.Join(", ", hops.Where(h => string.Equals(h.FromIp, ip.IPAddress, StringComparison.OrdinalIgnoreCase)).Select(h => h.Number.ToString(CultureInfo.InvariantCulture)));
                    findings.Add(new Finding(FindingCatalog.Header.IpListed,
                        $"The client of hop {hopsText}, {ip.IPAddress}, is listed: {string.Join("; ", ip.Listings.Select(l => l.Zone + " " + l.ReturnCode + " (" + l.Meaning + ")"))}.", ip.IPAddress));
                }
            }

            var domainListings = new List<string>();
            for (int i = 0; i < named.Count; i++)
            {
                DnsBlocklistOutcome outcome = domainTasks[i].Result;
                errors.AddRange(outcome.Errors.Select(e => named[i].Domain + ": " + e));
                foreach (DnsBlocklistListing listing in outcome.Listings)
                {
                    domainListings.Add($"{named[i].Domain}: {listing.Zone}={listing.ReturnCode} ({listing.Meaning})");
                }

                if (outcome.Listings.Count > 0)
                {
                    findings.Add(new Finding(FindingCatalog.Header.DomainListed,
                        $"The {named[i].Role} domain {named[i].Domain} is listed: {string.Join("; ", outcome.Listings.Select(l => l.Zone + " " + l.ReturnCode + " (" + l.Meaning + ")"))}.", named[i].Domain));
                }
            }

            report.DomainListings = ResultList.From(domainListings);
            report.EnrichErrors = ResultList.From(errors);
            if (findings.Listed().Count > 0)
            {
                // The same order the builder uses: by severity, then as found.
                var ordered = report.Findings.Concat(findings.Listed())
                    .Select((f, i) => (f, i))
                    .OrderByDescending(x => (int)x.f.SeverityCode)
                    .ThenBy(x => x.i)
                    .Select(x => x.f)
                    .ToList();
                report.Findings = FindingResults.From(ordered);
                report.FindingCount = ordered.Count;
                report.TopFinding = ordered[0].Id + ": " + ordered[0].Message;
            }
        }

        private static string? DomainOf(string? address)
        {
            if (address is null)
            {
                return null;
            }

            int at = address.LastIndexOf('@');
            return at < 0 ? null : address.Substring(at + 1).Trim().TrimEnd('>', ' ');
        }
    }
}
