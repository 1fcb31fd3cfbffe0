using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;

namespace MailAuth.Dkim
{
    /// <summary>
    /// Verifies the DKIM-Signature fields (through MimeKit's DkimVerifier) and the ARC chain (through
    /// MimeKit's ArcVerifier) of a message, with keys from a <see cref="DnsDkimPublicKeyLocator"/>.
    /// When only the header is available, each signature's key record and header signature (b=)
    /// are still checked, and the body hash is reported as not checked. Thread-safe.
    /// </summary>
    public sealed class DkimMessageVerifier
    {
        private readonly DnsDkimPublicKeyLocator _locator;
        private readonly DkimVerifierSettings _settings;

        public DkimMessageVerifier(DnsDkimPublicKeyLocator locator, DkimVerifierSettings? settings = null)
        {
            _locator = locator ?? throw new ArgumentNullException(nameof(locator));
            _settings = settings ?? new DkimVerifierSettings();
        }

        public DnsDkimPublicKeyLocator Locator => _locator;

        /// <summary>DKIM signatures verified per message; more are listed as not verified (docs/limits.md).</summary>
        internal const int MaxSignatures = 10;

        /// <summary>
        /// Verifies the DKIM-Signatures of <paramref name="message"/> (a MimeKit MimeMessage, passed as
        /// object so callers need no MimeKit reference), top first: the first
        /// <see cref="MaxSignatures"/>, the rest listed as not verified.
        /// </summary>
        /// <param name="message">The message.</param>
        /// <param name="bodyPresent">False when the message is a header block only: bh= is not checked.</param>
        /// <param name="now">The verification time for x= (tests pin it).</param>
        /// <param name="cancellationToken">Cancels DNS.</param>
        public async Task<IReadOnlyList<DkimSignatureVerification>> VerifySignaturesAsync(object message, bool bodyPresent,
            DateTimeOffset now, CancellationToken cancellationToken = default)
        {
            var mime = message as MimeMessage ?? throw new ArgumentException("Expected a MimeKit.MimeMessage.", nameof(message));
            var results = new List<DkimSignatureVerification>();
            int index = 0;
            foreach (var header in mime.Headers.Where(h => h.Id == HeaderId.DkimSignature).ToList())
            {
                if (index >= MaxSignatures)
                {
                    // RFC 6376 §6.1: verifiers may limit the signatures they try, against denial of
                    // service; the rest are listed as not verified (docs/limits.md).
                    var tags = ParseTags(header.Value, out _);
                    results.Add(new DkimSignatureVerification(index++, Get(tags, "d")?.TrimEnd('.').ToLowerInvariant(), Get(tags, "s"),
                        Get(tags, "a")?.ToLowerInvariant(), DkimVerifyResult.Neutral,
                        $"Not verified: only the first {MaxSignatures} DKIM signatures of a message are checked (RFC 6376 §6.1, docs/limits.md).",
                        false, null, null, null, false, null));
                    continue;
                }

                results.Add(await VerifyOneAsync(mime, header, index++, bodyPresent, now, cancellationToken).ConfigureAwait(false));
            }

            return results;
        }

