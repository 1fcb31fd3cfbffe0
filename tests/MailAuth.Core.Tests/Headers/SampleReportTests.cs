using System;
using System.Linq;
using MailAuth.Headers;

namespace MailAuth.Core.Tests.Headers
{
    /// <summary>Every report field on the samples/ files; expected values read from the sample text.</summary>
    public class SampleReportTests
    {
        private static readonly DateTimeOffset s_nov16 = new DateTimeOffset(2026, 11, 16, 0, 0, 0, TimeSpan.Zero);

        [Fact]
        public void Phish_Identities()
        {
            var r = HeaderTestSupport.Sample("phish-spf-pass-unaligned.txt");
            Assert.Equal("security@example.com via Secure Portal", r.FromDisplayName);
            Assert.Equal("noreply@example.com", r.FromAddress);
            Assert.Equal("example.com", r.FromDomain);
            Assert.Equal("billing-desk@payments.example.org", r.ReplyTo);
            Assert.Equal("webmaster@s12.cpanel-host.example.org", r.ReturnPath);
            Assert.Equal("webmaster@s12.cpanel-host.example.org", r.XSender);
            // smtp.mailfrom holds only the domain (RFC 8601 §2.7.2 allows it); the Return-Path of
            // that domain gives the address with its local-part.
            Assert.Equal("webmaster@s12.cpanel-host.example.org", r.EnvelopeSender);
            Assert.Equal("s12.cpanel-host.example.org", r.EnvelopeDomain);
            Assert.Equal("smtp.mailfrom and Return-Path", r.EnvelopeSenderSource);
            Assert.Equal("s12.cpanel-host.example.org", r.MessageIdDomain);
            Assert.Equal("<a8f3c2d1e4b5@s12.cpanel-host.example.org>", r.MessageId);
            Assert.Contains("j.doe@example.net", r.To);
            Assert.Null(r.SenderHeader);
            Assert.Null(r.XOriginatingIp);

            // RFC 2047 B-encoded UTF-8 subject with an em dash.
            Assert.Equal("Action required: unusual sign-in on your account \u2014 verify today", r.Subject);
            Assert.Equal(new DateTimeOffset(2026, 11, 16, 10, 13, 51, TimeSpan.FromHours(1)), r.Date);
            Assert.False(r.HasBody);
        }

        [Fact]
        public void Phish_PasteRepairNotes()
        {
            var r = HeaderTestSupport.Sample("phish-spf-pass-unaligned.txt");
            Assert.Contains(r.InputNotes, n => n.StartsWith("Skipped 2 line(s)", StringComparison.Ordinal));
            Assert.Contains(r.InputNotes, n => n.StartsWith("Removed 4 character(s) of indentation", StringComparison.Ordinal));

            // Every field of the sample survives, in order: 5 Received + 2 A-R + Received-SPF + 23 others.
            Assert.Equal(31, r.Headers.Count);
            Assert.Equal("Received", r.Headers[0].Name);
            Assert.Equal("X-Microsoft-Antispam-Mailbox-Delivery", r.Headers[r.Headers.Count - 1].Name);
            Assert.Equal(Enumerable.Range(0, r.Headers.Count), r.Headers.Select(h => h.Index));
            Assert.Equal(2, r.GetHeaders("Authentication-Results").Count());
            Assert.StartsWith("=?UTF-8?B?", r.GetHeaders("Subject").Single().RawValue, StringComparison.Ordinal);
        }

