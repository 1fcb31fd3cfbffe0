using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using MailAuth.Posture;

namespace MailAuth.Core.Tests.Posture
{
    /// <summary>
    /// The DER fast path for a DKIM key's size (SubjectPublicKeyInfo over RSAPublicKey, RFC 3279 §2.3.1)
    /// against the size the key was made with and against the full ASN.1 reader.
    /// </summary>
    public class DkimKeySizeTests
    {
        public static IEnumerable<object[]> Sizes() => new[] { 1024, 1032, 1536, 2048, 2056, 3072, 4096 }.Select(n => new object[] { n });

        [Theory]
        [MemberData(nameof(Sizes))]
        public void A_key_made_with_n_bits_reads_as_n_bits_by_both_paths(int size)
        {
            using RSA rsa = RSA.Create(size);
            byte[] spki = rsa.ExportSubjectPublicKeyInfo();
            Assert.Equal(size, DkimKeyRecord.CanonicalRsaSpkiBits(spki));
            Assert.Equal(size, DkimKeyRecord.AsnRsaBits(spki, out bool pkcs1, out _));
            Assert.False(pkcs1);

            // A bare RSAPublicKey (PKCS#1) is not the canonical form: the full reader takes it and says so.
            byte[] bare = rsa.ExportRSAPublicKey();
            Assert.Null(DkimKeyRecord.CanonicalRsaSpkiBits(bare));
            Assert.Equal(size, DkimKeyRecord.RsaBits(bare, out bool bareIsPkcs1, out _));
            Assert.True(bareIsPkcs1);
        }

        [Fact]
        public void Damaged_keys_read_by_the_fast_path_read_the_same_by_the_full_reader()
        {
            using RSA rsa = RSA.Create(2048);
            byte[] spki = rsa.ExportSubjectPublicKeyInfo();
            var random = new Random(3279);
            int fast = 0;
            for (int round = 0; round < 3000; round++)
            {
                byte[] damaged = (byte[])spki.Clone();

                // The headers (the first 40 octets) and the exponent's, where a damaged length or tag hides.
                int at = random.Next(2) == 0 ? random.Next(40) : damaged.Length - 1 - random.Next(6);
                damaged[at] = (byte)random.Next(256);
                if (random.Next(4) == 0)
                {
                    Array.Resize(ref damaged, damaged.Length - random.Next(1, 4));
                }

                int? quick = DkimKeyRecord.CanonicalRsaSpkiBits(damaged);
                if (quick != null)
                {
                    fast++;
                    Assert.Equal(DkimKeyRecord.AsnRsaBits(damaged, out bool pkcs1, out string? error), quick);
                    Assert.False(pkcs1, error);
                }
            }

            // Most single-octet changes break the form; the ones that do not (inside the modulus's top
            // octet, the exponent's value) must still agree above.
            Assert.InRange(fast, 1, 2999);
        }

        [Fact]
        public void A_key_of_another_algorithm_or_with_trailing_octets_is_left_to_the_full_reader()
        {
            using ECDsa ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            Assert.Null(DkimKeyRecord.CanonicalRsaSpkiBits(ec.ExportSubjectPublicKeyInfo()));
            Assert.Null(DkimKeyRecord.RsaBits(ec.ExportSubjectPublicKeyInfo(), out _, out string? error));
            Assert.Contains("not RSA", error);

            using RSA rsa = RSA.Create(2048);
            byte[] spki = rsa.ExportSubjectPublicKeyInfo();
            byte[] longer = new byte[spki.Length + 1];
            spki.CopyTo(longer, 0);
            Assert.Null(DkimKeyRecord.CanonicalRsaSpkiBits(longer));
        }
    }
}
