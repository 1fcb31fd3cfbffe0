using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Findings;
using MailAuth.Names;

namespace MailAuth.Dmarc
{
    /// <summary>
    /// Finds and judges the DMARC policy of a domain and, given a message's SPF and DKIM outcomes,
    /// evaluates it the way a receiver would. One call, one <see cref="DmarcPolicy"/>. Thread-safe.
    /// </summary>
    public sealed class DmarcResolver
    {
        private readonly IDnsResolver _dns;

        /// <summary>Creates a resolver that queries DNS through <paramref name="dns"/> (share one across calls).</summary>
        public DmarcResolver(IDnsResolver dns)
        {
            _dns = dns ?? throw new ArgumentNullException(nameof(dns));
        }

        /// <summary>
        /// The names a DNS Tree Walk from <paramref name="domain"/> queries (RFC 9989 §4.10), at most eight.
        /// </summary>
        /// <exception cref="ArgumentException">Not a domain name.</exception>
        public static IReadOnlyList<string> GetTreeWalkNames(string domain)
        {
            return DmarcDiscoveryContext.WalkNames(NormalizeDomain(domain, nameof(domain)));
        }

        /// <summary>
        /// The _dmarc lookup the shared tree walk takes (<see cref="OrganizationalDomainService.FromTreeWalkAsync"/>):
        /// one TXT query per name, the DMARC records among the answers read as discovery reads them.
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="dns"/> is null.</exception>
        public static Func<string, CancellationToken, Task<TreeWalkStep>> TreeWalkLookup(IDnsResolver dns)
        {
            if (dns is null)
            {
                throw new ArgumentNullException(nameof(dns));
            }

            return async (name, ct) =>
            {
                var context = new DmarcDiscoveryContext(dns, PublicSuffixList.Embedded, ct);
                return DmarcDiscoveryContext.StepOf(await context.LookupAsync(name).ConfigureAwait(false));
            };
        }

        /// <summary>
        /// The domain of a domain or address input, lower case, A-labels, no trailing dot; false with
        /// the reason when it is not usable.
        /// </summary>
        public static bool TryGetDomain(string? domainOrAddress, out string domain, out string error)
        {
            // The shared reading (docs/domain-names.md): "Name <user@example.com>", an address, a
            // URL; a single label is allowed here, since a Public Suffix Domain can publish a policy
            // (RFC 9989 §4.10); the cmdlets ask for a fully-qualified domain.
            DomainNameInput read = DomainNameInput.Read(domainOrAddress, DomainNameKind.HostName, requireQualified: false);
            domain = read.Domain ?? string.Empty;
            error = read.IsValid ? string.Empty : read.Error + " " + DomainNameInput.DomainAction;
            return read.IsValid;
        }

