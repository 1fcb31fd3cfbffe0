using System;
using System.IO;
using System.Linq;
using System.Text;
using MailAuth.Headers;

namespace MailAuth.Core.Tests.Headers
{
    /// <summary>Real pastes: indentation, line endings, folding, junk, double spacing, encodings; lines vs text.</summary>
    public class InputNormalizationTests
    {
        private const string Basic =
            "Received: from a.example.com (a.example.com [192.0.2.10])\n" +
            "\tby mx.example.net (Postfix) with ESMTPS id 4AbC\n" +
            "\tfor <bob@example.net>; Mon, 16 Nov 2026 09:00:00 +0000\n" +
            "Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=alice@example.com\n" +
            "From: Alice <alice@example.com>\n" +
            "To: bob@example.net\n" +
            "Subject: Hello\n" +
            "Date: Mon, 16 Nov 2026 09:59:58 +0100\n";

        [Fact]
        public void LfAndCrlf_GiveTheSameReport()
        {
            var lf = HeaderTestSupport.Single(Basic);
            var crlf = HeaderTestSupport.Single(Basic.Replace("\n", "\r\n"));
            var cr = HeaderTestSupport.Single(Basic.Replace("\n", "\r"));
            Assert.Equal(6, lf.Headers.Count);
            Assert.Equal(lf.Headers.Select(h => h.Value), crlf.Headers.Select(h => h.Value));
            Assert.Equal(lf.Headers.Select(h => h.Value), cr.Headers.Select(h => h.Value));
            Assert.Equal("192.0.2.10", crlf.ClientIP);
            Assert.Equal("pass", crlf.Spf);
        }

        [Fact]
        public void FoldedLines_AreUnfoldedInValueAndKeptInRawValue()
        {
            var r = HeaderTestSupport.Single(Basic);
            var received = r.Headers[0];
            Assert.DoesNotContain("\n", received.Value);
            Assert.Contains("by mx.example.net", received.Value);
            Assert.Contains("\n", received.RawValue);
            Assert.Equal("bob@example.net", r.Hops[0].For);
        }

        [Theory]
        [InlineData("  ")]
        [InlineData("\t")]
        [InlineData("        ")]
        public void CommonIndentation_IsRemoved(string indent)
        {
            var indented = string.Join("\n", Basic.TrimEnd('\n').Split('\n').Select(l => indent + l)) + "\n";
            var r = HeaderTestSupport.Single(indented);
            Assert.Equal(6, r.Headers.Count);
            Assert.Equal("From", r.Headers[2].Name);
            Assert.Equal("192.0.2.10", r.ClientIP);
            Assert.Contains(r.InputNotes, n => n.StartsWith($"Removed {indent.Length} character(s)", StringComparison.Ordinal));
        }

        [Fact]
        public void FirstLineNotIndented_RestIndented_IsRepaired()
        {
            // Selection started at the first character: only the first line lost its indentation.
            var lines = Basic.TrimEnd('\n').Split('\n');
            var text = lines[0] + "\n" + string.Join("\n", lines.Skip(1).Select(l => "    " + l)) + "\n";
            var r = HeaderTestSupport.Single(text);
            Assert.Equal(new[] { "Received", "Authentication-Results", "From", "To", "Subject", "Date" }, r.Headers.Select(h => h.Name));
        }

        [Fact]
        public void DoubleSpacedPaste_BlankLinesBetweenFieldsAreDropped()
        {
            var text = Basic.Replace("\n", "\n\n");
            var r = HeaderTestSupport.Single(text);
            Assert.Equal(6, r.Headers.Count);
            Assert.Equal("Hello", r.Subject);
            Assert.Equal("bob@example.net", r.Hops[0].For);
            Assert.Contains(r.InputNotes, n => n.Contains("double-spaced"));
        }

        [Fact]
        public void LeadingJunk_IsSkipped_ButUrlsAreNotFields()
        {
            var text = "Here are the headers you asked for\nhttps://example.com/ticket/42\n\n" + Basic;
            var r = HeaderTestSupport.Single(text);
            Assert.Equal("Received", r.Headers[0].Name);
            Assert.Contains(r.InputNotes, n => n.StartsWith("Skipped 3 line(s)", StringComparison.Ordinal));
        }

        [Fact]
        public void BodyAfterHeaders_IsDetected_AndQuotedHeadersInBodyIgnored()
        {
            var text = Basic + "\nHi Bob,\n\nFrom: Mallory <m@example.org>\nSent: yesterday\n";
            var r = HeaderTestSupport.Single(text);
            Assert.True(r.HasBody);
            Assert.Single(r.GetHeaders("From"));
            Assert.False(r.Has("HDR-MULTIPLE-FROM"));
        }

