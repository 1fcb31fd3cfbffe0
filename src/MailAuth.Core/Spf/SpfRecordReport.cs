using System;
using System.Collections.Generic;
using System.Linq;
using MailAuth.Dns;

namespace MailAuth.Spf
{
    /// <summary>What was found for one node of the include tree.</summary>
    public enum SpfIncludeStatus
    {
        /// <summary>One valid SPF record.</summary>
        Found,
        /// <summary>No SPF record (include/redirect of it is PermError).</summary>
        NotFound,
        /// <summary>The TXT lookup failed (evaluation would give TempError).</summary>
        LookupFailed,
        /// <summary>Several SPF records or a syntax error (PermError).</summary>
        Invalid,
        /// <summary>The name is already on the path from the root: an include/redirect loop.</summary>
        Loop,
        /// <summary>Not followed: the target uses macros (known only per message), is not a valid name, or is too deep.</summary>
        NotEvaluated,
    }

    /// <summary>What a published record gives a receiver, in one word (<see cref="SpfRecordReport.Verdict"/>).</summary>
    internal enum SpfVerdict
    {
        OK,
        Warnings,
        Errors,
        None,
        TempError,
        PermError,
    }

    /// <summary>
    /// One term of the whole include tree in the lookup ledger of <see cref="SpfRecordReport.Ledger"/>:
    /// where it is, what it asks, and the counts so far. Flat (text and numbers), so a ledger exports as
    /// CSV rows and converts with ConvertTo-Json -Depth 4.
    /// </summary>
    public sealed class SpfLedgerEntry
    {
        internal SpfLedgerEntry(int sequence, int depth, string domain, string term, string includePath, int dnsLookups, int voidLookups,
            int runningDnsLookups, int runningVoidLookups, ResultList<string> queries, string? voidName, string? voidAnswer,
            bool crossesLookupLimit, bool crossesVoidLimit, string? note)
        {
            Sequence = sequence;
            Depth = depth;
            Domain = domain;
            Term = term;
            IncludePath = includePath;
            DnsLookups = dnsLookups;
            VoidLookups = voidLookups;
            RunningDnsLookups = runningDnsLookups;
            RunningVoidLookups = runningVoidLookups;
            Queries = queries;
            VoidName = voidName;
            VoidAnswer = voidAnswer;
            CrossesLookupLimit = crossesLookupLimit;
            CrossesVoidLimit = crossesVoidLimit;
            Note = note;
        }

        /// <summary>1, 2, ... in the order check_host() reaches the terms.</summary>
        public int Sequence { get; }

        /// <summary>0 for the domain's own record, 1 for what it includes, ...</summary>
        public int Depth { get; }

        /// <summary>The domain whose record holds the term.</summary>
        public string Domain { get; }

        /// <summary>The term as written: "include:_spf.google.com", "ip4:192.0.2.0/24", "~all".</summary>
        public string Term { get; }

        /// <summary>How the evaluation gets to the record: "tailspintoys.com > include:_spf.google.com".</summary>
        public string IncludePath { get; }

        /// <summary>1 when the term counts against the limit of 10 DNS-querying terms (include, a, mx, ptr, exists, redirect; §4.6.4).</summary>
        public int DnsLookups { get; }

        /// <summary>1 when its lookup answers NXDOMAIN or no data (a void lookup; more than 2 is permerror, §4.6.4).</summary>
        public int VoidLookups { get; }

        /// <summary>Counted lookups so far, this term included.</summary>
        public int RunningDnsLookups { get; }

        /// <summary>Void lookups so far, this term included.</summary>
        public int RunningVoidLookups { get; }

        /// <summary>The DNS questions the term asks ("TXT _spf.google.com", "MX contoso.com"); empty for ip4, ip6 and all.</summary>
        public ResultList<string> Queries { get; }

        /// <summary>For a void lookup: the name asked for.</summary>
        public string? VoidName { get; }

        /// <summary>For a void lookup: "NXDOMAIN" or "no data".</summary>
        public string? VoidAnswer { get; }

