using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MailAuth.Headers;

namespace MailAuth.Core.Tests.Headers
{
    /// <summary>
    /// Each header rule alone, over the facts read from a real message (tests/headers, samples) or
    /// a realistic header written here: one message where it fires, one where it does not. The rule's
    /// findings are the report's findings of that id, so the pipeline adds nothing of its own.
    /// </summary>
    public class HeaderRuleTests
    {
        // Microsoft 365 hands a message to Gmail: its Authentication-Results (no authserv-id, as
        // Microsoft 365 writes them) are below Gmail's edge, so they are an earlier hop's.
        private const string M365ToGmail =
            "Delivered-To: bob@gmail.com\n" +
            "Received: by 2002:a05:6402:1:0:0:0:0 with SMTP id x; Mon, 16 Nov 2026 09:00:08 -0800 (PST)\n" +
            "Received: from EUR05-AM6-obe.outbound.protection.outlook.com (mail-am6eur05on2051.outbound.protection.outlook.com. [40.107.22.51]) by mx.google.com with ESMTPS id v11 for <bob@gmail.com>; Mon, 16 Nov 2026 09:00:07 -0800 (PST)\n" +
            "Authentication-Results: mx.google.com; dkim=pass header.i=@contoso.com header.s=selector1 header.b=abc; spf=pass (google.com: domain of alice@contoso.com designates 40.107.22.51 as permitted sender) smtp.mailfrom=alice@contoso.com; dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=contoso.com\n" +
            "Authentication-Results: spf=pass (sender IP is 198.51.100.25) smtp.mailfrom=contoso.com; dkim=none (message not signed) header.d=none;dmarc=pass action=none header.from=contoso.com;\n" +
            "Received: from AM0PR09MB1111.eurprd09.prod.outlook.com (2603:10a6:208:1::1) by AM6PR09MB2222.eurprd09.prod.outlook.com with Microsoft SMTP Server id 15.20.8182.12; Mon, 16 Nov 2026 17:00:05 +0000\n" +
            "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=contoso.com; s=selector1; h=From:Date:Subject:Message-ID; bh=x; b=y\n" +
            "From: Alice Smith <alice@contoso.com>\nTo: bob@gmail.com\nSubject: Minutes\nDate: Mon, 16 Nov 2026 17:00:00 +0000\nMessage-ID: <AM0PR09MB1111@contoso.com>\n";

        // The same message, written three days after Gmail took it.
        private static readonly string s_futureDated = M365ToGmail.Replace("Date: Mon, 16 Nov 2026 17:00:00 +0000", "Date: Thu, 19 Nov 2026 17:00:00 +0000", StringComparison.Ordinal);

        private const string Clean = "samples/m365-clean-inbound.txt";

        /// <summary>Rule, a message where it fires, a message where it does not.</summary>
        public static TheoryData<string, string, string> Cases => new TheoryData<string, string, string>
        {
            { nameof(NoTrustedResultsRule), "tests/headers/gmail/sender-authres-below-gmail-edge.eml", Clean },
            { nameof(ResultsBeforeEdgeRule), "tests/headers/gmail/postfix-dkim-to-gmail.eml", "tests/headers/gmail/mailgun-newsletter-to-gmail.eml" },
            { nameof(ResultsWithoutAuthServIdRule), "inline:M365ToGmail", Clean },
            { nameof(ArcMicrosoftSealRule), "tests/headers/m365/outlook-consumer-to-gmail-arc.eml", "tests/headers/forwarder-arc/workspace-forward-arc-pass.eml" },
            { nameof(SpfUnalignedRule), "tests/headers/phishing-hoster/cpanel-to-m365-spf-pass-unaligned.eml", Clean },
            { nameof(GatewaySpfRule), "tests/headers/gateway/mimecast-to-m365-without-enhanced-filtering.eml", "tests/headers/gateway/proofpoint-to-m365-enhanced-filtering.eml" },
            { nameof(ReplyToDiffersRule), "tests/headers/gateway/ironport-to-exchange-2010-phish.eml", Clean },
            { nameof(DisplayNameAddressRule), "tests/headers/phishing-hoster/encoded-display-name-spoof.eml", "tests/headers/gmail/apple-mail-hoster-to-gmail.eml" },
            { nameof(DmarcFailRule), "tests/headers/forwarder-arc/workspace-forward-dmarc-fail-arc-pass.eml", "tests/headers/forwarder-arc/workspace-forward-arc-pass.eml" },
            { nameof(DmarcNoneRule), "tests/headers/m365/eop-inbound-spam-to-junk.eml", Clean },
            { nameof(DmarcNotRecordedRule), "tests/headers/bounce/dsn-to-gmail.eml", Clean },
            { nameof(DkimNoneRule), "tests/headers/bounce/dsn-to-gmail.eml", Clean },
            { nameof(DkimFailRule), "tests/headers/mailing-list/mailman3-munged-from-to-m365.eml", Clean },
            { nameof(DkimUnalignedRule), "tests/headers/forwarder-arc/workspace-forward-dmarc-fail-arc-pass.eml", Clean },
            { nameof(CompAuthFailRule), "tests/headers/m365/eop-inbound-spam-to-junk.eml", Clean },
            { nameof(FutureDateRule), "inline:FutureDated", "inline:M365ToGmail" },
        };

