using System;
using System.Collections.Generic;
using MailAuth.Dns;
using MailAuth.Names;

namespace MailAuth.Dmarc
{
    /// <summary>One DKIM signature's outcome, as input to DMARC evaluation.</summary>
    public sealed class DkimSignatureResult
    {
        /// <param name="domain">The signature's d= domain.</param>
        /// <param name="result">The DKIM result (RFC 8601 §2.7.1): pass, fail, neutral, policy, temperror, permerror, none.</param>
        /// <param name="selector">The s= selector, for the report only.</param>
        public DkimSignatureResult(string domain, string result, string? selector = null)
        {
            Domain = domain ?? throw new ArgumentNullException(nameof(domain));
            Result = result ?? throw new ArgumentNullException(nameof(result));
            Selector = selector;
        }

        public string Domain { get; }

        public string Result { get; }

        public string? Selector { get; }

        public override string ToString() => $"dkim={Result} d={Domain}";
    }

    /// <summary>
    /// What to resolve: a domain (or an address, whose domain is taken), the discovery method, and
    /// optionally the authenticated identifiers of a message to evaluate.
    /// </summary>
    public sealed class DmarcQuery
    {
        /// <param name="domainOrAddress">The RFC5322.From domain, or an address (its domain is taken).</param>
        public DmarcQuery(string domainOrAddress)
        {
            Input = domainOrAddress ?? throw new ArgumentNullException(nameof(domainOrAddress));
        }

        /// <summary>The domain or address as given.</summary>
        public string Input { get; }

        public DmarcDiscoveryMethod Method { get; set; } = DmarcDiscoveryMethod.TreeWalk;

        /// <summary>The RFC5321.MailFrom domain (or address) SPF authenticated; needed for SPF alignment.</summary>
        public string? MailFromDomain { get; set; }

        /// <summary>The SPF result for <see cref="MailFromDomain"/>: pass, fail, softfail, neutral, none, temperror, permerror.</summary>
        public string? SpfResult { get; set; }

        /// <summary>The message's DKIM signatures and their results.</summary>
        public IList<DkimSignatureResult> DkimResults { get; } = new List<DkimSignatureResult>();

        /// <summary>True when SPF or DKIM inputs were given, so a message is evaluated.</summary>
        public bool HasEvaluationInputs => SpfResult != null || MailFromDomain != null || DkimResults.Count > 0;
    }

    /// <summary>Settings for <see cref="DmarcResolver"/>; one instance can serve many queries.</summary>
    public sealed class DmarcOptions
    {
        /// <summary>The list for the RFC 7489 method and the public-suffix finding; null: the embedded copy.</summary>
        public PublicSuffixList? PublicSuffixList { get; set; }

        /// <summary>Also run the other discovery method and report when the two disagree (default true).</summary>
        public bool CompareMethods { get; set; } = true;

        /// <summary>Check external report destinations (RFC 7489 §7.1) over DNS (default true).</summary>
        public bool CheckReportAuthorization { get; set; } = true;

        /// <summary>
        /// The pct sampling roll, a number from 0 to 99; the policy is applied when it is below pct.
        /// Null: a stable hash of the message's identifiers, so the same input always gives the same answer.
        /// </summary>
        public Func<int>? SamplingRoll { get; set; }

        /// <summary>Called with every DNS response as it arrives (e.g. for -Verbose).</summary>
        public Action<DnsResponse>? TraceObserver { get; set; }

        internal PublicSuffixList List => PublicSuffixList ?? PublicSuffixList.Embedded;
    }
}
