using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.RegularExpressions;
using MimeKit;
using MimeKit.Utils;

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

        private static readonly Regex s_addressInText = new Regex(
            @"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",
            RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));

        private const int MaxFindingsPerId = 10;

        private readonly MailHeaderOptions _options;
        private readonly IOrganizationalDomainProvider _org;
        private readonly List<Finding> _findings = new List<Finding>();
        private readonly MailHeaderReport _report = new MailHeaderReport();
        private List<MailHeaderField> _fields = new List<MailHeaderField>();
        private bool _microsoftReceiver;

        private MailHeaderReportBuilder(MailHeaderOptions options)
        {
            _options = options;
            _org = options.OrgDomains;
        }

        public static MailHeaderReport Build(IReadOnlyList<MailHeaderField> fields, MailHeaderOptions options,
            string? source, int messageNumber, bool hasBody, IReadOnlyList<string> notes, bool truncated)
        {
            var b = new MailHeaderReportBuilder(options);
            b._fields = fields.ToList();
            b._report.Source = source;
            b._report.MessageNumber = messageNumber;
            b._report.HasBody = hasBody;
            b._report.InputNotes = ResultList.From(notes);
            b._report.Headers = ResultList.From(fields);
            if (truncated)
            {
                b.Add(HeaderFindingIds.InputTruncated, FindingSeverity.Warning,
                    $"The message is longer than {options.MaxMessageLength} characters; only its beginning was analysed.", null);
            }

            if (fields.Count == 0)
            {
                b.Add(HeaderFindingIds.NoHeaderFields, FindingSeverity.Error,
                    "No header fields found in this message.", null);
            }

            b.Run();
            return b._report;
        }

        /// <summary>Header fields from a MimeKit list, in order.</summary>
        internal static List<MailHeaderField> FromHeaderList(HeaderList headers)
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
                    value = h.Value ?? "";
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

        private void Run()
        {
            ReadIdentities();
            ReadHops();
            ReadReceivingOrganization();
            ReadAuthenticationResults();
            ReadDkimAndArc();
            ReadStamps();
            Summarize();
            CheckFindings();

            var ordered = _findings
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

        private IEnumerable<MailHeaderField> All(string name) =>
            _fields.Where(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

        private string? First(string name) => All(name).FirstOrDefault()?.Value;

        private void ReadIdentities()
        {
            var froms = All("From").ToList();
            if (froms.Count > 0)
            {
                _report.From = froms[0].Value;
                var mailbox = ParseMailboxes(froms[0].Value).FirstOrDefault();
                if (mailbox != null)
                {
                    _report.FromDisplayName = string.IsNullOrEmpty(mailbox.Name) ? null : mailbox.Name;
                    _report.FromAddress = mailbox.Address;
                    _report.FromDomain = DomainOf(mailbox.Address);
                }
                else
                {
                    var m = Match(s_addressInText, froms[0].Value);
                    if (m != null)
                    {
                        _report.FromAddress = m;
                        _report.FromDomain = DomainOf(m);
                    }
                }
            }

            if (froms.Count > 1)
            {
                // RFC 5322 §3.6: exactly one From; two let the display and the check disagree.
                Add(HeaderFindingIds.MultipleFrom, FindingSeverity.Error,
                    $"The message has {froms.Count} From header fields; clients and filters may each read a different one.",
                    string.Join(" | ", froms.Select(f => f.Value)));
            }
            else if (froms.Count == 0 && _fields.Count > 0)
            {
                Add(HeaderFindingIds.NoFrom, FindingSeverity.Warning, "The message has no From header field.", null);
            }

            _report.SenderHeader = First("Sender");
            var replyTo = All("Reply-To").SelectMany(f => ParseMailboxes(f.Value)).Select(m => m.Address).ToList();
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
                _report.XOriginatingIp = IpLiteral.TryParse(xoip.Trim(), out var ip) ? ip!.ToString() : xoip.Trim();
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
                if (date.Length < 200 && DateUtils.TryParse(date, out var d))
                {
                    _report.Date = d;
                }
                else
                {
                    Add(HeaderFindingIds.DateUnreadable, FindingSeverity.Information,
                        "The Date header cannot be read as an RFC 5322 §3.3 date.", date);
                }
            }
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

        private static string? DomainOf(string? address)
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

        private static string? Match(Regex regex, string text)
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

        private string? OrgOf(string? domain)
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
                Add(HeaderFindingIds.HopsCapped, FindingSeverity.Information,
                    $"{received.Count} Received fields; only the newest {_options.MaxHops} were read as hops (a mail loop or a padded header).",
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
                        Add(HeaderFindingIds.HopClockSkew, severity,
                            $"Hop {hop.Number} is stamped {-delay:0} s before the hop it follows: clocks disagree, or a Received field is forged.",
                            hop.Raw);
                    }
                    else if (delay >= _options.LargeDelayThreshold.TotalSeconds)
                    {
                        Add(HeaderFindingIds.HopDelay, FindingSeverity.Information,
                            $"Hop {hop.Number} took {TimeSpan.FromSeconds(delay)} after the previous hop.", hop.Raw);
                    }
                }

                previous = ts;
                first ??= ts;
                last = ts;
            }

            if (unreadable > 0)
            {
                Add(HeaderFindingIds.HopDateUnreadable, FindingSeverity.Information,
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

        private bool InReceivingOrg(string? host)
        {
            if (string.IsNullOrEmpty(host) || IpLiteral.TryParse(host, out _))
            {
                return false;
            }

            var org = OrgOf(host);
            return org != null && _receiving.Contains(org);
        }

        private void ReadReceivingOrganization()
        {
            foreach (var d in _options.ReceivingDomains ?? Array.Empty<string>())
            {
                if (OrgOf(d) is string o)
                {
                    _receiving.Add(o);
                }
            }

            var hops = _report.Hops;

            // The newest hop's "by" host is, by construction, the receiving organization (RFC 5321 §4.4:
            // each receiver prepends its own Received field).
            var top = hops.Reverse().FirstOrDefault(h => h.ByHost != null);
            if (top != null && OrgOf(top.ByHost) is string topOrg)
            {
                _receiving.Add(topOrg);
            }

            // A provider domain, inferred or given (a hybrid organization passes outlook.com),
            // brings its whole family.
            if (_receiving.Overlaps(s_microsoftDomains))
            {
                _microsoftReceiver = true;
                _receiving.UnionWith(s_microsoftDomains);
            }

            if (_receiving.Overlaps(s_googleDomains))
            {
                _receiving.UnionWith(s_googleDomains);
            }

            _report.ReceivingDomains = ResultList.From(_receiving.OrderBy(x => x, StringComparer.Ordinal).ToList());

            // Walk down from the newest hop while the receiver is inside the organization; the
            // lowest such hop with a "from" clause is where the message came in.
            MailHop? edge = null;
            MailHop? lowestInside = null;
            for (var i = hops.Count - 1; i >= 0; i--)
            {
                var hop = hops[i];
                var noFrom = hop.FromHost == null && hop.FromIp == null;
                // A hop with neither "by" name nor "from" (Gmail's "by 2002:...: with SMTP id") is an
                // internal hand-off inside whoever received the hop below it.
                var inside = InReceivingOrg(hop.ByHost) || (hop.ByHost == null && noFrom);
                if (!inside)
                {
                    break;
                }

                hop.IsInternal = true;
                lowestInside = hop;
                if (!noFrom)
                {
                    edge = hop;
                }

                // A hop that came from outside ends the walk: anything below is the sender's side,
                // even if a lower "by" name happens to look like ours.
                if (!noFrom && !InReceivingOrg(hop.FromHost ?? hop.FromReverseDns))
                {
                    break;
                }
            }

            edge ??= lowestInside;
            if (edge != null)
            {
                edge.IsEdge = true;
                _report.EdgeHop = edge;
                _report.ClientIP = edge.FromIp;
                _report.Helo = edge.Helo;

                if (edge.FromIp != null && IPAddress.TryParse(edge.FromIp, out var address)
                    && IpLiteral.SpecialRange(address) is string range)
                {
                    Add(HeaderFindingIds.EdgePrivateIp, FindingSeverity.Warning,
                        $"The client at the edge hop, {edge.FromIp}, is a {range} address: the receiving organization cannot have been reached from it over the Internet, so the chain below is unreliable or the edge was misidentified.",
                        edge.Raw);
                }
            }
        }

        // ---- Authentication-Results ---------------------------------------------------------------

        private readonly List<AuthenticationResultsHeader> _trusted = new List<AuthenticationResultsHeader>();

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
                        ? "ARC-Authentication-Results record what an intermediary saw; believe them only through a validated ARC chain."
                        : "A copy of an earlier receiver's results.";
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
                        ? "No authserv-id, as Microsoft 365 writes it; above the edge hop of a Microsoft 365 receiver."
                        : "No authserv-id, and the receiver is not one known to omit it.";
                }
                else if (InReceivingOrg(header.AuthServId))
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

            _report.AuthenticationResults = ResultList.From(all);
            _report.TrustedAuthServIds = ResultList.From(explicitIds.Count > 0 ? explicitIds : trustedIds.ToList());

            var spfHeaders = All("Received-SPF").Select(f => ReceivedSpfHeader.Parse(f.Index, f.Value)).ToList();
            _report.ReceivedSpf = ResultList.From(spfHeaders);
        }

        /// <summary>
        /// Fields the receiving organization added: everything above the edge Received field, plus
        /// the Received-SPF / Authentication-Results run directly below it (Gmail writes its
        /// results under its own Received field; Microsoft 365 writes them above).
        /// </summary>
        private bool InReceiverZone(int index)
        {
            var edge = _report.EdgeHop;
            if (edge == null)
            {
                return false;
            }

            if (index < edge.HeaderIndex)
            {
                return true;
            }

            for (var j = edge.HeaderIndex + 1; j < _fields.Count && j <= index; j++)
            {
                var name = _fields[j].Name;
                if (!string.Equals(name, "Received-SPF", StringComparison.OrdinalIgnoreCase)
                    && !string.Equals(name, "Authentication-Results", StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
            }

            return index > edge.HeaderIndex;
        }

        private IEnumerable<AuthenticationMethodResult> TrustedResults(string method) =>
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
                    Add(HeaderFindingIds.DkimBodyLength, FindingSeverity.Information,
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
                    Add(HeaderFindingIds.ArcIncomplete, FindingSeverity.Warning,
                        $"ARC set i={i} lacks one of ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results (RFC 8617 §4.1).",
                        null);
                }
            }

            _report.ArcSets = ResultList.From(sets);
            var newest = sets.LastOrDefault();
            if (newest != null && string.Equals(newest.ChainValidation, "fail", StringComparison.OrdinalIgnoreCase))
            {
                Add(HeaderFindingIds.ArcChainFail, FindingSeverity.Warning,
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

        private void Summarize()
        {
            var spf = TrustedResults("spf").FirstOrDefault();
            var edge = _report.EdgeHop;
            _trustedReceivedSpf = edge == null
                ? null
                : _report.ReceivedSpf.FirstOrDefault(r => InReceiverZone(r.HeaderIndex));
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

            _report.Dmarc = TrustedResults("dmarc").FirstOrDefault()?.Result;
            _report.Arc = TrustedResults("arc").FirstOrDefault()?.Result;
            var compauth = TrustedResults("compauth").FirstOrDefault();
            if (compauth != null)
            {
                _report.CompAuth = compauth.Result;
                _report.CompAuthReason = compauth.Reason;
            }

            // The envelope sender as the receiver recorded it (RFC 8601 §2.7.2 smtp.mailfrom,
            // RFC 7208 §9.1 envelope-from), else the Return-Path the final delivery wrote.
            var mailFrom = spf?.GetProperty("smtp.mailfrom");
            if (!string.IsNullOrWhiteSpace(mailFrom))
            {
                _report.EnvelopeSender = mailFrom;
                _report.EnvelopeSenderSource = "smtp.mailfrom";
            }
            else if (_trustedReceivedSpf?.EnvelopeFrom is string ef && ef.Length > 0)
            {
                _report.EnvelopeSender = ef;
                _report.EnvelopeSenderSource = "Received-SPF";
            }
            else if (!string.IsNullOrEmpty(_report.ReturnPath))
            {
                _report.EnvelopeSender = _report.ReturnPath;
                _report.EnvelopeSenderSource = "Return-Path";
            }

            // RFC 8601 §2.7.2 lets smtp.mailfrom hold only the domain (Exchange Online writes it so);
            // the Return-Path of that domain is the same envelope sender with its local-part, which
            // an SPF check needs (RFC 7208 §4.3, the l macro).
            if (_report.EnvelopeSender != null && _report.EnvelopeSender.IndexOf('@') < 0 && !string.IsNullOrEmpty(_report.ReturnPath)
                && string.Equals(DomainOf(_report.ReturnPath), DomainOf(_report.EnvelopeSender), StringComparison.OrdinalIgnoreCase))
            {
                _report.EnvelopeSender = _report.ReturnPath;
                _report.EnvelopeSenderSource += " and Return-Path";
            }

            _report.EnvelopeDomain = DomainOf(_report.EnvelopeSender);
        }

        // ---- Findings ------------------------------------------------------------------------------

        private void CheckFindings()
        {
            var fromDomain = _report.FromDomain;
            var fromOrg = OrgOf(fromDomain);

            if (_trusted.Count == 0 && _report.AuthenticationResults.Count > 0)
            {
                Add(HeaderFindingIds.NoTrustedResults, FindingSeverity.Information,
                    "No Authentication-Results written by the receiving organization were found; the ones present are shown as untrusted.",
                    string.Join(", ", _report.AuthenticationResults.Select(a => a.AuthServId ?? "(no authserv-id)").Distinct()));
            }

            // Results that were already in the message when the receiving organization got it:
            // a sender can write anything there (RFC 8601 §5). Say what they claim and that it is ignored.
            var edge = _report.EdgeHop;
            if (edge != null && (_options.TrustedAuthServIds ?? Array.Empty<string>()).Count == 0)
            {
                foreach (var early in _report.AuthenticationResults.Where(a =>
                    a.HeaderName.Equals("Authentication-Results", StringComparison.OrdinalIgnoreCase) && !a.IsTrusted && !InReceiverZone(a.HeaderIndex)))
                {
                    var claims = early.Results.Where(x => x.Result == "pass").Select(x => x.Method + "=pass").Distinct().ToList();
                    if (claims.Count == 0)
                    {
                        continue;
                    }

                    var usesOurId = early.AuthServId != null && InReceivingOrg(early.AuthServId);
                    Add(HeaderFindingIds.ResultsBeforeEdge, usesOurId ? FindingSeverity.Warning : FindingSeverity.Information,
                        $"An Authentication-Results field by {early.AuthServId ?? "(no authserv-id)"} was in the message before it reached the receiving organization and claims {string.Join(", ", claims)}; it is not believed"
                        + (usesOurId ? ", and it borrows the receiver's own authserv-id, which suggests forgery." : "."),
                        early.Raw);
                }
            }

            var dkimResults = TrustedResults("dkim").ToList();
            var alignedDkimPass = dkimResults.Any(d => d.Result == "pass" && fromOrg != null
                && string.Equals(OrgOf(DkimDomain(d)), fromOrg, StringComparison.OrdinalIgnoreCase));

            // SPF authenticates only the RFC 5321 MAIL FROM; DMARC needs it aligned with From (RFC 7489 §3.1.2).
            if (_report.Spf == "pass" && fromOrg != null && _report.EnvelopeDomain != null
                && !string.Equals(OrgOf(_report.EnvelopeDomain), fromOrg, StringComparison.OrdinalIgnoreCase))
            {
                var extra = new List<string>();
                if (_report.XSender != null)
                {
                    extra.Add("X-Sender " + _report.XSender);
                }

                if (_report.ReturnPath != null)
                {
                    extra.Add("Return-Path " + _report.ReturnPath);
                }

                Add(HeaderFindingIds.SpfPassUnaligned, alignedDkimPass ? FindingSeverity.Warning : FindingSeverity.Error,
                    $"SPF passed for the envelope domain {_report.EnvelopeDomain}, which is not aligned with the From domain {fromDomain}: "
                    + "the pass proves only that the sending server may send for " + _report.EnvelopeDomain + ", not that "
                    + fromDomain + " sent this message" + (alignedDkimPass ? " (an aligned DKIM signature does vouch for it)." : "; nothing else authenticates the From domain."),
                    $"smtp.mailfrom={_report.EnvelopeSender}; From={_report.FromAddress}" + (extra.Count > 0 ? "; " + string.Join("; ", extra) : ""));
            }

            if (fromOrg != null && _report.ReplyTo != null)
            {
                var other = All("Reply-To").SelectMany(f => ParseMailboxes(f.Value))
                    .Where(m => !string.Equals(OrgOf(DomainOf(m.Address)), fromOrg, StringComparison.OrdinalIgnoreCase))
                    .Select(m => m.Address).ToList();
                if (other.Count > 0)
                {
                    Add(HeaderFindingIds.ReplyToDiffers, FindingSeverity.Warning,
                        $"Replies go to {string.Join(", ", other)}, outside the From domain {fromDomain}.",
                        "Reply-To: " + _report.ReplyTo);
                }
            }

            if (_report.FromDisplayName != null && _report.FromAddress != null)
            {
                var inName = Match(s_addressInText, _report.FromDisplayName);
                if (inName != null && !string.Equals(inName.Trim('.'), _report.FromAddress, StringComparison.OrdinalIgnoreCase))
                {
                    Add(HeaderFindingIds.DisplayNameAddress, FindingSeverity.Warning,
                        $"The display name shows the address {inName}, but the message is from {_report.FromAddress}.",
                        _report.From);
                }
            }

            if (_trusted.Count > 0)
            {
                var dmarc = _report.Dmarc;
                if (dmarc == "fail")
                {
                    Add(HeaderFindingIds.DmarcFail, FindingSeverity.Error,
                        $"The receiver recorded dmarc=fail for {fromDomain ?? "the From domain"}: neither SPF nor DKIM authenticated it.",
                        Describe(TrustedResults("dmarc").First()));
                }
                else if (dmarc == "none")
                {
                    Add(HeaderFindingIds.DmarcNone, FindingSeverity.Warning,
                        $"The receiver recorded dmarc=none for {fromDomain ?? "the From domain"}: it publishes no DMARC policy, so a forged From is not rejected.",
                        Describe(TrustedResults("dmarc").First()));
                }
                else if (dmarc == null)
                {
                    Add(HeaderFindingIds.DmarcNotRecorded, FindingSeverity.Information,
                        "The receiving organization recorded no DMARC result.", null);
                }

                if (dkimResults.Count == 0 || dkimResults.All(d => d.Result == "none"))
                {
                    if (_report.DkimSignatures.Count == 0)
                    {
                        Add(HeaderFindingIds.DkimNone, FindingSeverity.Warning,
                            "The message carries no DKIM signature: nothing ties its content to a domain.", null);
                    }
                }

                foreach (var d in dkimResults.Where(d => d.Result != "pass" && d.Result != "none"))
                {
                    Add(HeaderFindingIds.DkimFail, FindingSeverity.Warning,
                        $"DKIM {d.Result} for {DkimDomain(d) ?? "a signature"}" + (d.Reason != null ? $" ({d.Reason})" : d.Comment != null ? $" ({d.Comment})" : "") + ".",
                        Describe(d));
                }

                if (fromOrg != null && dkimResults.Any(d => d.Result == "pass") && !alignedDkimPass)
                {
                    var domains = dkimResults.Where(d => d.Result == "pass").Select(DkimDomain).Where(x => x != null).Distinct();
                    Add(HeaderFindingIds.DkimUnaligned, FindingSeverity.Warning,
                        $"DKIM passed only for {string.Join(", ", domains)}, not aligned with the From domain {fromDomain}.",
                        null);
                }

                var compauth = TrustedResults("compauth").FirstOrDefault();
                if (compauth != null && compauth.Result == "fail")
                {
                    var meaning = compauth.Reason != null ? MicrosoftStamps.CompAuthReasonMeaning(compauth.Reason) : null;
                    Add(HeaderFindingIds.CompAuthFail, FindingSeverity.Warning,
                        $"Microsoft 365 composite authentication failed (reason {compauth.Reason ?? "none given"}: {meaning ?? "unknown"}).",
                        Describe(compauth));
                }
            }
            else if (_report.DkimSignatures.Count == 0 && _fields.Count > 0)
            {
                Add(HeaderFindingIds.DkimNone, FindingSeverity.Warning,
                    "The message carries no DKIM signature: nothing ties its content to a domain.", null);
            }

            var limit = _options.GetNow() + _options.FutureTolerance;
            if (_report.Date is DateTimeOffset date && date > limit)
            {
                Add(HeaderFindingIds.FutureDate, FindingSeverity.Warning,
                    $"The Date header ({date:u}) is in the future.", _report.DateText);
            }

            foreach (var hop in _report.Hops.Where(h => h.Timestamp > limit))
            {
                Add(HeaderFindingIds.FutureDate, FindingSeverity.Warning,
                    $"Hop {hop.Number} is dated in the future ({hop.Timestamp:u}).", hop.Raw);
            }
        }

        private static string? DkimDomain(AuthenticationMethodResult d)
        {
            var domain = d.GetProperty("header.d");
            if (!string.IsNullOrEmpty(domain) && !string.Equals(domain, "none", StringComparison.OrdinalIgnoreCase))
            {
                return domain!.ToLowerInvariant();
            }

            var i = d.GetProperty("header.i");
            return i != null ? DomainOf(i) : null;
        }

        private static string Describe(AuthenticationMethodResult r) =>
            r.Method + "=" + r.Result + (r.Reason != null ? " reason=" + r.Reason : "")
            + (r.PropertyList.Count > 0 ? " " + r.Properties : "");

        private readonly Dictionary<string, int> _perId = new Dictionary<string, int>(StringComparer.Ordinal);

        private void Add(string id, FindingSeverity severity, string message, string? subject)
        {
            _perId.TryGetValue(id, out var n);
            _perId[id] = n + 1;
            if (n < MaxFindingsPerId)
            {
                _findings.Add(new Finding(id, severity, message, subject));
            }
            else if (n == MaxFindingsPerId)
            {
                _findings.Add(new Finding(id, FindingSeverity.Information,
                    $"Further {id} findings were left out (more than {MaxFindingsPerId}).", null));
            }
        }
    }
}
