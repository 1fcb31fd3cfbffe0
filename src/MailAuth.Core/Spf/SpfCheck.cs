using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;

namespace MailAuth.Spf
{
    /// <summary>A result that ends the whole check_host() at once: limits, DNS errors, errors below an include.</summary>
    internal sealed class SpfAbortException : Exception
    {
        public SpfAbortException(SpfResultCode code, string reason, SpfSyntaxError? syntaxError = null)
            : base(reason)
        {
            Code = code;
            SyntaxError = syntaxError;
        }

        public SpfResultCode Code { get; }

        public SpfSyntaxError? SyntaxError { get; }
    }

    /// <summary>The outcome of one check_host() level (a domain's record).</summary>
    internal sealed class SpfLevel
    {
        public SpfResultCode Code;
        public string Reason = string.Empty;
        public string? RecordText;
        public SpfTerm? Matched;
        public string? MatchedDomain;
        public SpfRecord? ExpRecord;
        public string? ExpDomain;
        public SpfSyntaxError? SyntaxError;
    }

    /// <summary>PTR names of the client and those that resolve back to it (§5.5, §7.3).</summary>
    internal sealed class SpfValidatedNames
    {
        public DnsResponse? PtrResponse;
        public IReadOnlyList<string> Names = Array.Empty<string>();
        public IReadOnlyList<string> Validated = Array.Empty<string>();
        public List<DnsResponse> Responses = new List<DnsResponse>();
    }

    /// <summary>
    /// State of one check_host() evaluation: counters, limits, trace, and the per-evaluation query
    /// memo that lets prefetched answers be used by the in-order evaluation (STYLE.md: one context per check).
    /// </summary>
    internal sealed class SpfCheck
    {
        private readonly SpfEvaluationOptions _options;
        private readonly CancellationToken _ct;
        private readonly SpfMacroValues _values;
        private readonly SpfQueryMemo _queries;
        private readonly List<SpfTraceStep> _trace = new List<SpfTraceStep>();
        private readonly object _sync = new object();
        private readonly HashSet<string> _prefetchedRecords = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private Task<SpfValidatedNames>? _validated;
        private int _prefetchedTerms;
        private volatile bool _completed;
        private int _lookups;
        private int _voids;

        public SpfCheck(IDnsResolver resolver, SpfEvaluationOptions options, SpfMacroValues values, CancellationToken ct)
        {
            _options = options;
            _values = values;
            _ct = ct;
            _queries = new SpfQueryMemo(resolver, options.MaxConcurrentQueries, ct, response =>
            {
                // Answers to speculative queries that arrive after the result is built are not shown.
                if (!_completed)
                {
                    _options.QueryObserver?.Invoke(response);
                }
            });
        }

        public int Lookups => _lookups;

        /// <summary>The result is built: later (speculative) answers are not reported to the observer.</summary>
        public void Complete() => _completed = true;

        public int Voids => _voids;

        public IReadOnlyList<SpfTraceStep> Trace
        {
            get
            {
                lock (_trace)
                {
                    return _trace.ToArray();
                }
            }
        }

        private IPAddress Ip => _values.Ip;

        private bool IsV6 => Ip.AddressFamily == AddressFamily.InterNetworkV6;

        private DnsRecordType AddressType => IsV6 ? DnsRecordType.AAAA : DnsRecordType.A;

        public void AddStep(int depth, SpfTraceStepKind kind, string domain, string? term, string outcome, string detail, IEnumerable<DnsResponse>? dns = null)
        {
            lock (_trace)
            {
                _trace.Add(new SpfTraceStep(_trace.Count + 1, depth, kind, domain, term, outcome, detail,
                    dns?.Where(d => d != null).ToArray() ?? Array.Empty<DnsResponse>(), _lookups, _voids));
            }
        }

        // ---- check_host() ------------------------------------------------------------------

