using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Names;

namespace MailAuth.Dmarc
{
    /// <summary>The answer for one _dmarc name: the DMARC records among its TXT records.</summary>
    internal sealed class PolicyLookup
    {
        public PolicyLookup(string domain, string queryName, DnsResponse response, IReadOnlyList<DmarcRecord> records)
        {
            Domain = domain;
            QueryName = queryName;
            Response = response;
            Records = records;
        }

        /// <summary>The domain (without _dmarc).</summary>
        public string Domain { get; }

        public string QueryName { get; }

        public DnsResponse Response { get; }

        /// <summary>TXT records that start with v=DMARC1 (RFC 9989 §4.10 step 2); others discarded.</summary>
        public IReadOnlyList<DmarcRecord> Records { get; }

        public bool Failed => Response.StatusCode == DnsLookupStatus.Failed;

        /// <summary>The one DMARC record, or null when there are none or several (several are all discarded).</summary>
        public DmarcRecord? Single => !Failed && Records.Count == 1 ? Records[0] : null;

        public bool HasDuplicates => !Failed && Records.Count > 1;

        public string FailureText => $"TXT {QueryName}: {Response.Error ?? Response.ResponseCode}";
    }

    /// <summary>One RFC 9989 §4.10 DNS Tree Walk from a starting domain.</summary>
    internal sealed class TreeWalk
    {
        public TreeWalk(string start, IReadOnlyList<PolicyLookup> steps, string organizationalDomain, PolicyLookup? psdStop)
        {
            Start = start;
            Steps = steps;
            OrganizationalDomain = organizationalDomain;
            PsdStop = psdStop;
        }

        public string Start { get; }

        /// <summary>Every name queried, in order.</summary>
        public IReadOnlyList<PolicyLookup> Steps { get; }

        public string OrganizationalDomain { get; }

        /// <summary>The step holding a psd=y record where the walk stopped, if any.</summary>
        public PolicyLookup? PsdStop { get; }

        public PolicyLookup? FirstFailure => Steps.FirstOrDefault(s => s.Failed);

        public IEnumerable<PolicyLookup> Found => Steps.Where(s => s.Single != null);
    }

    /// <summary>The outcome of policy discovery under one method.</summary>
    internal sealed class DiscoveryOutcome
    {
        public DmarcDiscoveryMethod Method { get; set; }

        public DmarcStatus Status { get; set; }

        public string? Error { get; set; }

        public string? RecordDomain { get; set; }

        public DmarcRecord? Record { get; set; }

        public string? OrganizationalDomain { get; set; }

        /// <summary>A query after the record was found failed, so the Organizational Domain may be wrong.</summary>
        public string? OrganizationalDomainProblem { get; set; }

        public List<PolicyLookup> Duplicates { get; } = new List<PolicyLookup>();

        /// <summary>Duplicates ended discovery (RFC 7489 §6.6.3 step 5).</summary>
        public bool StoppedOnDuplicates { get; set; }

        public bool Shortened { get; set; }
    }

    /// <summary>
    /// The DNS side of one resolution: memoised _dmarc lookups (so the trace holds each name once),
    /// the tree walk and the RFC 7489 method.
    /// </summary>
    internal sealed class DmarcDiscoveryContext
    {
        /// <summary>RFC 9989 §4.10: a walk never makes more than eight queries.</summary>
        public const int MaxWalkQueries = OrganizationalDomainService.MaxTreeWalkQueries;

        private readonly ConcurrentDictionary<string, Lazy<Task<PolicyLookup>>> _lookups =
            new ConcurrentDictionary<string, Lazy<Task<PolicyLookup>>>(StringComparer.Ordinal);

        private readonly ConcurrentDictionary<string, Lazy<Task<TreeWalk>>> _walks =
            new ConcurrentDictionary<string, Lazy<Task<TreeWalk>>>(StringComparer.Ordinal);

        private readonly OrganizationalDomainService _organizational;

        public DmarcDiscoveryContext(IDnsResolver dns, PublicSuffixList list, CancellationToken cancellationToken)
        {
            Dns = dns;
            List = list;
            _organizational = ReferenceEquals(list, PublicSuffixList.Embedded) ? OrganizationalDomainService.Embedded : new OrganizationalDomainService(list);
            CancellationToken = cancellationToken;
        }

