using System;
using System.Collections.Generic;
using System.Linq;
using MailAuth.Dmarc;
using MailAuth.Dns;
using MailAuth.Posture;
using MailAuth.Spf;

namespace MailAuth.DomainReport
{
    /// <summary>The grade of a domain's mail authentication posture (docs/posture.md has the rules).</summary>
    public enum MailDomainGrade
    {
        A,
        B,
        C,
        D,
        F,
    }

    /// <summary>
    /// One row per audited domain: flat summary properties (strings, numbers, booleans that
    /// survive Export-Csv) first, then the detail objects of each check.
    /// </summary>
    public sealed class MailDomainReport
    {
        internal MailDomainReport(string input, string? domain, string? inputNote, DomainReportStatus status, string? errorMessage,
            DomainCheck checks, MxReport? mx, SpfRecordReport? spf, DmarcPolicy? dmarc, DkimReport? dkim, BimiReport? bimi,
            MtaStsReport? mtaSts, TlsRptReport? tlsRpt, MailDomainGrade? grade, int? score, IReadOnlyList<string> gradeReasons,
            IReadOnlyList<Finding> findings, IReadOnlyList<DnsResponse> trace, double elapsedMilliseconds)
        {
            // The report-level trace has every DNS response of every check; the sub-reports drop
            // their copies, whose records would sit past ConvertTo-Json -Depth 4 (and double the size).
            mx?.OmitDnsResponses();
            spf?.OmitDnsResponses();
            spf?.KeepCountingLedgerEntries();
            dmarc?.OmitDnsResponses();
            dkim?.OmitDnsResponses();
            mtaSts?.OmitDnsResponses();
            tlsRpt?.OmitDnsResponses();
            bimi?.OmitDnsResponses();
            Input = input;
            Domain = domain;
            InputNote = inputNote;
            StatusCode = status;
            ErrorMessage = errorMessage;
            ChecksCode = checks;
            Mx = mx;
            Spf = spf;
            Dmarc = dmarc;
            Dkim = dkim;
            Bimi = bimi;
            MtaSts = mtaSts;
            TlsRpt = tlsRpt;
            GradeCode = grade;
            Score = score;
            GradeReasons = ResultList.From(gradeReasons);
            Findings = FindingResults.From(findings);
            QueryCount = trace.Count;
            DnsEvidence = DnsEvidence.From(trace);
            ElapsedMilliseconds = elapsedMilliseconds;
        }

        // ---- flat summary ----

        /// <summary>The input as given.</summary>
        public string Input { get; }

        /// <summary>The normalised domain (null for InvalidInput).</summary>
        public string? Domain { get; }

        /// <summary>What normalisation changed, if anything.</summary>
        public string? InputNote { get; }

        public string Status => StatusCode.ToString();

        internal DomainReportStatus StatusCode { get; }

        public string? ErrorMessage { get; }

        /// <summary>Null when the report is incomplete (LookupFailed) or the input invalid.</summary>
        public string? Grade => GradeCode?.ToString();

        internal MailDomainGrade? GradeCode { get; }

        /// <summary>0-100, the points behind the grade.</summary>
        public int? Score { get; }

        /// <summary>The grade in one line: score, what cost points, and any cap.</summary>
        public string? GradeSummary { get; private set; }

        /// <summary>SendingAndReceiving, ReceivingOnly, SendingOnly or Parked; null when MX or SPF could not be looked up.</summary>
        public string? Role => RoleCode?.ToString();

        internal MailDomainRole? RoleCode { get; private set; }

        /// <summary>What the role calls for that the domain does not publish, joined with " | ".</summary>
        public string? RoleAdvice => RoleAdviceList.Count == 0 ? null : string.Join(" | ", RoleAdviceList);

        /// <summary>The same, one item per piece of advice.</summary>
        public ResultList<string> RoleAdviceList { get; private set; } = ResultList<string>.Empty;

        public string? MxStatus => Mx?.StatusCode.ToString();

        public string? MxHosts => Mx?.HostText;

        public bool? NullMx => Mx?.IsNullMx;