        /// <summary>True for the term whose lookup is the first over the limit (the 11th): check_host() gives permerror there.</summary>
        public bool CrossesLookupLimit { get; }

        /// <summary>True for the void lookup that is the first over the limit (the 3rd).</summary>
        public bool CrossesVoidLimit { get; }

        /// <summary>What else to know: a target with macros, a branch that fails, a term after "all".</summary>
        public string? Note { get; }

        internal string VoidLookupText => $"'{Term}' in {Domain}: {VoidName} {VoidAnswer}";

        /// <summary>"3 include:_spf.google.com (tailspintoys.com): 1 lookup, 3 so far".</summary>
        public override string ToString()
        {
            string text = $"{Sequence} {Term} ({Domain}): {DnsLookups} lookup{(DnsLookups == 1 ? string.Empty : "s")}, {RunningDnsLookups} so far";
            if (VoidLookups > 0)
            {
                text += $"; void: {VoidName} {VoidAnswer}";
            }

            if (CrossesLookupLimit)
            {
                text += "; crosses the limit";
            }

            return text;
        }
    }

    /// <summary>
    /// One domain in the include/redirect tree of a record, with its own record and lookup count.
    /// The report lists the tree flat, in the order check_host() reaches it (a node, then what it
    /// includes), with <see cref="Depth"/> and <see cref="Parent"/> for the shape: a flat list
    /// converts with ConvertTo-Json -Depth 4 however deep the includes go.
    /// </summary>
    public sealed class SpfIncludeNode
    {
        internal SpfIncludeNode(string domain, string? via, int depth, SpfIncludeStatus status, string? record,
            SpfRecord? parsed, int ownLookupCount, int voidLookupCount, IReadOnlyList<SpfIncludeNode> children,
            string? error, IReadOnlyList<DnsResponse> dns)
        {
            Domain = domain;
            Via = via;
            Depth = depth;
            StatusCode = status;
            Record = record;
            ParsedRecord = parsed;
            OwnLookupCount = ownLookupCount;
            VoidLookupCount = voidLookupCount;
            ChildNodes = children;
            Error = error;
            DnsResponses = dns;
            TotalLookupCount = ownLookupCount + children.Sum(c => c.TotalLookupCount);
            foreach (SpfIncludeNode child in children)
            {
                child.Parent = domain;
            }
        }

        public string Domain { get; }

        /// <summary>The term that leads here ("include:_spf.example.net", "redirect=..."); null for the root.</summary>
        public string? Via { get; }

        /// <summary>0 for the root.</summary>
        public int Depth { get; }

        /// <summary>The domain whose record holds <see cref="Via"/>; null for the root.</summary>
        public string? Parent { get; private set; }

        public string Status => StatusCode.ToString();

        internal SpfIncludeStatus StatusCode { get; }

        /// <summary>The SPF record text (the first one when several).</summary>
        public string? Record { get; }

        /// <summary>The parsed record when it is valid.</summary>
        internal SpfRecord? ParsedRecord { get; }

        /// <summary>DNS-querying terms of this record itself (§4.6.4), without its includes.</summary>
        public int OwnLookupCount { get; }

        /// <summary>This record's terms plus those of everything it includes or redirects to.</summary>
        public int TotalLookupCount { get; }

        /// <summary>Terms of this record whose lookup returns NXDOMAIN or no data (§4.6.4).</summary>
        public int VoidLookupCount { get; }

        /// <summary>What this record includes or redirects to, in order.</summary>
        internal IReadOnlyList<SpfIncludeNode> ChildNodes { get; }

        /// <summary>Why the node is not Found, in plain language.</summary>
        public string? Error { get; }

        /// <summary>The DNS responses read for this node (the report's DnsResponses has them all).</summary>
        internal IReadOnlyList<DnsResponse> DnsResponses { get; }

        /// <summary>What was asked for each a, mx and exists term of this record (the ledger's source).</summary>
        internal Dictionary<SpfTerm, SpfTermProbe> Probes { get; } = new Dictionary<SpfTerm, SpfTermProbe>();

