using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace MailAuth.Headers
{
    /// <summary>
    /// Finds the edge hop: the newest Received field where the receiving organization took the
    /// message from outside (RFC 5321 §4.4; RFC 8601 §5 calls what lies above it the trusted part).
    /// Walking down from the newest hop, a hop whose "by" host is inside the organization is
    /// internal when its client is too: loopback, link-local, localhost, a private address under a
    /// name that is not another organization's, a content filter handing the message back
    /// (amavis, rspamd proxy, SpamAssassin, ClamAV milters on 10024/10025), the same host, a mailbox
    /// retrieval (POP3, IMAP, fetchmail), a host of the organization, or a third-party gateway in
    /// front of it. The first hop whose client is none of these is the edge. A provider's inbound
    /// frontend (Gmail's mx.google.com, Exchange Online's *.mail.protection.outlook.com) is the edge
    /// of the mailbox it delivers to, even when the client is the same provider's outbound relay
    /// (mail between two tenants, or between two Gmail accounts).
    /// </summary>
    /// <summary>A client address a receiver's result names (SPF's "sender IP is", client-ip=, the Forefront CIP).</summary>
    internal readonly struct CheckedAddress
    {
        public CheckedAddress(int headerIndex, string address, string? result)
        {
            HeaderIndex = headerIndex;
            Address = address;
            Result = result;
        }

        public int HeaderIndex { get; }

        public string Address { get; }

        /// <summary>The SPF result for it, when the field gives one.</summary>
        public string? Result { get; }
    }

    internal sealed class EdgeFinder
    {
        // Inbound frontends of the provider families: where a tenant or mailbox takes mail from the
        // Internet, from other tenants and from other accounts of the same provider.
        private static readonly string[] s_frontendSuffixes =
        {
            ".mail.protection.outlook.com", ".mail.protection.outlook.de", ".mail.protection.office365.us",
            ".mail.protection.partner.outlook.cn",
        };

        private static readonly string[] s_frontendNames = { "mx.google.com" };

        // Third-party gateways that sit in front of a receiving organization (usually in front of
        // Microsoft 365 or Exchange), by the Organizational Domain of their relays.
        private static readonly Dictionary<string, string> s_gateways = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["mimecast.com"] = "Mimecast",
            ["mimecast-offshore.com"] = "Mimecast",
            ["mimecast.co.za"] = "Mimecast",
            ["pphosted.com"] = "Proofpoint",
            ["ppe-hosted.com"] = "Proofpoint",
            ["ppops.net"] = "Proofpoint",
            ["barracudanetworks.com"] = "Barracuda",
            ["barracuda.com"] = "Barracuda",
            ["cudaops.com"] = "Barracuda",
            ["iphmx.com"] = "Cisco Secure Email",
            ["messagelabs.com"] = "Symantec Email Security.cloud",
            ["mailcontrol.com"] = "Forcepoint",
            ["trendmicro.com"] = "Trend Micro",
            ["trendmicro.eu"] = "Trend Micro",
            ["sophos.com"] = "Sophos",
            ["hornetsecurity.com"] = "Hornetsecurity",
            ["fortimailcloud.com"] = "FortiMail Cloud",
        };

        // Content filters that take the message from the MTA and hand it back on the same host
        // (Postfix content_filter to amavis on 10024, re-injection on 10025; rspamd proxy; Exim's
        // "spam-scanned" router; qmail-scanner; MailScanner).
        private static readonly Regex s_contentFilter = new Regex(
            @"amavis|\bport\s+1002[4-6]\b|:1002[4-6]\b|spam-scanned|rspamd|spamassassin|spamd\b|clamav|clamsmtp|mailscanner|qmail-scanner|\bpps\.filterd\b",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromMilliseconds(200));

        // Mailbox retrieval by a client (fetchmail, getmail): the "by" side is the reader's machine.
        private static readonly Regex s_retrieval = new Regex(
            @"\bwith\s+(?:POP3S?|IMAPS?)\b|fetchmail|getmail",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromMilliseconds(200));

        private readonly IReadOnlyList<MailHop> _hops;
        private readonly Func<string?, string?> _orgOf;
        private readonly HashSet<string> _receiving;
        private readonly HashSet<string> _explicitReceiving;
        private readonly HashSet<string> _senderOrgs;
        private readonly HashSet<string> _insideHosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly IReadOnlyList<CheckedAddress> _checked;

        /// <param name="hops">Oldest first.</param>
        /// <param name="orgOf">Organizational Domain of a name, or null.</param>
        /// <param name="receiving">Organizational Domains of the receiving organization (a gateway's is added).</param>
        /// <param name="explicitReceiving">Those the caller gave (ReceivingDomains).</param>
        /// <param name="senderOrgs">Organizational Domains of the From and envelope domains (a gateway fed by them is the sender's own).</param>
        /// <param name="checkedAddresses">Client addresses that receivers' results name (SPF, the Forefront CIP), with the header index.</param>
        public EdgeFinder(IReadOnlyList<MailHop> hops, Func<string?, string?> orgOf, HashSet<string> receiving,
            HashSet<string> explicitReceiving, HashSet<string> senderOrgs, IReadOnlyList<CheckedAddress>? checkedAddresses = null)
        {
            _checked = checkedAddresses ?? Array.Empty<CheckedAddress>();
            _hops = hops;
            _orgOf = orgOf;
            _receiving = receiving;
            _explicitReceiving = explicitReceiving;
            _senderOrgs = senderOrgs;
        }

        public MailHop? Edge { get; private set; }

        /// <summary>The hop where the receiving organization took the message from a third-party gateway.</summary>
        public MailHop? GatewayHop { get; private set; }

        /// <summary>The gateway's product name (Mimecast, Proofpoint, ...).</summary>
        public string? GatewayName { get; private set; }

        /// <summary>The newest hop whose "by" host names the receiving organization (skips a reader's retrieval and hops without a domain name).</summary>
        public static MailHop? ReceiverHop(IReadOnlyList<MailHop> hops)
        {
            // A private-use name (compute3.internal) is the organization's only when no receiver
            // below it goes by a public one (an Exchange server known only as EX01.corp.local).
            MailHop? privateNamed = null;
            for (var i = hops.Count - 1; i >= 0; i--)
            {
                var hop = hops[i];
                if (hop.ByHost == null || IsLocalName(hop.ByHost) || hop.ByHost.IndexOf('.') < 0 || IsRetrieval(hop))
                {
                    continue;
                }

                if (IsPrivateName(hop.ByHost))
                {
                    privateNamed ??= hop;
                    continue;
                }

                return hop;
            }

            return privateNamed;
        }

        /// <summary>
        /// The newest hop when its receiver goes by a name without a domain yet its client is public:
        /// a provider's front door naming its container (iCloud's "mailgateway"), not an internal
        /// hand-off (those come from private or loopback clients, or from none).
        /// </summary>
        public static MailHop? DomainlessInternetReceiver(IReadOnlyList<MailHop> hops)
        {
            for (var i = hops.Count - 1; i >= 0; i--)
            {
                var hop = hops[i];
                if (IsRetrieval(hop) || hop.ByHost == null || IsLocalName(hop.ByHost))
                {
                    continue;
                }

                return IsPrivateName(hop.ByHost)
                    && hop.FromIp != null && !IsPrivateOrLocal(hop.FromIp)
                    ? hop
                    : null;
            }

            return null;
        }

        public void Find()
        {
            MailHop? edge = null;
            MailHop? lowestInside = null;
            MailHop? lowestInsideWithFrom = null;
            for (var i = _hops.Count - 1; i >= 0; i--)
            {
                var hop = _hops[i];
                var noFrom = hop.FromHost == null && hop.FromIp == null;
                if (!ByIsInside(hop, noFrom))
                {
                    break;
                }

                hop.IsInternal = true;
                lowestInside = hop;
                if (noFrom)
                {
                    hop.InternalReason = "no sending host: a hand-off inside the receiving host";
                    continue;
                }

                lowestInsideWithFrom = hop;

                // A content filter records the original client (XFORWARD) but is a local hand-off:
                // its "from" is not a new client, so it neither ends the walk nor vouches for a host.
                if (ContentFilter(hop) is string filter)
                {
                    hop.InternalReason = filter;
                    continue;
                }

                if (InternalClient(hop) is string local)
                {
                    hop.InternalReason = local;
                    AddInsideNames(hop);
                    continue;
                }

                if (InboundGateway(i) is string gateway)
                {
                    hop.InternalReason = "a third-party gateway (" + gateway + ") in front of the receiving organization";
                    GatewayHop = hop;
                    GatewayName = gateway;
                    if (_orgOf(ClientName(hop)) is string gatewayOrg)
                    {
                        _receiving.Add(gatewayOrg);
                    }

                    // ... and the domains of its relays below, where it took the message.
                    for (var j = i - 1; j >= 0 && VendorOf(_hops[j].ByHost) == gateway; j--)
                    {
                        if (_orgOf(_hops[j].ByHost) is string relayOrg)
                        {
                            _receiving.Add(relayOrg);
                        }
                    }

                    AddInsideNames(hop);
                    continue;
                }

                if (IsFrontend(hop.ByHost) && !InExplicitReceiving(hop))
                {
                    edge = hop;
                    break;
                }

                if ((FromInOrganization(hop) ?? RelayedFromBelow(i)) is string member)
                {
                    hop.InternalReason = member;
                    AddInsideNames(hop);
                    continue;
                }

                edge = hop;
                break;
            }

            // Every hop was internal: the message started inside the organization (the lowest hop
            // with a client is where it was submitted).
            edge ??= lowestInsideWithFrom ?? lowestInside;
            if (edge != null)
            {
                edge.IsEdge = true;
            }

            Edge = edge;
        }

        private bool ByIsInside(MailHop hop, bool noFrom)
        {
            if (hop.ByHost == null)
            {
                // Gmail's "by 2002:...: with SMTP id": a hand-off with neither name nor client;
                // Fastmail's "from mx6.messagingengine.com (localhost [127.0.0.1]);" without a by
                // clause: a hand-off on the host itself.
                return noFrom || (hop.ByIp != null && IsPrivateOrLocal(hop.ByIp))
                    || (hop.FromIp != null && IsLoopback(hop.FromIp));
            }

            return InReceiving(hop.ByHost) || _insideHosts.Contains(Norm(hop.ByHost)) || IsLocalName(hop.ByHost)
                || IsPrivateName(hop.ByHost);
        }

        private bool InReceiving(string? host)
        {
            if (string.IsNullOrEmpty(host) || ClientAddress.TryParseTraceToken(host, out _))
            {
                return false;
            }

            return _orgOf(host) is string org && _receiving.Contains(org);
        }

        private bool InExplicitReceiving(MailHop hop) =>
            _orgOf(ClientName(hop)) is string org && _explicitReceiving.Contains(org);

        private static string? ContentFilter(MailHop hop)
        {
            if (IsRetrieval(hop))
            {
                return "a mailbox retrieval (POP3/IMAP) by the reader's client";
            }

            if (Matches(s_contentFilter, hop.Raw) && (IsLocalName(hop.ByHost) || (hop.ByIp != null && IsLoopback(hop.ByIp))
                || (hop.FromIp != null && IsLoopback(hop.FromIp)) || hop.FromIp == null))
            {
                return "a content filter handing the message back on the same host";
            }

            if (IsLocalName(hop.ByHost) && hop.ByIp != null && IsLoopback(hop.ByIp))
            {
                return "received on the loopback interface (a local content filter)";
            }

            return null;
        }

        private string? InternalClient(MailHop hop)
        {
            if (hop.FromIp != null && IPAddress.TryParse(hop.FromIp, out var ip))
            {
                if (ip.AddressFamily == AddressFamily.InterNetworkV6 && ip.IsIPv4MappedToIPv6)
                {
                    ip = ip.MapToIPv4();
                }

                if (IPAddress.IsLoopback(ip))
                {
                    return "the client is on the loopback interface";
                }

                if (IsLinkLocal(ip))
                {
                    return "the client is link-local (the same host or segment)";
                }

                if (SameHost(hop))
                {
                    return "the client is the receiving host itself";
                }

                // A private address cannot reach the organization over the Internet; it is inside
                // unless the hop names another organization's host (then the edge is private and
                // HDR-EDGE-PRIVATE-IP says the chain is unreliable).
                if (IsPrivate(ip) && !NamesForeignHost(hop))
                {
                    return "the client has a private address (RFC 1918 / RFC 4193) in the organization's network";
                }

                return null;
            }

            // No client address: only names to go by.
            if (IsLocalName(hop.FromHost) || IsLocalName(hop.Helo))
            {
                return "the client is localhost";
            }

            if (SameHost(hop))
            {
                return "the client is the receiving host itself";
            }

            return null;
        }

        private string? FromInOrganization(MailHop hop)
        {
            // The receiver's reverse-DNS name is what it verified; the HELO is what the client claimed.
            var name = ClientName(hop);
            if (InReceiving(name) || _insideHosts.Contains(Norm(name)))
            {
                return "the client " + name + " is inside the receiving organization";
            }

            return null;
        }

        /// <summary>
        /// The chain continues: the client names the host that received the hop below, and that
        /// host is the organization's (an Exchange server relaying to a local capture box, a
        /// mailbox server passing to the delivery host).
        /// </summary>
        private string? RelayedFromBelow(int index)
        {
            if (index == 0)
            {
                return null;
            }

            var hop = _hops[index];
            var below = _hops[index - 1].ByHost;
            if (below == null || !InReceiving(below))
            {
                return null;
            }

            foreach (var n in new[] { hop.FromHost, hop.Helo, hop.FromReverseDns })
            {
                if (n != null && Norm(n) == Norm(below))
                {
                    return "the client " + below + " received the hop below: it relays inside the receiving organization";
                }
            }

            return null;
        }

        private string? VendorOf(string? host) =>
            _orgOf(host) is string org && s_gateways.TryGetValue(org, out var name) ? name : null;

        /// <summary>
        /// A known gateway is the receiving organization's inbound filter, not the sender's outbound
        /// relay, when the receiver's own results say so (they name the address beyond the gateway:
        /// Enhanced Filtering; or SPF against the gateway's address did not pass: the sender never
        /// authorized it), or else when the host that fed the gateway is not the sender's.
        /// </summary>
        private string? InboundGateway(int index)
        {
            var hop = _hops[index];
            if (!(_orgOf(ClientName(hop)) is string org) || !s_gateways.TryGetValue(org, out var name))
            {
                return null;
            }

            // Where the gateway took the message: below this hop, the first hop into the gateway's
            // own relays whose client is not the gateway itself.
            MailHop? feeder = null;
            for (var j = index - 1; j >= 0 && feeder == null; j--)
            {
                var below = _hops[j];
                // A vendor's relays may span several domains (Barracuda takes mail on
                // *.ess.aws.cudaops.com and delivers from *.ess.barracudanetworks.com).
                if (below.ByHost == null || VendorOf(below.ByHost) != name)
                {
                    return null;
                }

                if (below.FromIp == null && ClientName(below) == null)
                {
                    continue;
                }

                if (below.FromIp != null && IPAddress.TryParse(below.FromIp, out var ip) && (IPAddress.IsLoopback(ip) || IsPrivate(ip) || IsLinkLocal(ip)))
                {
                    continue;
                }

                if (VendorOf(ClientName(below)) == name)
                {
                    continue;
                }

                feeder = below;
            }

            if (feeder == null)
            {
                return null;
            }

            // What the receiver checked, above this hop.
            foreach (var c in _checked)
            {
                if (c.HeaderIndex >= hop.HeaderIndex)
                {
                    continue;
                }

                if (feeder.FromIp != null && SameAddress(c.Address, feeder.FromIp))
                {
                    return name;
                }

                if (hop.FromIp != null && SameAddress(c.Address, hop.FromIp) && c.Result != null)
                {
                    return string.Equals(c.Result, "pass", StringComparison.OrdinalIgnoreCase) ? null : name;
                }
            }

            // Fed by the sender's own servers: the gateway is the sender's outbound relay.
            var feederOrg = _orgOf(ClientName(feeder));
            return feederOrg != null && _senderOrgs.Contains(feederOrg) ? null : name;
        }

        private static bool SameAddress(string a, string b) =>
            ClientAddress.TryParseTraceToken(a, out var x) && ClientAddress.TryParseTraceToken(b, out var y) && x!.Equals(y);

        private void AddInsideNames(MailHop hop)
        {
            foreach (var n in new[] { hop.FromHost, hop.FromReverseDns, hop.Helo })
            {
                if (!string.IsNullOrEmpty(n) && !IsLocalName(n) && !ClientAddress.TryParseTraceToken(n, out _))
                {
                    _insideHosts.Add(Norm(n));
                }
            }
        }

        private static bool SameHost(MailHop hop)
        {
            if (hop.ByHost == null)
            {
                return false;
            }

            var by = Norm(hop.ByHost);
            if (hop.FromReverseDns != null && Norm(hop.FromReverseDns) == by)
            {
                return true;
            }

            // The HELO name is the client's claim: only believed with a local or private address.
            var privateClient = hop.FromIp == null || IsPrivateOrLocal(hop.FromIp);
            return privateClient && hop.FromHost != null && Norm(hop.FromHost) == by;
        }

        private bool NamesForeignHost(MailHop hop)
        {
            var name = hop.FromReverseDns ?? hop.FromHost;
            if (string.IsNullOrEmpty(name) || ClientAddress.TryParseTraceToken(name, out _) || IsPrivateName(name) || IsLocalName(name))
            {
                return false;
            }

            return !InReceiving(name) && !_insideHosts.Contains(Norm(name));
        }

        private static string? ClientName(MailHop hop) =>
            hop.FromReverseDns ?? (hop.FromHost != null && !ClientAddress.TryParseTraceToken(hop.FromHost, out _) ? hop.FromHost : null);

        internal static bool IsFrontend(string? host)
        {
            if (string.IsNullOrEmpty(host))
            {
                return false;
            }

            foreach (var n in s_frontendNames)
            {
                if (string.Equals(host, n, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            foreach (var suffix in s_frontendSuffixes)
            {
                if (host!.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        internal static string? GatewayProduct(string? orgDomain) =>
            orgDomain != null && s_gateways.TryGetValue(orgDomain, out var name) ? name : null;

        // Names no one outside can resolve: RFC 8375 home.arpa, ICANN's private-use .internal, and
        // the suffixes sites use for their own networks (.local, .lan, .corp, ...).
        private static readonly string[] s_privateSuffixes =
        {
            ".internal", ".local", ".localdomain", ".lan", ".home", ".home.arpa", ".corp", ".intranet", ".private",
        };

        /// <summary>
        /// A host name that says nothing about the organization to the Internet: no domain at all
        /// ("mailstore1", iCloud's "p42-mailgateway-smtp-..."), or under a private-use suffix
        /// (Fastmail's "compute3.internal", Exchange's "EX01.corp.local"). IP literals are not names.
        /// </summary>
        internal static bool IsPrivateName(string? host)
        {
            if (string.IsNullOrEmpty(host) || ClientAddress.TryParseTraceToken(host!, out _))
            {
                return false;
            }

            var h = host!.Trim().TrimEnd('.');
            if (h.IndexOf('.') < 0)
            {
                return true;
            }

            foreach (var suffix in s_privateSuffixes)
            {
                if (h.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        internal static bool IsLocalName(string? host)
        {
            if (string.IsNullOrEmpty(host))
            {
                return false;
            }

            var h = host!.Trim().TrimEnd('.').Trim('[', ']');
            return string.Equals(h, "localhost", StringComparison.OrdinalIgnoreCase)
                || string.Equals(h, "localhost.localdomain", StringComparison.OrdinalIgnoreCase)
                || string.Equals(h, "localhost6", StringComparison.OrdinalIgnoreCase)
                || string.Equals(h, "localhost6.localdomain6", StringComparison.OrdinalIgnoreCase);
        }

        private static bool IsRetrieval(MailHop hop) => Matches(s_retrieval, hop.Raw);

        private static bool Matches(Regex regex, string text)
        {
            try
            {
                return regex.IsMatch(text.Length > 4000 ? text.Substring(0, 4000) : text);
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
        }

        private static string Norm(string? host) => (host ?? "").Trim().TrimEnd('.').ToLowerInvariant();

        internal static bool IsPrivateOrLocal(string address) =>
            IPAddress.TryParse(address, out var ip) && (IPAddress.IsLoopback(ip) || IsPrivate(ip) || IsLinkLocal(ip));

        private static bool IsLoopback(string address) => IPAddress.TryParse(address, out var ip) && IPAddress.IsLoopback(ip);

        private static bool IsLinkLocal(IPAddress ip)
        {
            if (ip.AddressFamily == AddressFamily.InterNetworkV6 && ip.IsIPv4MappedToIPv6)
            {
                ip = ip.MapToIPv4();
            }

            var b = ip.GetAddressBytes();
            return ip.AddressFamily == AddressFamily.InterNetwork
                ? b[0] == 169 && b[1] == 254
                : b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
        }

        /// <summary>RFC 1918, RFC 6598 shared address space, RFC 4193 unique local.</summary>
        private static bool IsPrivate(IPAddress ip)
        {
            if (ip.AddressFamily == AddressFamily.InterNetworkV6 && ip.IsIPv4MappedToIPv6)
            {
                ip = ip.MapToIPv4();
            }

            var b = ip.GetAddressBytes();
            if (ip.AddressFamily == AddressFamily.InterNetwork)
            {
                return b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168)
                    || (b[0] == 100 && b[1] >= 64 && b[1] <= 127);
            }

            return (b[0] & 0xfe) == 0xfc;
        }    }
}
