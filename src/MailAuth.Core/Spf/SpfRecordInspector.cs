using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Findings;

namespace MailAuth.Spf
{
    /// <summary>
    /// Builds a <see cref="SpfRecordReport"/>: fetches the record and, concurrently, everything it
    /// includes or redirects to, then counts lookups in evaluation order and lints.
    /// </summary>
    internal sealed partial class SpfRecordInspector
    {
        private readonly SpfEvaluationOptions _options;
        private readonly List<DnsResponse> _responses = new List<DnsResponse>();
        private readonly SpfQueryMemo _queries;
        private int _nodes;

        /// <summary>
        /// Records read per report at most. Paths are loop-checked, but a hostile tree can fan out
        /// (ten includes of ten includes...): far past the point where check_host() gives permerror,
        /// following it is of no use and would cost exponentially many lookups.
        /// </summary>
        internal const int MaxNodes = 100;

        private SpfRecordInspector(IDnsResolver resolver, SpfEvaluationOptions options, CancellationToken ct)
        {
            _options = options;
            _queries = new SpfQueryMemo(resolver, options.MaxConcurrentQueries, ct, response =>
            {
                _options.QueryObserver?.Invoke(response);
                lock (_responses)
                {
                    _responses.Add(response);
                }
            });
        }

        public static async Task<SpfRecordReport> InspectAsync(IDnsResolver resolver, string domain, SpfEvaluationOptions options, CancellationToken ct)
        {
            var stopwatch = Stopwatch.StartNew();
            var inspector = new SpfRecordInspector(resolver, options, ct);
            string? name = MailAuth.Names.DomainName.TryParseQualified(domain, MailAuth.Names.DomainNameKind.DnsName, out MailAuth.Names.DomainName? parsed, out MailAuth.Names.DomainNameRule rule, out string? invalid) ? parsed!.Value : null;
            if (name is null)
            {
                return SpfRecordReport.Refused(domain, MailAuth.Names.DomainName.RefusalMessage(domain, rule, invalid!), stopwatch.Elapsed.TotalMilliseconds);
            }

            // Names compare without case; the report shows them in one form.
            return await inspector.RunAsync(name.ToLowerInvariant(), stopwatch).ConfigureAwait(false);
        }

