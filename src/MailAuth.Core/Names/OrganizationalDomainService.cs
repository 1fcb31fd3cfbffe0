using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dmarc;
using MailAuth.Dns;

namespace MailAuth.Names
{
    /// <summary>
    /// Maps a domain to its Organizational Domain for relaxed alignment (the seam header analysis
    /// takes; <see cref="OrganizationalDomainService"/> is the one implementation the module ships).
    /// </summary>
    public interface IOrganizationalDomainProvider
    {
        /// <summary>The Organizational Domain of <paramref name="domain"/>, lower case, no trailing dot.</summary>
        string GetOrganizationalDomain(string domain);
    }

    /// <summary>The outcome of an RFC 9989 §4.10 DNS tree walk.</summary>
    public sealed class TreeWalkResult
    {
        internal TreeWalkResult(string domain, IReadOnlyList<string> queried, string? organizationalDomain, string? error)
        {
            Domain = domain;
            QueriedNames = queried;
            OrganizationalDomain = organizationalDomain;
            Error = error;
        }

        /// <summary>The domain the walk started from, normalised.</summary>
        public string Domain { get; }

        /// <summary>The _dmarc names asked for, in order.</summary>
        public IReadOnlyList<string> QueriedNames { get; }

        /// <summary>The Organizational Domain; null when a failed query leaves it unknown.</summary>
        public string? OrganizationalDomain { get; }

        /// <summary>The failed query, when one did.</summary>
        public string? Error { get; }
    }

    /// <summary>
    /// The Organizational Domain, one service for DMARC discovery, header alignment and the domain
    /// audit, by either method: the RFC 7489 §3.2 Public Suffix List method (public suffix plus
    /// one label) or the RFC 9989 §4.10 DNS tree walk (the _dmarc records on the way up decide).
    /// Thread-safe.
    /// </summary>
    public sealed class OrganizationalDomainService : IOrganizationalDomainProvider
    {
        /// <summary>RFC 9989 §4.10: a walk makes at most eight queries.</summary>
        public const int MaxTreeWalkQueries = 8;

        private static readonly Lazy<OrganizationalDomainService> s_embedded =
            new Lazy<OrganizationalDomainService>(() => new OrganizationalDomainService(PublicSuffixList.Embedded));

        /// <param name="list">The list for the RFC 7489 method; the bundled one when null.</param>
        public OrganizationalDomainService(PublicSuffixList? list = null)
        {
            List = list ?? PublicSuffixList.Embedded;
        }

        /// <summary>Over the bundled Public Suffix List.</summary>
        public static OrganizationalDomainService Embedded => s_embedded.Value;

        public PublicSuffixList List { get; }

        /// <summary>
        /// RFC 7489 §3.2: the public suffix plus one label; a public suffix, or a name the list
        /// cannot read, stays as it is. Lower case, no trailing dot.
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="domain"/> is null.</exception>
        public string FromPublicSuffixList(string domain)
        {
            if (domain is null)
            {
                throw new ArgumentNullException(nameof(domain));
            }

            string name = domain.Trim().TrimEnd('.').ToLowerInvariant();
            return List.GetRegistrableDomain(name)?.ToLowerInvariant() ?? name;
        }

        /// <summary>For header alignment: the RFC 7489 §3.2 method (no DNS while a header is read).</summary>
        public string GetOrganizationalDomain(string domain) => FromPublicSuffixList(domain);

        /// <summary>
        /// The names an RFC 9989 §4.10 walk from <paramref name="domain"/> queries (without _dmarc),
        /// in order: the name itself; then, from fewer than eight labels, each parent; from eight
        /// or more, the rightmost seven labels and their parents (step 4).
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="domain"/> is null.</exception>
        /// <exception cref="DomainNameException">Not a domain name.</exception>
        public static IReadOnlyList<string> TreeWalkNames(string domain)
        {
            return WalkNames(DomainName.Parse(domain, DomainNameKind.DnsName).Value);
        }

        /// <summary>
        /// Walks the DNS tree from <paramref name="domain"/> (RFC 9989 §4.10) and picks the
        /// Organizational Domain from the DMARC records found (§4.10.2).
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="dns"/> or <paramref name="domain"/> is null.</exception>
        /// <exception cref="DomainNameException">Not a domain name.</exception>
        public async Task<TreeWalkResult> FromTreeWalkAsync(IDnsResolver dns, string domain, CancellationToken cancellationToken = default)
        {
            if (dns is null)
            {
                throw new ArgumentNullException(nameof(dns));
            }

            if (domain is null)
            {
                throw new ArgumentNullException(nameof(domain));
            }

            string start = DomainName.Parse(domain, DomainNameKind.DnsName).Value;
            var context = new DmarcDiscoveryContext(dns, List, cancellationToken);
            TreeWalk walk = await context.WalkAsync(start).ConfigureAwait(false);
            PolicyLookup? failure = walk.FirstFailure;
            return new TreeWalkResult(start, walk.Steps.Select(s => s.QueryName).ToArray(),
                failure is null ? walk.OrganizationalDomain : null, failure?.FailureText);
        }

        internal static IReadOnlyList<string> WalkNames(string domain)
        {
            var names = new List<string> { domain };
            int labels = DomainName.CountLabels(domain);

            // Step 4: fewer than eight labels, drop one; eight or more, keep the rightmost seven.
            string? target = labels < MaxTreeWalkQueries ? DomainName.ParentOf(domain) : DomainName.LastLabels(domain, MaxTreeWalkQueries - 1);
            while (target != null)
            {
                names.Add(target);
                target = DomainName.ParentOf(target);
            }

            return names;
        }

        /// <summary>
        /// RFC 9989 §4.10.2: from the records found on a walk (in walk order, longest name first),
        /// the first with psd=n is the Organizational Domain; the first with psd=y makes it the name
        /// one label below it on the start's path; else the shortest name with a record; else the
        /// start itself.
        /// </summary>
        internal static string SelectFromTreeWalk(string start, IEnumerable<(string Domain, DmarcPsd Psd)> found)
        {
            var records = found.ToList();
            foreach ((string name, DmarcPsd psd) in records)
            {
                if (psd == DmarcPsd.No)
                {
                    return name;
                }

                if (psd == DmarcPsd.Yes && !string.Equals(name, start, StringComparison.Ordinal))
                {
                    // Taken from the start's own labels, since a long name's walk skips some.
                    return DomainName.LastLabels(start, DomainName.CountLabels(name) + 1);
                }
            }

            return records.Count > 0 ? records.OrderBy(r => DomainName.CountLabels(r.Domain)).First().Domain : start;
        }
    }
}
