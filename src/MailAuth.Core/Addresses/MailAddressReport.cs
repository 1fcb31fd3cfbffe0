using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dmarc;
using MailAuth.Dns;
using MailAuth.Posture;
using MailAuth.Spf;
using MailAuth.Findings;

namespace MailAuth.Addresses
{
    /// <summary>How mail for the domain is routed (RFC 5321 §5.1, RFC 7505).</summary>
    public enum MailRoutingStatus
    {
        /// <summary>MX records name the exchanges.</summary>
        Found,
        /// <summary>A null MX ("0 ."): the domain accepts no mail (RFC 7505 §3).</summary>
        NullMx,
        /// <summary>No MX, but the domain has A/AAAA records: the implicit MX (RFC 5321 §5.1).</summary>
        ImplicitMx,
        /// <summary>No MX and no A/AAAA (or the domain does not exist): mail cannot be routed.</summary>
        NotFound,
        /// <summary>A lookup failed (timeout, SERVFAIL): the route is unknown.</summary>
        LookupFailed,
    }

    /// <summary>Whether mail to the address can be delivered, as far as can be told without sending it.</summary>
    public enum MailDeliverability
    {
        Yes,
        No,
        Unknown,
    }

    /// <summary>Test-MailAddress's row: syntax, routing, the domain's SPF/DMARC posture and, with -Smtp, the probe.</summary>
    public sealed class MailAddressReport
    {
        internal MailAddressReport(string address)
        {
            Address = address;
        }

        /// <summary>The address as given.</summary>
        public string Address { get; }

        public bool SyntaxValid { get; internal set; }

        /// <summary>Why the address is refused, naming the rule; null when valid.</summary>
        public string? SyntaxError { get; internal set; }

        /// <summary>The rule broken (MailAddressSyntaxRule name), or None.</summary>
        public string SyntaxRule { get; internal set; } = nameof(MailAddressSyntaxRule.None);

        public string? LocalPart { get; internal set; }

        /// <summary>The domain in A-labels (or the address literal).</summary>
        public string? Domain { get; internal set; }

        /// <summary>Found, NullMx, ImplicitMx, NotFound or LookupFailed; null when not looked up (bad syntax, an address literal).</summary>
        public string? MxStatus => MxStatusCode?.ToString();

        internal MailRoutingStatus? MxStatusCode { get; set; }

        /// <summary>Where mail goes, in preference order: "10 mx1.contoso.com" (the implicit MX reads "0 contoso.com").</summary>
        public ResultList<string> Exchanges { get; internal set; } = ResultList<string>.Empty;

        /// <summary>Yes, No or Unknown.</summary>
        public string Deliverable => DeliverableCode.ToString();

        internal MailDeliverability DeliverableCode { get; set; } = MailDeliverability.Unknown;

        /// <summary>Why: the rule, record or SMTP reply behind <see cref="Deliverable"/>.</summary>
        public string DeliverableReason { get; internal set; } = string.Empty;

        /// <summary>The domain's SPF and DMARC in one line: "SPF OK -all; DMARC p=reject".</summary>
        public string? Posture { get; internal set; }

        /// <summary>The local part needs SMTPUTF8 (RFC 6531) on every hop.</summary>
        public bool RequiresSmtpUtf8 { get; internal set; }

        public ResultList<Finding> Findings { get; internal set; } = ResultList<Finding>.Empty;

        /// <summary>With -Smtp: the conversation with the first exchange that answered.</summary>
        public SmtpProbeResult? SmtpProbe { get; internal set; }

        /// <summary>The DNS answers of the domain's routing and posture (docs/dns-archive.md); empty for bad syntax and address literals.</summary>
        public DnsEvidence DnsEvidence { get; internal set; } = DnsEvidence.Empty;

        /// <summary>The probe's outcome (Accepted, Rejected, ...), for the table and CSV; null without -Smtp.</summary>
        public string? SmtpOutcome => SmtpProbe?.Outcome;

        public override string ToString() => $"{Address}: {Deliverable} ({DeliverableReason})";
    }

    /// <summary>Options for <see cref="MailAddressTester"/>.</summary>
    public sealed class MailAddressTestOptions
    {
        /// <summary>Look up the domain's SPF and DMARC records for <see cref="MailAddressReport.Posture"/>.</summary>
        public bool IncludePosture { get; set; } = true;

        /// <summary>Probe the first reachable exchange over SMTP (null: no probe).</summary>
        public SmtpProbeOptions? Smtp { get; set; }
    }

