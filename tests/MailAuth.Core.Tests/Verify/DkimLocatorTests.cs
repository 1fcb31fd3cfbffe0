using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dkim;
using MailAuth.Testing.Dns;
using MimeKit;
using MimeKit.Cryptography;

namespace MailAuth.Core.Tests.Verify
{
    /// <summary>The key locator and the per-signature checks, over the loopback server.</summary>
    public sealed class DkimLocatorTests
    {
        private static string RsaRecord => SignedMessages.KeyRecord(SignedMessages.Rsa);

        [Fact]
        public async Task Concurrent_lookups_of_one_name_share_one_query()
        {
            var zone = new DnsZone().AddTxt("sel._domainkey.example.com", RsaRecord);
            zone.SetLatency("sel._domainkey.example.com", TimeSpan.FromMilliseconds(100));
            using var dns = LoopbackDns.Start(zone);
            var locator = new DnsDkimPublicKeyLocator(dns.Resolver);

            var lookups = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => locator.LookupAsync("Example.COM.", "sel"))));

            Assert.All(lookups, l => Assert.Equal(DkimKeyStatus.Found, l.StatusCode));
            Assert.Equal(1, dns.Server.QueryCount);
            Assert.Equal(1, locator.CachedCount);
            Assert.Same(lookups[0], await locator.LookupAsync("example.com", "sel"));
            Assert.Equal(1, dns.Server.QueryCount);
        }

        [Fact]
        public async Task Sync_and_async_mimekit_paths_return_the_key_or_throw_with_the_rfc_result()
        {
            var zone = new DnsZone()
                .AddTxt("sel._domainkey.example.com", RsaRecord)
                .AddFault("down._domainkey.example.com", DnsFault.ServFail);
            using var dns = LoopbackDns.Start(zone);
            IDkimPublicKeyLocator locator = new DnsDkimPublicKeyLocator(dns.Resolver);

            var sync = locator.LocatePublicKey("dns/txt", "example.com", "sel");
            var async = await locator.LocatePublicKeyAsync("dns/txt", "example.com", "sel");
            Assert.Equal(SignedMessages.Rsa.Public, sync);
            Assert.Equal(SignedMessages.Rsa.Public, async);

            var missing = Assert.Throws<DkimKeyLookupException>(() => locator.LocatePublicKey("dns/txt", "example.com", "gone"));
            Assert.Equal(DkimVerifyResult.PermError, missing.Result);
            var down = await Assert.ThrowsAsync<DkimKeyLookupException>(() => locator.LocatePublicKeyAsync("dns/txt", "example.com", "down"));
            Assert.Equal(DkimVerifyResult.TempError, down.Result);
            var method = await Assert.ThrowsAsync<DkimKeyLookupException>(() => locator.LocatePublicKeyAsync("https/json", "example.com", "sel"));
            Assert.Contains("q=https/json", method.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task One_callers_cancellation_does_not_cancel_the_shared_lookup()
        {
            var zone = new DnsZone().AddTxt("sel._domainkey.example.com", RsaRecord);
            zone.SetLatency("sel._domainkey.example.com", TimeSpan.FromMilliseconds(400));
            using var dns = LoopbackDns.Start(zone);
            var locator = new DnsDkimPublicKeyLocator(dns.Resolver);
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

            var patient = locator.LookupAsync("example.com", "sel");
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => locator.LookupAsync("example.com", "sel", cts.Token));
            Assert.False(patient.IsCompleted);

            Assert.Equal(DkimKeyStatus.Found, (await patient).StatusCode);
            Assert.Equal(1, dns.Server.QueryCount);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => locator.LookupAsync("example.com", "sel", new CancellationToken(true)));
        }

        [Theory]
        [InlineData("k=rsa; v=DKIM1; p=KEY", "first tag")]
        [InlineData("v=DKIM1; k=rsa; k=rsa; p=KEY", "occurs more than once")]
        [InlineData("v=DKIM1; k=dsa; p=KEY", "not a key type")]
        [InlineData("v=DKIM1; k=rsa; s=tlsrpt:other; p=KEY", "not email")]
        [InlineData("v=DKIM1; k=rsa", "no p=")]
        [InlineData("v=DKIM1; k=rsa; p=bm90IGEga2V5", "not an RSA public key")]
        [InlineData("hello world", "not a valid tag list")]
        // Read as RFC 6376 §3.2 says since the locator shares DkimKeyRecord (docs/dkim-conformance.md):
        // no empty tag-spec, tag names start with a letter, values are case-sensitive.
        [InlineData("v=DKIM1;; k=rsa; p=KEY", "empty element")]
        [InlineData("v=DKIM1; 1k=rsa; p=KEY", "not a tag name")]
        [InlineData("v=DKIM1; k=RSA; p=KEY", "k=RSA is not a key type")]
        [InlineData("v=DKIM1; s=EMAIL; p=KEY", "not email")]
        [InlineData("v=DKIM1; p=\u00a0KEY", "not valid base64")]
        public void Unusable_key_records_are_invalid_with_a_reason(string record, string reason)
        {
            var p = RsaRecord.Substring(RsaRecord.IndexOf("p=", StringComparison.Ordinal) + 2);
            var lookup = DnsDkimPublicKeyLocator.Parse("example.com", "sel", record.Replace("KEY", p));

            Assert.Equal(DkimKeyStatus.Invalid, lookup.StatusCode);
            Assert.Equal(DkimVerifyResult.PermError, lookup.FailureResultCode);
            Assert.Contains(reason, lookup.Reason, StringComparison.Ordinal);
        }

        [Fact]
        public void Usable_records_report_key_facts()
        {
            var p = RsaRecord.Substring(RsaRecord.IndexOf("p=", StringComparison.Ordinal) + 2);

            // No v=, FWS inside p=, service *, testing flag, hash list: all allowed (RFC 6376 §3.6.1).
            var lookup = DnsDkimPublicKeyLocator.Parse("example.com", "sel", "k=rsa; t=y:s; h=sha256; s=*; p=" + p.Substring(0, 20) + " \t" + p.Substring(20));

            Assert.Equal(DkimKeyStatus.Found, lookup.StatusCode);
            Assert.Equal(2048, lookup.KeyBits);
            Assert.True(lookup.Testing);
            Assert.Equal(new[] { "sha256" }, lookup.HashAlgorithmList);
            Assert.Equal("sha256", lookup.HashAlgorithms);
            Assert.Null(lookup.FailureResultCode);
        }

        [Fact]
        public void Ed25519_keys_are_exactly_32_bytes_per_rfc8463()
        {
            var ed = SignedMessages.KeyRecord(SignedMessages.Ed25519);
            byte[] raw = Convert.FromBase64String(ed.Substring(ed.IndexOf("p=", StringComparison.Ordinal) + 2));
            byte[] longer = raw.Concat(new byte[] { 0 }).ToArray();

            var good = DnsDkimPublicKeyLocator.Parse("example.com", "sel", "v=DKIM1; k=ed25519; p=" + Convert.ToBase64String(raw));
            var bad = DnsDkimPublicKeyLocator.Parse("example.com", "sel", "v=DKIM1; k=ed25519; p=" + Convert.ToBase64String(longer));

            Assert.Equal(DkimKeyStatus.Found, good.StatusCode);
            Assert.Equal(SignedMessages.Ed25519.Public, good.Key);
            Assert.Equal(DkimKeyStatus.Invalid, bad.StatusCode);
            Assert.Contains("32 bytes", bad.Reason, StringComparison.Ordinal);
        }

        /// <summary>The locator reads records through DkimKeyRecord: the two never disagree.</summary>
        [Theory]
        [InlineData("v=DKIM1; k=rsa; p=KEY")]
        [InlineData("p=KEY")]
        [InlineData("v=DKIM1; p=")]
        [InlineData("v=DKIM1; s=tlsrpt; p=")]
        [InlineData("v=DKIM1; s=tlsrpt; p=KEY")]
        [InlineData("v=DKIM1; s=email:tlsrpt; t=y; h=sha1:sha256; p=KEY")]
        [InlineData("v=DKIM1; h=SHA256; p=KEY")]
        [InlineData("v=DKIM2; p=KEY")]
        [InlineData("v=DKIM1; k=ed25519; p=KEY")]
        [InlineData("v=DKIM1; p=KEY; p=KEY")]
        [InlineData("v=DKIM1; p=AAAA")]
        public void Locator_and_key_record_agree(string template)
        {
            var p = RsaRecord.Substring(RsaRecord.IndexOf("p=", StringComparison.Ordinal) + 2);
            string text = template.Replace("KEY", p);

            var record = MailAuth.Posture.DkimKeyRecord.Parse(text);
            var lookup = DnsDkimPublicKeyLocator.Parse("example.com", "sel", text);

            var expected = !record.IsValid || !record.IsForEmail ? DkimKeyStatus.Invalid
                : record.IsRevoked ? DkimKeyStatus.Revoked
                : DkimKeyStatus.Found;
            Assert.Equal(expected, lookup.StatusCode);
            if (lookup.StatusCode == DkimKeyStatus.Found)
            {
                Assert.Equal(record.KeyBits, lookup.KeyBits);
                Assert.Equal(record.HashAlgorithms, lookup.HashAlgorithmList);
                Assert.Equal(record.IsTesting, lookup.Testing);
            }
        }

        [Fact]
        public async Task Several_txt_records_take_the_first_usable_one()
        {
            var zone = new DnsZone()
                .AddTxt("sel._domainkey.example.com", "v=spf1 -all")
                .AddTxt("sel._domainkey.example.com", RsaRecord);
            using var dns = LoopbackDns.Start(zone);

            var lookup = await new DnsDkimPublicKeyLocator(dns.Resolver).LookupAsync("example.com", "sel");

            Assert.Equal(DkimKeyStatus.Found, lookup.StatusCode);
        }

        private static async Task<DkimSignatureVerification> VerifyWithSignature(string dkimSignature, DnsZone? zone = null)
        {
            var raw = "DKIM-Signature: " + dkimSignature + "\r\nFrom: a@example.com\r\nTo: b@example.net\r\nSubject: s\r\n\r\nbody\r\n";
            using var dns = LoopbackDns.Start(zone ?? new DnsZone().AddTxt("sel._domainkey.example.com", RsaRecord));
            var results = await dns.NewDkimVerifier().VerifySignaturesAsync(VerifyTestSupport.Message(raw), true, DateTimeOffset.UtcNow);
            return Assert.Single(results);
        }

        [Theory]
        [InlineData("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; b=AAAA", "bh=")]
        [InlineData("v=2; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=AAAA", "v=2")]
        [InlineData("v=1; a=rsa-md5; d=example.com; s=sel; h=from; bh=AAAA; b=AAAA", "a=rsa-md5")]
        [InlineData("v=1; a=rsa-sha256; d=example.com; s=sel; h=to:subject; bh=AAAA; b=AAAA", "From")]
        [InlineData("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; i=@example.org; bh=AAAA; b=AAAA", "i=@example.org")]
        [InlineData("v=1; a=rsa-sha256; c=fancy; d=example.com; s=sel; h=from; bh=AAAA; b=AAAA", "c=fancy")]
        [InlineData("v=1; a=rsa-sha256; d=example.com; d=example.org; s=sel; h=from; bh=AAAA; b=AAAA", "twice")]
        public async Task Malformed_signatures_are_permerror_without_dns(string signature, string reason)
        {
            var zone = new DnsZone();
            var r = await VerifyWithSignature(signature, zone);

            Assert.Equal(DkimVerifyResult.PermError, r.ResultCode);
            Assert.Contains(reason, r.Reason, StringComparison.Ordinal);
            Assert.Null(r.Key);
        }

        [Fact]
        public async Task Key_type_or_hash_restriction_mismatch_is_permerror()
        {
            var ed = SignedMessages.KeyRecord(SignedMessages.Ed25519);
            var edZone = new DnsZone().AddTxt("sel._domainkey.example.com", ed);
            var mismatch = await VerifyWithSignature("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=AAAA", edZone);
            Assert.Equal(DkimVerifyResult.PermError, mismatch.ResultCode);
            Assert.Contains("k=ed25519", mismatch.Reason, StringComparison.Ordinal);

            var sha1Only = new DnsZone().AddTxt("sel._domainkey.example.com", RsaRecord.Replace("k=rsa;", "k=rsa; h=sha1;"));
            var hash = await VerifyWithSignature("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=AAAA", sha1Only);
            Assert.Equal(DkimVerifyResult.PermError, hash.ResultCode);
            Assert.Contains("h=sha1", hash.Reason, StringComparison.Ordinal);

            // h= values are case-sensitive (RFC 6376 §3.2): SHA256 does not name sha256.
            var upper = new DnsZone().AddTxt("sel._domainkey.example.com", RsaRecord.Replace("k=rsa;", "k=rsa; h=SHA256;"));
            var cased = await VerifyWithSignature("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=AAAA", upper);
            Assert.Equal(DkimVerifyResult.PermError, cased.ResultCode);
            Assert.Contains("h=SHA256", cased.Reason, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Rsa_sha1_that_verifies_is_policy_per_rfc8301()
        {
            var message = VerifyTestSupport.Message("From: a@example.com\r\nTo: b@example.net\r\nSubject: s\r\n\r\nbody\r\n");
            var signer = new DkimSigner(SignedMessages.Rsa.Private, "example.com", "sel", DkimSignatureAlgorithm.RsaSha1);
            signer.Sign(message, new[] { HeaderId.From, HeaderId.Subject });
            using var dns = LoopbackDns.Start(new DnsZone().AddTxt("sel._domainkey.example.com", RsaRecord));

            var strict = Assert.Single(await dns.NewDkimVerifier().VerifySignaturesAsync(message, true, DateTimeOffset.UtcNow));
            var lenient = Assert.Single(await dns.NewDkimVerifier(new DkimVerifierSettings { AllowRsaSha1 = true })
                .VerifySignaturesAsync(message, true, DateTimeOffset.UtcNow));

            Assert.Equal(DkimVerifyResult.Policy, strict.ResultCode);
            Assert.Contains("RFC 8301", strict.Reason, StringComparison.Ordinal);
            Assert.Equal(DkimVerifyResult.Pass, lenient.ResultCode);
        }
    }
}