        private async Task<SpfRecordReport> RunAsync(string domain, Stopwatch stopwatch)
        {
            var findings = new List<Finding>();
            DnsResponse response = await QueryAsync(domain, DnsRecordType.TXT).ConfigureAwait(false);
            SpfRecordLookup lookup = SpfRecordLookup.Select(response);
            SpfRecordStatus status;
            string reason;
            SpfRecord? parsed = null;
            SpfSyntaxError? syntax = null;
            switch (lookup.Selection)
            {
                case SpfSelection.Failed:
                    status = SpfRecordStatus.LookupFailed;
                    reason = $"the TXT lookup for {domain} failed ({response.Error ?? response.ResponseCode}); evaluation would give temperror";
                    findings.Add(new Finding(FindingCatalog.Spf.LookupFailed, reason + ".", domain));
                    break;
                case SpfSelection.NotFound:
                    status = SpfRecordStatus.NotFound;
                    reason = response.IsNxDomain ? $"{domain} does not exist (NXDOMAIN)" : $"{domain} has no TXT record beginning with v=spf1";
                    findings.Add(new Finding(FindingCatalog.Spf.NoRecord, reason + "; receivers get the result none and cannot tell forged mail from real.", domain));
                    break;
                case SpfSelection.Multiple:
                    status = SpfRecordStatus.Invalid;
                    reason = $"{domain} publishes {lookup.SpfTexts.Count.ToString(CultureInfo.InvariantCulture)} SPF records; evaluation gives permerror";
                    findings.Add(new Finding(FindingCatalog.Spf.MultipleRecords,
                        $"{domain} publishes {lookup.SpfTexts.Count.ToString(CultureInfo.InvariantCulture)} TXT records beginning with v=spf1; exactly one is allowed, so every check gives permerror (RFC 7208 §4.5). Merge them into one.", domain));
                    break;
                default:
                    if (SpfRecord.TryParse(lookup.Text, out parsed, out syntax))
                    {
                        status = SpfRecordStatus.Found;
                        reason = "one valid SPF record";
                    }
                    else
                    {
                        status = SpfRecordStatus.Invalid;
                        reason = $"syntax error: {syntax!.Message}";
                        findings.Add(SpfLinter.SyntaxFinding(syntax, domain));
                    }

                    break;
            }

            LintPublication(domain, response, lookup, findings);

            SpfIncludeNode? tree = null;
            List<SpfLedgerEntry>? ledger = null;
            int lookups = 0;
            int voids = 0;
            string? crossed = null;
            if (parsed != null)
            {
                SpfLinter.LintRecord(parsed, domain, findings, checkLength: false);

                // The static lookup-limit finding of the record alone is superseded by the recursive count.
                findings.RemoveAll(f => f.Id == FindingCatalog.Spf.LookupLimit.Id);
                tree = await BuildNodeAsync(domain, null, 0, parsed, response, new[] { domain }).ConfigureAwait(false);
                ledger = BuildLedger(tree, out crossed);
                lookups = ledger.Count == 0 ? 0 : ledger[ledger.Count - 1].RunningDnsLookups;
                voids = Sum(tree, n => n.VoidLookupCount);
                LintTree(tree, findings);
                if (crossed != null)
                {
                    findings.Insert(0, new Finding(FindingCatalog.Spf.LookupLimit,
                        $"The record needs {lookups.ToString(CultureInfo.InvariantCulture)} DNS-querying terms through its includes; more than {_options.MaxDnsLookups.ToString(CultureInfo.InvariantCulture)} is permerror (RFC 7208 §4.6.4). The limit is crossed at {crossed}.", domain));
                }

                if (voids > _options.MaxVoidLookups)
                {
                    findings.Add(new Finding(FindingCatalog.Spf.VoidLimit,
                        $"{voids.ToString(CultureInfo.InvariantCulture)} lookups in the tree return NXDOMAIN or no data; more than {_options.MaxVoidLookups.ToString(CultureInfo.InvariantCulture)} is permerror (RFC 7208 §4.6.4).", domain));
                }
                else if (voids > 0)
                {
                    findings.Add(new Finding(FindingCatalog.Spf.VoidLookups,
                        $"{voids.ToString(CultureInfo.InvariantCulture)} lookup(s) in the tree return NXDOMAIN or no data (void lookups, RFC 7208 §4.6.4); remove the terms that point nowhere.", domain));
                }
            }

            DnsResponse[] dns;
            lock (_responses)
            {
                dns = _responses.ToArray();
            }

            Finding[] ordered = findings.OrderByDescending(f => f.SeverityCode).ToArray();
            return new SpfRecordReport(domain, status, reason, lookup.SpfTexts.FirstOrDefault(), lookup.SpfTexts, parsed, syntax,
                lookups, voids, crossed, tree, ordered, dns, stopwatch.Elapsed.TotalMilliseconds, ledger, _options.MaxVoidLookups);
        }

        private static void LintPublication(string domain, DnsResponse response, SpfRecordLookup lookup, List<Finding> findings)
        {
            DnsRecord? record = lookup.Record;
            if (record != null)
            {
                // A character-string carries at most 255 bytes (RFC 1035 §3.3); a longer one cannot be
                // on the wire, so this catches records split wrongly by the publishing tool.
                if (record.TextStringList.Any(s => s.Length > 255))
                {
                    findings.Add(new Finding(FindingCatalog.Spf.StringTooLong,
                        "A TXT string of the record is longer than 255 characters; split it into several strings (RFC 7208 §3.3).", domain));
                }
            }

            IReadOnlyList<string>[] all = response.Records.Where(r => r.TypeCode == DnsRecordType.TXT)
                .Select(r => r.TextStringList.Count > 0 ? r.TextStringList : SpfLinter.SplitStrings(r.Data))
                .ToArray();
            int size = SpfLinter.EstimateAnswerSize(domain, all);
            if (all.Length > 0 && (size > SpfLinter.ClassicUdpLimit || response.UsedTcp))
            {
                findings.Add(new Finding(FindingCatalog.Spf.UdpSize,
                    $"The TXT answer of {domain} is about {size.ToString(CultureInfo.InvariantCulture)} bytes ({all.Length.ToString(CultureInfo.InvariantCulture)} TXT records), more than a {SpfLinter.ClassicUdpLimit.ToString(CultureInfo.InvariantCulture)}-byte UDP response; receivers without EDNS must retry over TCP (RFC 7208 §3.4).", domain));
            }
        }

