using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using MailAuth.Names;
using MailAuth.Dmarc;
using MailAuth.DomainReport;
using MailAuth.Headers;
using MailAuth.Posture;
using MailAuth.Spf;

namespace MailAuth.Fuzzing
{
    /// <summary>What an entry point reads, which decides how long one input may take.</summary>
    public enum FuzzInputKind
    {
        /// <summary>A DNS record or a single field value: 100 ms at most.</summary>
        Record,
        /// <summary>A whole header block: 1 s at most.</summary>
        HeaderBlock,
    }

    /// <summary>
    /// One entry point of the core that reads untrusted text: how to call it, what it reads, and
    /// the seeds its mutations start from. Calling it must never throw (every parser here reports
    /// bad input in its result) and never take longer than its kind allows.
    /// </summary>
    public sealed class FuzzTarget
    {
        public FuzzTarget(string name, FuzzInputKind kind, Action<string> run, Func<IEnumerable<string>> seeds, Func<Random, string>? grammar = null,
            Type? documentedException = null)
        {
            DocumentedException = documentedException;
            Name = name;
            Kind = kind;
            Run = run;
            Seeds = seeds;
            Grammar = grammar;
        }

        public string Name { get; }

        public FuzzInputKind Kind { get; }

        public Action<string> Run { get; }

        public Func<IEnumerable<string>> Seeds { get; }

        /// <summary>Generates a structured input (a record or header built from the grammar's parts); null: mutation only.</summary>
        public Func<Random, string>? Grammar { get; }

        public TimeSpan Limit => Kind == FuzzInputKind.Record ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1);

        /// <summary>
        /// The exception the entry point documents for input it cannot read at all (the cmdlets turn
        /// it into one error record); any other exception is a defect. Null: none may be thrown.
        /// </summary>
        public Type? DocumentedException { get; }

        /// <summary>
        /// The longest input mutations make: a record fits one TXT RDATA (65,535 octets, RFC 1035
        /// §3.2.1); a header block is twice the header limit, so the limit itself is exercised.
        /// </summary>
        public int MaxInputLength => Kind == FuzzInputKind.Record ? 65_535 : 2 * new MailHeaderOptions().MaxHeaderLength;

        public override string ToString() => Name;

