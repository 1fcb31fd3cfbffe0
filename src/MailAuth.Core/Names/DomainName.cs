using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailAuth.Names
{
    /// <summary>Which label rules a name must meet (docs/domain-names.md).</summary>
    public enum DomainNameKind
    {
        /// <summary>
        /// A mail domain or host: labels of letters, digits and inner hyphens (RFC 952, RFC 1123 §2.1;
        /// RFC 5321 §4.1.2 sub-domain). What a user gives every domain-taking cmdlet.
        /// </summary>
        HostName,

        /// <summary>
        /// A name looked up in the DNS: host-name labels, and labels with underscores such as
        /// <c>_dmarc</c>, <c>_domainkey</c>, <c>_mta-sts</c>, <c>_smtp._tls</c> and SPF's <c>_spf</c>
        /// (RFC 8552 §2; RFC 2181 §11 lets the DNS hold any label). DKIM and BIMI selectors, SPF targets.
        /// </summary>
        DnsName,
    }

    /// <summary>The rule a refused name breaks; each names its RFC section (<see cref="DomainName.ReferenceOf"/>).</summary>
    public enum DomainNameRule
    {
        /// <summary>No rule broken.</summary>
        None,
        /// <summary>Nothing to look up.</summary>
        Empty,
        /// <summary>Two dots in a row, or a dot at the start: only the root label is empty (RFC 1035 §2.3.1, §3.1).</summary>
        EmptyLabel,
        /// <summary>A label over 63 octets (RFC 1035 §2.3.4).</summary>
        LabelTooLong,
        /// <summary>A name over 253 octets in text, 255 on the wire (RFC 1035 §2.3.4).</summary>
        NameTooLong,
        /// <summary>White space, a control character or another character no label may hold (RFC 1123 §2.1, RFC 952).</summary>
        InvalidCharacter,
        /// <summary>A host-name label that starts or ends with a hyphen (RFC 952, RFC 1123 §2.1).</summary>
        Hyphen,
        /// <summary>An underscore in a host name: allowed only in DNS names such as _dmarc.contoso.com (RFC 8552 §2).</summary>
        Underscore,
        /// <summary>An IP address where a domain is required (RFC 5321 §4.1.3 keeps addresses in literals).</summary>
        IpAddress,
        /// <summary>An all-numeric top-level label (RFC 3696 §2).</summary>
        NumericTopLevelLabel,
        /// <summary>A label that is no valid IDN: not mappable by UTS #46, or an xn-- label that is no valid A-label (RFC 5890 §2.3.2.1, RFC 5891 §5).</summary>
        InvalidIdn,
        /// <summary>A single-label mail domain: only fully-qualified domains are permitted (RFC 5321 §2.3.5).</summary>
        NotQualified,
        /// <summary>A URL this reads no host from: only http, https and mailto are read.</summary>
        Url,
        /// <summary>A "#" or ";" comment line of a domains file.</summary>
        Comment,
    }

    /// <summary>Thrown for a refused name; an <see cref="ArgumentException"/> so callers map it to InvalidArgument.</summary>
    public sealed class DomainNameException : ArgumentException
    {
        public DomainNameException(string? input, DomainNameRule rule, string message, string? paramName = null)
            : base(message, paramName)
        {
            Input = input;
            Rule = rule;
        }

        /// <summary>The value as given.</summary>
        public string? Input { get; }

        /// <summary>The rule it breaks.</summary>
        public DomainNameRule Rule { get; }

        /// <summary>The message without the ParamName suffix ArgumentException adds.</summary>
        public string Reason => base.Message.Split(new[] { Environment.NewLine + "Parameter name" }, StringSplitOptions.None)[0];
    }

    /// <summary>
    /// A domain name in one form: lower-case A-labels without the trailing dot, labels 1 to 63
    /// octets, at most 253 octets (RFC 1035 §2.3.4), each label valid for its <see cref="Kind"/>.
    /// An instance cannot hold an invalid name: build one with <see cref="Parse"/> or
    /// <see cref="TryParse"/> (a name as it stands) or read user input with
    /// <see cref="DomainNameInput.Read"/> (addresses, URLs, white space). Immutable; compares by value.
    /// </summary>
    public sealed class DomainName : IEquatable<DomainName>
    {
        /// <summary>RFC 1035 §2.3.4: 255 octets on the wire is 253 in dotted text without the root's dot.</summary>
        public const int MaxLength = 253;

        /// <summary>RFC 1035 §2.3.4.</summary>
        public const int MaxLabelLength = 63;

        // UTS #46 with the STD3 rules: a U-label maps to letters, digits and hyphens only (RFC 5891 §4.2.3).
        private static readonly IdnMapping s_idn = new IdnMapping { AllowUnassigned = false, UseStd3AsciiRules = true };

        private string[]? _labels;

        private DomainName(string value, string[]? labels, DomainNameKind kind)
        {
            Value = value;
            _labels = labels;
            Kind = kind;
        }

        // Split when first asked: most names are only compared and queried.
        private string[] LabelArray => _labels ??= Value.Split('.');

        /// <summary>Lower-case A-label form without the trailing dot.</summary>
        public string Value { get; }

        /// <summary>The rules it was checked by.</summary>
        public DomainNameKind Kind { get; }

        /// <summary>The labels, left to right.</summary>
        public IReadOnlyList<string> Labels => LabelArray;

        public int LabelCount => LabelArray.Length;

        /// <summary>The U-label form for display (xn--bcher-kva.example gives bücher.example).</summary>
        public string Unicode
        {
            get
            {
                try
                {
                    return s_idn.GetUnicode(Value);
                }
                catch (ArgumentException)
                {
                    return Value;
                }
            }
        }

        /// <summary>The name less its leftmost label, or null for a single label.</summary>
        public DomainName? Parent => LabelArray.Length < 2 ? null : LastLabels(LabelArray.Length - 1);

        /// <summary>The rightmost <paramref name="count"/> labels (all of them when count is larger).</summary>
        public DomainName LastLabels(int count)
        {
            if (count < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(count), count, "A name has one label at least.");
            }

            string[] all = LabelArray;
            if (count >= all.Length)
            {
                return this;
            }

            var labels = new string[count];
            Array.Copy(all, all.Length - count, labels, 0, count);
            return new DomainName(string.Join(".", labels), labels, Kind);
        }

        /// <summary>True when this name equals <paramref name="ancestor"/> or lies below it.</summary>
        public bool IsSameOrBelow(DomainName ancestor)
        {
            if (ancestor is null)
            {
                throw new ArgumentNullException(nameof(ancestor));
            }

            return IsSameOrBelow(Value, ancestor.Value);
        }

        /// <summary>A name refused by its rule throws <see cref="DomainNameException"/>; nothing but the name is read.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
        /// <exception cref="DomainNameException">The name breaks a rule of <paramref name="kind"/>.</exception>
        public static DomainName Parse(string name, DomainNameKind kind = DomainNameKind.HostName)
        {
            if (name is null)
            {
                throw new ArgumentNullException(nameof(name));
            }

            if (!TryParse(name, kind, out DomainName? result, out DomainNameRule rule, out string? reason))
            {
                throw new DomainNameException(name, rule, RefusalMessage(name, rule, reason!), nameof(name));
            }

            return result!;
        }

        /// <summary>
        /// Checks a name as it stands (trailing dot and case aside): no address or URL is taken
        /// apart, no white space trimmed. False with the rule and a sentence on what is wrong.
        /// </summary>
        public static bool TryParse(string? name, DomainNameKind kind, out DomainName? result, out DomainNameRule rule, out string? reason)
        {
            result = null;
            rule = DomainNameRule.None;
            reason = null;
            if (name != null && IsPlainName(name, kind))
            {
                // Already in the one form: what the rules of TryParseByRules would return unchanged.
                result = new DomainName(name, null, kind);
                return true;
            }

            return TryParseByRules(name, kind, out result, out rule, out reason);
        }

        /// <summary><see cref="TryParse"/> without its shortcut for names already in the one form (tests compare the two).</summary>
        internal static bool TryParseByRules(string? name, DomainNameKind kind, out DomainName? result, out DomainNameRule rule, out string? reason)
        {
            result = null;
            rule = DomainNameRule.None;
            reason = null;
            string value = (name ?? string.Empty).Replace('\u3002', '.').Replace('\uFF0E', '.').Replace('\uFF61', '.');
            if (value.EndsWith(".", StringComparison.Ordinal))
            {
                // RFC 1034 §3.1: the trailing dot names the root; the name is the same without it.
                value = value.Substring(0, value.Length - 1);
            }

            if (value.Length == 0)
            {
                return Fail(DomainNameRule.Empty, "it is empty", out rule, out reason);
            }

            if (value[0] == '[' || IsIpAddress(value))
            {
                return Fail(DomainNameRule.IpAddress, "it is an IP address, not a domain; use Get-MailIpReport (mailauth ip) for an address", out rule, out reason);
            }

            // Stop before splitting a hostile name into thousands of labels.
            if (value.Length > MaxLength * 4)
            {
                return Fail(DomainNameRule.NameTooLong, $"it is {value.Length} characters long; a name has at most {MaxLength} octets", out rule, out reason);
            }

            string[] labels = value.Split('.');
            int octets = labels.Length - 1;
            for (int i = 0; i < labels.Length; i++)
            {
                string? ascii = CheckLabel(labels[i], kind, out rule, out reason);
                if (ascii is null)
                {
                    return false;
                }

                labels[i] = ascii;
                octets += ascii.Length;
            }

            if (octets > MaxLength)
            {
                return Fail(DomainNameRule.NameTooLong, $"it is {octets} octets long; a name has at most {MaxLength}", out rule, out reason);
            }

            if (kind == DomainNameKind.HostName && labels.Length > 1 && IsAllDigits(labels[labels.Length - 1]))
            {
                return Fail(DomainNameRule.NumericTopLevelLabel, $"its top-level label '{labels[labels.Length - 1]}' is all digits", out rule, out reason);
            }

            result = new DomainName(string.Join(".", labels), labels, kind);
            return true;
        }

        /// <summary>
        /// A DKIM or BIMI selector: one or more DNS labels (RFC 6376 §3.1 selector = sub-domain
        /// *( "." sub-domain )), checked by the <see cref="DomainNameKind.DnsName"/> rules.
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="selector"/> is null.</exception>
        /// <exception cref="DomainNameException">It is refused; the message names the rule.</exception>
        public static string ParseSelector(string? selector, string paramName)
        {
            if (selector is null)
            {
                throw new ArgumentNullException(paramName, "A selector is null; remove it.");
            }

            if (!TryParse(selector.Trim(), DomainNameKind.DnsName, out DomainName? name, out DomainNameRule rule, out string? reason))
            {
                throw new DomainNameException(selector, rule,
                    $"'{Shorten(selector)}' is not a selector: {reason} (rule {rule}, {ReferenceOf(rule)}). A selector is one or more DNS labels such as selector1 or s1.2024.", paramName);
            }

            return name!.Value;
        }

        /// <summary>
        /// A fully-qualified name: two labels at least, as a mail domain must be (RFC 5321 §2.3.5;
        /// RFC 7208 §4.3 for SPF's identities). Otherwise as <see cref="TryParse"/>.
        /// </summary>
        public static bool TryParseQualified(string? name, DomainNameKind kind, out DomainName? result, out DomainNameRule rule, out string? reason)
        {
            if (!TryParse(name, kind, out result, out rule, out reason))
            {
                return false;
            }

            if (result!.LabelCount < 2)
            {
                reason = $"'{result.Value}' is a single label; give a fully-qualified domain such as contoso.com";
                rule = DomainNameRule.NotQualified;
                result = null;
                return false;
            }

            return true;
        }

        /// <summary>The RFC section behind a rule, for messages and docs.</summary>
        public static string ReferenceOf(DomainNameRule rule) => rule switch
        {
            DomainNameRule.Empty => "RFC 1035 §2.3.1",
            DomainNameRule.EmptyLabel => "RFC 1035 §2.3.1",
            DomainNameRule.LabelTooLong => "RFC 1035 §2.3.4",
            DomainNameRule.NameTooLong => "RFC 1035 §2.3.4",
            DomainNameRule.InvalidCharacter => "RFC 1123 §2.1",
            DomainNameRule.Hyphen => "RFC 952, RFC 1123 §2.1",
            DomainNameRule.Underscore => "RFC 1123 §2.1, RFC 8552 §2",
            DomainNameRule.IpAddress => "RFC 5321 §4.1.3",
            DomainNameRule.NumericTopLevelLabel => "RFC 3696 §2",
            DomainNameRule.InvalidIdn => "RFC 5891 §5, UTS #46",
            DomainNameRule.NotQualified => "RFC 5321 §2.3.5",
            DomainNameRule.Url => "RFC 3986 §3.2.2",
            DomainNameRule.Comment => "docs/domain-names.md",
            _ => string.Empty,
        };

        /// <summary>The one refusal sentence every cmdlet and the CLI print: the value, the rule and its section, what is wrong.</summary>
        public static string RefusalMessage(string? input, DomainNameRule rule, string reason)
        {
            string shown = input is null ? "(null)" : input.Length > 80 ? input.Substring(0, 77) + "..." : input;
            return $"'{shown}' is not a domain name: {reason} (rule {rule}, {ReferenceOf(rule)}).";
        }

        /// <summary>
        /// The name a query goes out for when it was built rather than typed (an SPF macro
        /// expansion, RFC 7208 §7.3; a query name given to the resolver): the DNS holds any octets
        /// in a label (RFC 2181 §11), so only the empty-label and length rules apply, and
        /// U-labels become A-labels. Lower case, no trailing dot; null with the reason otherwise.
        /// </summary>
        internal static string? ToQueryName(string name, out string? reason)
        {
            reason = null;
            if (IsPlainQueryName(name))
            {
                // Every query of a bulk audit comes here: an ASCII name within the limits is its own query name.
                return name;
            }

            string value = name.Replace('\u3002', '.').Replace('\uFF0E', '.').Replace('\uFF61', '.');
            if (value.EndsWith(".", StringComparison.Ordinal))
            {
                value = value.Substring(0, value.Length - 1);
            }

            if (value.Length == 0)
            {
                reason = "the name is empty";
                return null;
            }

            string[] labels = value.Split('.');
            int octets = labels.Length - 1;
            for (int i = 0; i < labels.Length; i++)
            {
                string label = labels[i];
                if (label.Length == 0)
                {
                    reason = "it has an empty label (a leading dot or two dots in a row)";
                    return null;
                }

                if (!IsAscii(label))
                {
                    try
                    {
                        label = s_idn.GetAscii(label);
                    }
                    catch (ArgumentException ex)
                    {
                        reason = $"label '{labels[i]}' is not a valid internationalized label ({ex.Message})";
                        return null;
                    }
                }

                if (label.Length > MaxLabelLength)
                {
                    reason = $"label '{Shorten(label)}' is {label.Length} octets long; a label has at most {MaxLabelLength} (RFC 1035 §2.3.4)";
                    return null;
                }

                labels[i] = label;
                octets += label.Length;
            }

            if (octets > MaxLength)
            {
                reason = $"it is {octets} characters long; a name has at most {MaxLength} (RFC 1035 §2.3.4)";
                return null;
            }

            return string.Join(".", labels);
        }

        /// <summary>
        /// True when <see cref="TryParse"/> would accept <paramref name="name"/> and return it unchanged:
        /// lower-case letters, digits, inner hyphens (and '_' where the kind allows it), no empty label,
        /// no trailing dot, no xn-- label (those are checked as A-labels), a top-level label that is not
        /// all digits (nor an IP address, then), and the lengths of RFC 1035 §2.3.4.
        /// </summary>
        private static bool IsPlainName(string name, DomainNameKind kind)
        {
            if (name.Length == 0 || name.Length > MaxLength)
            {
                return false;
            }

            int labelStart = 0;
            bool labelHasNonDigit = false;
            for (int i = 0; i <= name.Length; i++)
            {
                char c = i < name.Length ? name[i] : '.';
                if (c == '.')
                {
                    int length = i - labelStart;
                    if (length == 0 || length > MaxLabelLength || name[labelStart] == '-' || name[i - 1] == '-'
                        || (length >= 4 && name[labelStart + 2] == '-' && name[labelStart + 3] == '-'))
                    {
                        return false; // empty, too long, a hyphen at an end, or an xn-- (or other ??--) label
                    }

                    if (i == name.Length)
                    {
                        // The top-level label: one that starts with a digit may make the whole an IPv4 address
                        // (IPAddress.TryParse reads "1.0x1"), or be the HostName rule's all-digits refusal.
                        return labelHasNonDigit && (name[labelStart] < '0' || name[labelStart] > '9');
                    }

                    labelStart = i + 1;
                    labelHasNonDigit = false;
                }
                else if ((c >= 'a' && c <= 'z') || c == '-' || (c == '_' && kind != DomainNameKind.HostName))
                {
                    labelHasNonDigit = true;
                }
                else if (c < '0' || c > '9')
                {
                    return false;
                }
            }

            return false;
        }

        // ASCII, no trailing or empty label, labels and name within RFC 1035 §2.3.4: what the full path
        // below would return unchanged.
        private static bool IsPlainQueryName(string name)
        {
            if (name.Length == 0 || name.Length > MaxLength)
            {
                return false;
            }

            int labelLength = 0;
            foreach (char c in name)
            {
                if (c >= 0x80)
                {
                    return false;
                }

                if (c == '.')
                {
                    if (labelLength == 0)
                    {
                        return false;
                    }

                    labelLength = 0;
                }
                else if (++labelLength > MaxLabelLength)
                {
                    return false;
                }
            }

            return labelLength > 0;
        }

        /// <summary>
        /// The reverse-lookup name of an address: d.c.b.a.in-addr.arpa (RFC 1035 §3.5) or the 32
        /// nibbles of ip6.arpa (RFC 3596 §2.5).
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="ip"/> is null.</exception>
        public static string ReverseName(IPAddress ip)
        {
            if (ip is null)
            {
                throw new ArgumentNullException(nameof(ip));
            }

            byte[] bytes = ip.GetAddressBytes();
            var builder = new StringBuilder();
            if (ip.AddressFamily == AddressFamily.InterNetwork)
            {
                for (int i = bytes.Length - 1; i >= 0; i--)
                {
                    builder.Append(bytes[i].ToString(CultureInfo.InvariantCulture)).Append('.');
                }

                return builder.Append("in-addr.arpa").ToString();
            }

            for (int i = bytes.Length - 1; i >= 0; i--)
            {
                builder.Append("0123456789abcdef"[bytes[i] & 0xF]).Append('.').Append("0123456789abcdef"[bytes[i] >> 4]).Append('.');
            }

            return builder.Append("ip6.arpa").ToString();
        }

        // ---- helpers over names already in this form (lower case, no trailing dot) ----------

        /// <summary>How many labels a normalised name has.</summary>
        internal static int CountLabels(string name) => name.Split('.').Length;

        /// <summary>The rightmost <paramref name="count"/> labels of a normalised name.</summary>
        internal static string LastLabels(string name, int count)
        {
            string[] labels = name.Split('.');
            return count >= labels.Length ? name : string.Join(".", labels, labels.Length - count, count);
        }

        /// <summary>A normalised name less its leftmost label, or null for a single label.</summary>
        internal static string? ParentOf(string name)
        {
            int dot = name.IndexOf('.');
            return dot < 0 ? null : name.Substring(dot + 1);
        }

        /// <summary>True when <paramref name="name"/> equals <paramref name="ancestor"/> or lies below it (no case, trailing dots ignored).</summary>
        public static bool IsSameOrBelow(string name, string ancestor)
        {
            if (name is null)
            {
                throw new ArgumentNullException(nameof(name));
            }

            if (ancestor is null)
            {
                throw new ArgumentNullException(nameof(ancestor));
            }

            name = name.TrimEnd('.');
            ancestor = ancestor.TrimEnd('.');
            return string.Equals(name, ancestor, StringComparison.OrdinalIgnoreCase)
                || name.EndsWith("." + ancestor, StringComparison.OrdinalIgnoreCase);
        }

        public bool Equals(DomainName? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);

        public override bool Equals(object? obj) => obj is DomainName other && Equals(other);

        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

        public override string ToString() => Value;

        public static bool operator ==(DomainName? left, DomainName? right) => left is null ? right is null : left.Equals(right);

        public static bool operator !=(DomainName? left, DomainName? right) => !(left == right);

        // ---- label rules ----------------------------------------------------------------------

        private static string? CheckLabel(string label, DomainNameKind kind, out DomainNameRule rule, out string? reason)
        {
            rule = DomainNameRule.None;
            reason = null;
            if (label.Length == 0)
            {
                Fail(DomainNameRule.EmptyLabel, "it has an empty label (two dots in a row, or a dot at the start)", out rule, out reason);
                return null;
            }

            foreach (char c in label)
            {
                if (char.IsWhiteSpace(c) || char.IsControl(c))
                {
                    string what = c == ' ' ? "a space" : char.IsWhiteSpace(c) ? "white space" : $"the control character U+{(int)c:X4}";
                    Fail(DomainNameRule.InvalidCharacter, $"the label '{Shorten(label)}' holds {what}", out rule, out reason);
                    return null;
                }
            }

            string ascii;
            if (IsAscii(label))
            {
                ascii = label.ToLowerInvariant();
                if (ascii.StartsWith("xn--", StringComparison.Ordinal) && !IsValidALabel(ascii))
                {
                    Fail(DomainNameRule.InvalidIdn, $"the label '{Shorten(label)}' starts with xn-- but is no valid A-label", out rule, out reason);
                    return null;
                }
            }
            else
            {
                try
                {
                    // UTS #46 maps case and width and refuses what IDNA 2008 disallows (RFC 5891 §5).
                    ascii = s_idn.GetAscii(label).ToLowerInvariant();
                }
                catch (ArgumentException)
                {
                    Fail(DomainNameRule.InvalidIdn, $"the label '{Shorten(label)}' is not a valid internationalized label (UTS #46 ToASCII refuses it: a disallowed character, or an A-label over {MaxLabelLength} octets)", out rule, out reason);
                    return null;
                }
            }

            if (ascii.Length > MaxLabelLength)
            {
                Fail(DomainNameRule.LabelTooLong, $"the label '{Shorten(ascii)}' is {ascii.Length} octets long; a label has at most {MaxLabelLength}", out rule, out reason);
                return null;
            }

            foreach (char c in ascii)
            {
                bool ldh = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                if (c == '_')
                {
                    if (kind == DomainNameKind.HostName)
                    {
                        Fail(DomainNameRule.Underscore, $"the label '{Shorten(ascii)}' holds '_', which a mail domain cannot; give the domain itself, such as contoso.com", out rule, out reason);
                        return null;
                    }
                }
                else if (!ldh)
                {
                    Fail(DomainNameRule.InvalidCharacter, $"the label '{Shorten(ascii)}' holds '{c}'; a label holds letters, digits and hyphens", out rule, out reason);
                    return null;
                }
            }

            if (ascii[0] == '-' || ascii[ascii.Length - 1] == '-')
            {
                Fail(DomainNameRule.Hyphen, $"the label '{Shorten(ascii)}' starts or ends with a hyphen", out rule, out reason);
                return null;
            }

            return ascii;
        }

        private static bool IsValidALabel(string label)
        {
            try
            {
                string unicode = s_idn.GetUnicode(label);
                return !string.Equals(unicode, label, StringComparison.Ordinal)
                    && string.Equals(s_idn.GetAscii(unicode), label, StringComparison.OrdinalIgnoreCase);
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        private static bool IsIpAddress(string value)
        {
            if (!IPAddress.TryParse(value, out IPAddress? address))
            {
                return false;
            }

            // IPAddress also reads "1.2" or "7": only the dotted quad and IPv6 are addresses here.
            return address.AddressFamily == AddressFamily.InterNetworkV6 || value.Split('.').Length == 4;
        }

        private static bool IsAllDigits(string label)
        {
            foreach (char c in label)
            {
                if (c < '0' || c > '9')
                {
                    return false;
                }
            }

            return label.Length > 0;
        }

        private static bool IsAscii(string value)
        {
            foreach (char c in value)
            {
                if (c > 0x7F)
                {
                    return false;
                }
            }

            return true;
        }

        private static bool Fail(DomainNameRule broken, string why, out DomainNameRule rule, out string? reason)
        {
            rule = broken;
            reason = why;
            return false;
        }

        internal static string Shorten(string text) => text.Length <= 40 ? text : text.Substring(0, 37) + "...";
    }
}