        private async Task<SpfIncludeNode> BuildNodeAsync(string domain, string? via, int depth, SpfRecord? known, DnsResponse? knownResponse, IReadOnlyList<string> path)
        {
            var dns = new List<DnsResponse>();
            SpfRecord? record = known;
            string? text = known?.Text;
            if (record is null)
            {
                DnsResponse response = await QueryAsync(domain, DnsRecordType.TXT).ConfigureAwait(false);
                dns.Add(response);
                SpfRecordLookup lookup = SpfRecordLookup.Select(response);
                switch (lookup.Selection)
                {
                    case SpfSelection.Failed:
                        return Leaf(domain, via, depth, SpfIncludeStatus.LookupFailed, null, $"the TXT lookup failed ({response.Error ?? response.ResponseCode})", dns,
                            voids: 0);
                    case SpfSelection.NotFound:
                        // A void lookup only when the name has no TXT records at all (§4.6.4); TXT records
                        // without v=spf1 are an answer, though not an SPF record.
                        return Leaf(domain, via, depth, SpfIncludeStatus.NotFound, null,
                            response.IsNxDomain ? $"{domain} does not exist (NXDOMAIN)" : $"{domain} has no SPF record", dns,
                            voids: response.StatusCode == DnsLookupStatus.NotFound ? 1 : 0);
                    case SpfSelection.Multiple:
                        return Leaf(domain, via, depth, SpfIncludeStatus.Invalid, lookup.SpfTexts[0],
                            $"{domain} publishes {lookup.SpfTexts.Count.ToString(CultureInfo.InvariantCulture)} SPF records", dns, voids: 0);
                }

                text = lookup.Text;
                if (!SpfRecord.TryParse(text, out record, out SpfSyntaxError? syntax))
                {
                    return Leaf(domain, via, depth, SpfIncludeStatus.Invalid, text, $"syntax error: {syntax!.Message}", dns, voids: 0);
                }
            }
            else if (knownResponse != null)
            {
                dns.Add(knownResponse);
            }

            // Children and void probes, all at once.
            var children = new List<Task<SpfIncludeNode>>();
            var probes = new List<Task<SpfTermProbe>>();
            foreach (SpfTerm term in OrderedLookupTerms(record!))
            {
                string? target = LiteralTarget(term, domain);
                if (term.Name == "include" || term.Name == "redirect")
                {
                    if (target is null)
                    {
                        children.Add(Task.FromResult(Leaf(term.Value ?? domain, term.Text, depth + 1, SpfIncludeStatus.NotEvaluated, null,
                            "the target uses macros (or is not a valid name) and depends on the message", new List<DnsResponse>(), 0)));
                    }
                    else if (path.Any(p => string.Equals(p, target, StringComparison.OrdinalIgnoreCase)))
                    {
                        children.Add(Task.FromResult(Leaf(target, term.Text, depth + 1, SpfIncludeStatus.Loop, null,
                            $"loop: {string.Join(" -> ", path)} -> {target}", new List<DnsResponse>(), 0)));
                    }
                    else if (depth + 1 > _options.MaxIncludeDepth)
                    {
                        children.Add(Task.FromResult(Leaf(target, term.Text, depth + 1, SpfIncludeStatus.NotEvaluated, null,
                            $"deeper than {_options.MaxIncludeDepth.ToString(CultureInfo.InvariantCulture)} levels", new List<DnsResponse>(), 0)));
                    }
                    else if (Interlocked.Increment(ref _nodes) > MaxNodes)
                    {
                        children.Add(Task.FromResult(Leaf(target, term.Text, depth + 1, SpfIncludeStatus.NotEvaluated, null,
                            $"not followed: the include tree already has more than {MaxNodes.ToString(CultureInfo.InvariantCulture)} records", new List<DnsResponse>(), 0)));
                    }
                    else
                    {
                        var next = new List<string>(path) { target };
                        children.Add(BuildNodeAsync(target, term.Text, depth + 1, null, null, next));
                    }
                }
                else if (target != null && term.Name != "ptr")
                {
                    probes.Add(ProbeAsync(term, target, dns));
                }
            }

            SpfIncludeNode[] nodes = await Task.WhenAll(children).ConfigureAwait(false);
            SpfTermProbe[] probed = await Task.WhenAll(probes).ConfigureAwait(false);
            var node = new SpfIncludeNode(domain, via, depth, SpfIncludeStatus.Found, text, record, record!.DnsLookupTermCount,
                probed.Count(p => p.IsVoid), nodes, null, dns);
            foreach (SpfTermProbe probe in probed)
            {
                node.Probes[probe.Term] = probe;
            }

            return node;
        }

