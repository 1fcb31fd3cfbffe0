using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using MailAuth.DomainReport;
using MailAuth.Headers;

namespace MailAuth.Html
{
    /// <summary>Options of <see cref="HtmlReport"/>.</summary>
    public sealed class HtmlReportOptions
    {
        /// <summary>The page title and heading.</summary>
        public string Title { get; set; } = "MailAuth report";

        /// <summary>When the page says it was made; default: now.</summary>
        public DateTimeOffset? GeneratedAt { get; set; }
    }

    /// <summary>
    /// One self-contained HTML page for header reports and domain reports (docs/html-report.md):
    /// inline CSS and SVG, at most one small inline script (the audit table's sort and filter),
    /// both pinned by hash in a Content-Security-Policy that forbids every load. Every value from
    /// a header, a DNS answer or a report is written through <see cref="HtmlEncoding"/>.
    /// </summary>
    public static class HtmlReport
    {
        private const int MaxTimelineHops = 60;
        private const int MaxTableHops = 300;
        private static readonly Regex s_addressDomain = new Regex(@"@([^@<>\s;,""']+)", RegexOptions.CultureInvariant);

        /// <summary>Renders the page to a string.</summary>
        public static string Render(IEnumerable<MailHeaderReport> headerReports, IEnumerable<MailDomainReport> domainReports, HtmlReportOptions? options = null)
        {
            var text = new StringWriter(CultureInfo.InvariantCulture);
            Write(text, headerReports, domainReports, options);
            return text.ToString();
        }

        /// <summary>Writes the page to a file (UTF-8, no BOM), replacing it.</summary>
        public static void WriteFile(string path, IEnumerable<MailHeaderReport> headerReports, IEnumerable<MailDomainReport> domainReports, HtmlReportOptions? options = null)
        {
            if (path is null)
            {
                throw new ArgumentNullException(nameof(path));
            }

            if (path.Length == 0)
            {
                throw new ArgumentException("The path is empty.", nameof(path));
            }

            List<MailHeaderReport> headers = Check(headerReports, nameof(headerReports));
            List<MailDomainReport> domains = Check(domainReports, nameof(domainReports));
            using (var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16))
            {
                WriteChecked(writer, headers, domains, options ?? new HtmlReportOptions());
            }
        }

        /// <summary>Writes the page. Either list may be empty; neither may hold null.</summary>
        public static void Write(TextWriter writer, IEnumerable<MailHeaderReport> headerReports, IEnumerable<MailDomainReport> domainReports, HtmlReportOptions? options = null)
        {
            if (writer is null)
            {
                throw new ArgumentNullException(nameof(writer));
            }

            WriteChecked(writer, Check(headerReports, nameof(headerReports)), Check(domainReports, nameof(domainReports)), options ?? new HtmlReportOptions());
        }

        private static List<T> Check<T>(IEnumerable<T> items, string name)
            where T : class
        {
            if (items is null)
            {
                throw new ArgumentNullException(name);
            }

            List<T> list = items.ToList();
            if (list.Any(i => i is null))
            {
                throw new ArgumentException("The list holds a null report.", name);
            }

            return list;
        }

        private static void WriteChecked(TextWriter writer, List<MailHeaderReport> headers, List<MailDomainReport> domains, HtmlReportOptions options)
        {
            var h = new HtmlOut(writer);
            string title = string.IsNullOrWhiteSpace(options.Title) ? "MailAuth report" : options.Title;
            DateTimeOffset generated = options.GeneratedAt ?? DateTimeOffset.UtcNow;
            bool script = domains.Count > 0;

            // default-src 'none' forbids every fetch (images, fonts, frames, connections, media);
            // style and script are allowed only as the exact inline bytes below; data: images only.
            string csp = "default-src 'none'; style-src " + HtmlAssets.StyleHash + "; script-src " + (script ? HtmlAssets.ScriptHash : "'none'")
                + "; img-src data:; base-uri 'none'; form-action 'none'";
            h.Raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
            h.Open("meta", "http-equiv", "Content-Security-Policy", "content", csp).Line();
            h.Raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n");
            h.Raw("<meta name=\"generator\" content=\"MailAuth.PowerShell\">\n");
            h.Open("title").Text(title).Close("title").Line();
            h.Raw("<style>").Raw(HtmlAssets.Style).Raw("</style>\n</head>\n<body>\n");

            h.Raw("<header class=\"top\">").Element("h1", title);
            h.Open("p").Text(Summary(headers.Count, domains.Count) + " · made " + generated.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) + " by MailAuth.PowerShell").Close("p");
            if (headers.Count + (domains.Count > 0 ? 1 : 0) > 1)
            {
                h.Raw("<nav class=\"toc\">");
                for (int i = 0; i < headers.Count; i++)
                {
                    h.Open("a", "href", "#msg-" + (i + 1).ToString(CultureInfo.InvariantCulture)).Text(Short(headers[i].Subject ?? headers[i].Source ?? "message " + (i + 1), 40)).Close("a");
                }

                if (domains.Count > 0)
                {
                    h.Raw("<a href=\"#audit\">Domain audit</a>");
                }

                h.Raw("</nav>");
            }

            h.Raw("</header>\n<main>\n");
            var glossary = new SortedDictionary<string, Finding>(StringComparer.Ordinal);
            for (int i = 0; i < headers.Count; i++)
            {
                WriteHeaderReport(h, headers[i], i + 1, glossary);
            }

            if (domains.Count > 0)
            {
                WriteAudit(h, domains, glossary);
            }

            if (headers.Count == 0 && domains.Count == 0)
            {
                h.Raw("<section class=\"card\"><p>No reports were given.</p></section>\n");
            }