        [Fact]
        public void Phish_HopsAndEdge()
        {
            var r = HeaderTestSupport.Sample("phish-spf-pass-unaligned.txt");
            Assert.Equal(5, r.HopCount);
            Assert.Equal(Enumerable.Range(1, 5), r.Hops.Select(h => h.Number));

            var first = r.Hops[0];
            Assert.Equal("198.51.100.77", first.FromIp);
            Assert.Equal("[192.168.1.23]", first.Helo);
            Assert.Equal("s12.cpanel-host.example.org", first.ByHost);
            Assert.Equal("ESMTPSA", first.With);
            Assert.Equal("4CxYz12AbCz9", first.Id);
            Assert.Equal("j.doe@example.net", first.For);
            Assert.True(first.Encrypted);
            Assert.Null(first.TlsVersion);
            Assert.False(first.IsInternal);

            var edge = r.EdgeHop!;
            Assert.Same(r.Hops[1], edge);
            Assert.True(edge.IsEdge);
            Assert.Equal("s12.cpanel-host.example.org", edge.FromHost);
            Assert.Equal("203.0.113.45", edge.FromIp);
            Assert.Equal("AM4PEPF00025F9A.mail.protection.outlook.com", edge.ByHost);
            Assert.Equal("10.167.16.36", edge.ByIp);
            Assert.Equal("Microsoft SMTP Server", edge.With);
            Assert.Equal("15.20.8182.9", edge.Id);
            Assert.Equal("Frontend Transport", edge.Via);
            Assert.Equal("TLS1_2", edge.TlsVersion);
            Assert.Equal("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", edge.TlsCipher);
            Assert.Equal(4, edge.DelaySeconds);
            Assert.Equal("203.0.113.45", r.ClientIP);
            Assert.Equal("s12.cpanel-host.example.org", r.Helo);

            Assert.Equal("2001:db8:20b:3c4:cafe::5b", r.Hops[2].FromIp);
            Assert.Equal("TLS1_3", r.Hops[2].TlsVersion);
            Assert.Equal("HTTPS", r.Hops[4].With);
            Assert.All(r.Hops.Skip(1), h => Assert.True(h.IsInternal));
            Assert.Equal(new DateTimeOffset(2026, 11, 16, 9, 14, 4, TimeSpan.Zero), r.Hops[4].Timestamp);
            Assert.Equal(6, r.TotalDelay);
            Assert.DoesNotContain(r.Hops, h => h.ClockSkew);
        }

        [Fact]
        public void Phish_TrustAndVerdicts()
        {
            var r = HeaderTestSupport.Sample("phish-spf-pass-unaligned.txt");
            var microsoft = r.AuthenticationResults[0];
            Assert.Null(microsoft.AuthServId);
            Assert.True(microsoft.IsTrusted);
            Assert.Equal(new[] { "spf", "dkim", "dmarc", "compauth" }, microsoft.Results.Select(x => x.Method));

            // The attacker's own Authentication-Results below the edge claims passes: not believed.
            var forged = r.AuthenticationResults[1];
            Assert.Equal("s12.cpanel-host.example.org", forged.AuthServId);
            Assert.False(forged.IsTrusted);
            Assert.Equal("pass", forged.Get("dkim").Single().Result);

            Assert.Equal("pass", r.Spf);
            Assert.Equal("none", r.Dkim);
            Assert.Equal("fail", r.Dmarc);
            Assert.Equal("fail", r.CompAuth);
            Assert.Equal("000", r.CompAuthReason);
            Assert.Equal(5, r.Scl);
            Assert.Equal(0, r.Bcl);
            Assert.Contains("outlook.com", r.ReceivingDomains);

            var spf = r.ReceivedSpf.Single();
            Assert.Equal("pass", spf.Result);
            Assert.Equal("203.0.113.45", spf.ClientIp);
            Assert.Equal("s12.cpanel-host.example.org", spf.Helo);
            Assert.Equal("protection.outlook.com", spf.Receiver);
            Assert.Equal("C", spf.Pairs["pr"]);
            Assert.StartsWith("protection.outlook.com: domain of", spf.Comment, StringComparison.Ordinal);
        }

