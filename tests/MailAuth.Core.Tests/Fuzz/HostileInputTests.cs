using System.Collections.Generic;
using System.Linq;
using MailAuth.Fuzzing;
using MailAuth.Core.Tests.Headers;
using MailAuth.Headers;
using Xunit;

namespace MailAuth.Core.Tests.Fuzz
{
    /// <summary>
    /// The hostile inputs of issue 20 as tests: each is reported, never thrown, and where a limit
    /// of docs/limits.md was reached the report says which. Their time and peak memory are measured
    /// by bench/MailAuth.Bench hostile (one process each), not here.
    /// </summary>
    public class HostileInputTests
    {
        public static IEnumerable<object[]> Inputs() => HostileInputs.All.Select(h => new object[] { h.Name });

        [Theory]
        [MemberData(nameof(Inputs))]
        public void Is_reported_not_thrown(string name)
        {
            HostileInput input = HostileInputs.All.Single(h => h.Name == name);
            FuzzTarget target = FuzzTarget.All.Single(t => t.Name == input.Target);
            (_, string? problem) = FuzzRunner.Try(target, input.Build());
            Assert.Null(problem);
        }

        private static MailHeaderReport Report(string name) =>
            MailHeaderAnalyzer.AnalyzeText(HostileInputs.All.Single(h => h.Name == name).Build()).Single();

        [Fact]
        public void Ten_megabytes_of_headers_stop_at_the_header_limit()
        {
            MailHeaderReport r = Report("headers-10mb");
            Assert.True(r.Has("HDR-INPUT-TRUNCATED"));
            // The first 2 MiB hold about 9,400 of the 223-character pairs of fields: 18,800 fields,
            // over the 10,000-field limit too.
            Assert.Equal(10_000, r.Headers.Count);
            Assert.Contains(r.Findings, f => f.Id == "HDR-LIMIT-REACHED" && f.Message.Contains("only the first 10,000 were read", System.StringComparison.Ordinal));
            Assert.Equal(100, r.HopCount);
        }

        [Fact]
        public void A_hundred_thousand_Received_lines_are_a_hundred_hops()
        {
            MailHeaderReport r = Report("received-100k");
            // RFC 5321 §6.3: about 100 Received fields mean a loop.
            Assert.Equal(100, r.HopCount);
            Assert.True(r.Has("HDR-HOPS-CAPPED"));
            Assert.True(r.Has("HDR-INPUT-TRUNCATED") || r.Has("HDR-LIMIT-REACHED"));
        }

        [Fact]
        public void Fifty_thousand_encoded_words_are_shown_as_written()
        {
            MailHeaderReport r = Report("encoded-words-50k");
            Finding limit = r.Findings.Single(f => f.Id == "HDR-LIMIT-REACHED");
            Assert.Equal("From", limit.Subject);
            Assert.Contains("50,000 encoded words", limit.Message, System.StringComparison.Ordinal);
            Assert.Equal("a@example.com", r.FromAddress);
        }

        [Fact]
        public void A_one_megabyte_line_keeps_the_fields_after_it()
        {
            MailHeaderReport r = Report("unfolded-line-1mb");
            Assert.Equal(1024 * 1024, r.Subject!.Length);
            Assert.Equal("a@example.com", r.FromAddress);
        }

        [Fact]
        public void A_Received_by_host_of_16000_labels_is_not_a_domain()
        {
            // RFC 1035 §2.3.4: a name over 253 octets is no domain, so it has no organizational domain.
            MailHeaderReport r = Report("received-by-16000-labels");
            Assert.Equal(1, r.HopCount);
            Assert.DoesNotContain(r.Findings, f => f.Message.Contains("a.com", System.StringComparison.Ordinal));
        }

        [Fact]
        public void Twelve_DKIM_signatures_verify_the_first_ten()
        {
            // RFC 6376 §6.1: a verifier may limit the signatures it tries. A valid signature
            // repeated twelve times: ten are verified (and pass), two are listed as not verified.
            string seed = FuzzTarget.All.Single(t => t.Name == "dkim-arc-verify").Seeds()
                .First(m => System.Text.RegularExpressions.Regex.Matches(m, "^DKIM-Signature:", System.Text.RegularExpressions.RegexOptions.Multiline).Count == 1);
            int start = seed.IndexOf("DKIM-Signature:", System.StringComparison.Ordinal);
            int end = start + 1;
            while ((end = seed.IndexOf("\r\n", end, System.StringComparison.Ordinal) + 2) < seed.Length && (seed[end] == ' ' || seed[end] == '\t'))
            {
            }

            string signature = seed.Substring(start, end - start);
            string message = string.Concat(Enumerable.Repeat(signature, 11)) + seed;
            var results = SignedMessages.VerifySignatures(message);
            Assert.Equal(12, results.Count);
            Assert.All(results.Take(10), r => Assert.Equal(MailAuth.Dkim.DkimVerifyResult.Pass, r.ResultCode));
            Assert.All(results.Skip(10), r =>
            {
                Assert.Equal(MailAuth.Dkim.DkimVerifyResult.Neutral, r.ResultCode);
                Assert.StartsWith("Not verified: only the first 10", r.Reason, System.StringComparison.Ordinal);
            });
        }
    }
}
