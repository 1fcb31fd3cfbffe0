using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailAuth.Names;

namespace MailAuth.Addresses
{
    /// <summary>The rule an address breaks (docs/intelligence.md lists each with its RFC section).</summary>
    public enum MailAddressSyntaxRule
    {
        /// <summary>No rule broken.</summary>
        None,
        /// <summary>Empty after trimming.</summary>
        Empty,
        /// <summary>No "@" outside a quoted local part (RFC 5321 §4.1.2 Mailbox = Local-part "@" ( Domain / address-literal )).</summary>
        MissingAt,
        /// <summary>Nothing before the "@".</summary>
        EmptyLocalPart,
        /// <summary>A character outside atext (RFC 5322 §3.2.3, RFC 6531 §3.3 UTF8-non-ascii) in an unquoted local part.</summary>
        LocalPartCharacter,
        /// <summary>A dot at either end of a dot-string, or two in a row (RFC 5321 §4.1.2 Dot-string = Atom *("." Atom)).</summary>
        LocalPartDot,
        /// <summary>A quoted local part that is not DQUOTE *QcontentSMTP DQUOTE (RFC 5321 §4.1.2).</summary>
        QuotedString,
        /// <summary>Over 64 octets of local part (RFC 5321 §4.5.3.1.1).</summary>
        LocalPartTooLong,
        /// <summary>Nothing after the "@".</summary>
        EmptyDomain,
        /// <summary>A label that is empty, over 63 octets, or not letters, digits and inner hyphens (RFC 5321 §4.1.2 sub-domain, RFC 1035 §2.3.1, RFC 5890 for IDNA).</summary>
        DomainLabel,
        /// <summary>Over 255 octets of domain (RFC 5321 §4.5.3.1.2).</summary>
        DomainTooLong,
        /// <summary>A single-label domain: only fully-qualified names are permitted (RFC 5321 §2.3.5).</summary>
        DomainNotQualified,
        /// <summary>An IP address written without brackets: it must be an address literal (RFC 5321 §4.1.3; an all-numeric top-level label is not a domain, RFC 3696 §2).</summary>
        AddressLiteralUnbracketed,
        /// <summary>A bracketed literal that is not [IPv4], [IPv6:...] (RFC 5321 §4.1.3).</summary>
        AddressLiteral,
        /// <summary>Over 254 octets of address, the 256-octet path less its angle brackets (RFC 5321 §4.5.3.1.3).</summary>
        PathTooLong,
    }

    /// <summary>An address read by RFC 5321 §4.1.2 Mailbox, with RFC 6531 SMTPUTF8 (UTF-8 local parts and U-label domains).</summary>
    public sealed class MailAddressSyntax
    {
        /// <summary>RFC 5321 §4.5.3.1.1.</summary>
        public const int MaxLocalPartOctets = 64;

        /// <summary>RFC 5321 §4.5.3.1.2 allows 255 octets; the DNS holds 253 in text (RFC 1035 §2.3.4), the limit applied.</summary>
        public const int MaxDomainOctets = DomainName.MaxLength;

        /// <summary>RFC 5321 §4.5.3.1.3: a path is at most 256 octets including "&lt;" and "&gt;".</summary>
        public const int MaxAddressOctets = 254;


        private MailAddressSyntax(string input)
        {
            Input = input;
        }

        /// <summary>The text as given.</summary>
        public string Input { get; }

        public bool IsValid => RuleCode == MailAddressSyntaxRule.None;

        /// <summary>The rule broken, by name (None when valid).</summary>
        public string Rule => RuleCode.ToString();

        internal MailAddressSyntaxRule RuleCode { get; private set; }

        /// <summary>Why the address is refused, naming the rule and its section; null when valid.</summary>
        public string? Error { get; private set; }

        /// <summary>The local part as written (quotes kept).</summary>
        public string? LocalPart { get; private set; }

        /// <summary>The domain in A-labels, lower case (what DNS is asked), or the address literal with its brackets.</summary>
        public string? Domain { get; private set; }

        /// <summary>The domain as written, when it had U-labels (RFC 5890 §2.3.2.1).</summary>
        public string? UnicodeDomain { get; private set; }

