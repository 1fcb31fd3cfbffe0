using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace MailAuth.Fuzzing
{
    /// <summary>One named hostile input and the entry point it is fed to.</summary>
    public sealed class HostileInput
    {
        public HostileInput(string name, string target, Func<string> build)
        {
            Name = name;
            Target = target;
            Build = build;
        }

        public string Name { get; }

        /// <summary>The <see cref="FuzzTarget.Name"/> it goes through.</summary>
        public string Target { get; }

        public Func<string> Build { get; }

        public override string ToString() => Name;
    }

    /// <summary>
    /// The hostile inputs of issue 20: each must be reported in under 1 s with a peak working set
    /// under 400 MB (measured by bench/MailAuth.Bench hostile, one process per input), with a note
    /// where a limit was reached (docs/limits.md).
    /// </summary>
    public static class HostileInputs
    {
        private const string Tail = "From: a@example.com\r\nTo: b@example.net\r\nSubject: s\r\nDate: Mon, 16 Nov 2026 09:13:58 +0000\r\n";

        public static IReadOnlyList<HostileInput> All { get; } = new[]
        {
            new HostileInput("headers-10mb", "header-block", () => Repeat(
                "Received: from mail.example.org (mail.example.org [192.0.2.25]) by mx.example.net with ESMTPS id 4Cxy; Mon, 16 Nov 2026 09:14:02 +0000\r\n" +
                "X-Spam-Status: No, score=-0.1 required=5.0 tests=DKIM_SIGNED,DKIM_VALID autolearn=ham\r\n", 10 * 1024 * 1024) + Tail),
            new HostileInput("received-100k", "header-block", () => string.Concat(Enumerable.Range(0, 100_000).Select(i =>
                $"Received: from h{i}.example.org ([192.0.2.{i % 256}]) by h{i + 1}.example.org; Mon, 16 Nov 2026 09:14:02 +0000\r\n")) + Tail),
            new HostileInput("unfolded-line-1mb", "header-block", () => "Subject: " + new string('x', 1024 * 1024) + "\r\n" + Tail),
            new HostileInput("nested-comments-10k", "header-block", () =>
                "Received: from a.example.org " + new string('(', 10_000) + "x" + new string(')', 10_000) + " by b.example.net; Mon, 16 Nov 2026 09:14:02 +0000\r\n" + Tail),
            new HostileInput("encoded-words-50k", "header-block", () =>
                "From: " + Times("=?utf-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes("Woodgrove Bank ")) + "?= ", 50_000) + "<a@example.com>\r\nTo: b@example.net\r\nSubject: s\r\n"),
            new HostileInput("authentication-results-1000", "header-block", () => string.Concat(Enumerable.Range(0, 1000).Select(i =>
                $"Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=bounce{i}@example.com; dkim=pass header.d=example.com header.s=s{i}; dmarc=pass header.from=example.com\r\n")) +
                "Received: from out.example.com (out.example.com [198.51.100.9]) by mx.example.net with ESMTPS; Mon, 16 Nov 2026 09:14:02 +0000\r\n" + Tail),
            new HostileInput("binary-garbage", "header-block", () =>
            {
                var random = new Random(20);
                var bytes = new byte[2 * 1024 * 1024];
                random.NextBytes(bytes);
                return Encoding.Latin1.GetString(bytes);
            }),
            new HostileInput("received-by-16000-labels", "header-block", () =>
                "Received: from a.example.org ([192.0.2.1]) by " + Times("a.", 16_000) + "com; Mon, 16 Nov 2026 09:14:02 +0000\r\n" + Tail),
            new HostileInput("received-80kb", "header-block", () =>
                "Received: from " + Times("a.", 20_000) + "example.org (" + Times("b.", 20_000) + "example.org [192.0.2.1]) by mx.example.net; Mon, 16 Nov 2026 09:14:02 +0000\r\n" + Tail),
            new HostileInput("dkim-d-16000-labels", "header-block", () =>
                "DKIM-Signature: v=1; a=rsa-sha256; d=" + Times("a.", 16_000) + "com; s=s1; h=from; bh=AAAA; b=AAAA\r\n" +
                "Authentication-Results: " + Times("c.", 8_000) + "net; dkim=pass header.d=" + Times("a.", 8_000) + "com\r\n" + Tail),
            new HostileInput("spf-4000-ip4", "spf-record", () =>
                "v=spf1 " + string.Join(" ", Enumerable.Range(0, 4000).Select(i => $"ip4:10.{i / 256 % 256}.{i % 256}.0/24")) + " -all"),
            new HostileInput("dmarc-rua-60000-commas", "dmarc-record", () => "v=DMARC1; p=reject; rua=mailto:d@example.com" + new string(',', 60_000)),
            new HostileInput("psl-16000-labels", "public-suffix", () => Times("a.", 16_000) + "com"),
        };

        private static string Times(string unit, int count)
        {
            var sb = new StringBuilder(unit.Length * count);
            for (int i = 0; i < count; i++)
            {
                sb.Append(unit);
            }

            return sb.ToString();
        }

        /// <summary><paramref name="unit"/> repeated up to <paramref name="length"/> characters.</summary>
        private static string Repeat(string unit, int length)
        {
            var sb = new StringBuilder(length + unit.Length);
            while (sb.Length < length)
            {
                sb.Append(unit);
            }

            return sb.ToString();
        }
    }
}
