using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.IpIntelligence;

namespace MailAuth.Reports
{
    /// <summary>
    /// One sending source across the reports summarised: how many messages it sent as the domains,
    /// how many passed DMARC, what receivers did with them, which identifiers passed aligned, and
    /// (with enrichment) who it is: PTR, FCrDNS, ASN, and the known service it belongs to.
    /// "Who sends as me, and do they pass aligned?"
    /// </summary>
    public sealed class DmarcSourceSummary
    {
        private readonly HashSet<string> _headerFrom = new HashSet<string>(StringComparer.Ordinal);
        private readonly HashSet<string> _reporters = new HashSet<string>(StringComparer.Ordinal);
        private readonly HashSet<string> _dkimDomains = new HashSet<string>(StringComparer.Ordinal);
        private readonly HashSet<string> _spfDomains = new HashSet<string>(StringComparer.Ordinal);

        internal DmarcSourceSummary(string sourceIp)
        {
            SourceIP = sourceIp;
        }

        public string SourceIP { get; }

        /// <summary>The known service (Microsoft 365, Google, Amazon SES, SendGrid, Mailchimp, ...) the source belongs to, when one fits.</summary>
        public string? Service { get; private set; }

        public long Messages { get; private set; }

        public long DmarcPass { get; private set; }

        public long DmarcFail { get; private set; }

        /// <summary>Percent of messages that passed DMARC (0-100, one decimal).</summary>
        public double PassPercent => Messages == 0 ? 0 : Math.Round(DmarcPass * 100.0 / Messages, 1);

        /// <summary>Messages with an aligned DKIM pass.</summary>
        public long DkimAligned { get; private set; }

        /// <summary>Messages with an aligned SPF pass.</summary>
        public long SpfAligned { get; private set; }

        public long DispositionNone { get; private set; }

        public long DispositionQuarantine { get; private set; }

        public long DispositionReject { get; private set; }

        /// <summary>RFC 9990's "pass" disposition.</summary>
        public long DispositionPass { get; private set; }

        public long Records { get; private set; }

        public DateTime FirstSeen { get; private set; } = DateTime.MaxValue;

        public DateTime LastSeen { get; private set; } = DateTime.MinValue;

        /// <summary>With -Enrich: the PTR name (forward-confirmed one first).</summary>
        public string? PtrName { get; private set; }

        /// <summary>With -Enrich: a PTR name resolves back to the address.</summary>
        public bool? ForwardConfirmed { get; private set; }

        /// <summary>With -Enrich: the origin AS.</summary>
        public long? Asn { get; private set; }

        public string? AsnName { get; private set; }

        /// <summary>Why the service was chosen (PTR, AS, DKIM d= or SPF domain).</summary>
        public string? ServiceEvidence { get; private set; }

        /// <summary>The RFC5322.From domains it sent as.</summary>
        public ResultList<string> HeaderFrom => ResultList.From(_headerFrom.OrderBy(x => x, StringComparer.Ordinal));

        /// <summary>The organizations that reported it.</summary>
        public ResultList<string> Reporters => ResultList.From(_reporters.OrderBy(x => x, StringComparer.Ordinal));

        /// <summary>The d= domains of its DKIM results.</summary>
        public ResultList<string> DkimDomains => ResultList.From(_dkimDomains.OrderBy(x => x, StringComparer.Ordinal));

        /// <summary>The domains SPF checked for it.</summary>
        public ResultList<string> SpfDomains => ResultList.From(_spfDomains.OrderBy(x => x, StringComparer.Ordinal));

        /// <summary>With -Enrich: the whole lookup (PTR names, prefix, country, DNS problems).</summary>
        public IpIntelligenceResult? Intelligence { get; private set; }

        internal void Add(DmarcReportRecord r)
        {
            Records++;
            Messages += r.Count;
            if (r.DkimAligned || r.SpfAligned)
            {
                DmarcPass += r.Count;
            }
            else
            {
                DmarcFail += r.Count;
            }

            if (r.DkimAligned)
            {
                DkimAligned += r.Count;
            }

            if (r.SpfAligned)
            {
                SpfAligned += r.Count;
            }

            switch (r.DispositionCode)
            {
                case DmarcReportDisposition.None: DispositionNone += r.Count; break;
                case DmarcReportDisposition.Quarantine: DispositionQuarantine += r.Count; break;
                case DmarcReportDisposition.Reject: DispositionReject += r.Count; break;
                default: DispositionPass += r.Count; break;
            }

            if (r.BeginDate < FirstSeen)
            {
                FirstSeen = r.BeginDate;
            }

            if (r.EndDate > LastSeen)
            {
                LastSeen = r.EndDate;
            }

            Bounded(_headerFrom, r.HeaderFrom);
            Bounded(_reporters, r.OrgName);
            foreach (DmarcDkimAuthResult d in r.Detail.Dkim)
            {
                Bounded(_dkimDomains, d.Domain);
            }

            foreach (DmarcSpfAuthResult s in r.Detail.Spf)
            {
                Bounded(_spfDomains, s.Domain);
            }
        }

