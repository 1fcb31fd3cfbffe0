using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Posture;

namespace MailAuth.Cli
{
    /// <summary>
    /// mailauth dkim | bimi | mta-sts | tls-rpt | mx DOMAIN...: Get-DkimRecord, Get-BimiRecord,
    /// Get-MtaStsPolicy, Get-TlsRptRecord and Get-MxRecord for shells without PowerShell.
    /// </summary>
    internal static class PostureCommands
    {
        public static IEnumerable<Command> CreateAll()
        {
            yield return CreateDkim();
            yield return CreateBimi();
            yield return CreateMtaSts();
            yield return CreateTlsRpt();
            yield return CreateMx();
        }

        private static Argument<string[]> DomainArgument(string what) =>
            new Argument<string[]>("domain") { Description = what, Arity = ArgumentArity.OneOrMore };

        // ---- mailauth dkim ---------------------------------------------------------------------

        private static Command CreateDkim()
        {
            var common = new CommonOptions();
            var domains = DomainArgument("Domains whose DKIM key records to read.");
            var selector = new Option<string[]>("--selector")
            {
                Description = "Selector to query (repeatable). Default: a list of common provider selectors (docs/posture.md).",
            };
            var command = new Command("dkim", "DKIM key records (RFC 6376 §3.6.1): key type and size, testing, revoked, CNAME chain.");
            command.Arguments.Add(domains);
            command.Options.Add(selector);
            common.AddTo(command);
            command.SetAction(result =>
            {
                string[] selectors = (result.GetValue(selector) ?? Array.Empty<string>()).Select(s => s.Trim()).Where(s => s.Length > 0).ToArray();
                return DomainLoop.Run(result, common, domains,
                    (dns, domain, ct) => new DkimRecordResolver(dns).ResolveAsync(domain, selectors.Length == 0 ? null : selectors, ct),
                    WriteDkim, r => r.StatusCode == PostureStatus.LookupFailed);
            });
            return command;
        }

        private static void WriteDkim(DkimReport r)
        {
            int count = r.SelectorsTried.Count;
            string tried = r.UsedDefaultSelectors ? $"{count} common selectors tried" : $"{count} selector{(count == 1 ? string.Empty : "s")} tried";
            Head(r.Domain, r.StatusCode.ToString(), r.StatusCode == PostureStatus.LookupFailed ? r.ErrorMessage : tried);
            foreach (DkimSelectorResult s in r.Selectors.Where(s => s.StatusCode != PostureStatus.NotFound || s.CnameChain.Count > 0))
            {
                var key = new List<string>();
                if (s.StatusCode == PostureStatus.Found)
                {
                    key.Add(s.IsRevoked ? "revoked" : (s.KeyType?.ToString().ToLowerInvariant() ?? "?") + (s.KeyBits.HasValue ? " " + s.KeyBits.Value.ToString(CultureInfo.InvariantCulture) + " bits" : string.Empty));
                    if (!s.IsValid)
                    {
                        key.Add("invalid");
                    }

                    if (s.IsTesting)
                    {
                        key.Add("t=y testing");
                    }

                    if (s.IsStrict)
                    {
                        key.Add("t=s");
                    }

                    if (s.HashAlgorithms.Length > 0)
                    {
                        key.Add("h=" + s.HashAlgorithms);
                    }

                    if (s.IsMicrosoft365)
                    {
                        key.Add("Microsoft 365");
                    }
                }
                else
                {
                    key.Add(s.StatusCode + (s.ErrorMessage is null ? string.Empty : ": " + s.ErrorMessage));
                }

                Output.WriteWrapped("  " + Output.Cell(s.Selector, 16) + " ", string.Join(", ", key), 19);
                if (s.CnameChain.Count > 0)
                {
                    Output.WriteWrapped(new string(' ', 19) + "cname ", s.QueryName + " -> " + s.CnameText, 25);
                }

                if (s.RecordText != null)
                {
                    Output.WriteWrapped(new string(' ', 19) + "record ", s.RecordText, 26);
                }
            }

            WriteFindings(r.Findings);
        }

        // ---- mailauth bimi ---------------------------------------------------------------------

        private static Command CreateBimi()
        {
            var common = new CommonOptions();
            var domains = DomainArgument("Domains whose BIMI record to read.");
            var selector = new Option<string?>("--selector") { Description = "BIMI selector (default: default)." };
            var command = new Command("bimi", "BIMI record (v=BIMI1, l= and a= URLs) and its DMARC enforcement prerequisite.");
            command.Arguments.Add(domains);
            command.Options.Add(selector);
            common.AddTo(command);
            command.SetAction(result =>
            {
                string? sel = result.GetValue(selector);
                return DomainLoop.Run(result, common, domains,
                    (dns, domain, ct) => new BimiResolver(dns).ResolveAsync(domain, string.IsNullOrWhiteSpace(sel) ? null : sel!.Trim(), null, ct),
                    WriteBimi, r => r.StatusCode == PostureStatus.LookupFailed);
            });
            return command;
        }

