using MailAuth.Headers;

namespace MailAuth.Core.Tests.Headers
{
    /// <summary>Identity fields that the samples do not all carry, and where the envelope sender comes from.</summary>
    public class IdentityTests
    {
        private const string Edge =
            "Received: from out.example.com (out.example.com [198.51.100.9]) by mx1.example.net with ESMTPS id 1; Mon, 16 Nov 2026 09:00:05 +0000\n";

        [Fact]
        public void SenderCcXOriginatingIp()
        {
            var r = HeaderTestSupport.Single(Edge +
                "From: a@example.com\nSender: list-owner@example.org\nCc: c@example.net, d@example.net\nX-Originating-IP: [198.51.100.3]\n");
            Assert.Equal("list-owner@example.org", r.SenderHeader);
            Assert.Equal("c@example.net, d@example.net", r.Cc);
            Assert.Equal("198.51.100.3", r.XOriginatingIp);
        }

        [Fact]
        public void XOriginatingIp_Ipv6AndGarbage()
        {
            Assert.Equal("2001:db8::7", HeaderTestSupport.Single("From: a@example.com\nX-Originating-IP: [IPv6:2001:db8::7]\n").XOriginatingIp);
            Assert.Equal("not an ip", HeaderTestSupport.Single("From: a@example.com\nX-Originating-IP: not an ip\n").XOriginatingIp);
        }

        [Fact]
        public void EnvelopeSender_FromReceivedSpf_WhenResultsLackMailFrom()
        {
            var r = HeaderTestSupport.Single(
                "Received-SPF: pass (mx1.example.net: 198.51.100.9 is authorized) client-ip=198.51.100.9; envelope-from=\"bounce@esp.example.org\"; helo=out.example.com;\n" +
                Edge + "From: a@example.com\nReturn-Path: <other@example.com>\n");
            Assert.Equal("bounce@esp.example.org", r.EnvelopeSender);
            Assert.Equal("Received-SPF", r.EnvelopeSenderSource);
            Assert.Equal("esp.example.org", r.EnvelopeDomain);
            Assert.Equal("pass", r.Spf);
            Assert.True(r.Has("HDR-SPF-UNALIGNED"));
        }

        [Fact]
        public void EnvelopeSender_FallsBackToReturnPath()
        {
            var r = HeaderTestSupport.Single("Return-Path: <bounce@example.org>\n" + Edge + "From: a@example.com\n");
            Assert.Equal("bounce@example.org", r.EnvelopeSender);
            Assert.Equal("Return-Path", r.EnvelopeSenderSource);
            Assert.Null(r.Spf);
        }

        [Fact]
        public void NullReversePath_IsEmpty()
        {
            // RFC 5321 §4.5.5: a bounce has an empty reverse-path; Test-Spf takes "" as a bounce.
            var r = HeaderTestSupport.Single("Return-Path: <>\nFrom: MAILER-DAEMON@example.net\n");
            Assert.Equal("", r.ReturnPath);
            Assert.Equal("", r.EnvelopeSender);
            Assert.Null(r.EnvelopeDomain);
        }

        [Fact]
        public void FromWithoutDisplayName_AndGroupSyntax()
        {
            var plain = HeaderTestSupport.Single("From: alice@example.com\n");
            Assert.Null(plain.FromDisplayName);
            Assert.Equal("example.com", plain.FromDomain);

            var group = HeaderTestSupport.Single("From: Team: alice@example.com, bob@example.org;\n");
            Assert.Equal("alice@example.com", group.FromAddress);
        }

        [Fact]
        public void UnparseableFrom_StillFindsTheAddress()
        {
            var r = HeaderTestSupport.Single("From: <<<broken alice@example.com (((\n");
            Assert.Equal("alice@example.com", r.FromAddress);
            Assert.Equal("example.com", r.FromDomain);
        }
    }
}