        private static SpfIncludeNode Leaf(string domain, string? via, int depth, SpfIncludeStatus status, string? record, string error, List<DnsResponse> dns, int voids) =>
            new SpfIncludeNode(domain, via, depth, status, record, null, 0, voids, Array.Empty<SpfIncludeNode>(), error, dns);

        /// <summary>Mechanisms in order, then redirect when it applies (no "all", §5.1): the order check_host() reaches them.</summary>
        private static IEnumerable<SpfTerm> OrderedLookupTerms(SpfRecord record)
        {
            foreach (SpfTerm term in record.Mechanisms.Where(t => t.CausesDnsLookup))
            {
                yield return term;
            }

            if (record.Redirect != null && record.All is null)
            {
                yield return record.Redirect;
            }
        }

        private static string? LiteralTarget(SpfTerm term, string domain)
        {
            if (term.DomainSpecMacro is null)
            {
                return domain;
            }

            return term.DomainSpecMacro.HasMacros ? null : SpfCheck.QueryTarget(term.DomainSpecMacro.Text);
        }

        /// <summary>The queries a term of an included record asks (its literal target), and whether they are void.</summary>
        private async Task<SpfTermProbe> ProbeAsync(SpfTerm term, string target, List<DnsResponse> dns)
        {
            DnsResponse[] answers;
            if (term.Name == "mx")
            {
                answers = new[] { await QueryAsync(target, DnsRecordType.MX).ConfigureAwait(false) };
            }
            else if (term.Name == "exists")
            {
                // §5.7: exists always asks for A.
                answers = new[] { await QueryAsync(target, DnsRecordType.A).ConfigureAwait(false) };
            }
            else
            {
                // "a" asks A or AAAA depending on the client; the name is void only if it has neither.
                Task<DnsResponse> v4 = QueryAsync(target, DnsRecordType.A);
                Task<DnsResponse> v6 = QueryAsync(target, DnsRecordType.AAAA);
                answers = await Task.WhenAll(v4, v6).ConfigureAwait(false);
            }

            lock (dns)
            {
                dns.AddRange(answers);
            }

            bool isVoid = answers.All(r => r.StatusCode == DnsLookupStatus.NotFound);
            return new SpfTermProbe(term, target, answers, isVoid, isVoid ? (answers[0].IsNxDomain ? "NXDOMAIN" : "no data") : null);
        }