        [Fact]
        public void Phish_Findings()
        {
            var r = HeaderTestSupport.Sample("phish-spf-pass-unaligned.txt");
            var unaligned = r.Findings.Single(f => f.Id == "HDR-SPF-UNALIGNED");
            Assert.Equal(FindingSeverity.Error, unaligned.SeverityCode);
            Assert.Contains("s12.cpanel-host.example.org", unaligned.Message);
            Assert.Contains("X-Sender webmaster@s12.cpanel-host.example.org", unaligned.Subject);
            Assert.True(r.Has("HDR-REPLYTO-DIFFERS"));
            Assert.True(r.Has("HDR-DISPLAYNAME-ADDRESS"));
            Assert.True(r.Has("HDR-DMARC-FAIL"));
            Assert.True(r.Has("HDR-DKIM-NONE"));
            Assert.True(r.Has("HDR-COMPAUTH-FAIL"));
            Assert.False(r.Has("HDR-EDGE-PRIVATE-IP"));
            Assert.False(r.Has("HDR-MULTIPLE-FROM"));
            var early = r.Findings.Single(f => f.Id == "HDR-AUTHRES-BEFORE-EDGE");
            Assert.Equal(FindingSeverity.Information, early.SeverityCode);
            Assert.Contains("spf=pass, dkim=pass", early.Message);
            Assert.Contains("s12.cpanel-host.example.org", early.Message);
            Assert.Equal(r.Findings.Count, r.FindingCount);
            Assert.Equal(FindingSeverity.Error, r.Findings[0].SeverityCode);
            Assert.StartsWith(r.Findings[0].Id + ": ", r.TopFinding, StringComparison.Ordinal);
            Assert.Null(r.Verification);
        }

        [Fact]
        public void Phish_Stamps()
        {
            var r = HeaderTestSupport.Sample("phish-spf-pass-unaligned.txt");
            MailHeaderStamp Stamp(string field) => r.Stamps.First(s => s.Header == "X-Forefront-Antispam-Report" && s.Field == field);
            Assert.Equal("203.0.113.45", Stamp("CIP").Value);
            Assert.Equal("NL", Stamp("CTRY").Value);
            Assert.Equal("SPM", Stamp("SFV").Value);
            Assert.Contains("marked the message as spam", Stamp("SFV").Meaning);
            Assert.Contains("Spoofing", Stamp("CAT").Meaning);
            Assert.Equal("INB", Stamp("DIR").Value);
            Assert.Contains("HELO", Stamp("H").Meaning);
            Assert.True(Stamp("SCL").IsKnown);
            Assert.StartsWith("https://learn.microsoft.com/", Stamp("SCL").DocumentationUrl, StringComparison.Ordinal);

            var ara = r.Stamps.Single(s => s.Header == "X-Microsoft-Antispam" && s.Field == "ARA");
            Assert.Equal("unknown (13230040|4022899009|8096899003)", ara.Meaning);
            Assert.False(ara.IsKnown);

            Assert.Equal("Anonymous", r.Stamps.Single(s => s.Field == "AuthAs").Value);
            Assert.Equal("Incoming", r.Stamps.Single(s => s.Field == "MessageDirectionality").Value);
            Assert.Equal("AM4PEPF00025F9A.eurprd05.prod.outlook.com", r.Stamps.Single(s => s.Field == "AuthSource").Value);
            var reason = r.Stamps.Single(s => s.Field == "compauth reason");
            Assert.Equal("000", reason.Value);
            Assert.Contains("DMARC failed", reason.Meaning);
        }

        [Fact]
        public void M365Clean_SummaryAndBody()
        {
            var r = HeaderTestSupport.Sample("m365-clean-inbound.txt");
            Assert.Equal("Example Invoicing <invoices@example.com>", r.From);
            Assert.Equal("example.com", r.FromDomain);
            Assert.Equal("bounces@mail.example.com", r.ReturnPath);
            Assert.Equal("mail.example.com", r.EnvelopeDomain);
            Assert.Equal("198.51.100.25", r.ClientIP);
            Assert.Equal("mx-out1.example.com", r.Helo);
            Assert.Equal("pass", r.Spf);
            Assert.Equal("pass", r.Dkim);
            Assert.Equal("pass", r.Dmarc);
            Assert.Equal("pass", r.CompAuth);
            Assert.Equal("100", r.CompAuthReason);
            Assert.Equal(1, r.Scl);
            Assert.Equal(5, r.HopCount);
            Assert.Equal(3, r.TotalDelay);
            Assert.Equal(0, r.FindingCount);
            Assert.Null(r.TopFinding);
            Assert.True(r.HasBody);
            Assert.Empty(r.InputNotes);
            Assert.Equal("Invoice 2026-1142 for October", r.Subject);
            Assert.Equal("app01.internal.example.com", r.MessageIdDomain);
            Assert.Equal(26, r.Headers.Count);
        }