        /// <summary>
        /// Discovers the policy for the query's domain with its method, validates it, checks external
        /// report destinations, compares with the other method, and evaluates the message when SPF or
        /// DKIM inputs are given. DNS failures come back as <see cref="DmarcStatus.LookupFailed"/>.
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="query"/> is null.</exception>
        /// <exception cref="ArgumentException">The domain, MAIL FROM domain or a DKIM d= is not a domain name.</exception>
        /// <exception cref="OperationCanceledException">Cancelled.</exception>
        public async Task<DmarcPolicy> ResolveAsync(DmarcQuery query, DmarcOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (query is null)
            {
                throw new ArgumentNullException(nameof(query));
            }

            options ??= new DmarcOptions();
            string domain = NormalizeDomain(query.Input, nameof(query));
            string? mailFrom = query.MailFromDomain is null ? null : NormalizeDomain(query.MailFromDomain, nameof(query.MailFromDomain));
            var dkim = new List<(string Domain, DkimSignatureResult Input)>();
            foreach (DkimSignatureResult signature in query.DkimResults)
            {
                if (signature is null)
                {
                    throw new ArgumentException("A DKIM result in the query is null; remove it.", nameof(query));
                }

                dkim.Add((NormalizeDomain(signature.Domain, "DkimResults"), signature));
            }

            var recorder = new RecordingDnsResolver(_dns, options.TraceObserver);
            var context = new DmarcDiscoveryContext(recorder, options.List, cancellationToken);
            DmarcDiscoveryMethod method = query.Method;

            DiscoveryOutcome outcome = await context.DiscoverAsync(domain, method).ConfigureAwait(false);
            DiscoveryOutcome? alternate = null;
            if (options.CompareMethods)
            {
                DmarcDiscoveryMethod other = method == DmarcDiscoveryMethod.TreeWalk
                    ? DmarcDiscoveryMethod.PublicSuffixList
                    : DmarcDiscoveryMethod.TreeWalk;
                alternate = await context.DiscoverAsync(domain, other).ConfigureAwait(false);
            }

            var findings = new List<Finding>();
            DmarcRecord? record = outcome.Record;
            if (record != null)
            {
                findings.AddRange(record.Findings);
            }

            AddDiscoveryFindings(domain, outcome, alternate, options.List, findings);

            // The domain's existence decides between sp and np when the record is inherited.
            bool? exists = null;
            bool inherited = outcome.Status == DmarcStatus.Found && !string.Equals(outcome.RecordDomain, domain, StringComparison.Ordinal);
            Task<bool?> existsTask = inherited ? DomainExistsAsync(recorder, domain, method, cancellationToken) : Task.FromResult<bool?>(null);
            Task<IReadOnlyList<DmarcReportAuthorization>> authorizationsTask = options.CheckReportAuthorization && record != null
                ? CheckReportAuthorizationAsync(context, outcome, method, findings)
                : Task.FromResult<IReadOnlyList<DmarcReportAuthorization>>(Array.Empty<DmarcReportAuthorization>());
            await Task.WhenAll(existsTask, authorizationsTask).ConfigureAwait(false);
            exists = existsTask.Result;
            IReadOnlyList<DmarcReportAuthorization> authorizations = authorizationsTask.Result;

            PolicyChoice choice = ChoosePolicy(record, method, inherited, exists);
            if (inherited && outcome.RecordDomain != null)
            {
                string existence = exists switch
                {
                    true => "the domain exists, so sp (or p) applies",
                    false => "the domain does not exist (NXDOMAIN), so np (or sp, or p) applies",
                    _ => "whether the domain exists could not be determined, so sp (or p) is assumed",
                };
                findings.Add(new Finding(FindingCatalog.Dmarc.Inherited,
                    $"No record at _dmarc.{domain}; the policy is inherited from _dmarc.{outcome.RecordDomain}: {existence}.", domain));
            }

            DmarcEvaluation? evaluation = null;
            if (query.HasEvaluationInputs)
            {
                evaluation = await EvaluateAsync(context, domain, outcome, choice, method, mailFrom, query.SpfResult,
                    dkim, options, record).ConfigureAwait(false);
            }

            return new DmarcPolicy(query.Input, domain, method, outcome.Status, outcome.Error, outcome.RecordDomain,
                outcome.OrganizationalDomain, record, choice.Source, choice.Action, exists, findings,
                recorder.Responses, authorizations, alternate?.RecordDomain, alternate?.OrganizationalDomain,
                alternate?.Status, evaluation);
        }

        private static string NormalizeDomain(string? input, string parameter)
        {
            if (!TryGetDomain(input, out string domain, out string error))
            {
                DomainNameInput read = DomainNameInput.Read(input, DomainNameKind.HostName, requireQualified: false);
                throw new DomainNameException(input, read.Rule, error, parameter);
            }

            return domain;
        }

