namespace MailAuth.Dns
{
    /// <summary>The record types the toolkit asks for (RFC 1035 numbers).</summary>
    public enum DnsRecordType
    {
        A = 1,
        NS = 2,
        CNAME = 5,
        SOA = 6,
        PTR = 12,
        MX = 15,
        TXT = 16,
        AAAA = 28,
        /// <summary>Type 99: obsolete, never consulted for SPF evaluation (RFC 7208 §3.1); lint only.</summary>
        SPF = 99,
    }

    /// <summary>
    /// The three states of every lookup. A failed lookup is never reported as "does not exist".
    /// </summary>
    public enum DnsLookupStatus
    {
        /// <summary>The name exists and has records of the asked type.</summary>
        Found,
        /// <summary>NXDOMAIN, or the name exists with no records of the asked type (NODATA).</summary>
        NotFound,
        /// <summary>Timeout, SERVFAIL, REFUSED, a malformed answer or a network error.</summary>
        Failed,
    }
}