        private static void WriteBimi(BimiReport r)
        {
            Head(r.Domain, r.StatusCode.ToString(), r.ErrorMessage ?? r.QueryName);
            Line("record", r.RecordText);
            Line("valid", r.StatusCode == PostureStatus.Found ? (r.IsValid ? "yes" : "no") : null);
            Line("logo (l=)", r.Location);
            Line("evidence (a=)", r.Authority);
            Line("DMARC", r.DmarcQualifies is null ? r.DmarcNote ?? "not checked" : (r.DmarcQualifies.Value ? "qualifies" : "does not qualify") + (r.DmarcNote is null ? string.Empty : ": " + r.DmarcNote));
            WriteFindings(r.Findings);
        }

        // ---- mailauth mta-sts ------------------------------------------------------------------

        private static Command CreateMtaSts()
        {
            var common = new CommonOptions();
            var domains = DomainArgument("Domains whose MTA-STS record and policy to read.");
            var noFetch = new Option<bool>("--no-fetch") { Description = "Check only the _mta-sts TXT record; do not fetch the HTTPS policy." };
            var command = new Command("mta-sts", "MTA-STS (RFC 8461): the _mta-sts record, the HTTPS policy and whether the MX hosts match it.");
            command.Arguments.Add(domains);
            command.Options.Add(noFetch);
            common.AddTo(command);
            command.SetAction(result =>
            {
                using var sts = new MtaStsResolverHolder(!result.GetValue(noFetch) && !common.IsOffline(result));
                return DomainLoop.Run(result, common, domains,
                    (dns, domain, ct) => sts.Get(dns).ResolveAsync(domain, null, ct),
                    WriteMtaSts, r => r.StatusCode == PostureStatus.LookupFailed);
            });
            return command;
        }

        /// <summary>One MtaStsResolver for all the command's domains.</summary>
        private sealed class MtaStsResolverHolder : IDisposable
        {
            private readonly bool _fetch;
            private MtaStsResolver? _resolver;

            public MtaStsResolverHolder(bool fetch) => _fetch = fetch;

            public MtaStsResolver Get(IDnsResolver dns) => _resolver ??= new MtaStsResolver(dns, new MtaStsOptions { FetchPolicy = _fetch });

            public void Dispose() => _resolver?.Dispose();
        }

        private static void WriteMtaSts(MtaStsReport r)
        {
            Head(r.Domain, r.StatusCode.ToString(), r.ErrorMessage ?? r.QueryName);
            Line("record", r.RecordText);
            Line("id", r.Id);
            if (r.StatusCode == PostureStatus.Found)
            {
                Line("policy", r.FetchStatusCode + " " + r.PolicyUrl + (r.FetchError is null ? string.Empty : ": " + r.FetchError));
            }

            if (r.Policy != null)
            {
                Line("mode", r.Mode?.ToString().ToLowerInvariant() ?? "(none given)");
                Line("max_age", r.MaxAge is null ? "(none given)" : r.MaxAge.Value.ToString(CultureInfo.InvariantCulture) + " s (" + Output.Duration(r.MaxAge) + ")");
                Line("mx patterns", r.MxPatternText.Length == 0 ? "(none)" : r.MxPatternText.Replace(";", ", "));
                Line("MX hosts", r.MxHosts.Count == 0 ? "(none)" : string.Join(", ", r.MxHosts));
                Line("MX match", r.MxMatch is null ? "-" : r.MxMatch.Value ? "every MX host matches" : "not matched: " + r.UnmatchedMxText.Replace(";", ", "));
            }

            WriteFindings(r.Findings);
        }

        // ---- mailauth tls-rpt ------------------------------------------------------------------

        private static Command CreateTlsRpt()
        {
            var common = new CommonOptions();
            var domains = DomainArgument("Domains whose TLS-RPT record to read.");
            var command = new Command("tls-rpt", "SMTP TLS Reporting (RFC 8460): the _smtp._tls record and its rua= destinations.");
            command.Arguments.Add(domains);
            common.AddTo(command);
            command.SetAction(result => DomainLoop.Run(result, common, domains,
                (dns, domain, ct) => new TlsRptResolver(dns).ResolveAsync(domain, ct),
                WriteTlsRpt, r => r.StatusCode == PostureStatus.LookupFailed));
            return command;
        }

