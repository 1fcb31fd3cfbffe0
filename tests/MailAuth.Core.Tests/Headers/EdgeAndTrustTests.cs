using System.Linq;
using MailAuth.Headers;

namespace MailAuth.Core.Tests.Headers
{
    /// <summary>
    /// The edge hop across MTA families: internal hops (loopback, content filters, same host,
    /// private networks, Exchange Online and Gmail internals, mailbox retrieval) are never the edge;
    /// a third-party gateway in front of the receiver is inside it; the receiver's results are
    /// merged across fields and believed only from the edge up.
    /// </summary>
    public class EdgeAndTrustTests
    {
        private const string Identity =
            "From: Alice <alice@example.com>\nTo: bob@example.net\nSubject: s\nDate: Mon, 16 Nov 2026 09:00:00 +0000\nMessage-ID: <1@example.com>\n";

        // Postfix with amavis (content_filter on 10024, re-injection on 10025), OpenDKIM, OpenDMARC
        // and policyd-spf each writing its own field, with the milters' DKIM-Filter/DMARC-Filter lines.
        private const string PostfixAmavis =
            "Return-Path: <bounce@example.com>\n" +
            "Delivered-To: bob@example.net\n" +
            "Received: from localhost (localhost [127.0.0.1])\n\tby mail.example.net (Postfix) with ESMTP id 3B;\n\tMon, 16 Nov 2026 09:00:09 +0000 (UTC)\n" +
            "X-Virus-Scanned: Debian amavisd-new at mail.example.net\n" +
            "Received: from mail.example.net ([127.0.0.1])\n\tby localhost (mail.example.net [127.0.0.1]) (amavisd-new, port 10024)\n\twith ESMTP id 2A; Mon, 16 Nov 2026 09:00:08 +0000 (UTC)\n" +
            "Received: from out.example.com (out.example.com [198.51.100.9])\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\n\tby mail.example.net (Postfix) with ESMTPS id 1C\n\tfor <bob@example.net>; Mon, 16 Nov 2026 09:00:07 +0000 (UTC)\n" +
            "DMARC-Filter: OpenDMARC Filter v1.4.2 mail.example.net 1C\n" +
            "Authentication-Results: mail.example.net; dmarc=pass (p=reject dis=none) header.from=example.com\n" +
            "Received-SPF: Pass (mailfrom) identity=mailfrom; client-ip=198.51.100.9; helo=out.example.com; envelope-from=bounce@example.com; receiver=<UNKNOWN>\n" +
            "DKIM-Filter: OpenDKIM Filter v2.11.0 mail.example.net 1C\n" +
            "Authentication-Results: mail.example.net;\n\tdkim=pass (2048-bit key; unprotected) header.d=example.com header.i=@example.com header.b=abc\n" +
            "Authentication-Results: mail.example.net; spf=pass smtp.mailfrom=bounce@example.com\n" +
            "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s1; h=from; bh=x; b=y\n" +
            Identity;

        [Fact]
        public void PostfixAmavis_TheLoopbackHopsAreInternal_AndTheMilterFieldsMerge()
        {
            var r = HeaderTestSupport.Single(PostfixAmavis);
            Assert.Equal(1, r.EdgeHop!.Number);
            Assert.Equal("198.51.100.9", r.ClientIP);
            Assert.Equal("out.example.com", r.Helo);
            Assert.All(r.Hops.Skip(1), h => Assert.NotNull(h.InternalReason));
            Assert.Contains("content filter", r.Hops[1].InternalReason);
            Assert.Contains("loopback", r.Hops[2].InternalReason);
            Assert.False(r.Has("HDR-EDGE-PRIVATE-IP"));

            Assert.Equal(3, r.AuthenticationResults.Count(a => a.IsTrusted));
            Assert.Equal(new[] { "mail.example.net" }, r.TrustedAuthServIds);
            Assert.Equal("pass", r.Spf);
            Assert.Equal("pass", r.Dkim);
            Assert.Equal("pass", r.Dmarc);
            Assert.Equal("reject", r.DmarcPolicy);
            Assert.Equal("none", r.DmarcAction);
            Assert.Equal("bounce@example.com", r.EnvelopeSender);
            Assert.False(r.Has("HDR-NO-TRUSTED-AUTHRES"));
            Assert.DoesNotContain(r.Findings, f => f.SeverityCode != FindingSeverity.Information);
        }

