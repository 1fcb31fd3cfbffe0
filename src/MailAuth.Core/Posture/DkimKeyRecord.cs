using System;
using System.Collections.Generic;
using System.Linq;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Security;
using MailAuth.Findings;

namespace MailAuth.Posture
{
    /// <summary>The key types of RFC 6376 §3.6.1 k= (rsa) and RFC 8463 (ed25519).</summary>
    public enum DkimKeyType
    {
        /// <summary>k= names a type we do not know; verifiers ignore such a record.</summary>
        Unknown,
        Rsa,
        Ed25519,
    }

    /// <summary>
    /// A parsed DKIM key record (RFC 6376 §3.6.1): tags v, h, k, n, p, s, t, the key's type and
    /// size, and findings. Parsing needs no network. Immutable. The one reading of key records:
    /// Get-DkimRecord and the domain report show it, and the verifier's key locator
    /// (<see cref="MailAuth.Dkim.DnsDkimPublicKeyLocator"/>) decides on it.
    /// </summary>
    public sealed class DkimKeyRecord
    {
        /// <summary>RFC 8301 §3.2: verifiers must not accept RSA keys under 1024 bits.</summary>
        public const int MinimumRsaBits = 1024;

        /// <summary>RFC 8301 §3.2: signers should use at least 2048 bits.</summary>
        public const int RecommendedRsaBits = 2048;

        private DkimKeyRecord(string text)
        {
            Text = text;
        }

        /// <summary>The record as published (TXT strings joined).</summary>
        public string Text { get; }

        /// <summary>False when a verifier must ignore the record (syntax, version, key type, key data).</summary>
        public bool IsValid { get; private set; }

        /// <summary>The first reason the record is not valid.</summary>
        public string? Error { get; private set; }

        public ResultList<PostureTag> Tags { get; private set; } = ResultList<PostureTag>.Empty;

        /// <summary>v=, when present.</summary>
        public string? Version { get; private set; }

        public string KeyType => KeyTypeCode.ToString();

        internal DkimKeyType KeyTypeCode { get; private set; } = DkimKeyType.Rsa;

        /// <summary>k= as written (default "rsa").</summary>
        public string KeyTypeText { get; private set; } = "rsa";

        /// <summary>RSA modulus bits, 256 for Ed25519, null when the key could not be read or is revoked.</summary>
        public int? KeyBits { get; private set; }

        /// <summary>p= with white space removed; empty for a revoked key.</summary>
        public string? PublicKey { get; private set; }

        /// <summary>p= is present and empty: the key was revoked (RFC 6376 §3.6.1).</summary>
        public bool IsRevoked { get; private set; }

        /// <summary>h=: the hash algorithms allowed; empty means all.</summary>
        public ResultList<string> HashAlgorithms { get; private set; } = ResultList<string>.Empty;

        /// <summary>s=: service types (default "*").</summary>
        public ResultList<string> ServiceTypes { get; private set; } = ResultList.From(new[] { "*" });

        /// <summary>
        /// s= lists "email" or "*" (or is absent): the key may verify mail. RFC 6376 §3.6.1: verifiers
        /// for a service must ignore a record that does not list it.
        /// </summary>
        public bool IsForEmail { get; private set; } = true;

        /// <summary>t=y: the domain is testing DKIM.</summary>
        public bool IsTesting { get; private set; }

        /// <summary>t=s: the i= domain must equal d= (no subdomains).</summary>
        public bool IsStrict { get; private set; }

        /// <summary>t= flags as written.</summary>
        public ResultList<string> Flags { get; private set; } = ResultList<string>.Empty;

        /// <summary>n=: notes for humans.</summary>
        public string? Notes { get; private set; }

        public ResultList<Finding> Findings { get; private set; } = ResultList<Finding>.Empty;

        /// <summary>p= decoded, when the record is valid and not revoked: a DER key for rsa, 32 bytes for ed25519.</summary>
        internal byte[]? KeyData { get; private set; }

        /// <summary>The rsa key is a bare RSAPublicKey (PKCS#1), not a SubjectPublicKeyInfo.</summary>
        internal bool IsPkcs1 { get; private set; }

        public override string ToString() => Text;