        [Theory]
        [MemberData(nameof(Cases))]
        public void The_rule_fires_on_one_message_and_not_on_the_other(string rule, string fires, string silent)
        {
            IHeaderRule r = Rule(rule);
            IReadOnlyList<Finding> hit = r.Check(Facts(fires)).ToList();
            Assert.NotEmpty(hit);
            Assert.All(hit, f => Assert.Equal(r.Definition.Id, f.Id));
            Assert.All(hit, f => Assert.False(string.IsNullOrWhiteSpace(f.Message)));
            Assert.Empty(r.Check(Facts(silent)));

            // The report, with every rule run, lists the same findings for this id.
            MailHeaderReport report = HeaderTestSupport.Single(Text(fires));
            Assert.Equal(hit.Select(f => f.Severity + " " + f.Message), report.Findings.Where(f => f.Id == r.Definition.Id).Select(f => f.Severity + " " + f.Message));
        }

        [Fact]
        public void Every_rule_is_run_once_and_has_its_cases()
        {
            var types = typeof(IHeaderRule).Assembly.GetTypes().Where(t => typeof(IHeaderRule).IsAssignableFrom(t) && !t.IsInterface).ToList();
            Assert.Equal(types.OrderBy(t => t.Name), HeaderRules.All.Select(r => r.GetType()).OrderBy(t => t.Name));
            Assert.Equal(HeaderRules.All.Count, HeaderRules.All.Select(r => r.Definition).Distinct().Count());
            var tested = Cases.Select(c => (string)c[0]).ToList();
            Assert.Equal(types.Select(t => t.Name).OrderBy(n => n), tested.OrderBy(n => n));
            Assert.All(HeaderRules.All, r => Assert.Equal("Headers", r.Definition.Area));
        }

        [Fact]
        public void A_mild_context_lowers_the_severity_the_rule_gives()
        {
            // A list broke the author's signature, but the list's own aligned signature passed:
            // DKIM fail is a note. Through another list, with nothing else aligned, it is a warning.
            var noted = Rule(nameof(DkimFailRule)).Check(Facts("tests/headers/mailing-list/mailman3-munged-from-to-m365.eml")).ToList();
            var warned = Rule(nameof(DkimFailRule)).Check(Facts("tests/headers/mailing-list/outlook-to-freebsd-mailman-to-postfix.eml")).ToList();
            Assert.Equal("Information", Assert.Single(noted).Severity);
            Assert.All(warned, f => Assert.Equal("Warning", f.Severity));
            Assert.NotEmpty(warned);
        }

        private static IHeaderRule Rule(string name) => HeaderRules.All.Single(r => r.GetType().Name == name);

        private static MailHeaderFacts Facts(string source) => MailHeaderReportBuilder.ReadFacts(Text(source), HeaderTestSupport.Options());

        private static string Text(string source) => source switch
        {
            "inline:M365ToGmail" => M365ToGmail,
            "inline:FutureDated" => s_futureDated,
            _ => File.ReadAllText(RepositoryFiles.Path(source)),
        };
    }
}
