using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MailAuth.Headers
{
    /// <summary>Strict parsing of the address forms found in trace fields, and special-range checks.</summary>
    internal static class IpLiteral
    {
        /// <summary>
        /// Accepts 192.0.2.1, [192.0.2.1], [192.0.2.1]:25, [IPv6:2001:db8::1] (RFC 5321 §4.1.3),
        /// [2001:db8::1], 2001:db8::1, IPv6:::ffff:192.0.2.1, with a trailing dot or zone index dropped.
        /// Rejects the shortened IPv4 forms IPAddress.TryParse would take ("1" = 0.0.0.1).
        /// </summary>
        public static bool TryParse(string? text, out IPAddress? address)
        {
            address = null;
            if (string.IsNullOrWhiteSpace(text))
            {
                return false;
            }

            var s = text!.Trim();
            if (s.StartsWith("[", StringComparison.Ordinal))
            {
                var close = s.IndexOf(']');
                if (close < 0)
                {
                    return false;
                }

                s = s.Substring(1, close - 1).Trim();
            }

            if (s.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
            {
                s = s.Substring(5);
            }

            s = s.TrimEnd('.');
            if (s.Length == 0 || s.Length > 64)
            {
                return false;
            }

            var percent = s.IndexOf('%');
            if (percent > 0)
            {
                s = s.Substring(0, percent);
            }

            if (s.IndexOf(':') >= 0)
            {
                // IPv4 with a port ("192.0.2.1:25") has one colon and dots.
                if (s.IndexOf(':') == s.LastIndexOf(':') && s.IndexOf('.') > 0)
                {
                    s = s.Substring(0, s.IndexOf(':'));
                    return TryParseV4(s, out address);
                }

                foreach (var c in s)
                {
                    if (!(Uri.IsHexDigit(c) || c == ':' || c == '.'))
                    {
                        return false;
                    }
                }

                if (IPAddress.TryParse(s, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    address = v6;
                    return true;
                }

                return false;
            }

            return TryParseV4(s, out address);
        }

        private static bool TryParseV4(string s, out IPAddress? address)
        {
            address = null;
            var parts = s.Split('.');
            if (parts.Length != 4)
            {
                return false;
            }

            var bytes = new byte[4];
            for (var i = 0; i < 4; i++)
            {
                var p = parts[i];
                if (p.Length == 0 || p.Length > 3)
                {
                    return false;
                }

                foreach (var c in p)
                {
                    if (c < '0' || c > '9')
                    {
                        return false;
                    }
                }

                var n = int.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture);
                if (n > 255)
                {
                    return false;
                }

                bytes[i] = (byte)n;
            }

            address = new IPAddress(bytes);
            return true;
        }

        /// <summary>
        /// Why an address cannot be a public sender, or null when it is ordinary unicast:
        /// RFC 1918 private, loopback, link-local, CGNAT (RFC 6598), unique-local (RFC 4193),
        /// unspecified, multicast, reserved (RFC 6890). The documentation ranges (RFC 5737,
        /// RFC 3849) are deliberately not listed: the project's samples and tests stand in for
        /// public senders with them.
        /// </summary>
        public static string? SpecialRange(IPAddress address)
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
