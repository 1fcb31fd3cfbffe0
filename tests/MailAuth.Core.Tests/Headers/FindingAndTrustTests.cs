using System;
using System.Linq;
using MailAuth.Names;
using MailAuth.Headers;

namespace MailAuth.Core.Tests.Headers
{
    /// <summary>Findings, the edge-hop heuristic and the trust rules on small hand-made headers.</summary>
    public class FindingAndTrustTests
    {
        private static string Chain(string edgeClient, string edgeTime = "Mon, 16 Nov 2026 09:00:05 +0000",
            string innerTime = "Mon, 16 Nov 2026 09:00:06 +0000", string senderTime = "Mon, 16 Nov 2026 09:00:00 +0000") =>
            $"Received: from mx1.example.net (mx1.example.net [192.0.2.25]) by mbox.example.net with ESMTP id 2; {innerTime}\n" +
            "Authentication-Results: mx1.example.net; spf=pass smtp.mailfrom=bounce@example.com; dkim=pass header.d=example.com; dmarc=pass header.from=example.com\n" +
            $"Received: from out.example.com (out.example.com [{edgeClient}]) by mx1.example.net with ESMTPS id 1; {edgeTime}\n" +
            $"Received: from app.example.com (app.example.com [10.9.8.7]) by out.example.com with ESMTP id 0; {senderTime}\n";

        private const string Identity = "From: Alice <alice@example.com>\nTo: bob@example.net\nSubject: s\nDate: Mon, 16 Nov 2026 09:59:59 +0100\nMessage-ID: <x@example.com>\n";

        [Fact]
        public void CleanChain_HasNoWarnings()
        {
            var r = HeaderTestSupport.Single(Chain("198.51.100.9") + Identity);
            Assert.Equal("198.51.100.9", r.ClientIP);
            Assert.Equal("out.example.com", r.Helo);
            Assert.Equal(new[] { "mx1.example.net" }, r.TrustedAuthServIds);
            Assert.DoesNotContain(r.Findings, f => f.SeverityCode != FindingSeverity.Information);
            Assert.Equal(6, r.TotalDelay);
        }

        [Theory]
        [InlineData("10.1.2.3")]
        [InlineData("192.168.0.9")]
        [InlineData("172.20.0.1")]
        [InlineData("127.0.0.1")]
        [InlineData("100.64.1.1")]
        [InlineData("169.254.10.10")]
        [InlineData("IPv6:fd00::1")]
        [InlineData("IPv6:fe80::1")]
        [InlineData("IPv6:::1")]
        [InlineData("IPv6:::ffff:10.0.0.1")]
        [InlineData("240.0.0.1")]
        public void PrivateOrReservedEdge_IsFlagged(string literal)
        {
            var r = HeaderTestSupport.Single(Chain(literal) + Identity);
            Assert.True(r.Has("HDR-EDGE-PRIVATE-IP"), literal);
        }

        [Fact]
        public void ClockSkew_NegativeDelayIsFlagged()
        {
            // The edge is stamped 10 minutes before the sender's own hop.
            var r = HeaderTestSupport.Single(Chain("198.51.100.9", edgeTime: "Mon, 16 Nov 2026 08:50:00 +0000") + Identity);
            var edge = r.EdgeHop!;
            Assert.True(edge.ClockSkew);
            Assert.Equal(-600, edge.DelaySeconds);
            var finding = r.Findings.Single(f => f.Id == "HDR-HOP-CLOCK-SKEW");
            Assert.Equal(FindingSeverity.Warning, finding.SeverityCode);
            Assert.Contains("600", finding.Message);
        }

        [Fact]
        public void SmallClockSkew_IsOnlyInformation()
        {
            var r = HeaderTestSupport.Single(Chain("198.51.100.9", edgeTime: "Mon, 16 Nov 2026 08:59:58 +0000") + Identity);
            Assert.Equal(FindingSeverity.Information, r.Findings.Single(f => f.Id == "HDR-HOP-CLOCK-SKEW").SeverityCode);
        }