        public async Task<SpfLevel> CheckHostAsync(string domain, int depth, SpfRecord? candidate, IReadOnlyList<string> stack)
        {
            SpfRecord record;
            if (candidate != null)
            {
                record = candidate;
                AddStep(depth, SpfTraceStepKind.Record, domain, record.Text, "candidate", "evaluating the given record text instead of the published one");
            }
            else
            {
                DnsResponse response = await QueryAsync(domain, DnsRecordType.TXT).ConfigureAwait(false);
                SpfRecordLookup lookup = SpfRecordLookup.Select(response);
                switch (lookup.Selection)
                {
                    case SpfSelection.Failed:
                        {
                            // §4.4: a DNS error other than NXDOMAIN is TempError.
                            string why = $"the TXT lookup for {domain} failed ({response.Error ?? response.ResponseCode})";
                            AddStep(depth, SpfTraceStepKind.Record, domain, null, "temperror", why, new[] { response });
                            return new SpfLevel { Code = SpfResultCode.TempError, Reason = why };
                        }

                    case SpfSelection.NotFound:
                        {
                            string why = response.IsNxDomain
                                ? $"{domain} does not exist (NXDOMAIN)"
                                : $"{domain} has no TXT record beginning with v=spf1";
                            AddStep(depth, SpfTraceStepKind.Record, domain, null, "none", why, new[] { response });
                            return new SpfLevel { Code = SpfResultCode.None, Reason = why };
                        }

                    case SpfSelection.Multiple:
                        {
                            string why = $"{domain} publishes {lookup.SpfTexts.Count.ToString(CultureInfo.InvariantCulture)} SPF records; exactly one is allowed (§4.5)";
                            AddStep(depth, SpfTraceStepKind.Record, domain, null, "permerror", why, new[] { response });
                            return new SpfLevel { Code = SpfResultCode.PermError, Reason = why };
                        }
                }

                if (!SpfRecord.TryParse(lookup.Text, out SpfRecord? parsed, out SpfSyntaxError? syntax))
                {
                    string why = $"syntax error in the SPF record of {domain}: {syntax!.Message}";
                    AddStep(depth, SpfTraceStepKind.Record, domain, lookup.Text, "permerror", why, new[] { response });
                    return new SpfLevel { Code = SpfResultCode.PermError, Reason = why, RecordText = lookup.Text, SyntaxError = syntax };
                }

                record = parsed!;
                AddStep(depth, SpfTraceStepKind.Record, domain, record.Text, "found", "SPF record selected", new[] { response });
            }

            Prefetch(record, domain, depth);

            foreach (SpfTerm term in record.Mechanisms)
            {
                CountLookup(term, domain, depth);
                bool match = await EvaluateMechanismAsync(term, domain, depth, stack).ConfigureAwait(false);
                if (match)
                {
                    SpfResultCode code = term.QualifierCode switch
                    {
                        SpfQualifier.Fail => SpfResultCode.Fail,
                        SpfQualifier.SoftFail => SpfResultCode.SoftFail,
                        SpfQualifier.Neutral => SpfResultCode.Neutral,
                        _ => SpfResultCode.Pass,
                    };
                    return new SpfLevel
                    {
                        Code = code,
                        Reason = $"'{term.Text}' in the SPF record of {domain} matched",
                        RecordText = record.Text,
                        Matched = term,
                        MatchedDomain = domain,
                        ExpRecord = record,
                        ExpDomain = domain,
                    };
                }
            }

            // §6.1: redirect applies when no mechanism matched, and is ignored when "all" is present (§5.1).
            if (record.Redirect != null && record.All == null)
            {
                SpfTerm redirect = record.Redirect;
                CountLookup(redirect, domain, depth);
                string target = await ExpandTargetAsync(redirect, domain, depth).ConfigureAwait(false)
                    ?? throw Abort(depth, domain, redirect, SpfResultCode.PermError, $"'{redirect.Text}' does not expand to a valid domain name (§6.1)");
                CheckNesting(depth, domain, redirect, target, stack);
                AddStep(depth, SpfTraceStepKind.Redirect, domain, redirect.Text, "follow", $"no mechanism matched; evaluating the record of {target}");
                SpfLevel child = await CheckHostAsync(target, depth + 1, null, Append(stack, target)).ConfigureAwait(false);
                if (child.Code == SpfResultCode.None)
                {
                    // §6.1: a redirect target without an SPF record is PermError, not None.
                    string why = $"'{redirect.Text}' in {domain}: {target} has no SPF record ({child.Reason}) (§6.1)";
                    AddStep(depth, SpfTraceStepKind.Result, domain, redirect.Text, "permerror", why);
                    return new SpfLevel { Code = SpfResultCode.PermError, Reason = why, RecordText = record.Text };
                }

                // The result is the target's, and the exp= of this record is not used (§6.2).
                child.RecordText = record.Text;
                return child;
            }

            string neutral = record.Redirect != null
                ? $"no mechanism in the record of {domain} matched (redirect= is ignored because the record has \"all\"); the default result is neutral"
                : $"no mechanism in the record of {domain} matched; the default result is neutral (§4.7)";
            AddStep(depth, SpfTraceStepKind.Result, domain, null, "neutral", neutral);
            return new SpfLevel { Code = SpfResultCode.Neutral, Reason = neutral, RecordText = record.Text };
        }