        [Fact]
        public void ResultsBelowTheSendersOwnReceivedField_AreBeforeTheEdge()
        {
            // The same authserv-id, but under the sender's hop: written before the organization got it.
            var text = PostfixAmavis.Replace("DKIM-Signature:",
                "Received: from app.example.com (app.example.com [192.0.2.7]) by out.example.com (Postfix) with ESMTP id 0; Mon, 16 Nov 2026 09:00:06 +0000\n" +
                "Authentication-Results: mail.example.net; dkim=pass header.d=example.org\nDKIM-Signature:");
            var r = HeaderTestSupport.Single(text);
            var forged = r.AuthenticationResults.Single(a => a.Raw.Contains("example.org"));
            Assert.False(forged.IsTrusted);
            Assert.Equal(FindingSeverity.Warning, r.Findings.Single(f => f.Id == "HDR-AUTHRES-BEFORE-EDGE").SeverityCode);
        }

        [Theory]
        // Exim re-injection after a spam scan, and Exim on the loopback interface.
        [InlineData("Received: from Debian-exim by mx.example.net with spam-scanned (Exim 4.96) (envelope-from <bounce@example.com>) id 1q; Mon, 16 Nov 2026 09:00:08 +0000\n")]
        [InlineData("Received: from localhost ([::1] helo=mx.example.net) by mx.example.net with esmtp (Exim 4.96) id 1q; Mon, 16 Nov 2026 09:00:08 +0000\n")]
        // rspamd proxy and a milter on the same host.
        [InlineData("Received: from mx.example.net (localhost [127.0.0.1]) by mx.example.net (Postfix) with ESMTP id 9; Mon, 16 Nov 2026 09:00:08 +0000\n")]
        // ClamAV/clamsmtp on 10025, a Postfix relay to itself.
        [InlineData("Received: from mx.example.net (mx.example.net [203.0.113.10]) by mx.example.net (Postfix) with ESMTP id 9; Mon, 16 Nov 2026 09:00:08 +0000\n")]
        [InlineData("Received: from localhost (localhost [127.0.0.1]) by mx.example.net (clamsmtp, port 10025) id 9; Mon, 16 Nov 2026 09:00:08 +0000\n")]
        // An internal relay on a private network, and IPv6 link-local and unique-local.
        [InlineData("Received: from mbox2 (10.0.0.12) by mx.example.net (10.0.0.2) with ESMTP id 9; Mon, 16 Nov 2026 09:00:08 +0000\n")]
        [InlineData("Received: from [fe80::1%eth0] by mx.example.net with ESMTP id 9; Mon, 16 Nov 2026 09:00:08 +0000\n")]
        [InlineData("Received: from relay.example.net ([fd00::12]) by mx.example.net with ESMTP id 9; Mon, 16 Nov 2026 09:00:08 +0000\n")]
        public void InternalHopsAboveTheEdge_AreNeverTheEdge(string internalHop)
        {
            var text = internalHop +
                "Received: from out.example.com (out.example.com [198.51.100.9]) by mx.example.net (Postfix) with ESMTPS id 1; Mon, 16 Nov 2026 09:00:07 +0000\n" +
                Identity;
            var r = HeaderTestSupport.Single(text);
            Assert.Equal("198.51.100.9", r.ClientIP);
            Assert.Equal(1, r.EdgeHop!.Number);
            Assert.NotNull(r.Hops[1].InternalReason);
            Assert.False(r.Has("HDR-EDGE-PRIVATE-IP"));
        }

        [Fact]
        public void MessageThatStartedInside_HasItsOriginAsEdge_WithoutAPrivateIpAlarm()
        {
            // Exchange Online, one tenant: submission over MAPI, then mailbox to mailbox.
            var text =
                "Received: from AM0PR09MB1111.eurprd09.prod.outlook.com (2603:10a6:208:1::1) by AM0PR09MB2222.eurprd09.prod.outlook.com with HTTPS; Mon, 16 Nov 2026 09:00:03 +0000\n" +
                "Received: from AM0PR09MB1111.eurprd09.prod.outlook.com ([fe80::d82c:67bf:ec39:a403]) by AM0PR09MB1111.eurprd09.prod.outlook.com ([fe80::d82c:67bf:ec39:a403%9]) with mapi id 15.20.3412.024; Mon, 16 Nov 2026 09:00:02 +0000\n" +
                Identity;
            var r = HeaderTestSupport.Single(text);
            Assert.Equal(1, r.EdgeHop!.Number);
            Assert.NotNull(r.EdgeHop.InternalReason);
            Assert.False(r.Has("HDR-EDGE-PRIVATE-IP"));
        }

