using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Findings;

namespace MailAuth.Posture
{
    /// <summary>
    /// Looks up DKIM key records (RFC 6376 §3.6.2.1: TXT at &lt;selector&gt;._domainkey.&lt;domain&gt;)
    /// for a list of selectors, concurrently, and judges each key. Thread-safe.
    /// </summary>
    public sealed class DkimRecordResolver
    {
        private readonly IDnsResolver _dns;

        /// <summary>Creates a resolver over <paramref name="dns"/> (share one across calls for its cache).</summary>
        public DkimRecordResolver(IDnsResolver dns)
        {
            _dns = dns ?? throw new ArgumentNullException(nameof(dns));
        }

        /// <summary>
        /// Queries every selector (none given: <see cref="DkimSelectors.Common"/>) at once. DNS
        /// failures come back per selector as <see cref="PostureStatus.LookupFailed"/>.
        /// </summary>
        /// <exception cref="ArgumentException">The domain or a selector is not a DNS name.</exception>
        /// <exception cref="OperationCanceledException">Cancelled.</exception>
        public Task<DkimReport> ResolveAsync(string domain, IEnumerable<string>? selectors = null, CancellationToken cancellationToken = default) =>
            ResolveAsync(domain, selectors, null, cancellationToken);

        /// <summary>
        /// The same, checking that each selector named in <paramref name="expectedCnames"/> is a CNAME
        /// to the name given: what a signing service such as Exchange Online expects the domain to
        /// publish (Get-DkimSigningConfig's Selector1CNAME and Selector2CNAME). Those selectors are
        /// queried too.
        /// </summary>
        /// <exception cref="ArgumentException">The domain, a selector or an expected name is not a DNS name.</exception>
        /// <exception cref="OperationCanceledException">Cancelled.</exception>
        public Task<DkimReport> ResolveAsync(string domain, IEnumerable<string>? selectors, IReadOnlyDictionary<string, string>? expectedCnames,
            CancellationToken cancellationToken = default) =>
            ResolveAsync(domain, selectors, expectedCnames, null, cancellationToken);

        /// <summary>
        /// Queries the selectors <see cref="DkimSelectorChoice.Choose"/> picks for the domain: the
        /// short list at once, the rest when <paramref name="choice"/> (which waits for the domain's
        /// MX and SPF) is known, so a domain whose lookups time out waits for one timeout, not two.
        /// </summary>
        /// <exception cref="ArgumentException">The domain is not a DNS name.</exception>
        public async Task<DkimReport> ResolveChosenAsync(string domain, Task<(IReadOnlyList<string> Selectors, IReadOnlyList<string> Reasons)> choice,
            CancellationToken cancellationToken = default)
        {
            string name = MailAuth.Names.DomainNameInput.Require(domain, nameof(domain));
            var lookups = new Dictionary<string, Task<DkimSelectorResult>>(StringComparer.Ordinal);
            foreach (string selector in DkimSelectorChoice.Short)
            {
                lookups[selector] = LookupAsync(name, selector, null, cancellationToken);
            }

            (IReadOnlyList<string> chosen, IReadOnlyList<string> reasons) = await choice.ConfigureAwait(false);
            foreach (string selector in chosen)
            {
                if (!lookups.ContainsKey(selector))
                {
                    lookups[selector] = LookupAsync(name, selector, null, cancellationToken);
                }
            }

            List<string> list = chosen.Concat(DkimSelectorChoice.Short).Distinct(StringComparer.Ordinal).ToList();
            DkimSelectorResult[] results = await Task.WhenAll(list.Select(s => lookups[s])).ConfigureAwait(false);
            return Finish(name, list, results, true, "chosen: " + string.Join("; ", reasons.Concat(new[] { "short list" })));
        }

        private async Task<DkimReport> ResolveAsync(string domain, IEnumerable<string>? selectors, IReadOnlyDictionary<string, string>? expectedCnames,
            string? choice, CancellationToken cancellationToken)
        {
            var expected = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, string> pair in expectedCnames ?? new Dictionary<string, string>())
            {
                expected[MailAuth.Names.DomainName.ParseSelector(pair.Key, nameof(expectedCnames))] = MailAuth.Names.DomainNameInput.Require(pair.Value, nameof(expectedCnames), MailAuth.Names.DomainNameKind.DnsName);
            }

            if (expected.Count > 0)
            {
                selectors = (selectors ?? Array.Empty<string>()).Concat(expected.Keys);
            }

            string name = MailAuth.Names.DomainNameInput.Require(domain, nameof(domain));
            bool useDefault = selectors is null || choice != null;
            List<string> list = (selectors ?? DkimSelectors.Common)
                .Select(s => MailAuth.Names.DomainName.ParseSelector(s, nameof(selectors)))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            if (list.Count == 0)
            {
                useDefault = true;
                list = DkimSelectors.Common.ToList();
            }

            DkimSelectorResult[] results = await Task.WhenAll(list.Select(s =>
                LookupAsync(name, s, expected.TryGetValue(s, out string? target) ? target : null, cancellationToken))).ConfigureAwait(false);
            return Finish(name, list, results, useDefault, choice);
        }