        public IDnsResolver Dns { get; }

        public PublicSuffixList List { get; }

        public CancellationToken CancellationToken { get; }

        /// <summary>The names a tree walk from <paramref name="domain"/> queries, in order (RFC 9989 §4.10 steps 3-7).</summary>
        public static IReadOnlyList<string> WalkNames(string domain) => OrganizationalDomainService.WalkNames(domain);

        public Task<PolicyLookup> LookupAsync(string domain)
        {
            return _lookups.GetOrAdd(domain, d => new Lazy<Task<PolicyLookup>>(() => QueryAsync(d))).Value;
        }

        public Task<TreeWalk> WalkAsync(string start)
        {
            return _walks.GetOrAdd(start, d => new Lazy<Task<TreeWalk>>(() => RunWalkAsync(d))).Value;
        }

        /// <summary>The Organizational Domain under a method, or null when a DNS failure leaves it unknown.</summary>
        public async Task<string?> OrganizationalDomainAsync(string domain, DmarcDiscoveryMethod method)
        {
            if (method == DmarcDiscoveryMethod.PublicSuffixList)
            {
                return OrganizationalDomainFromList(domain);
            }

            TreeWalk walk = await WalkAsync(domain).ConfigureAwait(false);
            return walk.FirstFailure is null ? walk.OrganizationalDomain : null;
        }

        /// <summary>RFC 7489 §3.2: public suffix plus one label; a public suffix itself stays as it is.</summary>
        public string OrganizationalDomainFromList(string domain) => _organizational.FromPublicSuffixList(domain);

        public async Task<DiscoveryOutcome> DiscoverAsync(string domain, DmarcDiscoveryMethod method)
        {
            return method == DmarcDiscoveryMethod.TreeWalk
                ? await DiscoverByTreeWalkAsync(domain).ConfigureAwait(false)
                : await DiscoverByListAsync(domain).ConfigureAwait(false);
        }

        private async Task<DiscoveryOutcome> DiscoverByTreeWalkAsync(string domain)
        {
            // RFC 9989 §4.10.1: the Author Domain first, then a walk for its Organizational Domain or
            // Public Suffix Domain. The first step of the walk is that same query, so one walk serves both.
            TreeWalk walk = await WalkAsync(domain).ConfigureAwait(false);
            var outcome = new DiscoveryOutcome
            {
                Method = DmarcDiscoveryMethod.TreeWalk,
                OrganizationalDomain = walk.OrganizationalDomain,
                Shortened = DomainName.CountLabels(domain) > MaxWalkQueries,
            };
            outcome.Duplicates.AddRange(walk.Steps.Where(s => s.HasDuplicates));

            PolicyLookup first = walk.Steps[0];
            if (first.Failed)
            {
                outcome.Status = DmarcStatus.LookupFailed;
                outcome.Error = "The query for the domain's own policy failed: " + first.FailureText;
                outcome.OrganizationalDomain = null;
                return outcome;
            }

            PolicyLookup? failure = walk.FirstFailure;
            if (first.Single != null)
            {
                outcome.Status = DmarcStatus.Found;
                outcome.RecordDomain = domain;
                outcome.Record = first.Single;
                if (failure != null)
                {
                    outcome.OrganizationalDomainProblem = failure.FailureText;
                }

                return outcome;
            }

            if (failure != null)
            {
                // A failed name could hold the deciding record: never turn that into "not found".
                outcome.Status = DmarcStatus.LookupFailed;
                outcome.Error = "A query of the DNS tree walk failed: " + failure.FailureText;
                outcome.OrganizationalDomain = null;
                return outcome;
            }

            // The Organizational Domain's record, else the Public Suffix Domain's (RFC 9989 §4.10.1).
            PolicyLookup? chosen = walk.Found.FirstOrDefault(s => string.Equals(s.Domain, walk.OrganizationalDomain, StringComparison.Ordinal))
                ?? walk.PsdStop;
            if (chosen is null)
            {
                outcome.Status = DmarcStatus.NotFound;
                return outcome;
            }

            outcome.Status = DmarcStatus.Found;
            outcome.RecordDomain = chosen.Domain;
            outcome.Record = chosen.Single;
            return outcome;
        }

