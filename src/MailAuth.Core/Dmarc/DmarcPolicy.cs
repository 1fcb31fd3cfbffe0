using System;
using System.Collections.Generic;
using System.Linq;
using MailAuth.Dns;

namespace MailAuth.Dmarc
{
    /// <summary>An external report destination and whether it accepts reports (RFC 7489 §7.1).</summary>
    public sealed class DmarcReportAuthorization
    {
        internal DmarcReportAuthorization(string host, string queryName, DmarcStatus status, string? record, string? error)
        {
            Host = host;
            QueryName = queryName;
            StatusCode = status;
            Record = record;
            Error = error;
        }

        /// <summary>The destination host (mailbox domain).</summary>
        public string Host { get; }

        /// <summary>The name queried: &lt;policy domain&gt;._report._dmarc.&lt;host&gt;.</summary>
        public string QueryName { get; }

        /// <summary>Found: authorized; NotFound: not authorized; LookupFailed: unknown.</summary>
        public string Status => StatusCode.ToString();

        internal DmarcStatus StatusCode { get; }

        public bool IsAuthorized => StatusCode == DmarcStatus.Found;

        /// <summary>The authorizing record, when found.</summary>
        public string? Record { get; }

        public string? Error { get; }

        public override string ToString() => $"{Host}: {Status}";
    }

    /// <summary>How one authenticated identifier fared in alignment.</summary>
    public sealed class DmarcIdentifierAlignment
    {
        internal DmarcIdentifierAlignment(string mechanism, string? domain, string result, bool passed,
            DmarcAlignmentMode mode, string? organizationalDomain, bool? aligned, string note)
        {
            Mechanism = mechanism;
            Domain = domain;
            Result = result;
            Passed = passed;
            ModeCode = mode;
            OrganizationalDomain = organizationalDomain;
            Aligned = aligned;
            Note = note;
        }

        /// <summary>"spf" or "dkim".</summary>
        public string Mechanism { get; }

        /// <summary>MAIL FROM domain or d= domain.</summary>
        public string? Domain { get; }

        /// <summary>The mechanism's own result, lower case.</summary>
        public string Result { get; }

        public bool Passed { get; }

        public string Mode => ModeCode.ToString();

        internal DmarcAlignmentMode ModeCode { get; }

        /// <summary>The identifier's Organizational Domain (relaxed mode), when determined.</summary>
        public string? OrganizationalDomain { get; }

        /// <summary>True/false; null when a DNS failure left it unknown.</summary>
        public bool? Aligned { get; }

        /// <summary>True when this identifier produces an aligned pass.</summary>
        public bool AlignedPass => Passed && Aligned == true;

        public string Note { get; }

        public override string ToString() => $"{Mechanism}={Result} {Domain}: {Note}";
    }

    /// <summary>The detail of evaluating one message against the policy.</summary>
    public sealed class DmarcEvaluation
    {
        internal DmarcEvaluation(string fromDomain, string? fromOrganizationalDomain,
            IReadOnlyList<DmarcIdentifierAlignment> identifiers, DmarcResult result,
            DmarcAlignedIdentifier alignedIdentifier, DmarcPolicyAction? requestedPolicy,
            DmarcPolicySource policySource, DmarcPolicyAction disposition, int? samplingRoll,
            bool? samplingApplied, bool testModeApplied, string reason)
        {
            FromDomain = fromDomain;
            FromOrganizationalDomain = fromOrganizationalDomain;
            IdentifierList = identifiers;
            ResultCode = result;
            AlignedIdentifierCode = alignedIdentifier;
            RequestedPolicyCode = requestedPolicy;
            PolicySourceCode = policySource;
            DispositionCode = disposition;
            SamplingRoll = samplingRoll;
            SamplingApplied = samplingApplied;
            TestModeApplied = testModeApplied;
            Reason = reason;
        }

        public string FromDomain { get; }

