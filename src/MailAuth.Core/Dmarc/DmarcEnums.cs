namespace MailAuth.Dmarc
{
    /// <summary>How the policy record and the Organizational Domain are found.</summary>
    public enum DmarcDiscoveryMethod
    {
        /// <summary>RFC 9989 §4.10 DNS Tree Walk (DMARCbis): at most eight queries, psd= tags honoured.</summary>
        TreeWalk,
        /// <summary>RFC 7489 §6.6.3 with the §3.2 Organizational Domain from the Public Suffix List.</summary>
        PublicSuffixList,
    }

    /// <summary>The states of a policy lookup, and of an input that is no domain. A DNS failure is never reported as not found.</summary>
    public enum DmarcStatus
    {
        /// <summary>A DMARC policy record applies to the domain.</summary>
        Found,
        /// <summary>No DMARC policy record applies (including "several records at a name, all discarded").</summary>
        NotFound,
        /// <summary>A query needed for the answer failed (timeout, SERVFAIL, ...); see ErrorMessage.</summary>
        LookupFailed,
        /// <summary>The input is no domain (docs/domain-names.md): nothing was asked; ErrorMessage names the rule.</summary>
        InvalidInput,
    }

    /// <summary>The requested handling of failing mail: the values of p, sp and np (RFC 7489 §6.3, RFC 9989 §4.7).</summary>
    public enum DmarcPolicyAction
    {
        None,
        Quarantine,
        Reject,
    }

    /// <summary>Identifier alignment mode of adkim / aspf (RFC 7489 §3.1).</summary>
    public enum DmarcAlignmentMode
    {
        /// <summary>"r": the same Organizational Domain is enough.</summary>
        Relaxed,
        /// <summary>"s": the domains must be identical.</summary>
        Strict,
    }

    /// <summary>The psd tag (RFC 9989 §4.7): u (default), y or n.</summary>
    public enum DmarcPsd
    {
        /// <summary>"u" or absent: may or may not be an Organizational Domain.</summary>
        Unspecified,
        /// <summary>"y": published by a Public Suffix Operator for a Public Suffix Domain.</summary>
        Yes,
        /// <summary>"n": this domain is an Organizational Domain.</summary>
        No,
    }

    /// <summary>DMARC evaluation results (RFC 8601 §2.7.1 dmarc method).</summary>
    public enum DmarcResult
    {
        /// <summary>No policy record applies.</summary>
        None,
        /// <summary>At least one authenticated identifier passed and is aligned.</summary>
        Pass,
        /// <summary>No aligned identifier passed.</summary>
        Fail,
        /// <summary>A temporary error (DNS failure) prevented a conclusion.</summary>
        TempError,
        /// <summary>The record found is a DMARC record but unusable (no valid p and no valid rua).</summary>
        PermError,
    }

    /// <summary>Which identifier produced the aligned pass.</summary>
    public enum DmarcAlignedIdentifier
    {
        None,
        Spf,
        Dkim,
        Both,
    }

    /// <summary>Which tag of the record supplies the policy for the domain.</summary>
    public enum DmarcPolicySource
    {
        /// <summary>No policy applies.</summary>
        None,
        /// <summary>p: the record is the domain's own (or sp/np are absent).</summary>
        P,
        /// <summary>sp: the record is inherited and the domain exists.</summary>
        Sp,
        /// <summary>np: the record is inherited and the domain does not exist.</summary>
        Np,
    }
}