        [Fact]
        public void ExchangeOnline_TenantToTenant_TheInboundFrontendIsTheEdge()
        {
            // Another tenant's outbound relay hands the message to this tenant's frontend: both are
            // outlook.com, but the frontend is where this tenant took it.
            var text =
                "Received: from DU2PR04CA0187.eurprd04.prod.outlook.com (2603:10a6:10:1d8::5c) by PAXPR04MB8410.eurprd04.prod.outlook.com with HTTPS; Mon, 16 Nov 2026 09:00:05 +0000\n" +
                "Received: from DU6PEPF0000B61F.eurprd02.prod.outlook.com (2603:10a6:10:1d8:cafe::a4) by DU2PR04CA0187.outlook.office365.com (2603:10a6:10:1d8::5c) with Microsoft SMTP Server id 15.20.8182.12 via Frontend Transport; Mon, 16 Nov 2026 09:00:04 +0000\n" +
                "Authentication-Results: spf=pass (sender IP is 198.51.100.25) smtp.mailfrom=example.com; dkim=pass (signature was verified) header.d=example.com;dmarc=pass action=none header.from=example.com;compauth=pass reason=100\n" +
                "Received: from EUR05-DB8-obe.outbound.protection.outlook.com (198.51.100.25) by DU6PEPF0000B61F.mail.protection.outlook.com (10.167.8.60) with Microsoft SMTP Server id 15.20.8182.9 via Frontend Transport; Mon, 16 Nov 2026 09:00:03 +0000\n" +
                "Received: from AS8PR08MB6263.eurprd08.prod.outlook.com (2603:10a6:20b:290::9) by PAVPR08MB9699.eurprd08.prod.outlook.com with Microsoft SMTP Server id 15.20.7897.13; Mon, 16 Nov 2026 09:00:02 +0000\n" +
                "Received: from AS8PR08MB6263.eurprd08.prod.outlook.com ([fe80::12b5:3f0a:2090:fa7c]) by AS8PR08MB6263.eurprd08.prod.outlook.com ([fe80::12b5:3f0a:2090:fa7c%7]) with mapi id 15.20.7897.010; Mon, 16 Nov 2026 09:00:01 +0000\n" +
                Identity;
            var r = HeaderTestSupport.Single(text);
            Assert.Equal(3, r.EdgeHop!.Number);
            Assert.Equal("198.51.100.25", r.ClientIP);
            Assert.Equal("pass", r.Spf);
            Assert.Equal("none", r.DmarcAction);
            Assert.Equal("pass", r.CompAuth);
            Assert.False(r.Has("HDR-EDGE-PRIVATE-IP"));
            Assert.False(r.Has("HDR-AUTHRES-NO-AUTHSERVID"));
        }