        private async Task<DiscoveryOutcome> DiscoverByListAsync(string domain)
        {
            string organizational = OrganizationalDomainFromList(domain);
            var outcome = new DiscoveryOutcome
            {
                Method = DmarcDiscoveryMethod.PublicSuffixList,
                OrganizationalDomain = organizational,
            };

            // RFC 7489 §6.6.3 steps 1-5: the From domain, then (only when nothing is there) the
            // Organizational Domain. Several records at a name end discovery: no policy.
            var names = new List<string> { domain };
            if (!string.Equals(organizational, domain, StringComparison.Ordinal))
            {
                names.Add(organizational);
            }

            foreach (string name in names)
            {
                PolicyLookup lookup = await LookupAsync(name).ConfigureAwait(false);
                if (lookup.Failed)
                {
                    outcome.Status = DmarcStatus.LookupFailed;
                    outcome.Error = "The policy query failed: " + lookup.FailureText;
                    return outcome;
                }

                if (lookup.HasDuplicates)
                {
                    outcome.Duplicates.Add(lookup);
                    outcome.StoppedOnDuplicates = true;
                    outcome.Status = DmarcStatus.NotFound;
                    return outcome;
                }

                if (lookup.Single != null)
                {
                    outcome.Status = DmarcStatus.Found;
                    outcome.RecordDomain = name;
                    outcome.Record = lookup.Single;
                    return outcome;
                }
            }

            outcome.Status = DmarcStatus.NotFound;
            return outcome;
        }

        private async Task<TreeWalk> RunWalkAsync(string start)
        {
            // The one walk of the shared service (RFC 9989 §4.10), over this context's memoised lookups.
            var lookups = new Dictionary<string, PolicyLookup>(StringComparer.Ordinal);
            IReadOnlyList<TreeWalkStep> walked = await OrganizationalDomainService.WalkAsync(start, async name =>
            {
                PolicyLookup lookup = await LookupAsync(name).ConfigureAwait(false);
                lock (lookups)
                {
                    lookups[name] = lookup;
                }

                return StepOf(lookup);
            }).ConfigureAwait(false);

            List<PolicyLookup> steps = walked.Select(s => lookups[s.Domain]).ToList();
            PolicyLookup last = steps[steps.Count - 1];
            PolicyLookup? psdStop = last.Single?.PsdCode == DmarcPsd.Yes ? last : null;
            return new TreeWalk(start, steps, OrganizationalDomainService.SelectFromTreeWalk(start, walked), psdStop);
        }

        /// <summary>One _dmarc answer as the shared walk sees it: failed, no single record, or the record's psd tag.</summary>
        internal static TreeWalkStep StepOf(PolicyLookup lookup)
        {
            if (lookup.Failed)
            {
                return new TreeWalkStep(lookup.Domain, TreeWalkPsd.NoRecord, lookup.FailureText);
            }

            DmarcRecord? record = lookup.Single;
            TreeWalkPsd psd = record is null ? TreeWalkPsd.NoRecord
                : record.PsdCode == DmarcPsd.Yes ? TreeWalkPsd.Yes
                : record.PsdCode == DmarcPsd.No ? TreeWalkPsd.No
                : TreeWalkPsd.Unspecified;
            return new TreeWalkStep(lookup.Domain, psd);
        }

        private async Task<PolicyLookup> QueryAsync(string domain)
        {
            string name = "_dmarc." + domain;
            DnsResponse response;
            if (name.Length > DomainName.MaxLength)
            {
                // No such name can exist in the DNS (RFC 1035 §2.3.4); nothing to ask.
                response = new DnsResponse(name, DnsRecordType.TXT, DnsLookupStatus.NotFound, "NameTooLong",
                    Array.Empty<DnsRecord>(), null, 0, false, null);
            }
            else
            {
                response = await Dns.QueryAsync(name, DnsRecordType.TXT, CancellationToken).ConfigureAwait(false);
            }

            IReadOnlyList<DmarcRecord> records = response.StatusCode == DnsLookupStatus.Found
                ? response.Texts.Where(DmarcRecord.IsDmarc).Select(DmarcRecord.Parse).ToArray()
                : Array.Empty<DmarcRecord>();
            return new PolicyLookup(domain, name, response, records);
        }
    }
}
