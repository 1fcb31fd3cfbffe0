using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MailAuth.Headers
{
    /// <summary>One ptype.property=value of a result (RFC 8601 §2.3), e.g. smtp.mailfrom, header.d.</summary>
    public sealed class AuthenticationProperty
    {
        internal AuthenticationProperty(string type, string name, string value)
        {
            Type = type;
            Name = name;
            Value = value;
        }

        /// <summary>smtp, header, body, policy; empty for non-standard bare keys (Microsoft's action=).</summary>
        public string Type { get; }

        public string Name { get; }

        public string Value { get; }

        /// <summary>"type.name" (or just the name when there is no type).</summary>
        public string Key => Type.Length == 0 ? Name : Type + "." + Name;

        public override string ToString() => Key + "=" + Value;
    }

    /// <summary>One resinfo (RFC 8601 §2.2): method, result, reason, properties.</summary>
    public sealed class AuthenticationMethodResult
    {
        internal AuthenticationMethodResult(string method, string? methodVersion, string result, string? reason,
            string? comment, IReadOnlyList<AuthenticationProperty> properties)
        {
            Method = method;
            MethodVersion = methodVersion;
            Result = result;
            Reason = reason;
            Comment = comment;
            PropertyList = properties;
        }

        /// <summary>Lower case: spf, dkim, dmarc, arc, compauth, bimi, iprev, auth, ...</summary>
        public string Method { get; }

        public string? MethodVersion { get; }

        /// <summary>Lower case: pass, fail, softfail, neutral, none, temperror, permerror, policy, ...</summary>
        public string Result { get; }

        /// <summary>The reason= value (compauth writes its reason code here).</summary>
        public string? Reason { get; }

        /// <summary>The comments, joined (e.g. "sender IP is 192.0.2.1").</summary>
        public string? Comment { get; }

        /// <summary>
        /// The ptype.property=value pairs as the header writes them, space separated
        /// ("smtp.mailfrom=example.com header.from=example.com"); <see cref="GetProperty"/> reads one.
        /// Text, so a result stays one level deep for ConvertTo-Json under its header.
        /// </summary>
        public string Properties => string.Join(" ", PropertyList.Select(p => p.ToString()));

        internal IReadOnlyList<AuthenticationProperty> PropertyList { get; }

        /// <summary>The first value of a property by "type.name" (case-insensitive), or null.</summary>
        public string? GetProperty(string key)
        {
            foreach (var p in PropertyList)
            {
                if (string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase))
                {
                    return p.Value;
                }
            }

            return null;
        }

        /// <summary>"spf=pass", the resinfo's method and result.</summary>
        public override string ToString() => Method + "=" + Result;
    }

    /// <summary>One Authentication-Results (or ARC-Authentication-Results) header field, parsed.</summary>
    public sealed class AuthenticationResultsHeader
    {
        internal AuthenticationResultsHeader(string headerName, int headerIndex, int? arcInstance, string? authServId,
            string? version, IReadOnlyList<AuthenticationMethodResult> results, bool noResult, string raw)
        {
            HeaderName = headerName;
            HeaderIndex = headerIndex;
            ArcInstance = arcInstance;
            AuthServId = authServId;
            Version = version;
            Results = ResultList.From(results);
            NoResult = noResult;
            Raw = raw;
        }

        public string HeaderName { get; }

        public int HeaderIndex { get; }

        /// <summary>i= of an ARC-Authentication-Results header (RFC 8617 §4.1.1).</summary>
        public int? ArcInstance { get; }

        /// <summary>Who wrote it (RFC 8601 §2.5). Null when missing, as in Microsoft 365's own header.</summary>
        public string? AuthServId { get; }

        public string? Version { get; }

        public ResultList<AuthenticationMethodResult> Results { get; }

        /// <summary>The header said "none": no method was evaluated.</summary>
        public bool NoResult { get; }

        /// <summary>Written by the receiving organization, so believable (see docs/headers.md).</summary>
        public bool IsTrusted { get; internal set; }

        /// <summary>Why it is or is not trusted.</summary>
        public string TrustReason { get; internal set; } = "";

        public string Raw { get; }

        /// <summary>All results of one method (dkim often has several).</summary>
        public IEnumerable<AuthenticationMethodResult> Get(string method) =>
            Results.Where(r => string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase));

        /// <summary>"mx.example.net: spf=pass dkim=pass dmarc=pass" (no "; " inside, so a list of headers in a CSV cell reads one by one).</summary>
        public override string ToString() =>
            (AuthServId ?? "(no authserv-id)") + ": " + string.Join(" ", Results.Select(r => r.ToString()));
    }

    /// <summary>Parser for RFC 8601 §2.2 (and RFC 8617 §4.1.1 for the ARC variant). Never throws.</summary>
    internal static class AuthenticationResultsParser
    {
        public static AuthenticationResultsHeader Parse(string headerName, int headerIndex, string value)
        {
            var segments = StructuredValueScanner.SplitTopLevel(value ?? "", ';');
            var results = new List<AuthenticationMethodResult>();
            string? authServId = null;
            string? version = null;
            int? instance = null;
            var noResult = false;
            var s = 0;

            if (headerName.StartsWith("ARC-", StringComparison.OrdinalIgnoreCase) && segments.Count > 0)
            {
                var first = StructuredValueScanner.Scan(segments[0]);
                var tag = first.FirstOrDefault(x => x.Key != null);
                if (tag.Key != null && string.Equals(tag.Key, "i", StringComparison.OrdinalIgnoreCase)
                    && int.TryParse(tag.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    instance = n;
                    s = 1;
                }
            }

            if (s < segments.Count)
            {
                var items = StructuredValueScanner.Scan(segments[s]).Where(x => !x.IsComment).ToList();
                if (items.Count > 0 && items[0].Key == null)
                {
                    // authserv-id [ CFWS authres-version ]
                    authServId = items[0].Value;
                    if (items.Count > 1 && items[1].Key == null && items[1].Value.All(char.IsDigit))
                    {
                        version = items[1].Value;
                    }

                    s++;
                }
                else if (items.Count == 0)
                {
                    s++;
                }

                // else: the first segment is already a resinfo: Microsoft 365 omits the authserv-id.
            }

            for (; s < segments.Count; s++)
            {
                var items = StructuredValueScanner.Scan(segments[s]);
                if (items.Count == 0)
                {
                    continue;
                }

                if (items.All(x => x.IsComment || (x.Key == null && string.Equals(x.Value, "none", StringComparison.OrdinalIgnoreCase))))
                {
                    if (items.Any(x => !x.IsComment))
                    {
                        noResult = true;
                    }

                    continue;
                }

                var result = ParseResinfo(items);
                if (result != null)
                {
                    results.Add(result);
                }
            }

            return new AuthenticationResultsHeader(headerName, headerIndex, instance, authServId, version, results,
                noResult && results.Count == 0, value ?? "");
        }

        private static AuthenticationMethodResult? ParseResinfo(List<ScannedItem> items)
        {
            var k = 0;
            while (k < items.Count && items[k].Key == null)
            {
                k++;
            }

            if (k >= items.Count)
            {
                return null;
            }

            var methodKey = items[k].Key!;
            string? methodVersion = null;
            var slash = methodKey.IndexOf('/');
            if (slash > 0)
            {
                methodVersion = methodKey.Substring(slash + 1).Trim();
                methodKey = methodKey.Substring(0, slash).Trim();
            }

            string? reason = null;
            var comments = new List<string>();
            var props = new List<AuthenticationProperty>();
            for (var j = k + 1; j < items.Count; j++)
            {
                var item = items[j];
                if (item.IsComment)
                {
                    comments.Add(item.Value);
                    continue;
                }

                if (item.Key == null)
                {
                    continue;
                }

                if (string.Equals(item.Key, "reason", StringComparison.OrdinalIgnoreCase))
                {
                    reason = item.Value;
                    continue;
                }

                var dot = item.Key.IndexOf('.');
                if (dot > 0)
                {
                    props.Add(new AuthenticationProperty(item.Key.Substring(0, dot).ToLowerInvariant(),
                        item.Key.Substring(dot + 1), item.Value));
                }
                else
                {
                    props.Add(new AuthenticationProperty("", item.Key, item.Value));
                }
            }

            return new AuthenticationMethodResult(methodKey.ToLowerInvariant(), methodVersion,
                items[k].Value.ToLowerInvariant(), reason, comments.Count == 0 ? null : string.Join(" ", comments), props);
        }
    }
}