        /// <summary>"include:_spf.example.net [Found] 1/3": the term (the domain for the root), status, own/total lookups.</summary>
        public override string ToString() => $"{Via ?? Domain} [{Status}] {OwnLookupCount}/{TotalLookupCount}";

        /// <summary>This node, then its descendants depth first: the order check_host() reaches them.</summary>
        internal IEnumerable<SpfIncludeNode> SelfAndDescendants()
        {
            yield return this;
            foreach (SpfIncludeNode child in ChildNodes)
            {
                foreach (SpfIncludeNode node in child.SelfAndDescendants())
                {
                    yield return node;
                }
            }
        }
    }

    /// <summary>
    /// Everything about a domain's published SPF record: the record and its terms, the status,
    /// the lookup counts counted the RFC 7208 way through includes and redirects, the include tree,
    /// and lint findings. Flat properties first (Export-Csv), detail after.
    /// </summary>
    public sealed class SpfRecordReport
    {
        /// <summary>The row for an input refused as no domain name: Status InvalidInput, the refusal in Reason, nothing asked.</summary>
        internal static SpfRecordReport Refused(string? input, string refusal, double elapsedMilliseconds = 0)
        {
            var finding = new Finding(MailAuth.Findings.FindingCatalog.Spf.InvalidDomain, refusal, input);
            return new SpfRecordReport(input ?? string.Empty, SpfRecordStatus.InvalidInput, refusal, null, Array.Empty<string>(), null, null,
                0, 0, null, null, new[] { finding }, Array.Empty<DnsResponse>(), elapsedMilliseconds);
        }

        internal SpfRecordReport(string domain, SpfRecordStatus status, string reason, string? record,
            IReadOnlyList<string> records, SpfRecord? parsed, SpfSyntaxError? syntaxError, int dnsLookupCount,
            int voidLookupCount, string? limitCrossedAt, SpfIncludeNode? includeTree, IReadOnlyList<Finding> findings,
            IReadOnlyList<DnsResponse> dns, double elapsedMilliseconds, IReadOnlyList<SpfLedgerEntry>? ledger = null, int maxVoidLookups = 2)
        {
            Domain = domain;
            StatusCode = status;
            Ledger = ResultList.From(ledger);
            VoidLookups = Ledger.Where(e => e.VoidLookups > 0).Select(e => e.VoidLookupText).ToResultList();
            Reason = reason;
            Record = record;
            Records = ResultList.From(records);
            Parsed = parsed;
            SyntaxError = syntaxError;
            DnsLookupCount = dnsLookupCount;
            VoidLookupCount = voidLookupCount;
            LimitCrossedAt = limitCrossedAt;
            IncludeRoot = includeTree;
            IncludeTree = includeTree?.SelfAndDescendants().ToResultList() ?? ResultList<SpfIncludeNode>.Empty;
            Findings = FindingResults.From(findings);
            Errors = ResultList.From(Findings.Where(f => f.SeverityCode == FindingSeverity.Error).ToArray());
            Warnings = ResultList.From(Findings.Where(f => f.SeverityCode != FindingSeverity.Error).ToArray());
            DnsEvidence = DnsEvidence.From(dns);
            ElapsedMilliseconds = elapsedMilliseconds;
            Terms = ResultList.From(parsed?.Terms ?? (IReadOnlyList<SpfTerm>)Array.Empty<SpfTerm>());
            (VerdictCode, VerdictReason) = Judge(maxVoidLookups);
        }

        /// <summary>
        /// What the record gives a receiver, in one word, so a table shows a broken record as broken:
        /// <c>PermError</c> (over 10 lookups, over 2 void lookups, a syntax error, several records, an
        /// include or redirect without a usable record, a loop: permerror for every client not matched
        /// before the fault), <c>TempError</c> (a lookup of the tree failed), <c>None</c> (no record),
        /// <c>Errors</c> (it evaluates, but an error finding stands, such as +all), <c>Warnings</c>, or <c>OK</c>.
        /// </summary>
        public string Verdict => VerdictCode.ToString();

