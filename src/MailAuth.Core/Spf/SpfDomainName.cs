using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailAuth.Spf
{
    /// <summary>Domain name checks and forms used by the evaluator (RFC 7208 §4.3, §7.3; RFC 1035 §2.3.4).</summary>
    internal static class SpfDomainName
    {
        private static readonly IdnMapping s_idn = new IdnMapping { AllowUnassigned = false, UseStd3AsciiRules = false };

        /// <summary>
        /// The A-label form of a name given by the caller (sender domain, HELO), without a trailing
        /// dot; null when it is not a usable multi-label name (§4.3: such a domain gives None).
        /// </summary>
        public static string? NormalizeIdentity(string? name, out string? reason)
        {
            reason = null;
            if (string.IsNullOrEmpty(name))
            {
                reason = "the domain is empty";
                return null;
            }

            string value = name!;
            if (value.StartsWith("[", StringComparison.Ordinal))
            {
                reason = $"'{value}' is an address literal, not a domain name";
                return null;
            }

            if (value.EndsWith(".", StringComparison.Ordinal))
            {
                value = value.Substring(0, value.Length - 1);
            }

            if (NeedsIdn(value))
            {
                try
                {
                    value = s_idn.GetAscii(value);
                }
                catch (ArgumentException)
                {
                    reason = $"'{name}' is not a valid internationalized domain name";
                    return null;
                }
            }

            if (value.IndexOf('.') < 0)
            {
                reason = $"'{name}' is not a fully qualified domain name (it has a single label)";
                return null;
            }

            if (!HasValidLabels(value, out reason))
            {
                reason = $"'{name}' is not a valid domain name: {reason}";
                return null;
            }

            return value;
        }

        /// <summary>
        /// The name to query for an expanded domain-spec: trailing dot removed, cut from the left to
        /// 253 characters (§7.3), labels 1..63 long; null when no query can be made of it.
        /// </summary>
        public static string? NormalizeTarget(string expanded, out string? reason)
        {
            reason = null;
            string value = expanded;
            if (value.EndsWith(".", StringComparison.Ordinal))
            {
                value = value.Substring(0, value.Length - 1);
            }

            // §7.3: remove whole labels from the left until the name fits in 253 characters.
            while (value.Length > 253)
            {
                int dot = value.IndexOf('.');
                if (dot < 0)
                {
                    reason = "the expanded name is longer than 253 characters";
                    return null;
                }

                value = value.Substring(dot + 1);
            }

            if (value.Length == 0)
            {
                reason = "the expanded name is empty";
                return null;
            }

            if (!HasValidLabels(value, out reason))
            {
                return null;
            }

            return value;
        }

        private static bool HasValidLabels(string value, out string? reason)
        {
            if (value.Length > 253)
            {
                reason = "longer than 253 characters";
                return false;
            }

            foreach (string label in value.Split('.'))
            {
                if (label.Length == 0)
                {
                    reason = "it has an empty label";
                    return false;
                }

                if (label.Length > 63)
                {
                    reason = "a label is longer than 63 characters";
                    return false;
                }
            }

            reason = null;
            return true;
        }

        private static bool NeedsIdn(string value)
        {
            foreach (char c in value)
            {
                if (c > 127)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>True when <paramref name="name"/> equals <paramref name="domain"/> or is below it (case-insensitive).</summary>
        public static bool IsSameOrSubdomain(string name, string domain)
        {
            name = name.TrimEnd('.');
            domain = domain.TrimEnd('.');
            return string.Equals(name, domain, StringComparison.OrdinalIgnoreCase)
                || name.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>The reverse lookup name: d.c.b.a.in-addr.arpa or the nibbles of ip6.arpa.</summary>
        public static string ReverseName(IPAddress ip)
        {
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

        /// <summary>True when <paramref name="address"/> lies in network/prefix (same family only).</summary>
        public static bool InNetwork(IPAddress address, IPAddress network, int prefix)
        {
            if (address.AddressFamily != network.AddressFamily)
            {
                return false;
            }

            byte[] a = address.GetAddressBytes();
            byte[] n = network.GetAddressBytes();
            int full = prefix / 8;
            for (int i = 0; i < full; i++)
            {
                if (a[i] != n[i])
                {
                    return false;
                }
            }

            int rest = prefix % 8;
            if (rest == 0)
            {
                return true;
            }

            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (a[full] & mask) == (n[full] & mask);
        }

        /// <summary>IPv4-mapped IPv6 addresses are IPv4 for SPF (§5).</summary>
        public static IPAddress Unmap(IPAddress ip) => ip.AddressFamily == AddressFamily.InterNetworkV6 && ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
    }
}
