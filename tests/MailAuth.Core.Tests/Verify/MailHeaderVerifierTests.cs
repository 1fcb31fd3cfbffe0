using System;
using System.Linq;
using System.Threading.Tasks;
using MailAuth.Core.Tests.Headers;
using MailAuth.Dkim;
using MailAuth.Headers;
using MailAuth.Testing.Dns;
using Xunit.Abstractions;

namespace MailAuth.Core.Tests.Verify
{
    /// <summary>-Verify end to end: reports from the analyzer, DNS from the loopback server.</summary>
    public sealed class MailHeaderVerifierTests
    {
        private const string TrustedPass =
            "spf=pass smtp.mailfrom=alice@example.com; dkim=pass header.d=example.com header.s=rsa2048; dmarc=pass header.from=example.com";

        private static readonly DateTimeOffset s_now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

        private readonly ITestOutputHelper _output;

        public MailHeaderVerifierTests(ITestOutputHelper output)
        {
            _output = output;
        }

        private static MailHeaderOptions Keep() => new MailHeaderOptions
        {
            Now = s_now,
            TrustedAuthServIds = new[] { "mx.example.net" },
            KeepMessageForVerification = true,
        };

        private static DnsZone ExampleZone(bool publishRsa = true, bool publishEd = true) 
        {
            var zone = new DnsZone()
                .AddTxt("example.com", "v=spf1 ip4:192.0.2.10 -all")
                .AddTxt("_dmarc.example.com", "v=DMARC1; p=reject");
            if (publishRsa)
            {
                zone.AddTxt("rsa2048._domainkey.example.com", SignedMessages.KeyRecord(SignedMessages.Rsa));
            }

            if (publishEd)
            {
                zone.AddTxt("ed._domainkey.example.com", SignedMessages.KeyRecord(SignedMessages.Ed25519));
            }

            return zone;
        }

        private async Task<MailHeaderVerification> VerifyAsync(MailHeaderReport report, DnsZone zone, object? message = null)
        {
            using var dns = LoopbackDns.Start(zone);
            var v = await MailHeaderVerifier.VerifyAsync(report, message, dns.Resolver, new MailHeaderVerifyOptions { Now = s_now });
            _output.WriteLine(v.ToString());
            foreach (var c in v.Comparisons)
            {
                _output.WriteLine("  " + c + " agrees=" + c.Agrees + ": " + c.Note);
            }

            foreach (var s in v.DkimSignatures)
            {
                _output.WriteLine("  " + s);
            }

            foreach (var f in v.Findings)
            {
                _output.WriteLine("  " + f);
            }

            return v;
        }

        // ---- Signed in the test -----------------------------------------------------------------

