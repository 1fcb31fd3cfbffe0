using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.DomainReport;
using MailAuth.Headers;
using MailAuth.Html;
using Xunit.Abstractions;

namespace MailAuth.Core.Tests.Html
{
    /// <summary>One headless chromium for the browser tests of this class.</summary>
    public sealed class ChromiumFixture : IDisposable
    {
        private readonly Lazy<HeadlessChromium> _browser = new Lazy<HeadlessChromium>(HeadlessChromium.Start);

        internal HeadlessChromium Browser => _browser.Value;

        public void Dispose()
        {
            if (_browser.IsValueCreated)
            {
                _browser.Value.Dispose();
            }
        }
    }

    /// <summary>
    /// The pages in a real browser (Debian's chromium, headless, over the DevTools protocol): the
    /// facts are in the rendered DOM as text, no injected script runs, nothing is requested, the
    /// screenshots are not blank. Screenshots and measurements stay in bin/…/artifacts.
    /// </summary>
    [Collection("chromium")]
    public class HtmlBrowserTests : IClassFixture<ChromiumFixture>
    {
        private const string Sentinel = "typeof window.__pwned === 'undefined'";
        private readonly ChromiumFixture _chromium;
        private readonly ITestOutputHelper _output;

        public HtmlBrowserTests(ChromiumFixture chromium, ITestOutputHelper output)
        {
            _chromium = chromium;
            _output = output;
        }

        private static string Artifact(string name) => Path.Combine(HtmlTestData.ArtifactDirectory, name);

        private static string Screenshot(string name) => Path.Combine(HtmlTestData.ArtifactDirectory, "screenshots", name);

        private void Measured(string line)
        {
            _output.WriteLine(line);
            File.AppendAllText(Artifact("measurements.txt"), DateTime.UtcNow.ToString("u", CultureInfo.InvariantCulture) + " " + line + Environment.NewLine);
        }

        private static string Js(string value) => System.Text.Json.JsonSerializer.Serialize(value);

        /// <summary>Not blank: many colours, and a real share of pixels that are not the background.</summary>
        private static void AssertNotBlank(byte[] png, string what)
        {
            PngImage image = PngImage.Decode(png);
            (int colors, double ink) = image.Measure();
            Assert.True(image.Width >= 300 && image.Height >= 300, $"{what}: {image.Width}x{image.Height}");
            Assert.True(colors >= 16, $"{what}: only {colors} colours");
            Assert.True(ink >= 0.03, $"{what}: only {ink:P1} of the pixels differ from the background");
        }

        /// <summary>Only the page itself was requested; the console holds no policy violation or error.</summary>
        private static void AssertNothingLoadedOrBlocked(ChromiumPage page, string url)
        {
            Assert.Equal(new[] { url }, page.Requests.Distinct().ToArray());
            Assert.DoesNotContain(page.Console, line => line.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || line.StartsWith("exception", StringComparison.Ordinal)
                || line.StartsWith("log error", StringComparison.Ordinal));
        }

        private static async Task AssertStyledAndScriptFree(ChromiumPage page, string title)
        {
            Assert.Equal(title, await page.EvaluateStringAsync("document.title"));
            Assert.True((await page.EvaluateAsync(Sentinel))!.GetValue<bool>(), "an injected script ran");

            // The hash-pinned style sheet applied (a wrong hash would leave the browser's defaults).
            Assert.Equal("10px", await page.EvaluateStringAsync("getComputedStyle(document.querySelector('.card')).borderTopLeftRadius"));
            Assert.Equal(0, await page.EvaluateNumberAsync("[...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on') || /^\\s*javascript:/i.test(a.value))).length"));
            Assert.Equal(0, await page.EvaluateNumberAsync("document.querySelectorAll('img, iframe, object, embed, link, form, base, meta[http-equiv=refresh]').length"));
            Assert.Equal(0, await page.EvaluateNumberAsync("[...document.querySelectorAll('a')].filter(a => !a.getAttribute('href').startsWith('#')).length"));
            Assert.Equal(1, await page.EvaluateNumberAsync("document.querySelectorAll('style').length"));
        }