        /// <summary>
        /// The lookup ledger: every term of the whole tree in the order check_host() reaches it, with
        /// its lookups, void lookups and the running counts, and where each limit is crossed.
        /// </summary>
        private List<SpfLedgerEntry> BuildLedger(SpfIncludeNode root, out string? crossedAt)
        {
            var ledger = new List<SpfLedgerEntry>();
            int lookups = 0;
            int voids = 0;
            string? crossed = null;
            bool voidCrossed = false;
            var path = new List<string>();

            void Walk(SpfIncludeNode node)
            {
                SpfRecord? record = node.ParsedRecord;
                if (record is null)
                {
                    return;
                }

                path.Add(node.Via ?? node.Domain);
                string includePath = string.Join(" > ", path);
                int childIndex = 0;
                bool afterAll = false;
                foreach (SpfTerm term in EvaluationOrder(record))
                {
                    int termLookups = term.CausesDnsLookup ? 1 : 0;
                    int termVoids = 0;
                    string? voidName = null;
                    string? voidAnswer = null;
                    string? note = afterAll ? "after 'all': check_host() never reaches it (§5.1), but it is counted, as checkers count it" : null;
                    var queries = new List<string>();
                    SpfIncludeNode? child = null;
                    if (term.Name == "include" || term.Name == "redirect")
                    {
                        child = node.ChildNodes[childIndex++];
                        queries.AddRange(child.DnsResponses.Select(r => r.QueryType + " " + r.QueryName));
                        if (child.StatusCode == SpfIncludeStatus.NotFound && child.VoidLookupCount > 0)
                        {
                            termVoids = 1;
                            voidName = child.Domain;
                            voidAnswer = child.DnsResponses.FirstOrDefault()?.IsNxDomain == true ? "NXDOMAIN" : "no data";
                        }

                        note ??= child.StatusCode switch
                        {
                            SpfIncludeStatus.Found => null,
                            SpfIncludeStatus.NotFound => $"{child.Error}: permerror (§5.2, §6.1)",
                            SpfIncludeStatus.Invalid => $"{child.Error}: permerror",
                            SpfIncludeStatus.Loop => $"{child.Error}: permerror (§4.6.4)",
                            SpfIncludeStatus.LookupFailed => $"{child.Error}: temperror",
                            _ => child.Error,
                        };
                    }
                    else if (node.Probes.TryGetValue(term, out SpfTermProbe? probe))
                    {
                        queries.AddRange(probe.Answers.Select(r => r.QueryType + " " + r.QueryName));
                        if (probe.IsVoid)
                        {
                            termVoids = 1;
                            voidName = probe.Target;
                            voidAnswer = probe.VoidAnswer;
                        }
                    }
                    else if (term.CausesDnsLookup)
                    {
                        note ??= term.Name == "ptr"
                            ? "ptr asks for the client's PTR name, so its lookups depend on the message (§5.5)"
                            : "the target uses macros, so its lookups depend on the message (§7)";
                    }

                    lookups += termLookups;
                    voids += termVoids;
                    bool crossesLookups = termLookups > 0 && lookups == _options.MaxDnsLookups + 1;
                    bool crossesVoids = termVoids > 0 && voids > _options.MaxVoidLookups && !voidCrossed;
                    voidCrossed |= crossesVoids;
                    if (crossesLookups)
                    {
                        string route = path.Count <= 1 ? string.Empty : " (reached through " + string.Join(" then ", path.Skip(1)) + ")";
                        crossed = $"'{term.Text}' in the record of {node.Domain}{route}";
                    }

                    ledger.Add(new SpfLedgerEntry(ledger.Count + 1, node.Depth, node.Domain, term.Text, includePath, termLookups, termVoids,
                        lookups, voids, ResultList.From(queries), voidName, voidAnswer, crossesLookups, crossesVoids, note));
                    afterAll |= term.Name == "all";
                    if (child != null)
                    {
                        Walk(child);
                    }
                }

                path.RemoveAt(path.Count - 1);
            }

            Walk(root);
            crossedAt = crossed;
            return ledger;
        }