        /// <summary>
        /// Parses a key record. Never throws for bad record text: problems become findings and
        /// <see cref="IsValid"/> false. <paramref name="subject"/> names the record in findings.
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
        public static DkimKeyRecord Parse(string text, string? subject = null)
        {
            if (text is null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            var record = new DkimKeyRecord(text);
            var findings = new List<Finding>();
            record.Parse(findings, subject);
            record.Findings = FindingResults.From(findings);
            return record;
        }

        private void Parse(List<Finding> findings, string? subject)
        {
            if (!TagList.TryParse(Text, caseInsensitiveNames: false, out List<PostureTag> tags, out string? syntaxError))
            {
                Invalid(findings, FindingCatalog.Dkim.Malformed, $"The key record is not a valid tag list (RFC 6376 §3.2): {syntaxError}.", subject);
                return;
            }

            Tags = ResultList.From(tags);

            // RFC 6376 §3.6.1 v=: optional, but when present it must be first and exactly "DKIM1";
            // records with any other value must be discarded.
            string? version = Get(tags, "v");
            Version = version;
            if (version != null)
            {
                if (!string.Equals(version, "DKIM1", StringComparison.Ordinal))
                {
                    Invalid(findings, FindingCatalog.Dkim.VersionInvalid, $"v={TagList.Shorten(version)}: the version must be exactly DKIM1 (RFC 6376 §3.6.1); verifiers discard this record.", subject);
                    return;
                }

                if (!string.Equals(tags[0].Name, "v", StringComparison.Ordinal))
                {
                    Invalid(findings, FindingCatalog.Dkim.VersionInvalid, "v=DKIM1 is not the first tag; RFC 6376 §3.6.1 requires it first.", subject);
                    return;
                }
            }

            // h=: colon-separated; unknown algorithms are ignored (RFC 6376 §3.6.1).
            string? hashes = Get(tags, "h");
            if (hashes != null)
            {
                HashAlgorithms = ResultList.From(PostureHelpers.SplitList(hashes, ':'));
                bool sha256 = HashAlgorithms.Contains("sha256", StringComparer.Ordinal);
                bool sha1 = HashAlgorithms.Contains("sha1", StringComparer.Ordinal);
                if (!sha256 && !sha1)
                {
                    findings.Add(new Finding(FindingCatalog.Dkim.HashUnknown,
                        $"h={hashes} names no hash algorithm verifiers know (sha256, sha1): no signature with this key can verify.", subject));
                }
                else if (!sha256)
                {
                    findings.Add(new Finding(FindingCatalog.Dkim.HashSha1Only,
                        "h= allows only sha1; RFC 8301 §3.1 forbids signing with rsa-sha1 and verifiers reject it. Allow sha256.", subject));
                }
            }

            // k=: default rsa; an unrecognised type makes verifiers ignore the record. Like h=, s= and
            // t=, compared as written: RFC 6376 §3.2 makes values case-sensitive unless a tag's
            // description says otherwise, and none of these does ("RSA" is not "rsa").
            string? keyType = Get(tags, "k");
            if (keyType != null)
            {
                KeyTypeText = keyType;
                if (string.Equals(keyType, "rsa", StringComparison.Ordinal))
                {
                    KeyTypeCode = DkimKeyType.Rsa;
                }
                else if (string.Equals(keyType, "ed25519", StringComparison.Ordinal))
                {
                    KeyTypeCode = DkimKeyType.Ed25519;
                }
                else
                {
                    KeyTypeCode = DkimKeyType.Unknown;
                }
            }

            Notes = Get(tags, "n");

            string? services = Get(tags, "s");
            if (services != null)
            {
                // Values are case-sensitive unless the tag says otherwise (RFC 6376 §3.2); s= does not.
                ServiceTypes = ResultList.From(PostureHelpers.SplitList(services, ':'));
                IsForEmail = ServiceTypes.Contains("*", StringComparer.Ordinal) || ServiceTypes.Contains("email", StringComparer.Ordinal);
                if (!IsForEmail)
                {
                    // RFC 6376 §3.6.1 s=: a key limited to other services (RFC 8460 §3 defines
                    // "tlsrpt") must not verify email signatures.
                    findings.Add(new Finding(FindingCatalog.Dkim.ServiceNotEmail,
                        $"s={services}: the key is not for email (s= lacks \"email\" and \"*\"); mail signed with it does not verify.", subject));
                }
            }

            string? flags = Get(tags, "t");
            if (flags != null)
            {
                Flags = ResultList.From(PostureHelpers.SplitList(flags, ':'));
                IsTesting = Flags.Contains("y", StringComparer.Ordinal);
                IsStrict = Flags.Contains("s", StringComparer.Ordinal);
                if (IsTesting)
                {
                    findings.Add(new Finding(FindingCatalog.Dkim.Testing,
                        "t=y: the domain is testing DKIM; verifiers must not treat signatures differently from unsigned mail (RFC 6376 §3.6.1). Remove t=y when done.", subject));
                }
            }

            if (KeyTypeCode == DkimKeyType.Unknown)
            {
                Invalid(findings, FindingCatalog.Dkim.KeyTypeUnknown, $"k={TagList.Shorten(KeyTypeText)} is not a key type verifiers know (rsa, ed25519); they ignore this record (RFC 6376 §3.6.1).", subject);
                return;
            }

            // p=: required; empty means revoked (RFC 6376 §3.6.1). Base64 may carry FWS.
            string? key = Get(tags, "p");
            if (key is null)
            {
                Invalid(findings, FindingCatalog.Dkim.KeyMissing, "The record has no p= tag; it is required (RFC 6376 §3.6.1).", subject);
                return;
            }

            PublicKey = PostureHelpers.RemoveWhiteSpace(key);
            if (PublicKey.Length == 0)
            {
                IsRevoked = true;
                IsValid = true;
                findings.Add(new Finding(FindingCatalog.Dkim.KeyRevoked,
                    "p= is empty: the key has been revoked (RFC 6376 §3.6.1); signatures with this selector fail.", subject));
                return;
            }

            byte[] data;
            try
            {
                data = Convert.FromBase64String(PublicKey);
            }
            catch (FormatException)
            {
                Invalid(findings, FindingCatalog.Dkim.KeyMalformed, "p= is not valid base64.", subject);
                return;
            }

            if (KeyTypeCode == DkimKeyType.Ed25519)
            {
                // RFC 8463 §4.2: p= is the base64 of the raw 32-byte public key.
                if (data.Length != 32)
                {
                    Invalid(findings, FindingCatalog.Dkim.KeyMalformed, $"An Ed25519 key is 32 bytes (RFC 8463 §4.2); p= holds {data.Length}.", subject);
                    return;
                }

                KeyBits = 256;
                KeyData = data;
                IsValid = true;
                return;
            }

            int? bits = RsaBits(data, out bool pkcs1, out string? keyError);
            if (bits is null)
            {
                Invalid(findings, FindingCatalog.Dkim.KeyMalformed, $"p= is not an RSA public key: {keyError}.", subject);
                return;
            }

            KeyBits = bits;
            KeyData = data;
            IsPkcs1 = pkcs1;
            IsValid = true;
            if (pkcs1)
            {
                findings.Add(new Finding(FindingCatalog.Dkim.KeyPkcs1,
                    "p= is a bare RSAPublicKey (PKCS#1) rather than a SubjectPublicKeyInfo; some verifiers read only the latter.", subject));
            }

            if (bits.Value < MinimumRsaBits)
            {
                findings.Add(new Finding(FindingCatalog.Dkim.KeyTooSmall,
                    $"The RSA key has {bits.Value} bits; verifiers must not accept keys under {MinimumRsaBits} bits (RFC 8301 §3.2). Publish a 2048-bit key.", subject));
            }
            else if (bits.Value < RecommendedRsaBits)
            {
                findings.Add(new Finding(FindingCatalog.Dkim.KeyWeak,
                    $"The RSA key has {bits.Value} bits; signers should use at least {RecommendedRsaBits} (RFC 8301 §3.2).", subject));
            }
        }

        /// <summary>
        /// The modulus size of an RSA key given as SubjectPublicKeyInfo (what every signer
        /// publishes) or as a bare RSAPublicKey (RFC 6376 §3.3.1 names that structure).
        /// </summary>
        internal static int? RsaBits(byte[] data, out bool pkcs1, out string? error)
        {
            pkcs1 = false;
            error = null;
            int? canonical = CanonicalRsaSpkiBits(data);
            return canonical ?? AsnRsaBits(data, out pkcs1, out error);
        }

        /// <summary><see cref="RsaBits"/> by the full ASN.1 reader: every form it accepts, and the reason when none fits.</summary>
        internal static int? AsnRsaBits(byte[] data, out bool pkcs1, out string? error)
        {
            pkcs1 = false;
            error = null;
            Asn1Object asn1;
            try
            {
                asn1 = Asn1Object.FromByteArray(data);
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is ArgumentException || ex is InvalidOperationException || ex is FormatException)
            {
                error = "the DER structure cannot be read (" + ex.Message + ")";
                return null;
            }

            try
            {
                // Read the modulus straight from the structure: BouncyCastle's RsaKeyParameters
                // would run primality checks on it (milliseconds per key), needless for a size.
                SubjectPublicKeyInfo info = SubjectPublicKeyInfo.GetInstance(asn1);
                if (!info.Algorithm.Algorithm.Equals(PkcsObjectIdentifiers.RsaEncryption))
                {
                    error = $"the SubjectPublicKeyInfo holds a key of algorithm {info.Algorithm.Algorithm.Id}, not RSA (1.2.840.113549.1.1.1)";
                    return null;
                }

                RsaPublicKeyStructure key = RsaPublicKeyStructure.GetInstance(info.ParsePublicKey());
                return key.Modulus.BitLength;
            }
            catch (Exception ex) when (IsParseException(ex))
            {
                error = "the DER structure is neither a SubjectPublicKeyInfo nor an RSAPublicKey (" + ex.Message + ")";
            }

            try
            {
                RsaPublicKeyStructure structure = RsaPublicKeyStructure.GetInstance(asn1);
                pkcs1 = true;
                error = null;
                return structure.Modulus.BitLength;
            }
            catch (Exception ex) when (IsParseException(ex))
            {
                return null;
            }
        }

        // rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters, as RFC 3279 §2.3.1 writes it.
        private static readonly byte[] s_rsaAlgorithm = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00 };

