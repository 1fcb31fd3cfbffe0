using System.Collections.Generic;
using System.Linq;
using MailAuth.Dns;

namespace MailAuth.Spf
{
    /// <summary>How record selection (RFC 7208 §4.4, §4.5) ended for one TXT response.</summary>
    internal enum SpfSelection
    {
        Found,
        NotFound,
        Failed,
        Multiple,
    }

    /// <summary>Record selection from a TXT answer. Type 99 (SPF) is never consulted (§3.1, §4.4).</summary>
    internal sealed class SpfRecordLookup
    {
        private SpfRecordLookup(DnsResponse response, SpfSelection selection, IReadOnlyList<string> spfTexts, DnsRecord? record)
        {
            Response = response;
            Selection = selection;
            SpfTexts = spfTexts;
            Record = record;
        }

        public DnsResponse Response { get; }

        public SpfSelection Selection { get; }

        /// <summary>The TXT records that begin with v=spf1, each with its strings joined (§3.3).</summary>
        public IReadOnlyList<string> SpfTexts { get; }

        /// <summary>The selected DNS record when exactly one.</summary>
        public DnsRecord? Record { get; }

        public string? Text => Selection == SpfSelection.Found ? SpfTexts[0] : null;

        public static SpfRecordLookup Select(DnsResponse response)
        {
            if (response.StatusCode == DnsLookupStatus.Failed)
            {
                return new SpfRecordLookup(response, SpfSelection.Failed, new string[0], null);
            }

            // §4.5: discard records that do not begin with "v=spf1" (then SP or end); zero left is
            // None, more than one is PermError.
            DnsRecord[] spf = response.Records
                .Where(r => r.TypeCode == DnsRecordType.TXT && SpfRecord.IsSpfRecord(r.Data))
                .ToArray();
            string[] texts = spf.Select(r => r.Data).ToArray();
            SpfSelection selection = texts.Length == 0 ? SpfSelection.NotFound : texts.Length == 1 ? SpfSelection.Found : SpfSelection.Multiple;
            return new SpfRecordLookup(response, selection, texts, spf.Length == 1 ? spf[0] : null);
        }
    }
}
