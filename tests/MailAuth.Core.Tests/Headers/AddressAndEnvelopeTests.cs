using System;
using System.Linq;
using System.Text;
using MailAuth.Headers;

namespace MailAuth.Core.Tests.Headers
{
    /// <summary>
    /// RFC 5322 §3.4 first, RFC 2047 after: the address comes from the field as written, and a
    /// decoded display name never changes it; the envelope sender is an address where one was recorded.
    /// </summary>
    public class AddressAndEnvelopeTests
    {
        private const string Edge =
            "Received: from out.example.org (out.example.org [198.51.100.9]) by mx.example.net (Postfix) with ESMTPS id 1; Mon, 16 Nov 2026 09:00:07 +0000\n";

        private static string B(string text) => "=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(text)) + "?=";

        [Fact]
        public void EncodedDisplayNameHoldingAnAddress_DoesNotChangeTheAddress_AndIsTheSpoofFinding()
        {
            var r = HeaderTestSupport.Single(Edge + "From: " + B("Woodgrove Bank <security@woodgrovebank.example>") + " <attacker@evil.example>\n");
            Assert.Equal("attacker@evil.example", r.FromAddress);
            Assert.Equal("evil.example", r.FromDomain);
            Assert.Equal("Woodgrove Bank <security@woodgrovebank.example>", r.FromDisplayName);
            var spoof = r.Findings.Single(f => f.Id == "HDR-DISPLAYNAME-ADDRESS");
            Assert.Equal(FindingSeverity.Warning, spoof.SeverityCode);
            Assert.Contains("security@woodgrovebank.example", spoof.Message);
            Assert.Contains("RFC 2047", spoof.Message);
        }

        [Fact]
        public void QuotedPrintableEncodedWord_AndSeveralWords_AreDecodedInTheNameOnly()
        {
            var r = HeaderTestSupport.Single(Edge + "From: =?iso-8859-1?Q?Z=FCrich_Bank?= =?us-ascii?Q?_=3Csupport=40bank.example=3E?= <noreply@mailer.example>\n");
            Assert.Equal("noreply@mailer.example", r.FromAddress);
            Assert.Equal("Zürich Bank <support@bank.example>", r.FromDisplayName);
            Assert.True(r.Has("HDR-DISPLAYNAME-ADDRESS"));
        }

        [Theory]
        [InlineData("From: \"PayPal.example Service\" <service@paypal-billing.example>\n", true)]
        [InlineData("From: \"Contoso.com Support\" <help@contoso.com>\n", false)]
        [InlineData("From: \"Help at support.contoso.com\" <help@contoso.com>\n", false)]
        [InlineData("From: \"J.R.R. Tolkien\" <jrr@example.org>\n", false)]
        [InlineData("From: \"Version 2.1 release\" <news@example.org>\n", false)]
        public void DomainInTheDisplayName_OfAnotherOrganization_IsTheSpoofFinding(string from, bool expected)
        {
            Assert.Equal(expected, HeaderTestSupport.Single(Edge + from).Has("HDR-DISPLAYNAME-ADDRESS"));
        }

        [Fact]
        public void AtSignInAnUnquotedDisplayName_TheAngleAddressIsTheMailbox()
        {
            var r = HeaderTestSupport.Single(Edge + "From: purchasing@supplier.example <do-not-reply@agency.example>\n");
            Assert.Equal("do-not-reply@agency.example", r.FromAddress);
            Assert.Equal("agency.example", r.FromDomain);
            Assert.True(r.Has("HDR-DISPLAYNAME-ADDRESS"));
        }

        [Fact]
        public void ListThatRewroteFrom_KeepsTheAuthorInReplyTo_IsOnlyNoted()
        {
            var r = HeaderTestSupport.Single(Edge +
                "From: \"'alice@example.com' via Team\" <team@lists.example.org>\n" +
                "Reply-To: alice@example.com\nList-Id: <team.lists.example.org>\nList-Post: <mailto:team@lists.example.org>\n");
            Assert.Equal(FindingSeverity.Information, r.Findings.Single(f => f.Id == "HDR-DISPLAYNAME-ADDRESS").SeverityCode);
        }

        [Fact]
        public void ReplyToTheList_IsNotFlagged()
        {
            var r = HeaderTestSupport.Single(Edge +
                "From: Carol <carol@example.com>\nReply-To: dev@lists.example.org\nList-Id: Developers <dev.lists.example.org>\nList-Post: <mailto:dev@lists.example.org>\n");
            Assert.False(r.Has("HDR-REPLYTO-DIFFERS"));
        }

