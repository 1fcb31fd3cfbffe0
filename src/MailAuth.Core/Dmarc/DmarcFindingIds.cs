namespace MailAuth.Dmarc
{
    /// <summary>The stable ids of DMARC findings (docs/dmarc.md lists them with their meaning).</summary>
    public static class DmarcFindingIds
    {
        // Record syntax (RFC 7489 §6.3-6.4, RFC 9989 §4.7-4.8).
        public const string NotDmarc = "DMARC-NOT-DMARC";
        public const string TagSyntax = "DMARC-TAG-SYNTAX";
        public const string TagDuplicate = "DMARC-TAG-DUPLICATE";
        public const string TagUnknown = "DMARC-TAG-UNKNOWN";
        public const string TagRemoved = "DMARC-TAG-REMOVED";
        public const string PolicyMissing = "DMARC-P-MISSING";
        public const string PolicyInvalid = "DMARC-P-INVALID";
        public const string SubdomainPolicyInvalid = "DMARC-SP-INVALID";
        public const string NonExistentPolicyInvalid = "DMARC-NP-INVALID";
        public const string AdkimInvalid = "DMARC-ADKIM-INVALID";
        public const string AspfInvalid = "DMARC-ASPF-INVALID";
        public const string PctInvalid = "DMARC-PCT-INVALID";
        public const string FoInvalid = "DMARC-FO-INVALID";
        public const string FoWithoutRuf = "DMARC-FO-WITHOUT-RUF";
        public const string RfInvalid = "DMARC-RF-INVALID";
        public const string RiInvalid = "DMARC-RI-INVALID";
        public const string PsdInvalid = "DMARC-PSD-INVALID";
        public const string TestInvalid = "DMARC-T-INVALID";
        public const string UriInvalid = "DMARC-URI-INVALID";
        public const string UriSize = "DMARC-URI-SIZE";
        public const string UriScheme = "DMARC-URI-SCHEME";

        // Policy strength and reporting.
        public const string PolicyNone = "DMARC-P-NONE";
        public const string PctPartial = "DMARC-PCT-PARTIAL";
        public const string TestMode = "DMARC-T-TESTING";
        public const string RuaMissing = "DMARC-RUA-MISSING";
        public const string SubdomainPolicyWeaker = "DMARC-SP-WEAKER";
        public const string NonExistentPolicyWeaker = "DMARC-NP-WEAKER";

        // Discovery (need DNS).
        public const string DuplicateRecords = "DMARC-DUPLICATE-RECORDS";
        public const string ReportUnauthorized = "DMARC-REPORT-UNAUTHORIZED";
        public const string ReportAuthorizationFailed = "DMARC-REPORT-CHECK-FAILED";
        public const string PublicSuffix = "DMARC-PUBLIC-SUFFIX";
        public const string MethodsDisagree = "DMARC-METHODS-DISAGREE";
        public const string Inherited = "DMARC-INHERITED";
        public const string OrganizationalDomainIncomplete = "DMARC-ORGDOMAIN-INCOMPLETE";
        public const string NoRecord = "DMARC-NO-RECORD";
        public const string LookupFailed = "DMARC-LOOKUP-FAILED";
        public const string WalkShortened = "DMARC-WALK-SHORTENED";
    }
}