        private async Task<DkimSignatureVerification> VerifyOneAsync(MimeMessage message, Header header, int index,
            bool bodyPresent, DateTimeOffset now, CancellationToken cancellationToken)
        {
            var tags = ParseTags(header.Value, out var syntaxError);
            string? d = Get(tags, "d")?.TrimEnd('.').ToLowerInvariant();
            string? s = Get(tags, "s");
            string? a = Get(tags, "a")?.ToLowerInvariant();
            DateTimeOffset? expiration = UnixTime(Get(tags, "x"));

            DkimSignatureVerification Done(DkimVerifyResult result, string reason, DkimKeyLookup? key = null,
                bool? bodyOk = null, bool? headerOk = null, bool expired = false) =>
                new DkimSignatureVerification(index, d, s, a, result, reason, bodyPresent && bodyOk.HasValue, bodyOk, headerOk,
                    expiration, expired, key);

            // RFC 6376 §6.1.1: a signature missing required tags or with bad values is PERMFAIL.
            string? problem = syntaxError ?? CheckSignatureTags(tags);
            if (problem != null)
            {
                return Done(DkimVerifyResult.PermError, "Malformed DKIM-Signature: " + problem);
            }

            DkimSignatureAlgorithm algorithm = a switch
            {
                "rsa-sha256" => DkimSignatureAlgorithm.RsaSha256,
                "rsa-sha1" => DkimSignatureAlgorithm.RsaSha1,
                _ => DkimSignatureAlgorithm.Ed25519Sha256,
            };

            var key = await _locator.LookupAsync(d!, s!, cancellationToken).ConfigureAwait(false);
            if (!key.IsUsable)
            {
                return Done(key.FailureResultCode!.Value, key.Reason, key);
            }

            string keyHash = a == "rsa-sha1" ? "sha1" : "sha256";
            bool keyIsEd = string.Equals(key.KeyType, "ed25519", StringComparison.Ordinal);
            if (keyIsEd != (algorithm == DkimSignatureAlgorithm.Ed25519Sha256))
            {
                return Done(DkimVerifyResult.PermError, $"a={a} does not match the key type k={key.KeyType} (RFC 6376 §3.6.1).", key);
            }

            if (key.HashAlgorithmList.Count > 0 && !key.HashAlgorithmList.Contains(keyHash))
            {
                return Done(DkimVerifyResult.PermError, $"The key record allows only h={key.HashAlgorithms}, the signature uses {keyHash} (RFC 6376 §3.6.1).", key);
            }

            var checker = new Checker(_locator, _settings);
            var options = FormatOptions.Default.Clone();
            options.NewLineFormat = NewLineFormat.Dos;
            var keyParameter = (AsymmetricKeyParameter)key.Key!;
            string[] signedHeaders = Get(tags, "h")!.Split(':').Select(x => x.Trim()).Where(x => x.Length > 0).ToArray();
            var canon = ParseCanonicalization(Get(tags, "c"));
            int maxLength = Get(tags, "l") is string l && int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;

            bool? headerOk;
            bool? bodyOk = null;
            bool verified;
            try
            {
                if (bodyPresent)
                {
                    // The verdict is MimeKit's DkimVerifier's (key sizes and rsa-sha1 are judged
                    // below, so it is let through here); MimeKit's two steps run on their own only
                    // to say why a signature failed.
                    var verifier = new DkimVerifier(_locator) { MinimumRsaKeyLength = Math.Min(_settings.MinimumRsaKeyBits, 512) };
                    verifier.Enable(DkimSignatureAlgorithm.RsaSha1);
                    verifier.Enable(DkimSignatureAlgorithm.Ed25519Sha256);
                    verified = await verifier.VerifyAsync(FormatOptions.Default, message, header, cancellationToken).ConfigureAwait(false);
                    if (verified)
                    {
                        bodyOk = true;
                        headerOk = true;
                    }
                    else
                    {
                        bodyOk = checker.CheckBody(options, message, algorithm, canon.Body, maxLength, Get(tags, "bh")!);
                        headerOk = checker.CheckHeader(options, message, header, algorithm, keyParameter, signedHeaders, canon.Header, Get(tags, "b")!);
                    }
                }
                else
                {
                    verified = false;
                    headerOk = checker.CheckHeader(options, message, header, algorithm, keyParameter, signedHeaders, canon.Header, Get(tags, "b")!);
                }
            }
            catch (DkimKeyLookupException e)
            {
                return Done(e.Result, e.Lookup.Reason, key);
            }
            catch (FormatException e)
            {
                return Done(DkimVerifyResult.PermError, "Malformed DKIM-Signature: " + e.Message, key);
            }

            if (!bodyPresent)
            {
                if (headerOk == false)
                {
                    return Done(DkimVerifyResult.Fail,
                        "The header signature (b=) does not verify with the published key: a signed header field changed, or the key was replaced. " +
                        "(A pasted header that lost its original folding can also cause this under c=simple; verify the .eml.)", key, null, false);
                }

                return Done(DkimVerifyResult.Neutral,
                    "Not fully verifiable: the body is missing and bh= is a hash of the body (RFC 6376 §3.7). The key record is usable and the header signature (b=) verifies.",
                    key, null, true);
            }

            if (!verified)
            {
                string why = bodyOk == false
                    ? "The body hash (bh=) does not match: the body was changed after signing (RFC 6376 §3.7), e.g. by a mailing list footer or a gateway."
                    : headerOk == false
                        ? "The header signature (b=) does not verify: a signed header field was changed after signing, or the key was replaced since."
                        : "MimeKit's DkimVerifier rejected the signature.";
                return Done(DkimVerifyResult.Fail, why, key, bodyOk, headerOk);
            }

            if (algorithm == DkimSignatureAlgorithm.RsaSha1 && !_settings.AllowRsaSha1)
            {
                return Done(DkimVerifyResult.Policy, "The signature verifies, but rsa-sha1 must not be considered valid (RFC 8301 §3.1).", key, bodyOk, headerOk);
            }

            if (key.KeyBits is int bits && !keyIsEd && bits < _settings.MinimumRsaKeyBits)
            {
                return Done(DkimVerifyResult.Policy, $"The signature verifies, but the RSA key has {bits} bits; keys under {_settings.MinimumRsaKeyBits} are not accepted (RFC 8301 §3.2).", key, bodyOk, headerOk);
            }

            if (_settings.EnforceExpiration && expiration is DateTimeOffset x && x < now)
            {
                return Done(DkimVerifyResult.Policy, $"The signature verifies, but it expired at {x:u} (x=, RFC 6376 §3.5).", key, bodyOk, headerOk, expired: true);
            }

            return Done(DkimVerifyResult.Pass, $"Verified with the {key.KeyType} key at {key.QueryName}{(key.Testing ? " (t=y: the domain is testing DKIM)" : "")}.", key, bodyOk, headerOk);
        }