        [Fact]
        public void LineThatLostItsFolding_IsJoinedToTheFieldAbove()
        {
            var text = "Received: from a.example.com (a.example.com [192.0.2.10]) by mx.example.net\nwith ESMTP id 4AbC; Mon, 16 Nov 2026 09:00:00 +0000\nFrom: a@example.com\n";
            var r = HeaderTestSupport.Single(text);
            Assert.Equal(2, r.Headers.Count);
            Assert.Equal("4AbC", r.Hops[0].Id);
            Assert.Contains(r.InputNotes, n => n.StartsWith("Joined 1 line(s)", StringComparison.Ordinal));
        }

        [Fact]
        public void FlattenedPaste_ContinuationsThatLookLikeFieldsStayContinuations()
        {
            // A viewer dropped every leading white space: folded lines start at column 0.
            var text =
                "Received: from a.example.com (a.example.com\n[IPv6:2001:db8::10]) by mx.example.net with ESMTPS id 4AbC; Mon, 16 Nov 2026\n09:00:00 +0000\n" +
                "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s1;\nh=From:To:Subject:Date;\nbh=abc=; b=def=\n" +
                "From: a@example.com\n";
            var r = HeaderTestSupport.Single(text);
            Assert.Equal(new[] { "Received", "DKIM-Signature", "From" }, r.Headers.Select(h => h.Name));
            Assert.Equal("2001:db8::10", r.Hops[0].FromIp);
            Assert.Equal(new DateTimeOffset(2026, 11, 16, 9, 0, 0, TimeSpan.Zero), r.Hops[0].Timestamp);
            Assert.Equal(new[] { "From", "To", "Subject", "Date" }, r.DkimSignatures.Single().SignedHeaders);
            Assert.Contains(r.InputNotes, n => n.StartsWith("Joined 4 line(s)", StringComparison.Ordinal));
        }

        [Fact]
        public void EncodedWords_AndRawUtf8_AreDecoded()
        {
            var text = "From: =?ISO-8859-1?Q?Andr=E9?= <andre@example.com>\n" +
                       "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= und =?UTF-8?B?8J+Ygg==?=\n" +
                       "X-Note: déjà vu 日本\n" +
                       "To: 用户@example.net\n";
            var r = HeaderTestSupport.Single(text);
            Assert.Equal("Andr\u00e9", r.FromDisplayName);
            Assert.Equal("Gr\u00fc\u00dfe und \U0001F602", r.Subject);
            Assert.Equal("déjà vu 日本", r.GetHeaders("X-Note").Single().Value);
            Assert.Contains("用户@example.net", r.To);
        }

        [Fact]
        public void UnterminatedEncodedWord_IsKeptVerbatim()
        {
            var r = HeaderTestSupport.Single("From: a@example.com\nSubject: =?UTF-8?B?SGVsbG8gd29y\nX-Other: =?utf-8?q?broken\n");
            Assert.Equal("=?UTF-8?B?SGVsbG8gd29y", r.Subject);
            Assert.Equal("=?utf-8?q?broken", r.GetHeaders("X-Other").Single().Value);
        }

        [Fact]
        public void DuplicateAndUnknownHeaders_AreAllKeptInOrder()
        {
            var r = HeaderTestSupport.Single("X-A: 1\nX-Custom-Thing: yes\nX-A: 2\nReceived: by x.example.net; Mon, 16 Nov 2026 09:00:00 +0000\nX-A: 3\n");
            Assert.Equal(new[] { "X-A", "X-Custom-Thing", "X-A", "Received", "X-A" }, r.Headers.Select(h => h.Name));
            Assert.Equal(new[] { "1", "2", "3" }, r.GetHeaders("x-a").Select(h => h.Value));
        }