        private static DkimReport Finish(string name, List<string> list, DkimSelectorResult[] results, bool useDefault, string? choice)
        {
            var findings = results.SelectMany(r => r.FindingList).ToList();
            bool anyFound = results.Any(r => r.StatusCode == PostureStatus.Found);
            if (!anyFound)
            {
                DkimSelectorResult? failed = results.FirstOrDefault(r => r.StatusCode == PostureStatus.LookupFailed);
                if (failed != null)
                {
                    findings.Add(new Finding(FindingCatalog.Dkim.LookupFailed,
                        $"No DKIM key was found and {results.Count(r => r.StatusCode == PostureStatus.LookupFailed)} selector lookup(s) failed ({failed.ErrorMessage}); the answer is unknown.", name));
                }
                else
                {
                    findings.Add(new Finding(FindingCatalog.Dkim.NoneFound,
                        choice != null
                            ? $"None of the {list.Count} selectors tried ({string.Join(", ", list)}; {choice}) has a DKIM key. Selectors cannot be listed from DNS; pass the ones your senders use with -Selector, or sweep the common list with -AllCommonSelectors."
                            : useDefault
                            ? $"None of the {list.Count} common selectors has a DKIM key. Selectors cannot be listed from DNS; pass the ones your senders use."
                            : $"None of the selectors given ({string.Join(", ", list)}) has a DKIM key.", name));
                }
            }

            return new DkimReport(name, useDefault, results, findings, choice);
        }

        private async Task<DkimSelectorResult> LookupAsync(string domain, string selector, string? expectedCname, CancellationToken cancellationToken)
        {
            DkimSelectorResult result = await LookupAsync(domain, selector, cancellationToken).ConfigureAwait(false);
            if (expectedCname is null || result.StatusCode == PostureStatus.LookupFailed)
            {
                return result;
            }

            string? published = result.CnameChain.Count > 0 ? result.CnameChain[0].TrimEnd('.') : null;
            if (string.Equals(published, expectedCname, StringComparison.OrdinalIgnoreCase))
            {
                return result.WithExpectedCname(expectedCname, null);
            }

            string what = published is null
                ? result.StatusCode == PostureStatus.Found ? "publishes a key record itself instead of a CNAME" : "is not published"
                : $"is a CNAME to {published}";
            var finding = new Finding(FindingCatalog.Dkim.CnameMismatch,
                $"{result.QueryName} {what}; the signing service expects a CNAME to {expectedCname}, so it cannot sign with (or rotate) this selector's key. Publish: {result.QueryName} CNAME {expectedCname}.",
                result.QueryName);
            return result.WithExpectedCname(expectedCname, finding);
        }

        private async Task<DkimSelectorResult> LookupAsync(string domain, string selector, CancellationToken cancellationToken)
        {
            string queryName = selector + "._domainkey." + domain;
            DnsResponse response;
            try
            {
                response = await _dns.QueryAsync(queryName, DnsRecordType.TXT, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                // The joined name is too long (RFC 1035 §2.3.4) although both parts were valid.
                return new DkimSelectorResult(domain, selector, queryName, PostureStatus.NotFound, ex.Message, null,
                    Array.Empty<string>(), Array.Empty<string>(), Array.Empty<Finding>(), null);
            }

            PostureStatus status = PostureHelpers.ToStatus(response);
            IReadOnlyList<string> chain = response.CanonicalNames;
            var findings = new List<Finding>();
            if (status == PostureStatus.LookupFailed)
            {
                return new DkimSelectorResult(domain, selector, queryName, status, PostureHelpers.FailureText(response), null,
                    Array.Empty<string>(), chain, findings, response);
            }

            if (status == PostureStatus.NotFound)
            {
                if (chain.Count > 0)
                {
                    // Typical of Microsoft 365 with DKIM not enabled: selector1 CNAMEs to the
                    // tenant's onmicrosoft.com name, which has no key yet.
                    findings.Add(new Finding(FindingCatalog.Dkim.CnameDangling,
                        $"{queryName} is a CNAME to {chain[chain.Count - 1]}, which has no key record: the signing service is set up in DNS but not publishing a key.", queryName));
                }

                return new DkimSelectorResult(domain, selector, queryName, status, null, null, Array.Empty<string>(), chain, findings, response);
            }

            List<string> texts = response.Texts.ToList();

            // Prefer a record that looks like a key record when several are published.
            string chosen = texts.FirstOrDefault(t => t.IndexOf("p=", StringComparison.Ordinal) >= 0) ?? texts[0];
            var others = texts.Where(t => !ReferenceEquals(t, chosen)).ToArray();
            if (others.Length > 0)
            {
                findings.Add(new Finding(FindingCatalog.Dkim.MultipleRecords,
                    $"{texts.Count} TXT records at {queryName}; which one a verifier uses is undefined (RFC 6376 §3.6.2.2). Publish one.", queryName));
            }

            DkimKeyRecord record = DkimKeyRecord.Parse(chosen, queryName);
            findings.InsertRange(0, record.Findings);
            return new DkimSelectorResult(domain, selector, queryName, status, null, record, others, chain, findings, response);
        }
    }
}