        [Fact]
        public void Gmail_ForwardedBetweenAccounts_TheNewestMxIsTheEdge()
        {
            var text =
                "Received: by 2002:a4a:8e45:0:0:0:0:0 with SMTP id z5csp2532955ook; Mon, 16 Nov 2026 05:43:29 -0800 (PST)\n" +
                "Return-Path: <alice+caf_=bob=gmail.com@example.com>\n" +
                "Received: from mail-sor-f41.google.com (mail-sor-f41.google.com. [192.0.2.41]) by mx.google.com with SMTPS id p13sor.40 for <bob@gmail.com> (Google Transport Security); Mon, 16 Nov 2026 05:43:29 -0800 (PST)\n" +
                "Received-SPF: neutral (google.com: 192.0.2.41 is neither permitted nor denied by best guess record for domain of alice+caf_=bob=gmail.com@example.com) client-ip=192.0.2.41;\n" +
                "Authentication-Results: mx.google.com; dkim=pass header.i=@example.com header.s=default header.b=TXuCNlsq; arc=pass (i=1 spf=pass spfdomain=example.com dkim=pass dkdomain=example.com); spf=neutral (google.com: 192.0.2.41 is neither permitted nor denied) smtp.mailfrom=\"alice+caf_=bob=gmail.com@example.com\"\n" +
                "X-Forwarded-To: bob@gmail.com\n" +
                "Delivered-To: alice@example.com\n" +
                "Received: by 2002:a19:cb97:0:0:0:0:0 with SMTP id b145csp2707879lfg; Mon, 16 Nov 2026 05:43:28 -0700 (PDT)\n" +
                "Received: from mail.example.com (mail.example.com. [198.51.100.33]) by mx.google.com with ESMTPS id x for <alice@example.com>; Mon, 16 Nov 2026 05:43:26 -0700 (PDT)\n" +
                "Authentication-Results: mx.google.com; spf=pass (google.com: domain of alice@example.com designates 198.51.100.33 as permitted sender) smtp.mailfrom=alice@example.com\n" +
                Identity;
            var r = HeaderTestSupport.Single(text);
            Assert.Equal("192.0.2.41", r.ClientIP);
            Assert.Equal("neutral", r.Spf);
            Assert.Equal("alice+caf_=bob=gmail.com@example.com", r.EnvelopeSender);
            Assert.Single(r.AuthenticationResults, a => a.IsTrusted);
        }

        private const string MimecastInFront =
            "Received: from DB9PR01MB0001.eurprd01.prod.outlook.com (2603:10a6:10:1::1) by DB9PR01MB0002.eurprd01.prod.outlook.com with HTTPS; Mon, 16 Nov 2026 09:00:05 +0000\n" +
            "Received: from AM4PEPF00025F9A.eurprd05.prod.outlook.com (2603:10a6:20b:1::2) by DB9PR01MB0001.outlook.office365.com with Microsoft SMTP Server id 15.20.1.1 via Frontend Transport; Mon, 16 Nov 2026 09:00:04 +0000\n" +
            "Authentication-Results: spf=fail (sender IP is 192.0.2.61) smtp.mailfrom=example.com; dkim=pass (signature was verified) header.d=example.com;dmarc=pass action=none header.from=example.com;compauth=pass reason=100\n" +
            "Received-SPF: Fail (protection.outlook.com: domain of example.com does not designate 192.0.2.61 as permitted sender) receiver=protection.outlook.com; client-ip=192.0.2.61; helo=eu-smtp-delivery-61.mimecast.com;\n" +
            "Received: from eu-smtp-delivery-61.mimecast.com (192.0.2.61) by AM4PEPF00025F9A.mail.protection.outlook.com (10.167.16.36) with Microsoft SMTP Server id 15.20.1.1 via Frontend Transport; Mon, 16 Nov 2026 09:00:04 +0000\n" +
            "Received: from out.example.com (out.example.com [198.51.100.9]) (Using TLS) by relay.mimecast.com with ESMTP id uk-mta-1-abc; Mon, 16 Nov 2026 09:00:03 +0000\n" +
            "X-MC-Unique: abc\n" +
            Identity + "Return-Path: bounce@example.com\n";

        [Fact]
        public void GatewayInFrontOfMicrosoft365_IsInside_AndSpfAgainstItIsAFinding()
        {
            var r = HeaderTestSupport.Single(MimecastInFront.Replace("alice@example.com", "alice@example.org").Replace("bounce@example.com", "bounce@example.org"));
            Assert.Equal("198.51.100.9", r.ClientIP);
            Assert.Equal("out.example.com", r.Helo);
            Assert.Contains("Mimecast", r.Hops[1].InternalReason);
            Assert.Contains("mimecast.com", r.ReceivingDomains);
            var finding = r.Findings.Single(f => f.Id == "HDR-GATEWAY-SPF");
            Assert.Equal(FindingSeverity.Warning, finding.SeverityCode);
            Assert.Contains("Enhanced Filtering for Connectors", finding.Message);
            Assert.Contains("192.0.2.61", finding.Message);
        }