        private static void AddDiscoveryFindings(string domain, DiscoveryOutcome outcome, DiscoveryOutcome? alternate,
            PublicSuffixList list, List<Finding> findings)
        {
            foreach (PolicyLookup duplicate in outcome.Duplicates)
            {
                string consequence = outcome.Method == DmarcDiscoveryMethod.TreeWalk
                    ? "all are discarded and the tree walk goes on to the parent names (RFC 9989 §4.10 step 2)"
                    : "all are discarded and policy discovery stops: no DMARC policy applies (RFC 7489 §6.6.3 step 5)";
                findings.Add(new Finding(FindingCatalog.Dmarc.DuplicateRecords,
                    $"{duplicate.Records.Count} DMARC records at {duplicate.QueryName}: {consequence}. Publish exactly one.",
                    duplicate.QueryName));
            }

            switch (outcome.Status)
            {
                case DmarcStatus.NotFound:
                    findings.Add(new Finding(FindingCatalog.Dmarc.NoRecord,
                        outcome.StoppedOnDuplicates
                            ? $"No usable DMARC policy for {domain}: the duplicate records cancel each other."
                            : $"No DMARC policy applies to {domain}: receivers do not apply DMARC, so mail forged in its name is not held back. Publish a record at _dmarc.{domain} or at its Organizational Domain.",
                        domain));
                    break;
                case DmarcStatus.LookupFailed:
                    findings.Add(new Finding(FindingCatalog.Dmarc.LookupFailed,
                        (outcome.Error ?? "A DNS query failed") + ". The policy is unknown; retry, or check the name servers.", domain));
                    break;
            }

            if (outcome.OrganizationalDomainProblem != null)
            {
                findings.Add(new Finding(FindingCatalog.Dmarc.OrganizationalDomainIncomplete,
                    $"The record was found, but a query of the tree walk failed ({outcome.OrganizationalDomainProblem}); the Organizational Domain {outcome.OrganizationalDomain} may be wrong.",
                    domain));
            }

            if (outcome.Shortened)
            {
                findings.Add(new Finding(FindingCatalog.Dmarc.WalkShortened,
                    $"{domain} has {DomainName.CountLabels(domain)} labels: after its own name the tree walk jumps to the rightmost seven labels (RFC 9989 §4.10 step 4), so records on the skipped names are never found.",
                    domain));
            }

            if (outcome.RecordDomain != null && list.IsPublicSuffix(outcome.RecordDomain))
            {
                bool psd = outcome.Record?.PsdCode == DmarcPsd.Yes;
                findings.Add(new Finding(FindingCatalog.Dmarc.PublicSuffix, psd ? FindingSeverity.Information : FindingSeverity.Warning,
                    psd
                        ? $"The policy is published on the public suffix {outcome.RecordDomain} by its operator (psd=y, RFC 9989 §5.2); it covers registrations that publish none."
                        : $"The policy is published on {outcome.RecordDomain}, a public suffix, without psd=y: a Public Suffix Operator must mark its record psd=y (RFC 9989 §5.2), and RFC 7489 receivers do not look there.",
                    outcome.RecordDomain));
            }

            if (alternate != null
                && outcome.Status != DmarcStatus.LookupFailed && alternate.Status != DmarcStatus.LookupFailed
                && (!string.Equals(outcome.RecordDomain, alternate.RecordDomain, StringComparison.Ordinal)
                    || !string.Equals(outcome.OrganizationalDomain, alternate.OrganizationalDomain, StringComparison.Ordinal)))
            {
                findings.Add(new Finding(FindingCatalog.Dmarc.MethodsDisagree,
                    $"The methods disagree for {domain}: {Describe(outcome)}; {Describe(alternate)}. Receivers of the two kinds will treat its mail differently; publishing a record at _dmarc.{domain} (and using strict alignment) avoids this (RFC 9989 Appendix C.3).",
                    domain));
            }
        }

        private static string Describe(DiscoveryOutcome outcome)
        {
            string name = outcome.Method == DmarcDiscoveryMethod.TreeWalk ? "the DNS tree walk (RFC 9989)" : "the Public Suffix List method (RFC 7489)";
            string where = outcome.RecordDomain is null ? "finds no record" : $"finds the record at _dmarc.{outcome.RecordDomain}";
            return $"{name} {where}, Organizational Domain {outcome.OrganizationalDomain ?? "unknown"}";
        }

        /// <summary>
        /// Whether the From domain exists. RFC 9989 §3.2.13 (after RFC 8020): NXDOMAIN means it does
        /// not. RFC 9091 §2.7 (the RFC 7489-era np): NXDOMAIN or NODATA for A, AAAA and MX.
        /// </summary>
        private static async Task<bool?> DomainExistsAsync(IDnsResolver dns, string domain, DmarcDiscoveryMethod method, CancellationToken cancellationToken)
        {
            if (method == DmarcDiscoveryMethod.TreeWalk)
            {
                DnsResponse a = await dns.QueryAsync(domain, DnsRecordType.A, cancellationToken).ConfigureAwait(false);
                if (a.StatusCode == DnsLookupStatus.Failed)
                {
                    return null;
                }

                return !a.IsNxDomain;
            }

            DnsResponse[] answers = await Task.WhenAll(
                dns.QueryAsync(domain, DnsRecordType.A, cancellationToken),
                dns.QueryAsync(domain, DnsRecordType.AAAA, cancellationToken),
                dns.QueryAsync(domain, DnsRecordType.MX, cancellationToken)).ConfigureAwait(false);
            if (answers.Any(r => r.StatusCode == DnsLookupStatus.Found))
            {
                return true;
            }

            if (answers.Any(r => r.StatusCode == DnsLookupStatus.Failed))
            {
                return null;
            }

            return false;
        }

