using System;
using System.Collections.Generic;
using System.Linq;

namespace MailAuth.Headers
{
    /// <summary>A Received-SPF header field (RFC 7208 §9.1), parsed.</summary>
    public sealed class ReceivedSpfHeader
    {
        internal ReceivedSpfHeader(int headerIndex, string result, string? comment,
            IReadOnlyDictionary<string, string> pairs, string raw)
        {
            HeaderIndex = headerIndex;
            Result = result;
            Comment = comment;
            Pairs = ResultDictionary.From(pairs);
            Raw = raw;
        }

        public int HeaderIndex { get; }

        /// <summary>Lower case: pass, fail, softfail, neutral, none, temperror, permerror.</summary>
        public string Result { get; }

        public string? Comment { get; }

        /// <summary>key=value pairs: client-ip, envelope-from, helo, receiver, identity, mechanism, problem, ...</summary>
        public ResultDictionary Pairs { get; }

        /// <summary>
        /// client-ip=, in canonical form when it is a client address (<see cref="ClientAddress"/>:
        /// "2001:DB8::1" reads "2001:db8::1"), else as written.
        /// </summary>
        public string? ClientIp => Get("client-ip") is string raw && ClientAddress.TryParse(raw, out var address) ? address!.ToString() : Get("client-ip");

        public string? EnvelopeFrom => Get("envelope-from");

        public string? Helo => Get("helo");

        public string? Receiver => Get("receiver");

        public string Raw { get; }

        /// <summary>"pass client-ip=192.0.2.1 envelope-from=a@example.com": the result and who it is about.</summary>
        public override string ToString() =>
            Result + (ClientIp is null ? string.Empty : " client-ip=" + ClientIp) + (EnvelopeFrom is null ? string.Empty : " envelope-from=" + EnvelopeFrom);

        internal string? Get(string key) => Pairs.TryGetValue(key, out var v) ? v : null;

        internal static ReceivedSpfHeader Parse(int headerIndex, string value)
        {
            var items = StructuredValueScanner.Scan(value ?? "");
            var result = "";
            string? comment = null;
            var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var item in items)
            {
                if (item.IsComment)
                {
                    comment ??= item.Value;
                }
                else if (item.Key == null)
                {
                    if (result.Length == 0)
                    {
                        result = item.Value.ToLowerInvariant();
                    }
                }
                else if (!pairs.ContainsKey(item.Key))
                {
                    pairs[item.Key] = item.Value;
                }
            }

            return new ReceivedSpfHeader(headerIndex, result, comment, pairs, value ?? "");
        }
    }

    /// <summary>Tag=value lists of DKIM-Signature (RFC 6376 §3.2), ARC-Seal and ARC-Message-Signature.</summary>
    internal static class TagList
    {
        public static Dictionary<string, string> Parse(string value)
        {
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var part in (value ?? "").Split(';'))
            {
                var eq = part.IndexOf('=');
                if (eq <= 0)
                {
                    continue;
                }

                var tag = part.Substring(0, eq).Trim();
                var v = part.Substring(eq + 1).Trim();
                if (tag == "b" || tag == "bh" || tag == "h")
                {
                    // FWS may appear anywhere inside these (RFC 6376 §3.5).
                    v = new string(v.Where(c => !char.IsWhiteSpace(c)).ToArray());
                }

                if (tag.Length > 0 && !tags.ContainsKey(tag))
                {
                    tags[tag] = v;
                }
            }

            return tags;
        }
    }
}