        [Fact]
        public void GatewayWithEnhancedFiltering_CheckedTheOriginalSource_NoFinding()
        {
            var text = MimecastInFront.Replace("alice@example.com", "alice@example.org").Replace("bounce@example.com", "bounce@example.org")
                .Replace("spf=fail (sender IP is 192.0.2.61)", "spf=pass (sender IP is 198.51.100.9)");
            var r = HeaderTestSupport.Single(text);
            Assert.Equal("198.51.100.9", r.ClientIP);
            Assert.False(r.Has("HDR-GATEWAY-SPF"));
        }

        [Fact]
        public void TheSendersOwnOutboundGateway_IsNotTheReceiversInside()
        {
            // The gateway took the message from the sender's own server (example.com = From), and
            // SPF for example.com passed for the gateway's address: the sender's outbound relay.
            var r = HeaderTestSupport.Single(MimecastInFront
                .Replace("spf=fail (sender IP is 192.0.2.61)", "spf=pass (sender IP is 192.0.2.61)")
                .Replace("Received-SPF: Fail", "Received-SPF: Pass"));
            Assert.Equal("192.0.2.61", r.ClientIP);
            Assert.Null(r.EdgeHop!.InternalReason);
            Assert.False(r.Has("HDR-GATEWAY-SPF"));
        }

        [Fact]
        public void GatewayFedByTheSendersServer_IsStillInside_WhenSpfAgainstItFailed()
        {
            // The sender's own server handed the message to the receiver's Mimecast: SPF for the
            // sender's domain failed for Mimecast's address, so Mimecast was not the sender's relay.
            var r = HeaderTestSupport.Single(MimecastInFront);
            Assert.Equal("198.51.100.9", r.ClientIP);
            Assert.True(r.Has("HDR-GATEWAY-SPF"));
        }

        [Fact]
        public void HostThatReceivedTheHopBelow_RelaysInsideTheOrganization()
        {
            // Exchange relays to a local box through its NAT address: the client is the host that
            // received the hop below, so the hop into Exchange is the edge.
            var text =
                "Received: from EXCH01.corp.example.net (nat-5.isp.example [198.51.100.5]) by localhost (Postfix) with ESMTP id 9; Mon, 16 Nov 2026 09:00:09 +0000\n" +
                "Received: from [203.0.113.44] ([203.0.113.44]) by EXCH01.corp.example.net with Microsoft SMTPSVC(6.0.3790.4675); Mon, 16 Nov 2026 09:00:08 +0000\n" +
                Identity;
            var r = HeaderTestSupport.Single(text);
            Assert.Equal("203.0.113.44", r.ClientIP);
            Assert.Contains("received the hop below", r.Hops[1].InternalReason);
        }

        [Fact]
        public void ResultsAMilterAppendedAtTheEnd_AreTheReceivers()
        {
            // rspamd's milter_headers appends Authentication-Results with its own stamps.
            var text =
                "Received: from out.example.com (out.example.com [198.51.100.9]) by mail.example.net (Postfix) with ESMTPS id 1; Mon, 16 Nov 2026 09:00:07 +0000\n" +
                Identity +
                "X-Rspamd-Queue-Id: 1\n" +
                "Authentication-Results: mail.example.net; spf=pass smtp.mailfrom=alice@example.com; dmarc=pass (policy=reject) header.from=example.com\n" +
                "X-Spamd-Result: default: False [0.00 / 15.00]\n";
            var r = HeaderTestSupport.Single(text);
            Assert.Equal("pass", r.Spf);
            Assert.Equal("reject", r.DmarcPolicy);
            Assert.False(r.Has("HDR-AUTHRES-BEFORE-EDGE"));

            // Without a filter's stamp beside it, a field at the end is the sender's.
            var bare = HeaderTestSupport.Single(text.Replace("X-Rspamd-Queue-Id: 1\n", "").Replace("X-Spamd-Result: default: False [0.00 / 15.00]\n", ""));
            Assert.Null(bare.Spf);
        }