        /// <summary>
        /// Validates the ARC chain with MimeKit's ArcVerifier. Without the body, the newest
        /// ARC-Message-Signature cannot be checked: the result is then null unless a seal or the
        /// structure already fails.
        /// </summary>
        public async Task<ArcChainVerification> VerifyArcAsync(object message, bool bodyPresent, CancellationToken cancellationToken = default)
        {
            var mime = message as MimeMessage ?? throw new ArgumentException("Expected a MimeKit.MimeMessage.", nameof(message));
            var verifier = new ArcVerifier(_locator) { MinimumRsaKeyLength = _settings.MinimumRsaKeyBits };
            verifier.Enable(DkimSignatureAlgorithm.Ed25519Sha256);
            if (_settings.AllowRsaSha1)
            {
                verifier.Enable(DkimSignatureAlgorithm.RsaSha1);
            }

            var result = await verifier.VerifyAsync(FormatOptions.Default, mime, cancellationToken).ConfigureAwait(false);

            // ArcVerifier swallows every exception from a seal, cancellation included.
            cancellationToken.ThrowIfCancellationRequested();

            int instances = result.Seals?.Length ?? 0;
            var seals = result.Seals?.Select(x => x?.Signature.ToString().ToLowerInvariant() ?? "missing").ToArray() ?? Array.Empty<string>();
            string? ams = result.MessageSignature?.Signature.ToString().ToLowerInvariant();
            string errors = result.ChainErrors.ToString();
            switch (result.Chain)
            {
                case ArcSignatureValidationResult.None:
                    return new ArcChainVerification("none", 0, "The message has no ARC sets.", bodyPresent, null, seals, errors);
                case ArcSignatureValidationResult.Pass:
                    return new ArcChainVerification("pass", instances,
                        $"All {instances} ARC set(s) validate: the newest ARC-Message-Signature and every ARC-Seal verify (RFC 8617 §5.2).",
                        bodyPresent, ams, seals, errors);
            }

            var keyNotes = KeyNotes(mime);
            if (!bodyPresent && result.ChainErrors == ArcValidationErrors.MessageSignatureValidationFailed)
            {
                return new ArcChainVerification(null, instances,
                    "The ARC-Seals verify, but the newest ARC-Message-Signature covers the body, which is missing: the chain cannot be validated from the header alone." + keyNotes,
                    false, null, seals, errors);
            }

            return new ArcChainVerification("fail", instances, "The ARC chain fails: " + Describe(result.ChainErrors) + keyNotes,
                bodyPresent, bodyPresent ? ams : null, seals, errors);
        }