        private async Task<IReadOnlyList<DmarcReportAuthorization>> CheckReportAuthorizationAsync(
            DmarcDiscoveryContext context, DiscoveryOutcome outcome, DmarcDiscoveryMethod method, List<Finding> findings)
        {
            DmarcRecord record = outcome.Record!;
            string policyDomain = outcome.RecordDomain!;
            string ownOrganization = outcome.OrganizationalDomain ?? policyDomain;

            // RFC 7489 §7.1: a destination outside the policy's Organizational Domain must publish
            // <policy domain>._report._dmarc.<destination host> TXT starting with v=DMARC1.
            var hosts = new List<string>();
            foreach (DmarcReportUri uri in record.ReportUris.Concat(record.FailureReportUris))
            {
                if (!uri.IsValid || uri.Host is null || hosts.Contains(uri.Host))
                {
                    continue;
                }

                bool external = method == DmarcDiscoveryMethod.PublicSuffixList
                    ? !string.Equals(context.OrganizationalDomainFromList(uri.Host), ownOrganization, StringComparison.Ordinal)
                    : !DomainName.IsSameOrBelow(uri.Host, ownOrganization);
                if (external)
                {
                    hosts.Add(uri.Host);
                }
            }

            if (hosts.Count == 0)
            {
                return Array.Empty<DmarcReportAuthorization>();
            }

            DmarcReportAuthorization[] results = await Task.WhenAll(hosts.Select(h => CheckOneAsync(context, policyDomain, h))).ConfigureAwait(false);
            foreach (DmarcReportAuthorization result in results)
            {
                if (result.StatusCode == DmarcStatus.NotFound)
                {
                    findings.Add(new Finding(FindingCatalog.Dmarc.ReportUnauthorized,
                        $"Reports go to {result.Host}, outside {ownOrganization}, but {result.QueryName} has no TXT record starting with v=DMARC1: receivers will not send reports there (RFC 7489 §7.1). Ask the report consumer to publish it.",
                        result.Host));
                }
                else if (result.StatusCode == DmarcStatus.LookupFailed)
                {
                    findings.Add(new Finding(FindingCatalog.Dmarc.ReportAuthorizationFailed,
                        $"Could not check whether {result.Host} accepts reports for {policyDomain}: {result.Error}.",
                        result.Host));
                }
            }

            return results;
        }

        private static async Task<DmarcReportAuthorization> CheckOneAsync(DmarcDiscoveryContext context, string policyDomain, string host)
        {
            string name = policyDomain + "._report._dmarc." + host;
            if (name.Length > DomainName.MaxLength)
            {
                return new DmarcReportAuthorization(host, name, DmarcStatus.NotFound, null,
                    $"the name is {name.Length} characters long, over the DNS limit of {DomainName.MaxLength}");
            }

            DnsResponse response = await context.Dns.QueryAsync(name, DnsRecordType.TXT, context.CancellationToken).ConfigureAwait(false);
            switch (response.StatusCode)
            {
                case DnsLookupStatus.Failed:
                    return new DmarcReportAuthorization(host, name, DmarcStatus.LookupFailed, null, $"TXT {name}: {response.Error ?? response.ResponseCode}");
                case DnsLookupStatus.Found:
                    string? text = response.Texts.FirstOrDefault(DmarcRecord.IsDmarc);
                    return text is null
                        ? new DmarcReportAuthorization(host, name, DmarcStatus.NotFound, null, "no TXT record there starts with v=DMARC1")
                        : new DmarcReportAuthorization(host, name, DmarcStatus.Found, text, null);
                default:
                    return new DmarcReportAuthorization(host, name, DmarcStatus.NotFound, null, response.IsNxDomain ? "NXDOMAIN" : "no TXT record");
            }
        }