        [Fact]
        public void M365Clean_PostfixTlsAndInnerPrivateHop()
        {
            var r = HeaderTestSupport.Sample("m365-clean-inbound.txt");
            var first = r.Hops[0];
            Assert.Equal("app01.internal.example.com", first.FromHost);
            Assert.Equal("app01.internal.example.com", first.FromReverseDns);
            Assert.Equal("10.20.30.40", first.FromIp);
            Assert.Equal("TLSv1.3", first.TlsVersion);
            Assert.Equal("TLS_AES_256_GCM_SHA384", first.TlsCipher);
            Assert.Equal("m.rossi@example.net", first.For);

            // A private address on the sender's inside is normal; only the edge matters.
            Assert.False(r.Has("HDR-EDGE-PRIVATE-IP"));
            Assert.Same(r.Hops[1], r.EdgeHop);
        }

        [Fact]
        public void M365Clean_DkimTags()
        {
            var r = HeaderTestSupport.Sample("m365-clean-inbound.txt");
            var sig = r.DkimSignatures.Single();
            Assert.Equal("1", sig.Version);
            Assert.Equal("rsa-sha256", sig.Algorithm);
            Assert.Equal("relaxed/relaxed", sig.Canonicalization);
            Assert.Equal("example.com", sig.Domain);
            Assert.Equal("mail2026", sig.Selector);
            Assert.Equal(new[] { "From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type" }, sig.SignedHeaders);
            Assert.Equal("2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=", sig.BodyHash);
            Assert.Equal(new DateTimeOffset(2026, 11, 16, 8, 30, 2, TimeSpan.Zero), sig.Timestamp);
            Assert.Equal(new DateTimeOffset(2026, 11, 23, 8, 30, 2, TimeSpan.Zero), sig.Expiration);
            Assert.Null(sig.BodyLength);
            Assert.True(sig.AlignedWithFrom);

            // b= was folded over two lines; its white space is not part of the value.
            Assert.DoesNotContain(" ", sig.Tags["b"]);
            Assert.EndsWith("Zm9yIHRoZSBwdXJwb3NlIG9mIHRoaXMgc2FtcGxl", sig.Tags["b"], StringComparison.Ordinal);
        }

        [Fact]
        public void GmailToExchange_ArcSetsInInstanceOrder()
        {
            var r = HeaderTestSupport.Sample("gmail-to-exchange-arc.txt");
            Assert.Equal(new[] { 1, 2 }, r.ArcSets.Select(a => a.Instance));
            var google = r.ArcSets[0];
            Assert.Equal("none", google.ChainValidation);
            Assert.Equal("google.com", google.SealDomain);
            Assert.Equal("google.com", google.SignatureDomain);
            Assert.Equal("mx.google.com", google.AuthServId);
            Assert.True(google.IsComplete);
            Assert.Equal("arc-20240605", google.Seal!["s"]);
            Assert.Equal("alice@example.org", google.AuthenticationResultsHeader!.Get("spf").Single().GetProperty("smtp.mailfrom"));

            var microsoft = r.ArcSets[1];
            Assert.Equal("pass", microsoft.ChainValidation);
            Assert.Equal("microsoft.com", microsoft.SealDomain);
            Assert.Equal("mx.microsoft.com", microsoft.AuthServId);
            Assert.Equal("1", microsoft.AuthenticationResultsHeader!.Version);
            Assert.Equal("pass", microsoft.AuthenticationResultsHeader.Get("arc").Single().Result);
            Assert.False(microsoft.AuthenticationResultsHeader.IsTrusted);
            Assert.False(r.Has("HDR-ARC-INCOMPLETE"));
        }