        private static IReadOnlyList<string> Append(IReadOnlyList<string> stack, string domain)
        {
            var list = new List<string>(stack) { domain };
            return list;
        }

        private void CheckNesting(int depth, string domain, SpfTerm term, string target, IReadOnlyList<string> stack)
        {
            // A loop can only end at the lookup limit (the same record is evaluated the same way each
            // time), so reporting it at once gives the same PermError with a clearer reason (§4.6.4).
            if (stack.Any(s => string.Equals(s, target, StringComparison.OrdinalIgnoreCase)))
            {
                throw Abort(depth, domain, term, SpfResultCode.PermError,
                    $"'{term.Text}' in {domain} loops: {string.Join(" -> ", stack)} -> {target} (§4.6.4)");
            }

            if (depth + 1 > _options.MaxIncludeDepth)
            {
                throw Abort(depth, domain, term, SpfResultCode.PermError,
                    $"'{term.Text}' in {domain} nests include/redirect deeper than {_options.MaxIncludeDepth.ToString(CultureInfo.InvariantCulture)} levels");
            }
        }

        private void CountLookup(SpfTerm term, string domain, int depth)
        {
            if (!term.CausesDnsLookup)
            {
                return;
            }

            // §4.6.4: the terms reached in evaluation order count, not prefetched ones.
            int count = Interlocked.Increment(ref _lookups);
            if (count > _options.MaxDnsLookups)
            {
                throw Abort(depth, domain, term, SpfResultCode.PermError,
                    $"more than {_options.MaxDnsLookups.ToString(CultureInfo.InvariantCulture)} DNS-querying terms: '{term.Text}' in the record of {domain} is number {count.ToString(CultureInfo.InvariantCulture)} (§4.6.4)");
            }
        }

        private void CountVoid(int depth, string domain, SpfTerm term, DnsResponse response)
        {
            int count = Interlocked.Increment(ref _voids);
            if (count > _options.MaxVoidLookups)
            {
                throw Abort(depth, domain, term, SpfResultCode.PermError,
                    $"more than {_options.MaxVoidLookups.ToString(CultureInfo.InvariantCulture)} void lookups: {response.QueryTypeCode} {response.QueryName} gave {(response.IsNxDomain ? "NXDOMAIN" : "no data")} for '{term.Text}' in {domain} (§4.6.4)",
                    response);
            }
        }

        private SpfAbortException Abort(int depth, string domain, SpfTerm term, SpfResultCode code, string reason, params DnsResponse[] dns)
        {
            AddStep(depth, term.KindCode == SpfTermKind.Modifier ? SpfTraceStepKind.Redirect : SpfTraceStepKind.Mechanism, domain, term.Text, SpfResult.Keyword(code), reason, dns);
            return new SpfAbortException(code, reason);
        }

        // ---- mechanisms (§5) -----------------------------------------------------------------

        private async Task<bool> EvaluateMechanismAsync(SpfTerm term, string domain, int depth, IReadOnlyList<string> stack)
        {
            switch (term.Name)
            {
                case "all":
                    AddStep(depth, SpfTraceStepKind.Mechanism, domain, term.Text, "match", "\"all\" always matches");
                    return true;
                case "ip4":
                case "ip6":
                    return EvaluateIp(term, domain, depth);
                case "a":
                    return await EvaluateAAsync(term, domain, depth).ConfigureAwait(false);
                case "mx":
                    return await EvaluateMxAsync(term, domain, depth).ConfigureAwait(false);
                case "ptr":
                    return await EvaluatePtrAsync(term, domain, depth).ConfigureAwait(false);
                case "exists":
                    return await EvaluateExistsAsync(term, domain, depth).ConfigureAwait(false);
                case "include":
                    return await EvaluateIncludeAsync(term, domain, depth, stack).ConfigureAwait(false);
                default:
                    throw Abort(depth, domain, term, SpfResultCode.PermError, $"unknown mechanism '{term.Text}'");
            }
        }