        private sealed class PolicyChoice
        {
            public DmarcPolicyAction? Action { get; set; }

            public DmarcPolicySource Source { get; set; }

            /// <summary>The record cannot be used (no valid p and no valid rua): no DMARC processing.</summary>
            public bool Unusable { get; set; }

            /// <summary>An invalid p/sp/np was replaced by p=none because rua is valid.</summary>
            public bool FellBackToNone { get; set; }
        }

        private static PolicyChoice ChoosePolicy(DmarcRecord? record, DmarcDiscoveryMethod method, bool inherited, bool? exists)
        {
            var choice = new PolicyChoice { Source = DmarcPolicySource.None };
            if (record is null)
            {
                return choice;
            }

            // RFC 9989 §4.7 treats a missing p as p=none; RFC 7489 §6.6.3 step 6 treats it like an invalid one.
            bool missingP = record.PolicyText is null;
            bool invalid = record.HasInvalidPolicyTag || (missingP && method == DmarcDiscoveryMethod.PublicSuffixList);
            if (invalid)
            {
                // RFC 9989 §4.10.1 / RFC 7489 §6.6.3 step 6: with a valid rua act as p=none, else no DMARC processing.
                if (record.HasValidReportUri)
                {
                    choice.Action = DmarcPolicyAction.None;
                    choice.Source = DmarcPolicySource.P;
                    choice.FellBackToNone = true;
                }
                else
                {
                    choice.Unusable = true;
                }

                return choice;
            }

            DmarcPolicyAction p = record.PolicyCode ?? DmarcPolicyAction.None;
            if (!inherited)
            {
                choice.Action = p;
                choice.Source = DmarcPolicySource.P;
                return choice;
            }

            if (exists == false && record.NonExistentSubdomainPolicyCode.HasValue)
            {
                choice.Action = record.NonExistentSubdomainPolicyCode.Value;
                choice.Source = DmarcPolicySource.Np;
            }
            else if (record.SubdomainPolicyCode.HasValue)
            {
                choice.Action = record.SubdomainPolicyCode.Value;
                choice.Source = DmarcPolicySource.Sp;
            }
            else
            {
                choice.Action = p;
                choice.Source = DmarcPolicySource.P;
            }

            return choice;
        }