        [Fact]
        public void GmailToExchange_HopsAndVerdicts()
        {
            var r = HeaderTestSupport.Sample("gmail-to-exchange-arc.txt");
            Assert.Equal(5, r.HopCount);
            Assert.Equal("2001:db8:6a10:9e0a:b0:5c7:1a2b:3c4d", r.Hops[0].ByIp);
            Assert.Null(r.Hops[0].ByHost);
            Assert.Equal("HTTP", r.Hops[0].With);
            Assert.Equal("mail-ed1-f54.google.com", r.Hops[1].ByHost);
            Assert.Equal("bob@example.net", r.Hops[1].For);
            Assert.Equal(new DateTimeOffset(2026, 11, 16, 9, 5, 11, TimeSpan.Zero), r.Hops[1].Timestamp);

            Assert.Same(r.Hops[2], r.EdgeHop);
            Assert.Equal("198.51.100.54", r.ClientIP);
            Assert.Equal("mail-ed1-f54.google.com", r.Helo);
            Assert.Equal(3, r.TotalDelay);

            Assert.Equal("pass", r.Spf);
            Assert.Equal("pass", r.Dkim);
            Assert.Equal("pass", r.Dmarc);
            Assert.Equal("pass", r.CompAuth);
            Assert.Null(r.Arc);
            Assert.Equal("Re: Budget f\u00fcr 2027", r.Subject);
            Assert.Equal("mail.gmail.com", r.MessageIdDomain);
            Assert.Equal("Alice Example", r.FromDisplayName);
            Assert.Empty(r.Findings);

            var sig = r.DkimSignatures.Single();
            Assert.Equal("example.org", sig.Domain);
            Assert.Equal(13, sig.SignedHeaders.Count);
            Assert.Equal(":date", sig.Tags["h"].Substring(sig.Tags["h"].IndexOf(":date", StringComparison.Ordinal), 5));
        }

        [Fact]
        public void MailingList_GmailShowOriginalPaste()
        {
            var r = HeaderTestSupport.Sample("mailing-list-dkim-broken.txt");

            // The summary table above the raw message (From/To/Subject/SPF/DKIM/DMARC) is not the header.
            Assert.Equal("Delivered-To", r.Headers[0].Name);
            Assert.Contains(r.InputNotes, n => n.StartsWith("Skipped 12 line(s)", StringComparison.Ordinal));
            Assert.Single(r.GetHeaders("From"));
            Assert.True(r.HasBody);

            Assert.Equal("dev-bounces+dave=example.net@lists.example.org", r.EnvelopeSender);
            Assert.Equal("lists.example.org", r.EnvelopeDomain);
            Assert.Equal("203.0.113.80", r.ClientIP);
            Assert.Equal("mail.lists.example.org", r.Helo);
            Assert.Equal("mail.lists.example.org", r.EdgeHop!.FromReverseDns);
            Assert.Equal("mx.google.com", r.EdgeHop.ByHost);
            Assert.Equal("TLS1_3", r.EdgeHop.TlsVersion);
            Assert.Equal("TLS_AES_256_GCM_SHA384", r.EdgeHop.TlsCipher);
            Assert.Equal(new[] { "mx.google.com" }, r.TrustedAuthServIds);
            Assert.Contains("google.com", r.ReceivingDomains);

            Assert.Equal("pass", r.Spf);
            Assert.Equal("pass", r.Dkim);
            Assert.Equal("fail", r.Dmarc);
            Assert.Equal("pass", r.Arc);
            Assert.Null(r.CompAuth);
            Assert.Null(r.Scl);
            Assert.Equal(5, r.TotalDelay);
            Assert.Equal("127.0.0.1", r.Hops[2].FromIp);
        }

        [Fact]
        public void MailingList_DkimBrokenAndUnaligned()
        {
            var r = HeaderTestSupport.Sample("mailing-list-dkim-broken.txt");
            var trusted = r.AuthenticationResults.Single(a => a.IsTrusted);
            Assert.Equal("Authentication-Results", trusted.HeaderName);
            var dkim = trusted.Get("dkim").ToList();
            Assert.Equal(2, dkim.Count);
            Assert.Equal("fail", dkim[0].Result);
            Assert.Equal("@example.com", dkim[0].GetProperty("header.i"));
            Assert.Equal("sel2026", dkim[0].GetProperty("header.s"));
            Assert.Equal("pass", dkim[1].Result);
            Assert.Equal("p=NONE sp=NONE dis=NONE arc=pass", trusted.Get("dmarc").Single().Comment);
            Assert.Equal("dev-bounces+dave=example.net@lists.example.org", trusted.Get("spf").Single().GetProperty("smtp.mailfrom"));

            Assert.True(r.Has("HDR-DKIM-FAIL"));
            Assert.True(r.Has("HDR-DKIM-UNALIGNED"));
            Assert.True(r.Has("HDR-SPF-UNALIGNED"));
            Assert.True(r.Has("HDR-DMARC-FAIL"));
            Assert.True(r.Has("HDR-DKIM-BODY-LENGTH"));
            Assert.False(r.Has("HDR-REPLYTO-DIFFERS"));

            var original = r.DkimSignatures.Single(s => s.Domain == "example.com");
            Assert.Equal(1480, original.BodyLength);
            Assert.Equal("relaxed/simple", original.Canonicalization);
            Assert.True(original.AlignedWithFrom);
            Assert.False(r.DkimSignatures.Single(s => s.Domain == "lists.example.org").AlignedWithFrom);

            Assert.Equal(new[] { 1, 2 }, r.ArcSets.Select(a => a.Instance));
            Assert.Equal("lists.example.org", r.ArcSets[0].SealDomain);
        }