        /// <summary>
        /// The modulus size of a key in the one DER form nearly every DKIM key takes: SubjectPublicKeyInfo
        /// { rsaEncryption, NULL } over RSAPublicKey { modulus, exponent } (RFC 3279 §2.3.1, RFC 8017
        /// §A.1.1), every length exact and the modulus positive. Anything else is null, and the full
        /// ASN.1 reader decides, with its reasons; this only spares it the common case (bulk audits
        /// read thousands of keys).
        /// </summary>
        internal static int? CanonicalRsaSpkiBits(byte[] data)
        {
            int at = 0;
            if (!ReadHeader(data, ref at, 0x30, out int spkiLength) || at + spkiLength != data.Length)
            {
                return null;
            }

            if (data.Length - at < s_rsaAlgorithm.Length)
            {
                return null;
            }

            for (int i = 0; i < s_rsaAlgorithm.Length; i++)
            {
                if (data[at + i] != s_rsaAlgorithm[i])
                {
                    return null;
                }
            }

            at += s_rsaAlgorithm.Length;
            if (!ReadHeader(data, ref at, 0x03, out int bitsLength) || at + bitsLength != data.Length || bitsLength < 1 || data[at] != 0)
            {
                return null;
            }

            at++;
            if (!ReadHeader(data, ref at, 0x30, out int keyLength) || at + keyLength != data.Length)
            {
                return null;
            }

            if (!ReadHeader(data, ref at, 0x02, out int modulusLength) || modulusLength < 1 || at + modulusLength > data.Length)
            {
                return null;
            }

            int modulusStart = at;
            at += modulusLength;
            if (!ReadHeader(data, ref at, 0x02, out int exponentLength) || exponentLength < 1 || at + exponentLength != data.Length)
            {
                return null;
            }

            // DER integers are minimal two's complement (X.690 §8.3.2), and both must be positive (RFC 8017
            // §A.1.1): below 0x80 in the first octet, a leading 0x00 only before an octet of 0x80 or more.
            if (!IsPositiveDerInteger(data, modulusStart, modulusLength) || !IsPositiveDerInteger(data, at, exponentLength))
            {
                return null;
            }

            int first = modulusStart;
            int length = modulusLength;
            if (data[first] == 0)
            {
                first++;
                length--;
            }

            int top = data[first];
            int bits = 8 * (length - 1);
            while (top != 0)
            {
                bits++;
                top >>= 1;
            }

            return bits;
        }

