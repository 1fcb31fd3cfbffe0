using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dkim;
using MailAuth.Dns;
using MimeKit;

namespace MailAuth.Fuzzing
{
    /// <summary>
    /// DKIM and ARC verification of signed messages with real keys: stalwart's conformance
    /// messages (tests/conformance/stalwart-mail-auth), their keys served from memory so a run
    /// costs no sockets, verified at the suite's fixed time.
    /// </summary>
    public static class SignedMessages
    {
        // stalwart's fixed verification time (its tests' "now").
        private static readonly DateTimeOffset s_now = DateTimeOffset.FromUnixTimeSeconds(1667843664);

        private static readonly Lazy<(Dictionary<string, string> Keys, List<string> Messages)> s_suite =
            new Lazy<(Dictionary<string, string>, List<string>)>(LoadSuite);

        private static readonly Lazy<DkimMessageVerifier> s_verifier = new Lazy<DkimMessageVerifier>(() =>
            new DkimMessageVerifier(new DnsDkimPublicKeyLocator(new MemoryTxtResolver(s_suite.Value.Keys))));

        public static IEnumerable<string> Seeds() => s_suite.Value.Messages;

        public static void Verify(string text)
        {
            MimeMessage? message = Load(text);
            if (message != null)
            {
                s_verifier.Value.VerifySignaturesAsync(message, bodyPresent: true, s_now).GetAwaiter().GetResult();
                s_verifier.Value.VerifyArcAsync(message, bodyPresent: true).GetAwaiter().GetResult();
            }
        }

        /// <summary>The DKIM results of one message, top signature first (empty when MimeKit cannot read it).</summary>
        public static IReadOnlyList<DkimSignatureVerification> VerifySignatures(string text)
        {
            MimeMessage? message = Load(text);
            return message == null ? Array.Empty<DkimSignatureVerification>()
                : s_verifier.Value.VerifySignaturesAsync(message, bodyPresent: true, s_now).GetAwaiter().GetResult();
        }

        private static MimeMessage? Load(string text)
        {
            try
            {
                return MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(text)));
            }
            catch (FormatException)
            {
                // MimeKit could not read it as a message: nothing of ours runs (ParseException is one).
                return null;
            }
        }

        private static (Dictionary<string, string>, List<string>) LoadSuite()
        {
            var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var messages = new List<string>();
            foreach (string folder in new[] { "dkim", "arc" })
            {
                foreach (string file in SeedInputs.Files("tests/conformance/stalwart-mail-auth/" + folder, "*.txt"))
                {
                    // stalwart's format: "name value" lines, a blank line, then the message.
                    string all = File.ReadAllText(file).Replace("\r\n", "\n");
                    int split = all.IndexOf("\n\n", StringComparison.Ordinal);
                    foreach (string line in all.Substring(0, split).Split('\n').Where(l => l.Trim().Length > 0))
                    {
                        int space = line.IndexOf(' ');
                        keys[line.Substring(0, space).Trim().TrimEnd('.')] = line.Substring(space + 1).Trim();
                    }

                    messages.Add(all.Substring(split + 2).Replace("\n", "\r\n"));
                }
            }

            return (keys, messages);
        }

        /// <summary>TXT answers from a dictionary; every other name is NXDOMAIN.</summary>
        private sealed class MemoryTxtResolver : IDnsResolver
        {
            private readonly Dictionary<string, string> _txt;

            public MemoryTxtResolver(Dictionary<string, string> txt) => _txt = txt;

            public Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
            {
                string key = name.TrimEnd('.');
                if (type == DnsRecordType.TXT && _txt.TryGetValue(key, out string? value))
                {
                    // One TXT record of 255-octet strings, as a server sends a long key (RFC 1035 §3.3.14).
                    var strings = Enumerable.Range(0, (value.Length + 254) / 255).Select(i => value.Substring(i * 255, Math.Min(255, value.Length - i * 255))).ToList();
                    var record = new DnsRecord(key, DnsRecordType.TXT, 300, value, strings);
                    return Task.FromResult(new DnsResponse(key, type, DnsLookupStatus.Found, "NOERROR", new[] { record }, "memory", 0, false, null));
                }

                return Task.FromResult(new DnsResponse(key, type, DnsLookupStatus.NotFound, "NXDOMAIN", Array.Empty<DnsRecord>(), "memory", 0, false, null));
            }
        }
    }
}
