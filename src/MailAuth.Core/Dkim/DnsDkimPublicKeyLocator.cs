using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;

namespace MailAuth.Dkim
{
    /// <summary>
    /// MimeKit's key locator over our <see cref="IDnsResolver"/>: TXT at
    /// &lt;selector&gt;._domainkey.&lt;domain&gt; (RFC 6376 §3.6.2.1), the record checked as §3.6.1 says,
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
        /// Never throws for DNS or record problems: they come back in <see cref="DkimKeyLookup.Status"/>.
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

            switch (response.Status)
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

        /// <summary>Checks one key record's tag-list (RFC 6376 §3.6.1) and decodes its key.</summary>
        internal static DkimKeyLookup Parse(string domain, string selector, string record)
        {
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            string? firstTag = null;
            foreach (var part in record.Split(';'))
            {
                if (part.Trim().Length == 0)
                {
                    continue;
                }

                int eq = part.IndexOf('=');
                if (eq <= 0)
                {
                    return Invalid($"The key record is not a tag-list: \"{Short(part.Trim())}\" has no tag=value form (RFC 6376 §3.2).");
                }

                string tag = part.Substring(0, eq).Trim();
                string value = part.Substring(eq + 1).Trim();
                if (tag.Length == 0 || tag.Any(c => !(char.IsLetterOrDigit(c) || c == '_')))
                {
                    return Invalid($"\"{Short(tag)}\" is not a tag name (RFC 6376 §3.2).");
                }

                if (tags.ContainsKey(tag))
                {
                    return Invalid($"The tag {tag}= appears twice; duplicate tags make the record invalid (RFC 6376 §3.2).");
                }

                firstTag ??= tag;
                tags[tag] = value;
            }

            if (tags.TryGetValue("v", out var v))
            {
                if (!string.Equals(v, "DKIM1", StringComparison.Ordinal))
                {
                    return Invalid($"v={Short(v)} is not DKIM1 (RFC 6376 §3.6.1).");
                }

                if (!string.Equals(firstTag, "v", StringComparison.Ordinal))
                {
                    return Invalid("v=DKIM1 must be the first tag of the record (RFC 6376 §3.6.1).");
                }
            }

            string k = tags.TryGetValue("k", out var kv) ? kv.ToLowerInvariant() : "rsa";
            if (k != "rsa" && k != "ed25519")
            {
                return Invalid($"Unknown key type k={Short(kv!)}; rsa (RFC 6376) and ed25519 (RFC 8463) are defined.");
            }

            if (tags.TryGetValue("s", out var services))
            {
                var list = services.Split(':').Select(x => x.Trim()).ToList();
                if (!list.Contains("*") && !list.Any(x => string.Equals(x, "email", StringComparison.OrdinalIgnoreCase)))
                {
                    return Invalid($"The key is for service type s={services}, not email (RFC 6376 §3.6.1).");
                }
            }

            var hashes = tags.TryGetValue("h", out var h)
                ? h.Split(':').Select(x => x.Trim().ToLowerInvariant()).Where(x => x.Length > 0).ToArray()
                : Array.Empty<string>();
            bool testing = tags.TryGetValue("t", out var flags) && flags.Split(':').Any(f => string.Equals(f.Trim(), "y", StringComparison.OrdinalIgnoreCase));

            if (!tags.TryGetValue("p", out var p))
            {
                return Invalid("The record has no p= tag (required, RFC 6376 §3.6.1).");
            }

            // p= is base64 with FWS allowed inside (§3.6.1).
            string base64 = new string(p.Where(c => !char.IsWhiteSpace(c)).ToArray());
            if (base64.Length == 0)
            {
                return new DkimKeyLookup(domain, selector, DkimKeyStatus.Revoked,
                    "p= is empty: the key was revoked (RFC 6376 §3.6.1).", record, k, null, testing, hashes, null);
            }

            AsymmetricKeyParameter key;
            try
            {
                key = k == "rsa" && TryPkcs1(base64) is AsymmetricKeyParameter pkcs1
                    ? pkcs1
                    : GetPublicKey("k=" + k + "; p=" + base64);
            }
            catch (Exception e) when (e is FormatException || e is ArgumentException || e is System.IO.IOException
                || e is InvalidCastException || e is InvalidOperationException || e is Org.BouncyCastle.Security.SecurityUtilityException)
            {
                return Invalid($"p= does not hold a usable {k} public key: {e.Message}");
            }
            catch (Exception e) when (e.GetType().Namespace?.StartsWith("Org.BouncyCastle", StringComparison.Ordinal) == true)
            {
                return Invalid($"p= does not hold a usable {k} public key: {e.Message}");
            }

            int? bits = key switch
            {
                RsaKeyParameters rsa => rsa.Modulus.BitLength,
                Ed25519PublicKeyParameters _ => 256,
                _ => null,
            };

            if (k == "rsa" && !(key is RsaKeyParameters))
            {
                return Invalid($"k=rsa but p= holds a {key.GetType().Name}.");
            }

            return new DkimKeyLookup(domain, selector, DkimKeyStatus.Found,
                $"{k} key{(bits is int b ? $", {b} bits" : "")}{(testing ? ", t=y (testing)" : "")}.", record, k, bits, testing, hashes, key);

            DkimKeyLookup Invalid(string reason) =>
                new DkimKeyLookup(domain, selector, DkimKeyStatus.Invalid, reason, record, null, null, false, Array.Empty<string>(), null);
        }

        /// <summary>
        /// RFC 6376 §3.6.1 defines p= for k=rsa as a DER RSAPublicKey (RFC 3447 A.1.1); nearly
        /// everyone publishes a SubjectPublicKeyInfo instead, which is all MimeKit reads. Both are taken.
        /// </summary>
        private static AsymmetricKeyParameter? TryPkcs1(string base64)
        {
            try
            {
                var asn1 = Org.BouncyCastle.Asn1.Asn1Object.FromByteArray(Convert.FromBase64String(base64));
                if (asn1 is Org.BouncyCastle.Asn1.Asn1Sequence seq && seq.Count == 2
                    && seq[0] is Org.BouncyCastle.Asn1.DerInteger && seq[1] is Org.BouncyCastle.Asn1.DerInteger)
                {
                    var rsa = Org.BouncyCastle.Asn1.X509.RsaPublicKeyStructure.GetInstance(seq);
                    return new RsaKeyParameters(false, rsa.Modulus, rsa.PublicExponent);
                }
            }
            catch (Exception)
            {
                // Not PKCS#1: MimeKit's SubjectPublicKeyInfo reader decides.
            }

            return null;
        }

        private static string Short(string text) => text.Length <= 40 ? text : text.Substring(0, 40) + "...";
    }
}