        [Fact]
        public async Task BundledSamplesRenderWithTheirFactsAsText()
        {
            List<MailHeaderReport> reports = HtmlTestData.BundledSamples();
            Assert.True(reports.Count >= 50, "samples: " + reports.Count);
            string file = Artifact("samples.html");
            HtmlReport.WriteFile(file, reports, Array.Empty<MailDomainReport>(), new HtmlReportOptions { Title = "Bundled samples" });
            string url = new Uri(file).AbsoluteUri;
            ChromiumPage page = await _chromium.Browser.OpenPageAsync();
            double ms = await page.NavigateAsync(url);
            Measured($"samples: {reports.Count} header reports, {new FileInfo(file).Length / 1024.0:0} KiB, load {ms:0} ms");

            await AssertStyledAndScriptFree(page, "Bundled samples");
            Assert.Equal(0, await page.EvaluateNumberAsync("document.querySelectorAll('script').length"));
            Assert.Equal(reports.Count, await page.EvaluateNumberAsync("document.querySelectorAll('section.msg').length"));
            for (int i = 0; i < reports.Count; i++)
            {
                MailHeaderReport r = reports[i];
                string section = $"document.getElementById('msg-{i + 1}')";
                string expectedSubject = string.IsNullOrEmpty(r.Subject) ? "(no Subject)" : WebUtility.HtmlDecode(HtmlEncoding.Encode(r.Subject)).Replace("\r", string.Empty);
                Assert.Equal(expectedSubject, await page.EvaluateStringAsync(section + ".querySelector('h2').textContent"));
                string text = await page.EvaluateStringAsync(section + ".textContent");
                foreach (string? fact in new[] { r.FromAddress, r.ClientIP, r.Spf, r.Dmarc })
                {
                    if (!string.IsNullOrEmpty(fact))
                    {
                        Assert.Contains(WebUtility.HtmlDecode(HtmlEncoding.Encode(fact)), text, StringComparison.Ordinal);
                    }
                }

                foreach (Finding f in r.Findings)
                {
                    Assert.Contains(f.Id, text, StringComparison.Ordinal);
                    Assert.Equal(1, await page.EvaluateNumberAsync($"document.querySelectorAll('dt#{HtmlEncoding.AnchorId("f-", f.Id)}').length"));
                }

                string verdict = r.Findings.Any(f => f.SeverityCode == FindingSeverity.Error) ? "Suspect" : r.Findings.Any(f => f.SeverityCode == FindingSeverity.Warning) ? "Check" : "No problem found";
                Assert.Equal(verdict, await page.EvaluateStringAsync(section + ".querySelector('.verdict').dataset.verdict"));
                Assert.Equal(r.Hops.Count == 0 ? 0 : Math.Min(r.Hops.Count, 60), await page.EvaluateNumberAsync(section + ".querySelectorAll('svg.timeline circle').length"));
            }

            AssertNothingLoadedOrBlocked(page, url);

            // The phishing sample alone, then the page from the top at desktop width, light and dark, and on a phone.
            int phish = reports.FindIndex(r => r.Source != null && r.Source.EndsWith("phish-spf-pass-unaligned.txt", StringComparison.Ordinal));
            Assert.True(phish >= 0);
            AssertNotBlank(await page.ScreenshotElementAsync("#msg-" + (phish + 1).ToString(CultureInfo.InvariantCulture), Screenshot("header-phish-1280.png")), "the phishing sample");
            byte[] light = await page.ScreenshotAsync(Screenshot("header-samples-1280.png"), 2600);
            AssertNotBlank(light, "samples at 1280 px");
            await page.SetColorSchemeAsync("dark");
            Assert.Equal("rgb(20, 22, 26)", await page.EvaluateStringAsync("getComputedStyle(document.body).backgroundColor"));
            AssertNotBlank(await page.ScreenshotAsync(Screenshot("header-samples-1280-dark.png"), 2600), "samples, dark");
            await page.SetColorSchemeAsync("light");
            await page.SetViewportAsync(390, 844, mobile: true);
            Assert.True(await page.EvaluateNumberAsync("document.documentElement.scrollWidth") <= 400, "the page fits a phone's width");
            AssertNotBlank(await page.ScreenshotAsync(Screenshot("header-samples-390.png"), 3000), "samples at 390 px");

            byte[] pdf = await page.PrintToPdfAsync();
            File.WriteAllBytes(Artifact("samples.pdf"), pdf);
            Assert.StartsWith("%PDF", Encoding.ASCII.GetString(pdf, 0, 4), StringComparison.Ordinal);
            Assert.True(pdf.Length > 50_000, "pdf bytes " + pdf.Length);
            await page.CloseAsync();
        }

