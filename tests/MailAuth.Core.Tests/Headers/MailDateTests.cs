using System;
using MailAuth.Headers;

namespace MailAuth.Core.Tests.Headers
{
    /// <summary>Dates as MTAs write them, beside RFC 5322 §3.3.</summary>
    public class MailDateTests
    {
        [Theory]
        [InlineData("Mon, 21 May 2018 16:08:54 +0000", "2018-05-21T16:08:54+00:00")]
        [InlineData("Wed, 09 Nov 2016 20:10:27.367 +0000 (UTC)", "2016-11-09T20:10:27+00:00")]
        [InlineData("2015-10-29 11:38:32.817089-04:00", "2015-10-29T15:38:32+00:00")]
        [InlineData("2016-11-09 20:10:27.258036245 +0000 UTC", "2016-11-09T20:10:27+00:00")]
        [InlineData("Thu, 14 Oct 2020 03:40:36 EDT", "2020-10-14T07:40:36+00:00")]
        [InlineData("15 May 2001 17:31:22 -0400", "2001-05-15T21:31:22+00:00")]
        public void Reads(string text, string expected)
        {
            Assert.True(MailDate.TryParse(text, out var date), text);
            Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), date);
        }

        [Theory]
        [InlineData("")]
        [InlineData("yesterday")]
        [InlineData("Mon, 99 Foo 2018 25:61:00 +0000")]
        public void Refuses(string text)
        {
            Assert.False(MailDate.TryParse(text, out _));
        }

        [Fact]
        public void AFractionalSecondsHop_NoLongerLooksLikeMidnight()
        {
            var r = HeaderTestSupport.Single(
                "Received: from a.example.net (a.example.net [198.51.100.2]) by mx.example.com with ESMTP id 2; Wed, 09 Nov 2016 20:10:29 +0000\n" +
                "Received: from b.example.org (b.example.org [198.51.100.1]) by a.example.net (SG) with ESMTP id 1; Wed, 09 Nov 2016 20:10:27.367 +0000 (UTC)\n" +
                "From: x@example.org\n");
            Assert.Equal(2, r.Hops[1].DelaySeconds);
            Assert.False(r.Has("HDR-HOP-DELAY"));
        }
    }
}