        [Theory]
        [InlineData("phish-spf-pass-unaligned.txt")]
        [InlineData("m365-clean-inbound.txt")]
        [InlineData("gmail-to-exchange-arc.txt")]
        [InlineData("mailing-list-dkim-broken.txt")]
        [InlineData("spoof-dmarc-reject.txt")]
        public void LineByLine_EqualsWholeString(string name)
        {
            var text = HeaderTestSupport.ReadSample(name);
            var whole = HeaderTestSupport.Single(text);

            // Get-Content strips the terminators (LF or CRLF) and feeds one line at a time.
            var reader = new MailHeaderLineReader(HeaderTestSupport.Options());
            foreach (var line in text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n'))
            {
                Assert.Empty(reader.AddLine(line));
            }

            var fed = reader.Complete().Single();
            Assert.Equal(whole.Headers.Select(h => h.Name + ": " + h.RawValue), fed.Headers.Select(h => h.Name + ": " + h.RawValue));
            Assert.Equal(whole.Findings.Select(f => f.Id + f.Message), fed.Findings.Select(f => f.Id + f.Message));
            Assert.Equal(whole.Hops.Select(h => h.ToString()), fed.Hops.Select(h => h.ToString()));
            Assert.Equal(whole.ClientIP, fed.ClientIP);
            Assert.Equal(whole.Spf, fed.Spf);
            Assert.Equal(whole.HasBody, fed.HasBody);
            Assert.Equal(whole.InputNotes, fed.InputNotes);
        }

        [Fact]
        public void Mbox_GivesOneReportPerMessage_AsSoonAsEachEnds()
        {
            var mbox = new StringBuilder();
            mbox.Append("From alice@example.com Mon Nov 16 09:00:00 2026\n");
            mbox.Append("Received: from a.example.com (a.example.com [192.0.2.1]) by mx.example.net with ESMTP id 1; Mon, 16 Nov 2026 09:00:00 +0000\n");
            mbox.Append("From: Alice <alice@example.com>\nSubject: one\n\nbody one\n>From the archive\n\n");
            mbox.Append("From bob@example.org Mon Nov 16 10:00:00 2026\n");
            mbox.Append("From: Bob <bob@example.org>\nSubject: two\n\nbody two\n\n");
            mbox.Append("From carol@example.com Mon Nov 16 11:00:00 2026\n");
            mbox.Append("From: Carol <carol@example.com>\nSubject: three\n");

            var reader = new MailHeaderLineReader(HeaderTestSupport.Options(), "box.mbox");
            var early = mbox.ToString().TrimEnd('\n').Split('\n').SelectMany(l => reader.AddLine(l)).ToList();
            Assert.Equal(new[] { "one", "two" }, early.Select(r => r.Subject));
            var last = reader.Complete().Single();
            Assert.Equal("three", last.Subject);
            Assert.Equal(new[] { 1, 2 }, early.Select(r => r.MessageNumber));
            Assert.Equal(3, last.MessageNumber);
            Assert.Equal("box.mbox #2", early[1].Source);
            Assert.Equal("192.0.2.1", early[0].ClientIP);
            Assert.True(early[0].HasBody);
            Assert.False(last.HasBody);

            var asText = MailHeaderAnalyzer.AnalyzeText(mbox.ToString(), HeaderTestSupport.Options());
            Assert.Equal(new[] { "one", "two", "three" }, asText.Select(r => r.Subject));

            var path = Path.Combine(Path.GetTempPath(), "mailauth-hdr-" + Guid.NewGuid().ToString("N") + ".mbox");
            try
            {
                File.WriteAllText(path, mbox.ToString().Replace("\n", "\r\n"));
                var fromFile = MailHeaderAnalyzer.AnalyzeFile(path, HeaderTestSupport.Options()).ToList();
                Assert.Equal(new[] { "one", "two", "three" }, fromFile.Select(r => r.Subject));
                Assert.Equal(path + " #3", fromFile[2].Source);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void NoBreakSpaceIndentation_AndByteOrderMark_AreRepaired()
        {
            var web = "\ufeff" + string.Join("\n", Basic.TrimEnd('\n').Split('\n')
                .Select(l => l.StartsWith("\t", StringComparison.Ordinal) ? "\u00a0\u00a0" + l.Substring(1) : "\u00a0" + l)) + "\n";
            var r = HeaderTestSupport.Single(web);
            Assert.Equal(6, r.Headers.Count);
            Assert.Equal("Received", r.Headers[0].Name);
            Assert.Equal("bob@example.net", r.Hops[0].For);
        }

        [Fact]
        public void SentenceStartingWithFrom_IsNotAnMboxSeparator()
        {
            var r = MailHeaderAnalyzer.AnalyzeText("From my phone, the headers:\n\n" + Basic, HeaderTestSupport.Options());
            var single = Assert.Single(r);
            Assert.Equal("string", single.Source);
            Assert.Equal("Hello", single.Subject);
        }

        [Fact]
        public void AddLine_WithEmbeddedNewlines_IsSplit()
        {
            var reader = new MailHeaderLineReader(HeaderTestSupport.Options());
            reader.AddLine("From: a@example.com\r\nSubject: x");
            reader.AddLine("To: b@example.net");
            var r = reader.Complete().Single();
            Assert.Equal(new[] { "From", "Subject", "To" }, r.Headers.Select(h => h.Name));
            Assert.Equal(3, reader.LineCount);
        }
    }
}