        private bool EvaluateIp(SpfTerm term, string domain, int depth)
        {
            bool v4 = term.Name == "ip4";
            int prefix = v4 ? term.EffectiveIp4CidrLength : term.EffectiveIp6CidrLength;
            bool match = SpfNetwork.InNetwork(Ip, term.NetworkAddress!, prefix);
            string detail = match
                ? $"{Ip} is in {term.NetworkText}"
                : (v4 != (Ip.AddressFamily == AddressFamily.InterNetwork) ? $"{Ip} is not an {(v4 ? "IPv4" : "IPv6")} address" : $"{Ip} is not in {term.NetworkText}");
            AddStep(depth, SpfTraceStepKind.Mechanism, domain, term.Text, match ? "match" : "no match", detail);
            return match;
        }

        private bool AddressesMatch(IEnumerable<IPAddress?> addresses, SpfTerm term)
        {
            int prefix = IsV6 ? term.EffectiveIp6CidrLength : term.EffectiveIp4CidrLength;
            return addresses.Any(a => a != null && SpfNetwork.InNetwork(Ip, SpfNetwork.Unmap(a), prefix));
        }

        private async Task<bool> EvaluateAAsync(SpfTerm term, string domain, int depth)
        {
            string? target = await ExpandTargetAsync(term, domain, depth).ConfigureAwait(false);
            if (target is null)
            {
                AddStep(depth, SpfTraceStepKind.Mechanism, domain, term.Text, "no match", "the target is not a valid domain name; treated as no match");
                return false;
            }

            DnsResponse response = await QueryAsync(target, AddressType).ConfigureAwait(false);
            return AddressOutcome(term, domain, depth, target, response);
        }

        private bool AddressOutcome(SpfTerm term, string domain, int depth, string target, DnsResponse response)
        {
            if (response.StatusCode == DnsLookupStatus.Failed)
            {
                throw Abort(depth, domain, term, SpfResultCode.TempError, $"the {response.QueryTypeCode} lookup for {target} failed ({response.Error ?? response.ResponseCode})", response);
            }

            if (response.StatusCode == DnsLookupStatus.NotFound)
            {
                CountVoid(depth, domain, term, response);
                AddStep(depth, SpfTraceStepKind.Mechanism, domain, term.Text, "no match", $"{target} has no {response.QueryTypeCode} record (void lookup)", new[] { response });
                return false;
            }

            bool match = AddressesMatch(response.Records.Select(r => r.AddressValue), term);
            AddStep(depth, SpfTraceStepKind.Mechanism, domain, term.Text, match ? "match" : "no match",
                match ? $"{Ip} is an address of {target}" : $"{Ip} is not among the {response.QueryTypeCode} addresses of {target}", new[] { response });
            return match;
        }

        private async Task<bool> EvaluateExistsAsync(SpfTerm term, string domain, int depth)
        {
            string? target = await ExpandTargetAsync(term, domain, depth).ConfigureAwait(false);
            if (target is null)
            {
                AddStep(depth, SpfTraceStepKind.Mechanism, domain, term.Text, "no match", "the target is not a valid domain name; treated as no match");
                return false;
            }

            // §5.7: always an A query, whatever the client's address family.
            DnsResponse response = await QueryAsync(target, DnsRecordType.A).ConfigureAwait(false);
            if (response.StatusCode == DnsLookupStatus.Failed)
            {
                throw Abort(depth, domain, term, SpfResultCode.TempError, $"the A lookup for {target} failed ({response.Error ?? response.ResponseCode})", response);
            }

            if (response.StatusCode == DnsLookupStatus.NotFound)
            {
                CountVoid(depth, domain, term, response);
                AddStep(depth, SpfTraceStepKind.Mechanism, domain, term.Text, "no match", $"{target} has no A record (void lookup)", new[] { response });
                return false;
            }

            AddStep(depth, SpfTraceStepKind.Mechanism, domain, term.Text, "match", $"{target} exists (has an A record)", new[] { response });
            return true;
        }