        [Fact]
        public void Spoof_RejectedByDmarc()
        {
            var r = HeaderTestSupport.Sample("spoof-dmarc-reject.txt");
            Assert.Equal(2, r.HopCount);
            Assert.Same(r.Hops[0], r.EdgeHop);
            Assert.Equal("203.0.113.200", r.ClientIP);
            Assert.Equal("mail.example.com", r.Helo);
            Assert.Null(r.EdgeHop!.FromReverseDns);
            Assert.Equal(new[] { "example.net" }, r.ReceivingDomains);
            Assert.Equal(new[] { "mx1.example.net" }, r.TrustedAuthServIds);
            Assert.All(r.AuthenticationResults, a => Assert.True(a.IsTrusted));

            Assert.Equal("fail", r.Spf);
            Assert.Equal("none", r.Dkim);
            Assert.Equal("fail", r.Dmarc);
            Assert.Equal("ceo@example.com", r.EnvelopeSender);
            Assert.Equal("mail.example.com", r.AuthenticationResults[1].Results[0].GetProperty("smtp.helo"));
            Assert.Equal("p=reject dis=reject", r.AuthenticationResults[0].Results[0].Comment);
            Assert.Equal("neutral", r.AuthenticationResults[2].Get("dkim-atps").Single().Result);

            var spf = r.ReceivedSpf.Single();
            Assert.Equal("fail", spf.Result);
            Assert.Equal("ceo@example.com", spf.EnvelopeFrom);
            Assert.Equal("mailfrom", spf.Pairs["identity"]);

            Assert.Equal("HDR-DMARC-FAIL", r.Findings[0].Id);
            Assert.True(r.Has("HDR-REPLYTO-DIFFERS"));
            Assert.True(r.Has("HDR-DKIM-NONE"));
            Assert.False(r.Has("HDR-SPF-UNALIGNED"));
            Assert.Equal("vps-203-0-113-200.example.org", r.MessageIdDomain);
            Assert.Equal("DMARC policy reject for example.com", r.GetHeaders("X-Quarantine-Reason").Single().Value);
        }

        [Theory]
        [InlineData("phish-spf-pass-unaligned.txt")]
        [InlineData("m365-clean-inbound.txt")]
        [InlineData("gmail-to-exchange-arc.txt")]
        [InlineData("mailing-list-dkim-broken.txt")]
        [InlineData("spoof-dmarc-reject.txt")]
        public void FileInput_EqualsTextInput(string name)
        {
            var fromText = HeaderTestSupport.Sample(name);
            var fromFile = MailHeaderAnalyzer.AnalyzeFile(HeaderTestSupport.SamplePath(name), HeaderTestSupport.Options()).Single();
            Assert.Equal(HeaderTestSupport.SamplePath(name), fromFile.Source);
            Assert.Equal(fromText.Headers.Select(h => h.Name + "|" + h.Value), fromFile.Headers.Select(h => h.Name + "|" + h.Value));
            Assert.Equal(fromText.Findings.Select(f => f.Id), fromFile.Findings.Select(f => f.Id));
            Assert.Equal(fromText.ClientIP, fromFile.ClientIP);
            Assert.True(fromText.Date > s_nov16);
        }
    }
}
