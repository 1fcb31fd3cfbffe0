using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading.Tasks;
using MailAuth.Core.Tests.Posture;
using MailAuth.DomainReport;
using MailAuth.Dns;
using MailAuth.Headers;
using MailAuth.Posture;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Html
{
    /// <summary>Inputs of the HTML report tests: the bundled header samples, the hostile sample, audits.</summary>
    internal static class HtmlTestData
    {
        public static string HostilePath => RepositoryFiles.Path("tests/html/hostile-headers.eml");

        /// <summary>Where the browser tests keep their screenshots and measurements (bin/…/artifacts, not committed).</summary>
        public static string ArtifactDirectory
        {
            get
            {
                string dir = Path.Combine(AppContext.BaseDirectory, "artifacts");
                Directory.CreateDirectory(Path.Combine(dir, "screenshots"));
                return dir;
            }
        }

        public static MailHeaderOptions Options() => new MailHeaderOptions { Now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero) };

        /// <summary>samples/*.txt and every message of tests/headers, one report each.</summary>
        public static List<MailHeaderReport> BundledSamples()
        {
            var files = Directory.GetFiles(RepositoryFiles.Path("samples"), "*.txt").OrderBy(f => f, StringComparer.Ordinal)
                .Concat(Directory.GetFiles(RepositoryFiles.Path("tests/headers"), "*.eml", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal));
            var reports = new List<MailHeaderReport>();
            foreach (string file in files)
            {
                reports.AddRange(MailHeaderAnalyzer.AnalyzeFile(file, Options()));
            }

            return reports;
        }

        public static MailHeaderReport Hostile(string? loopback = null)
        {
            string text = File.ReadAllText(HostilePath);
            if (loopback != null)
            {
                text = text.Replace("loopback.invalid", loopback, StringComparison.Ordinal);
            }

            MailHeaderReport report = MailHeaderAnalyzer.AnalyzeText(text, Options()).Single();
            return report;
        }

        private static string RsaKey(int bits)
        {
            using RSA rsa = RSA.Create(bits);
            return Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
        }

        /// <summary>
        /// Audits a few kinds of domain against a loopback DNS world (one hostile: its TXT records
        /// hold markup), then repeats them under other names up to <paramref name="count"/> rows,
        /// as a real audit of that size would look.
        /// </summary>
        public static async Task<List<MailDomainReport>> AuditAsync(int count)
        {
            using var dns = new PostureTestDns();
            string key = RsaKey(2048);
            foreach (string good in new[] { "good.example", "also-good.example" })
            {
                dns.Add(good, ZoneRecordType.MX, "10 mx1." + good).Add("mx1." + good, ZoneRecordType.A, "192.0.2.25")
                    .Txt(good, "v=spf1 mx -all").Txt("_dmarc." + good, "v=DMARC1; p=reject; rua=mailto:dmarc@" + good)
                    .Txt("s1._domainkey." + good, "v=DKIM1; k=rsa; p=" + key).Txt("_mta-sts." + good, "v=STSv1; id=2024")
                    .Txt("_smtp._tls." + good, "v=TLSRPTv1; rua=mailto:tls@" + good);
            }

            dns.Add("weak.example", ZoneRecordType.MX, "10 mx.weak.example").Add("mx.weak.example", ZoneRecordType.A, "192.0.2.1")
                .Txt("weak.example", "v=spf1 +all").Txt("_dmarc.weak.example", "v=DMARC1; p=none");
            dns.Add("monitor.example", ZoneRecordType.MX, "10 mx.weak.example").Txt("monitor.example", "v=spf1 mx ~all")
                .Txt("_dmarc.monitor.example", "v=DMARC1; p=none; rua=mailto:d@monitor.example").Txt("s1._domainkey.monitor.example", "v=DKIM1; p=" + key);
            dns.Add("nodmarc.example", ZoneRecordType.MX, "10 mx.weak.example").Txt("nodmarc.example", "v=spf1 mx -all");
            dns.Add("quarantine.example", ZoneRecordType.MX, "10 mx.weak.example").Txt("quarantine.example", "v=spf1 mx -all")
                .Txt("_dmarc.quarantine.example", "v=DMARC1; p=quarantine; pct=50; rua=mailto:d@quarantine.example").Txt("s1._domainkey.quarantine.example", "v=DKIM1; p=" + key);
            dns.Add("hostile.example", ZoneRecordType.MX, "10 mx.hostile.example").Add("mx.hostile.example", ZoneRecordType.A, "192.0.2.9")
                .Txt("hostile.example", "v=spf1 include:<script>window.__pwned=20</script> a:\"><svg/onload=window.__pwned=21> -all")
                .Txt("_dmarc.hostile.example", "v=DMARC1; p=reject; rua=mailto:\"><img src=http://loopback.invalid/rua onerror=window.__pwned=22>@hostile.example")
                .Txt("s1._domainkey.hostile.example", "v=DKIM1; p=<script>window.__pwned=23</script>")
                .Txt("_smtp._tls.hostile.example", "v=TLSRPTv1; rua=javascript:window.__pwned=24");
            dns.Fault("failing.example", DnsFault.ServFail).Fault("_dmarc.failing.example", DnsFault.ServFail);
            using var reporter = new DomainReporter(dns.Resolver(), new DomainReportOptions { DkimSelectors = new[] { "s1" }, MtaSts = new MtaStsOptions { FetchPolicy = false } });
            var templates = new List<MailDomainReport>();
            foreach (string input in new[] { "good.example", "also-good.example", "weak.example", "monitor.example", "nodmarc.example", "quarantine.example", "hostile.example", "failing.example", "not a domain!" })
            {
                templates.Add(await reporter.GetReportAsync(input));
            }

            var reports = new List<MailDomainReport>(count);
            reports.AddRange(templates.Take(count));
            var random = new Random(18);
            for (int i = reports.Count; i < count; i++)
            {
                MailDomainReport t = templates[random.Next(templates.Count)];
                string name = t.Domain is null ? "not a domain #" + i : "d" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + t.Domain;
                reports.Add(new MailDomainReport(name, t.Domain is null ? null : name, t.InputNote, t.StatusCode, t.ErrorMessage, t.ChecksCode, t.Mx, t.Spf, t.Dmarc, t.Dkim, t.Bimi,
                    t.MtaSts, t.TlsRpt, t.GradeCode, t.Score, t.GradeReasons, t.Findings, Array.Empty<DnsResponse>(), t.ElapsedMilliseconds));
            }

            return reports;
        }
    }
}
