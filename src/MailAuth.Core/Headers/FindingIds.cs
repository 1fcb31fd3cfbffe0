namespace MailAuth.Headers
{
    /// <summary>Stable ids of header-forensics findings (docs/headers.md lists them with their rules).</summary>
    public static class HeaderFindingIds
    {
        public const string SpfPassUnaligned = "HDR-SPF-UNALIGNED";
        public const string IpListed = "HDR-IP-LISTED";
        public const string DomainListed = "HDR-DOMAIN-LISTED";
        public const string ReplyToDiffers = "HDR-REPLYTO-DIFFERS";
        public const string DisplayNameAddress = "HDR-DISPLAYNAME-ADDRESS";
        public const string DmarcFail = "HDR-DMARC-FAIL";
        public const string DmarcNone = "HDR-DMARC-NONE";
        public const string DmarcNotRecorded = "HDR-DMARC-NOT-RECORDED";
        public const string DkimNone = "HDR-DKIM-NONE";
        public const string DkimFail = "HDR-DKIM-FAIL";
        public const string DkimUnaligned = "HDR-DKIM-UNALIGNED";
        public const string DkimBodyLength = "HDR-DKIM-BODY-LENGTH";
        public const string CompAuthFail = "HDR-COMPAUTH-FAIL";
        public const string EdgePrivateIp = "HDR-EDGE-PRIVATE-IP";
        public const string HopClockSkew = "HDR-HOP-CLOCK-SKEW";
        public const string HopDelay = "HDR-HOP-DELAY";
        public const string HopDateUnreadable = "HDR-HOP-DATE-UNREADABLE";
        public const string HopsCapped = "HDR-HOPS-CAPPED";
        public const string FutureDate = "HDR-FUTURE-DATE";
        public const string DateUnreadable = "HDR-DATE-UNREADABLE";
        public const string MultipleFrom = "HDR-MULTIPLE-FROM";
        public const string NoFrom = "HDR-NO-FROM";
        public const string NoTrustedResults = "HDR-NO-TRUSTED-AUTHRES";
        public const string ResultsBeforeEdge = "HDR-AUTHRES-BEFORE-EDGE";
        public const string ResultsWithoutAuthServId = "HDR-AUTHRES-NO-AUTHSERVID";
        public const string ArcMicrosoftSeal = "HDR-ARC-MICROSOFT-SEAL";
        public const string GatewaySpf = "HDR-GATEWAY-SPF";
        public const string ArcIncomplete = "HDR-ARC-INCOMPLETE";
        public const string ArcChainFail = "HDR-ARC-CV-FAIL";
        public const string InputTruncated = "HDR-INPUT-TRUNCATED";
        public const string LimitReached = "HDR-LIMIT-REACHED";
        public const string NoHeaderFields = "HDR-NO-HEADER-FIELDS";

        // -Verify (MailHeaderVerifier): recorded then versus recomputed now.
        public const string VerifySpfDiffers = "HDR-VERIFY-SPF-DIFFERS";
        public const string VerifyDkimDiffers = "HDR-VERIFY-DKIM-DIFFERS";
        public const string VerifyArcDiffers = "HDR-VERIFY-ARC-DIFFERS";
        public const string VerifyDmarcDiffers = "HDR-VERIFY-DMARC-DIFFERS";
        public const string VerifySpfSkipped = "HDR-VERIFY-SPF-SKIPPED";
        public const string VerifyBodyMissing = "HDR-VERIFY-BODY-MISSING";
        public const string VerifyDkimKey = "HDR-VERIFY-DKIM-KEY";
        public const string VerifyDmarcIncomplete = "HDR-VERIFY-DMARC-INCOMPLETE";
    }
}