        [Fact]
        public void LargeDelay_IsReported()
        {
            var r = HeaderTestSupport.Single(Chain("198.51.100.9", edgeTime: "Mon, 16 Nov 2026 12:00:00 +0000", innerTime: "Mon, 16 Nov 2026 12:00:01 +0000") + Identity);
            Assert.Contains(r.Findings, f => f.Id == "HDR-HOP-DELAY" && f.Message.Contains("03:00:00"));
            Assert.Equal(3 * 3600 + 1, r.TotalDelay);
        }

        [Fact]
        public void FutureDates_AreReported()
        {
            var text = Chain("198.51.100.9", innerTime: "Tue, 01 Jan 2030 00:00:00 +0000") + Identity.Replace("Mon, 16 Nov 2026 09:59:59 +0100", "Tue, 01 Jan 2030 00:00:00 +0000");
            var r = HeaderTestSupport.Single(text);
            Assert.Equal(2, r.Findings.Count(f => f.Id == "HDR-FUTURE-DATE"));

            // Judged in 2031 no hop is in the future, but the Date is still years after the edge
            // hop took the message (RFC 5322 §3.6.1: the author's time cannot be later).
            var later = HeaderTestSupport.Options();
            later.Now = new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var judgedLater = HeaderTestSupport.Single(text, later);
            var date = judgedLater.Findings.Single(f => f.Id == "HDR-FUTURE-DATE");
            Assert.Contains("after the receiving organization took the message", date.Message);
            Assert.Equal(FindingSeverity.Warning, date.SeverityCode);
        }

        [Theory]
        [InlineData("Mon, 16 Nov 2026 09:15:05 +0000", false)] // 15 minutes after the edge: clock tolerance
        [InlineData("Mon, 16 Nov 2026 09:15:07 +0000", true)]
        [InlineData("Mon, 16 Nov 2026 12:00:05 +0300", false)] // the same instant as the edge, another zone
        [InlineData("Mon, 16 Nov 2026 11:00:05 +0000", true)]  // a wrong zone: two hours ahead
        public void FutureDate_IsMeasuredFromTheEdgeHop(string date, bool expected)
        {
            var r = HeaderTestSupport.Single(Chain("198.51.100.9") + Identity.Replace("Mon, 16 Nov 2026 09:59:59 +0100", date));
            Assert.Equal(expected, r.Has("HDR-FUTURE-DATE"));
        }

        [Fact]
        public void MultipleFrom_IsAnError()
        {
            var r = HeaderTestSupport.Single(Chain("198.51.100.9") + Identity + "From: CEO <ceo@example.org>\n");
            var finding = r.Findings.Single(f => f.Id == "HDR-MULTIPLE-FROM");
            Assert.Equal(FindingSeverity.Error, finding.SeverityCode);
            Assert.Contains("ceo@example.org", finding.Subject);
            Assert.Equal("alice@example.com", r.FromAddress);
        }

        [Fact]
        public void NoFrom_IsAWarning()
        {
            var r = HeaderTestSupport.Single("Subject: hi\nTo: bob@example.net\n");
            Assert.True(r.Has("HDR-NO-FROM"));
            Assert.Null(r.FromDomain);
        }

        [Fact]
        public void DisplayNameWithTheSameAddress_IsNotFlagged()
        {
            var r = HeaderTestSupport.Single("From: \"alice@example.com\" <Alice@Example.com>\n");
            Assert.False(r.Has("HDR-DISPLAYNAME-ADDRESS"));
            var other = HeaderTestSupport.Single("From: \"alice@example.com\" <x@example.org>\n");
            Assert.True(other.Has("HDR-DISPLAYNAME-ADDRESS"));
        }

        [Fact]
        public void ReplyToInTheSameOrganizationalDomain_IsNotFlagged()
        {
            var r = HeaderTestSupport.Single("From: a@mail.example.co.uk\nReply-To: b@support.example.co.uk\n");
            Assert.False(r.Has("HDR-REPLYTO-DIFFERS"));
            var other = HeaderTestSupport.Single("From: a@mail.example.co.uk\nReply-To: b@other.co.uk\n");
            Assert.True(other.Has("HDR-REPLYTO-DIFFERS"));
        }