        private string KeyNotes(MimeMessage message)
        {
            var notes = new List<string>();
            foreach (var h in message.Headers.Where(h => h.Id == HeaderId.ArcSeal || h.Id == HeaderId.ArcMessageSignature))
            {
                var tags = ParseTags(h.Value, out _);
                if (Get(tags, "d") is string d && Get(tags, "s") is string s && _locator.TryGetCached(d, s) is DkimKeyLookup k && !k.IsUsable
                    && !notes.Contains(k.Reason))
                {
                    notes.Add(k.Reason);
                }
            }

            return notes.Count == 0 ? "" : " Key problems: " + string.Join(" ", notes);
        }

        private static string Describe(ArcValidationErrors errors)
        {
            var parts = new List<string>();
            if ((errors & (ArcValidationErrors.MissingArcSeal | ArcValidationErrors.MissingArcMessageSignature | ArcValidationErrors.MissingArcAuthenticationResults)) != 0)
            {
                parts.Add("an ARC set is incomplete (RFC 8617 §5.1.1)");
            }

            if ((errors & (ArcValidationErrors.DuplicateArcSeal | ArcValidationErrors.DuplicateArcMessageSignature | ArcValidationErrors.DuplicateArcAuthenticationResults)) != 0)
            {
                parts.Add("an instance has duplicate ARC fields");
            }

            if ((errors & (ArcValidationErrors.InvalidArcSeal | ArcValidationErrors.InvalidArcMessageSignature | ArcValidationErrors.InvalidArcAuthenticationResults)) != 0)
            {
                parts.Add("an ARC field cannot be parsed");
            }

            if ((errors & (ArcValidationErrors.InvalidArcSealChainValidationValue | ArcValidationErrors.MissingArcSealChainValidationValue)) != 0)
            {
                parts.Add("a cv= value is wrong (i=1 must say none, later instances pass; RFC 8617 §5.1.2)");
            }

            if ((errors & ArcValidationErrors.MessageSignatureValidationFailed) != 0)
            {
                parts.Add("the newest ARC-Message-Signature does not verify");
            }

            if ((errors & ArcValidationErrors.SealValidationFailed) != 0)
            {
                parts.Add("an ARC-Seal does not verify");
            }

            return parts.Count == 0 ? errors.ToString() : string.Join("; ", parts) + ".";
        }

        // ---- Signature tags (RFC 6376 §3.2, §3.5) ---------------------------------------------

        internal static Dictionary<string, string> ParseTags(string value, out string? error)
        {
            error = null;
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var part in value.Split(';'))
            {
                if (part.Trim().Length == 0)
                {
                    continue;
                }

                int eq = part.IndexOf('=');
                if (eq <= 0)
                {
                    error ??= $"\"{part.Trim()}\" is not tag=value (RFC 6376 §3.2).";
                    continue;
                }

                string tag = part.Substring(0, eq).Trim();
                string v = part.Substring(eq + 1).Trim();
                if (tags.ContainsKey(tag))
                {
                    error ??= $"the tag {tag}= appears twice (RFC 6376 §3.2).";
                    continue;
                }

                // b=, bh= and p= are base64 with FWS anywhere (§3.5).
                if (tag == "b" || tag == "bh")
                {
                    v = new string(v.Where(c => !char.IsWhiteSpace(c)).ToArray());
                }

                tags[tag] = v;
            }

            return tags;
        }