        public string? FromOrganizationalDomain { get; }

        /// <summary>How each identifier fared; the policy's Identifiers shows them (one level up, for ConvertTo-Json).</summary>
        internal IReadOnlyList<DmarcIdentifierAlignment> IdentifierList { get; }

        public string Result => ResultCode.ToString();

        internal DmarcResult ResultCode { get; }

        public string AlignedIdentifier => AlignedIdentifierCode.ToString();

        internal DmarcAlignedIdentifier AlignedIdentifierCode { get; }

        /// <summary>The policy the domain owner asks for (p, sp or np), before pct / t.</summary>
        public string? RequestedPolicy => RequestedPolicyCode?.ToString();

        internal DmarcPolicyAction? RequestedPolicyCode { get; }

        public string PolicySource => PolicySourceCode.ToString();

        internal DmarcPolicySource PolicySourceCode { get; }

        /// <summary>What a receiver following the record does with this message.</summary>
        public string Disposition => DispositionCode.ToString();

        internal DmarcPolicyAction DispositionCode { get; }

        /// <summary>The pct roll (0-99) when pct sampling was applied (RFC 7489 method, fail, pct &lt; 100).</summary>
        public int? SamplingRoll { get; }

        /// <summary>Whether the sampled message got the full policy; null when no sampling took place.</summary>
        public bool? SamplingApplied { get; }

        /// <summary>True when t=y lowered the disposition one step (RFC 9989 method).</summary>
        public bool TestModeApplied { get; }

        public string Reason { get; }

        /// <summary>"Fail, disposition Reject: ..." (the result, what a receiver does, why).</summary>
        public override string ToString() => $"{Result}, disposition {Disposition}: {Reason}";
    }

    /// <summary>
    /// The DMARC policy governing one domain: where it was found, what it says, what is wrong with
    /// it, and (with message inputs) what a receiver would do. Flat properties first, detail after.
    /// </summary>
    public sealed class DmarcPolicy
    {
        internal DmarcPolicy(string input, string domain, DmarcDiscoveryMethod method, DmarcStatus status,
            string? errorMessage, string? recordDomain, string? organizationalDomain, DmarcRecord? parsedRecord,
            DmarcPolicySource policySource, DmarcPolicyAction? effectivePolicy, bool? domainExists,
            IReadOnlyList<Finding> findings, IReadOnlyList<DnsResponse> trace,
            IReadOnlyList<DmarcReportAuthorization> reportAuthorizations,
            string? alternateRecordDomain, string? alternateOrganizationalDomain, DmarcStatus? alternateStatus,
            DmarcEvaluation? evaluation)
        {
            Input = input;
            Domain = domain;
            MethodCode = method;
            StatusCode = status;
            ErrorMessage = errorMessage;
            RecordDomain = recordDomain;
            OrganizationalDomain = organizationalDomain;
            Parsed = parsedRecord;
            ParsedRecord = parsedRecord;
            PolicySourceCode = policySource;
            EffectivePolicyCode = effectivePolicy;
            DomainExists = domainExists;
            Findings = FindingResults.From(findings);
            DnsEvidence = DnsEvidence.From(trace);
            QueryCount = DnsEvidence.Count;
            ReportAuthorizations = ResultList.From(reportAuthorizations);
            AlternateRecordDomain = alternateRecordDomain;
            AlternateOrganizationalDomain = alternateOrganizationalDomain;
            AlternateStatusCode = alternateStatus;
            Evaluation = evaluation;
        }

        /// <summary>The row for an input refused as no domain: Status InvalidInput, the refusal in ErrorMessage, nothing asked.</summary>
        internal static DmarcPolicy Refused(string? input, string error) =>
            new DmarcPolicy(input ?? string.Empty, string.Empty, DmarcDiscoveryMethod.TreeWalk, DmarcStatus.InvalidInput, error, null, null, null,
                DmarcPolicySource.None, null, null, Array.Empty<Finding>(), Array.Empty<DnsResponse>(), Array.Empty<DmarcReportAuthorization>(),
                null, null, null, null);