        [Fact]
        public void SpfPassUnaligned_WithAlignedDkimOrDmarcPass_IsOnlyInformation()
        {
            // Forwarders, lists and ESPs: the envelope is someone else's, an aligned DKIM
            // signature (and so DMARC) vouches for the From domain.
            var text = Chain("198.51.100.9").Replace("smtp.mailfrom=bounce@example.com", "smtp.mailfrom=bounce@esp.example.org") + Identity;
            var r = HeaderTestSupport.Single(text);
            Assert.Equal(FindingSeverity.Information, r.Findings.Single(f => f.Id == "HDR-SPF-UNALIGNED").SeverityCode);
            Assert.Equal("esp.example.org", r.EnvelopeDomain);

            // The receiver's dmarc=pass alone (the signature's domain not recorded) is enough.
            var dmarcOnly = HeaderTestSupport.Single(text.Replace("dkim=pass header.d=example.com", "dkim=pass header.d=esp.example.org"));
            Assert.Equal(FindingSeverity.Information, dmarcOnly.Findings.Single(f => f.Id == "HDR-SPF-UNALIGNED").SeverityCode);

            // Nothing aligned: an error.
            var nothing = HeaderTestSupport.Single(text.Replace("dkim=pass header.d=example.com", "dkim=pass header.d=esp.example.org").Replace("dmarc=pass", "dmarc=fail"));
            Assert.Equal(FindingSeverity.Error, nothing.Findings.Single(f => f.Id == "HDR-SPF-UNALIGNED").SeverityCode);
        }

        [Fact]
        public void DmarcNone_IsAWarning()
        {
            var text = Chain("198.51.100.9").Replace("dmarc=pass", "dmarc=none") + Identity;
            Assert.True(HeaderTestSupport.Single(text).Has("HDR-DMARC-NONE"));
        }

        [Fact]
        public void ForgedResultsBelowTheEdge_AreNotTrusted()
        {
            // Same authserv-id as the receiver, but written into the message before it arrived.
            var text = Chain("198.51.100.9").Replace("dmarc=pass", "dmarc=fail")
                + "Authentication-Results: mx1.example.net; dmarc=pass header.from=example.com\n" + Identity;
            var r = HeaderTestSupport.Single(text);
            Assert.Equal("fail", r.Dmarc);
            Assert.False(r.AuthenticationResults[1].IsTrusted);
            Assert.Contains("below the edge", r.AuthenticationResults[1].TrustReason);
            var forged = r.Findings.Single(f => f.Id == "HDR-AUTHRES-BEFORE-EDGE");
            Assert.Equal(FindingSeverity.Warning, forged.SeverityCode);
            Assert.Contains("forgery", forged.Message);
        }

        [Fact]
        public void ForeignAuthServId_AboveTheEdge_IsNotTrusted()
        {
            var text = Chain("198.51.100.9").Replace("Authentication-Results: mx1.example.net;", "Authentication-Results: relay.example.org;") + Identity;
            var r = HeaderTestSupport.Single(text);
            Assert.False(r.AuthenticationResults.Single().IsTrusted);
            Assert.Null(r.Spf);
            Assert.True(r.Has("HDR-NO-TRUSTED-AUTHRES"));
        }

        [Fact]
        public void TrustedAuthServIdsOption_OverridesInference()
        {
            var options = HeaderTestSupport.Options();
            options.TrustedAuthServIds = new[] { "relay.example.org" };
            var text = Chain("198.51.100.9").Replace("Authentication-Results: mx1.example.net;", "Authentication-Results: relay.example.org;") + Identity;
            var r = HeaderTestSupport.Single(text, options);
            Assert.True(r.AuthenticationResults.Single().IsTrusted);
            Assert.Equal("pass", r.Spf);
            Assert.Equal(new[] { "relay.example.org" }, r.TrustedAuthServIds);

            var spoof = HeaderTestSupport.ReadSample("spoof-dmarc-reject.txt");
            var none = HeaderTestSupport.Single(spoof, options);
            Assert.All(none.AuthenticationResults, a => Assert.False(a.IsTrusted));
            Assert.Null(none.Dmarc);
        }

        [Fact]
        public void NoReceivedChain_NothingIsTrustedWithoutTheOption()
        {
            var text = "Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=example.com\nFrom: a@example.com\n";
            var r = HeaderTestSupport.Single(text);
            Assert.Null(r.EdgeHop);
            Assert.False(r.AuthenticationResults.Single().IsTrusted);
            Assert.Contains("TrustedAuthServIds", r.AuthenticationResults.Single().TrustReason);

            var options = HeaderTestSupport.Options();
            options.TrustedAuthServIds = new[] { "MX.EXAMPLE.NET" };
            Assert.Equal("pass", HeaderTestSupport.Single(text, options).Spf);
        }

