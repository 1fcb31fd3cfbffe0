using System;
using System.Net;
using System.Net.Sockets;

namespace MailAuth.Spf
{
    /// <summary>Address helpers of the evaluator: networks and IPv4-mapped addresses (RFC 7208 §5).</summary>
    internal static class SpfNetwork
    {
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