        [Fact]
        public async Task TheHostileSampleRunsNothingAndLoadsNothing()
        {
            // A loopback listener the payloads point at: any fetch that got past the page would connect.
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int hits = 0;
            using var stop = new CancellationTokenSource();
            _ = Task.Run(async () =>
            {
                try
                {
                    while (!stop.IsCancellationRequested)
                    {
                        using TcpClient client = await listener.AcceptTcpClientAsync(stop.Token);
                        Interlocked.Increment(ref hits);
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException || ex is SocketException || ex is ObjectDisposedException)
                {
                }
            });
            try
            {
                string loopback = "127.0.0.1:" + ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
                MailHeaderReport hostile = HtmlTestData.Hostile(loopback);
                List<MailDomainReport> audit = await HtmlTestData.AuditAsync(9);
                const string title = "Hostile sample";
                string page1 = HtmlReport.Render(new[] { hostile }, audit, new HtmlReportOptions { Title = title });

                // With the policy, and with it removed: the encoding alone must keep the payloads inert.
                string withPolicy = Artifact("hostile.html");
                string withoutPolicy = Artifact("hostile-no-csp.html");
                File.WriteAllText(withPolicy, page1);
                File.WriteAllText(withoutPolicy, Regex.Replace(page1, "<meta http-equiv=\"Content-Security-Policy\"[^>]*>", string.Empty));
                Assert.DoesNotContain("Content-Security-Policy", File.ReadAllText(withoutPolicy), StringComparison.Ordinal);
                foreach (string file in new[] { withPolicy, withoutPolicy })
                {
                    string url = new Uri(file).AbsoluteUri;
                    ChromiumPage page = await _chromium.Browser.OpenPageAsync();
                    await page.NavigateAsync(url);
                    await page.EvaluateAsync("document.querySelectorAll('details').forEach(d => d.open = true)");
                    await Task.Delay(500);
                    await AssertStyledAndScriptFree(page, title);
                    Assert.Equal(1, await page.EvaluateNumberAsync("document.querySelectorAll('script').length"));
                    Assert.Equal("block", await page.EvaluateStringAsync("getComputedStyle(document.body).display"));

                    string text = await page.EvaluateStringAsync("document.body.textContent");
                    foreach (string payload in new[]
                    {
                        "<script>window.__pwned=7;document.title='pwned'</script> Your account",
                        "<img src=http://" + loopback + "/subject.png onerror=window.__pwned=8>",
                        "\"><svg onload=window.__pwned=9>",
                        "<javascript:window.__pwned=11>",
                        "<script>window.__pwned=4;document.title='pwned'</script> Security Team",
                        "<iframe src=http://" + loopback + "/frame>",
                        "<script>window.__pwned=14</script>",
                        "include:<script>window.__pwned=20</script>",
                        "rua=javascript:window.__pwned=24",
                        "[U+202E]elpmaxe.knab",
                    })
                    {
                        Assert.Contains(payload, text, StringComparison.Ordinal);
                    }

                    // The audit's sort and filter still work (the one script runs), over hostile rows too.
                    await page.EvaluateAsync("(() => { const q = document.getElementById('audit-q'); q.value = 'pwned=20'; q.dispatchEvent(new Event('change')); })()");
                    Assert.Equal("1 of 9 domains", await page.EvaluateStringAsync("document.getElementById('audit-count').textContent"));
                    Assert.True((await page.EvaluateAsync(Sentinel))!.GetValue<bool>());
                    if (file == withPolicy)
                    {
                        AssertNothingLoadedOrBlocked(page, url);
                        await page.EvaluateAsync("(() => { const q = document.getElementById('audit-q'); q.value = ''; q.dispatchEvent(new Event('change')); })()");
                        AssertNotBlank(await page.ScreenshotAsync(Screenshot("hostile-1280.png"), 3000), "hostile sample");
                    }
                    else
                    {
                        Assert.Equal(new[] { url }, page.Requests.Distinct().ToArray());
                    }

                    await page.CloseAsync();
                }

                await Task.Delay(300);
                Assert.Equal(0, Volatile.Read(ref hits));
            }
            finally
            {
                stop.Cancel();
                listener.Stop();
            }
        }

        [Fact]
        public async Task AnAuditOfTenThousandDomainsStaysUsable()
        {
            const int count = 10_000;
            List<MailDomainReport> audit = await HtmlTestData.AuditAsync(count);
            string file = Artifact("audit-10000.html");
            var clock = Stopwatch.StartNew();
            HtmlReport.WriteFile(file, Array.Empty<MailHeaderReport>(), audit, new HtmlReportOptions { Title = "Audit of 10,000 domains" });
            double writeMs = clock.Elapsed.TotalMilliseconds;
            long size = new FileInfo(file).Length;
            Assert.True(size < 20L * 1024 * 1024, $"{size} bytes");

            string url = new Uri(file).AbsoluteUri;
            ChromiumPage page = await _chromium.Browser.OpenPageAsync();
            double loadMs = await page.NavigateAsync(url);
            await AssertStyledAndScriptFree(page, "Audit of 10,000 domains");
            Assert.Equal(count, await page.EvaluateNumberAsync("document.querySelectorAll('#audit-rows > .dr').length"));
            Assert.Equal("10,000 domains".Replace(",", string.Empty), await page.EvaluateStringAsync("document.getElementById('audit-count').textContent"));

            // Filter by text, then by grade; sort by score. Each timed to the next frame after layout.
            const string timed = "(async () => {{ const t0 = performance.now(); {0}; document.body.offsetHeight; await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0))); return performance.now() - t0; }})()";
            double filterMs = await page.EvaluateNumberAsync(string.Format(CultureInfo.InvariantCulture, timed, "const q = document.getElementById('audit-q'); q.value = 'hostile'; q.dispatchEvent(new Event('change'))"));
            int hostile = audit.Count(r => (r.Domain ?? r.Input).Contains("hostile", StringComparison.Ordinal));
            Assert.Equal($"{hostile} of {count} domains", await page.EvaluateStringAsync("document.getElementById('audit-count').textContent"));
            Assert.Equal(0, await page.EvaluateNumberAsync("[...document.querySelectorAll('#audit-rows > .dr:not([hidden])')].filter(b => !b.firstElementChild.textContent.includes('hostile')).length"));
            double gradeMs = await page.EvaluateNumberAsync(string.Format(CultureInfo.InvariantCulture, timed,
                "const q = document.getElementById('audit-q'); q.value = ''; const g = document.getElementById('audit-g'); g.value = 'F'; g.dispatchEvent(new Event('change'))"));
            int gradeF = audit.Count(r => r.Grade == "F");
            Assert.Equal($"{gradeF} of {count} domains", await page.EvaluateStringAsync("document.getElementById('audit-count').textContent"));
            double clearMs = await page.EvaluateNumberAsync(string.Format(CultureInfo.InvariantCulture, timed, "const g = document.getElementById('audit-g'); g.value = ''; g.dispatchEvent(new Event('change'))"));
            double sortMs = await page.EvaluateNumberAsync(string.Format(CultureInfo.InvariantCulture, timed, "document.querySelector('button[data-col=\"2\"]').click()"));
            int lowest = audit.Where(r => r.Score.HasValue).Min(r => r.Score!.Value);
            Assert.Equal("ascending", await page.EvaluateStringAsync("document.querySelector('button[data-col=\"2\"]').parentNode.getAttribute('aria-sort')"));
            Assert.Equal(audit.Count(r => r.Score is null), await page.EvaluateNumberAsync(
                $"[...document.querySelectorAll('#audit-rows > .dr')].slice(0, {audit.Count(r => r.Score is null)}).filter(b => b.firstElementChild.children[2].dataset.v === '').length"));
            Assert.Equal(lowest.ToString(CultureInfo.InvariantCulture), await page.EvaluateStringAsync($"document.querySelectorAll('#audit-rows > .dr')[{audit.Count(r => r.Score is null)}].firstElementChild.children[2].textContent"));
            await page.EvaluateNumberAsync(string.Format(CultureInfo.InvariantCulture, timed, "document.querySelector('button[data-col=\"2\"]').click()"));
            Assert.Equal("descending", await page.EvaluateStringAsync("document.querySelector('button[data-col=\"2\"]').parentNode.getAttribute('aria-sort')"));
            Assert.True((await page.EvaluateAsync(Sentinel))!.GetValue<bool>());
            AssertNothingLoadedOrBlocked(page, url);
            Measured($"audit: {count} domains, {size / 1048576.0:0.0} MiB ({size} bytes), written in {writeMs:0} ms, chromium load {loadMs:0} ms, text filter {filterMs:0} ms, grade filter {gradeMs:0} ms, clear {clearMs:0} ms, sort by score {sortMs:0} ms");
            Assert.True(filterMs < 2000 && gradeMs < 2000 && clearMs < 2000, "filtering must not freeze the page");

            // Screenshots: the summary and first rows with one domain's details open, desktop and phone.
            await page.NavigateAsync(url);
            await page.EvaluateAsync("(() => { const b = document.querySelectorAll('#audit-rows > .dr'); b[6].querySelector('details').open = true; b[2].querySelector('details').open = true; })()");
            byte[] auditShot = await page.ScreenshotAsync(Screenshot("audit-1280.png"), 1900);
            AssertNotBlank(auditShot, "audit at 1280 px");

            // The rows are drawn, not left as content-visibility placeholders: the lower half has text.
            PngImage auditImage = PngImage.Decode(auditShot);
            Assert.True(auditImage.Measure(auditImage.Height / 2, auditImage.Height).Ink >= 0.04, "the audit rows in the screenshot are blank");
            await page.SetViewportAsync(390, 844, mobile: true);
            Assert.True(await page.EvaluateNumberAsync("document.documentElement.scrollWidth") <= 400, "the audit fits a phone's width");
            AssertNotBlank(await page.ScreenshotAsync(Screenshot("audit-390.png"), 2400), "audit at 390 px");
            await page.CloseAsync();
        }
    }
}