        [Fact]
        public void ReceivingDomainsOption_MovesTheEdgeInward()
        {
            // Hybrid: the message passes the organization's own gateway (example.net) and then
            // Microsoft 365; by default the last step inside Microsoft looks like the edge.
            var text =
                "Received: from gw.example.net (203.0.113.7) by AB1PR01MB0001.eurprd01.prod.outlook.com with Microsoft SMTP Server id 15.20.1.1; Mon, 16 Nov 2026 09:00:03 +0000\n" +
                "Received: from out.example.com (out.example.com [198.51.100.9]) by gw.example.net with ESMTPS id 1; Mon, 16 Nov 2026 09:00:01 +0000\n" +
                "From: a@example.com\n";
            var plain = HeaderTestSupport.Single(text);
            Assert.Equal("203.0.113.7", plain.ClientIP);

            var options = HeaderTestSupport.Options();
            options.ReceivingDomains = new[] { "example.net" };
            var hybrid = HeaderTestSupport.Single(text, options);
            Assert.Equal("198.51.100.9", hybrid.ClientIP);
            Assert.Equal(1, hybrid.EdgeHop!.Number);
        }

        [Fact]
        public void HybridOnPremises_ReceivingDomainsBringsTheMicrosoftFamily()
        {
            // Microsoft 365 filtered the message, then relayed it to the on-premises Exchange.
            var text =
                "Received: from mail-am7eur03on2101.outbound.protection.outlook.com (198.51.100.101) by EXCH01.example.net (192.0.2.5) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.1544.4; Mon, 16 Nov 2026 09:00:04 +0000\n" +
                "Received: from AB1PR01MB0001.eurprd01.prod.outlook.com (2001:db8::1) by AB1PR01MB0002.eurprd01.prod.outlook.com with Microsoft SMTP Server id 15.20.1.1; Mon, 16 Nov 2026 09:00:03 +0000\n" +
                "Authentication-Results: spf=pass (sender IP is 203.0.113.9) smtp.mailfrom=example.com; dkim=pass header.d=example.com;dmarc=pass action=none header.from=example.com;compauth=pass reason=100\n" +
                "Received: from out.example.com (203.0.113.9) by AB1PEPF0001.mail.protection.outlook.com (10.1.1.1) with Microsoft SMTP Server id 15.20.1.1 via Frontend Transport; Mon, 16 Nov 2026 09:00:02 +0000\n" +
                "From: a@example.com\n";
            var plain = HeaderTestSupport.Single(text);
            Assert.Equal("198.51.100.101", plain.ClientIP);
            Assert.Null(plain.Spf);

            var options = HeaderTestSupport.Options();
            options.ReceivingDomains = new[] { "example.net", "outlook.com" };
            var hybrid = HeaderTestSupport.Single(text, options);
            Assert.Equal("203.0.113.9", hybrid.ClientIP);
            Assert.Equal("out.example.com", hybrid.Helo);
            Assert.Equal("pass", hybrid.Spf);
            Assert.Equal("pass", hybrid.CompAuth);
            Assert.Contains("office365.com", hybrid.ReceivingDomains);
        }

        [Fact]
        public void OrganizationalDomainProvider_IsTheAlignmentSeam()
        {
            var options = HeaderTestSupport.Options();
            options.OrganizationalDomainProvider = new EverythingIsOneOrg();
            var r = HeaderTestSupport.Single(HeaderTestSupport.ReadSample("phish-spf-pass-unaligned.txt"), options);
            Assert.False(r.Has("HDR-SPF-UNALIGNED"));
            Assert.False(r.Has("HDR-REPLYTO-DIFFERS"));
        }