        private static void WriteTlsRpt(TlsRptReport r)
        {
            Head(r.Domain, r.StatusCode.ToString(), r.ErrorMessage ?? r.QueryName);
            Line("record", r.RecordText);
            Line("valid", r.StatusCode == PostureStatus.Found ? (r.IsValid ? "yes" : "no") : null);
            Line("rua", r.ReportUriText.Length == 0 ? null : r.ReportUriText.Replace(";", ", "));
            WriteFindings(r.Findings);
        }

        // ---- mailauth mx -----------------------------------------------------------------------

        private static Command CreateMx()
        {
            var common = new CommonOptions();
            var domains = DomainArgument("Domains whose MX records to read.");
            var noHosts = new Option<bool>("--no-host-lookup") { Description = "Do not look up the A/AAAA records of the exchanges." };
            var command = new Command("mx", "MX records: preferences, null MX (RFC 7505), aliases, IP literals and exchanges that do not resolve.");
            command.Arguments.Add(domains);
            command.Options.Add(noHosts);
            common.AddTo(command);
            command.SetAction(result => DomainLoop.Run(result, common, domains,
                (dns, domain, ct) => new MxResolver(dns).ResolveAsync(domain, !result.GetValue(noHosts), ct),
                WriteMx, r => r.StatusCode == PostureStatus.LookupFailed));
            return command;
        }

        private static void WriteMx(MxReport r)
        {
            Head(r.Domain, r.StatusCode.ToString(), r.ErrorMessage ?? (r.IsNullMx ? "null MX: the domain accepts no mail (RFC 7505)" : r.HostCount + " host" + (r.HostCount == 1 ? string.Empty : "s")));
            if (r.Hosts.Count > 0 && !r.IsNullMx)
            {
                int hostWidth = Math.Min(Math.Max(4, r.Hosts.Max(h => h.Host.Length)), Math.Max(20, Output.Width / 2 - 10));
                Console.WriteLine(Output.Paint("  " + "pref".PadLeft(5) + " " + Output.Cell("host", hostWidth) + " " + Output.Cell("resolves", 15) + "addresses", "2"));
                foreach (MxHost h in r.Hosts)
                {
                    string detail = h.AddressText.Replace(";", ", ");
                    if (h.IsCname)
                    {
                        detail = "alias of " + string.Join(" -> ", h.CnameChain) + (detail.Length == 0 ? string.Empty : "; " + detail);
                    }

                    if (h.ErrorMessage != null)
                    {
                        detail = detail.Length == 0 ? h.ErrorMessage : detail + "; " + h.ErrorMessage;
                    }

                    string prefix = "  " + h.Preference.ToString(CultureInfo.InvariantCulture).PadLeft(5) + " " + Output.CellMiddle(h.Host, hostWidth) + " " + Output.Cell(h.ResolutionCode.ToString(), 15);
                    Output.WriteWrapped(prefix, detail, 2 + 5 + 1 + hostWidth + 1 + 15);
                }
            }

            WriteFindings(r.Findings);
        }

        // ---- shared ------------------------------------------------------------------------------

        /// <summary>ArgumentException appends " (Parameter 'x')": a CLI user has no parameter of that name.</summary>
        internal static string StripParameter(string message)
        {
            int at = message.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
            return at > 0 ? message.Substring(0, at) : message;
        }

        private const int LabelWidth = 16;

        private static void Head(string domain, string status, string? detail)
        {
            string painted = status switch
            {
                "Found" => Output.Paint(status, "32"),
                "NotFound" => Output.Paint(status, "33"),
                _ => Output.Paint(status, "31"),
            };
            Console.WriteLine(Output.Paint(domain, "1") + ": " + painted + (string.IsNullOrEmpty(detail) ? string.Empty : " - " + Output.OneLine(detail!)));
        }

        private static void Line(string label, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                Output.WriteWrapped("  " + label.PadRight(LabelWidth - 2), value!, LabelWidth);
            }
        }

        internal static void WriteFindings(IReadOnlyList<Finding> findings)
        {
            if (findings.Count == 0)
            {
                return;
            }

            Console.WriteLine("  findings");
            int idWidth = findings.Max(f => f.Id.Length);
            foreach (Finding f in findings)
            {
                string prefix = "    " + Output.PaintSeverity(f.SeverityCode, 8) + Output.Cell(f.Id, idWidth) + "  ";
                Output.WriteWrapped(prefix, f.Message, 4 + 8 + idWidth + 2);
            }
        }
    }
}