        private static bool IsPositiveDerInteger(byte[] data, int start, int length)
        {
            if (data[start] >= 0x80)
            {
                return false;
            }

            return data[start] != 0 || (length > 1 && data[start + 1] >= 0x80);
        }

        // A DER tag and definite length (X.690 §8.1.3), the length in at most 3 octets.
        private static bool ReadHeader(byte[] data, ref int at, byte tag, out int length)
        {
            length = 0;
            if (at + 2 > data.Length || data[at] != tag)
            {
                return false;
            }

            int first = data[at + 1];
            at += 2;
            if (first < 0x80)
            {
                length = first;
                return true;
            }

            int octets = first & 0x7f;
            if (octets == 0 || octets > 3 || at + octets > data.Length || data[at] == 0)
            {
                return false;
            }

            for (int i = 0; i < octets; i++)
            {
                length = (length << 8) | data[at + i];
            }

            at += octets;

            // DER: the long form only when the short one cannot hold the length.
            return length >= 0x80;
        }

        private static bool IsParseException(Exception ex)
        {
            return ex is ArgumentException || ex is InvalidCastException || ex is InvalidOperationException
                || ex is System.IO.IOException || ex is SecurityUtilityException || ex is FormatException;
        }

        /// <summary>DKIM tags are case-sensitive (RFC 6376 §3.2).</summary>
        private static string? Get(IReadOnlyList<PostureTag> tags, string name)
        {
            foreach (PostureTag tag in tags)
            {
                if (string.Equals(tag.Name, name, StringComparison.Ordinal))
                {
                    return tag.Value;
                }
            }

            return null;
        }

        private void Invalid(List<Finding> findings, FindingDefinition definition, string message, string? subject)
        {
            IsValid = false;
            Error ??= message;
            findings.Add(new Finding(definition, message, subject));
        }
    }
}
