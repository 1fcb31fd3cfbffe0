using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading.Tasks;
using MailAuth.Core.Tests.Dmarc;
using MailAuth.Posture;
using MailAuth.Testing.Dns;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace MailAuth.Core.Tests.Posture
{
    public class DkimRecordTests
    {
        private static string RsaSpki(int bits)
        {
            using RSA rsa = RSA.Create(bits);
            return Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
        }

        /// <summary>A 512-bit key (too small for OpenSSL's defaults), generated with BouncyCastle.</summary>
        private static string SmallRsaSpki()
        {
            var generator = new RsaKeyPairGenerator();
            generator.Init(new Org.BouncyCastle.Crypto.KeyGenerationParameters(new SecureRandom(), 512));
            var pair = generator.GenerateKeyPair();
            return Convert.ToBase64String(SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(pair.Public).GetDerEncoded());
        }

        private static string Ed25519Raw()
        {
            var generator = new Ed25519KeyPairGenerator();
            generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
            return Convert.ToBase64String(((Ed25519PublicKeyParameters)generator.GenerateKeyPair().Public).GetEncoded());
        }

        private static string Dkimpy(string file) => File.ReadAllText(RepositoryFiles.Conformance("dkimpy/" + file)).Trim();

        private static async Task<DkimSelectorResult> ServeOne(string record, string selector = "s1")
        {
            using var dns = new PostureTestDns().Txt(selector + "._domainkey.example.com", record);
            DkimReport report = await new DkimRecordResolver(dns.Resolver()).ResolveAsync("example.com", new[] { selector });
            return Assert.Single(report.Selectors);
        }

        [Theory]
        [InlineData(1024, "DKIM-KEY-WEAK")]
        [InlineData(2048, null)]
        public async Task GeneratedRsaKeysAreSizedFromTheDer(int bits, string? expectedFinding)
        {
            DkimSelectorResult result = await ServeOne("v=DKIM1; k=rsa; p=" + RsaSpki(bits));

            Assert.Equal(PostureStatus.Found, result.StatusCode);
            Assert.True(result.IsValid);
            Assert.Equal(DkimKeyType.Rsa, result.KeyTypeCode);
            Assert.Equal(bits, result.KeyBits);
            if (expectedFinding is null)
            {
                Assert.Empty(result.FindingList);
            }
            else
            {
                Finding finding = Assert.Single(result.FindingList);
                Assert.Equal(expectedFinding, finding.Id);
                Assert.Equal(FindingSeverity.Warning, finding.SeverityCode);
            }
        }

        [Fact]
        public async Task KeyUnder1024BitsIsAnError()
        {
            DkimSelectorResult result = await ServeOne("v=DKIM1; p=" + SmallRsaSpki());

            Assert.Equal(512, result.KeyBits);
            Finding finding = Assert.Single(result.FindingList, f => f.Id == "DKIM-KEY-TOO-SMALL");
            Assert.Equal(FindingSeverity.Error, finding.SeverityCode);
            Assert.DoesNotContain(result.FindingList, f => f.Id == "DKIM-KEY-WEAK");
        }

        [Fact]
        public async Task GeneratedEd25519KeyIs256Bits()
        {
            DkimSelectorResult result = await ServeOne("v=DKIM1; k=ed25519; p=" + Ed25519Raw());

            Assert.True(result.IsValid);
            Assert.Equal(DkimKeyType.Ed25519, result.KeyTypeCode);
            Assert.Equal(256, result.KeyBits);
            Assert.Empty(result.FindingList);
        }

        [Fact]
        public void NonRsaKeyUnderKRsaIsMalformed()
        {
            using ECDsa ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            DkimKeyRecord record = DkimKeyRecord.Parse("v=DKIM1; k=rsa; p=" + Convert.ToBase64String(ec.ExportSubjectPublicKeyInfo()));

            Assert.False(record.IsValid);
            Assert.Contains("not RSA", record.Error);
            Assert.Equal("DKIM-KEY-MALFORMED", Assert.Single(record.Findings).Id);
        }

        [Fact]
        public async Task Pkcs1RsaPublicKeyIsReadWithANote()
        {
            using RSA rsa = RSA.Create(2048);
            DkimSelectorResult result = await ServeOne("v=DKIM1; p=" + Convert.ToBase64String(rsa.ExportRSAPublicKey()));

            Assert.True(result.IsValid);
            Assert.Equal(2048, result.KeyBits);
            Assert.Equal("DKIM-KEY-PKCS1", Assert.Single(result.FindingList).Id);
        }

        [Theory]
        [InlineData("test.txt")]
        [InlineData("test2.txt")]
        public async Task DkimpyValidRsaRecords(string file)
        {
            string text = Dkimpy(file);
            DkimSelectorResult result = await ServeOne(text);

            // The size comes from .NET's own reader of the same DER, independent of ours.
            string p = text.Substring(text.IndexOf("p=", StringComparison.Ordinal) + 2);
            using RSA rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(p), out _);

            Assert.True(result.IsValid, result.KeyRecord?.Error);
            Assert.Equal(DkimKeyType.Rsa, result.KeyTypeCode); // k= absent in test2.txt: rsa is the default (RFC 6376 §3.6.1)
            Assert.Equal(rsa.KeySize, result.KeyBits);
            Assert.Contains(result.FindingList, f => f.Id == "DKIM-KEY-WEAK");
        }

        [Fact]
        public async Task DkimpyEd25519Record()
        {
            DkimSelectorResult result = await ServeOne(Dkimpy("ed25519test.dns"));

            Assert.True(result.IsValid);
            Assert.Null(result.KeyRecord!.Version); // v= is optional (RFC 6376 §3.6.1)
            Assert.Equal(DkimKeyType.Ed25519, result.KeyTypeCode);
            Assert.Equal(256, result.KeyBits);
        }

        [Theory]
        [InlineData("badk.txt", "DKIM-KEY-TYPE-UNKNOWN")]         // k=ed25519-sha256 is not a key type
        [InlineData("badversion.txt", "DKIM-VERSION-INVALID")]   // "v=DKIM1: g=*" is not v=DKIM1
        [InlineData("test_bad.txt", "DKIM-KEY-MALFORMED")]       // the DER of p= is cut short
        public async Task DkimpyBadRecordsAreInvalid(string file, string expectedId)
        {
            DkimSelectorResult result = await ServeOne(Dkimpy(file));

            Assert.Equal(PostureStatus.Found, result.StatusCode);
            Assert.False(result.IsValid);
            Assert.Null(result.KeyBits);
            Finding finding = Assert.Single(result.FindingList, f => f.Id == expectedId);
            Assert.Equal(FindingSeverity.Error, finding.SeverityCode);
            Assert.Equal(finding.Message, result.KeyRecord!.Error);
        }

        [Fact]
        public async Task DkimpyTlsRptServiceTypeIsNotForEmail()
        {
            DkimSelectorResult result = await ServeOne(Dkimpy("test_tlsrpt.txt"));

            Assert.True(result.IsValid);
            Assert.Equal(new[] { "tlsrpt" }, result.KeyRecord!.ServiceTypes);
            Assert.False(result.KeyRecord.IsForEmail);
            Assert.Contains(result.FindingList, f => f.Id == "DKIM-SERVICE-NOT-EMAIL");
        }

        [Theory]
        [InlineData("p=", true)]
        [InlineData("s=*; p=", true)]
        [InlineData("s=tlsrpt : email; p=", true)]
        [InlineData("s=tlsrpt; p=", false)]
        [InlineData("s=EMAIL; p=", false)]   // values are case-sensitive (RFC 6376 §3.2)
        public void ServiceTypeDecidesWhetherTheKeyIsForEmail(string text, bool forEmail)
        {
            DkimKeyRecord record = DkimKeyRecord.Parse(text);

            Assert.Equal(forEmail, record.IsForEmail);
            Assert.Equal(!forEmail, record.Findings.Any(f => f.Id == "DKIM-SERVICE-NOT-EMAIL"));
        }

        [Fact]
        public void FlagsHashesNotesAndRevocation()
        {
            DkimKeyRecord testing = DkimKeyRecord.Parse("v=DKIM1; t=y:s; h=sha1:sha256; n=note here; p=" + Ed25519Raw() + "; k=ed25519");
            Assert.True(testing.IsValid);
            Assert.True(testing.IsTesting);
            Assert.True(testing.IsStrict);
            Assert.Equal(new[] { "sha1", "sha256" }, testing.HashAlgorithms);
            Assert.Equal("note here", testing.Notes);
            Assert.Contains(testing.Findings, f => f.Id == "DKIM-TESTING");
            Assert.DoesNotContain(testing.Findings, f => f.Id == "DKIM-HASH-SHA1-ONLY");

            DkimKeyRecord sha1 = DkimKeyRecord.Parse("p=" + RsaSpki(2048) + "; h=sha1");
            Assert.Contains(sha1.Findings, f => f.Id == "DKIM-HASH-SHA1-ONLY");

            DkimKeyRecord unknownHash = DkimKeyRecord.Parse("p=" + RsaSpki(2048) + "; h=md5");
            Assert.Contains(unknownHash.Findings, f => f.Id == "DKIM-HASH-UNKNOWN" && f.SeverityCode == FindingSeverity.Error);

            DkimKeyRecord revoked = DkimKeyRecord.Parse("v=DKIM1; k=rsa; p=");
            Assert.True(revoked.IsRevoked);
            Assert.Null(revoked.KeyBits);
            Assert.Equal("DKIM-KEY-REVOKED", Assert.Single(revoked.Findings).Id);
        }

        [Theory]
        [InlineData("v=DKIM1; p=abc; p=def", "DKIM-MALFORMED")]        // duplicate tag (RFC 6376 §3.2)
        [InlineData("v=DKIM1;; p=abc", "DKIM-MALFORMED")]              // empty tag-spec
        [InlineData("v=DKIM1; novalue", "DKIM-MALFORMED")]
        [InlineData("v=DKIM1; 1x=2; p=abc", "DKIM-MALFORMED")]         // tag-name starts with a letter
        [InlineData("k=rsa; v=DKIM1; p=abc", "DKIM-VERSION-INVALID")]   // v= must be first
        [InlineData("v=dkim1; p=abc", "DKIM-VERSION-INVALID")]          // values are case-sensitive
        [InlineData("v=DKIM1; k=rsa", "DKIM-KEY-MISSING")]
        [InlineData("v=DKIM1; p=!!notbase64", "DKIM-KEY-MALFORMED")]
        [InlineData("v=DKIM1; k=ed25519; p=AAAA", "DKIM-KEY-MALFORMED")] // 3 bytes, not 32
        [InlineData("v=DKIM1; k=dsa; p=AAAA", "DKIM-KEY-TYPE-UNKNOWN")]
        public void MalformedRecordsNameTheirProblem(string text, string expectedId)
        {
            DkimKeyRecord record = DkimKeyRecord.Parse(text);

            Assert.False(record.IsValid);
            Assert.Contains(record.Findings, f => f.Id == expectedId && f.SeverityCode == FindingSeverity.Error);
        }

        [Fact]
        public void KeyWithFoldingWhiteSpaceIsRead()
        {
            string key = RsaSpki(2048);
            string folded = key.Substring(0, 100) + " \t " + key.Substring(100);
            DkimKeyRecord record = DkimKeyRecord.Parse("v=DKIM1; p=" + folded);
            Assert.True(record.IsValid);
            Assert.Equal(2048, record.KeyBits);
        }

        [Fact]
        public async Task DefaultSelectorsAreAllQueriedConcurrently()
        {
            string key = RsaSpki(2048);
            using var dns = new PostureTestDns()
                .Txt("google._domainkey.example.com", "v=DKIM1; k=rsa; p=" + key)
                .Txt("s2._domainkey.example.com", "v=DKIM1; k=rsa; p=" + key);
            dns.Zone.DefaultLatency = TimeSpan.FromMilliseconds(150);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            DkimReport report = await new DkimRecordResolver(dns.Resolver()).ResolveAsync("example.com");
            watch.Stop();

            Assert.True(report.UsedDefaultSelectors);
            Assert.Equal(PostureStatus.Found, report.StatusCode);
            Assert.Equal("google;s2", report.SelectorsFound);
            Assert.Equal(2048, report.SmallestRsaBits);
            foreach (string selector in DkimSelectors.Common)
            {
                Assert.Contains("TXT " + selector + "._domainkey.example.com", dns.Queries);
            }

            // One after another would take Common.Count × 150 ms; together, a few times 150 ms.
            Assert.True(watch.ElapsedMilliseconds < DkimSelectors.Common.Count * 150 / 2, $"took {watch.ElapsedMilliseconds} ms");
        }

        [Fact]
        public async Task Microsoft365CnameChainIsReported()
        {
            string key = RsaSpki(2048);
            using var dns = new PostureTestDns()
                .Add("selector1._domainkey.contoso.com", ZoneRecordType.CNAME, "selector1-contoso-com._domainkey.contoso.onmicrosoft.com")
                .Txt("selector1-contoso-com._domainkey.contoso.onmicrosoft.com", "v=DKIM1; k=rsa; p=" + key)
                .Add("selector2._domainkey.contoso.com", ZoneRecordType.CNAME, "selector2-contoso-com._domainkey.contoso.onmicrosoft.com")
                .Add("contoso.onmicrosoft.com", ZoneRecordType.A, "192.0.2.1");
            DkimReport report = await new DkimRecordResolver(dns.Resolver()).ResolveAsync("contoso.com", new[] { "selector1", "selector2" });

            DkimSelectorResult one = report.Selectors[0];
            Assert.Equal(PostureStatus.Found, one.StatusCode);
            Assert.Equal(new[] { "selector1-contoso-com._domainkey.contoso.onmicrosoft.com" }, one.CnameChain);
            Assert.True(one.IsMicrosoft365);
            Assert.Equal(2048, one.KeyBits);

            DkimSelectorResult two = report.Selectors[1];
            Assert.Equal(PostureStatus.NotFound, two.StatusCode);
            Assert.Equal("selector2-contoso-com._domainkey.contoso.onmicrosoft.com", Assert.Single(two.CnameChain));
            Assert.Contains(two.FindingList, f => f.Id == "DKIM-CNAME-DANGLING");
        }

        [Theory]
        [InlineData(DnsFault.ServFail)]
        [InlineData(DnsFault.Timeout)]
        [InlineData(DnsFault.Garbage)]
        public async Task FailedLookupIsLookupFailedNeverNotFound(DnsFault fault)
        {
            using var dns = new PostureTestDns()
                .Fault("s1._domainkey.example.com", fault)
                .Txt("other.example.com", "x");
            DkimReport report = await new DkimRecordResolver(dns.Resolver()).ResolveAsync("example.com", new[] { "s1", "s2" });

            Assert.Equal(PostureStatus.LookupFailed, report.Selectors[0].StatusCode);
            Assert.NotNull(report.Selectors[0].ErrorMessage);
            Assert.Equal(PostureStatus.NotFound, report.Selectors[1].StatusCode);
            Assert.Equal(PostureStatus.LookupFailed, report.StatusCode);
            Assert.Contains(report.Findings, f => f.Id == "DKIM-LOOKUP-FAILED");
            Assert.DoesNotContain(report.Findings, f => f.Id == "DKIM-NONE-FOUND");
        }

        [Fact]
        public async Task NothingPublishedIsNotFoundWithAWarning()
        {
            using var dns = new PostureTestDns().Add("example.com", ZoneRecordType.A, "192.0.2.1");
            DkimReport report = await new DkimRecordResolver(dns.Resolver()).ResolveAsync("example.com", new[] { "a", "b" });

            Assert.Equal(PostureStatus.NotFound, report.StatusCode);
            Assert.All(report.Selectors, s => Assert.Equal(PostureStatus.NotFound, s.StatusCode));
            Assert.Contains(report.Findings, f => f.Id == "DKIM-NONE-FOUND");
        }

        [Fact]
        public async Task SeveralRecordsAtOneSelector()
        {
            using var dns = new PostureTestDns()
                .Txt("s1._domainkey.example.com", "some verification token")
                .Txt("s1._domainkey.example.com", "v=DKIM1; k=ed25519; p=" + Ed25519Raw());
            DkimSelectorResult result = Assert.Single((await new DkimRecordResolver(dns.Resolver()).ResolveAsync("example.com", new[] { "s1" })).Selectors);

            Assert.Equal(DkimKeyType.Ed25519, result.KeyTypeCode);
            Assert.Equal("some verification token", Assert.Single(result.OtherRecords));
            Assert.Contains(result.FindingList, f => f.Id == "DKIM-MULTIPLE-RECORDS");
        }

        [Fact]
        public async Task ArgumentsAreChecked()
        {
            var resolver = new DkimRecordResolver(new MailAuth.Dns.DnsResolver(new MailAuth.Dns.DnsResolverOptions
            {
                Servers = new[] { new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 9) },
            }));
            Assert.Throws<ArgumentNullException>(() => new DkimRecordResolver(null!));
            await Assert.ThrowsAsync<ArgumentNullException>(() => resolver.ResolveAsync(null!));
            ArgumentException bad = await Assert.ThrowsAnyAsync<ArgumentException>(() => resolver.ResolveAsync("exa mple.com"));
            Assert.Contains("exa mple.com", bad.Message);
            await Assert.ThrowsAnyAsync<ArgumentException>(() => resolver.ResolveAsync("example.com", new[] { "bad selector" }));
            await Assert.ThrowsAsync<ArgumentNullException>(() => resolver.ResolveAsync("example.com", new string[] { null! }));
            Assert.Throws<ArgumentNullException>(() => DkimKeyRecord.Parse(null!));
        }
    }
}
