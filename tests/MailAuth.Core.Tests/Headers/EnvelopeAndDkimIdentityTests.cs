using System.Linq;

namespace MailAuth.Core.Tests.Headers
{
    /// <summary>
    /// The identities a header report hands to Test-Spf and Resolve-DmarcPolicy, read the way
    /// Exchange Online writes its Authentication-Results.
    /// </summary>
    public class EnvelopeAndDkimIdentityTests
    {
        private const string Edge =
            "Received: from mail.fabrikam.com (198.51.100.9) by BN8NAM11FT045.mail.protection.outlook.com (10.13.177.47) with Microsoft SMTP Server id 15.20.8182.9 via Frontend Transport; Mon, 16 Nov 2026 09:00:05 +0000\n";

        private static string Results(string mailFrom, string dkim) =>
            "Authentication-Results: spf=pass (sender IP is 198.51.100.9) smtp.mailfrom=" + mailFrom + "; " + dkim + ";dmarc=pass action=none header.from=fabrikam.com;compauth=pass reason=100\n";

        private const string Identity = "From: Megan <megan@fabrikam.com>\nTo: alex@contoso.com\nSubject: s\nDate: Mon, 16 Nov 2026 09:59:59 +0100\n";

        [Fact]
        public void Header_d_none_is_not_a_DKIM_domain()
        {
            // Exchange Online's wording for an unsigned message.
            var r = HeaderTestSupport.Single(Results("fabrikam.com", "dkim=none (message not signed) header.d=none") + Edge + Identity);
            Assert.Equal("none", r.Dkim);
            Assert.Empty(r.DkimResults);
        }

        [Fact]
        public void A_signed_message_keeps_its_d_domain()
        {
            var r = HeaderTestSupport.Single(Results("fabrikam.com", "dkim=pass (signature was verified) header.d=fabrikam.com") + Edge + Identity);
            Assert.Equal("fabrikam.com", Assert.Single(r.DkimResults).Domain);
        }

        [Fact]
        public void A_bare_smtp_mailfrom_domain_takes_the_address_of_a_Return_Path_in_that_domain()
        {
            // RFC 8601 §2.7.2 lets smtp.mailfrom carry only the domain; SPF's l macro and the
            // postmaster rule (RFC 7208 §4.3) need the local-part the Return-Path shows.
            var r = HeaderTestSupport.Single("Return-Path: bounces+4471@fabrikam.com\n" + Results("fabrikam.com", "dkim=none (message not signed) header.d=none") + Edge + Identity);
            Assert.Equal("bounces+4471@fabrikam.com", r.EnvelopeSender);
            Assert.Equal("fabrikam.com", r.EnvelopeDomain);
        }

        [Fact]
        public void A_Return_Path_of_another_domain_does_not_replace_smtp_mailfrom()
        {
            var r = HeaderTestSupport.Single("Return-Path: someone@elsewhere.example\n" + Results("fabrikam.com", "dkim=none (message not signed) header.d=none") + Edge + Identity);
            Assert.Equal("fabrikam.com", r.EnvelopeSender);
            Assert.Equal("smtp.mailfrom", r.EnvelopeSenderSource);
        }

        [Fact]
        public void A_full_smtp_mailfrom_address_stands()
        {
            var r = HeaderTestSupport.Single("Return-Path: other@fabrikam.com\n" + Results("bounce@fabrikam.com", "dkim=none (message not signed) header.d=none") + Edge + Identity);
            Assert.Equal("bounce@fabrikam.com", r.EnvelopeSender);
        }
    }
}