        [Fact]
        public async Task Rsa2048_and_ed25519_signed_message_passes_everything()
        {
            var raw = SignedMessages.Build(TrustedPass, null, null, (SignedMessages.Rsa, "rsa2048"), (SignedMessages.Ed25519, "ed"));
            var report = MailHeaderAnalyzer.AnalyzeText(raw, Keep()).Single();
            Assert.True(report.HasRetainedMessage);

            var v = await VerifyAsync(report, ExampleZone());

            Assert.Same(v, report.Verification);
            Assert.False(report.HasRetainedMessage);
            Assert.True(v.BodyVerified);
            Assert.Equal(2, v.DkimSignatures.Count);
            Assert.All(v.DkimSignatures, s => Assert.Equal(DkimVerifyResult.Pass, s.ResultCode));
            Assert.Contains(v.DkimSignatures, s => s.Algorithm == "ed25519-sha256" && s.Key!.KeyType == "ed25519");
            Assert.Contains(v.DkimSignatures, s => s.Algorithm == "rsa-sha256" && s.Key!.KeyBits == 2048);
            Assert.All(v.DkimSignatures, s => Assert.True(s.BodyChecked && s.BodyHashMatches == true && s.HeaderSignatureMatches == true));
            Assert.Equal("pass", v.SpfNow);
            Assert.Equal("192.0.2.10", v.Spf!.IPAddress);
            Assert.Equal("pass", v.DkimNow);
            Assert.Equal("none", v.ArcNow);
            Assert.Equal("pass", v.DmarcNow);
            Assert.Equal("none", v.DispositionNow);
            Assert.Equal(0, v.Disagreements);
            Assert.Contains(v.Comparisons, c => c.Method == "dkim" && c.Subject == "d=example.com s=rsa2048" && c.Agrees == true);
            Assert.DoesNotContain(v.Findings, f => f.Id.EndsWith("-DIFFERS", StringComparison.Ordinal));

            // Under the report the results sit two levels down: DNS responses and the DMARC tags are
            // left out (their text stays), so the whole report converts at ConvertTo-Json -Depth 4.
            Assert.Empty(v.Spf.DnsEvidence);
            Assert.StartsWith("TXT example.com @", v.Spf.Trace[0].Dns, StringComparison.Ordinal);
            Assert.Empty(v.Dmarc!.DnsEvidence);
            Assert.Null(v.Dmarc.ParsedRecord);
            Assert.Equal("v=DMARC1; p=reject", v.Dmarc.Record);
            Assert.Equal("Reject", v.Dmarc.Policy);
            Assert.Equal(new[] { "spf", "dkim", "dkim" }, v.Dmarc.Identifiers.Select(i => i.Mechanism));
            Assert.Empty(OutputShapeTests.Problems(report));
        }

        [Fact]
        public async Task Tampered_body_fails_with_body_hash_reason_and_is_flagged()
        {
            var raw = SignedMessages.Build(TrustedPass, null, null, (SignedMessages.Rsa, "rsa2048"));
            var tampered = raw.Replace("attached in spirit", "attached in SPIRIT");
            Assert.NotEqual(raw, tampered);
            var report = MailHeaderAnalyzer.AnalyzeText(tampered, Keep()).Single();

            var v = await VerifyAsync(report, ExampleZone());

            var s = Assert.Single(v.DkimSignatures);
            Assert.Equal(DkimVerifyResult.Fail, s.ResultCode);
            Assert.False(s.BodyHashMatches);
            Assert.True(s.HeaderSignatureMatches);
            Assert.Contains("body hash", s.Reason, StringComparison.Ordinal);
            Assert.Equal("fail", v.DkimNow);

            // SPF still aligns, so DMARC passes on SPF; the DKIM verdict alone disagrees.
            Assert.Equal("pass", v.DmarcNow);
            var finding = Assert.Single(v.Findings, f => f.Id == "HDR-VERIFY-DKIM-DIFFERS");
            Assert.Contains("recorded as pass", finding.Message, StringComparison.Ordinal);
            Assert.Contains("now as fail", finding.Message, StringComparison.Ordinal);
            Assert.Equal(1, v.Disagreements);
        }

