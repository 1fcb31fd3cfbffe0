using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Linq;

namespace MailAuth.Dns
{
    /// <summary>
    /// The DNS answers a result rested on, in the order they came: for each, the question, the
    /// server, the RCODE, the records with their TTLs, when it was asked, how long it took and
    /// whether it came from the cache or an archive. Every DNS-using result has one, as
    /// <c>DnsEvidence</c>. Its text is a one-line count ("7 queries: 5 found, 2 not found"), so a
    /// CSV cell stays short; the responses are the nested detail (<c>$r.DnsEvidence | Format-Table</c>).
    /// </summary>
    public sealed class DnsEvidence : ReadOnlyCollection<DnsResponse>
    {
        private DnsEvidence(IList<DnsResponse> responses)
            : base(responses)
        {
        }

        /// <summary>No queries.</summary>
        public static DnsEvidence Empty { get; } = new DnsEvidence(Array.Empty<DnsResponse>());

        /// <summary>The evidence of <paramref name="responses"/> (a copy); null gives <see cref="Empty"/>.</summary>
        public static DnsEvidence From(IEnumerable<DnsResponse>? responses)
        {
            if (responses is DnsEvidence evidence)
            {
                return evidence;
            }

            DnsResponse[] items = responses?.Where(r => r != null).ToArray() ?? Array.Empty<DnsResponse>();
            return items.Length == 0 ? Empty : new DnsEvidence(items);
        }

        /// <summary>The responses of the lookups that failed.</summary>
        public IEnumerable<DnsResponse> Failed => this.Where(r => r.StatusCode == DnsLookupStatus.Failed);

        public override string ToString()
        {
            if (Count == 0)
            {
                return "no queries";
            }

            int found = this.Count(r => r.StatusCode == DnsLookupStatus.Found);
            int notFound = this.Count(r => r.StatusCode == DnsLookupStatus.NotFound);
            int failed = Count - found - notFound;
            var parts = new List<string>(3);
            if (found > 0)
            {
                parts.Add(found.ToString(CultureInfo.InvariantCulture) + " found");
            }

            if (notFound > 0)
            {
                parts.Add(notFound.ToString(CultureInfo.InvariantCulture) + " not found");
            }

            if (failed > 0)
            {
                parts.Add(failed.ToString(CultureInfo.InvariantCulture) + " failed");
            }

            string queries = Count == 1 ? "1 query" : Count.ToString(CultureInfo.InvariantCulture) + " queries";
            return queries + ": " + string.Join(", ", parts);
        }
    }
}
