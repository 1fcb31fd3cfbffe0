using System;
using System.Diagnostics;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;

namespace MailAuth.Spf
{
    /// <summary>
    /// RFC 7208 check_host() over an <see cref="IDnsResolver"/>. Thread-safe: one instance can run
    /// many evaluations at once; each gets its own counters and trace, and they share the resolver's cache.
    /// </summary>
    public sealed class SpfEvaluator
    {
        private readonly IDnsResolver _resolver;
        private readonly SpfEvaluationOptions _options;

        /// <param name="resolver">Where DNS questions go (share a <c>DnsResolver</c> to share its cache).</param>
        /// <param name="options">Default limits; each call may pass its own.</param>
        public SpfEvaluator(IDnsResolver resolver, SpfEvaluationOptions? options = null)
        {
            _resolver = resolver ?? throw new ArgumentNullException(nameof(resolver));
            _options = options ?? new SpfEvaluationOptions();
            _options.Validate();
        }

        public IDnsResolver Resolver => _resolver;

        public SpfEvaluationOptions Options => _options;

        /// <summary>
        /// One entry for every way of asking: a candidate <see cref="SpfCheckRequest.Record"/> is
        /// evaluated for <see cref="SpfCheckRequest.Domain"/> (else the sender's domain, else the
        /// HELO); a <see cref="SpfCheckRequest.Domain"/> alone is check_host() of that domain; the
        /// HELO identity when asked; otherwise the MAIL FROM check with its HELO fallback.
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="request"/> or its address is null.</exception>
        /// <exception cref="ArgumentException">Nothing names a domain to check (no sender, HELO or domain).</exception>
        public Task<SpfResult> CheckAsync(SpfCheckRequest request, SpfEvaluationOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (request is null)
            {
                throw new ArgumentNullException(nameof(request));
            }

            if (request.IPAddress is null)
            {
                throw new ArgumentNullException(nameof(request), "The request has no IP address.");
            }

            string? sender = string.IsNullOrWhiteSpace(request.Sender) || request.Sender!.Trim() == "<>" ? null : request.Sender.Trim();
            string? domain = string.IsNullOrWhiteSpace(request.Domain) ? null : request.Domain!.Trim();
            string? helo = string.IsNullOrWhiteSpace(request.Helo) ? null : request.Helo!.Trim();

            if (request.Identity == SpfIdentity.Helo)
            {
                if (helo is null)
                {
                    throw new ArgumentException("The HELO identity was asked for but no HELO name was given.", nameof(request));
                }

                return request.Record is null
                    ? CheckHeloAsync(request.IPAddress, helo, options, cancellationToken)
                    : EvaluateAsync(request.IPAddress, helo, "postmaster@" + helo, helo, SpfIdentity.Helo, request.Record.Trim(), options, cancellationToken);
            }

            if (request.Record != null)
            {
                string? target = domain ?? DomainOf(sender) ?? helo;
                if (target is null)
                {
                    throw new ArgumentException("A candidate record needs a domain to be evaluated for: give the domain, a sender or a HELO name.", nameof(request));
                }

                return CheckRecordAsync(request.Record, request.IPAddress, target, sender ?? (helo is null ? null : "postmaster@" + helo), helo, options, cancellationToken);
            }

            if (domain != null)
            {
                return CheckHostAsync(request.IPAddress, domain, sender ?? "postmaster@" + domain, helo, options, cancellationToken);
            }

            return CheckAsync(request.IPAddress, sender, helo, options, cancellationToken);
        }

        private static string? DomainOf(string? sender)
        {
            if (sender is null)
            {
                return null;
            }

            int at = sender.LastIndexOf('@');
            string domain = at >= 0 ? sender.Substring(at + 1) : sender;
            return domain.Length == 0 ? null : domain;
        }

        /// <summary>
        /// The SMTP check of the MAIL FROM identity (RFC 7208 §2.4): the domain of
        /// <paramref name="sender"/>, or postmaster@<paramref name="helo"/> when MAIL FROM is empty (null, "" or "&lt;&gt;").
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="ipAddress"/> is null.</exception>
        /// <exception cref="ArgumentException">Both sender and HELO are empty.</exception>
        public Task<SpfResult> CheckAsync(IPAddress ipAddress, string? sender, string? helo,
            SpfEvaluationOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (ipAddress is null)
            {
                throw new ArgumentNullException(nameof(ipAddress));
            }

            string mailFrom = (sender ?? string.Empty).Trim();
            if (mailFrom.StartsWith("<", StringComparison.Ordinal) && mailFrom.EndsWith(">", StringComparison.Ordinal))
            {
                mailFrom = mailFrom.Substring(1, mailFrom.Length - 2);
            }

            if (mailFrom.Length == 0)
            {
                if (string.IsNullOrWhiteSpace(helo))
                {
                    throw new ArgumentException("Give a MAIL FROM sender or, for a null reverse-path, the HELO name: one of them is needed to know which domain to check.", nameof(sender));
                }

                // §2.4: a null reverse-path is checked as postmaster@HELO.
                string heloName = helo!.Trim();
                return EvaluateAsync(ipAddress, heloName, "postmaster@" + heloName, heloName, SpfIdentity.MailFrom, null, options, cancellationToken);
            }

            int at = mailFrom.LastIndexOf('@');
            string domain = at >= 0 ? mailFrom.Substring(at + 1) : mailFrom;
            return EvaluateAsync(ipAddress, domain, mailFrom, helo, SpfIdentity.MailFrom, null, options, cancellationToken);
        }