        /// <summary>The domain or address as given.</summary>
        public string Input { get; }

        /// <summary>The domain evaluated (A-label, lower case).</summary>
        public string Domain { get; }

        public string Status => StatusCode.ToString();

        internal DmarcStatus StatusCode { get; }

        /// <summary>Which query failed and how, when <see cref="Status"/> is LookupFailed.</summary>
        public string? ErrorMessage { get; }

        public string Method => MethodCode.ToString();

        internal DmarcDiscoveryMethod MethodCode { get; }

        /// <summary>The domain whose _dmarc record applies (the domain itself or an ancestor), or null.</summary>
        public string? RecordDomain { get; }

        /// <summary>The Organizational Domain under <see cref="Method"/>.</summary>
        public string? OrganizationalDomain { get; }

        /// <summary>The record text.</summary>
        public string? Record => Parsed?.Text;

        /// <summary>p as published (null when absent or invalid).</summary>
        public string? Policy => PolicyCode?.ToString();

        internal DmarcPolicyAction? PolicyCode => Parsed?.PolicyCode;

        /// <summary>sp as published.</summary>
        public string? SubdomainPolicy => SubdomainPolicyCode?.ToString();

        internal DmarcPolicyAction? SubdomainPolicyCode => Parsed?.SubdomainPolicyCode;

        /// <summary>np as published.</summary>
        public string? NonExistentSubdomainPolicy => NonExistentSubdomainPolicyCode?.ToString();

        internal DmarcPolicyAction? NonExistentSubdomainPolicyCode => Parsed?.NonExistentSubdomainPolicyCode;

        /// <summary>The policy that applies to <see cref="Domain"/>: p, sp or np (see <see cref="PolicySource"/>).</summary>
        public string? EffectivePolicy => EffectivePolicyCode?.ToString();

        internal DmarcPolicyAction? EffectivePolicyCode { get; }

        public string PolicySource => PolicySourceCode.ToString();

        internal DmarcPolicySource PolicySourceCode { get; }

        /// <summary>Whether the domain exists in DNS (checked when the policy is inherited, for np); null when not checked or unknown.</summary>
        public bool? DomainExists { get; }

        /// <summary>pct as published (RFC 7489); null when absent.</summary>
        public int? Percentage => Parsed?.Percentage;

        /// <summary>t=y (RFC 9989).</summary>
        public bool TestMode => Parsed?.TestMode ?? false;

        /// <summary>"relaxed" or "strict" (aspf); null without a record.</summary>
        public string? SpfAlignment => Parsed is null ? null : ModeText(Parsed.SpfAlignmentCode);

        /// <summary>"relaxed" or "strict" (adkim); null without a record.</summary>
        public string? DkimAlignment => Parsed is null ? null : ModeText(Parsed.DkimAlignmentCode);

        public ResultList<string> ReportUris => ResultList.From(Parsed?.ReportUris.Select(u => u.Text).ToArray() ?? Array.Empty<string>());

        public ResultList<string> FailureReportUris => ResultList.From(Parsed?.FailureReportUris.Select(u => u.Text).ToArray() ?? Array.Empty<string>());

        /// <summary><see cref="ReportUris"/> joined with ";" (for Export-Csv).</summary>
        public string ReportUriText => string.Join(";", ReportUris);

        /// <summary><see cref="FailureReportUris"/> joined with ";" (for Export-Csv).</summary>
        public string FailureReportUriText => string.Join(";", FailureReportUris);

        public ResultList<Finding> Findings { get; }

        /// <summary>The finding ids joined with ";" (for Export-Csv).</summary>
        public string FindingText => string.Join(";", Findings.Select(f => f.Id));