        /// <summary>Found, NotFound, LookupFailed or Invalid (several records or a syntax error).</summary>
        public string? SpfStatus => Spf?.StatusCode.ToString();

        public string? SpfRecord => Spf?.Record;

        /// <summary>DNS-querying terms over the whole include tree (limit 10, RFC 7208 §4.6.4).</summary>
        public int? SpfLookups => Spf?.DnsLookupCount;

        /// <summary>The qualifier of the top-level all ("-", "~", "?", "+"), empty when absent.</summary>
        public string? SpfAll => Spf?.AllQualifier;

        public string? SpfTopWarning => Spf?.TopWarning;

        public string? DmarcStatus => Dmarc?.StatusCode.ToString();

        public string? DmarcPolicy => Dmarc?.Policy;

        public string? DmarcEffectivePolicy => Dmarc?.EffectivePolicyCode?.ToString();

        public int? DmarcPct => Dmarc?.Percentage;

        public bool? DmarcTestMode => Dmarc is { StatusCode: MailAuth.Dmarc.DmarcStatus.Found } found ? found.TestMode : (bool?)null;

        public bool? DmarcRua => Dmarc is { StatusCode: MailAuth.Dmarc.DmarcStatus.Found } found ? found.ReportUris.Count > 0 : (bool?)null;

        public string? DkimStatus => Dkim?.StatusCode.ToString();

        public string? DkimSelectors => Dkim?.SelectorsFound;

        public int? DkimMinKeyBits => Dkim?.SmallestRsaBits;

        public string? BimiStatus => Bimi?.StatusCode.ToString();

        public bool? BimiValid => Bimi is null ? (bool?)null : Bimi.IsValid && Bimi.DmarcQualifies == true;

        public string? MtaStsStatus => MtaSts?.StatusCode.ToString();

        public string? MtaStsMode => MtaSts?.Mode;

        public bool? MtaStsMxMatch => MtaSts?.MxMatch;

        public string? TlsRptStatus => TlsRpt?.StatusCode.ToString();

        public string? TlsRptRua => TlsRpt?.ReportUriText;

        public int ErrorCount => Findings.Count(f => f.SeverityCode == FindingSeverity.Error);

        public int WarningCount => Findings.Count(f => f.SeverityCode == FindingSeverity.Warning);

        /// <summary>Finding ids joined with ';'.</summary>
        public string FindingText => string.Join(";", Findings.Select(f => f.Id));

        /// <summary>DNS queries the checks made (the responses are in DnsEvidence).</summary>
        public int QueryCount { get; }

        public double ElapsedMilliseconds { get; }

        // ---- detail ----

        /// <summary>The checks that ran.</summary>
        public string Checks => ChecksCode.ToString();

        internal DomainCheck ChecksCode { get; }

        public MxReport? Mx { get; }

        /// <summary>The SPF engine's record report (record, include tree, lookups, findings).</summary>
        public SpfRecordReport? Spf { get; }

        public DmarcPolicy? Dmarc { get; }

        public DkimReport? Dkim { get; }

        public BimiReport? Bimi { get; }

        public MtaStsReport? MtaSts { get; }

        public TlsRptReport? TlsRpt { get; }

        /// <summary>How each check contributed to the score.</summary>
        public ResultList<string> GradeReasons { get; }

        /// <summary>Every finding of every check, most severe first.</summary>
        public ResultList<Finding> Findings { get; }

        /// <summary>
        /// Every DNS response this domain's checks saw, in completion order. The sub-reports' own
        /// DnsEvidence is empty in a domain report: it is all here, once.
        /// </summary>
        public DnsEvidence DnsEvidence { get; }

        internal MailDomainReport WithJudgement(string gradeSummary, MailDomainRole? role, IReadOnlyList<string> advice)
        {
            GradeSummary = gradeSummary;
            RoleCode = role;
            RoleAdviceList = ResultList.From(advice);
            return this;
        }

        public override string ToString() => $"{Domain ?? Input}: {Status} {Grade}";
    }
}
