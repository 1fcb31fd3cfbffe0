using System;
using MailAuth.Headers;

namespace MailAuth.Core.Tests.Headers
{
    /// <summary>RFC 5321 §4.4 trace fields in the dialects real MTAs write, and every IP literal form.</summary>
    public class ReceivedParserTests
    {
        private static MailHop Parse(string value) => ReceivedParser.Parse(0, value);

        [Theory]
        [InlineData("from a.example.com (a.example.com [192.0.2.1]) by b.example.net; Mon, 16 Nov 2026 09:00:00 +0000", "192.0.2.1")]
        [InlineData("from a.example.com ([192.0.2.1]:51234 helo=a.example.com) by b.example.net with esmtp; Mon, 16 Nov 2026 09:00:00 +0000", "192.0.2.1")]
        [InlineData("from a.example.com (a.example.com [IPv6:2001:db8::1]) by b.example.net; Mon, 16 Nov 2026 09:00:00 +0000", "2001:db8::1")]
        [InlineData("from a.example.com ([IPv6:::ffff:192.0.2.7]) by b.example.net; Mon, 16 Nov 2026 09:00:00 +0000", "::ffff:192.0.2.7")]
        [InlineData("from a.example.com (2001:db8:10:1d8::11) by b.outlook.com; Mon, 16 Nov 2026 09:00:00 +0000", "2001:db8:10:1d8::11")]
        [InlineData("from a.example.com (192.0.2.33) by b.outlook.com; Mon, 16 Nov 2026 09:00:00 +0000", "192.0.2.33")]
        [InlineData("from [192.0.2.44] by b.example.net; Mon, 16 Nov 2026 09:00:00 +0000", "192.0.2.44")]
        [InlineData("from [IPv6:2001:DB8:0:0:0:0:0:5] by b.example.net; Mon, 16 Nov 2026 09:00:00 +0000", "2001:db8::5")]
        [InlineData("from a.example.com (a.example.com. [2001:db8::9]) by mx.google.com; Mon, 16 Nov 2026 09:00:00 +0000", "2001:db8::9")]
        [InlineData("from unknown (HELO a.example.com) (192.0.2.55) by b.example.net with SMTP; 16 Nov 2026 09:00:00 -0000", "192.0.2.55")]
        public void IpLiteralForms(string value, string ip)
        {
            Assert.Equal(ip, Parse(value).FromIp);
        }

        [Theory]
        [InlineData("from a.example.com (a.example.com [1]) by b; Mon, 16 Nov 2026 09:00:00 +0000")]
        [InlineData("from a.example.com (a.example.com [999.1.1.1]) by b; Mon, 16 Nov 2026 09:00:00 +0000")]
        [InlineData("from a.example.com (a.example.com [192.0.2]) by b; Mon, 16 Nov 2026 09:00:00 +0000")]
        [InlineData("from a.example.com (a.example.com [IPv6:zz::1]) by b; Mon, 16 Nov 2026 09:00:00 +0000")]
        [InlineData("from a.example.com (a.example.com [2001:db8::1) by b; Mon, 16 Nov 2026 09:00:00 +0000")]
        [InlineData("from a.example.com (port 25) by b; Mon, 16 Nov 2026 09:00:00 +0000")]
        public void InvalidLiterals_AreNotAddresses(string value)
        {
            var hop = Parse(value);
            Assert.Null(hop.FromIp);
            Assert.Equal("a.example.com", hop.FromHost);
        }

        [Fact]
        public void Qmail_HeloAndNoRdns()
        {
            var hop = Parse("from unknown (HELO mail.example.com) (192.0.2.55) by mx.example.net with SMTP; 16 Nov 2026 09:00:00 -0000");
            Assert.Equal("mail.example.com", hop.Helo);
            Assert.Equal("unknown", hop.FromHost);
            Assert.Null(hop.FromReverseDns);
            Assert.Equal(new DateTimeOffset(2026, 11, 16, 9, 0, 0, TimeSpan.Zero), hop.Timestamp);
        }

        [Fact]
        public void Exim_HeloTlsEnvelopeFrom()
        {
            var hop = Parse("from host.example.com ([198.51.100.7]:51234 helo=relay.example.com) by mx.example.net with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <bounce@example.com>) id 1tAbCd-000XyZ-2Q for bob@example.net; Mon, 16 Nov 2026 09:00:00 +0000");
            Assert.Equal("relay.example.com", hop.Helo);
            Assert.Equal("198.51.100.7", hop.FromIp);
            Assert.Equal("TLS1.3", hop.TlsVersion);
            Assert.Equal("TLS_AES_256_GCM_SHA384", hop.TlsCipher);
            Assert.Equal("bounce@example.com", hop.EnvelopeFrom);
            Assert.Equal("1tAbCd-000XyZ-2Q", hop.Id);
            Assert.Equal("bob@example.net", hop.For);
            Assert.True(hop.Encrypted);
        }

        [Fact]
        public void Sendmail_VersionCipher()
        {
            var hop = Parse("from a.example.com (a.example.com [192.0.2.1]) by b.example.net (8.17.1/8.17.1) with ESMTPS id 5AGH0x1q012345 (version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NO) for <x@example.net>; Mon, 16 Nov 2026 09:00:00 +0000");
            Assert.Equal("TLSv1.3", hop.TlsVersion);
            Assert.Equal("TLS_AES_256_GCM_SHA384", hop.TlsCipher);
            Assert.Equal("x@example.net", hop.For);
        }

        [Fact]
        public void PlainSmtp_IsNotEncrypted()
        {
            var hop = Parse("from a.example.com (a.example.com [192.0.2.1]) by b.example.net (Postfix) with ESMTP id 4Abc; Mon, 16 Nov 2026 09:00:00 +0000");
            Assert.False(hop.Encrypted);
            Assert.Equal("ESMTP", hop.With);
        }

        [Theory]
        [InlineData("from a by b; not a date at all")]
        [InlineData("from a by b; Mon, 99 Foo 2026 25:61:61 +9999")]
        [InlineData("from a by b;")]
        [InlineData("from a by b")]
        public void BrokenDates_AreNull(string value)
        {
            var hop = Parse(value);
            Assert.Null(hop.Timestamp);
            Assert.Equal("b", hop.ByHost);
        }

        [Fact]
        public void NoFromClause_ByIpOnly()
        {
            var hop = Parse("by 2001:db8:7300:5c0e:b0:1b2:3c4d:5e6f with SMTP id k14csp1234567dyb; Mon, 16 Nov 2026 06:20:34 -0800 (PST)");
            Assert.Null(hop.FromHost);
            Assert.Null(hop.FromIp);
            Assert.Equal("2001:db8:7300:5c0e:b0:1b2:3c4d:5e6f", hop.ByIp);
            Assert.Equal(new DateTimeOffset(2026, 11, 16, 14, 20, 34, TimeSpan.Zero), hop.Timestamp!.Value.ToUniversalTime());
        }

        [Theory]
        [InlineData("")]
        [InlineData("(((((")]
        [InlineData("from")]
        [InlineData("from [")]
        [InlineData("from [IPv6: by [ with ; ;")]
        [InlineData("\u0000\u0001\u0002 from \u00ff by \ufffd")]
        public void Garbage_NeverThrows(string value)
        {
            var hop = Parse(value);
            Assert.Equal(value, hop.Raw);
        }
    }
}
