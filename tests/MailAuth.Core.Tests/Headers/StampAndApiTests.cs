using System;
using System.IO;
using System.Linq;
using MailAuth.Headers;
using MimeKit;

namespace MailAuth.Core.Tests.Headers
{
    /// <summary>Documented stamp codes, unknown ones, and the public entry points' argument checks.</summary>
    public class StampAndApiTests
    {
        private static MailHeaderReport WithStamps(string headers) =>
            HeaderTestSupport.Single("From: a@example.com\n" + headers);

        [Theory]
        [InlineData("SFV:SKQ", "released from quarantine")]
        [InlineData("SFV:SKS", "marked as spam before spam filtering")]
        [InlineData("SFV:SFE", "Safe Senders")]
        [InlineData("SFV:BLK", "Blocked Senders")]
        [InlineData("CAT:HPHISH", "High confidence phishing")]
        [InlineData("CAT:UIMP", "User impersonation")]
        [InlineData("IPV:CAL", "IP Allow List")]
        [InlineData("DIR:OUT", "Outbound")]
        [InlineData("SRV:BULK", "bulk")]
        [InlineData("SFTY:9.25", "First contact")]
        [InlineData("SCL:-1", "skipped")]
        [InlineData("SCL:9", "High confidence spam")]
        [InlineData("SCL:7", "High confidence spam")]
        [InlineData("CAT:BIMP", "Brand impersonation")]
        [InlineData("SFV:SKI", "intra-organizational")]
        public void Forefront_DocumentedCodes(string field, string meaning)
        {
            var r = WithStamps("X-Forefront-Antispam-Report: " + field + ";\n");
            var stamp = r.Stamps.Single();
            Assert.True(stamp.IsKnown);
            Assert.Contains(meaning, stamp.Meaning, StringComparison.OrdinalIgnoreCase);
        }

        [Theory]
        [InlineData("SFV:XYZ")]
        [InlineData("CAT:NEWTHING")]
        [InlineData("SCL:3")]
        [InlineData("SCL:seven")]
        [InlineData("ZZZ:1")]
        [InlineData("DIR:SIDEWAYS")]
        [InlineData("CAT:NONE")]
        [InlineData("SFP:1102")]
        public void Forefront_UnknownCodes_AreUnknown(string field)
        {
            var stamp = WithStamps("X-Forefront-Antispam-Report: " + field + ";\n").Stamps.Single();
            Assert.False(stamp.IsKnown);
            // The raw value stays beside the unknown meaning: "unknown (XYZ)".
            Assert.Equal("unknown (" + field.Substring(field.IndexOf(':') + 1) + ")", stamp.Meaning);
        }

        [Theory]
        [InlineData("BCL:0", "Not from a bulk sender")]
        [InlineData("BCL:3", "few complaints")]
        [InlineData("BCL:5", "mixed number")]
        [InlineData("BCL:9", "high number")]
        [InlineData("PCL:2", "not likely")]
        [InlineData("PCL:6", "likely to be phishing")]
        [InlineData("PCL:0", "unknown")]
        public void Antispam_BclPcl(string field, string meaning)
        {
            var stamp = WithStamps("X-Microsoft-Antispam: " + field + ";\n").Stamps.Single();
            Assert.Contains(meaning, stamp.Meaning);
        }

        [Fact]
        public void Antispam_BclOutOfRange_IsUnknown()
        {
            var r = WithStamps("X-Microsoft-Antispam: BCL:12;\n");
            Assert.Equal("unknown (12)", r.Stamps.Single().Meaning);
            Assert.Equal(12, r.Bcl);
        }

        [Theory]
        [InlineData("001", "Implicit authentication failed")]
        [InlineData("002", "explicitly prohibits")]
        [InlineData("010", "accepted domains")]
        [InlineData("130", "ARC")]
        [InlineData("109", "passed")]
        [InlineData("201", "Soft-passed")]
        [InlineData("301", "Not checked")]
        [InlineData("451", "bypassed")]
        [InlineData("905", "bypassed")]
        [InlineData("601", "accepted domains")]
        public void CompAuthReasons(string code, string meaning)
        {
            Assert.Contains(meaning, MicrosoftStamps.CompAuthReasonMeaning(code));
        }

        [Theory]
        [InlineData("805")]
        [InlineData("5")]
        [InlineData("abc")]
        [InlineData("1000")]
        public void CompAuthReasons_Undocumented_AreNull(string code)
        {
            Assert.Null(MicrosoftStamps.CompAuthReasonMeaning(code));
        }

        [Fact]
        public void CompAuth011_IsOnlyTheGenericFailure()
        {
            Assert.Equal("Composite authentication failed (specific code not documented).", MicrosoftStamps.CompAuthReasonMeaning("011"));
        }

        [Fact]
        public void MicrosoftDmarcActionAndBestGuessPass()
        {
            var r = WithStamps("Received: from o.example.com (198.51.100.2) by x.mail.protection.outlook.com with Microsoft SMTP Server id 1; Mon, 16 Nov 2026 09:00:00 +0000\n"
                + "Authentication-Results: spf=pass smtp.mailfrom=example.com; dmarc=bestguesspass action=pct.reject header.from=example.com;compauth=pass reason=109\n");
            Assert.Contains("publishes no DMARC record", r.Stamps.Single(s => s.Field == "dmarc").Meaning);
            Assert.Contains("pct was below 100", r.Stamps.Single(s => s.Field == "dmarc action").Meaning);

            var none = WithStamps("Authentication-Results: spf=pass smtp.mailfrom=example.com; dmarc=fail action=oreject header.from=example.com;compauth=fail reason=000\n");
            // oreject is in Microsoft's syntax but never described: unknown, with the raw value.
            Assert.Equal("unknown (oreject)", none.Stamps.Single(s => s.Field == "dmarc action").Meaning);
        }