        private async Task<DmarcEvaluation> EvaluateAsync(DmarcDiscoveryContext context, string domain,
            DiscoveryOutcome outcome, PolicyChoice choice, DmarcDiscoveryMethod method, string? mailFrom,
            string? spfResult, List<(string Domain, DkimSignatureResult Input)> dkim, DmarcOptions options, DmarcRecord? record)
        {
            var identifiers = new List<DmarcIdentifierAlignment>();
            string? fromOrganization = outcome.OrganizationalDomainProblem is null ? outcome.OrganizationalDomain : null;

            if (outcome.Status == DmarcStatus.LookupFailed)
            {
                return new DmarcEvaluation(domain, null, identifiers, DmarcResult.TempError, DmarcAlignedIdentifier.None,
                    null, DmarcPolicySource.None, DmarcPolicyAction.None, null, null, false,
                    $"temperror: {outcome.Error}. A receiver may defer the message (4xx) or accept it (RFC 9989 §4.10.1).");
            }

            if (outcome.Status == DmarcStatus.NotFound || record is null)
            {
                return new DmarcEvaluation(domain, outcome.OrganizationalDomain, identifiers, DmarcResult.None, DmarcAlignedIdentifier.None,
                    null, DmarcPolicySource.None, DmarcPolicyAction.None, null, null, false,
                    $"none: no DMARC policy applies to {domain}, so receivers do not apply DMARC (RFC 9989 §4.10.1).");
            }

            // Alignment (RFC 7489 §3.1, RFC 9989 §4.4): strict needs identical domains, relaxed the
            // same Organizational Domain under the method in use.
            var checks = new List<Task<DmarcIdentifierAlignment>>();
            if (mailFrom != null || spfResult != null)
            {
                checks.Add(AlignAsync(context, "spf", mailFrom, spfResult ?? "none", record.SpfAlignmentCode, domain, fromOrganization, method));
            }

            foreach ((string d, DkimSignatureResult input) in dkim)
            {
                checks.Add(AlignAsync(context, "dkim", d, input.Result, record.DkimAlignmentCode, domain, fromOrganization, method));
            }

            identifiers.AddRange(await Task.WhenAll(checks).ConfigureAwait(false));

            bool spfPass = identifiers.Any(i => i.Mechanism == "spf" && i.AlignedPass);
            bool dkimPass = identifiers.Any(i => i.Mechanism == "dkim" && i.AlignedPass);
            DmarcAlignedIdentifier aligned = spfPass && dkimPass ? DmarcAlignedIdentifier.Both
                : spfPass ? DmarcAlignedIdentifier.Spf
                : dkimPass ? DmarcAlignedIdentifier.Dkim
                : DmarcAlignedIdentifier.None;

            var reason = new StringBuilder();
            string detail = string.Join("; ", identifiers.Select(i => i.Note));
            if (identifiers.Count == 0)
            {
                detail = "no SPF or DKIM result given";
            }

            if (choice.Unusable)
            {
                return new DmarcEvaluation(domain, fromOrganization, identifiers, DmarcResult.PermError, aligned,
                    null, DmarcPolicySource.None, DmarcPolicyAction.None, null, null, false,
                    $"permerror: the record at _dmarc.{outcome.RecordDomain} has no valid p (or an invalid sp/np) and no valid rua, so receivers apply no DMARC processing (RFC 9989 §4.10.1). {detail}.");
            }

            if (aligned != DmarcAlignedIdentifier.None)
            {
                return new DmarcEvaluation(domain, fromOrganization, identifiers, DmarcResult.Pass, aligned,
                    choice.Action, choice.Source, DmarcPolicyAction.None, null, null, false,
                    $"pass: {detail}.");
            }

            // A passing identifier whose alignment a DNS failure hid, or a temporary SPF/DKIM error on
            // an identifier that would align, leaves the answer open.
            bool open = identifiers.Any(i => (i.Passed && i.Aligned is null)
                || (string.Equals(i.Result, "temperror", StringComparison.Ordinal) && i.Aligned != false));
            if (open)
            {
                return new DmarcEvaluation(domain, fromOrganization, identifiers, DmarcResult.TempError, aligned,
                    choice.Action, choice.Source, DmarcPolicyAction.None, null, null, false,
                    $"temperror: no aligned pass, but a temporary error could hide one ({detail}). A receiver may defer the message.");
            }

            DmarcPolicyAction requested = choice.Action ?? DmarcPolicyAction.None;
            DmarcPolicyAction disposition = requested;
            int? roll = null;
            bool? sampled = null;
            bool testApplied = false;
            string tagName = choice.Source switch
            {
                DmarcPolicySource.Sp => "sp",
                DmarcPolicySource.Np => "np",
                _ => "p",
            };
            reason.Append($"fail: no aligned pass ({detail}). Policy {tagName}={DmarcRecord.Name(requested)} from _dmarc.{outcome.RecordDomain}");
            if (choice.FellBackToNone)
            {
                reason.Append(" (an invalid policy tag with a valid rua counts as p=none)");
            }

            if (requested != DmarcPolicyAction.None)
            {
                if (method == DmarcDiscoveryMethod.PublicSuffixList)
                {
                    // RFC 7489 §6.6.4: the policy goes to pct% of failing mail; the rest gets the
                    // next weaker policy (reject -> quarantine, quarantine -> none).
                    int pct = record.EffectivePercentage;
                    if (pct < 100)
                    {
                        roll = NextRoll(options, domain, mailFrom, spfResult, dkim);
                        sampled = roll.Value < pct;
                        if (!sampled.Value)
                        {
                            disposition = StepDown(requested);
                        }

                        string source = options.SamplingRoll is null ? "a stable hash of the message's identifiers" : "the supplied random source";
                        reason.Append($"; pct={pct}: policy applied to {pct}% of failing mail — this message: roll {roll.Value} (0-99, from {source}) is {(sampled.Value ? "below" : "not below")} {pct}, so {(sampled.Value ? "applied" : "not applied, one step weaker")}");
                    }
                    else if (record.TestMode)
                    {
                        reason.Append("; t=y is not part of RFC 7489 and is ignored by this method");
                    }
                }
                else
                {
                    // RFC 9989 §4.7: t=y asks for one step weaker than the stated policy; pct is gone.
                    if (record.TestMode)
                    {
                        disposition = StepDown(requested);
                        testApplied = true;
                        reason.Append("; t=y (testing): one step weaker");
                    }

                    if (record.Percentage.HasValue && record.Percentage.Value < 100)
                    {
                        reason.Append($"; pct={record.Percentage.Value} is ignored (removed by RFC 9989)");
                    }
                }
            }

            reason.Append($" → {DmarcRecord.Name(disposition)}.");
            return new DmarcEvaluation(domain, fromOrganization, identifiers, DmarcResult.Fail, aligned,
                requested, choice.Source, disposition, roll, sampled, testApplied, reason.ToString());
        }