        /// <summary>Every entry point the fuzzer drives (issue 20's 25 entry points, grouped by parser).</summary>
        public static IReadOnlyList<FuzzTarget> All { get; } = new[]
        {
            new FuzzTarget("spf-record", FuzzInputKind.Record, text =>
            {
                SpfRecord.TryParse(text, out _, out _);
                SpfLinter.Lint(text, "example.com");
            }, SeedInputs.SpfRecords, Grammars.SpfRecord),
            new FuzzTarget("spf-macro", FuzzInputKind.Record, text =>
            {
                SpfMacroString.TryParse(text, SpfMacroUse.DomainSpec, out _, out _);
                SpfMacroString.TryParse(text, SpfMacroUse.Explanation, out _, out _);
            }, SeedInputs.SpfMacros, Grammars.SpfMacro),
            new FuzzTarget("dmarc-record", FuzzInputKind.Record, text => DmarcRecord.Parse(text), SeedInputs.DmarcRecords, Grammars.DmarcRecord),
            new FuzzTarget("dkim-key-record", FuzzInputKind.Record, text => DkimKeyRecord.Parse(text, "s._domainkey.example.com"), SeedInputs.DkimKeyRecords, Grammars.TagList),
            new FuzzTarget("mta-sts-record", FuzzInputKind.Record, text => MtaStsRecord.Parse(text, "_mta-sts.example.com"), () => new[] { "v=STSv1; id=20260101T000000;", "v=STSv1; id=abc" }, Grammars.TagList),
            new FuzzTarget("mta-sts-policy", FuzzInputKind.Record, text => MtaStsPolicy.Parse(text, "https://mta-sts.example.com/.well-known/mta-sts.txt"),
                () => new[] { "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n" }),
            new FuzzTarget("bimi-record", FuzzInputKind.Record, text => BimiRecord.Parse(text, "default._bimi.example.com"), () => new[] { "v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem" }, Grammars.TagList),
            new FuzzTarget("tls-rpt-record", FuzzInputKind.Record, text => TlsRptRecord.Parse(text, "_smtp._tls.example.com"), () => new[] { "v=TLSRPTv1; rua=mailto:tls@example.com,https://reports.example.com/tls" }, Grammars.TagList),
            new FuzzTarget("domain-input", FuzzInputKind.Record, text => DomainNameInput.Read(text), () => new[] { "contoso.com", "user@contoso.com", "https://contoso.com/path", "bücher.example", "xn--bcher-kva.example." }),
            new FuzzTarget("client-address", FuzzInputKind.Record, text =>
            {
                ClientAddress.TryParse(text, out _, out _);
                ClientAddress.TryParseTraceToken(text, out _);
            }, () => new[] { "40.107.22.51", "[IPv6:2a01:111:f403:c000::1]", "::ffff:52.100.165.209", "[192.0.2.1]:25" }),
            new FuzzTarget("public-suffix", FuzzInputKind.Record, text =>
            {
                PublicSuffixList.Embedded.GetRegistrableDomain(text);
                PublicSuffixList.Embedded.GetPublicSuffix(text);
            }, () => new[] { "www.example.co.uk", "a.b.c.kawasaki.jp", "city.kawasaki.jp", "example.com." }),
            new FuzzTarget("received", FuzzInputKind.Record, text => ReceivedParser.Parse(0, text), SeedInputs.FieldValues("Received"), Grammars.Received),
            new FuzzTarget("authentication-results", FuzzInputKind.Record, text => AuthenticationResultsParser.Parse("Authentication-Results", 0, text), SeedInputs.FieldValues("Authentication-Results"), Grammars.AuthenticationResults),
            new FuzzTarget("dkim-signature-tags", FuzzInputKind.Record, text => MailAuth.Headers.TagList.Parse(text), SeedInputs.FieldValues("DKIM-Signature"), Grammars.TagList),
            new FuzzTarget("received-spf", FuzzInputKind.Record, text => ReceivedSpfHeader.Parse(0, text), SeedInputs.FieldValues("Received-SPF")),
            new FuzzTarget("forefront-stamp", FuzzInputKind.Record, text => MicrosoftStamps.DecodeForefront("X-Forefront-Antispam-Report", text).ToList(), SeedInputs.FieldValues("X-Forefront-Antispam-Report")),
            new FuzzTarget("antispam-stamp", FuzzInputKind.Record, text =>
            {
                MicrosoftStamps.DecodeAntispam("X-Microsoft-Antispam", text).ToList();
                MicrosoftStamps.DecodeMailboxDelivery("X-Microsoft-Antispam-Mailbox-Delivery", text).ToList();
            }, SeedInputs.FieldValues("X-Microsoft-Antispam-Mailbox-Delivery")),
            new FuzzTarget("mail-date", FuzzInputKind.Record, text => MailDate.TryParse(text, out _), () => new[] { "Mon, 16 Nov 2026 09:14:02 +0000", "2026-11-16T09:14:02.123Z", "16 Nov 2026 09:14:02 GMT" }),
            new FuzzTarget("header-block", FuzzInputKind.HeaderBlock, text => MailHeaderAnalyzer.AnalyzeText(text), SeedInputs.HeaderBlocks, Grammars.HeaderBlock,
                typeof(MailHeaderFormatException)),
            new FuzzTarget("dkim-arc-verify", FuzzInputKind.HeaderBlock, SignedMessages.Verify, SignedMessages.Seeds),
        };
    }

    /// <summary>The inputs mutations start from: the repository's tests, samples and public suites.</summary>
    internal static class SeedInputs
    {
        private static readonly Lazy<string> s_root = new Lazy<string>(() =>
        {
            string? dir = AppContext.BaseDirectory;
            while (dir != null && !File.Exists(Path.Combine(dir, "MailAuth.PowerShell.sln")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return dir ?? throw new InvalidOperationException("MailAuth.PowerShell.sln not found above " + AppContext.BaseDirectory);
        });

        private static string Root => s_root.Value;

        internal static IEnumerable<string> Files(string folder, string pattern) =>
            Directory.Exists(Path.Combine(Root, folder))
                ? Directory.GetFiles(Path.Combine(Root, folder), pattern, SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal)
                : Enumerable.Empty<string>();

        public static IEnumerable<string> SpfRecords()
        {
            // The OpenSPF suites' zone data holds every record shape the RFCs discuss.
            var found = new SortedSet<string>(StringComparer.Ordinal);
            foreach (string file in Files("tests/conformance/openspf", "*.yml"))
            {
                foreach (Match m in Regex.Matches(File.ReadAllText(file), @"v=spf1[^""'\r\n]*"))
                {
                    found.Add(m.Value.TrimEnd());
                }
            }

            return found;
        }

        public static IEnumerable<string> SpfMacros() => new[]
        {
            "%{ir}.%{v}._spf.%{d2}", "%{l1r-}.lp._spf.%{d}", "%{p}.example.com", "%{c} is not allowed (%{i})", "%%%_%-%{h}",
            "%{s}", "%{o}", "%{d4r+.}", "%{t}", "%{r}",
        };

        public static IEnumerable<string> DmarcRecords() => new[]
        {
            "v=DMARC1; p=reject; rua=mailto:dmarc@example.com",
            "v=DMARC1; p=quarantine; sp=none; np=reject; adkim=s; aspf=r; pct=50; fo=1:d:s; rf=afrf; ri=3600; rua=mailto:agg@example.com!10m,https://r.example.com; ruf=mailto:fail@example.com; psd=n; t=y",
            "v=DMARC1;p=none",
        };

        public static IEnumerable<string> DkimKeyRecords() =>
            Files("tests/conformance/dkimpy", "*.txt").Select(File.ReadAllText).Select(t => t.Trim()).Where(t => t.Contains("p=", StringComparison.Ordinal));

        public static IEnumerable<string> HeaderBlocks() =>
            Files("samples", "*.txt").Concat(Files("tests/headers", "*.eml")).Select(f => File.ReadAllText(f, Encoding.UTF8));

        /// <summary>The values of one header field across the header blocks (unfolded).</summary>
        public static Func<IEnumerable<string>> FieldValues(string field) => () =>
        {
            var values = new List<string>();
            var pattern = new Regex("^" + Regex.Escape(field) + @":[ \t]*(.*(?:\r?\n[ \t].*)*)", RegexOptions.Multiline | RegexOptions.IgnoreCase);
            foreach (string block in HeaderBlocks())
            {
                foreach (Match m in pattern.Matches(block))
                {
                    values.Add(Regex.Replace(m.Groups[1].Value, @"\r?\n[ \t]+", " ").Trim());
                }
            }

            return values.Count > 0 ? values.Distinct(StringComparer.Ordinal).Take(200) : new List<string> { field + " value" };
        };
    }
}