        [Fact]
        public void MailboxDelivery_DestAndOfrDecoded_TheRestUnknownWithTheirValues()
        {
            var r = WithStamps("X-Microsoft-Antispam-Mailbox-Delivery: ucf:1;jmr:0;auth:0;dest:J;OFR:CustomRules;RF:JunkEmail;ENG:(20160514016)(750129);\n");
            MailHeaderStamp Stamp(string field) => r.Stamps.Single(s => s.Field == field);
            Assert.Equal("Delivered to the Junk Email folder.", Stamp("dest").Meaning);
            Assert.True(Stamp("dest").IsKnown);
            Assert.Contains("rules", Stamp("OFR").Meaning);
            Assert.Equal("unknown (1)", Stamp("ucf").Meaning);
            Assert.Equal("unknown (JunkEmail)", Stamp("RF").Meaning);
            Assert.False(Stamp("jmr").IsKnown);
            Assert.Equal("(20160514016)(750129)", Stamp("ENG").Value);
            Assert.Equal("unknown (Q)", WithStamps("X-Microsoft-Antispam-Mailbox-Delivery: dest:Q;\n").Stamps.Single().Meaning);
        }

        [Theory]
        [InlineData("ARC:AAR", "Authentication-Results")]
        [InlineData("ARC:AS", "chain validation")]
        [InlineData("SFS:(13230040)(1800799024)", "rule numbers")]
        public void Forefront_ArcAndSfs(string field, string meaning)
        {
            var stamp = WithStamps("X-Forefront-Antispam-Report: " + field + ";\n").Stamps.Single();
            Assert.True(stamp.IsKnown);
            Assert.Contains(meaning, stamp.Meaning);
        }

        [Fact]
        public void OrganizationScl_WinsOverForefrontScl()
        {
            var r = WithStamps("X-MS-Exchange-Organization-SCL: -1\nX-Forefront-Antispam-Report: SCL:5;\n");
            Assert.Equal(-1, r.Scl);
        }

        [Fact]
        public void MimeMessage_AsObject()
        {
            var message = MimeMessage.Load(HeaderTestSupport.SamplePath("m365-clean-inbound.txt"));
            object boxed = message;
            var r = MailHeaderAnalyzer.AnalyzeMimeMessage(boxed, HeaderTestSupport.Options());
            var text = HeaderTestSupport.Sample("m365-clean-inbound.txt");
            Assert.Equal(text.Headers.Select(h => h.Name + "|" + h.Value).OrderBy(x => x, StringComparer.Ordinal),
                r.Headers.Select(h => h.Name + "|" + h.Value).OrderBy(x => x, StringComparer.Ordinal));
            Assert.Equal("Content-Transfer-Encoding", r.Headers[r.Headers.Count - 1].Name);
            Assert.Equal(text.Findings.Select(f => f.Id), r.Findings.Select(f => f.Id));
            Assert.Equal("198.51.100.25", r.ClientIP);
            Assert.True(r.HasBody);
            Assert.Equal("MimeMessage", r.Source);

            Assert.Single(MailHeaderAnalyzer.AnalyzeObject(boxed, HeaderTestSupport.Options()));
            Assert.Single(MailHeaderAnalyzer.AnalyzeObject(message.Headers, HeaderTestSupport.Options()));
        }

        [Fact]
        public void AnalyzeObject_Dispatches()
        {
            Assert.Equal("Invoice 2026-1142 for October", MailHeaderAnalyzer.AnalyzeObject(
                new FileInfo(HeaderTestSupport.SamplePath("m365-clean-inbound.txt")), HeaderTestSupport.Options()).Single().Subject);
            Assert.Equal("x", MailHeaderAnalyzer.AnalyzeObject("Subject: x\n").Single().Subject);
            using (var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes("Subject: y\r\n")))
            {
                Assert.Equal("y", MailHeaderAnalyzer.AnalyzeObject(stream).Single().Subject);
            }

            var ex = Assert.Throws<MailHeaderFormatException>(() => MailHeaderAnalyzer.AnalyzeObject(42));
            Assert.Equal("UnsupportedInput", ex.ErrorId);
            Assert.Contains("System.Int32", ex.Message);
        }

        [Fact]
        public void ArgumentChecks()
        {
            Assert.Throws<ArgumentNullException>(() => MailHeaderAnalyzer.AnalyzeText(null!));
            Assert.Throws<ArgumentNullException>(() => MailHeaderAnalyzer.AnalyzeFile(null!));
            Assert.Throws<ArgumentException>(() => MailHeaderAnalyzer.AnalyzeFile("  "));
            Assert.Throws<FileNotFoundException>(() => MailHeaderAnalyzer.AnalyzeFile(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))));
            Assert.Throws<ArgumentNullException>(() => MailHeaderAnalyzer.AnalyzeStream(null!));
            Assert.Throws<ArgumentException>(() => MailHeaderAnalyzer.AnalyzeStream(new UnreadableStream()));
            Assert.Throws<ArgumentNullException>(() => MailHeaderAnalyzer.AnalyzeMimeMessage(null!));
            Assert.Throws<ArgumentException>(() => MailHeaderAnalyzer.AnalyzeMimeMessage("not a message"));
            Assert.Throws<ArgumentNullException>(() => MailHeaderAnalyzer.AnalyzeObject(null!));
            Assert.Throws<ArgumentNullException>(() => new MailHeaderFormatException(null!, "m"));
        }

        private sealed class UnreadableStream : MemoryStream
        {
            public override bool CanRead => false;
        }
    }
}
