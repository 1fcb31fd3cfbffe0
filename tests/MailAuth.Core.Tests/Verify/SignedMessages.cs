using System;
using System.IO;
using System.Text;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace MailAuth.Core.Tests.Verify
{
    /// <summary>Keys generated per test run and messages signed with them by MimeKit's DkimSigner.</summary>
    internal static class SignedMessages
    {
        private static readonly Lazy<AsymmetricCipherKeyPair> s_rsa = new Lazy<AsymmetricCipherKeyPair>(() =>
        {
            var generator = new RsaKeyPairGenerator();
            generator.Init(new KeyGenerationParameters(new SecureRandom(), 2048));
            return generator.GenerateKeyPair();
        });

        private static readonly Lazy<AsymmetricCipherKeyPair> s_ed25519 = new Lazy<AsymmetricCipherKeyPair>(() =>
        {
            var generator = new Ed25519KeyPairGenerator();
            generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
            return generator.GenerateKeyPair();
        });

        public static AsymmetricCipherKeyPair Rsa => s_rsa.Value;

        public static AsymmetricCipherKeyPair Ed25519 => s_ed25519.Value;

        /// <summary>The TXT value publishing a key (RFC 6376 §3.6.1; RFC 8463 §4 for Ed25519's raw 32 bytes).</summary>
        public static string KeyRecord(AsymmetricCipherKeyPair pair)
        {
            if (pair.Public is Ed25519PublicKeyParameters ed)
            {
                return "v=DKIM1; k=ed25519; p=" + Convert.ToBase64String(ed.GetEncoded());
            }

            var spki = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(pair.Public).GetEncoded();
            return "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(spki);
        }

        /// <summary>
        /// A message from alice@example.com signed by example.com with each given key/selector, then
        /// received by mx.example.net from 192.0.2.10, which recorded <paramref name="recorded"/>
        /// as its Authentication-Results. Returned as raw CRLF text.
        /// </summary>
        public static string Build(string recorded, Func<MimeMessage, MimeMessage>? afterSigning = null,
            TimeSpan? expireAfter = null, params (AsymmetricCipherKeyPair Key, string Selector)[] signers)
        {
            var message = new MimeMessage();
            message.From.Add(new MailboxAddress("Alice", "alice@example.com"));
            message.To.Add(new MailboxAddress("Bob", "bob@example.net"));
            message.Subject = "Quarterly figures";
            message.Date = new DateTimeOffset(2026, 11, 23, 9, 59, 0, TimeSpan.Zero);
            message.MessageId = "q4-figures@example.com";
            message.Body = new TextPart("plain") { Text = "Hello Bob,\r\n\r\nthe figures are attached in spirit.\r\n\r\nAlice\r\n" };
            message.Prepare(EncodingConstraint.SevenBit);

            foreach (var (key, selector) in signers)
            {
                var algorithm = key.Private is Ed25519PrivateKeyParameters ? DkimSignatureAlgorithm.Ed25519Sha256 : DkimSignatureAlgorithm.RsaSha256;
                var signer = new DkimSigner(key.Private, "example.com", selector, algorithm)
                {
                    HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
                    BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Simple,
                };
                if (expireAfter.HasValue)
                {
                    signer.SignaturesExpireAfter = expireAfter.Value;
                }

                signer.Sign(message, new[] { HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId });
            }

            message = afterSigning?.Invoke(message) ?? message;

            // What the receiver prepends (RFC 5321 §4.4, RFC 8601 §5).
            message.Headers.Insert(0, new Header("Received",
                "from mail.example.com (mail.example.com [192.0.2.10]) by mx.example.net (Postfix) with ESMTPS id 4AbCdE for <bob@example.net>; Mon, 23 Nov 2026 10:00:00 +0000 (UTC)"));
            message.Headers.Insert(0, new Header("Authentication-Results", "mx.example.net; " + recorded));

            using (var stream = new MemoryStream())
            {
                var format = FormatOptions.Default.Clone();
                format.NewLineFormat = NewLineFormat.Dos;
                message.WriteTo(format, stream);
                return Encoding.UTF8.GetString(stream.ToArray());
            }
        }

        /// <summary>The header block of a raw message (what a paste of the internet headers holds).</summary>
        public static string HeaderOnly(string raw)
        {
            int end = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            return raw.Substring(0, end + 2);
        }
    }
}
