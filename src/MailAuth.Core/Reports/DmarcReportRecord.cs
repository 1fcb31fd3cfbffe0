using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using MailAuth.Dmarc;

namespace MailAuth.Reports
{
    /// <summary>
    /// One &lt;record&gt; of a DMARC aggregate report (RFC 7489 appendix C, RFC 9990 §3.1.1.7): the
    /// flat columns an admin exports (the report's identity and policy, the source, its count, what
    /// the receiver did and why), then <see cref="Detail"/> with every auth_result and override reason.
    /// </summary>
    public sealed class DmarcReportRecord
    {
        internal DmarcReportRecord(DmarcAggregateReport report, string sourceIP, long count, DmarcReportDisposition disposition,
            string headerFrom, string? envelopeFrom, bool dkimAligned, bool spfAligned, DmarcRecordDetail detail)
        {
            Report = report;
            SourceIP = sourceIP;
            Count = count;
            DispositionCode = disposition;
            HeaderFrom = headerFrom;
            EnvelopeFrom = envelopeFrom;
            DkimAligned = dkimAligned;
            SpfAligned = spfAligned;
            Detail = detail;
            DmarcDkimAuthResult? dkim = detail.PrimaryDkim;
            DmarcSpfAuthResult? spf = detail.PrimarySpf;
            DkimResult = dkim?.Result;
            DkimDomain = dkim?.Domain;
            SpfResult = spf?.Result;
            SpfDomain = spf?.Domain;
        }

        /// <summary>report_metadata/org_name: who sent the report.</summary>
        public string OrgName => Report.OrgName;

        /// <summary>report_metadata/report_id.</summary>
        public string ReportId => Report.ReportId;

        /// <summary>date_range/begin, UTC.</summary>
        public DateTime BeginDate => Report.BeginDate;

        /// <summary>date_range/end, UTC.</summary>
        public DateTime EndDate => Report.EndDate;

        /// <summary>policy_published/domain: the DMARC Policy Domain.</summary>
        public string PolicyDomain => Report.PolicyDomain;

        /// <summary>policy_published/p.</summary>
        public string PolicyP => Report.PolicyP;

        /// <summary>row/source_ip: the connecting client, as text.</summary>
        public string SourceIP { get; }

        /// <summary>row/count: messages from this source with these results.</summary>
        public long Count { get; }

        /// <summary>policy_evaluated/disposition: None, Pass (RFC 9990), Quarantine or Reject.</summary>
        public string Disposition => DispositionCode.ToString();

        internal DmarcReportDisposition DispositionCode { get; }

        /// <summary>identifiers/header_from: the RFC5322.From domain.</summary>
        public string HeaderFrom { get; }

        /// <summary>identifiers/envelope_from: the RFC5321.MailFrom domain (empty for a null reverse-path), or null when not reported.</summary>
        public string? EnvelopeFrom { get; }

        /// <summary>The result of the DKIM signature that counts most for DMARC (aligned pass first, RFC 9990 §3.1.3); null without DKIM results.</summary>
        public string? DkimResult { get; }

        /// <summary>That signature's d= domain.</summary>
        public string? DkimDomain { get; }

        /// <summary>The SPF (mfrom) result as the receiver recorded it; null without one.</summary>
        public string? SpfResult { get; }

        /// <summary>The domain SPF checked.</summary>
        public string? SpfDomain { get; }

        /// <summary>policy_evaluated/dkim is pass: an aligned DKIM pass.</summary>
        public bool DkimAligned { get; }

        /// <summary>policy_evaluated/spf is pass: an aligned SPF pass.</summary>
        public bool SpfAligned { get; }

        /// <summary>Pass when DKIM or SPF passed aligned (RFC 7489 §4.2), else Fail.</summary>
        public string DmarcResult => DmarcResultCode.ToString();

        internal DmarcResult DmarcResultCode => DkimAligned || SpfAligned ? Dmarc.DmarcResult.Pass : Dmarc.DmarcResult.Fail;

        /// <summary>The file the report came from.</summary>
        public string SourceFile => Report.SourceFile;

