using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MailAuth.Spf
{
    /// <summary>One address range of a flattened record, with where it came from and how long it holds.</summary>
    public sealed class SpfFlattenedRange
    {
        internal SpfFlattenedRange(string network, string qualifier, string source, int ttl)
        {
            Network = network;
            Qualifier = qualifier;
            Source = source;
            Ttl = ttl;
        }

        /// <summary>"40.92.0.0/15", "2a01:111:f400::/48", "203.0.113.80" (a single address has no length).</summary>
        public string Network { get; }

        /// <summary>The qualifier written before it: empty for pass, else '-', '~' or '?'.</summary>
        public string Qualifier { get; }

        /// <summary>The term and include path it came from: "include:spf.protection.outlook.com", "a (tailspintoys.com)".</summary>
        public string Source { get; }

        /// <summary>Seconds until the shortest-lived DNS answer on its path expires (TXT of each record, then A/AAAA/MX).</summary>
        public int Ttl { get; }

        /// <summary>"40.92.0.0/15 from include:spf.protection.outlook.com (TTL 3600 s)".</summary>
        public override string ToString() => $"{Qualifier}{Network} from {Source} (TTL {Ttl.ToString(CultureInfo.InvariantCulture)} s)";
    }

    /// <summary>
    /// A flattening suggestion (Get-SpfRecord -Flatten): the address ranges a domain's include tree
    /// resolves to now, written as one candidate record within 10 DNS lookups and in character-strings
    /// of at most 255 bytes, with the TTLs it rests on. It is a snapshot: providers change their ranges,
    /// and the record must be refreshed when they do (<see cref="Warning"/>).
    /// </summary>
    public sealed class SpfFlattening
    {
        internal SpfFlattening(string domain, string? originalRecord, int originalDnsLookupCount, string? record,
            IReadOnlyList<string> strings, int dnsLookupCount, IReadOnlyList<SpfFlattenedRange> ranges, IReadOnlyList<string> keptTerms,
            IReadOnlyList<string> sources, int? minimumTtl, DateTimeOffset resolvedAt, int answerSize, IReadOnlyList<string> notes, string warning)
        {
            Domain = domain;
            OriginalRecord = originalRecord;
            OriginalDnsLookupCount = originalDnsLookupCount;
            Record = record;
            Strings = ResultList.From(strings);
            DnsLookupCount = dnsLookupCount;
            Ranges = ResultList.From(ranges);
            KeptTerms = ResultList.From(keptTerms);
            Sources = ResultList.From(sources);
            MinimumTtl = minimumTtl;
            ResolvedAt = resolvedAt;
            RefreshBy = minimumTtl.HasValue ? resolvedAt.AddSeconds(minimumTtl.Value) : (DateTimeOffset?)null;
            AnswerSize = answerSize;
            Notes = ResultList.From(notes);
            Warning = warning;
        }

        public string Domain { get; }

        /// <summary>The candidate record; null when the domain has no valid record to flatten.</summary>
        public string? Record { get; }

        /// <summary>Lookups the candidate still needs (terms that cannot be flattened: macros, exists, ptr, broken includes); 10 is the limit.</summary>
        public int DnsLookupCount { get; }

        /// <summary>True when the candidate needs at most 10 lookups and every string is at most 255 bytes.</summary>
        public bool WithinLimits => Record != null && DnsLookupCount <= 10 && Strings.All(s => System.Text.Encoding.UTF8.GetByteCount(s) <= 255);

        /// <summary>How many character-strings of at most 255 bytes the record is published as (RFC 7208 §3.3).</summary>
        public int StringCount => Strings.Count;

        /// <summary>The record's length in characters.</summary>
        public int Length => Record?.Length ?? 0;

        /// <summary>Address ranges in the candidate.</summary>
        public int RangeCount => Ranges.Count;

        /// <summary>Seconds until the first DNS answer the candidate rests on expires; null when it rests on none.</summary>
        public int? MinimumTtl { get; }

        /// <summary>When the include tree was resolved.</summary>
        public DateTimeOffset ResolvedAt { get; }

        /// <summary>When the first answer it rests on expires: check it again by then.</summary>
        public DateTimeOffset? RefreshBy { get; }

        /// <summary>That it is a snapshot and must be refreshed when providers change.</summary>
        public string Warning { get; }

        /// <summary>The record as published now.</summary>
        public string? OriginalRecord { get; }

        /// <summary>Lookups the published record needs through its includes.</summary>
        public int OriginalDnsLookupCount { get; }

        /// <summary>Approximate size of the DNS answer carrying the candidate (over 512 bytes needs EDNS or TCP).</summary>
        public int AnswerSize { get; }

        /// <summary>The candidate as TXT character-strings: publish them as one record, in this order.</summary>
        public ResultList<string> Strings { get; }

        /// <summary>Every address range, in record order, with its source and TTL.</summary>
        public ResultList<SpfFlattenedRange> Ranges { get; }

        /// <summary>Terms kept as written, with why they cannot be flattened.</summary>
        public ResultList<string> KeptTerms { get; }

        /// <summary>The DNS answers the candidate rests on: "TXT spf.protection.outlook.com: 3600 s".</summary>
        public ResultList<string> Sources { get; }

        /// <summary>What else was done or left: terms that match nothing, ranges dropped as duplicates, size.</summary>
        public ResultList<string> Notes { get; }

        public override string ToString() => Record ?? $"{Domain}: nothing to flatten";
    }
}
