using System;
using System.Collections.Generic;

namespace MailAuth.Dkim
{
    /// <summary>One DKIM-Signature verified now: its d=, s=, the RFC 8601 result and why.</summary>
    public sealed class DkimSignatureVerification
    {
        internal DkimSignatureVerification(int signatureIndex, string? domain, string? selector, string? algorithm,
            DkimVerifyResult result, string reason, bool bodyChecked, bool? bodyHashMatches, bool? headerSignatureMatches,
            DateTimeOffset? expiration, bool expired, DkimKeyLookup? key)
        {
            SignatureIndex = signatureIndex;
            Domain = domain;
            Selector = selector;
            Algorithm = algorithm;
            ResultCode = result;
            Reason = reason;
            BodyChecked = bodyChecked;
            BodyHashMatches = bodyHashMatches;
            HeaderSignatureMatches = headerSignatureMatches;
            Expiration = expiration;
            Expired = expired;
            Key = key;
        }

        /// <summary>0 for the topmost DKIM-Signature field, counting down the header.</summary>
        public int SignatureIndex { get; }

        /// <summary>d=, lower case.</summary>
        public string? Domain { get; }

        /// <summary>s=.</summary>
        public string? Selector { get; }

        /// <summary>a=.</summary>
        public string? Algorithm { get; }

        public string Result => ResultCode.ToString();

        internal DkimVerifyResult ResultCode { get; }

        /// <summary>The result as the RFC 8601 keyword (pass, fail, neutral, policy, temperror, permerror).</summary>
        public string ResultKeyword => Result.ToString().ToLowerInvariant();

        public string Reason { get; }

        /// <summary>False when only the header was available: bh= could not be checked.</summary>
        public bool BodyChecked { get; }

        /// <summary>Whether the body hash (bh=) matched; null when not checked.</summary>
        public bool? BodyHashMatches { get; }

        /// <summary>Whether the header signature (b=) verified with the key; null when not checked.</summary>
        public bool? HeaderSignatureMatches { get; }

        /// <summary>x=, when given.</summary>
        public DateTimeOffset? Expiration { get; }

        /// <summary>x= lies before the verification time.</summary>
        public bool Expired { get; }

        /// <summary>The key record lookup (null when the signature was too malformed to name one).</summary>
        public DkimKeyLookup? Key { get; }

        public override string ToString() => $"dkim={ResultKeyword} d={Domain} s={Selector}: {Reason}";
    }

    /// <summary>The ARC chain validated now (RFC 8617 §5.2) through MimeKit's ArcVerifier.</summary>
    public sealed class ArcChainVerification
    {
        internal ArcChainVerification(string? result, int instances, string reason, bool bodyChecked,
            string? messageSignatureResult, IReadOnlyList<string> sealResults, string errors)
        {
            Result = result;
            Instances = instances;
            Reason = reason;
            BodyChecked = bodyChecked;
            MessageSignatureResult = messageSignatureResult;
            SealResults = ResultList.From(sealResults);
            Errors = errors;
        }

        /// <summary>none, pass or fail (RFC 8617 §4.4); null when it could not be decided (the body is missing).</summary>
        public string? Result { get; }

        /// <summary>The highest instance (i=) found.</summary>
        public int Instances { get; }

        public string Reason { get; }

        public bool BodyChecked { get; }

        /// <summary>The newest ARC-Message-Signature: pass, fail, or null when not checked.</summary>
        public string? MessageSignatureResult { get; }

        /// <summary>Each ARC-Seal's result, i=1 first.</summary>
        public ResultList<string> SealResults { get; }

        /// <summary>MimeKit's chain error flags as text ("None" when there were none).</summary>
        public string Errors { get; }

        public override string ToString() => $"arc={Result ?? "unverified"}: {Reason}";
    }

    /// <summary>Settings of <see cref="DkimMessageVerifier"/>.</summary>
    public sealed class DkimVerifierSettings
    {
        /// <summary>RSA keys shorter than this give "policy" (RFC 8301 §3.2: below 1024 bits is not valid). Default 1024.</summary>
        public int MinimumRsaKeyBits { get; set; } = 1024;

        /// <summary>Accept rsa-sha1 signatures (RFC 8301 §3.1 says verifiers must not). Default false.</summary>
        public bool AllowRsaSha1 { get; set; }

        /// <summary>Treat signatures whose x= has passed as "policy" (RFC 6376 §3.5). Default true.</summary>
        public bool EnforceExpiration { get; set; } = true;
    }
}