        /// <summary>Every auth_result, override reason and extension of this record, and the report it belongs to.</summary>
        public DmarcRecordDetail Detail { get; }

        internal DmarcAggregateReport Report { get; }

        public override string ToString() =>
            $"{SourceIP} x{Count.ToString(CultureInfo.InvariantCulture)} {HeaderFrom} {Disposition} dmarc={DmarcResult.ToLowerInvariant()} (dkim={Lower(DkimResult)} spf={Lower(SpfResult)})";

        private static string Lower(string? value) => value is null ? "none" : value.ToLowerInvariant();
    }

    /// <summary>The nested detail of a <see cref="DmarcReportRecord"/>.</summary>
    public sealed class DmarcRecordDetail
    {
        internal DmarcRecordDetail(string? envelopeTo, IReadOnlyList<DmarcDkimAuthResult> dkim, IReadOnlyList<DmarcSpfAuthResult> spf,
            IReadOnlyList<DmarcPolicyOverrideReason> reasons, IReadOnlyList<string> extensions, DmarcAggregateReport report,
            DmarcDkimAuthResult? primaryDkim, DmarcSpfAuthResult? primarySpf)
        {
            EnvelopeTo = envelopeTo;
            Dkim = ResultList.From(dkim);
            Spf = ResultList.From(spf);
            PolicyOverrides = ResultList.From(reasons);
            Extensions = ResultList.From(extensions);
            Report = report;
            PrimaryDkim = primaryDkim;
            PrimarySpf = primarySpf;
        }

        /// <summary>identifiers/envelope_to: the RFC5321.RcptTo domain, when reported.</summary>
        public string? EnvelopeTo { get; }

        /// <summary>Every auth_results/dkim, in report order: domain, selector, result, human_result.</summary>
        public ResultList<DmarcDkimAuthResult> Dkim { get; }

        /// <summary>Every auth_results/spf (one in RFC 9990; RFC 7489 allowed more): domain, scope, result, human_result.</summary>
        public ResultList<DmarcSpfAuthResult> Spf { get; }

        /// <summary>Every policy_evaluated/reason: why the disposition differs from the published policy.</summary>
        public ResultList<DmarcPolicyOverrideReason> PolicyOverrides { get; }

        /// <summary>Names of extension elements of the record (RFC 9990 §5), not interpreted.</summary>
        public ResultList<string> Extensions { get; }

        /// <summary>The report: metadata, the whole published policy, notes.</summary>
        public DmarcAggregateReport Report { get; }

        internal DmarcDkimAuthResult? PrimaryDkim { get; }

        internal DmarcSpfAuthResult? PrimarySpf { get; }

        public override string ToString()
        {
            var parts = new List<string>(Dkim.Count + Spf.Count + PolicyOverrides.Count + 1);
            foreach (DmarcDkimAuthResult d in Dkim)
            {
                parts.Add(d.ToString());
            }

            foreach (DmarcSpfAuthResult s in Spf)
            {
                parts.Add(s.ToString());
            }

            foreach (DmarcPolicyOverrideReason r in PolicyOverrides)
            {
                parts.Add("override=" + r);
            }

            if (!string.IsNullOrEmpty(EnvelopeTo))
            {
                parts.Add("envelope_to=" + EnvelopeTo);
            }

            return string.Join(ResultList<string>.Separator, parts);
        }
    }

    /// <summary>One auth_results/dkim (RFC 9990 §3.1.1.12).</summary>
    public sealed class DmarcDkimAuthResult
    {
        private readonly string _resultText;

        internal DmarcDkimAuthResult(string domain, string? selector, DmarcDkimAuthResultCode result, string resultText, string? humanResult)
        {
            Domain = domain;
            Selector = selector;
            ResultCode = result;
            _resultText = resultText;
            HumanResult = humanResult;
        }

        /// <summary>The d= of the signature.</summary>
        public string Domain { get; }

        /// <summary>The s= of the signature (required by RFC 9990, often absent in RFC 7489 reports).</summary>
        public string? Selector { get; }

