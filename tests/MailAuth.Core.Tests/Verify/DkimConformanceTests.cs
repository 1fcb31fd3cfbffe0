using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using MailAuth.Dkim;
using MailAuth.Testing.Dns;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Xunit.Abstractions;

namespace MailAuth.Core.Tests.Verify
{
    /// <summary>
    /// Public DKIM and ARC suites (tests/conformance, see SOURCES.md) served by the loopback DNS
    /// server over real sockets, through DnsDkimPublicKeyLocator and DnsResolver.
    /// </summary>
    public sealed class DkimConformanceTests
    {
        private readonly ITestOutputHelper _output;

        public DkimConformanceTests(ITestOutputHelper output)
        {
            _output = output;
        }

        public static IEnumerable<object[]> StalwartDkimFiles() =>
            Directory.GetFiles(VerifyTestSupport.Conformance("stalwart-mail-auth/dkim"), "*.txt").OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => new object[] { Path.GetFileName(f) });

        public static IEnumerable<object[]> StalwartArcFiles() =>
            Directory.GetFiles(VerifyTestSupport.Conformance("stalwart-mail-auth/arc"), "*.txt").OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => new object[] { Path.GetFileName(f) });

        [Theory]
        [MemberData(nameof(StalwartDkimFiles))]
        public async Task Stalwart_dkim_last_signature_passes(string file)
        {
            var (records, text) = VerifyTestSupport.ReadStalwart(VerifyTestSupport.Conformance("stalwart-mail-auth/dkim/" + file));
            using var dns = LoopbackDns.Start(VerifyTestSupport.Zone(records));
            var verifier = dns.NewDkimVerifier();
            var results = await verifier.VerifySignaturesAsync(VerifyTestSupport.Message(text), bodyPresent: true, VerifyTestSupport.StalwartNow);
            foreach (var r in results)
            {
                _output.WriteLine(r.ToString());
            }

            Assert.NotEmpty(results);

            // stalwart's expectation: the last signature of each file verifies at its fixed time.
            var last = results[results.Count - 1];
            Assert.Equal(DkimVerifyResult.Pass, last.ResultCode);
            Assert.True(last.BodyHashMatches);
            Assert.True(last.HeaderSignatureMatches);
            Assert.True(dns.Server.QueryCount > 0);
        }

        [Theory]
        [MemberData(nameof(StalwartArcFiles))]
        public async Task Stalwart_arc_chain_passes_with_a_dkim_pass(string file)
        {
            var (records, text) = VerifyTestSupport.ReadStalwart(VerifyTestSupport.Conformance("stalwart-mail-auth/arc/" + file));
            using var dns = LoopbackDns.Start(VerifyTestSupport.Zone(records));
            var verifier = dns.NewDkimVerifier();
            var message = VerifyTestSupport.Message(text);
            var arc = await verifier.VerifyArcAsync(message, bodyPresent: true);
            var dkim = await verifier.VerifySignaturesAsync(message, true, VerifyTestSupport.StalwartNow);
            _output.WriteLine(arc.ToString());
            foreach (var r in dkim)
            {
                _output.WriteLine(r.ToString());
            }

            Assert.Equal("pass", arc.Result);
            Assert.True(arc.Instances >= 1);
            Assert.All(arc.SealResults, s => Assert.Equal("pass", s));
            Assert.Contains(dkim, r => r.ResultCode == DkimVerifyResult.Pass);
        }

        // ---- dkimpy fixtures ------------------------------------------------------------------

        private static string Dkimpy(string file) => File.ReadAllText(VerifyTestSupport.Conformance("dkimpy/" + file)).Trim();

        /// <summary>The RFC 8032 §7.1 test 1 key (RFC 8463's brisbane selector): the public half derived from the seed.</summary>
        private static string Rfc8463PublicKey()
        {
            var seed = Convert.FromBase64String(Dkimpy("rfc8032_7_1.key"));
            return Convert.ToBase64String(new Ed25519PrivateKeyParameters(seed, 0).GeneratePublicKey().GetEncoded());
        }

        [Fact]
        public async Task Dkimpy_rfc6376_signed_message_passes_both_signatures()
        {
            var zone = new DnsZone()
                .AddTxt("brisbane._domainkey.football.example.com", "v=DKIM1; k=ed25519; p=" + Rfc8463PublicKey())
                .AddTxt("test._domainkey.football.example.com", Dkimpy("test.txt"));
            using var dns = LoopbackDns.Start(zone);
            var message = VerifyTestSupport.Message(Dkimpy("rfc6376.signed.msg") + "\n");
            var results = await dns.NewDkimVerifier().VerifySignaturesAsync(message, true, DateTimeOffset.UtcNow);

            Assert.Equal(2, results.Count);
            Assert.Equal("ed25519-sha256", results[0].Algorithm);
            Assert.Equal("rsa-sha256", results[1].Algorithm);
            Assert.All(results, r => Assert.Equal(DkimVerifyResult.Pass, r.ResultCode));
        }

        [Fact]
        public async Task Dkimpy_exim_ed25519_message_passes()
        {
            var zone = new DnsZone().AddTxt("sed._domainkey.test.ex", Dkimpy("eximtest.dns"));
            using var dns = LoopbackDns.Start(zone);
            var message = VerifyTestSupport.Message(Dkimpy("ed25519test2.msg") + "\n");
            var results = await dns.NewDkimVerifier().VerifySignaturesAsync(message, true, DateTimeOffset.UtcNow);

            var only = Assert.Single(results);
            Assert.Equal(DkimVerifyResult.Pass, only.ResultCode);
        }

        public static IEnumerable<object[]> Canonicalizations()
        {
            foreach (var header in new[] { DkimCanonicalizationAlgorithm.Simple, DkimCanonicalizationAlgorithm.Relaxed })
            {
                foreach (var body in new[] { DkimCanonicalizationAlgorithm.Simple, DkimCanonicalizationAlgorithm.Relaxed })
                {
                    foreach (var file in new[] { "test.message", "test2.message" })
                    {
                        yield return new object[] { file, header, body };
                    }
                }
            }
        }

        private static MimeMessage SignRsa(string file, DkimCanonicalizationAlgorithm header, DkimCanonicalizationAlgorithm body)
        {
            var message = VerifyTestSupport.Message(File.ReadAllText(VerifyTestSupport.Conformance("dkimpy/" + file)));
            var signer = new DkimSigner(VerifyTestSupport.Conformance("dkimpy/test.private"), "example.com", "test", DkimSignatureAlgorithm.RsaSha256)
            {
                HeaderCanonicalizationAlgorithm = header,
                BodyCanonicalizationAlgorithm = body,
            };
            signer.Sign(message, new[] { HeaderId.From, HeaderId.To, HeaderId.Subject });
            return message;
        }

        /// <summary>dkimpy's round trip: a message signed with test.private verifies against test.txt under every c=.</summary>
        [Theory]
        [MemberData(nameof(Canonicalizations))]
        public async Task Dkimpy_rsa_round_trip_passes(string file, DkimCanonicalizationAlgorithm header, DkimCanonicalizationAlgorithm body)
        {
            var message = SignRsa(file, header, body);
            using var dns = LoopbackDns.Start(new DnsZone().AddTxt("test._domainkey.example.com", Dkimpy("test.txt")));
            var results = await dns.NewDkimVerifier().VerifySignaturesAsync(message, true, DateTimeOffset.UtcNow);

            // The new signature is prepended; test2.message also carries an old gmail.com one whose key is not served.
            var r = results[0];
            Assert.Equal("example.com", r.Domain);
            Assert.Equal(DkimVerifyResult.Pass, r.ResultCode);
            Assert.Equal(1024, r.Key!.KeyBits);
            Assert.All(results.Skip(1), other => Assert.Equal(DkimVerifyResult.PermError, other.ResultCode));
        }

        [Fact]
        public async Task Dkimpy_ed25519_round_trip_passes()
        {
            var message = VerifyTestSupport.Message(Dkimpy("test.message") + "\n");
            var key = new Ed25519PrivateKeyParameters(Convert.FromBase64String(Dkimpy("ed25519test.key")), 0);
            var signer = new DkimSigner(key, "example.com", "ed", DkimSignatureAlgorithm.Ed25519Sha256)
            {
                HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
                BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            };
            signer.Sign(message, new[] { HeaderId.From, HeaderId.To, HeaderId.Subject });
            using var dns = LoopbackDns.Start(new DnsZone().AddTxt("ed._domainkey.example.com", Dkimpy("ed25519test.dns")));
            var results = await dns.NewDkimVerifier().VerifySignaturesAsync(message, true, DateTimeOffset.UtcNow);

            Assert.Equal(DkimVerifyResult.Pass, Assert.Single(results).ResultCode);
        }

        /// <summary>dkimpy's broken DNS values must not verify; each gives the result its defect calls for.</summary>
        [Theory]
        [InlineData("badk.txt", DkimVerifyResult.PermError, "is not a key type")]
        [InlineData("badversion.txt", DkimVerifyResult.PermError, "must be exactly DKIM1")]
        [InlineData("test_tlsrpt.txt", DkimVerifyResult.PermError, "not email")]
        public async Task Dkimpy_bad_key_records_give_permerror(string file, DkimVerifyResult expected, string reason)
        {
            var message = SignRsa("test.message", DkimCanonicalizationAlgorithm.Relaxed, DkimCanonicalizationAlgorithm.Simple);
            using var dns = LoopbackDns.Start(new DnsZone().AddTxt("test._domainkey.example.com", Dkimpy(file)));
            var r = Assert.Single(await dns.NewDkimVerifier().VerifySignaturesAsync(message, true, DateTimeOffset.UtcNow));

            Assert.Equal(expected, r.ResultCode);
            Assert.Contains(reason, r.Reason, StringComparison.Ordinal);
            Assert.Equal(DkimKeyStatus.Invalid, r.Key!.StatusCode);
        }

        [Fact]
        public async Task Dkimpy_test_bad_key_does_not_verify()
        {
            // test_bad.txt is test.txt with its last base64 quantum altered: a different (or broken) key.
            var message = SignRsa("test.message", DkimCanonicalizationAlgorithm.Relaxed, DkimCanonicalizationAlgorithm.Relaxed);
            using var dns = LoopbackDns.Start(new DnsZone().AddTxt("test._domainkey.example.com", Dkimpy("test_bad.txt")));
            var r = Assert.Single(await dns.NewDkimVerifier().VerifySignaturesAsync(message, true, DateTimeOffset.UtcNow));
            _output.WriteLine(r.ToString());

            Assert.NotEqual(DkimVerifyResult.Pass, r.ResultCode);
            Assert.Contains(r.ResultCode, new[] { DkimVerifyResult.Fail, DkimVerifyResult.PermError });
        }
    }
}
