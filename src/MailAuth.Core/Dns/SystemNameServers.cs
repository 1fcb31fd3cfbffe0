using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace MailAuth.Dns
{
    /// <summary>
    /// The name servers the operating system uses: /etc/resolv.conf on Unix (resolv.conf(5)
    /// "nameserver" lines), the DNS servers of the interfaces that are up on Windows. Never a public
    /// resolver as a fallback: a tool that checks mail policy must not send queries to a third party
    /// the user did not choose.
    /// </summary>
    internal static class SystemNameServers
    {
        private const string ResolvConf = "/etc/resolv.conf";

        public static IPEndPoint[] Find()
        {
            var found = new List<IPAddress>();
            try
            {
                if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && File.Exists(ResolvConf))
                {
                    found.AddRange(ParseResolvConf(File.ReadAllLines(ResolvConf)));
                }

                if (found.Count == 0)
                {
                    found.AddRange(FromInterfaces());
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is NetworkInformationException || ex is PlatformNotSupportedException)
            {
                // No usable configuration: queries fail with "no name servers", they never go elsewhere.
            }

            return found.Distinct().Select(a => new IPEndPoint(a, DnsResolverOptions.DefaultPort)).ToArray();
        }

        /// <summary>resolv.conf(5): "nameserver address" lines; '#' and ';' start comments.</summary>
        internal static IEnumerable<IPAddress> ParseResolvConf(IEnumerable<string> lines)
        {
            foreach (string raw in lines)
            {
                string line = raw.Trim();
                int comment = line.IndexOfAny(new[] { '#', ';' });
                if (comment >= 0)
                {
                    line = line.Substring(0, comment).Trim();
                }

                string[] words = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                if (words.Length >= 2 && string.Equals(words[0], "nameserver", StringComparison.Ordinal)
                    && IPAddress.TryParse(words[1], out IPAddress? address) && !IsSiteLocal(address))
                {
                    yield return address;
                }
            }
        }

        private static IEnumerable<IPAddress> FromInterfaces()
        {
            foreach (NetworkInterface adapter in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (adapter.OperationalStatus != OperationalStatus.Up || adapter.NetworkInterfaceType == NetworkInterfaceType.Loopback)
                {
                    continue;
                }

                foreach (IPAddress address in adapter.GetIPProperties().DnsAddresses)
                {
                    if (!IsSiteLocal(address))
                    {
                        yield return address;
                    }
                }
            }
        }

        /// <summary>fec0::/10, deprecated (RFC 3879), which Windows lists as a placeholder resolver.</summary>
        private static bool IsSiteLocal(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv6SiteLocal;
    }
}