        internal SpfVerdict VerdictCode { get; }

        /// <summary>Why <see cref="Verdict"/> is what it is, naming the term at fault.</summary>
        public string VerdictReason { get; }

        /// <summary>
        /// The lookup ledger: every term of the whole include tree in the order check_host() reaches it,
        /// each with its DNS lookups, void lookups, the running counts, and the term where a limit is crossed
        /// (<see cref="SpfLedgerEntry.CrossesLookupLimit"/>) with its include path.
        /// </summary>
        public ResultList<SpfLedgerEntry> Ledger { get; private set; }

        /// <summary>Each void lookup of the tree: the term that caused it, the name it asked for, and the answer.</summary>
        public ResultList<string> VoidLookups { get; }

        private (SpfVerdict, string) Judge(int maxVoidLookups)
        {
            switch (StatusCode)
            {
                case SpfRecordStatus.NotFound:
                    return (SpfVerdict.None, Reason);
                case SpfRecordStatus.LookupFailed:
                    return (SpfVerdict.TempError, Reason);
                case SpfRecordStatus.Invalid:
                    return (SpfVerdict.PermError, Reason);
                case SpfRecordStatus.InvalidInput:
                    return (SpfVerdict.None, Reason);
            }

            SpfLedgerEntry? crossing = Ledger.FirstOrDefault(e => e.CrossesLookupLimit);
            if (crossing != null)
            {
                return (SpfVerdict.PermError, $"'{crossing.Term}' ({crossing.IncludePath}) is DNS lookup {crossing.RunningDnsLookups.ToString(System.Globalization.CultureInfo.InvariantCulture)} of at most {(crossing.RunningDnsLookups - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)}: permerror for every client not matched before it (RFC 7208 §4.6.4)");
            }

            SpfLedgerEntry? voidCrossing = Ledger.FirstOrDefault(e => e.CrossesVoidLimit);
            if (voidCrossing != null)
            {
                return (SpfVerdict.PermError, $"'{voidCrossing.Term}' ({voidCrossing.IncludePath}) is void lookup {voidCrossing.RunningVoidLookups.ToString(System.Globalization.CultureInfo.InvariantCulture)} of at most {maxVoidLookups.ToString(System.Globalization.CultureInfo.InvariantCulture)} void lookups: permerror for every client not matched before it (RFC 7208 §4.6.4)");
            }

            SpfIncludeNode? broken = IncludeTree.Skip(1).FirstOrDefault(n => n.StatusCode == SpfIncludeStatus.NotFound || n.StatusCode == SpfIncludeStatus.Invalid || n.StatusCode == SpfIncludeStatus.Loop);
            if (broken != null)
            {
                return (SpfVerdict.PermError, $"'{broken.Via}' in {broken.Parent}: {broken.Error}: permerror for every client not matched before it");
            }

            SpfIncludeNode? failed = IncludeTree.Skip(1).FirstOrDefault(n => n.StatusCode == SpfIncludeStatus.LookupFailed);
            if (failed != null)
            {
                return (SpfVerdict.TempError, $"'{failed.Via}' in {failed.Parent}: {failed.Error}");
            }

            if (ErrorCount > 0)
            {
                return (SpfVerdict.Errors, Errors[0].Message);
            }

            return WarningCount > 0 ? (SpfVerdict.Warnings, TopWarning) : (SpfVerdict.OK, "one valid record within the limits");
        }

        public string Domain { get; }

        public string Status => StatusCode.ToString();

        internal SpfRecordStatus StatusCode { get; }

        /// <summary>The status in plain language.</summary>
        public string Reason { get; }

        /// <summary>The raw SPF record (the first one when several).</summary>
        public string? Record { get; }

        /// <summary>All TXT records beginning with v=spf1 (more than one is an error).</summary>
        public ResultList<string> Records { get; }

