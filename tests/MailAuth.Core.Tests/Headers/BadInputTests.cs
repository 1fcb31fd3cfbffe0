using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using MailAuth.Headers;

namespace MailAuth.Core.Tests.Headers
{
    /// <summary>Hostile input: a report with findings or a specific error, in bounded time, never a crash.</summary>
    public class BadInputTests
    {
        [Fact]
        public void BinaryGarbage_WithoutPrintableText_IsNoHeaderFields()
        {
            var random = new Random(1234);
            var chars = new char[200_000];
            for (var i = 0; i < chars.Length; i++)
            {
                var b = random.Next(0, 0x60);
                chars[i] = (char)(b < 0x20 ? b : b + 0x60); // 0x00-0x1F and 0x80-0xBF: no field name possible
            }

            var ex = Assert.Throws<MailHeaderFormatException>(() => MailHeaderAnalyzer.AnalyzeText(new string(chars)));
            Assert.Equal("NoHeaderFields", ex.ErrorId);
            Assert.Contains("No header fields found", ex.Message);
        }

        [Fact]
        public void RandomBytes_ReportOrSpecificError()
        {
            var random = new Random(42);
            for (var round = 0; round < 20; round++)
            {
                var bytes = new byte[20_000];
                random.NextBytes(bytes);
                var text = Encoding.GetEncoding("ISO-8859-1").GetString(bytes);
                try
                {
                    var reports = MailHeaderAnalyzer.AnalyzeText(text, HeaderTestSupport.Options());
                    Assert.All(reports, r => Assert.True(r.Headers.Count > 0));
                }
                catch (MailHeaderFormatException ex)
                {
                    Assert.Equal("NoHeaderFields", ex.ErrorId);
                }
            }
        }

