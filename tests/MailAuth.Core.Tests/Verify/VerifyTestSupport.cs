using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using MailAuth.Dkim;
using MailAuth.Dns;
using MailAuth.Testing.Dns;
using MimeKit;

namespace MailAuth.Core.Tests.Verify
{
    /// <summary>A loopback DNS server and our real resolver pointed at it, disposed together.</summary>
    internal sealed class LoopbackDns : IDisposable
    {
        private LoopbackDns(LoopbackDnsServer server, DnsResolver resolver)
        {
            Server = server;
            Resolver = resolver;
        }

        public LoopbackDnsServer Server { get; }

        public DnsResolver Resolver { get; }

        public static LoopbackDns Start(DnsZone zone, int timeoutMs = 1500)
        {
            var server = LoopbackDnsServer.Start(zone);
            var resolver = new DnsResolver(new DnsResolverOptions
            {
                Servers = new[] { server.EndPoint },
                Timeout = TimeSpan.FromMilliseconds(timeoutMs),
                Retries = 0,
            });
            return new LoopbackDns(server, resolver);
        }

        public DkimMessageVerifier NewDkimVerifier(DkimVerifierSettings? settings = null) =>
            new DkimMessageVerifier(new DnsDkimPublicKeyLocator(Resolver), settings);

        public void Dispose()
        {
            Resolver.Dispose();
            Server.Dispose();
        }
    }

    internal static class VerifyTestSupport
    {
        /// <summary>A file of the public conformance suites (tests/conformance).</summary>
        public static string Conformance(string relativePath) => RepositoryFiles.Conformance(relativePath);

        /// <summary>LF or CRLF text as a CRLF message (RFC 5322 §2.1), parsed by MimeKit.</summary>
        public static MimeMessage Message(string text)
        {
            var crlf = text.Replace("\r\n", "\n").Replace("\n", "\r\n");
            return MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(crlf)));
        }

        /// <summary>stalwart's format: "name value" lines, a blank line, then the message.</summary>
        public static (List<KeyValuePair<string, string>> Records, string Message) ReadStalwart(string path)
        {
            var text = File.ReadAllText(path).Replace("\r\n", "\n");
            int split = text.IndexOf("\n\n", StringComparison.Ordinal);
            var records = new List<KeyValuePair<string, string>>();
            foreach (var line in text.Substring(0, split).Split('\n'))
            {
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                int space = line.IndexOf(' ');
                records.Add(new KeyValuePair<string, string>(line.Substring(0, space).Trim(), line.Substring(space + 1).Trim()));
            }

            return (records, text.Substring(split + 2));
        }

        /// <summary>A zone with each TXT value as one record (long values are split into 255-byte strings).</summary>
        public static DnsZone Zone(IEnumerable<KeyValuePair<string, string>> records)
        {
            var zone = new DnsZone();
            foreach (var r in records)
            {
                zone.AddTxt(r.Key, r.Value);
            }

            return zone;
        }

        /// <summary>A fixed time: stalwart's suites sign with x= before it.</summary>
        public static readonly DateTimeOffset StalwartNow = DateTimeOffset.FromUnixTimeSeconds(1667843664);
    }
}