        /// <summary>DNS-querying terms through includes and redirects, counted as check_host() would count them (§4.6.4); 10 is the limit.</summary>
        public int DnsLookupCount { get; }

        /// <summary>Lookups in the tree that return NXDOMAIN or no data; more than 2 is PermError (§4.6.4).</summary>
        public int VoidLookupCount { get; }

        /// <summary>True when <see cref="DnsLookupCount"/> is over the limit.</summary>
        public bool LookupLimitExceeded => LimitCrossedAt != null;

        /// <summary>Where the lookup limit is crossed: the term, its record and the include path; null when within the limit.</summary>
        public string? LimitCrossedAt { get; }

        /// <summary>The "all" mechanism with its qualifier ("-all", "~all"...), "redirect" when the policy comes from redirect=, or empty.</summary>
        public string AllMechanism => Parsed?.All != null ? Parsed.All.Text
            : Parsed?.Redirect != null ? "redirect" : string.Empty;

        /// <summary>The qualifier of "all" ('-', '~', '?', '+'), or empty when there is none.</summary>
        public string AllQualifier => Parsed?.All?.QualifierSymbol ?? string.Empty;

        /// <summary>Number of include mechanisms in the record itself.</summary>
        public int IncludeCount => Terms.Count(t => t.IsMechanism && t.Name == "include");

        public int ErrorCount => Errors.Count;

        public int WarningCount => Warnings.Count;

        /// <summary>The most important finding's message (first error, else first warning); empty when none.</summary>
        public string TopWarning => (Errors.FirstOrDefault() ?? Warnings.FirstOrDefault(w => w.SeverityCode == FindingSeverity.Warning) ?? Warnings.FirstOrDefault())?.Message ?? string.Empty;

        public double ElapsedMilliseconds { get; }

        /// <summary>The record's terms in order.</summary>
        public ResultList<SpfTerm> Terms { get; }

        /// <summary>
        /// The parsed record, when valid. Internal: its terms are <see cref="Terms"/> and its text
        /// <see cref="Record"/>, so the report does not carry them twice (SpfRecord.Parse gives it).
        /// </summary>
        internal SpfRecord? Parsed { get; }

        /// <summary>The syntax error when Status is Invalid because of one.</summary>
        public SpfSyntaxError? SyntaxError { get; }

        /// <summary>
        /// The include/redirect tree, flat: the domain itself (Depth 0), then every include and
        /// redirect in the order check_host() reaches them, each with its Depth and Parent. Present
        /// even when the limit is exceeded or a branch fails; empty when there is no valid record.
        /// </summary>
        public ResultList<SpfIncludeNode> IncludeTree { get; }

        /// <summary>The root of the same tree, for code that walks it.</summary>
        internal SpfIncludeNode? IncludeRoot { get; }

        /// <summary>Every finding (errors then warnings are also split below).</summary>
        public ResultList<Finding> Findings { get; }

        /// <summary>Findings that make check_host() give PermError or TempError.</summary>
        public ResultList<Finding> Errors { get; }

        /// <summary>Best-practice findings (warnings and information).</summary>
        public ResultList<Finding> Warnings { get; }

        /// <summary>Every DNS response read (empty inside a domain report, whose DnsEvidence has them).</summary>
        public DnsEvidence DnsEvidence { get; private set; }

        /// <summary>Inside a domain report: its Trace holds the DNS responses, so this report drops its copy.</summary>
        internal void OmitDnsResponses() => DnsEvidence = DnsEvidence.Empty;

        /// <summary>
        /// Inside a domain report: the ledger keeps the terms that count (a lookup, a void lookup, a
        /// crossing), not every ip4 of every provider, so the report stays small; Get-SpfRecord has it all.
        /// </summary>
        internal void KeepCountingLedgerEntries() =>
            Ledger = Ledger.Where(e => e.DnsLookups > 0 || e.VoidLookups > 0 || e.CrossesLookupLimit || e.CrossesVoidLimit).ToResultList();

        public override string ToString() => $"{Domain}: {Status} {Record}";
    }
}