        [Fact]
        public void ProviderWithSeveralDomains_MergesItsAuthServIds()
        {
            // iCloud writes one field per method, each under its own icloud.com name.
            var text =
                "Received: from mx.example.org (mx.example.org [198.51.100.9]) by p12-mx.mail.icloud.com (iCloud Mail) with ESMTPS id 1; Mon, 16 Nov 2026 09:00:07 +0000\n" +
                "Authentication-Results: dmarc.icloud.com; dmarc=pass header.from=example.com\n" +
                "Authentication-Results: dkim-verifier.icloud.com; dkim=pass (2048-bit key) header.d=example.com header.i=@example.com header.b=abc\n" +
                "Authentication-Results: spf.icloud.com; spf=pass (spf.icloud.com: domain of bounce@example.com designates 198.51.100.9 as permitted sender) smtp.mailfrom=bounce@example.com\n" +
                Identity;
            var r = HeaderTestSupport.Single(text);
            Assert.Equal(3, r.TrustedAuthServIds.Count);
            Assert.Equal("pass", r.Spf);
            Assert.Equal("pass", r.Dkim);
            Assert.Equal("pass", r.Dmarc);
        }

        [Fact]
        public void MailboxRetrieval_IsNotTheReceivingOrganization()
        {
            var text =
                "Received: from pop.example.net [198.51.100.63] by localhost with POP3 (fetchmail-6.4.0 polling pop.example.net account bob) for bob@localhost (single-drop); Mon, 16 Nov 2026 09:10:00 +0000\n" +
                "Received: from out.example.com (out.example.com [198.51.100.9]) by mx.example.net (Postfix) with ESMTPS id 1; Mon, 16 Nov 2026 09:00:07 +0000\n" +
                Identity;
            var r = HeaderTestSupport.Single(text);
            Assert.Contains("example.net", r.ReceivingDomains);
            Assert.Equal("198.51.100.9", r.ClientIP);
        }

        [Fact]
        public void ReceivedSpfOfAnotherReceiver_IsNotTheOrganizations()
        {
            var text =
                "Received: from gw.example.org (gw.example.org [198.51.100.70]) by mx.example.net (Postfix) with ESMTPS id 1; Mon, 16 Nov 2026 09:00:07 +0000\n" +
                "Received-SPF: Pass (gw.example.org: domain of example.com designates 198.51.100.9 as permitted sender) receiver=gw.example.org; client-ip=198.51.100.9; envelope-from=\"bounce@example.com\"\n" +
                Identity;
            var r = HeaderTestSupport.Single(text);
            Assert.Null(r.Spf);
        }

        [Fact]
        public void MicrosoftArcSetBeforeTheEdge_IsExplained()
        {
            var text =
                "Received: from mail-oln040092074029.outbound.protection.outlook.com (mail-oln040092074029.outbound.protection.outlook.com. [198.51.100.29]) by mx.google.com with ESMTPS id v11 for <bob@gmail.com>; Mon, 16 Nov 2026 09:00:07 -0700 (PDT)\n" +
                "Authentication-Results: mx.google.com; dkim=pass header.i=@example.com header.s=selector1; spf=pass (google.com: domain of alice@example.com designates 198.51.100.29 as permitted sender) smtp.mailfrom=alice@example.com; dmarc=pass (p=NONE sp=QUARANTINE dis=NONE) header.from=example.com\n" +
                "ARC-Seal: i=1; a=rsa-sha256; s=arcselector9901; d=microsoft.com; cv=none; b=x\n" +
                "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=microsoft.com; s=arcselector9901; h=From; bh=x; b=y\n" +
                "ARC-Authentication-Results: i=1; mx.microsoft.com 1; spf=none; dmarc=none; dkim=none; arc=none\n" +
                Identity;
            var r = HeaderTestSupport.Single(text);
            var aar = r.AuthenticationResults.Single(a => a.ArcInstance == 1);
            Assert.Equal("mx.microsoft.com", aar.AuthServId);
            Assert.Equal("1", aar.Version);
            Assert.Contains("mx.microsoft.com 1", aar.TrustReason);
            var note = r.Findings.Single(f => f.Id == "HDR-ARC-MICROSOFT-SEAL");
            Assert.Equal(FindingSeverity.Information, note.SeverityCode);
            Assert.Contains("i=1", note.Message);
            Assert.Equal("none", r.DmarcAction);
            Assert.Equal("none", r.DmarcPolicy);
        }