        /// <summary>The most severe finding's severity, or null without findings.</summary>
        public string? MaxSeverity => MaxSeverityCode?.ToString();

        internal FindingSeverity? MaxSeverityCode => Findings.Count == 0 ? (FindingSeverity?)null : Findings.Max(f => f.SeverityCode);

        /// <summary>The other method's record domain (when <see cref="DmarcOptions.CompareMethods"/>).</summary>
        public string? AlternateRecordDomain { get; }

        /// <summary>The other method's Organizational Domain.</summary>
        public string? AlternateOrganizationalDomain { get; }

        /// <summary>The other method's status; null when it was not run.</summary>
        public string? AlternateStatus => AlternateStatusCode?.ToString();

        internal DmarcStatus? AlternateStatusCode { get; }

        /// <summary>False when the two methods found a different record domain or Organizational Domain; null when not compared.</summary>
        public bool? MethodsAgree => AlternateStatus is null
            ? (bool?)null
            : string.Equals(RecordDomain, AlternateRecordDomain, StringComparison.Ordinal)
              && string.Equals(OrganizationalDomain, AlternateOrganizationalDomain, StringComparison.Ordinal);

        /// <summary>With evaluation inputs: pass / fail / none / temperror / permerror; else null.</summary>
        public string? DmarcResult => DmarcResultCode?.ToString();

        internal DmarcResult? DmarcResultCode => Evaluation?.ResultCode;

        public string? AlignedIdentifier => AlignedIdentifierCode?.ToString();

        internal DmarcAlignedIdentifier? AlignedIdentifierCode => Evaluation?.AlignedIdentifierCode;

        public string? Disposition => DispositionCode?.ToString();

        internal DmarcPolicyAction? DispositionCode => Evaluation?.DispositionCode;

        public string? Reason => Evaluation?.Reason;

        /// <summary>Number of DNS queries made.</summary>
        public int QueryCount { get; }

        // Detail.

        /// <summary>The parsed record with its tags.</summary>
        public DmarcRecord? ParsedRecord { get; private set; }

        /// <summary>The record the flat properties read, kept when <see cref="ParsedRecord"/> is left out.</summary>
        internal DmarcRecord? Parsed { get; }

        /// <summary>
        /// How each authenticated identifier (SPF's MAIL FROM domain, each DKIM d=) fared in
        /// alignment (RFC 7489 §3.1); empty without evaluation inputs.
        /// </summary>
        public ResultList<DmarcIdentifierAlignment> Identifiers => Evaluation?.IdentifierList.ToResultList() ?? ResultList<DmarcIdentifierAlignment>.Empty;

        /// <summary>External report destinations checked (RFC 7489 §7.1).</summary>
        public ResultList<DmarcReportAuthorization> ReportAuthorizations { get; }

        /// <summary>Every DNS query and answer, in completion order.</summary>
        public DnsEvidence DnsEvidence { get; private set; }

        /// <summary>The message evaluation; null when no SPF/DKIM inputs were given.</summary>
        public DmarcEvaluation? Evaluation { get; }

        /// <summary>Inside a domain report or a header verification: the parent holds or omits the DNS responses.</summary>
        internal void OmitDnsResponses() => DnsEvidence = DnsEvidence.Empty;

        /// <summary>
        /// Inside a header verification the policy sits two levels down, where the parsed record's
        /// tags would be past ConvertTo-Json -Depth 4; its flat properties (Record, Policy, ...) stay.
        /// </summary>
        internal void OmitParsedRecord() => ParsedRecord = null;

        public override string ToString()
        {
            string policy = EffectivePolicyCode.HasValue ? DmarcRecord.Name(EffectivePolicyCode.Value) : "-";
            return $"{Domain}: {Status} {policy} ({RecordDomain ?? "no record"})";
        }

        private static string ModeText(DmarcAlignmentMode mode) => mode == DmarcAlignmentMode.Strict ? "strict" : "relaxed";
    }
}
