using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MailAuth.Headers
{
    /// <summary>The tags of one DKIM-Signature header field (RFC 6376 §3.5). Not verified.</summary>
    public sealed class DkimSignatureInfo
    {
        internal DkimSignatureInfo(int headerIndex, IReadOnlyDictionary<string, string> tags, string raw)
        {
            HeaderIndex = headerIndex;
            Tags = ResultDictionary.From(tags);
            Raw = raw;
            SignedHeaders = Get("h") is string h
                ? h.Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries).Select(x => x.Trim()).ToResultList()
                : ResultList<string>.Empty;
            Timestamp = UnixTime(Get("t"));
            Expiration = UnixTime(Get("x"));
            if (Get("l") is string l && long.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                BodyLength = n;
            }
        }

        public int HeaderIndex { get; }

        public string? Version => Get("v");

        /// <summary>a=, e.g. rsa-sha256, ed25519-sha256.</summary>
        public string? Algorithm => Get("a");

        /// <summary>d=, the signing domain.</summary>
        public string? Domain => Get("d")?.Trim().TrimEnd('.').ToLowerInvariant();

        /// <summary>s=, the selector.</summary>
        public string? Selector => Get("s");

        /// <summary>c=, header/body canonicalization (simple/simple when absent, RFC 6376 §3.5).</summary>
        public string Canonicalization => Get("c") ?? "simple/simple";

        public ResultList<string> SignedHeaders { get; }

        /// <summary>bh=, the body hash.</summary>
        public string? BodyHash => Get("bh");

        /// <summary>i=, the agent or user identifier.</summary>
        public string? Identity => Get("i");

        /// <summary>t=, signing time.</summary>
        public DateTimeOffset? Timestamp { get; }

        /// <summary>x=, signature expiration.</summary>
        public DateTimeOffset? Expiration { get; }

        /// <summary>l=, body length limit; its presence lets content be appended (RFC 6376 §8.2).</summary>
        public long? BodyLength { get; }

        /// <summary>Whether d= aligns (relaxed, RFC 7489 §3.1.1) with the From domain; null without a From domain.</summary>
        public bool? AlignedWithFrom { get; internal set; }

        public ResultDictionary Tags { get; }

        public string Raw { get; }

        private string? Get(string tag) => Tags.TryGetValue(tag, out var v) ? v : null;

        internal static DateTimeOffset? UnixTime(string? text)
        {
            if (text != null && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                && seconds < 253402300799L)
            {
                return DateTimeOffset.FromUnixTimeSeconds(seconds);
            }

            return null;
        }

        public override string ToString() => $"d={Domain} s={Selector} a={Algorithm}";
    }

    /// <summary>One ARC set (RFC 8617 §4.1): the three header fields sharing an instance number.</summary>
    public sealed class ArcSet
    {
        internal ArcSet(int instance, IReadOnlyDictionary<string, string>? seal,
            IReadOnlyDictionary<string, string>? messageSignature, AuthenticationResultsHeader? authenticationResults)
        {
            Instance = instance;
            Seal = seal is null ? null : ResultDictionary.From(seal);
            MessageSignature = messageSignature is null ? null : ResultDictionary.From(messageSignature);
            AuthenticationResultsHeader = authenticationResults;
        }

        /// <summary>i=, 1 for the first intermediary.</summary>
        public int Instance { get; }

        /// <summary>cv= of the ARC-Seal: none, pass or fail (RFC 8617 §4.1.3).</summary>
        public string? ChainValidation => Seal != null && Seal.TryGetValue("cv", out var cv) ? cv.ToLowerInvariant() : null;

        /// <summary>d= of the ARC-Seal: who sealed this instance.</summary>
        public string? SealDomain => Seal != null && Seal.TryGetValue("d", out var d) ? d.ToLowerInvariant() : null;

        /// <summary>d= of the ARC-Message-Signature.</summary>
        public string? SignatureDomain =>
            MessageSignature != null && MessageSignature.TryGetValue("d", out var d) ? d.ToLowerInvariant() : null;

        /// <summary>The authserv-id of the ARC-Authentication-Results.</summary>
        public string? AuthServId => AuthenticationResultsHeader?.AuthServId;

        /// <summary>True when all three fields are there (RFC 8617 §5.1.1 needs complete sets).</summary>
        public bool IsComplete => Seal != null && MessageSignature != null && AuthenticationResultsHeader != null;

        public ResultDictionary? Seal { get; }

        public ResultDictionary? MessageSignature { get; }

        /// <summary>
        /// The ARC-Authentication-Results of this instance as text ("authserv-id; spf=pass; dkim=pass");
        /// the parsed header is in the report's AuthenticationResults (its ArcInstance is this Instance).
        /// </summary>
        public string? AuthenticationResults => AuthenticationResultsHeader?.ToString();

        internal AuthenticationResultsHeader? AuthenticationResultsHeader { get; }

        public override string ToString() => $"i={Instance} cv={ChainValidation} d={SealDomain}";
    }
}