        /// <summary>None, Pass, Fail, Policy, Neutral, TempError, PermError, or the receiver's own word.</summary>
        public string Result => ResultCode == DmarcDkimAuthResultCode.Unrecognized ? _resultText : ResultCode.ToString();

        internal DmarcDkimAuthResultCode ResultCode { get; }

        /// <summary>human_result: the receiver's comment, if any.</summary>
        public string? HumanResult { get; }

        public override string ToString() =>
            "dkim=" + Result.ToLowerInvariant() + " d=" + Domain + (string.IsNullOrEmpty(Selector) ? string.Empty : " s=" + Selector);
    }

    /// <summary>One auth_results/spf (RFC 9990 §3.1.1.13).</summary>
    public sealed class DmarcSpfAuthResult
    {
        private readonly string _resultText;

        internal DmarcSpfAuthResult(string domain, string? scope, DmarcSpfAuthResultCode result, string resultText, string? humanResult)
        {
            Domain = domain;
            Scope = scope;
            ResultCode = result;
            _resultText = resultText;
            HumanResult = humanResult;
        }

        /// <summary>The domain SPF checked.</summary>
        public string Domain { get; }

        /// <summary>mfrom or helo (RFC 7489); RFC 9990 allows only mfrom. Null when not reported.</summary>
        public string? Scope { get; }

        /// <summary>None, Pass, Fail, SoftFail, Policy, Neutral, TempError, PermError, or the receiver's own word.</summary>
        public string Result => ResultCode == DmarcSpfAuthResultCode.Unrecognized ? _resultText : ResultCode.ToString();

        internal DmarcSpfAuthResultCode ResultCode { get; }

        /// <summary>human_result: the receiver's comment, if any.</summary>
        public string? HumanResult { get; }

        public override string ToString() =>
            "spf=" + Result.ToLowerInvariant() + " d=" + Domain + (string.IsNullOrEmpty(Scope) ? string.Empty : " scope=" + Scope);
    }

    /// <summary>One policy_evaluated/reason (RFC 9990 §3.1.6).</summary>
    public sealed class DmarcPolicyOverrideReason
    {
        private readonly string _typeText;

        internal DmarcPolicyOverrideReason(DmarcPolicyOverrideType type, string typeText, string? comment)
        {
            TypeCode = type;
            _typeText = typeText;
            Comment = comment;
        }

        /// <summary>Forwarded, SampledOut, TrustedForwarder, MailingList, LocalPolicy, PolicyTestMode, Other, or the receiver's own word.</summary>
        public string Type => TypeCode == DmarcPolicyOverrideType.Unrecognized ? _typeText : TypeCode.ToString();

        internal DmarcPolicyOverrideType TypeCode { get; }

        /// <summary>The receiver's comment, if any.</summary>
        public string? Comment { get; }

        public override string ToString() => string.IsNullOrEmpty(Comment) ? Type : Type + " (" + Comment + ")";
    }

    /// <summary>
    /// One aggregate report: its metadata and the published policy it was evaluated against
    /// (RFC 9990 §3.1.1.3-§3.1.1.5), where it came from, and notes on what was repaired or ignored.
    /// Shared by all records of the report.
    /// </summary>
    public sealed class DmarcAggregateReport
    {
        private readonly List<string> _notes = new List<string>();
        private readonly List<string> _errors = new List<string>();
        private readonly List<string> _extensions = new List<string>();

        internal DmarcAggregateReport(string sourceFile, string? location)
        {
            SourceFile = sourceFile;
            Location = location;
        }

        public string OrgName { get; internal set; } = string.Empty;

        public string ReportId { get; internal set; } = string.Empty;

        /// <summary>report_metadata/email.</summary>
        public string? Email { get; internal set; }

        public string? ExtraContactInfo { get; internal set; }

        /// <summary>report_metadata/generator (RFC 9990).</summary>
        public string? Generator { get; internal set; }

        /// <summary>report_metadata/error: what the receiver found wrong with the DMARC record.</summary>
        public ResultList<string> Errors => ResultList.From(_errors);

        /// <summary>The version element, as written ("1.0"), or null.</summary>
        public string? Version { get; internal set; }

