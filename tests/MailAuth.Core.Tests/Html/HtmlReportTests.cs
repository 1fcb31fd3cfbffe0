using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using MailAuth.DomainReport;
using MailAuth.Headers;
using MailAuth.Html;

namespace MailAuth.Core.Tests.Html
{
    /// <summary>The page as text: encoding, the policy, self-containment, the API's argument checks.</summary>
    public class HtmlReportTests
    {
        // Every tag and attribute the report writes. A tag or attribute outside these in a page
        // made from hostile input would be markup that came from the input.
        private static readonly HashSet<string> s_tags = new HashSet<string>(StringComparer.Ordinal)
        {
            "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "h4", "p", "nav", "a", "main", "section", "strong", "span",
            "table", "thead", "tbody", "tr", "th", "td", "div", "b", "ul", "li", "code", "svg", "line", "circle", "rect", "text", "details", "summary",
            "dl", "dt", "dd", "input", "select", "option", "output", "button", "script",
        };

        private static readonly HashSet<string> s_attributes = new HashSet<string>(StringComparer.Ordinal)
        {
            "lang", "charset", "http-equiv", "content", "name", "class", "id", "href", "data-verdict", "data-method", "data-severity", "viewBox", "width", "height",
            "role", "aria-label", "xmlns", "x1", "x2", "y1", "y2", "cx", "cy", "r", "x", "y", "rx", "type", "placeholder", "value", "data-col", "data-num",
            "data-g", "data-s", "data-v", "colspan", "html",
        };

        private static readonly Regex s_tag = new Regex(@"<(/?)([A-Za-z0-9!]+)([^<>]*)>", RegexOptions.CultureInvariant);
        private static readonly Regex s_attribute = new Regex(@"\s([^\s=""'<>/]+)(=""[^""]*"")?", RegexOptions.CultureInvariant);

        /// <summary>Every tag is one the report writes, with attributes it writes; no '&lt;' stands outside a tag.</summary>
        internal static void AssertOnlyOwnMarkup(string page)
        {
            string body = Regex.Replace(page, "<style>.*?</style>|<script>.*?</script>", string.Empty, RegexOptions.Singleline);
            int consumed = 0;
            foreach (Match tag in s_tag.Matches(body))
            {
                Assert.DoesNotContain('<', body.Substring(consumed, tag.Index - consumed));
                consumed = tag.Index + tag.Length;
                Assert.True(s_tags.Contains(tag.Groups[2].Value), "unexpected tag " + tag.Value);
                foreach (Match attribute in s_attribute.Matches(tag.Groups[3].Value))
                {
                    Assert.True(s_attributes.Contains(attribute.Groups[1].Value), "unexpected attribute in " + tag.Value);
                }

                if (tag.Groups[2].Value == "a" && tag.Groups[1].Value.Length == 0)
                {
                    Assert.Matches("^<a( class=\"[a-z]+\")? href=\"#[A-Za-z0-9_-]+\">$", tag.Value);
                }
            }

            Assert.DoesNotContain('<', body.Substring(consumed));
            Assert.Equal(1, Regex.Matches(page, "<style>").Count);
            Assert.True(Regex.Matches(page, "<script>").Count <= 1);
        }

        private static string Hash(string text) => "'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text))) + "'";

        [Fact]
        public void ThePolicyForbidsLoadsAndPinsTheOneStyleAndScriptByHash()
        {
            string page = HtmlReport.Render(new[] { HtmlTestData.Hostile() }, new[] { TestAudit() });
            Match csp = Regex.Match(page, "<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]+)\">");
            Assert.True(csp.Success);
            string style = Regex.Match(page, "<style>(.*?)</style>", RegexOptions.Singleline).Groups[1].Value;
            string script = Regex.Match(page, "<script>(.*?)</script>", RegexOptions.Singleline).Groups[1].Value;
            Assert.Equal("default-src 'none'; style-src " + Hash(style) + "; script-src " + Hash(script) + "; img-src data:; base-uri 'none'; form-action 'none'", csp.Groups[1].Value.Replace("&#39;", "'"));
            Assert.DoesNotContain("\r", style + script);
            Assert.True(script.Length < 3000, "the script stays small: " + script.Length);
        }