        /// <summary>Every mechanism in order, then redirect when it applies (no "all", §5.1); exp= and unknown modifiers ask nothing.</summary>
        private static IEnumerable<SpfTerm> EvaluationOrder(SpfRecord record)
        {
            foreach (SpfTerm term in record.Mechanisms)
            {
                yield return term;
            }

            if (record.Redirect != null && record.All is null)
            {
                yield return record.Redirect;
            }
        }

        private static int Sum(SpfIncludeNode node, Func<SpfIncludeNode, int> value) => value(node) + node.ChildNodes.Sum(c => Sum(c, value));

        private static void LintTree(SpfIncludeNode root, List<Finding> findings)
        {
            foreach (SpfIncludeNode node in Descendants(root))
            {
                bool redirect = node.Via != null && node.Via.StartsWith("redirect", StringComparison.OrdinalIgnoreCase);
                string kind = redirect ? "redirect" : "include";
                switch (node.StatusCode)
                {
                    case SpfIncludeStatus.NotFound:
                        findings.Add(new Finding(redirect ? FindingCatalog.Spf.RedirectNoSpf : FindingCatalog.Spf.IncludeNoSpf,
                            $"'{node.Via}': {node.Error}; an {kind} of a domain without SPF record gives permerror (RFC 7208 §5.2, §6.1).", node.Via));
                        break;
                    case SpfIncludeStatus.LookupFailed:
                        findings.Add(new Finding(FindingCatalog.Spf.IncludeLookupFailed,
                            $"'{node.Via}': {node.Error}; evaluation would give temperror.", node.Via));
                        break;
                    case SpfIncludeStatus.Invalid:
                        findings.Add(new Finding(FindingCatalog.Spf.IncludeInvalid,
                            $"'{node.Via}': the record of {node.Domain} is invalid ({node.Error}); evaluation gives permerror.", node.Via));
                        break;
                    case SpfIncludeStatus.Loop:
                        findings.Add(new Finding(FindingCatalog.Spf.IncludeLoop,
                            $"'{node.Via}': {node.Error}; evaluation gives permerror (RFC 7208 §4.6.4).", node.Via));
                        break;
                    case SpfIncludeStatus.Found when node.ParsedRecord != null:
                        if (node.ParsedRecord.Mechanisms.Any(t => t.Name == "ptr"))
                        {
                            findings.Add(new Finding(FindingCatalog.Spf.Ptr,
                                $"The record of {node.Domain} ({node.Via}) uses ptr, which is slow and should not be used (RFC 7208 §5.5).", node.Via));
                        }

                        if (node.ParsedRecord.All != null && node.ParsedRecord.All.QualifierCode == SpfQualifier.Pass)
                        {
                            findings.Add(new Finding(FindingCatalog.Spf.AllPass,
                                $"The record of {node.Domain} ({node.Via}) ends with '{node.ParsedRecord.All.Text}': including it authorizes every host.", node.Via));
                        }

                        break;
                }
            }
        }

        private static IEnumerable<SpfIncludeNode> Descendants(SpfIncludeNode node)
        {
            foreach (SpfIncludeNode child in node.ChildNodes)
            {
                yield return child;
                foreach (SpfIncludeNode grandchild in Descendants(child))
                {
                    yield return grandchild;
                }
            }
        }

        private Task<DnsResponse> QueryAsync(string name, DnsRecordType type) => _queries.QueryAsync(name, type);
    }
}

namespace MailAuth.Spf
{
    /// <summary>What the inspector asked for one term of an included record (a, mx, exists with a literal target).</summary>
    internal sealed class SpfTermProbe
    {
        public SpfTermProbe(SpfTerm term, string target, IReadOnlyList<DnsResponse> answers, bool isVoid, string? voidAnswer)
        {
            Term = term;
            Target = target;
            Answers = answers;
            IsVoid = isVoid;
            VoidAnswer = voidAnswer;
        }

        public SpfTerm Term { get; }

        public string Target { get; }

        public IReadOnlyList<DnsResponse> Answers { get; }

        public bool IsVoid { get; }

        /// <summary>"NXDOMAIN" or "no data" for a void lookup.</summary>
        public string? VoidAnswer { get; }
    }
}
