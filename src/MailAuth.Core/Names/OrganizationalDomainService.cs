using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

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

    /// <summary>The psd tag of the one DMARC record at a name (RFC 9989 §4.7), or that there is none.</summary>
    public enum TreeWalkPsd
    {
        /// <summary>No DMARC record at the name, or several (all discarded, §4.10 step 2).</summary>
        NoRecord,
        /// <summary>One record without psd=, or psd=u.</summary>
        Unspecified,
        /// <summary>psd=y: a Public Suffix Domain.</summary>
        Yes,
        /// <summary>psd=n: the Organizational Domain.</summary>
        No,
    }

    /// <summary>What the _dmarc query of one name of a walk found; the DMARC engine reads the records.</summary>
    public sealed class TreeWalkStep
    {
        public TreeWalkStep(string domain, TreeWalkPsd psd, string? failure = null)
        {
            Domain = domain ?? throw new ArgumentNullException(nameof(domain));
            Psd = psd;
            Failure = failure;
        }

        /// <summary>The name (without _dmarc).</summary>
        public string Domain { get; }

        public TreeWalkPsd Psd { get; }

        /// <summary>The failed query, when it failed ("TXT _dmarc.x: SERVFAIL").</summary>
        public string? Failure { get; }
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
        /// Organizational Domain from the DMARC records found (§4.10.2). <paramref name="lookup"/>
        /// answers one name's _dmarc query (DmarcResolver.TreeWalkLookup reads real DMARC records);
        /// the walk stops at a psd=y or psd=n record (steps 2 and 6).
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="lookup"/> or <paramref name="domain"/> is null.</exception>
        /// <exception cref="DomainNameException">Not a domain name.</exception>
        public async Task<TreeWalkResult> FromTreeWalkAsync(Func<string, CancellationToken, Task<TreeWalkStep>> lookup, string domain, CancellationToken cancellationToken = default)
        {
            if (lookup is null)
            {
                throw new ArgumentNullException(nameof(lookup));
            }

            if (domain is null)
            {
                throw new ArgumentNullException(nameof(domain));
            }

            string start = DomainName.Parse(domain, DomainNameKind.DnsName).Value;
            IReadOnlyList<TreeWalkStep> steps = await WalkAsync(start, name => lookup(name, cancellationToken)).ConfigureAwait(false);
            TreeWalkStep? failure = steps.FirstOrDefault(s => s.Failure != null);
            return new TreeWalkResult(start, steps.Select(s => "_dmarc." + s.Domain).ToArray(),
                failure is null ? SelectFromTreeWalk(start, steps) : null, failure?.Failure);
        }

        /// <summary>The walk's queries in order, stopping after a psd=y or psd=n record (RFC 9989 §4.10 steps 2 and 6).</summary>
        internal static async Task<IReadOnlyList<TreeWalkStep>> WalkAsync(string start, Func<string, Task<TreeWalkStep>> lookup)
        {
            var steps = new List<TreeWalkStep>();
            foreach (string name in WalkNames(start))
            {
                TreeWalkStep step = await lookup(name).ConfigureAwait(false);
                steps.Add(step);
                if (step.Failure is null && (step.Psd == TreeWalkPsd.Yes || step.Psd == TreeWalkPsd.No))
                {
                    break;
                }
            }

            return steps;
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
        internal static string SelectFromTreeWalk(string start, IEnumerable<TreeWalkStep> steps)
        {
            var records = steps.Where(s => s.Failure is null && s.Psd != TreeWalkPsd.NoRecord).ToList();
            foreach (TreeWalkStep step in records)
            {
                if (step.Psd == TreeWalkPsd.No)
                {
                    return step.Domain;
                }

                if (step.Psd == TreeWalkPsd.Yes && !string.Equals(step.Domain, start, StringComparison.Ordinal))
                {
                    // Taken from the start's own labels, since a long name's walk skips some.
                    return DomainName.LastLabels(start, DomainName.CountLabels(step.Domain) + 1);
                }
            }

            return records.Count > 0 ? records.OrderBy(r => DomainName.CountLabels(r.Domain)).First().Domain : start;
        }
    }
}