        [Fact]
        public void TheGlossaryPointsEachFindingAtItsSectionOfTheCatalogPage()
        {
            MailHeaderReport phish = MailHeaderAnalyzer.AnalyzeText(File.ReadAllText(RepositoryFiles.Path("samples/phish-spf-pass-unaligned.txt"))).Single();
            string page = HtmlReport.Render(new[] { phish }, Array.Empty<MailDomainReport>());
            Assert.Contains("Documented in docs/findings.md#hdr-spf-unaligned (SPF passed for an envelope domain not aligned with From).", page, StringComparison.Ordinal);
            Assert.Contains("docs/findings.md#hdr-replyto-differs", page, StringComparison.Ordinal);
        }

        [Fact]
        public void AHeaderOnlyPageHasNoScriptAtAll()
        {
            string page = HtmlReport.Render(new[] { HtmlTestData.Hostile() }, Array.Empty<MailDomainReport>());
            Assert.DoesNotContain("<script", page, StringComparison.Ordinal);
            Assert.Contains("script-src &#39;none&#39;", page, StringComparison.Ordinal);
        }

        [Fact]
        public void ThePageIsSelfContained()
        {
            string page = HtmlReport.Render(HtmlTestData.BundledSamples().Take(10).Append(HtmlTestData.Hostile()), new[] { TestAudit() });
            AssertOnlyOwnMarkup(page);
            string markup = string.Concat(s_tag.Matches(page).Select(m => m.Value));
            Assert.DoesNotMatch(@"\s(src|srcset|action|formaction|poster|background)=", markup);
            Assert.DoesNotMatch("href=\"[^#]", markup);
            Assert.DoesNotContain("url(", Regex.Match(page, "<style>(.*?)</style>", RegexOptions.Singleline).Value, StringComparison.Ordinal);
            Assert.DoesNotContain("@import", page, StringComparison.Ordinal);
        }

        [Fact]
        public void TheHostileSampleIsWrittenAsText()
        {
            MailHeaderReport hostile = HtmlTestData.Hostile();
            Assert.Contains("<script>", hostile.Subject, StringComparison.Ordinal);
            string page = HtmlReport.Render(new[] { hostile }, Array.Empty<MailDomainReport>());
            AssertOnlyOwnMarkup(page);
            Assert.Contains("&lt;script&gt;window.__pwned=7;document.title=&#39;pwned&#39;&lt;/script&gt; Your account", page, StringComparison.Ordinal);
            Assert.Contains("&quot;&gt;&lt;svg onload=window.__pwned=9&gt;", page, StringComparison.Ordinal);
            Assert.Contains("&lt;javascript:window.__pwned=11&gt;", page, StringComparison.Ordinal);
            Assert.DoesNotContain("<img", page, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<svg onload", page, StringComparison.OrdinalIgnoreCase);
        }

        [Fact]
        public void ArbitraryHostileValuesNeverBecomeMarkup()
        {
            var random = new Random(1818);
            string[] pieces = { "<", ">", "\"", "'", "&", "<script>", "</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>", "javascript:", "&lt;", "&#60;",
                "]]>", "<!--", "-->", "<![CDATA[", "</style>", "</textarea>", "\u202E", "\u0000", "\u0007", "\uD800", "\uFFFF", "é", "😀", " ", "=", "`", "/", "\\", "<a href=\"https://x\">", "%3Cscript%3E" };
            var reports = new List<MailHeaderReport>();
            var values = new List<string>();
            for (int i = 0; i < 120; i++)
            {
                string Value() => string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => pieces[random.Next(pieces.Length)]));
                string subject = Value(), name = Value().Replace("\"", string.Empty), auth = Value().Replace(";", string.Empty);
                values.Add(subject);
                string text = "Received: from [" + Value() + "] (unknown [198.51.100.7]) by mx.example.com with SMTP id " + Value() + "; Mon, 16 Nov 2026 09:14:00 +0000\r\n"
                    + "Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=" + auth + "; dmarc=fail header.from=" + auth + "\r\n"
                    + "From: \"" + name + "\" <a@evil.example>\r\nReply-To: " + Value() + " <b@evil.example>\r\nSubject: " + subject + "\r\n"
                    + "X-Forefront-Antispam-Report: CIP:" + Value().Replace(";", string.Empty) + ";SFV:" + Value().Replace(";", string.Empty) + ";\r\n"
                    + "List-Unsubscribe: <" + Value() + ">\r\nMessage-ID: <" + Value() + "@evil.example>\r\n";
                reports.Add(MailHeaderAnalyzer.AnalyzeText(text, HtmlTestData.Options()).Single());
            }

