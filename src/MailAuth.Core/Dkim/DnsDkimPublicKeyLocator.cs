using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Posture;
using MimeKit.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace MailAuth.Dkim
{
    /// <summary>
    /// MimeKit's key locator over our <see cref="IDnsResolver"/>: TXT at
    /// &lt;selector&gt;._domainkey.&lt;domain&gt; (RFC 6376 §3.6.2.1), the record read by
    /// <see cref="DkimKeyRecord"/> (the §3.6.1 rules) and its key decoded for MimeKit,
    /// results cached per name for the life of the instance (thread-safe; concurrent asks for one
    /// name share one query). A DNS failure throws <see cref="DkimKeyLookupException"/> with
    /// temperror, an absent or unusable record with permerror (§6.1.2), so DkimVerifier callers can
    /// map the exception to the RFC 8601 result.
    /// </summary>
    public sealed class DnsDkimPublicKeyLocator : DkimPublicKeyLocatorBase
    {
        private readonly IDnsResolver _resolver;
        private readonly ConcurrentDictionary<string, Lazy<Task<DkimKeyLookup>>> _cache =
            new ConcurrentDictionary<string, Lazy<Task<DkimKeyLookup>>>(StringComparer.OrdinalIgnoreCase);

        /// <param name="resolver">Where the TXT queries go.</param>
        public DnsDkimPublicKeyLocator(IDnsResolver resolver)
        {
            _resolver = resolver ?? throw new ArgumentNullException(nameof(resolver));
        }

        /// <summary>Distinct key names looked up so far (cache entries).</summary>
        public int CachedCount => _cache.Count;

        /// <summary>
        /// Looks up and checks the key record of <paramref name="domain"/> and <paramref name="selector"/>.
        /// Never throws for DNS or record problems: they come back in <see cref="DkimKeyLookup.StatusCode"/>.
        /// </summary>
        /// <exception cref="ArgumentNullException">An argument is null.</exception>
        /// <exception cref="OperationCanceledException">Cancelled.</exception>
        public Task<DkimKeyLookup> LookupAsync(string domain, string selector, CancellationToken cancellationToken = default)
        {
            if (domain is null)
            {
                throw new ArgumentNullException(nameof(domain));
            }

            if (selector is null)
            {
                throw new ArgumentNullException(nameof(selector));
            }

            cancellationToken.ThrowIfCancellationRequested();
            string d = domain.Trim().TrimEnd('.').ToLowerInvariant();
            string s = selector.Trim();
            string key = s + "._domainkey." + d;

            // The shared query is not tied to any one caller's token (the resolver's own timeout
            // bounds it); each caller stops waiting when its own token is cancelled.
            var lazy = _cache.GetOrAdd(key, _ => new Lazy<Task<DkimKeyLookup>>(() => QueryAsync(d, s, key, CancellationToken.None)));
            var task = lazy.Value;
            if (task.IsFaulted || task.IsCanceled)
            {
                ((ICollection<KeyValuePair<string, Lazy<Task<DkimKeyLookup>>>>)_cache).Remove(new KeyValuePair<string, Lazy<Task<DkimKeyLookup>>>(key, lazy));
                task = _cache.GetOrAdd(key, _ => new Lazy<Task<DkimKeyLookup>>(() => QueryAsync(d, s, key, CancellationToken.None))).Value;
            }

            return WaitAsync(task, cancellationToken);
        }

        private static async Task<DkimKeyLookup> WaitAsync(Task<DkimKeyLookup> task, CancellationToken cancellationToken)
        {
            if (task.IsCompleted || !cancellationToken.CanBeCanceled)
            {
                return await task.ConfigureAwait(false);
            }

            var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(() => cancelled.TrySetResult(true)))
            {
                if (await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false) != task)
                {
                    throw new OperationCanceledException(cancellationToken);
                }
            }

            return await task.ConfigureAwait(false);
        }

        /// <summary>The cached lookup for a name, if one was made.</summary>
        public DkimKeyLookup? TryGetCached(string domain, string selector)
        {
            string key = selector.Trim() + "._domainkey." + domain.Trim().TrimEnd('.').ToLowerInvariant();
            if (_cache.TryGetValue(key, out var lazy) && lazy.IsValueCreated && lazy.Value.Status == TaskStatus.RanToCompletion)
            {
                return lazy.Value.Result;
            }

            return null;
        }

        /// <inheritdoc />
        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default)
        {
            // MimeKit's synchronous Verify path; our resolver is async all the way down and never
            // captures a context (ConfigureAwait(false)), so blocking here cannot deadlock.
            return LocatePublicKeyAsync(methods, domain, selector, cancellationToken).GetAwaiter().GetResult();
        }

        /// <inheritdoc />
        public override async Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
        {
            if (!SupportsDnsTxt(methods))
            {
                throw new DkimKeyLookupException(new DkimKeyLookup(domain ?? "", selector ?? "", DkimKeyStatus.Invalid,
                    $"Query method q={methods} is not supported; only dns/txt is defined (RFC 6376 §3.5).", null, null, null, false, Array.Empty<string>(), null));
            }

            var lookup = await LookupAsync(domain, selector, cancellationToken).ConfigureAwait(false);
            if (lookup.Key is AsymmetricKeyParameter key)
            {
                return key;
            }

            throw new DkimKeyLookupException(lookup);
        }

        private static bool SupportsDnsTxt(string? methods)
        {
            if (string.IsNullOrWhiteSpace(methods))
            {
                return true;
            }

            foreach (var m in methods!.Split(':'))
            {
                // "dns/txt", also with FWS around it; "dns" alone was allowed by the drafts.
                var t = m.Trim();
                if (string.Equals(t, "dns/txt", StringComparison.OrdinalIgnoreCase) || string.Equals(t, "dns", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        private async Task<DkimKeyLookup> QueryAsync(string domain, string selector, string name, CancellationToken cancellationToken)
        {
            await Task.Yield();
            DnsResponse response;
            try
            {
                response = await _resolver.QueryAsync(name, DnsRecordType.TXT, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                return Fail(DkimKeyStatus.Invalid, $"{name} is not a name that can be queried: {e.Message}");
            }

            switch (response.StatusCode)
            {
                case DnsLookupStatus.Failed:
                    return Fail(DkimKeyStatus.LookupFailed, $"The TXT lookup of {name} failed ({response.Error ?? response.ResponseCode}); a later retry may succeed.");
                case DnsLookupStatus.NotFound:
                    return Fail(DkimKeyStatus.NotFound, response.IsNxDomain
                        ? $"{name} does not exist (NXDOMAIN): no key for selector {selector}."
                        : $"{name} has no TXT record: no key for selector {selector}.");
            }

            var texts = response.Texts.ToList();
            if (texts.Count == 0)
            {
                return Fail(DkimKeyStatus.NotFound, $"{name} has no TXT record: no key for selector {selector}.");
            }

            // §6.1.2: with several records the verifier may choose one; the first usable one is taken.
            DkimKeyLookup? first = null;
            foreach (var text in texts)
            {
                var parsed = Parse(domain, selector, text);
                if (parsed.IsUsable)
                {
                    return parsed;
                }

                first ??= parsed;
            }

            return first!;

            DkimKeyLookup Fail(DkimKeyStatus status, string reason) =>
                new DkimKeyLookup(domain, selector, status, reason, null, null, null, false, Array.Empty<string>(), null);
        }

        /// <summary>
        /// Reads one key record with <see cref="DkimKeyRecord"/> (all the RFC 6376 §3.6.1 and RFC 8463
        /// rules live there) and, when a verifier may use it, decodes its key for MimeKit.
        /// </summary>
        internal static DkimKeyLookup Parse(string domain, string selector, string record)
        {
            var parsed = DkimKeyRecord.Parse(record);
            if (!parsed.IsValid)
            {
                return Invalid(parsed.Error ?? "The key record is not valid (RFC 6376 §3.6.1).");
            }

            // A record valid as DNS data may still be one this verifier must ignore (§3.6.1 s=).
            if (!parsed.IsForEmail)
            {
                return Invalid($"The key is for service type s={string.Join(":", parsed.ServiceTypes)}, not email (RFC 6376 §3.6.1).");
            }

            string k = parsed.KeyTypeCode == DkimKeyType.Ed25519 ? "ed25519" : "rsa";
            if (parsed.IsRevoked)
            {
                return new DkimKeyLookup(domain, selector, DkimKeyStatus.Revoked,
                    "p= is empty: the key was revoked (RFC 6376 §3.6.1).", record, k, null, parsed.IsTesting, parsed.HashAlgorithms, null);
            }

            AsymmetricKeyParameter key;
            try
            {
                key = DecodeKey(parsed);
            }
            catch (Exception e) when (e is FormatException || e is ArgumentException || e is System.IO.IOException
                || e is InvalidCastException || e is InvalidOperationException
                || e.GetType().Namespace?.StartsWith("Org.BouncyCastle", StringComparison.Ordinal) == true)
            {
                // The DER reads, but BouncyCastle's key checks refuse it (an even modulus, say).
                return Invalid($"p= does not hold a usable {k} public key: {e.Message}");
            }

            return new DkimKeyLookup(domain, selector, DkimKeyStatus.Found,
                $"{k} key{(parsed.KeyBits is int b ? $", {b} bits" : "")}{(parsed.IsTesting ? ", t=y (testing)" : "")}.",
                record, k, parsed.KeyBits, parsed.IsTesting, parsed.HashAlgorithms, key);

            DkimKeyLookup Invalid(string reason) =>
                new DkimKeyLookup(domain, selector, DkimKeyStatus.Invalid, reason, record, null, null, false, Array.Empty<string>(), null);
        }

        /// <summary>
        /// The BouncyCastle key MimeKit verifies with. RFC 6376 §3.6.1 defines p= for k=rsa as a DER
        /// RSAPublicKey (RFC 3447 A.1.1); nearly everyone publishes a SubjectPublicKeyInfo instead,
        /// and MimeKit's own reader takes only that, so both are decoded here. Ed25519 is the raw
        /// 32-byte key (RFC 8463 §4.2), its length already checked by <see cref="DkimKeyRecord"/>.
        /// </summary>
        private static AsymmetricKeyParameter DecodeKey(DkimKeyRecord record)
        {
            byte[] data = record.KeyData!;
            if (record.KeyTypeCode == DkimKeyType.Ed25519)
            {
                return new Ed25519PublicKeyParameters(data, 0);
            }

            if (record.IsPkcs1)
            {
                var rsa = RsaPublicKeyStructure.GetInstance(Asn1Object.FromByteArray(data));
                return new RsaKeyParameters(false, rsa.Modulus, rsa.PublicExponent);
            }

            return PublicKeyFactory.CreateKey(data);
        }
    }
}