        private async Task<bool> EvaluateMxAsync(SpfTerm term, string domain, int depth)
        {
            string? target = await ExpandTargetAsync(term, domain, depth).ConfigureAwait(false);
            if (target is null)
            {
                AddStep(depth, SpfTraceStepKind.Mechanism, domain, term.Text, "no match", "the target is not a valid domain name; treated as no match");
                return false;
            }

            DnsResponse mx = await QueryAsync(target, DnsRecordType.MX).ConfigureAwait(false);
            if (mx.StatusCode == DnsLookupStatus.Failed)
            {
                throw Abort(depth, domain, term, SpfResultCode.TempError, $"the MX lookup for {target} failed ({mx.Error ?? mx.ResponseCode})", mx);
            }

            if (mx.StatusCode == DnsLookupStatus.NotFound)
            {
                CountVoid(depth, domain, term, mx);
                AddStep(depth, SpfTraceStepKind.Mechanism, domain, term.Text, "no match", $"{target} has no MX record (void lookup)", new[] { mx });
                return false;
            }

            DnsRecord[] records = mx.Records.Where(r => r.TypeCode == DnsRecordType.MX).ToArray();
            if (records.Length > _options.MaxMxNames)
            {
                // §4.6.4: more than 10 MX names is PermError for "mx".
                throw Abort(depth, domain, term, SpfResultCode.PermError,
                    $"{target} has {records.Length.ToString(CultureInfo.InvariantCulture)} MX records; at most {_options.MaxMxNames.ToString(CultureInfo.InvariantCulture)} may be looked up (§4.6.4)", mx);
            }

            string[] hosts = MxHosts(mx);
            Task<DnsResponse>[] lookups = hosts.Select(h => QueryAsync(h, AddressType)).ToArray();
            var used = new List<DnsResponse> { mx };
            for (int i = 0; i < hosts.Length; i++)
            {
                DnsResponse response = await lookups[i].ConfigureAwait(false);
                used.Add(response);
                if (response.StatusCode == DnsLookupStatus.Failed)
                {
                    throw Abort(depth, domain, term, SpfResultCode.TempError, $"the {response.QueryTypeCode} lookup for the MX host {hosts[i]} failed ({response.Error ?? response.ResponseCode})", used.ToArray());
                }

                if (response.StatusCode == DnsLookupStatus.Found && AddressesMatch(response.Records.Select(r => r.AddressValue), term))
                {
                    AddStep(depth, SpfTraceStepKind.Mechanism, domain, term.Text, "match", $"{Ip} is an address of {hosts[i]}, an MX host of {target}", used);
                    return true;
                }
            }

            AddStep(depth, SpfTraceStepKind.Mechanism, domain, term.Text, "no match",
                hosts.Length == 0 ? $"{target} has no usable MX host (null MX)" : $"{Ip} is not an address of the MX hosts of {target} ({string.Join(", ", hosts)})", used);
            return false;
        }

        private static string[] MxHosts(DnsResponse mx) => mx.Records
            .Where(r => r.TypeCode == DnsRecordType.MX && !string.IsNullOrEmpty(r.Target) && r.Target != ".")
            .OrderBy(r => r.Preference)
            .Select(r => r.Target!.TrimEnd('.'))
            .ToArray();

        private async Task<bool> EvaluatePtrAsync(SpfTerm term, string domain, int depth)
        {
            string? target = await ExpandTargetAsync(term, domain, depth).ConfigureAwait(false);
            if (target is null)
            {
                AddStep(depth, SpfTraceStepKind.Mechanism, domain, term.Text, "no match", "the target is not a valid domain name; treated as no match");
                return false;
            }

            SpfValidatedNames names = await GetValidatedNamesAsync().ConfigureAwait(false);
            DnsResponse ptr = names.PtrResponse!;
            if (ptr.StatusCode == DnsLookupStatus.NotFound)
            {
                CountVoid(depth, domain, term, ptr);
            }

            // §5.5: a DNS error on the PTR lookup, or on an address lookup, means no match for that name.
            string? hit = names.Validated.FirstOrDefault(n => MailAuth.Names.DomainName.IsSameOrBelow(n, target));
            string detail = hit != null
                ? $"{hit} is a validated name of {Ip} within {target}"
                : ptr.StatusCode == DnsLookupStatus.Failed ? $"the PTR lookup for {Ip} failed; no match (§5.5)"
                : names.Validated.Count == 0 ? $"{Ip} has no validated PTR name"
                : $"no validated name of {Ip} ({string.Join(", ", names.Validated)}) is within {target}";
            AddStep(depth, SpfTraceStepKind.Mechanism, domain, term.Text, hit != null ? "match" : "no match", detail, names.Responses);
            return hit != null;
        }