        private static void Bounded(HashSet<string> set, string value)
        {
            if (value.Length > 0 && set.Count < 100)
            {
                set.Add(value);
            }
        }

        internal KnownServiceMatch? MatchWithoutSpf() => KnownMailServices.Match(ForwardConfirmed == true ? PtrName : null, Asn, _dkimDomains, _spfDomains);

        internal void Classify(IpIntelligenceResult? intelligence, KnownServiceMatch? spfMatch = null)
        {
            if (intelligence != null)
            {
                Intelligence = intelligence;
                PtrName = intelligence.PtrName;
                ForwardConfirmed = intelligence.ForwardConfirmed;
                Asn = intelligence.Asn;
                AsnName = intelligence.AsnName;
            }

            // A PTR name counts only when it is forward-confirmed: anyone can publish any PTR.
            KnownServiceMatch? match = MatchWithoutSpf() ?? spfMatch;
            Service = match?.Service;
            ServiceEvidence = match?.Evidence;
        }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0} {1}: {2} messages, {3}% DMARC pass",
            SourceIP, Service ?? "unknown", Messages, PassPercent);
    }

    /// <summary>Adds records up per source IP (bounded per source), then classifies and optionally enriches the sources.</summary>
    public sealed class DmarcReportSummarizer
    {
        private readonly Dictionary<string, DmarcSourceSummary> _sources = new Dictionary<string, DmarcSourceSummary>(StringComparer.Ordinal);

        public int SourceCount => _sources.Count;

        public long RecordCount { get; private set; }

        /// <exception cref="ArgumentNullException"><paramref name="record"/> is null.</exception>
        public void Add(DmarcReportRecord record)
        {
            if (record is null)
            {
                throw new ArgumentNullException(nameof(record));
            }

            if (!_sources.TryGetValue(record.SourceIP, out DmarcSourceSummary? summary))
            {
                _sources[record.SourceIP] = summary = new DmarcSourceSummary(record.SourceIP);
            }

            summary.Add(record);
            RecordCount++;
        }

        /// <summary>
        /// The sources, most messages first. With <paramref name="intelligence"/>, each source's
        /// PTR, FCrDNS and ASN are looked up first, <paramref name="throttleLimit"/> at a time;
        /// <paramref name="progress"/> hears how many are done. With <paramref name="spf"/>, a source no
        /// other evidence places is matched by the known services' SPF includes (check_host()).
        /// </summary>
        public async Task<IReadOnlyList<DmarcSourceSummary>> SummarizeAsync(IpIntelligenceResolver? intelligence = null, int throttleLimit = 32,
            Action<int, int>? progress = null, CancellationToken cancellationToken = default, Spf.SpfEvaluator? spf = null)
        {
            List<DmarcSourceSummary> sources = _sources.Values.OrderByDescending(s => s.Messages).ThenBy(s => s.SourceIP, StringComparer.Ordinal).ToList();
            if (intelligence is null)
            {
                foreach (DmarcSourceSummary s in sources)
                {
                    s.Classify(null);
                }

                return sources;
            }

            using var gate = new SemaphoreSlim(Math.Max(1, throttleLimit));
            int done = 0;
            await Task.WhenAll(sources.Select(async s =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    IpIntelligenceResult? found = null;
                    KnownServiceMatch? spfMatch = null;
                    if (System.Net.IPAddress.TryParse(s.SourceIP, out System.Net.IPAddress? ip))
                    {
                        found = await intelligence.LookupAsync(s.SourceIP, cancellationToken).ConfigureAwait(false);
                        s.Classify(found);
                        if (s.Service is null && spf != null)
                        {
                            // Neither reverse DNS, AS nor the domains tell: ask the services' SPF includes.
                            spfMatch = await KnownMailServices.MatchSpfAsync(spf, ip, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    s.Classify(found, spfMatch);
                }
                finally
                {
                    gate.Release();
                    progress?.Invoke(Interlocked.Increment(ref done), sources.Count);
                }
            })).ConfigureAwait(false);
            return sources;
        }
    }
}
