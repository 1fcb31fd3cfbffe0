namespace MailAuth.Spf
{
    /// <summary>The qualifier of a mechanism (RFC 7208 §4.6.2): the result it gives when it matches.</summary>
    public enum SpfQualifier
    {
        /// <summary>'+' (also the default when no qualifier is written).</summary>
        Pass,
        /// <summary>'-'.</summary>
        Fail,
        /// <summary>'~'.</summary>
        SoftFail,
        /// <summary>'?'.</summary>
        Neutral,
    }

    /// <summary>Whether a term is a mechanism or a modifier (RFC 7208 §4.6.1).</summary>
    public enum SpfTermKind
    {
        Mechanism,
        Modifier,
    }

    /// <summary>The results of check_host() (RFC 7208 §2.6 and §8).</summary>
    public enum SpfResultCode
    {
        /// <summary>No SPF record, or no syntactically valid domain to check (§8.1).</summary>
        None,
        /// <summary>The domain owner states nothing about the client (§8.2).</summary>
        Neutral,
        /// <summary>The client is authorized (§8.3).</summary>
        Pass,
        /// <summary>The client is explicitly not authorized (§8.4).</summary>
        Fail,
        /// <summary>The client is probably not authorized (§8.5).</summary>
        SoftFail,
        /// <summary>A transient DNS error; a later retry may succeed (§8.6).</summary>
        TempError,
        /// <summary>The published records cannot be interpreted; needs the owner's fix (§8.7).</summary>
        PermError,
    }

    /// <summary>Which identity was checked (RFC 7208 §2.3, §2.4).</summary>
    public enum SpfIdentity
    {
        /// <summary>The domain of RFC5321.MailFrom (or postmaster@HELO when MAIL FROM is empty).</summary>
        MailFrom,
        /// <summary>The HELO/EHLO domain on its own.</summary>
        Helo,
    }

    /// <summary>What a <see cref="SpfRecordReport"/> found for a domain.</summary>
    public enum SpfRecordStatus
    {
        /// <summary>Exactly one SPF record, syntactically valid.</summary>
        Found,
        /// <summary>No SPF record (NXDOMAIN, no TXT, or no TXT beginning with v=spf1).</summary>
        NotFound,
        /// <summary>The TXT lookup failed (timeout, SERVFAIL...): nothing can be said.</summary>
        LookupFailed,
        /// <summary>Several SPF records, or a record with a syntax error (check_host() gives PermError).</summary>
        Invalid,
        /// <summary>The input is no domain name (docs/domain-names.md; RFC 7208 §4.3 gives None): nothing was asked.</summary>
        InvalidInput,
    }
}
