using System;
using System.Collections.Generic;

namespace MailAuth.Dkim
{
    /// <summary>
    /// The outcome of one key record lookup at &lt;selector&gt;._domainkey.&lt;domain&gt; (RFC 6376 §3.6.2),
    /// with the record's tags checked as §3.6.1 and §6.1.2 require.
    /// </summary>
    public sealed class DkimKeyLookup
    {
        internal DkimKeyLookup(string domain, string selector, DkimKeyStatus status, string reason, string? record,
            string? keyType, int? keyBits, bool testing, IReadOnlyList<string> hashAlgorithms, object? key)
        {
            Domain = domain;
            Selector = selector;
            StatusCode = status;
            Reason = reason;
            Record = record;
            KeyType = keyType;
            KeyBits = keyBits;
            Testing = testing;
            HashAlgorithmList = hashAlgorithms;
            Key = key;
        }

        public string Domain { get; }

        public string Selector { get; }

        /// <summary>The name queried.</summary>
        public string QueryName => Selector + "._domainkey." + Domain;

        public string Status => StatusCode.ToString();

        internal DkimKeyStatus StatusCode { get; }

        /// <summary>True when the record holds a key that can verify mail.</summary>
        public bool IsUsable => StatusCode == DkimKeyStatus.Found;

        /// <summary>The DKIM result a failed lookup gives: temperror for DNS failure, permerror otherwise (RFC 6376 §6.1.2).</summary>
        public string? FailureResult => FailureResultCode?.ToString();

        internal DkimVerifyResult? FailureResultCode => StatusCode switch
        {
            DkimKeyStatus.Found => null,
            DkimKeyStatus.LookupFailed => DkimVerifyResult.TempError,
            _ => DkimVerifyResult.PermError,
        };

        /// <summary>Why, in plain language.</summary>
        public string Reason { get; }

        /// <summary>The TXT record text (strings of the one record joined).</summary>
        public string? Record { get; }

        /// <summary>k= (rsa when absent), lower case.</summary>
        public string? KeyType { get; }

        /// <summary>RSA modulus length; 256 for Ed25519.</summary>
        public int? KeyBits { get; }

        /// <summary>t=y: the domain is testing DKIM (§3.6.1); verifiers must not treat messages differently.</summary>
        public bool Testing { get; }

        /// <summary>h= (acceptable hash algorithms) joined with ':', as DkimSelectorResult has it; empty means all.</summary>
        public string HashAlgorithms => string.Join(":", HashAlgorithmList);

        internal IReadOnlyList<string> HashAlgorithmList { get; }

        /// <summary>The BouncyCastle key (AsymmetricKeyParameter), kept as object so callers need no BouncyCastle reference.</summary>
        internal object? Key { get; }

        public override string ToString() => $"{QueryName}: {Status} ({Reason})";
    }

    /// <summary>Thrown by <see cref="DnsDkimPublicKeyLocator"/> to MimeKit when no usable key exists.</summary>
    public sealed class DkimKeyLookupException : Exception
    {
        internal DkimKeyLookupException(DkimKeyLookup lookup)
            : base($"No usable DKIM key at {lookup.QueryName}: {lookup.Reason}")
        {
            Lookup = lookup;
        }

        public DkimKeyLookup Lookup { get; }

        /// <summary>temperror or permerror.</summary>
        public DkimVerifyResult Result => Lookup.FailureResultCode ?? DkimVerifyResult.PermError;
    }
}
