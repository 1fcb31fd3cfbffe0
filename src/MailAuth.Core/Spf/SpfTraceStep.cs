using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MailAuth.Dns;

namespace MailAuth.Spf
{
    /// <summary>What a trace step is about.</summary>
    public enum SpfTraceStepKind
    {
        /// <summary>The SPF record of a domain was looked up and selected (§4.4, §4.5).</summary>
        Record,
        /// <summary>A mechanism was evaluated (§5).</summary>
        Mechanism,
        /// <summary>redirect= was followed (§6.1).</summary>
        Redirect,
        /// <summary>exp= was fetched and expanded (§6.2).</summary>
        Explanation,
        /// <summary>The validated domain name of the client (%{p}) was computed (§7.3).</summary>
        ValidatedName,
        /// <summary>The final result of a check_host() level (no mechanism matched, default, errors).</summary>
        Result,
    }

    /// <summary>One ordered step of an evaluation: which record/term at what include depth, and what happened.</summary>
    public sealed class SpfTraceStep
    {
        internal SpfTraceStep(int sequence, int depth, SpfTraceStepKind kind, string domain, string? term,
            string outcome, string detail, IReadOnlyList<DnsResponse> dns, int dnsLookupCount, int voidLookupCount)
        {
            Sequence = sequence;
            Depth = depth;
            KindCode = kind;
            Domain = domain;
            Term = term;
            Outcome = outcome;
            Detail = detail;
            DnsResponses = dns;
            DnsLookupCount = dnsLookupCount;
            VoidLookupCount = voidLookupCount;
        }

        /// <summary>1-based order of the step.</summary>
        public int Sequence { get; }

        /// <summary>Include/redirect depth: 0 for the checked domain.</summary>
        public int Depth { get; }

        public string Kind => KindCode.ToString();

        internal SpfTraceStepKind KindCode { get; }

        /// <summary>The domain whose record is being evaluated.</summary>
        public string Domain { get; }

        /// <summary>The term text (mechanism or modifier), or the record text for a Record step.</summary>
        public string? Term { get; }

        /// <summary>Short outcome: "match", "no match", "found", "pass", "permerror", ...</summary>
        public string Outcome { get; }

        /// <summary>Plain-language detail: what matched or why not.</summary>
        public string Detail { get; }

        /// <summary>
        /// The DNS responses this step used, one line each ("TXT example.com @server NoError 3ms: ...")
        /// joined with "; ": text, so a trace step stays one level deep for ConvertTo-Json; the
        /// result's DnsResponses has the objects.
        /// </summary>
        public string Dns => string.Join(ResultList<DnsResponse>.Separator, DnsResponses.Select(d => d.ToString()));

        internal IReadOnlyList<DnsResponse> DnsResponses { get; }

        /// <summary>DNS-querying terms counted so far (§4.6.4).</summary>
        public int DnsLookupCount { get; }

        /// <summary>Void lookups counted so far (§4.6.4).</summary>
        public int VoidLookupCount { get; }

        public override string ToString()
        {
            string indent = new string(' ', Depth * 2);
            string term = Term is null ? string.Empty : " " + Term;
            return string.Format(CultureInfo.InvariantCulture, "{0}[{1}] {2}{3}: {4} - {5}", indent, Domain, Kind, term, Outcome, Detail);
        }
    }
}
