namespace MailAuth.Posture
{
    /// <summary>Stable ids of the posture findings (docs/posture.md lists them with their severity).</summary>
    public static class PostureFindingIds
    {
        // DKIM key records (RFC 6376 §3.6.1, RFC 8301, RFC 8463)
        public const string DkimLookupFailed = "DKIM-LOOKUP-FAILED";
        public const string DkimNoneFound = "DKIM-NONE-FOUND";
        public const string DkimMalformed = "DKIM-MALFORMED";
        public const string DkimVersionInvalid = "DKIM-VERSION-INVALID";
        public const string DkimKeyMissing = "DKIM-KEY-MISSING";
        public const string DkimKeyRevoked = "DKIM-KEY-REVOKED";
        public const string DkimKeyTypeUnknown = "DKIM-KEY-TYPE-UNKNOWN";
        public const string DkimKeyMalformed = "DKIM-KEY-MALFORMED";
        public const string DkimKeyPkcs1 = "DKIM-KEY-PKCS1";
        public const string DkimKeyTooSmall = "DKIM-KEY-TOO-SMALL";
        public const string DkimKeyWeak = "DKIM-KEY-WEAK";
        public const string DkimTesting = "DKIM-TESTING";
        public const string DkimHashSha1Only = "DKIM-HASH-SHA1-ONLY";
        public const string DkimHashUnknown = "DKIM-HASH-UNKNOWN";
        public const string DkimServiceNotEmail = "DKIM-SERVICE-NOT-EMAIL";
        public const string DkimMultipleRecords = "DKIM-MULTIPLE-RECORDS";
        public const string DkimCnameDangling = "DKIM-CNAME-DANGLING";
        public const string DkimCnameMismatch = "DKIM-CNAME-MISMATCH";

        // MX (RFC 5321 §5.1, RFC 7505, RFC 2181 §10.3)
        public const string MxLookupFailed = "MX-LOOKUP-FAILED";
        public const string MxNone = "MX-NONE";
        public const string MxNull = "MX-NULL";
        public const string MxNullWithOthers = "MX-NULL-WITH-OTHERS";
        public const string MxCname = "MX-CNAME";
        public const string MxIpLiteral = "MX-IP-LITERAL";
        public const string MxHostNotResolving = "MX-HOST-NOT-RESOLVING";
        public const string MxHostLookupFailed = "MX-HOST-LOOKUP-FAILED";
        public const string MxNoHostResolves = "MX-NO-HOST-RESOLVES";

        // TLS-RPT (RFC 8460 §3)
        public const string TlsRptLookupFailed = "TLSRPT-LOOKUP-FAILED";
        public const string TlsRptNotFound = "TLSRPT-NOT-FOUND";
        public const string TlsRptMultiple = "TLSRPT-MULTIPLE";
        public const string TlsRptMalformed = "TLSRPT-MALFORMED";
        public const string TlsRptRuaMissing = "TLSRPT-RUA-MISSING";
        public const string TlsRptRuaInvalid = "TLSRPT-RUA-INVALID";

        // BIMI (draft-brand-indicators-for-message-identification)
        public const string BimiLookupFailed = "BIMI-LOOKUP-FAILED";
        public const string BimiMultiple = "BIMI-MULTIPLE";
        public const string BimiMalformed = "BIMI-MALFORMED";
        public const string BimiDeclined = "BIMI-DECLINED";
        public const string BimiLocationInvalid = "BIMI-LOCATION-INVALID";
        public const string BimiAuthorityInvalid = "BIMI-AUTHORITY-INVALID";
        public const string BimiAuthorityMissing = "BIMI-AUTHORITY-MISSING";
        public const string BimiDmarcNotEnforced = "BIMI-DMARC-NOT-ENFORCED";
        public const string BimiDmarcPct = "BIMI-DMARC-PCT";
        public const string BimiDmarcLookupFailed = "BIMI-DMARC-LOOKUP-FAILED";

        // MTA-STS (RFC 8461)
        public const string MtaStsLookupFailed = "MTASTS-LOOKUP-FAILED";
        public const string MtaStsMultiple = "MTASTS-MULTIPLE";
        public const string MtaStsRecordMalformed = "MTASTS-RECORD-MALFORMED";
        public const string MtaStsIdInvalid = "MTASTS-ID-INVALID";
        public const string MtaStsPolicyFetchFailed = "MTASTS-POLICY-FETCH-FAILED";
        public const string MtaStsPolicyMalformed = "MTASTS-POLICY-MALFORMED";
        public const string MtaStsModeTesting = "MTASTS-MODE-TESTING";
        public const string MtaStsModeNone = "MTASTS-MODE-NONE";
        public const string MtaStsMaxAgeInvalid = "MTASTS-MAX-AGE-INVALID";
        public const string MtaStsMaxAgeShort = "MTASTS-MAX-AGE-SHORT";
        public const string MtaStsMxMismatch = "MTASTS-MX-MISMATCH";
        public const string MtaStsPolicyNoMx = "MTASTS-POLICY-NO-MX";
        public const string MtaStsNotFetched = "MTASTS-NOT-FETCHED";
    }
}