        [Fact]
        public void AuthenticationResultsWithoutAuthServId_AtANonMicrosoftReceiver_AreExplained()
        {
            var text =
                "Received: from out.example.com (out.example.com [198.51.100.9]) by mx.example.net (Postfix) with ESMTPS id 1; Mon, 16 Nov 2026 09:00:07 +0000\n" +
                "Authentication-Results: spf=pass (sender IP is 198.51.100.9) smtp.mailfrom=example.com; dmarc=pass action=none header.from=example.com\n" +
                Identity;
            var r = HeaderTestSupport.Single(text);
            Assert.Null(r.Spf);
            Assert.Contains("not Microsoft 365", r.Findings.Single(f => f.Id == "HDR-AUTHRES-NO-AUTHSERVID").Message);
        }

        [Fact]
        public void ReceiverWithoutADomain_TakingFromAPublicClient_IsTheRecipientsProvider()
        {
            // iCloud's front door names its container; the sender's own hop below is not the receiver.
            var text =
                "Received: from mail.example.com (mail.example.com [198.51.100.25]) by p42-mailgateway-smtp-6f8c9d5b7-x2k4q (mailgateway 2412B10) with SMTPS id 1 for <alice.example@icloud.com>; Mon, 16 Nov 2026 09:00:07 +0000\n" +
                "Authentication-Results: dmarc.icloud.com; dmarc=pass header.from=example.com\n" +
                "Authentication-Results: mail.example.com; dkim=pass header.d=example.com\n" +
                "Received: by mail.example.com (Postfix, from userid 1001) id 2; Mon, 16 Nov 2026 09:00:05 +0000\n" +
                Identity;
            var r = HeaderTestSupport.Single(text);
            Assert.Equal(2, r.EdgeHop!.Number);
            Assert.Equal(new[] { "dmarc.icloud.com" }, r.TrustedAuthServIds);
            Assert.Null(r.Dkim);
        }

        [Fact]
        public void ReceiverWithoutADomain_TakingFromAPrivateClient_IsAnInternalHop()
        {
            var text =
                "Received: from mx1.example.net (mx1.example.net [10.1.2.3]) by mailstore1 with LMTP id 2 for <bob@example.net>; Mon, 16 Nov 2026 09:00:08 +0000\n" +
                "Received: from out.example.org (out.example.org [198.51.100.9]) by mx1.example.net (Postfix) with ESMTPS id 1; Mon, 16 Nov 2026 09:00:07 +0000\n" +
                "Authentication-Results: mx1.example.net; spf=pass smtp.mailfrom=alice@example.com\n" +
                Identity;
            var r = HeaderTestSupport.Single(text);
            Assert.Equal(1, r.EdgeHop!.Number);
            Assert.Equal("pass", r.Spf);
        }

        [Fact]
        public void PrivateUseNames_AboveAPublicReceiver_AreInternal()
        {
            // Fastmail: *.internal hosts, a Received field without "by", private clients.
            var text =
                "Received: from compute3.internal (compute3.nyi.internal [10.202.2.43]) by sloti45n01 (Cyrus) with LMTPA; Mon, 16 Nov 2026 09:00:09 +0000\n" +
                "Received: from mx6 ([10.202.2.205]) by compute3.internal (LMTPProxy); Mon, 16 Nov 2026 09:00:09 +0000\n" +
                "Received: from mx6.messagingengine.com (localhost [127.0.0.1]) by mailmx.nyi.internal (Postfix) with ESMTP id 3; Mon, 16 Nov 2026 09:00:08 +0000\n" +
                "Received: from mx6.messagingengine.com (localhost [127.0.0.1]); Mon, 16 Nov 2026 09:00:08 +0000\n" +
                "Authentication-Results: mx6.messagingengine.com; spf=pass smtp.mailfrom=alice@example.com; dmarc=pass policy.published-domain-policy=reject header.from=example.com\n" +
                "Received: from out.example.com (out.example.com [198.51.100.9]) by mx6.messagingengine.com (Postfix) with ESMTPS; Mon, 16 Nov 2026 09:00:07 +0000\n" +
                Identity;
            var r = HeaderTestSupport.Single(text);
            Assert.Equal(1, r.EdgeHop!.Number);
            Assert.Equal("198.51.100.9", r.ClientIP);
            Assert.Equal(new[] { "mx6.messagingengine.com" }, r.TrustedAuthServIds);
            Assert.Equal("reject", r.DmarcPolicy);
            Assert.False(r.Has("HDR-EDGE-PRIVATE-IP"));
        }
    }
}
