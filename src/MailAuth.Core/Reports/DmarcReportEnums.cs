namespace MailAuth.Reports
{
    /// <summary>Which schema a report follows.</summary>
    public enum DmarcReportSchema
    {
        /// <summary>RFC 7489 appendix C: no namespace (or dmarc.org's 0.1), as most receivers still send.</summary>
        Rfc7489,
        /// <summary>RFC 9990 appendix A: the urn:ietf:params:xml:ns:dmarc-2.0 namespace.</summary>
        Rfc9990,
    }

    /// <summary>policy_evaluated/disposition: RFC 9990's ActionDispositionType (RFC 7489's DispositionType plus "pass").</summary>
    public enum DmarcReportDisposition
    {
        None,
        /// <summary>RFC 9990: no action, the mail passed DMARC under an enforcing policy.</summary>
        Pass,
        Quarantine,
        Reject,
    }

    /// <summary>auth_results/dkim/result: RFC 8601 §2.7.1 (RFC 9990 §3.1.1.12).</summary>
    public enum DmarcDkimAuthResultCode
    {
        None,
        Pass,
        Fail,
        Policy,
        Neutral,
        TempError,
        PermError,
        /// <summary>A word outside RFC 8601 §2.7.1; the text is kept as written.</summary>
        Unrecognized,
    }

    /// <summary>auth_results/spf/result: RFC 8601 §2.7.2 (RFC 9990 §3.1.1.13).</summary>
    public enum DmarcSpfAuthResultCode
    {
        None,
        Pass,
        Fail,
        SoftFail,
        Policy,
        Neutral,
        TempError,
        PermError,
        /// <summary>A word outside RFC 8601 §2.7.2; the text is kept as written.</summary>
        Unrecognized,
    }

    /// <summary>policy_evaluated/reason/type: RFC 9990 §3.1.6, with RFC 7489's forwarded and sampled_out.</summary>
    public enum DmarcPolicyOverrideType
    {
        Forwarded,
        SampledOut,
        TrustedForwarder,
        MailingList,
        LocalPolicy,
        PolicyTestMode,
        Other,
        /// <summary>A word outside both schemas (or empty); the text is kept as written.</summary>
        Unrecognized,
    }
}