        private static string? CheckSignatureTags(Dictionary<string, string> tags)
        {
            foreach (var required in new[] { "v", "a", "b", "bh", "d", "h", "s" })
            {
                if (!tags.ContainsKey(required))
                {
                    return $"the required tag {required}= is missing (RFC 6376 §3.5).";
                }
            }

            if (tags["v"] != "1")
            {
                return $"v={tags["v"]} is not 1 (RFC 6376 §3.5).";
            }

            string a = tags["a"].ToLowerInvariant();
            if (a != "rsa-sha256" && a != "rsa-sha1" && a != "ed25519-sha256")
            {
                return $"the algorithm a={tags["a"]} is not supported (rsa-sha256, ed25519-sha256; RFC 6376 §3.3, RFC 8463).";
            }

            if (!tags["h"].Split(':').Any(x => string.Equals(x.Trim(), "from", StringComparison.OrdinalIgnoreCase)))
            {
                return "h= does not include From, which must be signed (RFC 6376 §5.4).";
            }

            if (tags.TryGetValue("c", out var c) && ParseCanonicalizationOrNull(c) == null)
            {
                return $"c={c} is not a canonicalization (simple or relaxed, RFC 6376 §3.4).";
            }

            if (tags.TryGetValue("i", out var i))
            {
                int at = i.LastIndexOf('@');
                string d = tags["d"].TrimEnd('.');
                string id = at >= 0 ? i.Substring(at + 1) : "";
                if (at < 0 || !(string.Equals(id, d, StringComparison.OrdinalIgnoreCase) || id.EndsWith("." + d, StringComparison.OrdinalIgnoreCase)))
                {
                    return $"the domain of i={i} is not d={d} or a subdomain of it (RFC 6376 §3.5).";
                }
            }

            if (tags.TryGetValue("l", out var l) && !long.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                return $"l={l} is not a number (RFC 6376 §3.5).";
            }

            return null;
        }

        private static (DkimCanonicalizationAlgorithm Header, DkimCanonicalizationAlgorithm Body) ParseCanonicalization(string? c) =>
            ParseCanonicalizationOrNull(c) ?? (DkimCanonicalizationAlgorithm.Simple, DkimCanonicalizationAlgorithm.Simple);

        private static (DkimCanonicalizationAlgorithm Header, DkimCanonicalizationAlgorithm Body)? ParseCanonicalizationOrNull(string? c)
        {
            if (c == null)
            {
                return (DkimCanonicalizationAlgorithm.Simple, DkimCanonicalizationAlgorithm.Simple);
            }

            var parts = c.Split('/');
            if (parts.Length > 2 || !TryCanon(parts[0], out var header))
            {
                return null;
            }

            var body = DkimCanonicalizationAlgorithm.Simple;
            if (parts.Length == 2 && !TryCanon(parts[1], out body))
            {
                return null;
            }

            return (header, body);
        }

        private static bool TryCanon(string text, out DkimCanonicalizationAlgorithm algorithm)
        {
            switch (text.Trim().ToLowerInvariant())
            {
                case "simple":
                    algorithm = DkimCanonicalizationAlgorithm.Simple;
                    return true;
                case "relaxed":
                    algorithm = DkimCanonicalizationAlgorithm.Relaxed;
                    return true;
                default:
                    algorithm = DkimCanonicalizationAlgorithm.Simple;
                    return false;
            }
        }

        private static string? Get(Dictionary<string, string> tags, string tag) => tags.TryGetValue(tag, out var v) ? v : null;

        private static DateTimeOffset? UnixTime(string? text) =>
            text != null && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds < 253402300799L
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : (DateTimeOffset?)null;

        /// <summary>MimeKit's body-hash and header-signature steps, reachable one at a time.</summary>
        private sealed class Checker : DkimVerifierBase
        {
            public Checker(IDkimPublicKeyLocator locator, DkimVerifierSettings settings)
                : base(locator)
            {
                Enable(DkimSignatureAlgorithm.RsaSha1);
                Enable(DkimSignatureAlgorithm.Ed25519Sha256);
            }

            public bool CheckBody(FormatOptions options, MimeMessage message, DkimSignatureAlgorithm algorithm,
                DkimCanonicalizationAlgorithm canonicalization, int maxLength, string bodyHash) =>
                VerifyBodyHash(options, message, algorithm, canonicalization, maxLength, bodyHash);

            public bool CheckHeader(FormatOptions options, MimeMessage message, Header header, DkimSignatureAlgorithm algorithm,
                AsymmetricKeyParameter key, string[] headers, DkimCanonicalizationAlgorithm canonicalization, string signature)
            {
                try
                {
                    return VerifySignature(options, message, header, algorithm, key, headers, canonicalization, signature);
                }
                catch (Exception e) when (!(e is OperationCanceledException) && !(e is FormatException))
                {
                    // A signature value BouncyCastle cannot even decode does not verify.
                    return false;
                }
            }
        }
    }
}
