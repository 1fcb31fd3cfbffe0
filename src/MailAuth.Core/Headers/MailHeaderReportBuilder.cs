using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.RegularExpressions;
using MimeKit;
using MimeKit.Utils;
using MailAuth.Findings;

namespace MailAuth.Headers
{
    /// <summary>Builds a <see cref="MailHeaderReport"/> from the header fields of one message.</summary>
    internal sealed class MailHeaderReportBuilder
    {
        // Provider families: when the last "by" host belongs to one, all its transport domains
        // are the same receiving organization (Microsoft 365 hands mail between
        // *.protection.outlook.com, *.outlook.office365.com and *.prod.exchangelabs.com).
        private static readonly string[] s_microsoftDomains =
            { "outlook.com", "office365.com", "exchangelabs.com", "microsoft.com", "office.com", "hotmail.com" };

        private static readonly string[] s_googleDomains = { "google.com", "gmail.com", "googlemail.com" };

        // Other providers whose hosts and authserv-ids span several domains (iCloud writes
        // "spf.icloud.com", "dkim-verifier.icloud.com"; Yahoo and AOL share one platform).
        private static readonly string[][] s_providerFamilies =
        {
            new[] { "icloud.com", "me.com", "mac.com", "apple.com" },
            new[] { "yahoo.com", "yahoodns.net", "yahoo.net", "aol.com" },
            new[] { "zoho.com", "zohomail.com", "zoho.eu", "zohomail.eu", "zoho.in", "zohomail.in" },
            new[] { "protonmail.ch", "protonmail.com", "proton.ch", "proton.me" },
        };

        internal static readonly Regex s_addressInText = new Regex(
            @"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",
            RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));

        private readonly MailHeaderOptions _options;
        private readonly MailAuth.Names.IOrganizationalDomainProvider _org;
        // At most ten findings of one id, the rest counted (docs/limits.md).
        private readonly FindingCollector _findings = new FindingCollector();
        private readonly MailHeaderReport _report = new MailHeaderReport();
        private List<MailHeaderField> _fields = new List<MailHeaderField>();
        private bool _microsoftReceiver;

        private MailHeaderReportBuilder(MailHeaderOptions options)
        {
            _options = options;
            _org = options.OrgDomains;
        }

        public static MailHeaderReport Build(IReadOnlyList<MailHeaderField> fields, MailHeaderOptions options,
            string? source, int messageNumber, bool hasBody, IReadOnlyList<string> notes, bool truncated, bool headerTruncated = false)
        {
            var b = new MailHeaderReportBuilder(options);
            b._fields = fields.Count > options.MaxHeaderFields ? fields.Take(options.MaxHeaderFields).ToList() : fields.ToList();
            if (fields.Count > options.MaxHeaderFields)
            {
                b.Add(FindingCatalog.Header.LimitReached,
                    FormattableString.Invariant($"The header has {fields.Count:N0} fields; only the first {options.MaxHeaderFields:N0} were read (docs/limits.md)."), null);
            }

            if (headerTruncated)
            {
                b.Add(FindingCatalog.Header.InputTruncated,
                    FormattableString.Invariant($"The header text is longer than {options.MaxHeaderLength:N0} characters, eight times the 256 KB Exchange Online accepts; only its beginning was read (docs/limits.md)."), null);
            }

            foreach (var field in b._fields.Where(f => EncodedWords(f.RawValue) > options.MaxEncodedWordsPerField))
            {
                b.Add(FindingCatalog.Header.LimitReached,
                    FormattableString.Invariant($"The {field.Name} field holds {EncodedWords(field.RawValue):N0} encoded words (RFC 2047); over {options.MaxEncodedWordsPerField:N0} it is shown as written, undecoded (docs/limits.md)."), field.Name);
            }

            b._report.Source = source;
            b._report.MessageNumber = messageNumber;
            b._report.HasBody = hasBody;
            b._report.InputNotes = ResultList.From(notes);
            b._report.Headers = ResultList.From(b._fields);
            if (truncated)
            {
                b.Add(FindingCatalog.Header.InputTruncated,
                    $"The message is longer than {options.MaxMessageLength} characters; only its beginning was analysed.", null);
            }

            if (fields.Count == 0)
            {
                b.Add(FindingCatalog.Header.NoHeaderFields,
                    "No header fields found in this message.", null);
            }

            b.Run();
            return b._report;
        }

        /// <summary>RFC 2047 encoded words in a raw field value ("=?charset?enc?text?=" each).</summary>
        internal static int EncodedWords(string? raw)
        {
            if (string.IsNullOrEmpty(raw))
            {
                return 0;
            }

            int n = 0;
            for (int i = raw!.IndexOf("=?", StringComparison.Ordinal); i >= 0; i = raw.IndexOf("=?", i + 2, StringComparison.Ordinal))
            {
                n++;
            }

            return n;
        }

        /// <summary>Header fields from a MimeKit list, in order.</summary>
        internal static List<MailHeaderField> FromHeaderList(HeaderList headers, MailHeaderOptions options)
        {
            var list = new List<MailHeaderField>(headers.Count);
            foreach (var h in headers)
            {
                string value;
                string raw;
                try
                {
                    raw = System.Text.Encoding.UTF8.GetString(h.RawValue).Trim();
                }
                catch (Exception)
                {
                    raw = "";
                }

                try
                {
                    // Past the encoded-word limit the field is kept as written (docs/limits.md).
                    value = EncodedWords(raw) > options.MaxEncodedWordsPerField ? raw : h.Value ?? "";
                }
                catch (Exception)
                {
                    // Decoding is best effort; the raw text is never lost.
                    value = raw;
                }

                list.Add(new MailHeaderField(list.Count, h.Field, value.Trim(), raw));
            }

            return list;
        }

        private void Run(bool judge = true)
        {
            // Each step reads what the ones before found; past the time budget the rest are
            // skipped, and the report says which (docs/limits.md).
            var steps = new (string Name, Action Step)[]
            {
                ("identities", ReadIdentities),
                ("hops", ReadHops),
                ("receiving organization", ReadReceivingOrganization),
                ("Authentication-Results", ReadAuthenticationResults),
                ("DKIM and ARC", ReadDkimAndArc),
                ("Microsoft 365 stamps", ReadStamps),
                ("summary", Summarize),
                ("findings", judge ? (Action)CheckFindings : () => { }),
            };
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < steps.Length; i++)
            {
                if (clock.Elapsed > _options.MaxAnalysisTime)
                {
                    Add(FindingCatalog.Header.LimitReached,
                        FormattableString.Invariant($"The analysis took longer than {_options.MaxAnalysisTime.TotalSeconds:0.#} s; these steps were skipped: {string.Join(", ", steps.Skip(i).Select(s => s.Name))} (docs/limits.md)."), null);
                    break;
                }

                steps[i].Step();
            }

