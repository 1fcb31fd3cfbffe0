using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MailAuth
{
    /// <summary>
    /// The address of an SMTP client, parsed strictly, in one place for every input: Test-Spf,
    /// <c>mailauth spf check</c>, Received and Received-SPF fields, Authentication-Results
    /// comments, X-Originating-IP, message-trace FromIP columns.
    /// </summary>
    /// <remarks>
    /// <para>Accepted (surrounding white space ignored):</para>
    /// <list type="bullet">
    /// <item>IPv4 as a dotted quad of decimal numbers 0-255: <c>52.100.165.209</c>;</item>
    /// <item>IPv6 in full or compressed form (RFC 4291 §2.2), hex digits in either case, with an IPv4
    /// tail (<c>64:ff9b::192.0.2.1</c>) and IPv4-mapped (<c>::ffff:192.0.2.1</c>, returned as the
    /// IPv6 address it is; SPF evaluates it as IPv4, RFC 7208 §5);</item>
    /// <item>the RFC 5321 §4.1.3 address literals <c>[192.0.2.1]</c> and <c>[IPv6:2001:db8::1]</c>,
    /// and as logs write them <c>[2001:db8::1]</c> and <c>IPv6:2001:db8::1</c>;</item>
    /// <item>an IPv6 zone (<c>fe80::1%eth0</c>, RFC 4007 §11), dropped: it names a local interface, not the client.</item>
    /// </list>
    /// <para>Refused, with a message naming the value: the inet_aton shorthands that
    /// <see cref="IPAddress.TryParse(string, out IPAddress)"/> takes (<c>1.2</c> = 1.0.0.2, <c>127.1</c>,
    /// <c>0x7f.1</c>, <c>4294967295</c>), and parts with a leading zero (<c>010.0.0.1</c>). RFC 5321's
    /// Snum reads 010 as decimal 10, but inet_aton and .NET read it as octal 8: the same text names two
    /// different hosts to different software (the confusion behind CVE-2021-29921), and no MTA writes a
    /// client address that way, so the value is refused with both readings instead of guessed.</para>
    /// </remarks>
    public static class ClientAddress
    {
        private const string Example = "such as 192.0.2.25, 2001:db8::25 or [IPv6:2001:db8::25]";

        /// <summary>Parses a client address; see the remarks of <see cref="ClientAddress"/> for the forms.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
        /// <exception cref="FormatException">The text is not a client address; the message names the value and says why.</exception>
        public static IPAddress Parse(string text)
        {
            if (text is null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            if (!TryParse(text, out IPAddress? address, out string? error))
            {
                throw new FormatException(error);
            }

            return address!;
        }

        /// <summary>Parses a client address; false for anything else (an empty value included).</summary>
        public static bool TryParse(string? text, out IPAddress? address) => TryParse(text, out address, out _);

        /// <summary>Parses a client address; when it is not one, <paramref name="error"/> says why, naming the value.</summary>
        public static bool TryParse(string? text, out IPAddress? address, out string? error)
        {
            address = null;
            string value = (text ?? string.Empty).Trim();
            if (value.Length == 0)
            {
                error = "The client address is empty.";
                return false;
            }

            string? why = ParseCore(value, out address);
            error = why is null ? null : $"'{value}' is not a client IP address: {why}.";
            return why is null;
        }

        /// <summary>
        /// An address as trace fields write it (Received, X-Originating-IP): also with a port after a
        /// literal or an IPv4 address (<c>[192.0.2.1]:51234</c>, <c>192.0.2.1:25</c>) or a trailing dot.
        /// </summary>
        internal static bool TryParseTraceToken(string? text, out IPAddress? address)
        {
            address = null;
            string value = (text ?? string.Empty).Trim().TrimEnd('.');
            if (value.Length == 0)
            {
                return false;
            }

            int close = value.LastIndexOf(']');
            if (value.StartsWith("[", StringComparison.Ordinal) && close > 0 && close < value.Length - 1 && value[close + 1] == ':' && IsPort(value.Substring(close + 2)))
            {
                value = value.Substring(0, close + 1);
            }
            else if (value.IndexOf(':') > 0 && value.IndexOf(':') == value.LastIndexOf(':') && value.IndexOf('.') > 0 && IsPort(value.Substring(value.IndexOf(':') + 1)))
            {
                value = value.Substring(0, value.IndexOf(':'));
            }

            return ParseCore(value, out address) is null;
        }

        private static bool IsPort(string text) =>
            text.Length > 0 && text.Length <= 5 && IsDigits(text) && int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) <= 65535;

        /// <summary>Null when <paramref name="value"/> (trimmed, not empty) is an address; else why not.</summary>
        private static string? ParseCore(string value, out IPAddress? address)
        {
            address = null;
            string inner = value;
            bool bracketed = false;
            if (inner.StartsWith("[", StringComparison.Ordinal))
            {
                if (!inner.EndsWith("]", StringComparison.Ordinal))
                {
                    return inner.IndexOf(']') < 0
                        ? "a '[' opens an address literal but no ']' closes it (RFC 5321 §4.1.3)"
                        : "there is text after the ']' of the address literal";
                }

                inner = inner.Substring(1, inner.Length - 2).Trim();
                bracketed = true;
                if (inner.Length == 0)
                {
                    return "the address literal is empty";
                }
            }
            else if (inner.EndsWith("]", StringComparison.Ordinal))
            {
                return "a ']' closes an address literal that no '[' opens";
            }

            bool tagged = false;
            if (inner.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
            {
                inner = inner.Substring(5);
                tagged = true;
                if (inner.Length == 0)
                {
                    return "nothing follows the IPv6: tag";
                }
            }

            foreach (char c in inner)
            {
                if (char.IsWhiteSpace(c))
                {
                    return "it contains white space";
                }
            }

            if (inner.IndexOf(':') >= 0)
            {
                string? why = ParseIPv6(inner, out address);
                if (why != null && !tagged && !bracketed && IsIPv4WithPort(inner))
                {
                    return $"'{inner.Substring(inner.IndexOf(':'))}' is a port; give the address alone";
                }

                return why;
            }

            if (tagged)
            {
                string? v4 = ParseIPv4(inner, out _);
                return v4 is null
                    ? $"the IPv6: tag is followed by an IPv4 address; write [{inner}] or {inner}"
                    : $"'{inner}' after the IPv6: tag is not an IPv6 address";
            }

            return ParseIPv4(inner, out address);
        }

        private static bool IsIPv4WithPort(string text)
        {
            int colon = text.IndexOf(':');
            return colon > 0 && colon == text.LastIndexOf(':') && ParseIPv4(text.Substring(0, colon), out _) is null;
        }

        // ---- IPv4 -----------------------------------------------------------------------------

        /// <summary>A dotted quad of decimal numbers 0-255 without leading zeros; else why not.</summary>
        private static string? ParseIPv4(string text, out IPAddress? address)
        {
            address = null;
            string[] parts = text.Split('.');
            bool numeric = true;
            foreach (string part in parts)
            {
                if (part.Length == 0 || !IsDigits(part))
                {
                    numeric = false;
                    break;
                }
            }

            if (!numeric || parts.Length != 4)
            {
                return NotIPv4(text, parts);
            }

            var bytes = new byte[4];
            for (int i = 0; i < 4; i++)
            {
                string part = parts[i];
                if (part.Length > 1 && part[0] == '0')
                {
                    string trimmed = part.TrimStart('0');
                    string asDecimal = trimmed.Length == 0 ? "0" : trimmed;
                    string? asOctal = OctalValue(part);
                    string decimalReading = string.Join(".", Replace(parts, i, asDecimal));
                    return asOctal is null || asOctal == asDecimal
                        ? $"'{part}' has a leading zero, which some software reads as octal; write {decimalReading}"
                        : $"'{part}' has a leading zero: RFC 5321 reads it as decimal {asDecimal}, inet_aton and .NET as octal {asOctal}; write {decimalReading} or {string.Join(".", Replace(parts, i, asOctal))}, whichever is meant";
                }

                if (part.Length > 3 || int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture) > 255)
                {
                    return $"'{part}' is over 255; each of the four parts of an IPv4 address is 0-255";
                }

                bytes[i] = byte.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture);
            }

            address = new IPAddress(bytes);
            return null;
        }

        private static string[] Replace(string[] parts, int index, string value)
        {
            var copy = (string[])parts.Clone();
            copy[index] = value;
            return copy;
        }

        private static string? OctalValue(string digits)
        {
            long value = 0;
            foreach (char c in digits)
            {
                if (c > '7')
                {
                    return null;
                }

                value = value * 8 + (c - '0');
                if (value > 255)
                {
                    return null;
                }
            }

            return value.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>Why text without ':' is not a dotted quad: an inet_aton shorthand, a host name, or stray characters.</summary>
        private static string NotIPv4(string text, string[] parts)
        {
            string? shorthand = InetAtonReading(parts);
            if (shorthand != null)
            {
                string form = parts.Length == 4
                    ? "hexadecimal or octal parts are an inet_aton shorthand"
                    : $"it has {parts.Length} part{(parts.Length == 1 ? string.Empty : "s")}, an inet_aton shorthand";
                return $"{form} (some software would read it as {shorthand}); an SMTP client address is written as four decimal numbers, {Example}";
            }

            bool allNumeric = true;
            foreach (string part in parts)
            {
                allNumeric &= part.Length > 0 && IsDigits(part);
            }

            if (allNumeric && parts.Length > 4)
            {
                return $"it has {parts.Length} parts; an IPv4 address has four";
            }

            foreach (string part in parts)
            {
                if (part.Length == 0)
                {
                    return "it has an empty part (a leading, trailing or doubled dot)";
                }
            }

            bool letters = false;
            foreach (char c in text)
            {
                letters |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            }

            return letters
                ? $"it is not an IP address (a host name?); give the connecting client's address, {Example}"
                : $"it is not an IPv4 or IPv6 address; give the connecting client's address, {Example}";
        }

        /// <summary>What inet_aton(3) would make of 1-4 numeric parts (decimal, 0-octal, 0x-hex), or null.</summary>
        private static string? InetAtonReading(string[] parts)
        {
            if (parts.Length < 1 || parts.Length > 4)
            {
                return null;
            }

            var values = new ulong[parts.Length];
            bool special = parts.Length != 4;
            for (int i = 0; i < parts.Length; i++)
            {
                string p = parts[i];
                ulong v = 0;
                if (p.Length > 2 && (p[1] == 'x' || p[1] == 'X') && p[0] == '0')
                {
                    special = true;
                    foreach (char c in p.Substring(2))
                    {
                        int d = HexValue(c);
                        if (d < 0 || v > 0xFFFFFFFF)
                        {
                            return null;
                        }

                        v = v * 16 + (ulong)d;
                    }
                }
                else if (p.Length > 1 && p[0] == '0')
                {
                    foreach (char c in p)
                    {
                        if (c < '0' || c > '7' || v > 0xFFFFFFFF)
                        {
                            return null;
                        }

                        v = v * 8 + (ulong)(c - '0');
                    }
                }
                else if (p.Length > 0 && IsDigits(p) && p.Length <= 10)
                {
                    v = ulong.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture);
                }
                else
                {
                    return null;
                }

                values[i] = v;
            }

            if (!special)
            {
                return null; // four decimal parts: out of range or leading zeros, reported elsewhere
            }

            // The last part fills the bytes the others leave (inet_aton(3)).
            int lead = parts.Length - 1;
            ulong result = 0;
            for (int i = 0; i < lead; i++)
            {
                if (values[i] > 255)
                {
                    return null;
                }

                result = (result << 8) | values[i];
            }

            int restBits = (4 - lead) * 8;
            if (values[lead] >= (1UL << restBits))
            {
                return null;
            }

            result = (result << restBits) | values[lead];
            return new IPAddress(new[] { (byte)(result >> 24), (byte)(result >> 16), (byte)(result >> 8), (byte)result }).ToString();
        }

        // ---- IPv6 -----------------------------------------------------------------------------

        /// <summary>RFC 4291 §2.2 text (full, compressed, with an IPv4 tail), an optional zone; else why not.</summary>
        private static string? ParseIPv6(string text, out IPAddress? address)
        {
            address = null;
            int percent = text.IndexOf('%');
            if (percent >= 0)
            {
                if (percent == text.Length - 1)
                {
                    return "the '%' of an IPv6 zone is not followed by the zone";
                }

                text = text.Substring(0, percent);
            }

            if (text.IndexOf(":::", StringComparison.Ordinal) >= 0)
            {
                return "':::' is not IPv6 text";
            }

            int doubleColon = text.IndexOf("::", StringComparison.Ordinal);
            if (doubleColon >= 0 && text.IndexOf("::", doubleColon + 1, StringComparison.Ordinal) >= 0)
            {
                return "'::' appears more than once; it may stand for one run of zero groups only (RFC 4291 §2.2)";
            }

            var groups = new ushort[8];
            string head = doubleColon >= 0 ? text.Substring(0, doubleColon) : text;
            string tail = doubleColon >= 0 ? text.Substring(doubleColon + 2) : string.Empty;
            string[] left = head.Length == 0 ? new string[0] : head.Split(':');
            string[] right = tail.Length == 0 ? new string[0] : tail.Split(':');

            // An IPv4 tail (x:x:x:x:x:x:d.d.d.d) stands for the last two groups.
            string[] last = doubleColon >= 0 ? right : left;
            byte[]? v4 = null;
            if (last.Length > 0 && last[last.Length - 1].IndexOf('.') >= 0)
            {
                string dotted = last[last.Length - 1];
                string? why = ParseIPv4(dotted, out IPAddress? tailAddress);
                if (why != null)
                {
                    return $"its IPv4 part '{dotted}' is not a dotted quad ({why})";
                }

                v4 = tailAddress!.GetAddressBytes();
                Array.Resize(ref last, last.Length - 1);
                if (doubleColon >= 0)
                {
                    right = last;
                }
                else
                {
                    left = last;
                }
            }

            int written = left.Length + right.Length + (v4 != null ? 2 : 0);
            if (doubleColon < 0 && written != 8)
            {
                return $"it has {written.ToString(CultureInfo.InvariantCulture)} groups; IPv6 without '::' has 8 (RFC 4291 §2.2)";
            }

            if (doubleColon >= 0 && written > 7)
            {
                return $"it has {written.ToString(CultureInfo.InvariantCulture)} groups and a '::', which stands for at least one more; IPv6 has 8";
            }

            int index = 0;
            foreach (string group in left)
            {
                string? why = ParseGroup(group, out groups[index]);
                if (why != null)
                {
                    return why;
                }

                index++;
            }

            index = 8 - right.Length - (v4 != null ? 2 : 0);
            foreach (string group in right)
            {
                string? why = ParseGroup(group, out groups[index]);
                if (why != null)
                {
                    return why;
                }

                index++;
            }

            var bytes = new byte[16];
            for (int i = 0; i < 8; i++)
            {
                bytes[i * 2] = (byte)(groups[i] >> 8);
                bytes[i * 2 + 1] = (byte)groups[i];
            }

            if (v4 != null)
            {
                Buffer.BlockCopy(v4, 0, bytes, 12, 4);
            }

            address = new IPAddress(bytes);
            return null;
        }

        private static string? ParseGroup(string group, out ushort value)
        {
            value = 0;
            if (group.Length == 0)
            {
                return "it has an empty group (a single ':' at the start or end, or where '::' was meant)";
            }

            if (group.IndexOf('.') >= 0)
            {
                return $"the IPv4 part '{group}' may only be the last 32 bits";
            }

            if (group.Length > 4)
            {
                return $"the group '{group}' has more than four hex digits";
            }

            int v = 0;
            foreach (char c in group)
            {
                int d = HexValue(c);
                if (d < 0)
                {
                    return $"'{c}' in the group '{group}' is not a hex digit";
                }

                v = v * 16 + d;
            }

            value = (ushort)v;
            return null;
        }

        private static int HexValue(char c) =>
            c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

        private static bool IsDigits(string text)
        {
            foreach (char c in text)
            {
                if (c < '0' || c > '9')
                {
                    return false;
                }
            }

            return true;
        }

        // ---- ranges -----------------------------------------------------------------------------

        /// <summary>
        /// Why an address cannot be a public sender, or null when it is ordinary unicast:
        /// RFC 1918 private, loopback, link-local, CGNAT (RFC 6598), unique-local (RFC 4193),
        /// unspecified, multicast, reserved (RFC 6890). The documentation ranges (RFC 5737,
        /// RFC 3849) are deliberately not listed: the project's samples and tests stand in for
        /// public senders with them.
        /// </summary>
        internal static string? SpecialRange(IPAddress address)
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            var b = address.GetAddressBytes();
            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                if (b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168))
                {
                    return "private (RFC 1918)";
                }

                if (b[0] == 127)
                {
                    return "loopback";
                }

                if (b[0] == 169 && b[1] == 254)
                {
                    return "link-local";
                }

                if (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
                {
                    return "shared address space (RFC 6598)";
                }

                if (b[0] == 0)
                {
                    return "this network (RFC 6890)";
                }

                if (b[0] >= 224 && b[0] <= 239)
                {
                    return "multicast";
                }

                if (b[0] >= 240)
                {
                    return "reserved (RFC 6890)";
                }

                if (b[0] == 198 && (b[1] == 18 || b[1] == 19))
                {
                    return "benchmarking (RFC 2544)";
                }

                return null;
            }

            if (address.Equals(IPAddress.IPv6Loopback))
            {
                return "loopback";
            }

            if (address.Equals(IPAddress.IPv6None))
            {
                return "unspecified";
            }

            if ((b[0] & 0xfe) == 0xfc)
            {
                return "unique local (RFC 4193)";
            }

            if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
            {
                return "link-local";
            }

            if (b[0] == 0xff)
            {
                return "multicast";
            }

            return null;
        }
    }
}