        /// <summary>The local part is a quoted string (RFC 5321 §4.1.2): allowed, but many systems refuse it.</summary>
        public bool IsQuoted { get; private set; }

        /// <summary>The domain is an address literal ([192.0.2.1] or [IPv6:...]).</summary>
        public bool IsAddressLiteral { get; private set; }

        /// <summary>The literal's address.</summary>
        public IPAddress? LiteralAddress { get; private set; }

        /// <summary>The local part has non-ASCII characters: the address can travel only where SMTPUTF8 is offered (RFC 6531 §3.2).</summary>
        public bool RequiresSmtpUtf8 { get; private set; }

        /// <summary>The address as it goes in MAIL FROM / RCPT TO: local part, "@", A-label domain.</summary>
        public string? Normalized => IsValid ? LocalPart + "@" + Domain : null;

        public override string ToString() => IsValid ? Normalized! : $"{Input}: {Error}";

        /// <summary>Reads one address. Never throws for bad text: the result says which rule broke.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="address"/> is null.</exception>
        public static MailAddressSyntax Parse(string address)
        {
            if (address is null)
            {
                throw new ArgumentNullException(nameof(address));
            }

            var result = new MailAddressSyntax(address);
            string text = address.Trim();
            if (text.Length == 0)
            {
                return result.Fail(MailAddressSyntaxRule.Empty, "The address is empty.");
            }

            int at = FindSeparator(text);
            if (at < 0)
            {
                return result.Fail(MailAddressSyntaxRule.MissingAt, $"'{text}' has no '@' outside quotes; an address is local-part@domain (RFC 5321 §4.1.2).");
            }

            string local = text.Substring(0, at);
            string domain = text.Substring(at + 1);
            if (!result.ReadLocalPart(local))
            {
                return result;
            }

            if (!result.ReadDomain(domain))
            {
                return result;
            }

            int localOctets = Encoding.UTF8.GetByteCount(local);
            if (localOctets > MaxLocalPartOctets)
            {
                return result.Fail(MailAddressSyntaxRule.LocalPartTooLong,
                    $"The local part is {localOctets} octets; RFC 5321 §4.5.3.1.1 allows at most {MaxLocalPartOctets}.");
            }

            int total = localOctets + 1 + Encoding.UTF8.GetByteCount(result.Domain!);
            if (total > MaxAddressOctets)
            {
                return result.Fail(MailAddressSyntaxRule.PathTooLong,
                    $"The address is {total} octets; a path is at most 256 octets with its angle brackets, so {MaxAddressOctets} for the address (RFC 5321 §4.5.3.1.3).");
            }

            result.LocalPart = local;
            return result;
        }

        // The last "@" not inside a quoted string: "a@b"@example.com has its separator after the quote.
        private static int FindSeparator(string text)
        {
            bool quoted = false;
            int at = -1;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (quoted && c == '\\' && i + 1 < text.Length)
                {
                    i++;
                }
                else if (c == '"')
                {
                    quoted = !quoted;
                }
                else if (c == '@' && !quoted)
                {
                    at = i;
                }
            }

            return at;
        }

        private bool ReadLocalPart(string local)
        {
            if (local.Length == 0)
            {
                Fail(MailAddressSyntaxRule.EmptyLocalPart, "Nothing before the '@'; RFC 5321 §4.1.2 requires a local part.");
                return false;
            }

            if (local[0] == '"')
            {
                return ReadQuotedString(local);
            }

            // Dot-string = Atom *("." Atom): no leading, trailing or doubled dot.
            if (local[0] == '.' || local[local.Length - 1] == '.' || local.IndexOf("..", StringComparison.Ordinal) >= 0)
            {
                Fail(MailAddressSyntaxRule.LocalPartDot,
                    $"The local part '{local}' has a dot at an end or two in a row; RFC 5321 §4.1.2 Dot-string is Atom *(\".\" Atom). Quote it (\"{local}\") if it really is so.");
                return false;
            }

            for (int i = 0; i < local.Length; i++)
            {
                char c = local[i];
                if (c == '.')
                {
                    continue;
                }

                if (c >= 0x80)
                {
                    // RFC 6531 §3.3: atext =/ UTF8-non-ascii. A lone surrogate is not UTF-8.
                    if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < local.Length && char.IsLowSurrogate(local[i + 1])))
                    {
                        Fail(MailAddressSyntaxRule.LocalPartCharacter, "The local part holds a broken UTF-16 surrogate, which is no UTF-8 character (RFC 6531 §3.3).");
                        return false;
                    }

                    if (char.IsControl(c) || char.IsWhiteSpace(c))
                    {
                        Fail(MailAddressSyntaxRule.LocalPartCharacter, $"The local part holds U+{(int)c:X4}, a control or space character, which atext does not allow (RFC 5322 §3.2.3, RFC 6531 §3.3).");
                        return false;
                    }

                    RequiresSmtpUtf8 = true;
                    continue;
                }