    /// <summary>
    /// Tests addresses: RFC 5321 syntax, mail routing (MX, null MX, implicit MX) and the domain's
    /// SPF/DMARC posture, cached per domain for the life of the instance (a list of ten thousand
    /// users names a handful of domains), optionally an SMTP probe. Thread-safe.
    /// </summary>
    public sealed class MailAddressTester
    {
        private readonly IDnsResolver _dns;
        private readonly MailAddressTestOptions _options;
        private readonly ConcurrentDictionary<string, RecordingDnsResolver> _evidence = new ConcurrentDictionary<string, RecordingDnsResolver>(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, Lazy<Task<DomainRoute>>> _routes = new ConcurrentDictionary<string, Lazy<Task<DomainRoute>>>(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _postures = new ConcurrentDictionary<string, Lazy<Task<string>>>(StringComparer.Ordinal);

        /// <exception cref="ArgumentNullException"><paramref name="dns"/> is null.</exception>
        public MailAddressTester(IDnsResolver dns, MailAddressTestOptions? options = null)
        {
            _dns = dns ?? throw new ArgumentNullException(nameof(dns));
            _options = options ?? new MailAddressTestOptions();
        }

        /// <summary>Domains looked up so far.</summary>
        public int CachedDomainCount => _routes.Count;

        /// <summary>The report for one address. Bad syntax is a result (SyntaxValid false), DNS failures too; never thrown.</summary>
        /// <exception cref="ArgumentException">The address is null, empty or blank: there is nothing to test.</exception>
        /// <exception cref="OperationCanceledException">Cancelled.</exception>
        public async Task<MailAddressReport> TestAsync(string address, CancellationToken cancellationToken = default)
        {
            if (address is null || address.Trim().Length == 0)
            {
                throw new ArgumentException("The address is empty.", nameof(address));
            }

            var report = new MailAddressReport(address);
            var findings = new List<Finding>();
            MailAddressSyntax syntax = MailAddressSyntax.Parse(address);
            report.SyntaxValid = syntax.IsValid;
            report.SyntaxRule = syntax.Rule;
            if (!syntax.IsValid)
            {
                report.SyntaxError = syntax.Error;
                findings.Add(new Finding(FindingCatalog.Address.SyntaxInvalid, syntax.Error!, address));
                report.DeliverableCode = MailDeliverability.No;
                report.DeliverableReason = syntax.Error!;
                report.Findings = FindingResults.From(findings);
                return report;
            }

            report.LocalPart = syntax.LocalPart;
            report.Domain = syntax.Domain;
            report.RequiresSmtpUtf8 = syntax.RequiresSmtpUtf8;
            if (syntax.IsQuoted)
            {
                findings.Add(new Finding(FindingCatalog.Address.QuotedLocalPart,
                    "The local part is a quoted string: valid (RFC 5321 §4.1.2), but RFC 5321 §4.1.2 advises against it and many systems refuse it.", syntax.LocalPart));
            }

            if (syntax.RequiresSmtpUtf8)
            {
                findings.Add(new Finding(FindingCatalog.Address.SmtpUtf8Required,
                    "The local part is not ASCII: mail reaches it only through servers that offer SMTPUTF8 (RFC 6531 §3.2).", syntax.LocalPart));
            }

            IReadOnlyList<(string Host, IPAddress Address)> targets;
            if (syntax.IsAddressLiteral)
            {
                findings.Add(new Finding(FindingCatalog.Address.AddressLiteral,
                    "The domain is an address literal: mail goes straight to that address with no DNS routing (RFC 5321 §4.1.3, §5.1), and most receivers refuse such addresses.", syntax.Domain));
                report.DeliverableCode = MailDeliverability.Unknown;
                report.DeliverableReason = "An address literal has no MX to check; only the server at that address can tell.";
                targets = new[] { (syntax.Domain!, syntax.LiteralAddress!) };
            }
            else
            {
                Task<string>? posture = _options.IncludePosture
                    ? _postures.GetOrAdd(syntax.Domain!, d => new Lazy<Task<string>>(() => PostureAsync(d, cancellationToken))).Value
                    : null;
                DomainRoute route = await _routes.GetOrAdd(syntax.Domain!, d => new Lazy<Task<DomainRoute>>(() => RouteAsync(d, cancellationToken))).Value.ConfigureAwait(false);
                report.MxStatusCode = route.Status;
                report.Exchanges = route.Exchanges;
                report.DeliverableCode = route.Deliverable;
                report.DeliverableReason = route.Reason;
                findings.AddRange(route.Findings);
                targets = route.Targets;
                if (posture != null)
                {
                    report.Posture = await posture.ConfigureAwait(false);
                }

                // The domain's answers, looked up once per command and shared by its addresses.
                report.DnsEvidence = DnsEvidence.From(Recorder(syntax.Domain!).Responses);
            }

            if (_options.Smtp != null && targets.Count > 0 && (report.DeliverableCode != MailDeliverability.No || syntax.IsAddressLiteral))
            {
                SmtpProbeResult probe = await SmtpProber.ProbeAsync(targets, syntax.Normalized!, _options.Smtp, cancellationToken).ConfigureAwait(false);
                report.SmtpProbe = probe;
                ApplyProbe(report, probe, syntax, findings);
            }

            report.Findings = FindingResults.From(findings);
            return report;
        }

        private static void ApplyProbe(MailAddressReport report, SmtpProbeResult probe, MailAddressSyntax syntax, List<Finding> findings)
        {
            switch (probe.OutcomeCode)
            {
                case SmtpProbeOutcome.Accepted:
                    report.DeliverableCode = probe.RcptCode == 252 ? MailDeliverability.Unknown : MailDeliverability.Yes;
                    break;
                case SmtpProbeOutcome.Rejected:
                    report.DeliverableCode = MailDeliverability.No;
                    break;
                default:
                    // A temporary failure, a refused probe or no answer says nothing about the
                    // address: the routing verdict stands, but no longer as a Yes.
                    if (report.DeliverableCode == MailDeliverability.Yes)
                    {
                        report.DeliverableCode = MailDeliverability.Unknown;
                    }

                    break;
            }

            report.DeliverableReason = "SMTP " + probe.Meaning;
            if (probe.StartTlsOffered == false)
            {
                findings.Add(new Finding(FindingCatalog.Address.StartTlsNotOffered,
                    $"{probe.Host} does not offer STARTTLS (RFC 3207): mail to it travels unencrypted.", probe.Host));
            }

            if (syntax.RequiresSmtpUtf8 && probe.SmtpUtf8Offered == false)
            {
                findings.Add(new Finding(FindingCatalog.Address.SmtpUtf8NotOffered,
                    $"{probe.Host} does not offer SMTPUTF8, so it cannot take mail for this non-ASCII local part (RFC 6531 §3.2).", probe.Host));
            }
        }

        private RecordingDnsResolver Recorder(string domain) => _evidence.GetOrAdd(domain, _ => new RecordingDnsResolver(_dns));

        private async Task<DomainRoute> RouteAsync(string domain, CancellationToken cancellationToken)
        {
            IDnsResolver dns = Recorder(domain);
            MxReport mx = await new MxResolver(dns).ResolveAsync(domain, true, cancellationToken).ConfigureAwait(false);
            var findings = mx.Findings.Where(f => f.Id != FindingCatalog.Mx.None.Id).ToList();
            if (mx.StatusCode == PostureStatus.LookupFailed)
            {
                return new DomainRoute(MailRoutingStatus.LookupFailed, MailDeliverability.Unknown,
                    $"The MX lookup failed ({mx.ErrorMessage}): where mail goes is unknown.", findings);
            }

            if (mx.IsNullMx)
            {
                return new DomainRoute(MailRoutingStatus.NullMx, MailDeliverability.No,
                    "The domain publishes a null MX (\"0 .\"): it accepts no mail (RFC 7505 §3).", findings) { Exchanges = ResultList.From(new[] { "0 ." }) };
            }

            if (mx.StatusCode == PostureStatus.NotFound)
            {
                // RFC 5321 §5.1: no MX at all, then the domain's own A/AAAA is the implicit MX, with
                // preference 0. An NXDOMAIN on the MX query already says the domain does not exist.
                HostAddressAnswers own = await HostAddressAnswers.QueryAsync(dns, domain, cancellationToken).ConfigureAwait(false);
                IPAddress[] addresses = own.IPv4.Concat(own.IPv6).ToArray();
                if (addresses.Length > 0)
                {
                    findings.Add(new Finding(FindingCatalog.Address.ImplicitMx,
                        "No MX records: mail goes to the domain's own A/AAAA address (the implicit MX, RFC 5321 §5.1). Publish MX records, or a null MX if the domain takes no mail.", domain));
                    return new DomainRoute(MailRoutingStatus.ImplicitMx, MailDeliverability.Yes,
                        $"No MX; the implicit MX (RFC 5321 §5.1) is {domain} at {string.Join(", ", addresses.Select(a => a.ToString()))}.", findings)
                    {
                        Exchanges = ResultList.From(new[] { "0 " + domain }),
                        Targets = addresses.Select(a => (domain, a)).ToArray(),
                    };
                }

                if (own.Failed.Count > 0)
                {
                    return new DomainRoute(MailRoutingStatus.LookupFailed, MailDeliverability.Unknown,
                        $"No MX, and the A/AAAA lookup for the implicit MX failed ({PostureHelpers.FailureText(own.Failed[0])}): where mail goes is unknown.", findings);
                }

                findings.Add(new Finding(FindingCatalog.Address.NoRoute,
                    $"{domain} has no MX and no A/AAAA record{(own.A.IsNxDomain ? " (NXDOMAIN: the domain does not exist)" : string.Empty)}: mail to it cannot be delivered (RFC 5321 §5.1).", domain));
                return new DomainRoute(MailRoutingStatus.NotFound, MailDeliverability.No,
                    own.A.IsNxDomain ? $"{domain} does not exist (NXDOMAIN)." : $"{domain} has no MX and no A/AAAA: there is nowhere to deliver (RFC 5321 §5.1).", findings);
            }

            var exchanges = mx.Hosts.Select(h => h.Preference.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + h.Host).ToArray();
            var targets = mx.Hosts.Where(h => h.ResolutionCode == MxHostResolution.Resolves)
                .SelectMany(h => h.Addresses.Select(a => (h.Host, IPAddress.Parse(a)))).ToArray();
            MailDeliverability deliverable;
            string reason;
            if (mx.ResolvingHostCount > 0)
            {
                MxHost first = mx.Hosts.First(h => h.ResolutionCode == MxHostResolution.Resolves);
                deliverable = MailDeliverability.Yes;
                reason = $"The domain takes mail at {first.Host} (MX {first.Preference}); only -Smtp asks whether this mailbox exists.";
            }
            else if (mx.Hosts.Any(h => h.ResolutionCode == MxHostResolution.LookupFailed))
            {
                deliverable = MailDeliverability.Unknown;
                reason = "No MX host is known to resolve: an address lookup failed.";
            }
            else
            {
                deliverable = MailDeliverability.No;
                reason = "No MX host has an address (RFC 5321 §5.1: a sender finds nowhere to connect).";
            }

            return new DomainRoute(MailRoutingStatus.Found, deliverable, reason, findings) { Exchanges = ResultList.From(exchanges), Targets = targets };
        }

        private async Task<string> PostureAsync(string domain, CancellationToken cancellationToken)
        {
            IDnsResolver dns = Recorder(domain);
            Task<SpfRecordReport> spf = new SpfEvaluator(dns).GetRecordReportAsync(domain, null, cancellationToken);
            Task<DmarcPolicy> dmarc = new DmarcResolver(dns).ResolveAsync(new DmarcQuery(domain), new DmarcOptions { CheckReportAuthorization = false }, cancellationToken);
            SpfRecordReport s = await spf.ConfigureAwait(false);
            DmarcPolicy d = await dmarc.ConfigureAwait(false);
            string spfText = s.StatusCode switch
            {
                SpfRecordStatus.Found => "SPF " + s.Verdict + (s.AllMechanism.Length > 0 ? " " + s.AllMechanism : string.Empty),
                _ => "SPF " + s.Status,
            };
            string dmarcText = d.StatusCode == DmarcStatus.Found && d.EffectivePolicy != null
                ? "DMARC p=" + d.EffectivePolicy.ToLowerInvariant() + (d.RecordDomain != null && !string.Equals(d.RecordDomain, domain, StringComparison.OrdinalIgnoreCase) ? " (from " + d.RecordDomain + ")" : string.Empty)
                : "DMARC " + d.Status;
            return spfText + "; " + dmarcText;
        }

        private sealed class DomainRoute
        {
            public DomainRoute(MailRoutingStatus status, MailDeliverability deliverable, string reason, IReadOnlyList<Finding> findings)
            {
                Status = status;
                Deliverable = deliverable;
                Reason = reason;
                Findings = findings;
            }

            public MailRoutingStatus Status { get; }

            public MailDeliverability Deliverable { get; }

            public string Reason { get; }

            public IReadOnlyList<Finding> Findings { get; }

            public ResultList<string> Exchanges { get; set; } = ResultList<string>.Empty;

            public IReadOnlyList<(string Host, IPAddress Address)> Targets { get; set; } = Array.Empty<(string, IPAddress)>();
        }
    }
}