            string page = HtmlReport.Render(reports, Array.Empty<MailDomainReport>());
            AssertOnlyOwnMarkup(page);
            Assert.DoesNotContain('\u202E', page);
            Assert.DoesNotContain('\0', page);
            foreach (MailHeaderReport r in reports.Where(r => r.Subject != null))
            {
                Assert.Contains(HtmlEncoding.Encode(r.Subject), page, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void EncodingRoundTripsThroughAnHtmlTextDecoder()
        {
            var random = new Random(7);
            for (int i = 0; i < 2000; i++)
            {
                var chars = new char[random.Next(0, 40)];
                for (int j = 0; j < chars.Length; j++)
                {
                    chars[j] = random.Next(4) == 0 ? "<>&\"'"[random.Next(5)] : (char)random.Next(0x20, 0x2000);
                }

                string value = new string(chars);
                string encoded = HtmlEncoding.Encode(value);
                Assert.DoesNotContain('<', encoded);
                Assert.DoesNotContain('>', encoded);
                Assert.DoesNotContain('"', encoded);
                Assert.DoesNotContain('\'', encoded);
                Assert.DoesNotMatch("&(?!(amp|lt|gt|quot|#39);)", encoded);
                string expected = Regex.Replace(Regex.Replace(value, "[\u007F-\u009F]", "\uFFFD"), "[\u202A-\u202E\u2066-\u2069]", m => "[U+" + ((int)m.Value[0]).ToString("X4", System.Globalization.CultureInfo.InvariantCulture) + "]");
                Assert.Equal(expected, System.Net.WebUtility.HtmlDecode(encoded));
            }
        }

        [Theory]
        [InlineData(null, "")]
        [InlineData("", "")]
        [InlineData("plain", "plain")]
        [InlineData("a<b>&\"c'", "a&lt;b&gt;&amp;&quot;c&#39;")]
        [InlineData("x\u0000y\u0085z", "x\uFFFDy\uFFFDz")]
        [InlineData("bank\u202Emoc.", "bank[U+202E]moc.")]
        [InlineData("pair 😀 kept", "pair 😀 kept")]
        [InlineData("cr\r\nlf", "cr\n\nlf")]
        public void EncodeExamples(string? value, string expected)
        {
            Assert.Equal(expected, HtmlEncoding.Encode(value));
        }

        [Fact]
        public void LoneSurrogatesBecomeReplacementCharacters()
        {
            Assert.Equal("lone \uFFFD \uFFFD surrogates", HtmlEncoding.Encode("lone \uD800 \uDC00 surrogates"));
        }

        [Fact]
        public void AnchorIdsKeepOnlySafeCharacters()
        {
            Assert.Equal("f-HDR-SPF-UNALIGNED", HtmlEncoding.AnchorId("f-", "HDR-SPF-UNALIGNED"));
            Assert.Equal("f-__script", HtmlEncoding.AnchorId("f-", "\"<script"));
            Assert.Throws<ArgumentNullException>(() => HtmlEncoding.AnchorId(null!, "x"));
        }

        [Fact]
        public void ArgumentsAreChecked()
        {
            var none = Array.Empty<MailHeaderReport>();
            var noDomains = Array.Empty<MailDomainReport>();
            Assert.Throws<ArgumentNullException>("writer", () => HtmlReport.Write(null!, none, noDomains));
            Assert.Throws<ArgumentNullException>("headerReports", () => HtmlReport.Render(null!, noDomains));
            Assert.Throws<ArgumentNullException>("domainReports", () => HtmlReport.Render(none, null!));
            Assert.Throws<ArgumentException>("headerReports", () => HtmlReport.Render(new MailHeaderReport[] { null! }, noDomains));
            Assert.Throws<ArgumentException>("domainReports", () => HtmlReport.Render(none, new MailDomainReport[] { null! }));
            Assert.Throws<ArgumentNullException>("path", () => HtmlReport.WriteFile(null!, none, noDomains));
            Assert.Throws<ArgumentException>("path", () => HtmlReport.WriteFile(string.Empty, none, noDomains));
            Assert.Throws<ArgumentNullException>("writer", () => HtmlEncoding.Encode(null!, "x"));
            Assert.Contains("No reports were given.", HtmlReport.Render(none, noDomains), StringComparison.Ordinal);
        }

        [Fact]
        public void TheTitleIsEncodedAndDefaulted()
        {
            string page = HtmlReport.Render(Array.Empty<MailHeaderReport>(), Array.Empty<MailDomainReport>(), new HtmlReportOptions { Title = "</title><script>x</script>" });
            Assert.Contains("<title>&lt;/title&gt;&lt;script&gt;x&lt;/script&gt;</title>", page, StringComparison.Ordinal);
            Assert.Contains("<title>MailAuth report</title>", HtmlReport.Render(Array.Empty<MailHeaderReport>(), Array.Empty<MailDomainReport>(), new HtmlReportOptions { Title = " " }), StringComparison.Ordinal);
        }

        [Fact]
        public void AHeaderReportShowsVerdictAuthenticationStampsAndIdentities()
        {
            MailHeaderReport phish = MailHeaderAnalyzer.AnalyzeFile(RepositoryFiles.Path("samples/phish-spf-pass-unaligned.txt"), HtmlTestData.Options()).Single();
            string page = HtmlReport.Render(new[] { phish }, Array.Empty<MailDomainReport>());
            Assert.Contains("data-verdict=\"Suspect\"", page, StringComparison.Ordinal);
            Assert.Contains("href=\"#f-HDR-SPF-UNALIGNED\"", page, StringComparison.Ordinal);
            Assert.Contains("<dt id=\"f-HDR-SPF-UNALIGNED\">HDR-SPF-UNALIGNED</dt>", page, StringComparison.Ordinal);
            Assert.Contains("Microsoft 365 stamps, decoded", page, StringComparison.Ordinal);
            Assert.Contains("s12.cpanel-host.example.org", page, StringComparison.Ordinal);
            Assert.Contains(">EDGE</text>", page, StringComparison.Ordinal);
            Assert.Contains("add -Verify", page, StringComparison.Ordinal);
        }

        [Fact]
        public void WriteFileWritesUtf8WithoutBom()
        {
            string path = Path.Combine(Path.GetTempPath(), "mailauth-html-" + Guid.NewGuid().ToString("N") + ".html");
            try
            {
                HtmlReport.WriteFile(path, new[] { HtmlTestData.Hostile() }, Array.Empty<MailDomainReport>());
                byte[] bytes = File.ReadAllBytes(path);
                Assert.Equal((byte)'<', bytes[0]);
                Assert.Contains("Security Team", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
            }
            finally
            {
                File.Delete(path);
            }
        }

        private static MailDomainReport TestAudit() => HtmlTestData.AuditAsync(9).GetAwaiter().GetResult().First(r => r.Domain == "hostile.example");

        [Fact]
        public async Task TheAuditShowsRecordsFindingsAndAdviceAsText()
        {
            List<MailDomainReport> audit = await HtmlTestData.AuditAsync(9);
            string page = HtmlReport.Render(Array.Empty<MailHeaderReport>(), audit);
            AssertOnlyOwnMarkup(page);
            Assert.Equal(9, Regex.Matches(page, "<div class=\"dr\" data-g=").Count);
            Assert.Contains("include:&lt;script&gt;window.__pwned=20&lt;/script&gt;", page, StringComparison.Ordinal);
            Assert.Contains("Advice: how the grade was reached", page, StringComparison.Ordinal);
            Assert.Contains("aria-label=\"Grade distribution: A ", page, StringComparison.Ordinal);
            Assert.Contains("data-s=\"LookupFailed\"", page, StringComparison.Ordinal);
            Assert.Contains("data-s=\"InvalidInput\"", page, StringComparison.Ordinal);
        }
    }
}

namespace MailAuth.Core.Tests.Html
{
    /// <summary>The hop timeline: delays, TLS, the edge and clock skew drawn.</summary>
    public class HtmlTimelineTests
    {
        [Fact]
        public void TheTimelineMarksTheEdgeTlsLongDelaysAndClockSkew()
        {
            string text =
                "Received: from mx.example.com (mx.example.com [192.0.2.10]) by mailbox.example.com with LMTP id 3; Mon, 16 Nov 2026 09:00:00 +0000\r\n"
                + "Received: from relay.sender.example (relay.sender.example [198.51.100.7]) by mx.example.com (Postfix) with ESMTPS id 2 (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384); Mon, 16 Nov 2026 09:10:00 +0000\r\n"
                + "Received: from pc.sender.example ([203.0.113.5]) by relay.sender.example with SMTP id 1; Mon, 16 Nov 2026 06:00:00 +0000\r\n"
                + "From: a@sender.example\r\nTo: b@example.com\r\nSubject: timeline\r\nDate: Mon, 16 Nov 2026 05:59:00 +0000\r\nMessage-ID: <1@sender.example>\r\n";
            MailHeaderReport report = MailHeaderAnalyzer.AnalyzeText(text, HtmlTestData.Options()).Single();
            Assert.Contains(report.Hops, h => h.ClockSkew);
            string page = HtmlReport.Render(new[] { report }, Array.Empty<MailDomainReport>());
            string svg = Regex.Match(page, "<svg class=\"timeline\".*?</svg>", RegexOptions.Singleline).Value;
            Assert.Equal(3, Regex.Matches(svg, "<circle ").Count);
            Assert.Contains("class=\"skew\"", svg, StringComparison.Ordinal);
            Assert.Contains("clock skew", svg, StringComparison.Ordinal);
            Assert.Contains("class=\"bar neg\"", svg, StringComparison.Ordinal);
            Assert.Contains("class=\"bar long\"", svg, StringComparison.Ordinal); // 3 h 10 min between hop 1 and 2
            Assert.Contains("encrypted: TLS1_3", svg, StringComparison.Ordinal);
            Assert.Contains("no TLS recorded", svg, StringComparison.Ordinal);
            Assert.Equal(report.EdgeHop is null ? 0 : 1, Regex.Matches(svg, ">EDGE</text>").Count);
            HtmlReportTests.AssertOnlyOwnMarkup(page);
        }

        [Fact]
        public void LongChainsDrawTheOldestAndNewestHops()
        {
            var text = new StringBuilder();
            for (int i = 120; i >= 1; i--)
            {
                text.Append("Received: from h").Append(i).Append(".example ([192.0.2.").Append(i).Append("]) by h").Append(i + 1).Append(".example with SMTP; Mon, 16 Nov 2026 09:")
                    .Append((i / 60).ToString("00", System.Globalization.CultureInfo.InvariantCulture)).Append(':').Append((i % 60).ToString("00", System.Globalization.CultureInfo.InvariantCulture)).Append(" +0000\r\n");
            }

            text.Append("From: a@example.org\r\nSubject: loop\r\n");
            // Past the default 100 hops (RFC 5321 §6.3, docs/limits.md): a longer chain is asked for.
            var options = HtmlTestData.Options();
            options.MaxHops = 200;
            MailHeaderReport report = MailHeaderAnalyzer.AnalyzeText(text.ToString(), options).Single();
            Assert.Equal(120, report.Hops.Count);
            string page = HtmlReport.Render(new[] { report }, Array.Empty<MailDomainReport>());
            string svg = Regex.Match(page, "<svg class=\"timeline\".*?</svg>", RegexOptions.Singleline).Value;
            Assert.Equal(60, Regex.Matches(svg, "<circle ").Count);
            Assert.Contains("60 hops not drawn (all in the table)", svg, StringComparison.Ordinal);
            Assert.Equal(120, Regex.Matches(page, "<tr( class=\"edge\")?><td>[0-9]+( edge)?</td>").Count);
        }
    }
}
