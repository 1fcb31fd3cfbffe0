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

    /// <summary>One domain in the include/redirect tree of a record, with its own record and lookup count.</summary>
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
            Parsed = parsed;
            OwnLookupCount = ownLookupCount;
            VoidLookupCount = voidLookupCount;
            Children = ResultList.From(children);
            Error = error;
            Dns = ResultList.From(dns);
            TotalLookupCount = ownLookupCount + children.Sum(c => c.TotalLookupCount);
        }

        public string Domain { get; }

        /// <summary>The term that leads here ("include:_spf.example.net", "redirect=..."); null for the root.</summary>
        public string? Via { get; }

        /// <summary>0 for the root.</summary>
        public int Depth { get; }

        public string Status => StatusCode.ToString();

        internal SpfIncludeStatus StatusCode { get; }

        /// <summary>The SPF record text (the first one when several).</summary>
        public string? Record { get; }

        /// <summary>The parsed record when it is valid.</summary>
        public SpfRecord? Parsed { get; }

        /// <summary>DNS-querying terms of this record itself (§4.6.4), without its includes.</summary>
        public int OwnLookupCount { get; }

        /// <summary>This record's terms plus those of everything it includes or redirects to.</summary>
        public int TotalLookupCount { get; }

        /// <summary>Terms of this record whose lookup returns NXDOMAIN or no data (§4.6.4).</summary>
        public int VoidLookupCount { get; }

        public ResultList<SpfIncludeNode> Children { get; }

        /// <summary>Why the node is not Found, in plain language.</summary>
        public string? Error { get; }

        /// <summary>The DNS responses read for this node.</summary>
        public ResultList<DnsResponse> Dns { get; }

        public override string ToString() => $"{new string(' ', Depth * 2)}{Via ?? Domain} [{Status}] {OwnLookupCount}/{TotalLookupCount}";
    }

    /// <summary>
    /// Everything about a domain's published SPF record: the record and its terms, the status,
    /// the lookup counts counted the RFC 7208 way through includes and redirects, the include tree,
    /// and lint findings. Flat properties first (Export-Csv), detail after.
    /// </summary>
    public sealed class SpfRecordReport
    {
        internal SpfRecordReport(string domain, SpfRecordStatus status, string reason, string? record,
            IReadOnlyList<string> records, SpfRecord? parsed, SpfSyntaxError? syntaxError, int dnsLookupCount,
            int voidLookupCount, string? limitCrossedAt, SpfIncludeNode? includeTree, IReadOnlyList<Finding> findings,
            IReadOnlyList<DnsResponse> dns, double elapsedMilliseconds)
        {
            Domain = domain;
            StatusCode = status;
            Reason = reason;
            Record = record;
            Records = ResultList.From(records);
            Parsed = parsed;
            SyntaxError = syntaxError;
            DnsLookupCount = dnsLookupCount;
            VoidLookupCount = voidLookupCount;
            LimitCrossedAt = limitCrossedAt;
            IncludeTree = includeTree;
            Findings = ResultList.From(findings);
            Errors = ResultList.From(findings.Where(f => f.SeverityCode == FindingSeverity.Error).ToArray());
            Warnings = ResultList.From(findings.Where(f => f.SeverityCode != FindingSeverity.Error).ToArray());
            DnsResponses = ResultList.From(dns);
            ElapsedMilliseconds = elapsedMilliseconds;
            Terms = ResultList.From(parsed?.Terms ?? (IReadOnlyList<SpfTerm>)Array.Empty<SpfTerm>());
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

        /// <summary>The parsed record, when valid.</summary>
        public SpfRecord? Parsed { get; }

        /// <summary>The syntax error when Status is Invalid because of one.</summary>
        public SpfSyntaxError? SyntaxError { get; }

        /// <summary>The include/redirect tree; present even when the limit is exceeded or a branch fails.</summary>
        public SpfIncludeNode? IncludeTree { get; }

        /// <summary>Every finding (errors then warnings are also split below).</summary>
        public ResultList<Finding> Findings { get; }

        /// <summary>Findings that make check_host() give PermError or TempError.</summary>
        public ResultList<Finding> Errors { get; }

        /// <summary>Best-practice findings (warnings and information).</summary>
        public ResultList<Finding> Warnings { get; }

        /// <summary>Every DNS response read.</summary>
        public ResultList<DnsResponse> DnsResponses { get; }

        public override string ToString() => $"{Domain}: {Status} {Record}";
    }
}
