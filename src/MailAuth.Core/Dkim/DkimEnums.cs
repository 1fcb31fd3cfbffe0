namespace MailAuth.Dkim
{
    /// <summary>DKIM verification results in the words of RFC 8601 §2.7.1.</summary>
    public enum DkimVerifyResult
    {
        /// <summary>The message was not signed.</summary>
        None,
        /// <summary>The signature verified.</summary>
        Pass,
        /// <summary>The signature did not verify: body hash or header signature mismatch.</summary>
        Fail,
        /// <summary>The signature could not be processed (here: the body needed for bh= is missing).</summary>
        Neutral,
        /// <summary>The signature verified or could have, but is not acceptable (expired, rsa-sha1, short key).</summary>
        Policy,
        /// <summary>The key could not be retrieved for a reason that may go away (DNS failure).</summary>
        TempError,
        /// <summary>An unrecoverable error: no key record, unusable key record, malformed signature.</summary>
        PermError,
    }

    /// <summary>What a selector's key record lookup found (RFC 6376 §3.6).</summary>
    public enum DkimKeyStatus
    {
        /// <summary>A usable key record.</summary>
        Found,
        /// <summary>NXDOMAIN, or no TXT record at the name.</summary>
        NotFound,
        /// <summary>The key record exists with an empty p=: the key was revoked (§3.6.1).</summary>
        Revoked,
        /// <summary>A TXT record that is not a usable DKIM key (bad syntax, unknown k=, not for email, several records).</summary>
        Invalid,
        /// <summary>The DNS query failed (timeout, SERVFAIL, ...).</summary>
        LookupFailed,
    }
}