        [Theory]
        [InlineData("example.com", "example.com")]
        [InlineData("a.b.example.com", "example.com")]
        [InlineData("mail.example.co.uk", "example.co.uk")]
        [InlineData("EXAMPLE.COM.", "example.com")]
        [InlineData("com", "com")]
        [InlineData("x.com.au", "x.com.au")]
        [InlineData("docs.contoso.github.io", "contoso.github.io")]
        [InlineData("www.city.kawasaki.jp", "city.kawasaki.jp")]
        public void OrganizationalDomain_from_the_public_suffix_list(string domain, string expected)
        {
            Assert.Equal(expected, MailAuth.Names.OrganizationalDomainService.Embedded.FromPublicSuffixList(domain));
        }

        [Fact]
        public void OrganizationalDomain_RejectsNull()
        {
            Assert.Throws<ArgumentNullException>(() => MailAuth.Names.OrganizationalDomainService.Embedded.FromPublicSuffixList(null!));
        }

        private sealed class EverythingIsOneOrg : IOrganizationalDomainProvider
        {
            public string GetOrganizationalDomain(string domain) => "one.example";
        }

        private const string ListEdge =
            "Received: from mail.lists.example.org (mail.lists.example.org [203.0.113.40]) by mx1.example.net with ESMTPS id 1; Mon, 16 Nov 2026 09:00:05 +0000\n";

        [Fact]
        public void BrokenSignature_BesideAnAlignedPass_IsOnlyInformation()
        {
            var r = HeaderTestSupport.Single(
                "Authentication-Results: mx1.example.net; spf=pass smtp.mailfrom=discuss-bounces@lists.example.org; dkim=pass header.d=lists.example.org; dkim=fail header.d=example.com; dmarc=pass header.from=lists.example.org\n" +
                ListEdge + "From: Alice via Discuss <discuss@lists.example.org>\nList-Post: <mailto:discuss@lists.example.org>\nReply-To: Alice <alice@example.com>\n");
            var fail = r.Findings.Single(f => f.Id == "HDR-DKIM-FAIL");
            Assert.Equal(FindingSeverity.Information, fail.SeverityCode);
            Assert.Contains("still authenticates lists.example.org", fail.Message);

            // Mailman's munge_from: the author in Reply-To of a From the list rewrote is no alarm.
            Assert.Equal(FindingSeverity.Information, r.Findings.Single(f => f.Id == "HDR-REPLYTO-DIFFERS").SeverityCode);
        }

        [Fact]
        public void BrokenSignature_WithNothingAligned_IsAWarning()
        {
            var r = HeaderTestSupport.Single(
                "Authentication-Results: mx1.example.net; spf=pass smtp.mailfrom=bounce@lists.example.org; dkim=fail header.d=example.com; dmarc=fail header.from=example.com\n" +
                ListEdge + "From: Alice <alice@example.com>\nReply-To: Other <other@example.org>\n");
            Assert.Equal(FindingSeverity.Warning, r.Findings.Single(f => f.Id == "HDR-DKIM-FAIL").SeverityCode);
            Assert.Equal(FindingSeverity.Warning, r.Findings.Single(f => f.Id == "HDR-REPLYTO-DIFFERS").SeverityCode);
        }

        [Fact]
        public void DkimPassWithoutADomain_IsNotCalledUnaligned()
        {
            // Zoho: "dkim=pass;" with neither header.d nor header.i.
            var r = HeaderTestSupport.Single(
                "Authentication-Results: mx1.example.net; dkim=pass; spf=pass smtp.mailfrom=alice@example.com; dmarc=pass(p=reject dis=none)  header.from=example.com\n" +
                ListEdge + "From: Alice <alice@example.com>\n");
            Assert.False(r.Has("HDR-DKIM-UNALIGNED"));
            Assert.Equal("reject", r.DmarcPolicy);
            Assert.Equal("pass", r.Dmarc);
        }

        [Fact]
        public void UnalignedDkim_WhenDmarcPassedThroughSpf_IsOnlyInformation()
        {
            var r = HeaderTestSupport.Single(
                "Authentication-Results: mx1.example.net; dkim=pass header.d=esp.example.org; spf=pass smtp.mailfrom=bounce@example.com; dmarc=pass header.from=example.com\n" +
                ListEdge + "From: Alice <alice@example.com>\n");
            Assert.Equal(FindingSeverity.Information, r.Findings.Single(f => f.Id == "HDR-DKIM-UNALIGNED").SeverityCode);
        }
    }
}