        [Fact]
        public void EnvelopeSender_FromTheEdgeHopsEnvelopeFromComment()
        {
            // Sendmail and Exim write "(envelope-from <...>)" or without brackets.
            var r = HeaderTestSupport.Single(
                "Received: from out.example.org (out.example.org [198.51.100.9]) by mx.example.net (8.17.1/8.17.1) with ESMTP id 1 (envelope-from owner-list@example.org); Mon, 16 Nov 2026 09:00:07 +0000\n" +
                "From: a@example.com\n");
            Assert.Equal("owner-list@example.org", r.EnvelopeSender);
            Assert.Equal("Received envelope-from", r.EnvelopeSenderSource);
            Assert.Equal("example.org", r.EnvelopeDomain);
        }

        [Fact]
        public void EnvelopeSender_SmtpMailfromAddressWinsOverReturnPathOfAnotherDomain()
        {
            var r = HeaderTestSupport.Single("Return-Path: <x@other.example>\n" + Edge +
                "Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=bounce@example.org\nFrom: a@example.com\n");
            Assert.Equal("bounce@example.org", r.EnvelopeSender);
            Assert.Equal("smtp.mailfrom", r.EnvelopeSenderSource);
        }

        [Fact]
        public void EnvelopeSender_BareDomainTakesTheReceivedSpfAddressOfThatDomain()
        {
            var r = HeaderTestSupport.Single(
                "Received: from out.example.org (198.51.100.9) by DB5PEPF00014B89.mail.protection.outlook.com (10.167.8.1) with Microsoft SMTP Server id 15.20.1.1 via Frontend Transport; Mon, 16 Nov 2026 09:00:07 +0000\n" +
                "Authentication-Results: spf=pass (sender IP is 198.51.100.9) smtp.mailfrom=example.org; dkim=none (message not signed) header.d=none;dmarc=none action=none header.from=example.com;compauth=fail reason=001\n" +
                "Return-Path: bounces+77@example.org\nFrom: a@example.com\n");
            Assert.Equal("bounces+77@example.org", r.EnvelopeSender);
            Assert.Equal("smtp.mailfrom and Return-Path", r.EnvelopeSenderSource);
        }

        [Fact]
        public void Bounce_RecordedAsSmtpHeloOnly_HasAnEmptyEnvelopeSender()
        {
            var r = HeaderTestSupport.Single(Edge +
                "Authentication-Results: mx.example.net; spf=pass smtp.helo=out.example.org\nFrom: MAILER-DAEMON@out.example.org\n");
            Assert.Equal("", r.EnvelopeSender);
            Assert.Null(r.EnvelopeDomain);
            Assert.False(r.Has("HDR-SPF-UNALIGNED"));
        }

        [Fact]
        public void ReceivedSpfHeloIdentity_IsNotTheEnvelope()
        {
            var r = HeaderTestSupport.Single(Edge +
                "Received-SPF: None (mx.example.net: domain of out.example.org does not designate 198.51.100.9 as permitted sender) receiver=mx.example.net; identity=helo; client-ip=198.51.100.9; helo=out.example.org; envelope-from=\"bounce@example.org\";\n" +
                "Received-SPF: Pass (mx.example.net: domain of example.org designates 198.51.100.9 as permitted sender) receiver=mx.example.net; identity=mailfrom; client-ip=198.51.100.9; helo=out.example.org; envelope-from=\"bounce@example.org\";\n" +
                "From: a@example.org\n");
            Assert.Equal("pass", r.Spf);
            Assert.Equal("bounce@example.org", r.EnvelopeSender);
        }

        [Theory]
        [InlineData("dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com", "reject", "none")]
        [InlineData("dmarc=pass(p=reject) header.from=example.com", "reject", null)]
        [InlineData("dmarc=fail (p=quarantine dis=quarantine) header.from=example.com", "quarantine", "quarantine")]
        [InlineData("dmarc=pass (policy=reject) header.from=example.com", "reject", null)]
        [InlineData("dmarc=pass policy.published-domain-policy=none policy.applied-disposition=none header.from=example.com", "none", "none")]
        [InlineData("dmarc=pass header.from=example.com", null, null)]
        public void DmarcPolicyAndAction_AsReceiversWriteThem(string dmarc, string? policy, string? action)
        {
            var r = HeaderTestSupport.Single(Edge + "Authentication-Results: mx.example.net; " + dmarc + "\nFrom: a@example.com\n");
            Assert.Equal(policy, r.DmarcPolicy);
            Assert.Equal(action, r.DmarcAction);
        }
    }
}