        private async Task<bool> EvaluateIncludeAsync(SpfTerm term, string domain, int depth, IReadOnlyList<string> stack)
        {
            string? target = await ExpandTargetAsync(term, domain, depth).ConfigureAwait(false);
            if (target is null)
            {
                // check_host() of a malformed name is None (§4.3), and include of None is PermError (§5.2).
                throw Abort(depth, domain, term, SpfResultCode.PermError, $"'{term.Text}' does not expand to a valid domain name (§5.2)");
            }

            CheckNesting(depth, domain, term, target, stack);
            AddStep(depth, SpfTraceStepKind.Mechanism, domain, term.Text, "evaluate", $"evaluating the record of {target}");
            SpfLevel child = await CheckHostAsync(target, depth + 1, null, Append(stack, target)).ConfigureAwait(false);

            // §5.2: how the included result maps to match / no match / error.
            switch (child.Code)
            {
                case SpfResultCode.Pass:
                    AddStep(depth, SpfTraceStepKind.Mechanism, domain, term.Text, "match", $"{target} gave pass");
                    return true;
                case SpfResultCode.Fail:
                case SpfResultCode.SoftFail:
                case SpfResultCode.Neutral:
                    AddStep(depth, SpfTraceStepKind.Mechanism, domain, term.Text, "no match", $"{target} gave {SpfResult.Keyword(child.Code)}");
                    return false;
                case SpfResultCode.TempError:
                    throw Abort(depth, domain, term, SpfResultCode.TempError, $"'{term.Text}' in {domain}: {child.Reason}");
                case SpfResultCode.None:
                    throw Abort(depth, domain, term, SpfResultCode.PermError, $"'{term.Text}' in {domain}: {target} has no SPF record ({child.Reason}) (§5.2)");
                default:
                    {
                        var error = new SpfAbortException(SpfResultCode.PermError, $"'{term.Text}' in {domain}: {child.Reason}", child.SyntaxError);
                        AddStep(depth, SpfTraceStepKind.Mechanism, domain, term.Text, "permerror", error.Message);
                        throw error;
                    }
            }
        }

        // ---- macros and names ----------------------------------------------------------------

        /// <summary>The query name of a term's target: the expanded domain-spec, or the current domain.</summary>
        private async Task<string?> ExpandTargetAsync(SpfTerm term, string domain, int depth)
        {
            if (term.DomainSpecMacro is null)
            {
                return domain;
            }

            string expanded = await ExpandAsync(term.DomainSpecMacro, domain, depth).ConfigureAwait(false);
            return SpfCheck.QueryTarget(expanded);
        }

        /// <summary>
        /// The query name of an expanded domain-spec: §7.3 removes whole labels from the left until
        /// it fits in 253 characters; then the shared query-name rules (docs/domain-names.md).
        /// Null when no query can be made of it.
        /// </summary>
        internal static string? QueryTarget(string expanded)
        {
            string value = expanded.EndsWith(".", StringComparison.Ordinal) ? expanded.Substring(0, expanded.Length - 1) : expanded;
            while (value.Length > MailAuth.Names.DomainName.MaxLength)
            {
                int dot = value.IndexOf('.');
                if (dot < 0)
                {
                    return null;
                }

                value = value.Substring(dot + 1);
            }

            return MailAuth.Names.DomainName.ToQueryName(value, out _);
        }

        public async Task<string> ExpandAsync(SpfMacroString macro, string domain, int depth = 0)
        {
            SpfMacroValues values = ValuesFor(domain);
            if (macro.UsesValidatedName)
            {
                SpfValidatedNames names = await GetValidatedNamesAsync().ConfigureAwait(false);
                values.ValidatedName = ChooseValidatedName(names, domain);
                AddStep(depth, SpfTraceStepKind.ValidatedName, domain, macro.Text, values.ValidatedName,
                    names.Validated.Count == 0
                        ? $"%{{p}} of {Ip}: no PTR name resolves back to it"
                        : $"%{{p}} of {Ip}: validated names {string.Join(", ", names.Validated)}", names.Responses);
            }

            return macro.Expand(values);
        }