            var ordered = _findings.ToList()
                .Select((f, i) => (f, i))
                .OrderByDescending(x => (int)x.f.SeverityCode)
                .ThenBy(x => x.i)
                .Select(x => x.f)
                .ToList();
            _report.Findings = ResultList.From(ordered);
            _report.FindingCount = ordered.Count;
            _report.TopFinding = ordered.Count > 0 ? ordered[0].Id + ": " + ordered[0].Message : null;
        }

        // ---- Identities ------------------------------------------------------------------------

        internal IEnumerable<MailHeaderField> All(string name) =>
            _fields.Where(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

        private string? First(string name) => All(name).FirstOrDefault()?.Value;

        private void ReadIdentities()
        {
            var froms = All("From").ToList();
            if (froms.Count > 0)
            {
                _report.From = froms[0].Value;
                ReadFromAddress(froms[0]);
            }

            if (froms.Count > 1)
            {
                // RFC 5322 §3.6: exactly one From; two let the display and the check disagree.
                Add(FindingCatalog.Header.MultipleFrom,
                    $"The message has {froms.Count} From header fields; clients and filters may each read a different one.",
                    string.Join(" | ", froms.Select(f => f.Value)));
            }
            else if (froms.Count == 0 && _fields.Count > 0)
            {
                Add(FindingCatalog.Header.NoFrom, "The message has no From header field.", null);
            }

            _report.SenderHeader = First("Sender");
            var replyTo = All("Reply-To").SelectMany(ParseMailboxes).Select(m => m.Address).ToList();
            _report.ReplyTo = replyTo.Count > 0 ? string.Join(", ", replyTo) : First("Reply-To");
            var returnPath = First("Return-Path");
            if (returnPath != null)
            {
                var rp = returnPath.Trim();
                var lt = rp.IndexOf('<');
                var gt = rp.IndexOf('>');
                _report.ReturnPath = lt >= 0 && gt > lt ? rp.Substring(lt + 1, gt - lt - 1).Trim() : rp;
            }

            _report.XSender = First("X-Sender")?.Trim().Trim('<', '>');
            var xoip = First("X-Originating-IP");
            if (xoip != null)
            {
                _report.XOriginatingIp = ClientAddress.TryParseTraceToken(xoip.Trim(), out var ip) ? ip!.ToString() : xoip.Trim();
            }

            var messageId = First("Message-ID");
            if (messageId != null)
            {
                _report.MessageId = messageId.Trim();
                var id = messageId.Trim().Trim('<', '>');
                var at = id.LastIndexOf('@');
                _report.MessageIdDomain = at >= 0 && at < id.Length - 1 ? id.Substring(at + 1).ToLowerInvariant() : null;
            }

            _report.To = First("To");
            _report.Cc = First("Cc");
            _report.Subject = First("Subject");
            var date = First("Date");
            if (date != null)
            {
                _report.DateText = date;
                if (MailDate.TryParse(date, out var d))
                {
                    _report.Date = d;
                }
                else
                {
                    Add(FindingCatalog.Header.DateUnreadable,
                        "The Date header cannot be read as an RFC 5322 §3.3 date.", date);
                }
            }
        }

        /// <summary>
        /// RFC 5322 §3.4 first: the address is read from the field as written, and RFC 2047 encoded
        /// words are decoded in the display name only after (RFC 2047 §5: an encoded word is never
        /// part of an addr-spec). Decoded text cannot supply the address: a display name that
        /// decodes to "Bank &lt;security@bank.example&gt;" leaves FromAddress the real one.
        /// </summary>
        private void ReadFromAddress(MailHeaderField from)
        {
            var mailbox = ParseMailboxes(from).FirstOrDefault();
            if (mailbox != null)
            {
                _report.FromDisplayName = string.IsNullOrEmpty(mailbox.Name) ? null : mailbox.Name;
                _report.FromAddress = mailbox.Address;
                _report.FromDomain = DomainOf(mailbox.Address);
                return;
            }

            // Not parseable: the address in the last angle brackets of the text as written, else
            // the first thing that looks like one.
            var raw = from.RawValue.Length > 0 ? from.RawValue : from.Value;
            var address = LastAngleAddress(raw) ?? Match(s_addressInText, raw);
            if (address != null)
            {
                _report.FromAddress = address;
                _report.FromDomain = DomainOf(address);
            }
        }

        private static string? LastAngleAddress(string text)
        {
            var gt = text.LastIndexOf('>');
            var lt = gt > 0 ? text.LastIndexOf('<', gt) : -1;
            if (lt < 0)
            {
                return null;
            }

            var inner = text.Substring(lt + 1, gt - lt - 1).Trim();
            return Match(s_addressInText, inner) is string m && m.Length == inner.Length ? m : null;
        }

        /// <summary>Mailboxes of an address field, parsed from the text as written (MimeKit decodes the display names).</summary>
        internal static List<MailboxAddress> ParseMailboxes(MailHeaderField field)
        {
            var raw = field.RawValue.Length > 0 ? field.RawValue : field.Value;
            var result = ParseMailboxes(raw);

            // An unquoted display name holding "@" ("a@example.com <b@example.org>", not RFC 5322 but
            // common) can make the parser take it for an address: the angle address is the mailbox.
            if (result.Count > 0 && LastAngleAddress(raw) is string angle
                && !result.Any(m => string.Equals(m.Address, angle, StringComparison.OrdinalIgnoreCase)))
            {
                var name = raw.Substring(0, raw.LastIndexOf('<')).Trim().Trim('"').Trim();
                string decoded;
                try
                {
                    decoded = MimeKit.Utils.Rfc2047.DecodeText(System.Text.Encoding.UTF8.GetBytes(name));
                }
                catch (Exception)
                {
                    decoded = name;
                }

                result = new List<MailboxAddress> { new MailboxAddress(decoded, angle) };
            }

            return result;
        }

        private static List<MailboxAddress> ParseMailboxes(string value)
        {
            var result = new List<MailboxAddress>();
            if (value.Length > 10000)
            {
                return result;
            }

            try
            {
                if (InternetAddressList.TryParse(ParserOptions.Default, value, out var list))
                {
                    foreach (var mb in list.Mailboxes)
                    {
                        result.Add(mb);
                    }
                }
            }
            catch (Exception)
            {
                // MimeKit's address parser is lenient; any surprise just means "no address".
            }

            return result;
        }

        internal static string? DomainOf(string? address)
        {
            if (string.IsNullOrEmpty(address))
            {
                return null;
            }

            var at = address!.LastIndexOf('@');
            var d = at >= 0 ? address.Substring(at + 1) : address;
            d = d.Trim().Trim('>', '<', '.').ToLowerInvariant();
            return d.Length == 0 || d.IndexOf('.') < 0 ? (d.Length == 0 ? null : d) : d;
        }

        internal static string? Match(Regex regex, string text)
        {
            try
            {
                var m = regex.Match(text.Length > 10000 ? text.Substring(0, 10000) : text);
                return m.Success ? m.Value : null;
            }
            catch (RegexMatchTimeoutException)
            {
                return null;
            }
        }

        internal string? OrgOf(string? domain)
        {
            if (string.IsNullOrWhiteSpace(domain))
            {
                return null;
            }

            try
            {
                return _org.GetOrganizationalDomain(domain!);
            }
            catch (Exception)
            {
                return domain!.ToLowerInvariant();
            }
        }

        // ---- Hops ------------------------------------------------------------------------------

        private void ReadHops()
        {
            var received = All("Received").ToList();
            if (received.Count > _options.MaxHops)
            {
                // RFC 5321 §6.3: MTAs treat about 100 Received fields as a mail loop.
                Add(FindingCatalog.Header.HopsCapped,
                    FormattableString.Invariant($"{received.Count:N0} Received fields; only the newest {_options.MaxHops:N0} were read as hops: more is a mail loop or a padded header (RFC 5321 §6.3, docs/limits.md)."),
                    null);
                received = received.Take(_options.MaxHops).ToList();
            }

            var hops = new List<MailHop>(received.Count);
            for (var i = received.Count - 1; i >= 0; i--)
            {
                var hop = ReceivedParser.Parse(received[i].Index, received[i].Value);
                hop.Number = hops.Count + 1;
                hops.Add(hop);
            }

            DateTimeOffset? previous = null;
            DateTimeOffset? first = null;
            DateTimeOffset? last = null;
            var unreadable = 0;
            foreach (var hop in hops)
            {
                if (hop.Timestamp == null)
                {
                    if (hop.TimestampText != null)
                    {
                        unreadable++;
                    }

                    continue;
                }

                var ts = hop.Timestamp.Value;
                if (previous != null)
                {
                    var delay = (ts - previous.Value).TotalSeconds;
                    hop.DelaySeconds = delay;
                    if (delay < 0)
                    {
                        hop.ClockSkew = true;
                        var severity = delay < -300 ? FindingSeverity.Warning : FindingSeverity.Information;
                        Add(FindingCatalog.Header.HopClockSkew, severity,
                            $"Hop {hop.Number} is stamped {-delay:0} s before the hop it follows: clocks disagree, or a Received field is forged.",
                            hop.Raw);
                    }
                    else if (delay >= _options.LargeDelayThreshold.TotalSeconds)
                    {
                        Add(FindingCatalog.Header.HopDelay,
                            $"Hop {hop.Number} took {TimeSpan.FromSeconds(delay)} after the previous hop.", hop.Raw);
                    }
                }

                previous = ts;
                first ??= ts;
                last = ts;
            }

            if (unreadable > 0)
            {
                Add(FindingCatalog.Header.HopDateUnreadable,
                    $"{unreadable} Received field(s) carry a date that cannot be read.", null);
            }

            _report.Hops = ResultList.From(hops);
            _report.HopCount = hops.Count;
            if (first != null && last != null && hops.Count(h => h.Timestamp != null) > 1)
            {
                _report.TotalDelay = (last.Value - first.Value).TotalSeconds;
            }
        }

        // ---- Receiving organization, edge hop ---------------------------------------------------

        private HashSet<string> _receiving = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        internal bool InReceivingOrg(string? host)
        {
            if (string.IsNullOrEmpty(host) || ClientAddress.TryParseTraceToken(host, out _))
            {
                return false;
            }

            var org = OrgOf(host);
            return org != null && _receiving.Contains(org);
        }

        private void ReadReceivingOrganization()
        {
            var explicitReceiving = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var d in _options.ReceivingDomains ?? Array.Empty<string>())
            {
                if (OrgOf(d) is string o)
                {
                    _receiving.Add(o);
                    explicitReceiving.Add(o);
                }
            }

            var hops = _report.Hops;

            // The newest hop's "by" host is, by construction, the receiving organization (RFC 5321 §4.4:
            // each receiver prepends its own Received field); a reader's POP3/IMAP retrieval and hosts
            // without a domain name above it say nothing about the organization.
            // A receiver that names itself without a domain ("by p42-mailgateway-smtp-...", iCloud)
            // but took the message from a public client is the organization's own edge: the hops
            // below it are the sender's, and the recipient it wrote in "for" names the organization.
            var domainless = EdgeFinder.DomainlessInternetReceiver(hops);
            var recipientOrg = domainless != null ? OrgOf(DomainOf(domainless.For)) : null;
            var top = EdgeFinder.ReceiverHop(hops);
            if (recipientOrg != null)
            {
                _receiving.Add(recipientOrg);
            }
            else if (top != null && OrgOf(top.ByHost) is string topOrg)
            {
                _receiving.Add(topOrg);
            }

            // A provider domain, inferred or given (a hybrid organization passes outlook.com),
            // brings its whole family.
            foreach (var family in new[] { s_microsoftDomains, s_googleDomains }.Concat(s_providerFamilies))
            {
                if (_receiving.Overlaps(family))
                {
                    _receiving.UnionWith(family);
                    if (explicitReceiving.Overlaps(family))
                    {
                        explicitReceiving.UnionWith(family);
                    }
                }
            }

            _microsoftReceiver = _receiving.Overlaps(s_microsoftDomains);

            var senderOrgs = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var d in new[] { _report.FromDomain, DomainOf(_report.ReturnPath) })
            {
                if (OrgOf(d) is string o)
                {
                    senderOrgs.Add(o);
                }
            }

            var finder = new EdgeFinder(hops, OrgOf, _receiving, explicitReceiving, senderOrgs, CheckedAddresses());
            finder.Find();
            _gatewayHop = finder.GatewayHop;
            _gatewayName = finder.GatewayName;
            _report.ReceivingDomains = ResultList.From(_receiving.OrderBy(x => x, StringComparer.Ordinal).ToList());

            var edge = finder.Edge;
            if (edge != null)
            {
                _report.EdgeHop = edge;
                _report.ClientIP = edge.FromIp;
                _report.Helo = edge.Helo;

                // A private client at a hop that came from outside means the chain below is not
                // what it claims; a message that started inside the organization (every hop
                // internal) naturally has a private or loopback origin.
                if (edge.InternalReason == null && edge.FromIp != null && ClientAddress.TryParse(edge.FromIp, out var address)
                    && ClientAddress.SpecialRange(address!) is string range)
                {
                    Add(FindingCatalog.Header.EdgePrivateIp,
                        $"The client at the edge hop, {edge.FromIp}, is a {range} address: the receiving organization cannot have been reached from it over the Internet, so the chain below is unreliable or the edge was misidentified.",
                        edge.Raw);
                }
            }
        }

        // "sender IP is 192.0.2.1" (Microsoft), "designates 192.0.2.1 as" (Google, pyspf),
        // "192.0.2.1 is neither permitted" (Google's best guess).
        private static readonly Regex s_checkedIpInComment = new Regex(
            @"(?:sender\s+ip\s+is\s+|designates\s+|^\s*[^:]*:\s*)(?<ip>[0-9A-Fa-f:.]{7,45})(?=\s|$|\))",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromMilliseconds(200));

        /// <summary>The client addresses receivers' results name, read before the edge is known (a gateway is judged by them).</summary>
        private List<CheckedAddress> CheckedAddresses()
        {
            var list = new List<CheckedAddress>();
            foreach (var f in _fields)
            {
                if (string.Equals(f.Name, "Authentication-Results", StringComparison.OrdinalIgnoreCase))
                {
                    foreach (var spf in AuthenticationResultsParser.Parse(f.Name, f.Index, f.Value).Get("spf"))
                    {
                        var ip = spf.GetProperty("smtp.client-ip") ?? spf.GetProperty("smtp.remote-ip");
                        if (ip == null && spf.Comment != null && SafeMatch(s_checkedIpInComment, spf.Comment) is Match m && m.Success)
                        {
                            ip = m.Groups["ip"].Value;
                        }

                        if (ip != null && ClientAddress.TryParseTraceToken(ip, out var address))
                        {
                            list.Add(new CheckedAddress(f.Index, address!.ToString(), spf.Result));
                        }
                    }
                }
                else if (string.Equals(f.Name, "Received-SPF", StringComparison.OrdinalIgnoreCase))
                {
                    var r = ReceivedSpfHeader.Parse(f.Index, f.Value);
                    if (r.ClientIp != null && ClientAddress.TryParseTraceToken(r.ClientIp, out var address)
                        && !string.Equals(r.Get("identity"), "helo", StringComparison.OrdinalIgnoreCase))
                    {
                        list.Add(new CheckedAddress(f.Index, address!.ToString(), r.Result));
                    }
                }
                else if (string.Equals(f.Name, "X-Forefront-Antispam-Report", StringComparison.OrdinalIgnoreCase))
                {
                    var cip = f.Value.Split(';').Select(p => p.Trim())
                        .FirstOrDefault(p => p.StartsWith("CIP:", StringComparison.OrdinalIgnoreCase));
                    // Microsoft 365 writes this field among the message's own fields, below the
                    // edge; it names the address Microsoft judged wherever it sits (-1: above all).
                    if (cip != null && ClientAddress.TryParseTraceToken(cip.Substring(4), out var address))
                    {
                        list.Add(new CheckedAddress(-1, address!.ToString(), null));
                    }
                }
            }

            return list;
        }

        private MailHop? _gatewayHop;
        private string? _gatewayName;

        // ---- Authentication-Results ---------------------------------------------------------------

        private readonly List<AuthenticationResultsHeader> _trusted = new List<AuthenticationResultsHeader>();

        // Fields the sender writes: below the edge hop's Received field, the first of these ends
        // what the edge receiver added there (Gmail's results, milters' fields).
        private static readonly HashSet<string> s_originatorFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "In-Reply-To",
            "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "DKIM-Signature",
            "X-Google-DKIM-Signature", "X-Mailer", "User-Agent", "Received",
        };

        private void ReadAuthenticationResults()
        {
            var all = new List<AuthenticationResultsHeader>();
            var explicitIds = (_options.TrustedAuthServIds ?? Array.Empty<string>())
                .Where(x => !string.IsNullOrWhiteSpace(x)).ToList();
            var edge = _report.EdgeHop;
            var trustedIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

            foreach (var f in _fields)
            {
                var isAr = string.Equals(f.Name, "Authentication-Results", StringComparison.OrdinalIgnoreCase);
                var isArc = string.Equals(f.Name, "ARC-Authentication-Results", StringComparison.OrdinalIgnoreCase);
                var isOriginal = string.Equals(f.Name, "Authentication-Results-Original", StringComparison.OrdinalIgnoreCase);
                if (!isAr && !isArc && !isOriginal)
                {
                    continue;
                }

                var header = AuthenticationResultsParser.Parse(f.Name, f.Index, f.Value);
                all.Add(header);
                if (!isAr)
                {
                    header.TrustReason = isArc
                        ? ArcTrustReason(header)
                        : "A copy of an earlier receiver's results (Microsoft 365 keeps the results of the hop before it here).";
                    continue;
                }

                if (explicitIds.Count > 0)
                {
                    var match = header.AuthServId != null
                        && explicitIds.Any(x => string.Equals(x, header.AuthServId, StringComparison.OrdinalIgnoreCase));
                    header.IsTrusted = match;
                    header.TrustReason = match
                        ? "authserv-id is in TrustedAuthServIds."
                        : "authserv-id is not in TrustedAuthServIds.";
                }
                else if (edge == null)
                {
                    header.TrustReason = "No Received chain to tell the receiving organization; give TrustedAuthServIds.";
                }
                else if (!InReceiverZone(f.Index))
                {
                    // RFC 8601 §5: results added before the message entered the organization may be forged.
                    header.TrustReason = "It sits below the edge hop's trace fields: it was in the message before the receiving organization got it.";
                }
                else if (header.AuthServId == null)
                {
                    header.IsTrusted = _microsoftReceiver;
                    header.TrustReason = _microsoftReceiver
                        ? "No authserv-id (RFC 8601 §2.2 requires one; Microsoft 365 leaves it out); believed as Microsoft 365's own because it sits above the edge hop of a Microsoft 365 receiver."
                        : "No authserv-id, and the receiver is not Microsoft 365, the one receiver known to leave it out.";
                }
                else if (InReceivingOrg(header.AuthServId) || IsInternalHostName(header.AuthServId))
                {
                    header.IsTrusted = true;
                    header.TrustReason = "authserv-id belongs to the receiving organization and the field was added at or after the edge hop.";
                }
                else
                {
                    header.TrustReason = "authserv-id is not in the receiving organization's domains.";
                }

                if (header.IsTrusted)
                {
                    _trusted.Add(header);
                    trustedIds.Add(header.AuthServId ?? "(no authserv-id)");
                }
            }

            // RFC 8601 §2.5: one authserv-id names one receiver. Fields with a trusted id that the
            // receiver's milters wrote each on their own (OpenDKIM, OpenDMARC, policyd-spf) are
            // merged; the receiver's results are read nearest the edge first, so an internal hop's
            // re-check of its own relay does not hide what the edge saw.
            _trusted.Sort((a, b) => EdgeDistance(a.HeaderIndex).CompareTo(EdgeDistance(b.HeaderIndex)));

            _report.AuthenticationResults = ResultList.From(all);
            _report.TrustedAuthServIds = ResultList.From(explicitIds.Count > 0 ? explicitIds : trustedIds.ToList());

            var spfHeaders = All("Received-SPF").Select(f => ReceivedSpfHeader.Parse(f.Index, f.Value)).ToList();
            _report.ReceivedSpf = ResultList.From(spfHeaders);
        }

        /// <summary>Below the edge Received field first (what the edge receiver wrote there), then upwards.</summary>
        private int EdgeDistance(int index)
        {
            var edge = _report.EdgeHop;
            if (edge == null)
            {
                return index;
            }

            return index > edge.HeaderIndex ? index - edge.HeaderIndex : _fields.Count + (edge.HeaderIndex - index);
        }

        private static string ArcTrustReason(AuthenticationResultsHeader header)
        {
            var reason = "ARC-Authentication-Results record what an intermediary saw; believe them only through a validated ARC chain.";
            if (string.Equals(header.AuthServId, "mx.microsoft.com", StringComparison.OrdinalIgnoreCase))
            {
                reason += " \"mx.microsoft.com 1\" is Microsoft 365's authserv-id and version (RFC 8601 §2.2): Microsoft seals mail it relays, and set i="
                    + (header.ArcInstance?.ToString(CultureInfo.InvariantCulture) ?? "?")
                    + " records what that Microsoft 365 hop saw, often a tenant's own submission (results none).";
            }

            return reason;
        }

        /// <summary>A name the receiving organization's internal hops go by (an authserv-id like "mail" or "mx1.internal").</summary>
        internal bool IsInternalHostName(string? name)
        {
            if (string.IsNullOrEmpty(name) || EdgeFinder.IsLocalName(name))
            {
                return false;
            }

            foreach (var hop in _report.Hops.Where(h => h.IsInternal || h.IsEdge))
            {
                var by = hop.ByHost;
                if (by == null)
                {
                    continue;
                }

                var first = by.Split('.')[0];
                if (string.Equals(by.TrimEnd('.'), name, StringComparison.OrdinalIgnoreCase)
                    || (name!.IndexOf('.') < 0 && string.Equals(first, name, StringComparison.OrdinalIgnoreCase)))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Fields the receiving organization added: everything above the edge Received field, plus
        /// what the edge receiver wrote directly below it, up to the next Received field or the
        /// first field the sender writes (Gmail puts its results under its own Received field;
        /// Postfix milters put theirs there, between DKIM-Filter, DMARC-Filter, X-Virus-Scanned,
        /// ARC and spam-score fields).
        /// </summary>
        internal bool InReceiverZone(int index)
        {
            var edge = _report.EdgeHop;
            if (edge == null)
            {
                return false;
            }

            if (index < edge.HeaderIndex || (TrailingFilterRunStart() is int start && index >= start))
            {
                return true;
            }

            if (index == edge.HeaderIndex)
            {
                return false;
            }

            for (var j = edge.HeaderIndex + 1; j <= index && j < _fields.Count; j++)
            {
                if (s_originatorFields.Contains(_fields[j].Name))
                {
                    return false;
                }
            }

            return true;
        }

        private int? _trailingStart;
        private bool _trailingRead;

        /// <summary>
        /// A milter that appends its fields (rspamd's milter_headers adds Authentication-Results,
        /// X-Spamd-Result and X-Rspamd-Queue-Id at the end of the header) leaves the receiver's
        /// results below the sender's own fields: a run at the very end of the header made only of
        /// such fields, with at least one spam filter's own stamp in it, is the receiver's too.
        /// </summary>
        private int? TrailingFilterRunStart()
        {
            if (_trailingRead)
            {
                return _trailingStart;
            }

            _trailingRead = true;
            var start = _fields.Count;
            var stamped = false;
            for (var i = _fields.Count - 1; i >= 0; i--)
            {
                var name = _fields[i].Name;
                var filterStamp = name.StartsWith("X-Rspamd-", StringComparison.OrdinalIgnoreCase)
                    || name.StartsWith("X-Spamd-", StringComparison.OrdinalIgnoreCase)
                    || name.StartsWith("X-Spam-", StringComparison.OrdinalIgnoreCase);
                var trailing = filterStamp
                    || string.Equals(name, "Authentication-Results", StringComparison.OrdinalIgnoreCase)
                    || name.StartsWith("ARC-", StringComparison.OrdinalIgnoreCase)
                    || name.StartsWith("X-Virus-", StringComparison.OrdinalIgnoreCase);
                if (!trailing)
                {
                    break;
                }

                stamped |= filterStamp;
                start = i;
            }

            _trailingStart = stamped && start < _fields.Count ? start : (int?)null;
            return _trailingStart;
        }

        internal IEnumerable<AuthenticationMethodResult> TrustedResults(string method) =>
            _trusted.SelectMany(h => h.Get(method));

        // ---- DKIM-Signature, ARC -----------------------------------------------------------------

        private void ReadDkimAndArc()
        {
            var fromOrg = OrgOf(_report.FromDomain);
            var signatures = new List<DkimSignatureInfo>();
            foreach (var f in All("DKIM-Signature"))
            {
                var sig = new DkimSignatureInfo(f.Index, TagList.Parse(f.Value), f.Value);
                if (fromOrg != null && sig.Domain != null)
                {
                    sig.AlignedWithFrom = string.Equals(OrgOf(sig.Domain), fromOrg, StringComparison.OrdinalIgnoreCase);
                }

                signatures.Add(sig);
                if (sig.BodyLength != null)
                {
                    Add(FindingCatalog.Header.DkimBodyLength,
                        $"The DKIM signature of {sig.Domain} covers only the first {sig.BodyLength} bytes of the body (l=): text appended later still verifies (RFC 6376 §8.2).",
                        f.Value);
                }
            }

            _report.DkimSignatures = ResultList.From(signatures);

            var seals = new Dictionary<int, IReadOnlyDictionary<string, string>>();
            var sigs = new Dictionary<int, IReadOnlyDictionary<string, string>>();
            var aars = new Dictionary<int, AuthenticationResultsHeader>();
            foreach (var f in _fields)
            {
                if (string.Equals(f.Name, "ARC-Seal", StringComparison.OrdinalIgnoreCase))
                {
                    var tags = TagList.Parse(f.Value);
                    if (Instance(tags) is int i && !seals.ContainsKey(i))
                    {
                        seals[i] = tags;
                    }
                }
                else if (string.Equals(f.Name, "ARC-Message-Signature", StringComparison.OrdinalIgnoreCase))
                {
                    var tags = TagList.Parse(f.Value);
                    if (Instance(tags) is int i && !sigs.ContainsKey(i))
                    {
                        sigs[i] = tags;
                    }
                }
            }

            foreach (var h in _report.AuthenticationResults)
            {
                if (h.ArcInstance is int i && !aars.ContainsKey(i))
                {
                    aars[i] = h;
                }
            }

            var instances = seals.Keys.Concat(sigs.Keys).Concat(aars.Keys).Distinct().OrderBy(i => i).ToList();
            var sets = new List<ArcSet>();
            foreach (var i in instances)
            {
                seals.TryGetValue(i, out var seal);
                sigs.TryGetValue(i, out var ams);
                aars.TryGetValue(i, out var aar);
                var set = new ArcSet(i, seal, ams, aar);
                sets.Add(set);
                if (!set.IsComplete)
                {
                    Add(FindingCatalog.Header.ArcIncomplete,
                        $"ARC set i={i} lacks one of ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results (RFC 8617 §4.1).",
                        null);
                }
            }

            _report.ArcSets = ResultList.From(sets);
            var newest = sets.LastOrDefault();
            if (newest != null && string.Equals(newest.ChainValidation, "fail", StringComparison.OrdinalIgnoreCase))
            {
                Add(FindingCatalog.Header.ArcChainFail,
                    $"The newest ARC-Seal (i={newest.Instance}, d={newest.SealDomain}) says the chain it received was broken (cv=fail).",
                    null);
            }
        }

        private static int? Instance(IReadOnlyDictionary<string, string> tags) =>
            tags.TryGetValue("i", out var v) && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : (int?)null;

        // ---- Stamps ------------------------------------------------------------------------------

        private void ReadStamps()
        {
            var stamps = new List<MailHeaderStamp>();
            foreach (var f in _fields)
            {
                var name = f.Name;
                if (string.Equals(name, "X-Forefront-Antispam-Report", StringComparison.OrdinalIgnoreCase)
                    || string.Equals(name, "X-Forefront-Antispam-Report-Untrusted", StringComparison.OrdinalIgnoreCase))
                {
                    stamps.AddRange(MicrosoftStamps.DecodeForefront(name, f.Value));
                }
                else if (string.Equals(name, "X-Microsoft-Antispam", StringComparison.OrdinalIgnoreCase)
                    || string.Equals(name, "X-Microsoft-Antispam-Untrusted", StringComparison.OrdinalIgnoreCase))
                {
                    stamps.AddRange(MicrosoftStamps.DecodeAntispam(name, f.Value));
                }
                else if (string.Equals(name, "X-Microsoft-Antispam-Mailbox-Delivery", StringComparison.OrdinalIgnoreCase))
                {
                    stamps.AddRange(MicrosoftStamps.DecodeMailboxDelivery(name, f.Value));
                }
                else if (MicrosoftStamps.DecodeOrganizationHeader(name, f.Value) is MailHeaderStamp s)
                {
                    stamps.Add(s);
                }
            }

            foreach (var h in _report.AuthenticationResults.Where(x => x.HeaderName.Equals("Authentication-Results", StringComparison.OrdinalIgnoreCase)))
            {
                foreach (var compauth in h.Get("compauth"))
                {
                    stamps.AddRange(MicrosoftStamps.DecodeCompAuth(h.HeaderName, compauth));
                }

                // action= and bestguesspass are Microsoft's; only decode them where compauth says it is Microsoft.
                if (h.Get("compauth").Any())
                {
                    foreach (var dmarc in h.Get("dmarc"))
                    {
                        stamps.AddRange(MicrosoftStamps.DecodeDmarc(h.HeaderName, dmarc));
                    }
                }
            }

            _report.Stamps = ResultList.From(stamps);

            // The organization header is written by the receiving Exchange itself; prefer it.
            var orgScl = stamps.FirstOrDefault(s => s.Header.Equals("X-MS-Exchange-Organization-SCL", StringComparison.OrdinalIgnoreCase));
            var ffScl = stamps.FirstOrDefault(s => s.Header.Equals("X-Forefront-Antispam-Report", StringComparison.OrdinalIgnoreCase)
                && s.Field.Equals("SCL", StringComparison.OrdinalIgnoreCase));
            _report.Scl = ParseInt((orgScl ?? ffScl)?.Value);
            _report.Bcl = ParseInt(stamps.FirstOrDefault(s => s.Header.Equals("X-Microsoft-Antispam", StringComparison.OrdinalIgnoreCase)
                && s.Field.Equals("BCL", StringComparison.OrdinalIgnoreCase))?.Value);
        }

        private static int? ParseInt(string? text) =>
            text != null && int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                ? n
                : (int?)null;

        // ---- Summary -------------------------------------------------------------------------------

        private ReceivedSpfHeader? _trustedReceivedSpf;
        private AuthenticationMethodResult? _spfResult;

        private void Summarize()
        {
            // The MAIL FROM check is what DMARC and the envelope sender are about (RFC 7208 §2.4);
            // a receiver that also checked the HELO identity records it beside (smtp.helo).
            var spfResults = TrustedResults("spf").ToList();
            var spf = spfResults.FirstOrDefault(r => r.GetProperty("smtp.mailfrom") != null) ?? spfResults.FirstOrDefault();
            _spfResult = spf;
            var edge = _report.EdgeHop;
            var zoneSpf = edge == null
                ? new List<ReceivedSpfHeader>()
                : _report.ReceivedSpf.Where(r => InReceiverZone(r.HeaderIndex) && ReceivedSpfByReceiver(r)).ToList();
            _trustedReceivedSpf = zoneSpf.FirstOrDefault(r => !string.Equals(r.Get("identity"), "helo", StringComparison.OrdinalIgnoreCase))
                ?? zoneSpf.FirstOrDefault();
            _report.Spf = spf?.Result ?? _trustedReceivedSpf?.Result;

            var dkim = TrustedResults("dkim").ToList();
            if (dkim.Count > 0)
            {
                _report.Dkim = dkim.Any(d => d.Result == "pass") ? "pass" : dkim[0].Result;
                _report.DkimResults = dkim
                    // M365 writes "dkim=none (message not signed) header.d=none": no DKIM domain.
                    .Select(d => (Domain: DkimDomain(d), d.Result, Selector: d.GetProperty("header.s")))
                    .Where(d => !string.IsNullOrEmpty(d.Domain))
                    .Select(d => new RecordedDkimResult(d.Domain!, d.Result, d.Selector))
                    .ToResultList();
            }

            var dmarc = TrustedResults("dmarc").FirstOrDefault();
            _report.Dmarc = dmarc?.Result;
            if (dmarc != null)
            {
                _report.DmarcPolicy = DmarcPolicyOf(dmarc) ?? ICloudDmarcPolicy();
                _report.DmarcAction = DmarcActionOf(dmarc);
            }

            _report.Arc = TrustedResults("arc").FirstOrDefault()?.Result;
            var compauth = TrustedResults("compauth").FirstOrDefault();
            if (compauth != null)
            {
                _report.CompAuth = compauth.Result;
                _report.CompAuthReason = compauth.Reason;
            }

            ReadEnvelopeSender(spf);
        }

        /// <summary>A Received-SPF field names its receiver (RFC 7208 §9.1); one that names another organization is not ours.</summary>
        private bool ReceivedSpfByReceiver(ReceivedSpfHeader r)
        {
            // RFC 7208 §9.1: the comment starts with the receiver's domain ("google.com: domain of ...").
            var receiver = r.Receiver;
            if (receiver == null && r.Comment != null)
            {
                var colon = r.Comment.IndexOf(':');
                var head = colon > 0 ? r.Comment.Substring(0, colon).Trim() : null;
                if (head != null && head.IndexOf('.') > 0 && head.IndexOf(' ') < 0)
                {
                    receiver = head;
                }
            }

            if (string.IsNullOrWhiteSpace(receiver) || receiver!.IndexOf('.') < 0 || receiver.StartsWith("<", StringComparison.Ordinal))
            {
                return true;
            }

            return InReceivingOrg(receiver) || IsInternalHostName(receiver)
                || _trusted.Any(t => string.Equals(t.AuthServId, receiver, StringComparison.OrdinalIgnoreCase));
        }

        // DMARC's p= as receivers record it: OpenDMARC and Google "(p=reject dis=none)", Microsoft
        // "(p=reject sp=reject pct=100)", Yahoo "(p=reject)", rspamd "(policy=reject)", and the
        // policy.* properties of RFC 8601 §2.7 registrations (policy.published-domain-policy).
        private static readonly Regex s_policyInComment = new Regex(
            @"(?:^|[\s(;,])(?:p|policy)\s*=\s*(?<p>[A-Za-z]+)", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));

        private static readonly Regex s_dispositionInComment = new Regex(
            @"(?:^|[\s(;,])dis\s*=\s*(?<d>[A-Za-z]+)", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));

        private static string? DmarcPolicyOf(AuthenticationMethodResult dmarc)
        {
            var p = dmarc.GetProperty("policy.published-domain-policy") ?? dmarc.GetProperty("policy.dmarc");
            if (p == null && dmarc.Comment != null)
            {
                var m = SafeMatch(s_policyInComment, dmarc.Comment);
                p = m != null && m.Success ? m.Groups["p"].Value : null;
            }

            return string.IsNullOrWhiteSpace(p) ? null : p!.Trim().ToLowerInvariant();
        }

        // Microsoft's action= (what Microsoft 365 did with the DMARC result), else the disposition the
        // receiver applied: OpenDMARC and Google "dis=", policy.applied-disposition.
        private static readonly Regex s_icloudDmarcPolicy = new Regex(
            @"(?:^|;)\s*dmarc-policy\s*=\s*(?<p>[A-Za-z]+)", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));

        /// <summary>
        /// iCloud records the policy beside its "dmarc.icloud.com" result, in X-DMARC-Info
        /// ("pass=pass; dmarc-policy=quarantine; ..."); believed only when iCloud is the trusted receiver.
        /// </summary>
        private string? ICloudDmarcPolicy()
        {
            var dmarc = TrustedResults("dmarc").FirstOrDefault();
            var receiver = dmarc == null ? null : _trusted.FirstOrDefault(t => t.Results.Contains(dmarc))?.AuthServId;
            if (!string.Equals(OrgOf(receiver), "icloud.com", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            var field = All("X-DMARC-Info").FirstOrDefault(f => InReceiverZone(f.Index));
            var m = field != null ? SafeMatch(s_icloudDmarcPolicy, field.Value) : null;
            return m != null && m.Success ? m.Groups["p"].Value.ToLowerInvariant() : null;
        }

        private static string? DmarcActionOf(AuthenticationMethodResult dmarc)
        {
            var a = dmarc.GetProperty("action") ?? dmarc.GetProperty("policy.applied-disposition");
            if (a == null && dmarc.Comment != null)
            {
                var m = SafeMatch(s_dispositionInComment, dmarc.Comment);
                a = m != null && m.Success ? m.Groups["d"].Value : null;
            }

            return string.IsNullOrWhiteSpace(a) ? null : a!.Trim().ToLowerInvariant();
        }

        internal static Match? SafeMatch(Regex regex, string text)
        {
            try
            {
                return regex.Match(text.Length > 2000 ? text.Substring(0, 2000) : text);
            }
            catch (RegexMatchTimeoutException)
            {
                return null;
            }
        }

        /// <summary>
        /// The RFC 5321 MAIL FROM: the address the trusted receiver recorded (smtp.mailfrom with a
        /// local-part, Received-SPF envelope-from), the edge hop's "(envelope-from ...)" comment, the
        /// Return-Path the final delivery wrote (RFC 5321 §4.4). Microsoft 365 records only the
        /// domain (RFC 8601 §2.7.2 allows it); an address of that domain replaces it, an address of
        /// another domain does not (the receiver's domain is what SPF and DMARC used).
        /// An empty reverse-path (a bounce, RFC 5321 §4.5.5) is "".
        /// </summary>
        private void ReadEnvelopeSender(AuthenticationMethodResult? spf)
        {
            var mailFrom = Unquote(spf?.GetProperty("smtp.mailfrom"));
            var spfEnvelope = _trustedReceivedSpf != null && !string.Equals(_trustedReceivedSpf.Get("identity"), "helo", StringComparison.OrdinalIgnoreCase)
                ? Unquote(_trustedReceivedSpf.EnvelopeFrom)
                : null;
            var edgeEnvelope = Unquote(_report.EdgeHop?.EnvelopeFrom);
            var returnPath = _report.ReturnPath;

            var candidates = new List<(string Value, string Source)>();
            void Consider(string? value, string source)
            {
                if (value != null)
                {
                    candidates.Add((value, source));
                }
            }

            Consider(mailFrom, "smtp.mailfrom");
            Consider(spfEnvelope, "Received-SPF");
            Consider(edgeEnvelope, "Received envelope-from");
            Consider(returnPath, "Return-Path");

            // The domain the trusted receiver checked, when it recorded one.
            var checkedDomain = mailFrom != null && mailFrom.Length > 0 ? DomainOf(mailFrom)
                : spfEnvelope != null && spfEnvelope.Length > 0 ? DomainOf(spfEnvelope) : null;

            var address = candidates.FirstOrDefault(c => c.Value.IndexOf('@') > 0
                && (checkedDomain == null || string.Equals(DomainOf(c.Value), checkedDomain, StringComparison.OrdinalIgnoreCase)));
            if (address.Value != null)
            {
                _report.EnvelopeSender = address.Value;
                _report.EnvelopeSenderSource = address.Source;
                if (mailFrom != null && mailFrom.IndexOf('@') < 0 && address.Source != "smtp.mailfrom")
                {
                    _report.EnvelopeSenderSource = "smtp.mailfrom and " + address.Source;
                }
            }
            else if (checkedDomain != null)
            {
                _report.EnvelopeSender = mailFrom != null && mailFrom.Length > 0 ? mailFrom : spfEnvelope;
                _report.EnvelopeSenderSource = mailFrom != null && mailFrom.Length > 0 ? "smtp.mailfrom" : "Received-SPF";
            }
            else if (candidates.FirstOrDefault(c => c.Value.Length == 0).Value != null || NullReversePathRecorded(spf))
            {
                // A bounce: MAIL FROM:<> (RFC 5321 §4.5.5); SPF then checks the HELO (RFC 7208 §2.4).
                var empty = candidates.FirstOrDefault(c => c.Value.Length == 0);
                _report.EnvelopeSender = "";
                _report.EnvelopeSenderSource = empty.Source ?? "smtp.helo";
            }
            else if (candidates.Count > 0)
            {
                _report.EnvelopeSender = candidates[0].Value;
                _report.EnvelopeSenderSource = candidates[0].Source;
            }

            _report.EnvelopeDomain = string.IsNullOrEmpty(_report.EnvelopeSender) ? null : DomainOf(_report.EnvelopeSender);
        }

        // A receiver that checked SPF for a bounce records only smtp.helo (Microsoft 365, Gmail).
        private static bool NullReversePathRecorded(AuthenticationMethodResult? spf) =>
            spf != null && spf.GetProperty("smtp.mailfrom") == null && spf.GetProperty("smtp.helo") != null;

        private static string? Unquote(string? value)
        {
            if (value == null)
            {
                return null;
            }

            var v = value.Trim().Trim('"').Trim();
            if (v.StartsWith("<", StringComparison.Ordinal) && v.EndsWith(">", StringComparison.Ordinal))
            {
                v = v.Substring(1, v.Length - 2).Trim();
            }

            return v;
        }

        // ---- Findings ------------------------------------------------------------------------------

        /// <summary>
        /// The judgement: the facts read above, then every rule of <see cref="HeaderRules.All"/> in
        /// order (one class per finding, Headers/Rules). Input and parse findings (limits, several
        /// From fields, unreadable dates, hops, ARC sets) are raised while the facts are read.
        /// </summary>
        private void CheckFindings()
        {
            var facts = new MailHeaderFacts(this);
            foreach (IHeaderRule rule in HeaderRules.All)
            {
                foreach (Finding finding in rule.Check(facts))
                {
                    _findings.Add(finding);
                }
            }
        }

        /// <summary>
        /// The facts of one message's header text without the rules' judgement (for the rules' own
        /// tests): identities, hops, edge, results, DKIM/ARC, stamps and summary, as Build reads them.
        /// </summary>
        internal static MailHeaderFacts ReadFacts(string headerText, MailHeaderOptions options)
        {
            var lines = headerText.Replace("\r\n", "\n").Split('\n').ToList();
            var normalized = HeaderTextNormalizer.Normalize(lines) ?? throw new ArgumentException("No header fields in the text.", nameof(headerText));
            var b = new MailHeaderReportBuilder(options);
            b._fields = MailHeaderAnalyzer.ParseFields(normalized.HeaderText, options);
            b._report.Headers = ResultList.From(b._fields);
            b.Run(judge: false);
            return new MailHeaderFacts(b);
        }

        // What the facts object reads (Headers/Rules/MailHeaderFacts.cs).
        internal MailHeaderReport Report => _report;

        internal MailHeaderOptions Options => _options;

        internal IReadOnlyList<MailHeaderField> Fields => _fields;

        internal IReadOnlyList<AuthenticationResultsHeader> Trusted => _trusted;

        internal bool MicrosoftReceiver => _microsoftReceiver;

        internal MailHop? GatewayHop => _gatewayHop;

        internal string? GatewayName => _gatewayName;

        internal AuthenticationMethodResult? SpfResult => _spfResult;

        internal static string? DkimDomain(AuthenticationMethodResult d)
        {
            var domain = d.GetProperty("header.d");
            if (!string.IsNullOrEmpty(domain) && !string.Equals(domain, "none", StringComparison.OrdinalIgnoreCase))
            {
                return domain!.ToLowerInvariant();
            }

            var i = d.GetProperty("header.i");
            return i != null ? DomainOf(i) : null;
        }

        internal static string Describe(AuthenticationMethodResult r) =>
            r.Method + "=" + r.Result + (r.Reason != null ? " reason=" + r.Reason : "")
            + (r.PropertyList.Count > 0 ? " " + r.Properties : "");

        private void Add(FindingDefinition definition, string message, string? subject) =>
            _findings.Add(new Finding(definition, message, subject));

        // A finding milder than its definition in a context its docs name (docs/findings.md).
        private void Add(FindingDefinition definition, FindingSeverity severity, string message, string? subject) =>
            _findings.Add(new Finding(definition, severity, message, subject));
    }
}
