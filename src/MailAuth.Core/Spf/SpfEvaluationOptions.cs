using System;
using MailAuth.Dns;

namespace MailAuth.Spf
{
    /// <summary>Limits and knobs of an SPF evaluation. Defaults are the RFC 7208 values.</summary>
    public sealed class SpfEvaluationOptions
    {
        /// <summary>The explanation used when a Fail has no usable exp= (RFC 7208 §6.2). Default "%{i} is not one of %{d}'s designated mail servers.".</summary>
        public const string StandardDefaultExplanation = "%{i} is not one of %{d}'s designated mail servers.";

        /// <summary>Terms that query DNS (include a mx ptr exists redirect) per check_host(), §4.6.4. Default 10.</summary>
        public int MaxDnsLookups { get; set; } = 10;

        /// <summary>Lookups answering NXDOMAIN or no data before PermError, §4.6.4. Default 2.</summary>
        public int MaxVoidLookups { get; set; } = 2;

        /// <summary>MX names one "mx" may return before PermError, §4.6.4. Default 10.</summary>
        public int MaxMxNames { get; set; } = 10;

        /// <summary>PTR names one "ptr" or %{p} looks at; the rest are ignored, §4.6.4. Default 10.</summary>
        public int MaxPtrNames { get; set; } = 10;

        /// <summary>Safety bound on include/redirect nesting (loops are also detected). Default 10.</summary>
        public int MaxIncludeDepth { get; set; } = 10;

        /// <summary>Overall time for one evaluation before TempError, §4.6.4 suggests at least 20 s. Default 20 s.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

        /// <summary>
        /// Macro-string used as explanation when a Fail has no usable exp= (§6.2). Expanded like
        /// exp text, so %{i} and %{d} work.
        /// </summary>
        public string DefaultExplanation { get; set; } = StandardDefaultExplanation;

        /// <summary>The receiving host's name: %{r} and the receiver= key of Received-SPF. Null: "unknown".</summary>
        public string? ReceiverName { get; set; }

        /// <summary>The time %{t} expands to. Null: now.</summary>
        public DateTimeOffset? Timestamp { get; set; }

        /// <summary>
        /// Start the DNS queries of a record's terms concurrently before evaluating them in order
        /// (never more terms than <see cref="MaxDnsLookups"/>). Results and counts are the same either way.
        /// Off by default: an evaluation whose first mechanism matches would still ask the whole tree
        /// (up to 19 queries instead of 1), load on other people's DNS that RFC 7208 §4.6.4 exists to
        /// avoid. Turn it on where latency matters more, for a receiver's own resolver.
        /// </summary>
        public bool Prefetch { get; set; }

        /// <summary>Queries in flight at once for one evaluation. Default 8.</summary>
        public int MaxConcurrentQueries { get; set; } = 8;

        /// <summary>Called with every DNS response as it arrives (for -Verbose). Must be thread-safe.</summary>
        public Action<DnsResponse>? QueryObserver { get; set; }

        internal void Validate()
        {
            if (MaxDnsLookups < 1 || MaxVoidLookups < 0 || MaxMxNames < 1 || MaxPtrNames < 1 || MaxIncludeDepth < 1 || MaxConcurrentQueries < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(SpfEvaluationOptions), "SPF limits must be positive (MaxVoidLookups may be 0).");
            }

            if (Timeout <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(Timeout), "The SPF evaluation timeout must be positive.");
            }

            if (DefaultExplanation is null)
            {
                throw new ArgumentNullException(nameof(DefaultExplanation));
            }
        }
    }
}