        private SpfMacroValues ValuesFor(string domain) => new SpfMacroValues
        {
            Sender = _values.Sender,
            LocalPart = _values.LocalPart,
            SenderDomain = _values.SenderDomain,
            Domain = domain,
            Ip = _values.Ip,
            Helo = _values.Helo,
            ReceiverName = _values.ReceiverName,
            Timestamp = _values.Timestamp,
        };

        // §7.3: prefer the domain itself, then a subdomain of it, then any validated name.
        private static string ChooseValidatedName(SpfValidatedNames names, string domain)
        {
            return names.Validated.FirstOrDefault(n => string.Equals(n, domain, StringComparison.OrdinalIgnoreCase))
                ?? names.Validated.FirstOrDefault(n => MailAuth.Names.DomainName.IsSameOrBelow(n, domain))
                ?? names.Validated.FirstOrDefault()
                ?? "unknown";
        }

        private Task<SpfValidatedNames> GetValidatedNamesAsync()
        {
            lock (_sync)
            {
                return _validated ??= ComputeValidatedNamesAsync();
            }
        }

        private async Task<SpfValidatedNames> ComputeValidatedNamesAsync()
        {
            var result = new SpfValidatedNames();
            DnsResponse ptr = await QueryAsync(MailAuth.Names.DomainName.ReverseName(Ip), DnsRecordType.PTR).ConfigureAwait(false);
            result.PtrResponse = ptr;
            result.Responses.Add(ptr);
            if (ptr.StatusCode != DnsLookupStatus.Found)
            {
                return result;
            }

            // §4.6.4: at most 10 PTR names are looked at; the rest are ignored.
            string[] names = ptr.Records.Where(r => r.TypeCode == DnsRecordType.PTR && !string.IsNullOrEmpty(r.Target))
                .Select(r => r.Target!.TrimEnd('.'))
                .Take(_options.MaxPtrNames)
                .ToArray();
            result.Names = names;
            var validated = new List<string>();
            Task<DnsResponse>[] forward = names.Select(n => SpfCheck.QueryTarget(n) is string ok ? QueryAsync(ok, AddressType) : Task.FromResult<DnsResponse>(null!)).ToArray();
            for (int i = 0; i < names.Length; i++)
            {
                DnsResponse response = await forward[i].ConfigureAwait(false);
                if (response is null)
                {
                    continue;
                }

                result.Responses.Add(response);
                if (response.StatusCode == DnsLookupStatus.Found && response.Records.Any(r => r.AddressValue != null && SpfNetwork.Unmap(r.AddressValue).Equals(Ip)))
                {
                    validated.Add(names[i]);
                }
            }

            result.Validated = validated;
            return result;
        }

        // ---- explanation (§6.2) ----------------------------------------------------------------

        public async Task<string> ExplainAsync(SpfLevel level)
        {
            string domain = level.ExpDomain ?? _values.Domain;
            SpfTerm? exp = level.ExpRecord?.Explanation;
            if (exp?.DomainSpecMacro != null)
            {
                string? text = await TryExplanationAsync(exp, domain).ConfigureAwait(false);
                if (text != null)
                {
                    return text;
                }
            }

            if (SpfMacroString.TryParse(_options.DefaultExplanation, SpfMacroUse.Explanation, out SpfMacroString? macro, out _))
            {
                return await ExpandAsync(macro!, domain).ConfigureAwait(false);
            }

            return _options.DefaultExplanation;
        }