        /// <summary>Rfc7489 or Rfc9990 (by the root element's namespace).</summary>
        public string Schema => SchemaCode.ToString();

        internal DmarcReportSchema SchemaCode { get; set; }

        /// <summary>The root element's namespace, empty for none.</summary>
        public string Namespace { get; internal set; } = string.Empty;

        public DateTime BeginDate { get; internal set; }

        public DateTime EndDate { get; internal set; }

        public string PolicyDomain { get; internal set; } = string.Empty;

        /// <summary>policy_published/p: None, Quarantine or Reject.</summary>
        public string PolicyP => PolicyPCode.ToString();

        internal DmarcPolicyAction PolicyPCode { get; set; }

        /// <summary>policy_published/sp, when reported.</summary>
        public string? PolicySp => PolicySpCode?.ToString();

        internal DmarcPolicyAction? PolicySpCode { get; set; }

        /// <summary>policy_published/np (RFC 9990, RFC 9091), when reported.</summary>
        public string? PolicyNp => PolicyNpCode?.ToString();

        internal DmarcPolicyAction? PolicyNpCode { get; set; }

        /// <summary>policy_published/adkim: Relaxed or Strict, when reported.</summary>
        public string? PolicyAdkim => PolicyAdkimCode?.ToString();

        internal DmarcAlignmentMode? PolicyAdkimCode { get; set; }

        /// <summary>policy_published/aspf: Relaxed or Strict, when reported.</summary>
        public string? PolicyAspf => PolicyAspfCode?.ToString();

        internal DmarcAlignmentMode? PolicyAspfCode { get; set; }

        /// <summary>policy_published/pct (RFC 7489; gone in RFC 9990), when reported.</summary>
        public int? PolicyPct { get; internal set; }

        /// <summary>policy_published/fo, as written.</summary>
        public string? PolicyFo { get; internal set; }

        /// <summary>policy_published/testing (RFC 9990, the t= tag): y or n, when reported.</summary>
        public string? PolicyTesting { get; internal set; }

        /// <summary>policy_published/discovery_method (RFC 9990): psl or treewalk, when reported.</summary>
        public string? DiscoveryMethod { get; internal set; }

        /// <summary>The file the report came from (the .xml, .gz, .zip, .eml or .mbox).</summary>
        public string SourceFile { get; }

        /// <summary>Where in that file: the message, attachment and zip entry; null for a plain report file.</summary>
        public string? Location { get; }

        /// <summary>Records read.</summary>
        public long RecordCount { get; internal set; }

        /// <summary>The sum of the records' counts.</summary>
        public long MessageCount { get; internal set; }

        /// <summary>Names of the top-level extension elements (RFC 9990 §5), not interpreted.</summary>
        public ResultList<string> Extensions => ResultList.From(_extensions);

        /// <summary>What the reader repaired or ignored: invalid UTF-8 replaced, text after the report, unknown elements.</summary>
        public ResultList<string> Notes => ResultList.From(_notes);

        internal string Key => DmarcReportKey.Of(OrgName, ReportId);

        internal void AddNote(string note)
        {
            if (_notes.Count < 50 && !_notes.Contains(note))
            {
                _notes.Add(note);
            }
        }

        internal void AddError(string error) => _errors.Add(error);

        internal void AddExtension(string name)
        {
            if (!_extensions.Contains(name))
            {
                _extensions.Add(name);
            }
        }

        /// <summary>Where it came from, for messages: the file and the place in it.</summary>
        public string Origin => Location is null ? SourceFile : SourceFile + " (" + Location + ")";

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0} {1}: {2} {3:yyyy-MM-dd HH:mm}..{4:yyyy-MM-dd HH:mm} UTC, {5} records",
            OrgName, ReportId, PolicyDomain, BeginDate, EndDate, RecordCount);
    }

    /// <summary>The duplicate key of RFC 9990 §3.5.4: org_name and report_id, compared as written (trimmed, case-insensitive org).</summary>
    internal static class DmarcReportKey
    {
        public static string Of(string orgName, string reportId) =>
            orgName.Trim().ToLowerInvariant() + "\u001f" + reportId.Trim();
    }
}