        private static async Task<DmarcIdentifierAlignment> AlignAsync(DmarcDiscoveryContext context, string mechanism,
            string? identifier, string result, DmarcAlignmentMode mode, string fromDomain, string? fromOrganization,
            DmarcDiscoveryMethod method)
        {
            string normalizedResult = result.Trim().ToLowerInvariant();
            bool passed = string.Equals(normalizedResult, "pass", StringComparison.Ordinal);
            string label = mechanism == "spf" ? $"SPF {normalizedResult} for {identifier ?? "(no MAIL FROM domain)"}" : $"DKIM {normalizedResult} d={identifier}";
            string modeText = mode == DmarcAlignmentMode.Strict ? "strict" : "relaxed";

            if (identifier is null)
            {
                return new DmarcIdentifierAlignment(mechanism, null, normalizedResult, passed, mode, null, false,
                    $"{label}: no MAIL FROM domain given, so SPF cannot align");
            }

            if (string.Equals(identifier, fromDomain, StringComparison.Ordinal))
            {
                return new DmarcIdentifierAlignment(mechanism, identifier, normalizedResult, passed, mode, null, true,
                    $"{label}: aligned ({modeText}, identical to {fromDomain})");
            }

            if (mode == DmarcAlignmentMode.Strict)
            {
                return new DmarcIdentifierAlignment(mechanism, identifier, normalizedResult, passed, mode, null, false,
                    $"{label}: not aligned (strict needs exactly {fromDomain})");
            }

            string? organization = await context.OrganizationalDomainAsync(identifier, method).ConfigureAwait(false);
            if (organization is null || fromOrganization is null)
            {
                return new DmarcIdentifierAlignment(mechanism, identifier, normalizedResult, passed, mode, organization, null,
                    $"{label}: alignment unknown (a DNS query for the Organizational Domain failed)");
            }

            bool aligned = string.Equals(organization, fromOrganization, StringComparison.Ordinal);
            string note = aligned
                ? $"{label}: aligned (relaxed, Organizational Domain {organization})"
                : $"{label}: not aligned (relaxed: Organizational Domain {organization}, not {fromOrganization})";
            return new DmarcIdentifierAlignment(mechanism, identifier, normalizedResult, passed, mode, organization, aligned, note);
        }

        private static DmarcPolicyAction StepDown(DmarcPolicyAction action) => action switch
        {
            DmarcPolicyAction.Reject => DmarcPolicyAction.Quarantine,
            _ => DmarcPolicyAction.None,
        };

        private static int NextRoll(DmarcOptions options, string domain, string? mailFrom, string? spfResult,
            List<(string Domain, DkimSignatureResult Input)> dkim)
        {
            if (options.SamplingRoll != null)
            {
                int value = options.SamplingRoll();
                if (value < 0 || value > 99)
                {
                    throw new InvalidOperationException($"DmarcOptions.SamplingRoll returned {value}; it must return a number from 0 to 99.");
                }

                return value;
            }

            // FNV-1a over the message's identifiers: the same message always gets the same roll.
            var text = new StringBuilder(domain).Append('|').Append(mailFrom).Append('|').Append(spfResult);
            foreach ((string d, DkimSignatureResult input) in dkim)
            {
                text.Append('|').Append(d).Append('=').Append(input.Result);
            }

            uint hash = 2166136261;
            foreach (char c in text.ToString())
            {
                hash ^= c;
                hash *= 16777619;
            }

            return (int)(hash % 100);
        }
    }
}