        /// <summary>The HELO identity on its own (RFC 7208 §2.3): check_host() of the HELO name with sender postmaster@HELO.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="ipAddress"/> or <paramref name="helo"/> is null.</exception>
        public Task<SpfResult> CheckHeloAsync(IPAddress ipAddress, string helo,
            SpfEvaluationOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (ipAddress is null)
            {
                throw new ArgumentNullException(nameof(ipAddress));
            }

            if (helo is null)
            {
                throw new ArgumentNullException(nameof(helo));
            }

            string name = helo.Trim();
            return EvaluateAsync(ipAddress, name, "postmaster@" + name, name, SpfIdentity.Helo, null, options, cancellationToken);
        }

        /// <summary>check_host(ip, domain, sender) exactly as RFC 7208 §4 defines it.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="ipAddress"/>, <paramref name="domain"/> or <paramref name="sender"/> is null.</exception>
        public Task<SpfResult> CheckHostAsync(IPAddress ipAddress, string domain, string sender, string? helo,
            SpfEvaluationOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (ipAddress is null)
            {
                throw new ArgumentNullException(nameof(ipAddress));
            }

            if (domain is null)
            {
                throw new ArgumentNullException(nameof(domain));
            }

            if (sender is null)
            {
                throw new ArgumentNullException(nameof(sender));
            }

            return EvaluateAsync(ipAddress, domain.Trim(), sender.Trim(), helo, SpfIdentity.MailFrom, null, options, cancellationToken);
        }

        /// <summary>
        /// Evaluates a candidate record text as if <paramref name="domain"/> published it (for testing a
        /// record before publishing). Includes and redirects in it are looked up in DNS as usual.
        /// </summary>
        /// <exception cref="ArgumentNullException">A required argument is null.</exception>
        public Task<SpfResult> CheckRecordAsync(string record, IPAddress ipAddress, string domain, string? sender, string? helo,
            SpfEvaluationOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (record is null)
            {
                throw new ArgumentNullException(nameof(record));
            }

            if (ipAddress is null)
            {
                throw new ArgumentNullException(nameof(ipAddress));
            }

            if (domain is null)
            {
                throw new ArgumentNullException(nameof(domain));
            }

            string from = string.IsNullOrWhiteSpace(sender) ? "postmaster@" + domain.Trim() : sender!.Trim();
            return EvaluateAsync(ipAddress, domain.Trim(), from, helo, SpfIdentity.MailFrom, record.Trim(), options, cancellationToken);
        }

        /// <summary>Looks up, parses and lints the SPF record of a domain and walks its include tree.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="domain"/> is null.</exception>
        public Task<SpfRecordReport> GetRecordReportAsync(string domain, SpfEvaluationOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (domain is null)
            {
                throw new ArgumentNullException(nameof(domain));
            }

            SpfEvaluationOptions effective = options ?? _options;
            effective.Validate();
            return SpfRecordInspector.InspectAsync(_resolver, domain.Trim(), effective, cancellationToken);
        }

        /// <summary>
        /// A flattening suggestion: the address ranges the domain's include tree resolves to now, as one
        /// candidate record within 10 DNS lookups and 255-byte strings, with the TTLs it rests on. It is a
        /// snapshot that must be refreshed when providers change their ranges (<see cref="SpfFlattening.Warning"/>).
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="domain"/> is null.</exception>
        public Task<SpfFlattening> FlattenRecordAsync(string domain, SpfEvaluationOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (domain is null)
            {
                throw new ArgumentNullException(nameof(domain));
            }

            SpfEvaluationOptions effective = options ?? _options;
            effective.Validate();
            return SpfRecordInspector.FlattenAsync(_resolver, domain.Trim(), effective, cancellationToken);
        }

        /// <summary>
        /// §4.3: the identity as a fully-qualified name in A-labels (the shared DNS-name rules,
        /// docs/domain-names.md: check_host() is also run on names such as _spf.google.com); null
        /// with the reason when malformed, which gives None.
        /// </summary>
        private static string? Identity(string? name, out string? reason)
        {
            if (MailAuth.Names.DomainName.TryParseQualified(name, MailAuth.Names.DomainNameKind.DnsName, out MailAuth.Names.DomainName? parsed, out MailAuth.Names.DomainNameRule rule, out reason))
            {
                return parsed!.Value;
            }

            reason = MailAuth.Names.DomainName.RefusalMessage(name, rule, reason!).TrimEnd('.');
            return null;
        }