        [Fact]
        public async Task Tampered_signed_header_fails_on_the_header_signature()
        {
            var raw = SignedMessages.Build(TrustedPass, null, null, (SignedMessages.Rsa, "rsa2048"));
            var report = MailHeaderAnalyzer.AnalyzeText(raw.Replace("Subject: Quarterly figures", "Subject: Quarterly figures (urgent)"), Keep()).Single();

            var v = await VerifyAsync(report, ExampleZone());

            var s = Assert.Single(v.DkimSignatures);
            Assert.Equal(DkimVerifyResult.Fail, s.ResultCode);
            Assert.True(s.BodyHashMatches);
            Assert.False(s.HeaderSignatureMatches);
            Assert.Contains("header signature", s.Reason, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Missing_key_gives_permerror_and_dmarc_rests_on_spf()
        {
            var raw = SignedMessages.Build(TrustedPass, null, null, (SignedMessages.Rsa, "rsa2048"));
            var report = MailHeaderAnalyzer.AnalyzeText(raw, Keep()).Single();

            var v = await VerifyAsync(report, ExampleZone(publishRsa: false));

            var s = Assert.Single(v.DkimSignatures);
            Assert.Equal(DkimVerifyResult.PermError, s.ResultCode);
            Assert.Equal(DkimKeyStatus.NotFound, s.Key!.StatusCode);
            Assert.Contains("NXDOMAIN", s.Reason, StringComparison.Ordinal);
            Assert.Equal("permerror", v.DkimNow);
            Assert.Contains(v.Findings, f => f.Id == "HDR-VERIFY-DKIM-KEY" && f.Subject == "rsa2048._domainkey.example.com");
            Assert.Contains(v.Findings, f => f.Id == "HDR-VERIFY-DKIM-DIFFERS");
        }

        [Fact]
        public async Task Revoked_key_gives_permerror()
        {
            var raw = SignedMessages.Build(TrustedPass, null, null, (SignedMessages.Rsa, "rsa2048"));
            var report = MailHeaderAnalyzer.AnalyzeText(raw, Keep()).Single();
            var zone = ExampleZone(publishRsa: false).AddTxt("rsa2048._domainkey.example.com", "v=DKIM1; k=rsa; p=");

            var v = await VerifyAsync(report, zone);

            var s = Assert.Single(v.DkimSignatures);
            Assert.Equal(DkimVerifyResult.PermError, s.ResultCode);
            Assert.Equal(DkimKeyStatus.Revoked, s.Key!.StatusCode);
        }

        [Fact]
        public async Task Servfail_on_the_key_gives_temperror()
        {
            var raw = SignedMessages.Build(TrustedPass, null, null, (SignedMessages.Rsa, "rsa2048"));
            var report = MailHeaderAnalyzer.AnalyzeText(raw, Keep()).Single();
            var zone = ExampleZone(publishRsa: false).AddFault("rsa2048._domainkey.example.com", DnsFault.ServFail);

            var v = await VerifyAsync(report, zone);

            var s = Assert.Single(v.DkimSignatures);
            Assert.Equal(DkimVerifyResult.TempError, s.ResultCode);
            Assert.Equal(DkimKeyStatus.LookupFailed, s.Key!.StatusCode);
            Assert.Equal("temperror", v.DkimNow);
            var f = Assert.Single(v.Findings, x => x.Id == "HDR-VERIFY-DKIM-DIFFERS");
            Assert.Equal(FindingSeverity.Information, f.SeverityCode);
        }

        [Fact]
        public async Task Expired_signature_is_policy_at_a_later_now_and_pass_before()
        {
            var raw = SignedMessages.Build(TrustedPass, null, TimeSpan.FromHours(1), (SignedMessages.Rsa, "rsa2048"));
            var message = VerifyTestSupport.Message(raw);
            var x = DkimMessageVerifier.ParseTags(message.Headers[HeaderIdOfDkim(message)].Value, out _)["x"];
            var expiry = DateTimeOffset.FromUnixTimeSeconds(long.Parse(x));

            using var dns = LoopbackDns.Start(ExampleZone());
            var verifier = dns.NewDkimVerifier();
            var before = Assert.Single(await verifier.VerifySignaturesAsync(message, true, expiry.AddMinutes(-1)));
            var after = Assert.Single(await verifier.VerifySignaturesAsync(message, true, expiry.AddMinutes(1)));

            Assert.Equal(DkimVerifyResult.Pass, before.ResultCode);
            Assert.False(before.Expired);
            Assert.Equal(DkimVerifyResult.Policy, after.ResultCode);
            Assert.True(after.Expired);
            Assert.Contains("expired", after.Reason, StringComparison.Ordinal);
        }

        private static int HeaderIdOfDkim(MimeKit.MimeMessage message) => message.Headers.IndexOf(MimeKit.HeaderId.DkimSignature);

        [Fact]
        public async Task Header_only_paste_checks_key_and_header_signature_but_not_the_body()
        {
            var raw = SignedMessages.Build(TrustedPass, null, null, (SignedMessages.Rsa, "rsa2048"));
            var report = MailHeaderAnalyzer.AnalyzeText(SignedMessages.HeaderOnly(raw), HeaderTestSupport.Options()).Single();
            Assert.False(report.HasRetainedMessage);

            var v = await VerifyAsync(report, ExampleZone());

            var s = Assert.Single(v.DkimSignatures);
            Assert.False(v.BodyVerified);
            Assert.Equal(DkimVerifyResult.Neutral, s.ResultCode);
            Assert.False(s.BodyChecked);
            Assert.Null(s.BodyHashMatches);
            Assert.True(s.HeaderSignatureMatches);
            Assert.Contains("body is missing", s.Reason, StringComparison.Ordinal);
            Assert.Contains(v.Findings, f => f.Id == "HDR-VERIFY-BODY-MISSING");

            // Not a disagreement: the recorded pass cannot be confirmed or refuted without the body.
            Assert.Contains(v.Comparisons, c => c.Method == "dkim" && c.Agrees == null);
            Assert.Equal(0, v.Disagreements);
        }

        [Fact]
        public async Task Header_only_paste_with_a_changed_signed_header_fails()
        {
            var raw = SignedMessages.Build(TrustedPass, null, null, (SignedMessages.Rsa, "rsa2048"));
            var headers = SignedMessages.HeaderOnly(raw).Replace("Subject: Quarterly figures", "Subject: Quarterly figures!");
            var report = MailHeaderAnalyzer.AnalyzeText(headers, HeaderTestSupport.Options()).Single();

            var v = await VerifyAsync(report, ExampleZone());

            var s = Assert.Single(v.DkimSignatures);
            Assert.Equal(DkimVerifyResult.Fail, s.ResultCode);
            Assert.False(s.HeaderSignatureMatches);
        }

        [Fact]
        public async Task Explicit_message_object_overrides_a_header_only_report()
        {
            var raw = SignedMessages.Build(TrustedPass, null, null, (SignedMessages.Rsa, "rsa2048"));
            var report = MailHeaderAnalyzer.AnalyzeText(SignedMessages.HeaderOnly(raw), HeaderTestSupport.Options()).Single();

            var v = await VerifyAsync(report, ExampleZone(), raw);

            Assert.True(v.BodyVerified);
            Assert.Equal(DkimVerifyResult.Pass, Assert.Single(v.DkimSignatures).ResultCode);
        }

        [Fact]
        public async Task Mbox_messages_each_keep_and_release_their_own_body()
        {
            var good = SignedMessages.Build(TrustedPass, null, null, (SignedMessages.Rsa, "rsa2048"));
            var bad = good.Replace("attached in spirit", "attached in letter");
            var mbox = "From alice@example.com Mon Nov 23 10:00:00 2026\r\n" + good + "\r\nFrom alice@example.com Mon Nov 23 10:05:00 2026\r\n" + bad;
            var reports = MailHeaderAnalyzer.AnalyzeText(mbox, Keep());
            Assert.Equal(2, reports.Count);

            using var dns = LoopbackDns.Start(ExampleZone());
            var verifier = new MailHeaderVerifier(dns.Resolver, new MailHeaderVerifyOptions { Now = s_now });
            var first = await verifier.VerifyAsync(reports[0]);
            var second = await verifier.VerifyAsync(reports[1]);

            Assert.Equal("pass", first.DkimNow);
            Assert.Equal("fail", second.DkimNow);
            Assert.All(reports, r => Assert.False(r.HasRetainedMessage));

            // One key query for both messages: the locator caches per name.
            Assert.Equal(1, dns.Server.Queries.Count(q => q.Name.StartsWith("rsa2048._domainkey", StringComparison.OrdinalIgnoreCase)));
        }

        [Fact]
        public async Task Large_body_is_kept_whole_only_when_asked()
        {
            var line = new string('x', 70) + "\r\n";
            var bigBody = string.Concat(Enumerable.Repeat(line, 2 * 1024 * 1024 / line.Length));
            var raw = SignedMessages.Build(TrustedPass, m =>
            {
                // Re-sign over a 2 MiB body: more than the 1 MiB the line reader keeps by default.
                m.Body = new MimeKit.TextPart("plain") { Text = bigBody };
                m.Prepare(MimeKit.EncodingConstraint.SevenBit);
                m.Headers.RemoveAll(MimeKit.HeaderId.DkimSignature);
                new MimeKit.Cryptography.DkimSigner(SignedMessages.Rsa.Private, "example.com", "rsa2048")
                {
                    HeaderCanonicalizationAlgorithm = MimeKit.Cryptography.DkimCanonicalizationAlgorithm.Relaxed,
                }.Sign(m, new[] { MimeKit.HeaderId.From, MimeKit.HeaderId.Subject });
                return m;
            });

            var kept = MailHeaderAnalyzer.AnalyzeText(raw, Keep()).Single();
            var notKept = MailHeaderAnalyzer.AnalyzeText(raw, HeaderTestSupport.Options()).Single();
            Assert.True(kept.HasRetainedMessage);
            Assert.False(notKept.HasRetainedMessage);

            var v = await VerifyAsync(kept, ExampleZone());
            Assert.Equal(DkimVerifyResult.Pass, Assert.Single(v.DkimSignatures).ResultCode);
            Assert.True(v.BodyVerified);
        }

        [Fact]
        public async Task MimeMessage_input_is_kept_by_reference_and_verified()
        {
            var raw = SignedMessages.Build(TrustedPass, null, null, (SignedMessages.Ed25519, "ed"));
            var mime = VerifyTestSupport.Message(raw);
            var report = MailHeaderAnalyzer.AnalyzeMimeMessage(mime, Keep());
            Assert.True(report.HasRetainedMessage);

            var v = await VerifyAsync(report, ExampleZone());

            Assert.Equal("pass", v.DkimNow);
            Assert.Equal("pass", v.SpfNow);
            Assert.Equal("pass", v.DmarcNow);
            Assert.False(report.HasRetainedMessage);
        }

        // ---- The bundled samples (headers only) -------------------------------------------------

        [Fact]
        public async Task Phish_sample_spf_recomputed_agrees_and_dmarc_fails_unaligned()
        {
            var report = HeaderTestSupport.Sample("phish-spf-pass-unaligned.txt");
            var zone = new DnsZone()
                .AddTxt("s12.cpanel-host.example.org", "v=spf1 ip4:203.0.113.0/24 -all")
                .AddTxt("_dmarc.example.com", "v=DMARC1; p=quarantine");

            var v = await VerifyAsync(report, zone);

            Assert.Equal("pass", v.SpfRecorded);
            Assert.Equal("pass", v.SpfNow);
            Assert.Equal("s12.cpanel-host.example.org", v.Spf!.Domain);
            // The MAIL FROM the Return-Path shows, not postmaster@ the domain (RFC 7208 §4.3 is for a
            // sender without a local-part).
            Assert.Equal("webmaster@s12.cpanel-host.example.org", v.Spf.Sender);
            Assert.Equal("203.0.113.45", v.Spf.IPAddress);
            Assert.Equal("pass", v.SpfHeloNow);
            Assert.Equal(MailAuth.Spf.SpfIdentity.Helo, v.SpfHelo!.IdentityCode);
            Assert.Equal("none", v.DkimNow);
            Assert.Empty(v.DkimSignatures);
            Assert.Equal("fail", v.DmarcRecorded);
            Assert.Equal("fail", v.DmarcNow);
            Assert.Equal("quarantine", v.DispositionNow);
            Assert.False(v.BodyVerified);
            Assert.Equal(0, v.Disagreements);
        }

        [Fact]
        public async Task Phish_sample_spf_that_fails_now_is_flagged()
        {
            var report = HeaderTestSupport.Sample("phish-spf-pass-unaligned.txt");
            var zone = new DnsZone()
                .AddTxt("s12.cpanel-host.example.org", "v=spf1 ip4:198.51.100.0/24 -all")
                .AddTxt("_dmarc.example.com", "v=DMARC1; p=quarantine");

            var v = await VerifyAsync(report, zone);

            Assert.Equal("fail", v.SpfNow);
            var f = Assert.Single(v.Findings, x => x.Id == "HDR-VERIFY-SPF-DIFFERS");
            Assert.Equal(FindingSeverity.Warning, f.SeverityCode);
            Assert.Contains("recorded as pass", f.Message, StringComparison.Ordinal);
            Assert.Contains("now as fail", f.Message, StringComparison.Ordinal);
            Assert.Contains("different IP", f.Message, StringComparison.Ordinal);
            Assert.Contains(v.Comparisons, c => c.Method == "spf" && c.Agrees == false);
            Assert.True(v.Disagreements >= 1);
        }

        [Fact]
        public async Task Spoof_sample_recomputes_spf_fail_and_dmarc_reject()
        {
            var report = HeaderTestSupport.Sample("spoof-dmarc-reject.txt");
            var zone = new DnsZone()
                .AddTxt("example.com", "v=spf1 ip4:198.51.100.0/24 -all")
                .AddTxt("_dmarc.example.com", "v=DMARC1; p=reject");

            var v = await VerifyAsync(report, zone);

            Assert.Equal("fail", v.SpfRecorded);
            Assert.Equal("fail", v.SpfNow);
            Assert.Equal("ceo@example.com", v.Spf!.Sender);
            Assert.Equal("fail", v.DmarcNow);
            Assert.Equal("reject", v.DispositionNow);
            Assert.Equal(0, v.Disagreements);
        }

        [Theory]
        [InlineData("m365-clean-inbound.txt")]
        [InlineData("mailing-list-dkim-broken.txt")]
        [InlineData("gmail-to-exchange-arc.txt")]
        public async Task Samples_with_signatures_verify_headers_only_and_say_so(string sample)
        {
            // The samples' signatures are invented and no key is published for them: every signature
            // is a permerror (no key), and the body is never checked because the report kept none.
            var report = HeaderTestSupport.Sample(sample);
            Assert.NotEmpty(report.DkimSignatures);

            var v = await VerifyAsync(report, new DnsZone());

            Assert.False(v.BodyVerified);
            Assert.Equal(report.DkimSignatures.Count, v.DkimSignatures.Count);
            Assert.All(v.DkimSignatures, s =>
            {
                Assert.False(s.BodyChecked);
                Assert.Equal(DkimVerifyResult.PermError, s.ResultCode);
                Assert.Equal(DkimKeyStatus.NotFound, s.Key!.StatusCode);
            });
            Assert.Contains(v.Findings, f => f.Id == "HDR-VERIFY-BODY-MISSING");
            Assert.Contains(v.Findings, f => f.Id == "HDR-VERIFY-DKIM-KEY");
            if (report.ArcSets.Count > 0)
            {
                // Without keys the seals cannot verify: the chain fails now, whatever was recorded.
                Assert.Equal("fail", v.ArcNow);
                Assert.Contains("Key problems", v.Arc!.Reason, StringComparison.Ordinal);
            }
        }

        // ---- ARC through the report (stalwart's two-hop chain) ------------------------------------

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task Arc_chain_recomputed_through_the_report(bool tamper)
        {
            var (records, text) = VerifyTestSupport.ReadStalwart(VerifyTestSupport.Conformance("stalwart-mail-auth/arc/002.txt"));
            if (tamper)
            {
                int body = text.IndexOf("\n\n", StringComparison.Ordinal);
                text = text.Substring(0, body + 2) + "(added by a gateway)\n" + text.Substring(body + 2);
            }

            var options = new MailHeaderOptions { Now = s_now, TrustedAuthServIds = new[] { "manchego.org" }, KeepMessageForVerification = true };
            var report = MailHeaderAnalyzer.AnalyzeText(text, options).Single();
            Assert.Equal(2, report.ArcSets.Count);
            using var dns = LoopbackDns.Start(VerifyTestSupport.Zone(records));

            var v = await new MailHeaderVerifier(dns.Resolver, new MailHeaderVerifyOptions { Now = VerifyTestSupport.StalwartNow }).VerifyAsync(report);

            Assert.True(v.BodyVerified);
            Assert.Equal(2, v.Arc!.Instances);
            Assert.Contains("No client IP", v.SpfNote, StringComparison.Ordinal);
            Assert.Contains(v.Findings, f => f.Id == "HDR-VERIFY-SPF-SKIPPED");
            if (!tamper)
            {
                Assert.Equal("pass", v.ArcNow);
                Assert.Equal("pass", v.DkimNow);
                Assert.Contains(v.Comparisons, c => c.Method == "dkim" && c.Subject == "d=manchego.org s=rsa" && c.Agrees == true);
                Assert.Equal(0, v.Disagreements);
            }
            else
            {
                Assert.Equal("fail", v.ArcNow);
                Assert.Equal("pass", v.Arc.SealResults.Last());
                Assert.Equal("fail", v.Arc.MessageSignatureResult);
                Assert.Equal("fail", v.DkimNow);
                Assert.Contains(v.Findings, f => f.Id == "HDR-VERIFY-DKIM-DIFFERS" && f.Subject == "d=manchego.org s=rsa");
            }
        }

        // ---- Arguments ----------------------------------------------------------------------

        [Fact]
        public async Task Arguments_are_checked()
        {
            using var dns = LoopbackDns.Start(new DnsZone());
            var report = HeaderTestSupport.Sample("spoof-dmarc-reject.txt");

            Assert.Throws<ArgumentNullException>(() => new MailHeaderVerifier(null!));
            Assert.Throws<ArgumentNullException>(() => new DnsDkimPublicKeyLocator(null!));
            Assert.Throws<ArgumentNullException>(() => new DkimMessageVerifier(null!));
            await Assert.ThrowsAsync<ArgumentNullException>(() => MailHeaderVerifier.VerifyAsync(null!, null, dns.Resolver));
            var wrongType = await Assert.ThrowsAsync<ArgumentException>(() => MailHeaderVerifier.VerifyAsync(report, 42, dns.Resolver));
            Assert.Contains("System.Int32", wrongType.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<ArgumentException>(() => MailHeaderVerifier.VerifyAsync(report, Array.Empty<byte>(), dns.Resolver));
            var locator = new DnsDkimPublicKeyLocator(dns.Resolver);
            await Assert.ThrowsAsync<ArgumentNullException>(() => locator.LookupAsync(null!, "s"));
            await Assert.ThrowsAsync<ArgumentNullException>(() => locator.LookupAsync("example.com", null!));
        }

        [Fact]
        public async Task Cancellation_is_honoured()
        {
            var zone = ExampleZone();
            zone.DefaultLatency = TimeSpan.FromMilliseconds(300);
            using var dns = LoopbackDns.Start(zone);
            var raw = SignedMessages.Build(TrustedPass, null, null, (SignedMessages.Rsa, "rsa2048"));
            var report = MailHeaderAnalyzer.AnalyzeText(raw, Keep()).Single();
            using var cts = new System.Threading.CancellationTokenSource(TimeSpan.FromMilliseconds(50));

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                new MailHeaderVerifier(dns.Resolver).VerifyAsync(report, null, cts.Token));
        }
    }
}