            WriteGlossary(h, glossary);
            h.Raw("</main>\n");
            if (script)
            {
                h.Raw("<script>").Raw(HtmlAssets.Script).Raw("</script>\n");
            }

            h.Raw("</body>\n</html>\n");
        }

        private static string Summary(int headers, int domains)
        {
            var parts = new List<string>();
            if (headers > 0)
            {
                parts.Add(headers.ToString(CultureInfo.InvariantCulture) + (headers == 1 ? " message" : " messages"));
            }

            if (domains > 0)
            {
                parts.Add(domains.ToString("N0", CultureInfo.InvariantCulture) + (domains == 1 ? " domain" : " domains"));
            }

            return parts.Count == 0 ? "empty" : string.Join(", ", parts);
        }

        // ---- header report ----------------------------------------------------------------------

        private static void WriteHeaderReport(HtmlOut h, MailHeaderReport r, int number, SortedDictionary<string, Finding> glossary)
        {
            h.Open("section", "class", "card msg", "id", "msg-" + number.ToString(CultureInfo.InvariantCulture)).Line();
            h.Open("h2").Text(string.IsNullOrEmpty(r.Subject) ? "(no Subject)" : r.Subject).Close("h2");
            h.Open("p", "class", "src").Text((r.Source ?? "pasted headers") + (r.MessageNumber > 1 ? " · message " + r.MessageNumber.ToString(CultureInfo.InvariantCulture) : string.Empty)
                + (string.IsNullOrEmpty(r.DateText) ? string.Empty : " · Date: " + r.DateText)).Close("p");

            (string css, string word, string sentence) = Verdict(r);
            h.Open("p", "class", "verdict " + css, "data-verdict", word).Open("strong").Text(word).Close("strong").Text(sentence).Close("p").Line();
            int errors = Count(r.Findings, FindingSeverity.Error), warnings = Count(r.Findings, FindingSeverity.Warning);
            h.Open("p", "class", "muted").Text(Plural(errors, "error") + ", " + Plural(warnings, "warning") + ", " + Plural(r.Findings.Count - errors - warnings, "note")
                + " · " + Plural(r.HopCount, "hop") + (r.TotalDelay is null ? string.Empty : ", " + Duration(r.TotalDelay.Value) + " in transit")).Close("p").Line();

            WriteAuthentication(h, r);
            WriteIdentities(h, r);
            WriteTimeline(h, r);
            WriteFindings(h, r, glossary);
            WriteStamps(h, r);
            WriteFields(h, r);
            if (r.InputNotes.Count > 0)
            {
                h.Raw("<h3>Input repairs</h3><ul>");
                foreach (string note in r.InputNotes)
                {
                    h.Element("li", note);
                }

                h.Raw("</ul>");
            }

            h.Raw("</section>\n");
        }

        private static (string Css, string Word, string Sentence) Verdict(MailHeaderReport r)
        {
            Finding? error = r.Findings.FirstOrDefault(f => f.SeverityCode == FindingSeverity.Error);
            if (error != null)
            {
                return ("bad", "Suspect", error.Message);
            }

            Finding? warning = r.Findings.FirstOrDefault(f => f.SeverityCode == FindingSeverity.Warning)
                ?? r.Verification?.Findings.FirstOrDefault(f => f.SeverityCode == FindingSeverity.Warning);
            if (warning != null)
            {
                return ("warn", "Check", warning.Message);
            }

            string auth = "SPF " + (r.Spf ?? "not recorded") + ", DKIM " + (r.Dkim ?? "not recorded") + ", DMARC " + (r.Dmarc ?? "not recorded");
            return ("ok", "No problem found", "The receiver recorded " + auth + (r.FromDomain is null ? "." : " for " + r.FromDomain + "."));
        }

        private static void WriteAuthentication(HtmlOut h, MailHeaderReport r)
        {
            MailHeaderVerification? v = r.Verification;
            h.Raw("<h3>Authentication</h3>");
            List<AuthenticationResultsHeader> trusted = r.AuthenticationResults.Where(a => a.IsTrusted).ToList();
            h.Open("p", "class", "muted").Text("As recorded by " + (trusted.Count == 0
                ? (r.AuthenticationResults.Count == 0 ? "nobody: the message has no Authentication-Results" : "nobody trusted: none of the " + r.AuthenticationResults.Count.ToString(CultureInfo.InvariantCulture) + " Authentication-Results is from the receiver")
                : string.Join(", ", trusted.Select(a => a.AuthServId ?? "the receiver").Distinct(StringComparer.OrdinalIgnoreCase)))
                + (v is null ? ". What DNS says now: add -Verify (mailauth header --verify)." : ". Now: recomputed " + v.VerifiedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) + (v.BodyVerified ? ", body checked." : ", header only."))).Close("p");

            h.Raw("<div class=\"scroll\"><table class=\"auth\"><thead><tr><th>Method</th><th>Recorded</th>");
            if (v != null)
            {
                h.Raw("<th>Now (DNS)</th><th>Agree?</th>");
            }

            h.Raw("<th>Detail</th></tr></thead><tbody>\n");
            List<AuthenticationMethodResult> methods = trusted.SelectMany(a => a.Results).ToList();

            string dkimDetail = string.Join(", ", r.DkimResults.Where(d => !string.Equals(d.Domain, "none", StringComparison.OrdinalIgnoreCase))
                .Select(d => d.Result + " d=" + d.Domain + (d.Selector is null ? string.Empty : " s=" + d.Selector)));
            string compReason = r.CompAuthReason is null ? string.Empty : "reason " + r.CompAuthReason;
            MailHeaderStamp? compMeaning = r.Stamps.FirstOrDefault(s => string.Equals(s.Field, "compauth reason", StringComparison.OrdinalIgnoreCase));
            if (compMeaning != null)
            {
                compReason += ": " + compMeaning.Meaning;
            }

            AuthRow(h, r, "SPF", "spf", r.Spf, v?.SpfNow, Join(Details(methods, "spf", "smtp.mailfrom", "smtp.helo"), v?.Spf is null ? v?.SpfNote : "now: " + v.Spf.Domain + " for " + v.Spf.IPAddress + (string.IsNullOrEmpty(v.Spf.Reason) ? string.Empty : ", " + v.Spf.Reason)));
            AuthRow(h, r, "DKIM", "dkim", r.Dkim, v?.DkimNow, Join(dkimDetail.Length > 0 ? dkimDetail : Details(methods, "dkim", "header.d"),
                v is null ? null : "now: " + (v.DkimSignatures.Count == 0 ? "no DKIM-Signature" : string.Join("; ", v.DkimSignatures.Select(d => d.ResultKeyword + " d=" + d.Domain + " s=" + d.Selector + (string.IsNullOrEmpty(d.Reason) ? string.Empty : ": " + d.Reason))))));
            AuthRow(h, r, "DMARC", "dmarc", r.Dmarc, v?.DmarcNow, Join(Join(Details(methods, "dmarc", "header.from"), r.DmarcPolicy is null ? null : "p=" + r.DmarcPolicy + (r.DmarcAction is null ? string.Empty : " action=" + r.DmarcAction)),
                v is null ? null : Join(v.DispositionNow is null ? null : "now: disposition " + v.DispositionNow, v.DmarcNote)));
            AuthRow(h, r, "ARC", "arc", r.Arc, v is null ? null : v.ArcNow ?? (v.Arc != null ? "undecided" : null),
                Join(r.ArcSets.Count == 0 ? null : string.Join(", ", r.ArcSets.Select(a => "i=" + a.Instance.ToString(CultureInfo.InvariantCulture) + " cv=" + (a.ChainValidation ?? "?") + " d=" + (a.SealDomain ?? "?"))), v?.Arc?.Reason));
            AuthRow(h, r, "compauth", "compauth", r.CompAuth, null, Join(compReason, "Microsoft's composite authentication: not recomputable from DNS"));
            h.Raw("</tbody></table></div>\n");
        }

        private static void AuthRow(HtmlOut h, MailHeaderReport r, string name, string method, string? recorded, string? now, string? detail)
        {
            MailHeaderVerification? v = r.Verification;
            List<VerdictComparison> comparisons = v?.Comparisons.Where(c => string.Equals(c.Method, method, StringComparison.OrdinalIgnoreCase)).ToList() ?? new List<VerdictComparison>();
            bool differs = comparisons.Any(c => c.Agrees == false);
            h.Open("tr", "class", differs ? "differs" : null, "data-method", method);
            h.Element("td", name);
            h.Raw("<td>").Element("span", recorded ?? "not recorded", "r " + ResultClass(recorded)).Raw("</td>");
            if (v != null)
            {
                h.Raw("<td>").Element("span", method == "compauth" ? "n/a" : now ?? "not computed", "r " + ResultClass(now)).Raw("</td>");
                h.Raw("<td>");
                if (differs)
                {
                    h.Element("span", "DIFFERS", "badge differs");
                }
                else if (comparisons.Any(c => c.Agrees == true))
                {
                    h.Text("agrees");
                }
                else
                {
                    h.Element("span", "—", "muted");
                }

                h.Raw("</td>");
            }

            h.Raw("<td>").Text(detail);
            foreach (VerdictComparison c in comparisons.Where(c => c.Agrees == false))
            {
                h.Element("span", (c.Subject is null ? string.Empty : c.Subject + ": ") + "recorded " + (c.Recorded ?? "-") + ", now " + (c.Now ?? "-") + (string.IsNullOrEmpty(c.Note) ? string.Empty : ". " + c.Note), "ev");
            }

            h.Raw("</td></tr>\n");
        }

        private static string ResultClass(string? result)
        {
            if (result is null)
            {
                return "unknown";
            }

            string word = result.Trim().ToLowerInvariant();
            int space = word.IndexOf(' ');
            if (space > 0)
            {
                word = word.Substring(0, space);
            }

            switch (word)
            {
                case "pass":
                case "bestguesspass":
                    return "pass";
                case "fail":
                case "hardfail":
                    return "fail";
                case "softfail":
                case "permerror":
                case "none":
                case "neutral":
                case "temperror":
                case "policy":
                    return word;
                default:
                    return "unknown";
            }
        }

        private static string Details(List<AuthenticationMethodResult> methods, string method, params string[] keys)
        {
            var parts = new List<string>();
            foreach (AuthenticationMethodResult m in methods.Where(m => string.Equals(m.Method, method, StringComparison.OrdinalIgnoreCase)))
            {
                foreach (string key in keys)
                {
                    string? value = m.GetProperty(key);
                    if (!string.IsNullOrEmpty(value) && !parts.Contains(key + "=" + value))
                    {
                        parts.Add(key + "=" + value);
                    }
                }

                if (!string.IsNullOrEmpty(m.Reason) && !parts.Contains("(" + m.Reason + ")"))
                {
                    parts.Add("(" + m.Reason + ")");
                }
            }

            return string.Join(" ", parts);
        }

        private static void WriteIdentities(HtmlOut h, MailHeaderReport r)
        {
            h.Raw("<h3>Who it claims to be</h3><div class=\"idgrid\">\n");
            string? fromOrg = Org(r.FromDomain);
            Identity(h, "From display name", r.FromDisplayName, null, null);
            Identity(h, "From address", r.FromAddress ?? r.From, null, null);
            string? envelope = r.EnvelopeSender is null ? null : r.EnvelopeSender.Length == 0 ? "<> (empty: a bounce)" : r.EnvelopeSender;
            Identity(h, "Envelope sender (MAIL FROM)", envelope, fromOrg, r.EnvelopeSenderSource is null ? null : "from " + r.EnvelopeSenderSource);
            Identity(h, "Reply-To", r.ReplyTo, fromOrg, null);
            Identity(h, "Sender", r.SenderHeader, fromOrg, null);
            Identity(h, "X-Sender", r.XSender, fromOrg, null);
            if (!string.Equals(r.ReturnPath, r.EnvelopeSender, StringComparison.OrdinalIgnoreCase))
            {
                Identity(h, "Return-Path", r.ReturnPath, fromOrg, null);
            }

            Identity(h, "Client (edge hop)", r.ClientIP is null ? null : r.ClientIP + (r.Helo is null ? string.Empty : " HELO " + r.Helo), null, r.XOriginatingIp is null ? null : "X-Originating-IP " + r.XOriginatingIp);
            Identity(h, "To", r.To, null, null);
            Identity(h, "Message-ID", r.MessageId, null, null);
            h.Raw("</div>\n");
        }

        private static void Identity(HtmlOut h, string label, string? value, string? fromOrg, string? note)
        {
            if (string.IsNullOrEmpty(value))
            {
                return;
            }

            string? other = null;
            if (fromOrg != null)
            {
                MatchCollection matches = s_addressDomain.Matches(value!);
                if (matches.Count > 0)
                {
                    string? org = Org(matches[matches.Count - 1].Groups[1].Value);
                    if (org != null && !string.Equals(org, fromOrg, StringComparison.OrdinalIgnoreCase))
                    {
                        other = "not the From domain's organization (" + fromOrg + ")";
                    }
                }
            }

            h.Open("div", "class", other is null ? "id" : "id other").Element("b", label).Element("span", value);
            if (other != null)
            {
                h.Element("span", other, "note");
            }

            if (note != null)
            {
                h.Element("span", note, "ev");
            }

            h.Raw("</div>\n");
        }

        private static string? Org(string? domain)
        {
            if (string.IsNullOrWhiteSpace(domain))
            {
                return null;
            }

            try
            {
                return MailAuth.Names.OrganizationalDomainService.Embedded.FromPublicSuffixList(domain!.Trim().TrimEnd('.').ToLowerInvariant());
            }
            catch (ArgumentException)
            {
                return domain;
            }
        }

        /// <summary>The hops as an SVG timeline, oldest at the top: delay bars, TLS, the edge, clock skew.</summary>
        private static void WriteTimeline(HtmlOut h, MailHeaderReport r)
        {
            h.Open("h3").Text("Route: " + Plural(r.HopCount, "hop") + ", oldest first").Close("h3");
            if (r.Hops.Count == 0)
            {
                h.Raw("<p class=\"muted\">No Received fields: the route is unknown.</p>");
                return;
            }

            List<MailHop> hops = r.Hops.Count <= MaxTimelineHops ? r.Hops.ToList() : r.Hops.Take(MaxTimelineHops / 2).Concat(r.Hops.Skip(r.Hops.Count - MaxTimelineHops / 2)).ToList();
            const int rowHeight = 58, width = 900, barX = 640, barWidth = 240;
            int height = hops.Count * rowHeight + 10;
            double maxDelay = Math.Max(1, hops.Max(x => Math.Abs(x.DelaySeconds ?? 0)));
            string label = "Route of " + Plural(r.HopCount, "hop") + (r.EdgeHop is null ? string.Empty : "; the edge is hop " + r.EdgeHop.Number.ToString(CultureInfo.InvariantCulture));
            h.Raw("<div class=\"scroll tl\">");
            h.Open("svg", "class", "timeline", "viewBox", "0 0 " + width.ToString(CultureInfo.InvariantCulture) + " " + height.ToString(CultureInfo.InvariantCulture),
                "width", width.ToString(CultureInfo.InvariantCulture), "height", height.ToString(CultureInfo.InvariantCulture), "role", "img", "aria-label", label, "xmlns", "http://www.w3.org/2000/svg").Line();
            h.Element("title", label);
            if (hops.Count > 1)
            {
                h.Open("line", "class", "spine", "x1", "24", "x2", "24", "y1", N(24), "y2", N((hops.Count - 1) * rowHeight + 24)).Raw("</line>");
            }

            for (int i = 0; i < hops.Count; i++)
            {
                MailHop hop = hops[i];
                int y = i * rowHeight + 24;
                if (i > 0 && hops[i - 1].Number + 1 != hop.Number)
                {
                    h.Open("text", "class", "t2", "x", "44", "y", N(y - 26)).Text("… " + Plural(hop.Number - hops[i - 1].Number - 1, "hop") + " not drawn (all in the table)").Close("text");
                }

                string nodeClass = "node" + (hop.IsEdge ? " edge" : hop.IsInternal ? " internal" : string.Empty);
                h.Open("circle", "class", nodeClass, "cx", "24", "cy", N(y), "r", hop.IsEdge ? "11" : "8").Raw("</circle>");
                string from = hop.FromHost ?? hop.Helo ?? hop.FromReverseDns ?? hop.FromIp ?? "?";
                string by = hop.ByHost ?? hop.ByIp ?? "?";
                int x = 46;
                if (hop.IsEdge)
                {
                    h.Open("rect", "class", "edgetag", "x", "46", "y", N(y - 17), "width", "44", "height", "17", "rx", "4").Raw("</rect>");
                    h.Open("text", "class", "edgetxt", "x", "52", "y", N(y - 4)).Text("EDGE").Close("text");
                    x = 98;
                }

                h.Open("text", "x", N(x), "y", N(y - 4)).Text(hop.Number.ToString(CultureInfo.InvariantCulture) + ". " + Short(from, 34) + " → " + Short(by, 34)).Close("text");
                h.Open("text", "class", "t2", "x", "46", "y", N(y + 14)).Text(Short((hop.FromIp ?? "no address") + (hop.With is null ? string.Empty : " · " + hop.With) + (hop.IsInternal ? " · internal" : string.Empty)
                    + (hop.TimestampText is null ? string.Empty : " · " + hop.TimestampText), 80)).Close("text");
                bool encrypted = hop.Encrypted || hop.TlsVersion != null;
                string tls = hop.TlsVersion != null ? "encrypted: " + hop.TlsVersion : encrypted ? "encrypted" + (hop.With is null ? string.Empty : " (" + hop.With + ")") : "no TLS recorded";
                h.Open("text", "class", encrypted ? "tls" : "notls", "x", "46", "y", N(y + 30)).Text(tls).Close("text");

                // Delay bar: length by share of the longest delay; negative delays (clock skew) in red.
                h.Open("rect", "class", "track", "x", N(barX), "y", N(y - 7), "width", N(barWidth), "height", "12", "rx", "3").Raw("</rect>");
                if (hop.DelaySeconds is double delay)
                {
                    int length = Math.Max(2, (int)Math.Round(barWidth * Math.Min(1, Math.Abs(delay) / maxDelay)));
                    string barClass = delay < 0 ? "bar neg" : delay >= 3600 ? "bar long" : "bar";
                    h.Open("rect", "class", barClass, "x", N(barX), "y", N(y - 7), "width", N(length), "height", "12", "rx", "3").Raw("</rect>");
                    h.Open("text", "class", hop.ClockSkew ? "skew" : "t2", "x", N(barX), "y", N(y + 20)).Text((delay >= 0 ? "+" : "−") + Duration(Math.Abs(delay)) + (hop.ClockSkew ? " clock skew" : " after the previous hop")).Close("text");
                }
                else
                {
                    h.Open("text", "class", "t2", "x", N(barX), "y", N(y + 20)).Text(i == 0 ? "first hop" : "no time stamp").Close("text");
                }
            }

            h.Raw("</svg></div>\n");
            WriteHopTable(h, r);
        }

        private static void WriteHopTable(HtmlOut h, MailHeaderReport r)
        {
            h.Raw("<details><summary>Hop table</summary><div class=\"scroll\"><table class=\"hops\"><thead><tr><th>#</th><th>From</th><th>IP</th><th>By</th><th>With</th><th>TLS</th><th>Delay</th><th>Time</th></tr></thead><tbody>\n");
            foreach (MailHop hop in r.Hops.Take(MaxTableHops))
            {
                h.Open("tr", "class", hop.IsEdge ? "edge" : null);
                h.Element("td", hop.Number.ToString(CultureInfo.InvariantCulture) + (hop.IsEdge ? " edge" : string.Empty));
                h.Element("td", hop.FromHost ?? hop.Helo ?? hop.FromReverseDns);
                h.Element("td", hop.FromIp);
                h.Element("td", hop.ByHost ?? hop.ByIp);
                h.Element("td", hop.With);
                h.Element("td", hop.TlsVersion ?? (hop.Encrypted ? "yes" : "no"));
                h.Element("td", hop.DelaySeconds is double d ? (d >= 0 ? "+" : "−") + Duration(Math.Abs(d)) + (hop.ClockSkew ? " skew" : string.Empty) : null);
                h.Element("td", hop.TimestampText);
                h.Raw("</tr>\n");
            }

            h.Raw("</tbody></table></div>");
            if (r.Hops.Count > MaxTableHops)
            {
                h.Element("p", Plural(r.Hops.Count - MaxTableHops, "more hop") + " not shown; Get-MailHeaderReport lists them all.", "hidden-note");
            }

            h.Raw("</details>\n");
        }

        private static void WriteFindings(HtmlOut h, MailHeaderReport r, SortedDictionary<string, Finding> glossary)
        {
            var all = r.Findings.Select(f => (Finding: f, Verify: false)).Concat((r.Verification?.Findings ?? ResultList<Finding>.Empty).Select(f => (Finding: f, Verify: true))).ToList();
            h.Open("h3").Text("Findings (" + all.Count.ToString(CultureInfo.InvariantCulture) + ")").Close("h3");
            if (all.Count == 0)
            {
                h.Raw("<p class=\"muted\">None.</p>");
                return;
            }

            h.Raw("<ul class=\"findings\">\n");
            foreach (var item in all.OrderByDescending(x => x.Finding.SeverityCode))
            {
                WriteFinding(h, item.Finding, item.Verify ? "from -Verify" : null, glossary);
            }

            h.Raw("</ul>\n");
        }

        private static void WriteFinding(HtmlOut h, Finding f, string? tag, SortedDictionary<string, Finding> glossary)
        {
            if (!glossary.ContainsKey(f.Id))
            {
                glossary[f.Id] = f;
            }

            h.Open("li", "data-severity", f.Severity).Element("span", f.Severity, "badge sev-" + f.Severity);
            h.Open("a", "class", "fid", "href", "#" + HtmlEncoding.AnchorId("f-", f.Id)).Text(f.Id).Close("a");
            h.Text(f.Message);
            if (tag != null)
            {
                h.Text(" (" + tag + ")");
            }

            if (!string.IsNullOrEmpty(f.Subject) && f.Message.IndexOf(f.Subject!, StringComparison.OrdinalIgnoreCase) < 0)
            {
                h.Element("span", "evidence: " + f.Subject, "ev");
            }

            h.Raw("</li>\n");
        }

        private static void WriteStamps(HtmlOut h, MailHeaderReport r)
        {
            if (r.Stamps.Count == 0)
            {
                return;
            }

            h.Raw("<h3>Microsoft 365 stamps, decoded</h3><div class=\"scroll\"><table class=\"stamps\"><thead><tr><th>Header</th><th>Field</th><th>Raw value</th><th>Meaning</th></tr></thead><tbody>\n");
            foreach (MailHeaderStamp s in r.Stamps)
            {
                h.Raw("<tr>").Element("td", s.Header).Element("td", s.Field).Raw("<td><code>").Text(s.Value).Raw("</code></td><td>").Text(s.Meaning);
                if (!string.IsNullOrEmpty(s.DocumentationUrl))
                {
                    // Shown as text, never as a link: a page made from mail never links out.
                    h.Element("span", s.DocumentationUrl, "ev");
                }

                h.Raw("</td></tr>\n");
            }

            h.Raw("</tbody></table></div>\n");
        }

        private const int MaxFields = 500;
        private const int MaxFieldText = 4000;

        private static void WriteFields(HtmlOut h, MailHeaderReport r)
        {
            if (r.Headers.Count == 0)
            {
                return;
            }

            h.Open("details", "class", "fields").Open("summary").Text("All " + Plural(r.Headers.Count, "header field") + ", as decoded").Close("summary");
            h.Raw("<div class=\"scroll\"><table><thead><tr><th>Field</th><th>Value</th></tr></thead><tbody>\n");
            foreach (MailHeaderField field in r.Headers.Take(MaxFields))
            {
                string value = field.Value ?? string.Empty;
                h.Raw("<tr>").Element("td", field.Name).Raw("<td><code>").Text(value.Length > MaxFieldText ? Short(value, MaxFieldText) : value).Raw("</code></td></tr>\n");
            }

            h.Raw("</tbody></table></div>");
            if (r.Headers.Count > MaxFields)
            {
                h.Element("p", Plural(r.Headers.Count - MaxFields, "more field") + " not shown.", "hidden-note");
            }

            h.Raw("</details>\n");
        }

        // ---- audit ------------------------------------------------------------------------------

        private static readonly string[] s_grades = { "A", "B", "C", "D", "F" };

        private static void WriteAudit(HtmlOut h, List<MailDomainReport> domains, SortedDictionary<string, Finding> glossary)
        {
            h.Raw("<section class=\"card\" id=\"audit\">\n<h2>Domain audit</h2>\n");
            int failed = domains.Count(d => d.StatusCode == DomainReportStatus.LookupFailed);
            int invalid = domains.Count(d => d.StatusCode == DomainReportStatus.InvalidInput);
            int ok = domains.Count(d => d.StatusCode == DomainReportStatus.Ok);
            int withFindings = domains.Count(d => d.StatusCode == DomainReportStatus.Findings);
            h.Raw("<div class=\"stats\">");
            Stat(h, domains.Count.ToString("N0", CultureInfo.InvariantCulture), "domains");
            Stat(h, ok.ToString("N0", CultureInfo.InvariantCulture), "ok");
            Stat(h, withFindings.ToString("N0", CultureInfo.InvariantCulture), "with findings");
            Stat(h, failed.ToString("N0", CultureInfo.InvariantCulture), "lookups failed");
            if (invalid > 0)
            {
                Stat(h, invalid.ToString("N0", CultureInfo.InvariantCulture), "not domains");
            }

            List<int> scores = domains.Where(d => d.Score.HasValue).Select(d => d.Score!.Value).ToList();
            if (scores.Count > 0)
            {
                Stat(h, scores.Average().ToString("0", CultureInfo.InvariantCulture), "average score");
            }

            h.Raw("</div>\n<div class=\"summary\"><div>");
            WriteGradeChart(h, domains);
            h.Raw("</div><div><h3>Most common findings</h3><ul class=\"findings\">");
            foreach (var group in domains.SelectMany(d => d.Findings).GroupBy(f => f.Id, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(8))
            {
                Finding first = group.First();
                if (!glossary.ContainsKey(first.Id))
                {
                    glossary[first.Id] = first;
                }

                h.Raw("<li>").Element("span", first.Severity, "badge sev-" + first.Severity);
                h.Open("a", "class", "fid", "href", "#" + HtmlEncoding.AnchorId("f-", first.Id)).Text(first.Id).Close("a");
                h.Text(Plural(group.Count(), "domain")).Raw("</li>");
            }

            h.Raw("</ul></div></div>\n");

            h.Raw("<h3>Domains</h3><div class=\"controls\" role=\"search\"><input id=\"audit-q\" type=\"search\" placeholder=\"Filter: domain, record, finding id…\" aria-label=\"Filter domains\">");
            h.Raw("<select id=\"audit-g\" aria-label=\"Grade\"><option value=\"\">Any grade</option>");
            foreach (string g in s_grades)
            {
                h.Open("option", "value", g).Text("Grade " + g).Close("option");
            }

            h.Raw("<option value=\"none\">No grade</option></select><select id=\"audit-s\" aria-label=\"Status\"><option value=\"\">Any status</option>");
            foreach (string s in new[] { "Ok", "Findings", "LookupFailed", "InvalidInput" })
            {
                h.Open("option", "value", s).Text(s).Close("option");
            }

            h.Raw("</select><output id=\"audit-count\"></output></div>\n");
            // A grid of rows rather than a <table>: each row is contained (content-visibility), so the
            // browser lays out only the rows on screen, and 10,000 of them load, filter and sort fast.
            h.Raw("<div id=\"audit-table\"><div class=\"tr th\">");
            string[] columns = { "Domain", "Grade", "Score", "Status", "SPF", "DMARC", "DKIM", "MTA-STS", "Findings" };
            for (int i = 0; i < columns.Length; i++)
            {
                h.Raw("<span class=\"ch\"><button type=\"button\" data-col=\"" + N(i) + "\"" + (i == 2 || i == 8 ? " data-num" : string.Empty) + ">").Text(columns[i]).Raw("</button></span>");
            }

            h.Raw("</div>\n<div id=\"audit-rows\">\n");
            foreach (MailDomainReport d in domains)
            {
                WriteDomainRow(h, d, glossary);
            }

            h.Raw("</div></div>\n</section>\n");
        }

        private static void Stat(HtmlOut h, string value, string label)
        {
            h.Raw("<div class=\"stat\">").Element("b", value).Element("span", label).Raw("</div>");
        }

        private static void WriteGradeChart(HtmlOut h, List<MailDomainReport> domains)
        {
            var counts = s_grades.Select(g => (Label: g, Css: "g-" + g, Count: domains.Count(d => d.Grade == g))).ToList();
            counts.Add(("none", "g-none", domains.Count(d => d.Grade is null)));
            int max = Math.Max(1, counts.Max(c => c.Count));
            const int rowHeight = 30, labelWidth = 70, barMax = 420;
            int height = counts.Count * rowHeight + 8;
            string label = "Grade distribution: " + string.Join(", ", counts.Select(c => c.Label + " " + c.Count.ToString(CultureInfo.InvariantCulture)));
            h.Raw("<h3>Grades</h3>");
            h.Open("svg", "class", "grades", "viewBox", "0 0 600 " + N(height), "width", "600", "height", N(height), "role", "img", "aria-label", label, "xmlns", "http://www.w3.org/2000/svg");
            h.Element("title", label);
            for (int i = 0; i < counts.Count; i++)
            {
                var c = counts[i];
                int y = i * rowHeight + 4;
                int length = c.Count == 0 ? 0 : Math.Max(3, (int)Math.Round(barMax * (double)c.Count / max));
                h.Open("text", "x", "0", "y", N(y + 17)).Text(c.Label == "none" ? "no grade" : "Grade " + c.Label).Close("text");
                h.Open("rect", "class", "track", "x", N(labelWidth), "y", N(y + 3), "width", N(barMax), "height", "18", "rx", "3").Raw("</rect>");
                h.Open("rect", "class", c.Css, "x", N(labelWidth), "y", N(y + 3), "width", N(length), "height", "18", "rx", "3").Raw("</rect>");
                string share = domains.Count == 0 ? string.Empty : " (" + (100.0 * c.Count / domains.Count).ToString("0.#", CultureInfo.InvariantCulture) + " %)";
                h.Open("text", "class", "t2", "x", N(labelWidth + barMax + 8), "y", N(y + 17)).Text(c.Count.ToString("N0", CultureInfo.InvariantCulture) + share).Close("text");
            }

            h.Raw("</svg>\n");
        }

        private static void WriteDomainRow(HtmlOut h, MailDomainReport d, SortedDictionary<string, Finding> glossary)
        {
            // Compact on purpose: at 10,000 rows every byte of a row is 10 kB of the file.
            string grade = d.Grade ?? "none";
            h.Open("div", "class", "dr", "data-g", grade, "data-s", d.Status).Raw("<div class=\"tr\">");
            Cell(h, d.Domain ?? d.Input);
            h.Open("span", "data-v", d.Grade ?? "Z").Element("b", d.Grade ?? "–", "grade g-" + grade).Raw("</span>");
            h.Open("span", "data-v", d.Score?.ToString(CultureInfo.InvariantCulture) ?? string.Empty).Text(d.Score?.ToString(CultureInfo.InvariantCulture) ?? "–").Raw("</span>");
            Cell(h, d.Status);
            Cell(h, d.SpfStatus is null ? "–" : d.SpfStatus + (d.SpfAll is null ? string.Empty : " " + d.SpfAll + "all"));
            Cell(h, d.DmarcStatus is null ? "–" : d.DmarcPolicy is null ? d.DmarcStatus : "p=" + d.DmarcPolicy + (d.DmarcPct is int pct && pct != 100 ? " pct=" + pct.ToString(CultureInfo.InvariantCulture) : string.Empty));
            Cell(h, d.DkimStatus is null ? "–" : string.IsNullOrEmpty(d.DkimSelectors) ? d.DkimStatus : d.DkimSelectors!.Replace(";", ", "));
            Cell(h, d.MtaStsStatus is null ? "–" : d.MtaStsMode ?? d.MtaStsStatus);
            h.Open("span", "data-v", (d.ErrorCount * 10000 + d.WarningCount).ToString(CultureInfo.InvariantCulture))
                .Text(d.ErrorCount == 0 && d.WarningCount == 0 ? (d.Findings.Count == 0 ? "none" : Plural(d.Findings.Count, "note")) : d.ErrorCount.ToString(CultureInfo.InvariantCulture) + " E, " + d.WarningCount.ToString(CultureInfo.InvariantCulture) + " W").Raw("</span>");
            h.Raw("</div><details><summary>details</summary><div class=\"dd\"><div><h4>Records</h4><ul>");
            if (d.ErrorMessage != null)
            {
                h.Element("li", d.ErrorMessage);
            }

            if (d.InputNote != null)
            {
                h.Element("li", d.InputNote);
            }

            Record(h, "MX", d.Mx is null ? null : (d.NullMx == true ? "null MX (no mail accepted)" : d.MxHosts?.Replace(";", ", ")) ?? d.MxStatus);
            Record(h, "SPF", d.SpfRecord ?? d.SpfStatus);
            Record(h, "DMARC", d.Dmarc?.Record ?? d.DmarcStatus);
            Record(h, "DKIM", d.Dkim is null ? null : string.IsNullOrEmpty(d.DkimSelectors) ? d.DkimStatus : "selectors " + d.DkimSelectors!.Replace(";", ", ") + (d.DkimMinKeyBits is int bits ? ", smallest RSA key " + bits.ToString(CultureInfo.InvariantCulture) + " bits" : string.Empty));
            Record(h, "BIMI", d.Bimi?.RecordText ?? d.BimiStatus);
            Record(h, "MTA-STS", d.MtaSts is null ? null : (d.MtaSts.RecordText ?? d.MtaStsStatus) + (d.MtaStsMode is null ? string.Empty : "; mode " + d.MtaStsMode));
            Record(h, "TLS-RPT", d.TlsRpt?.RecordText ?? d.TlsRptStatus);
            h.Raw("</ul></div><div><h4>Findings</h4>");
            if (d.Findings.Count == 0)
            {
                h.Raw("<p>None.</p>");
            }
            else
            {
                h.Raw("<ul>");
                foreach (Finding f in d.Findings.OrderByDescending(f => f.SeverityCode))
                {
                    if (!glossary.ContainsKey(f.Id))
                    {
                        glossary[f.Id] = f;
                    }

                    h.Open("li", "class", "sev-" + f.Severity).Open("a", "href", "#" + HtmlEncoding.AnchorId("f-", f.Id)).Text(f.Id).Close("a").Text(" " + f.Message).Raw("</li>");
                }

                h.Raw("</ul>");
            }

            if (d.GradeReasons.Count > 0)
            {
                h.Raw("<h4>Advice: how the grade was reached</h4><ul>");
                foreach (string reason in d.GradeReasons)
                {
                    h.Element("li", reason);
                }

                h.Raw("</ul>");
            }

            h.Raw("</div></div></details></div>\n");
        }

        private static void Cell(HtmlOut h, string? text)
        {
            h.Raw("<span>").Text(text).Raw("</span>");
        }

        private static void Record(HtmlOut h, string name, string? value)
        {
            if (value is null)
            {
                return;
            }

            h.Raw("<li><b>").Text(name).Raw("</b> <code>").Text(value).Raw("</code></li>");
        }

        // ---- glossary ---------------------------------------------------------------------------

        private static void WriteGlossary(HtmlOut h, SortedDictionary<string, Finding> glossary)
        {
            if (glossary.Count == 0)
            {
                return;
            }

            h.Raw("<section class=\"card\" id=\"glossary\"><h2>Findings explained</h2><p class=\"muted\">Each finding id in this page links here. The full catalogue, with when each finding is raised, is in the MailAuth.PowerShell documentation named beside it.</p><dl class=\"gloss\">\n");
            foreach (KeyValuePair<string, Finding> entry in glossary)
            {
                h.Open("dt", "id", HtmlEncoding.AnchorId("f-", entry.Key)).Text(entry.Key).Close("dt");
                h.Open("dd").Element("span", entry.Value.Severity, "badge sev-" + entry.Value.Severity).Text(" " + entry.Value.Message).Element("span", "Documented in " + DocumentFor(entry.Value) + ".", "ev").Close("dd").Line();
            }

            h.Raw("</dl></section>\n");
        }

        // The finding's section of docs/findings.md (the anchor is the lower-case id), with its catalog title.
        private static string DocumentFor(Finding finding) =>
            "docs/findings.md#" + finding.Id.ToLowerInvariant() + " (" + finding.Definition.Title + ")";

        // ---- helpers ----------------------------------------------------------------------------

        private static int Count(IEnumerable<Finding> findings, FindingSeverity severity) => findings.Count(f => f.SeverityCode == severity);

        private static string Plural(int n, string word) => n.ToString("N0", CultureInfo.InvariantCulture) + " " + word + (n == 1 ? string.Empty : "s");

        private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

        private static string? Join(string? a, string? b) =>
            string.IsNullOrEmpty(b) ? a : string.IsNullOrEmpty(a) ? b : a + "; " + b;

        private static string Short(string text, int max)
        {
            if (text.Length <= max)
            {
                return text;
            }

            int cut = max - 1;
            if (char.IsHighSurrogate(text[cut - 1]))
            {
                cut--;
            }

            return text.Substring(0, cut) + "…";
        }

        /// <summary>"3 s", "4 min 10 s", "2 h 5 min", "3 d 4 h".</summary>
        internal static string Duration(double seconds)
        {
            seconds = Math.Abs(seconds);
            var span = TimeSpan.FromSeconds(Math.Round(seconds));
            if (seconds < 60)
            {
                return ((int)Math.Round(seconds)).ToString(CultureInfo.InvariantCulture) + " s";
            }

            if (seconds < 3600)
            {
                return span.Minutes.ToString(CultureInfo.InvariantCulture) + " min" + (span.Seconds == 0 ? string.Empty : " " + span.Seconds.ToString(CultureInfo.InvariantCulture) + " s");
            }

            if (seconds < 86400)
            {
                return span.Hours.ToString(CultureInfo.InvariantCulture) + " h" + (span.Minutes == 0 ? string.Empty : " " + span.Minutes.ToString(CultureInfo.InvariantCulture) + " min");
            }

            return ((int)span.TotalDays).ToString(CultureInfo.InvariantCulture) + " d" + (span.Hours == 0 ? string.Empty : " " + span.Hours.ToString(CultureInfo.InvariantCulture) + " h");
        }
    }
}