        [Fact]
        public void BinaryFile_WithoutLineBreaks_IsReadWithBoundedLines()
        {
            var path = Path.Combine(Path.GetTempPath(), "mailauth-bin-" + Guid.NewGuid().ToString("N") + ".eml");
            try
            {
                var bytes = new byte[4 * 1024 * 1024];
                for (var i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = (byte)(i % 7 == 0 ? 0 : 0x80 + (i % 60));
                }

                File.WriteAllBytes(path, bytes);
                var ex = Assert.Throws<MailHeaderFormatException>(() => MailHeaderAnalyzer.AnalyzeFile(path).ToList());
                Assert.Equal("NoHeaderFields", ex.ErrorId);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void EmptyAndWhitespace_AreNoHeaderFields()
        {
            Assert.Equal("NoHeaderFields", Assert.Throws<MailHeaderFormatException>(() => MailHeaderAnalyzer.AnalyzeText("")).ErrorId);
            Assert.Equal("NoHeaderFields", Assert.Throws<MailHeaderFormatException>(() => MailHeaderAnalyzer.AnalyzeText(" \r\n\t\n")).ErrorId);
            Assert.Equal("NoHeaderFields", Assert.Throws<MailHeaderFormatException>(() => new MailHeaderLineReader().Complete()).ErrorId);
        }

        [Fact]
        public void TenMegabyteHeader_IsReadUpToTheHeaderLimit_WithAFinding()
        {
            // MaxHeaderLength (2 MiB, docs/limits.md): the fields before the limit are read, the
            // field that crosses it keeps its beginning, the rest is left out and the report says so.
            var sb = new StringBuilder("From: a@example.com\nX-Big: ");
            var chunk = new string('A', 70);
            while (sb.Length < 10 * 1024 * 1024)
            {
                sb.Append(chunk).Append("\n ");
            }

            sb.Append("end\nSubject: =?UTF-8?Q?after_the_big_one_=E2=9C=93?=\n");
            var r = HeaderTestSupport.Single(sb.ToString());
            Assert.Equal("a@example.com", r.FromAddress);
            Assert.Null(r.Subject);
            var big = r.GetHeaders("X-Big").Single().Value.Length;
            // Unfolding (RFC 5322 §2.2.3) drops the line breaks the limit counted.
            Assert.InRange(big, 2_000_000, 2 * 1024 * 1024);
            var finding = Assert.Single(r.Findings, f => f.Id == "HDR-INPUT-TRUNCATED");
            Assert.Contains("2,097,152", finding.Message);
        }

        [Fact]
        public void OneHugeUnfoldedLine_KeepsTheFieldsBeforeIt()
        {
            var options = HeaderTestSupport.Options();
            options.MaxHeaderLength = 4096;
            var text = "From: a@example.com\nSubject: " + new string('x', 10_000) + "\nTo: b@example.net\n";
            var r = HeaderTestSupport.Single(text, options);
            Assert.Equal("a@example.com", r.FromAddress);
            Assert.StartsWith("xxx", r.Subject);
            Assert.True(r.Subject!.Length < 4096);
            Assert.Empty(r.GetHeaders("To"));
            Assert.True(r.Has("HDR-INPUT-TRUNCATED"));
        }

        [Fact]
        public void MoreFieldsThanTheLimit_AreLeftOut_WithAFinding()
        {
            var options = HeaderTestSupport.Options();
            options.MaxHeaderFields = 50;
            var sb = new StringBuilder("From: a@example.com\n");
            for (int i = 0; i < 200; i++)
            {
                sb.Append("X-Pad-").Append(i).Append(": v\n");
            }

            var r = HeaderTestSupport.Single(sb.ToString(), options);
            Assert.Equal(50, r.Headers.Count);
            var finding = Assert.Single(r.Findings, f => f.Id == "HDR-LIMIT-REACHED");
            Assert.Contains("201 fields", finding.Message);
        }

        [Fact]
        public void TooManyEncodedWords_AreShownAsWritten_WithAFinding()
        {
            var options = HeaderTestSupport.Options();
            options.MaxEncodedWordsPerField = 3;
            // "=?utf-8?Q?Wood?=" and friends: four encoded words in the display name.
            var r = HeaderTestSupport.Single("From: =?utf-8?Q?W?= =?utf-8?Q?o?= =?utf-8?Q?o?= =?utf-8?Q?d?= <a@example.com>\nSubject: =?utf-8?Q?ok?=\n", options);
            Assert.Equal("a@example.com", r.FromAddress);
            Assert.Equal("ok", r.Subject);
            Assert.Contains("=?utf-8?Q?W?=", r.GetHeaders("From").Single().Value);
            var finding = Assert.Single(r.Findings, f => f.Id == "HDR-LIMIT-REACHED");
            Assert.Equal("From", finding.Subject);
        }

        [Fact]
        public void LongHeaderAfterASummaryTable_IsKept()
        {
            // Gmail's "Show original" table, a blank line, then a header with a 1.4 MB field: the
            // body budget must not eat the real header.
            var sb = new StringBuilder("From:\tA <a@example.com>\nSPF:\tPASS\n\nReceived: by mx.example.net; Mon, 16 Nov 2026 09:00:00 +0000\nX-Big: x");
            for (var i = 0; i < 20_000; i++)
            {
                sb.Append("\n ").Append(new string('z', 70));
            }

            sb.Append("\nFrom: a@example.com\nSubject: kept\n\nbody\n");
            var reader = new MailHeaderLineReader(HeaderTestSupport.Options());
            foreach (var line in sb.ToString().Split('\n'))
            {
                reader.AddLine(line);
            }

            var r = reader.Complete().Single();
            Assert.Equal("kept", r.Subject);
            Assert.True(r.GetHeaders("X-Big").Single().Value.Length > 1_400_000);
            Assert.False(r.Has("HDR-INPUT-TRUNCATED"));
        }

        [Fact]
        public void OversizedMessage_IsTruncatedWithAFinding()
        {
            var options = HeaderTestSupport.Options();
            options.MaxMessageLength = 4096;
            var text = "From: a@example.com\nSubject: s\nX-Pad: " + new string('x', 3000) + "\nX-Pad2: " + new string('y', 3000) + "\n";
            var r = HeaderTestSupport.Single(text, options);
            Assert.True(r.Has("HDR-INPUT-TRUNCATED"));
            Assert.Equal("s", r.Subject);
            Assert.Empty(r.GetHeaders("X-Pad2"));
        }

        private static string ManyReceived(int count, bool descendingTime)
        {
            var sb = new StringBuilder();
            var start = new DateTimeOffset(2026, 11, 16, 0, 0, 0, TimeSpan.Zero);
            for (var i = 0; i < count; i++)
            {
                // Top of the header is the newest hop; "descending" makes every hop older than the one before it.
                var t = descendingTime ? start.AddSeconds(i) : start.AddSeconds(count - i);
                sb.Append($"Received: from h{i}.example.org (h{i}.example.org [192.0.2.{i % 250}]) by h{i + 1}.example.net with ESMTP id {i}; {t:ddd, dd MMM yyyy HH:mm:ss} +0000\n");
            }

            sb.Append("From: a@example.com\nSubject: loop\n");
            return sb.ToString();
        }

        [Fact]
        public void FiveThousandReceived_AreCappedAndBounded()
        {
            // RFC 5321 §6.3: about 100 Received fields mean a loop; MaxHops is 100 (docs/limits.md).
            var r = HeaderTestSupport.Single(ManyReceived(5000, descendingTime: false));
            Assert.Equal(5002, r.Headers.Count);
            Assert.Equal(100, r.HopCount);
            Assert.Contains(r.Hops, h => h.FromHost == "h0.example.org");
            Assert.DoesNotContain(r.Hops, h => h.FromHost == "h100.example.org");
            var finding = Assert.Single(r.Findings, f => f.Id == "HDR-HOPS-CAPPED");
            Assert.Equal(FindingSeverity.Warning, finding.SeverityCode);
            Assert.StartsWith("5,000 Received fields", finding.Message);
        }

        [Fact]
        public void FiveThousandReceived_AllHops_FindingsPerIdCapped()
        {
            var options = HeaderTestSupport.Options();
            options.MaxHops = 10_000;
            var r = HeaderTestSupport.Single(ManyReceived(5000, descendingTime: true), options);
            Assert.Equal(5000, r.HopCount);
            Assert.All(r.Hops.Skip(1), h => Assert.True(h.ClockSkew));

            // Ten findings and one "left out" note instead of 4,999.
            Assert.Equal(11, r.Findings.Count(f => f.Id == "HDR-HOP-CLOCK-SKEW"));
            Assert.Contains(r.Findings, f => f.Id == "HDR-HOP-CLOCK-SKEW" && f.Message.StartsWith("4,989 more", StringComparison.Ordinal));
        }

        [Fact]
        public void BrokenDates_AreFindingsNotErrors()
        {
            var text = "Received: from a.example.org (a.example.org [192.0.2.1]) by mx.example.net; 31 Foo 2026 99:99:99 +0000\n" +
                       "Received: from b.example.org (b.example.org [192.0.2.2]) by a.example.org; yesterday\n" +
                       "From: a@example.com\nDate: sometime last week\n";
            var r = HeaderTestSupport.Single(text);
            Assert.Null(r.Date);
            Assert.Equal("sometime last week", r.DateText);
            Assert.True(r.Has("HDR-DATE-UNREADABLE"));
            Assert.Contains(r.Findings, f => f.Id == "HDR-HOP-DATE-UNREADABLE" && f.Message.StartsWith("2 ", StringComparison.Ordinal));
            Assert.All(r.Hops, h => Assert.Null(h.Timestamp));
            Assert.Null(r.TotalDelay);
        }

        [Fact]
        public void MboxMessageWithoutFields_IsAReportWithAnError()
        {
            var text = "From x@example.com Mon Nov 16 09:00:00 2026\n\x01\x02 garbage only\n\nFrom y@example.com Mon Nov 16 09:00:01 2026\nFrom: y@example.com\n";
            var reports = MailHeaderAnalyzer.AnalyzeText(text, HeaderTestSupport.Options());
            Assert.Equal(2, reports.Count);
            Assert.Empty(reports[0].Headers);
            Assert.Equal("HDR-NO-HEADER-FIELDS", reports[0].Findings[0].Id);
            Assert.Equal(FindingSeverity.Error, reports[0].Findings[0].SeverityCode);
            Assert.Equal("y@example.com", reports[1].FromAddress);
        }

        [Fact]
        public void LargeMbox_IsStreamed()
        {
            var path = Path.Combine(Path.GetTempPath(), "mailauth-big-" + Guid.NewGuid().ToString("N") + ".mbox");
            try
            {
                var body = string.Concat(Enumerable.Repeat(new string('b', 76) + "\n", 2000)); // ~150 KB per message
                using (var w = new StreamWriter(path))
                {
                    for (var i = 0; i < 100; i++)
                    {
                        w.Write($"From sender{i}@example.com Mon Nov 16 09:00:00 2026\nFrom: s{i}@example.com\nSubject: m{i}\n\n{body}\n");
                    }
                }

                using (var stream = new CountingStream(File.OpenRead(path)))
                {
                    var e = MailHeaderAnalyzer.AnalyzeStream(stream, HeaderTestSupport.Options()).GetEnumerator();
                    Assert.True(e.MoveNext());
                    Assert.Equal("m0", e.Current.Subject);

                    // The first report arrives after reading about one message, not the whole 15 MB.
                    Assert.True(stream.BytesRead < stream.Length / 10, $"read {stream.BytesRead} of {stream.Length}");
                    var count = 1;
                    while (e.MoveNext())
                    {
                        count++;
                    }

                    Assert.Equal(100, count);
                }
            }
            finally
            {
                File.Delete(path);
            }
        }

        private sealed class CountingStream : Stream
        {
            private readonly Stream _inner;

            public CountingStream(Stream inner) => _inner = inner;

            public long BytesRead { get; private set; }

            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => _inner.Length;

            public override long Position { get => _inner.Position; set => throw new NotSupportedException(); }

            public override int Read(byte[] buffer, int offset, int count)
            {
                var n = _inner.Read(buffer, offset, count);
                BytesRead += n;
                return n;
            }

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    _inner.Dispose();
                }

                base.Dispose(disposing);
            }
        }
    }
}