                if (!IsAtext(c))
                {
                    string shown = c < 0x20 || c == 0x7F ? $"U+{(int)c:X4}" : "'" + c + "'";
                    Fail(MailAddressSyntaxRule.LocalPartCharacter,
                        $"The local part holds {shown}, which an unquoted local part cannot (atext, RFC 5322 §3.2.3; RFC 5321 §4.1.2 Atom).");
                    return false;
                }
            }

            return true;
        }

        // Quoted-string = DQUOTE *QcontentSMTP DQUOTE; qtextSMTP = %d32-33 / %d35-91 / %d93-126;
        // quoted-pairSMTP = %d92 %d32-126 (RFC 5321 §4.1.2), with UTF8-non-ascii (RFC 6531 §3.3).
        private bool ReadQuotedString(string local)
        {
            IsQuoted = true;
            if (local.Length < 2 || local[local.Length - 1] != '"')
            {
                Fail(MailAddressSyntaxRule.QuotedString, $"The quoted local part {local} does not end with its closing quote right before the '@' (RFC 5321 §4.1.2 Quoted-string).");
                return false;
            }

            for (int i = 1; i < local.Length - 1; i++)
            {
                char c = local[i];
                if (c == '\\')
                {
                    if (i + 1 >= local.Length - 1 || local[i + 1] < 32 || local[i + 1] > 126)
                    {
                        Fail(MailAddressSyntaxRule.QuotedString, "A backslash in a quoted local part must escape a printable ASCII character (RFC 5321 §4.1.2 quoted-pairSMTP).");
                        return false;
                    }

                    i++;
                    continue;
                }

                if (c == '"')
                {
                    Fail(MailAddressSyntaxRule.QuotedString, "A quote inside a quoted local part must be escaped as \\\" (RFC 5321 §4.1.2 qtextSMTP).");
                    return false;
                }

                if (c >= 0x80 && !char.IsControl(c))
                {
                    RequiresSmtpUtf8 = true;
                    continue;
                }

                if (c < 32 || c > 126)
                {
                    Fail(MailAddressSyntaxRule.QuotedString, $"U+{(int)c:X4} is not allowed in a quoted local part (RFC 5321 §4.1.2 qtextSMTP is %d32-33 / %d35-91 / %d93-126).");
                    return false;
                }
            }

            return true;
        }

        private bool ReadDomain(string domain)
        {
            if (domain.Length == 0)
            {
                Fail(MailAddressSyntaxRule.EmptyDomain, "Nothing after the '@'; RFC 5321 §4.1.2 requires a domain or an address literal.");
                return false;
            }

            if (domain[0] == '[')
            {
                return ReadAddressLiteral(domain);
            }

            if (IPAddress.TryParse(domain, out IPAddress? bare) && (bare.AddressFamily == AddressFamily.InterNetworkV6 || domain.Split('.').Length == 4))
            {
                Fail(MailAddressSyntaxRule.AddressLiteralUnbracketed,
                    $"'{domain}' is an IP address, which goes in brackets as an address literal: [{(bare.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6:" : string.Empty)}{domain}] (RFC 5321 §4.1.3).");
                return false;
            }

            if (domain.EndsWith(".", StringComparison.Ordinal))
            {
                Fail(MailAddressSyntaxRule.DomainLabel, $"The domain '{domain}' ends with a dot; RFC 5321 §4.1.2 Domain = sub-domain *(\".\" sub-domain) has no root dot.");
                return false;
            }

            // The shared mail-domain rules (docs/domain-names.md): UTS #46 A-labels (RFC 6531 §3.2),
            // LDH labels of 63 octets, 253 in all, fully qualified (RFC 5321 §2.3.5).
            if (!DomainName.TryParseQualified(domain, DomainNameKind.HostName, out DomainName? name, out DomainNameRule rule, out string? reason))
            {
                MailAddressSyntaxRule mapped = rule switch
                {
                    DomainNameRule.NameTooLong => MailAddressSyntaxRule.DomainTooLong,
                    DomainNameRule.NotQualified => MailAddressSyntaxRule.DomainNotQualified,
                    DomainNameRule.NumericTopLevelLabel => MailAddressSyntaxRule.AddressLiteralUnbracketed,
                    DomainNameRule.IpAddress => MailAddressSyntaxRule.AddressLiteralUnbracketed,
                    _ => MailAddressSyntaxRule.DomainLabel,
                };
                string extra = rule == DomainNameRule.NameTooLong ? " RFC 5321 §4.5.3.1.2 caps a domain at 255 octets; the DNS holds 253 in text." : string.Empty;
                Fail(mapped, DomainName.RefusalMessage(domain, rule, reason!) + extra);
                return false;
            }

            if (!string.Equals(name!.Value, domain.ToLowerInvariant(), StringComparison.Ordinal))
            {
                UnicodeDomain = domain;
            }

            Domain = name.Value;
            return true;
        }

        // address-literal = "[" ( IPv4-address-literal / IPv6-address-literal / General-address-literal ) "]"
        private bool ReadAddressLiteral(string domain)
        {
            IsAddressLiteral = true;
            if (domain[domain.Length - 1] != ']' || domain.Length < 3)
            {
                Fail(MailAddressSyntaxRule.AddressLiteral, $"The address literal '{domain}' has no closing ']' (RFC 5321 §4.1.3).");
                return false;
            }

            string inner = domain.Substring(1, domain.Length - 2);
            if (inner.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
            {
                string v6 = inner.Substring(5);
                if (v6.IndexOf('%') < 0 && IPAddress.TryParse(v6, out IPAddress? six) && six.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    LiteralAddress = six;
                    Domain = "[IPv6:" + six + "]";
                    return true;
                }

                Fail(MailAddressSyntaxRule.AddressLiteral, $"'{v6}' in '{domain}' is not an IPv6 address (RFC 5321 §4.1.3 IPv6-addr).");
                return false;
            }

            // IPv4-address-literal = Snum 3("." Snum), Snum = 1*3DIGIT of 0-255: IPAddress.TryParse
            // alone would take "1" or "0x7f.1", which this grammar does not.
            string[] parts = inner.Split('.');
            if (parts.Length == 4 && Array.TrueForAll(parts, p => p.Length >= 1 && p.Length <= 3 && IsAllDigits(p) && int.Parse(p, CultureInfo.InvariantCulture) <= 255))
            {
                LiteralAddress = IPAddress.Parse(inner);
                Domain = "[" + LiteralAddress + "]";
                return true;
            }

            int colon = inner.IndexOf(':');
            string reason = colon > 0
                ? $"'{inner.Substring(0, colon)}:' is not a registered address literal tag; only IPv6 is (RFC 5321 §4.1.3 General-address-literal)"
                : $"'{inner}' is not a dotted-quad IPv4 address (RFC 5321 §4.1.3 IPv4-address-literal)";
            Fail(MailAddressSyntaxRule.AddressLiteral, $"The address literal '{domain}' is refused: {reason}.");
            return false;
        }

        // atext = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "/" / "=" / "?" / "^" / "_" / "`" / "{" / "|" / "}" / "~"
        internal static bool IsAtext(char c) =>
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-/=?^_`{|}~".IndexOf(c) >= 0;

        private static bool IsAllDigits(string text)
        {
            foreach (char c in text)
            {
                if (c < '0' || c > '9')
                {
                    return false;
                }
            }

            return text.Length > 0;
        }

        private MailAddressSyntax Fail(MailAddressSyntaxRule rule, string message)
        {
            RuleCode = rule;
            Error = message;
            LocalPart = null;
            Domain = null;
            return this;
        }
    }
}
