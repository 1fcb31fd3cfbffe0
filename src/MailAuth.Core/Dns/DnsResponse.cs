using System;
using System.Collections.Generic;
using System.Linq;

namespace MailAuth.Dns
{
    /// <summary>
    /// The outcome of one query, and at the same time its record in a trace: what was asked, of
    /// which server, what came back and how long it took.
    /// </summary>
    public sealed class DnsResponse
    {
        public DnsResponse(string queryName, DnsRecordType queryType, DnsLookupStatus status,
            string responseCode, IReadOnlyList<DnsRecord> records, string? server,
            double elapsedMilliseconds, bool fromCache, string? error,
            IReadOnlyList<string>? canonicalNames = null, bool usedTcp = false,
            DateTimeOffset? askedAt = null, bool fromArchive = false)
        {
            QueryName = queryName;
            QueryTypeCode = queryType;
            StatusCode = status;
            ResponseCode = responseCode;
            Records = ResultList.From(records ?? Array.Empty<DnsRecord>());
            Server = server;
            ElapsedMilliseconds = elapsedMilliseconds;
            FromCache = fromCache;
            Error = error;
            CanonicalNames = ResultList.From(canonicalNames ?? Array.Empty<string>());
            UsedTcp = usedTcp;
            AskedAt = askedAt ?? DateTimeOffset.UtcNow.AddMilliseconds(-elapsedMilliseconds);
            FromArchive = fromArchive;
        }

        public string QueryName { get; }

        public string QueryType => QueryTypeCode.ToString();

        internal DnsRecordType QueryTypeCode { get; }

        public string Status => StatusCode.ToString();

        internal DnsLookupStatus StatusCode { get; }

        /// <summary>NoError, NXDomain, ServFail, Refused, FormErr, ... or Timeout / NetworkError / Malformed when no usable answer came.</summary>
        public string ResponseCode { get; }

        /// <summary>True only for an authoritative NXDOMAIN.</summary>
        public bool IsNxDomain => string.Equals(ResponseCode, "NXDomain", StringComparison.Ordinal);

        /// <summary>Records of the asked type only (after following any CNAME chain).</summary>
        public ResultList<DnsRecord> Records { get; }

        /// <summary>The CNAME targets followed on the way, in order.</summary>
        public ResultList<string> CanonicalNames { get; }

        /// <summary>address:port of the server that answered (or was last tried).</summary>
        public string? Server { get; }

        public double ElapsedMilliseconds { get; }

        public bool FromCache { get; }

        /// <summary>
        /// When the question went to the server (UTC). A cached answer keeps the time it was asked
        /// on the wire; a replayed one the time it was recorded.
        /// </summary>
        public DateTimeOffset AskedAt { get; }

        /// <summary>True when the answer was replayed from a DNS archive (-DnsArchive -Offline) and no packet was sent.</summary>
        public bool FromArchive { get; }

        /// <summary>True when the UDP answer was truncated and the query was repeated over TCP.</summary>
        public bool UsedTcp { get; }

        /// <summary>Why the lookup failed, when <see cref="Status"/> is Failed.</summary>
        public string? Error { get; }

        /// <summary>The TXT records' joined texts (one entry per record).</summary>
        public ResultList<string> Texts => ResultList.From(Records.Where(r => r.TypeCode == DnsRecordType.TXT).Select(r => r.Data));

        /// <summary>The -Verbose / --verbose line: "DNS " and the response, marked when replayed from an archive.</summary>
        public string ToVerboseLine() => "DNS " + ToString() + (FromArchive ? " [from the DNS archive]" : string.Empty);

        public override string ToString()
        {
            string answer = StatusCode switch
            {
                DnsLookupStatus.Found => string.Join(", ", Records.Select(r => r.Data)),
                DnsLookupStatus.NotFound => IsNxDomain ? "NXDOMAIN" : "no data",
                _ => "failed: " + (Error ?? ResponseCode),
            };
            // A replayed answer reads as it did on the recorded day, so replayed results equal live
            // ones; -Verbose marks it as from the archive.
            string cache = FromCache ? " (cached)" : string.Empty;
            return $"{QueryType} {QueryName} @{Server ?? "-"} {ResponseCode} {ElapsedMilliseconds:0}ms{cache}: {answer}";
        }
    }
}