        private async Task<string?> TryExplanationAsync(SpfTerm exp, string domain)
        {
            // §6.2: any problem with the exp lookup or text means "as if no exp= was given"; these
            // lookups count neither against the DNS limit nor as void lookups.
            string expanded = await ExpandAsync(exp.DomainSpecMacro!, domain).ConfigureAwait(false);
            string? target = SpfCheck.QueryTarget(expanded);
            if (target is null)
            {
                AddStep(0, SpfTraceStepKind.Explanation, domain, exp.Text, "ignored", $"'{expanded}' is not a valid domain name; using the default explanation");
                return null;
            }

            DnsResponse response = await QueryAsync(target, DnsRecordType.TXT).ConfigureAwait(false);
            DnsRecord[] txt = response.Records.Where(r => r.TypeCode == DnsRecordType.TXT).ToArray();
            if (response.StatusCode != DnsLookupStatus.Found || txt.Length != 1)
            {
                string why = response.StatusCode == DnsLookupStatus.Failed ? "the TXT lookup failed"
                    : txt.Length == 0 ? "no TXT record" : "more than one TXT record";
                AddStep(0, SpfTraceStepKind.Explanation, domain, exp.Text, "ignored", $"{target}: {why}; using the default explanation", new[] { response });
                return null;
            }

            if (!SpfMacroString.TryParse(txt[0].Data, SpfMacroUse.Explanation, out SpfMacroString? text, out string? reason))
            {
                AddStep(0, SpfTraceStepKind.Explanation, domain, exp.Text, "ignored", $"the explanation text of {target} is invalid ({reason}); using the default explanation", new[] { response });
                return null;
            }

            string result = await ExpandAsync(text!, domain).ConfigureAwait(false);
            AddStep(0, SpfTraceStepKind.Explanation, domain, exp.Text, "expanded", result, new[] { response });
            return result;
        }

        // ---- DNS and prefetch --------------------------------------------------------------------

        /// <summary>One query per name and type per evaluation; prefetch and evaluation share the task.</summary>
        private Task<DnsResponse> QueryAsync(string name, DnsRecordType type) => _queries.QueryAsync(name, type);

        /// <summary>
        /// Starts the queries of a record's DNS-querying terms at once, without waiting (STYLE.md:
        /// speed). Evaluation still walks the terms in order and counts them itself; at most
        /// MaxDnsLookups terms are ever prefetched per evaluation, so speculation cannot cost more
        /// lookups than the limit allows.
        /// </summary>
        private void Prefetch(SpfRecord record, string domain, int depth)
        {
            if (!_options.Prefetch)
            {
                return;
            }

            // Each record once: the speculative walk and the evaluation both reach it.
            lock (_prefetchedRecords)
            {
                if (!_prefetchedRecords.Add(domain + "\n" + record.Text))
                {
                    return;
                }
            }

            foreach (SpfTerm term in record.Terms)
            {
                if (!term.CausesDnsLookup || (term.Name == "redirect" && record.All != null))
                {
                    continue;
                }

                if (Interlocked.Increment(ref _prefetchedTerms) > _options.MaxDnsLookups)
                {
                    return;
                }

                if (term.DomainSpecMacro != null && term.DomainSpecMacro.UsesValidatedName)
                {
                    continue;
                }

                string? target = term.DomainSpecMacro is null ? domain : SpfCheck.QueryTarget(term.DomainSpecMacro.Expand(ValuesFor(domain)));
                if (target is null)
                {
                    continue;
                }

                switch (term.Name)
                {
                    case "include":
                    case "redirect":
                        Observe(PrefetchRecordAsync(target, depth + 1));
                        break;
                    case "a":
                        Observe(QueryAsync(target, AddressType));
                        break;
                    case "exists":
                        Observe(QueryAsync(target, DnsRecordType.A));
                        break;
                    case "mx":
                        Observe(PrefetchMxAsync(target));
                        break;
                    case "ptr":
                        Observe(GetValidatedNamesAsync());
                        break;
                }
            }
        }

        private async Task PrefetchRecordAsync(string domain, int depth)
        {
            if (depth > _options.MaxIncludeDepth)
            {
                return;
            }

            DnsResponse response = await QueryAsync(domain, DnsRecordType.TXT).ConfigureAwait(false);
            SpfRecordLookup lookup = SpfRecordLookup.Select(response);
            if (lookup.Selection == SpfSelection.Found && SpfRecord.TryParse(lookup.Text, out SpfRecord? record, out _))
            {
                Prefetch(record!, domain, depth);
            }
        }

        private async Task PrefetchMxAsync(string target)
        {
            DnsResponse mx = await QueryAsync(target, DnsRecordType.MX).ConfigureAwait(false);
            if (mx.StatusCode == DnsLookupStatus.Found && mx.Records.Count(r => r.TypeCode == DnsRecordType.MX) <= _options.MaxMxNames)
            {
                foreach (string host in MxHosts(mx))
                {
                    Observe(QueryAsync(host, AddressType));
                }
            }
        }

        private static void Observe(Task task)
        {
            // Speculative work: its failure (cancellation, a bug in a branch never reached) must not
            // surface as an unobserved exception; evaluation sees the same task and its outcome.
            task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }
}