        private async Task<SpfResult> EvaluateAsync(IPAddress ipAddress, string domain, string sender, string? helo,
            SpfIdentity identity, string? candidate, SpfEvaluationOptions? options, CancellationToken cancellationToken)
        {
            SpfEvaluationOptions effective = options ?? _options;
            effective.Validate();
            var stopwatch = Stopwatch.StartNew();
            IPAddress ip = SpfNetwork.Unmap(ipAddress);
            if (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && ip.ScopeId != 0)
            {
                ip = new IPAddress(ip.GetAddressBytes());
            }

            // §4.3: no local-part means "postmaster".
            int at = sender.LastIndexOf('@');
            string localPart = at > 0 ? sender.Substring(0, at) : "postmaster";
            string? normalized = Identity(domain, out string? invalid);
            string senderDomain = at >= 0 ? sender.Substring(at + 1) : domain;
            string? senderDomainAscii = Identity(senderDomain, out _) ?? senderDomain;
            string fullSender = localPart + "@" + senderDomainAscii;
            string reportedDomain = normalized ?? domain;

            DateTimeOffset now = effective.Timestamp ?? DateTimeOffset.UtcNow;
            var values = new SpfMacroValues
            {
                Sender = fullSender,
                LocalPart = localPart,
                SenderDomain = senderDomainAscii,
                Domain = reportedDomain,
                Ip = ip,
                // %{h} is the HELO as given, A-labelled when it is an internationalized name.
                Helo = helo is null ? string.Empty : Identity(helo, out _) ?? helo,
                ReceiverName = string.IsNullOrEmpty(effective.ReceiverName) ? "unknown" : effective.ReceiverName!,
                Timestamp = now.ToUnixTimeSeconds(),
            };

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(effective.Timeout);
            var check = new SpfCheck(_resolver, effective, values, timeout.Token);

            SpfLevel level;
            string? explanation = null;
            SpfRecord? candidateRecord = null;
            if (normalized is null)
            {
                // §4.3: a malformed or single-label domain gives None without any lookup.
                string why = $"no valid domain to check: {invalid} (§4.3)";
                check.AddStep(0, SpfTraceStepKind.Result, domain, null, "none", why);
                level = new SpfLevel { Code = SpfResultCode.None, Reason = why };
            }
            else if (candidate != null && !SpfRecord.TryParse(candidate, out candidateRecord, out SpfSyntaxError? syntax))
            {
                string why = $"syntax error in the candidate record: {syntax!.Message}";
                check.AddStep(0, SpfTraceStepKind.Record, normalized, candidate, "permerror", why);
                level = new SpfLevel { Code = SpfResultCode.PermError, Reason = why, RecordText = candidate, SyntaxError = syntax };
            }
            else
            {
                try
                {
                    // The path for loop detection: a candidate record is not what the domain publishes, so an
                    // include of the domain itself reads the published record and is no loop.
                    string[] path = candidateRecord is null ? new[] { normalized } : new string[0];
                    level = await check.CheckHostAsync(normalized, 0, candidateRecord, path).ConfigureAwait(false);
                    if (level.Code == SpfResultCode.Fail)
                    {
                        explanation = await check.ExplainAsync(level).ConfigureAwait(false);
                    }
                }
                catch (SpfAbortException abort)
                {
                    level = new SpfLevel { Code = abort.Code, Reason = abort.Message, SyntaxError = abort.SyntaxError };
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // §4.6.4: an evaluation that runs too long ends in TempError.
                    string why = $"the evaluation took longer than {effective.Timeout.TotalSeconds:0.#} s";
                    check.AddStep(0, SpfTraceStepKind.Result, normalized, null, "temperror", why);
                    level = new SpfLevel { Code = SpfResultCode.TempError, Reason = why };
                }

                level.RecordText ??= candidate ?? FirstRecord(check);
            }

            // Speculative queries still in flight are of no further use to this evaluation: stop
            // waiting for them (a shared resolver still finishes and caches them) and stop reporting.
            check.Complete();
            timeout.Cancel();
            stopwatch.Stop();
            return new SpfResult(level.Code, identity, reportedDomain, ip, fullSender, helo, level.RecordText,
                level.Matched?.Text, level.MatchedDomain, level.Reason, explanation, check.Lookups, check.Voids,
                check.Trace, effective.ReceiverName, stopwatch.Elapsed.TotalMilliseconds, level.SyntaxError);
        }

        private static string? FirstRecord(SpfCheck check)
        {
            foreach (SpfTraceStep step in check.Trace)
            {
                if (step.KindCode == SpfTraceStepKind.Record && step.Depth == 0)
                {
                    return step.Term;
                }
            }

            return null;
        }
    }
}
