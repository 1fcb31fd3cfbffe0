using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;

namespace MailAuth.Dns
{
    /// <summary>
    /// The DNS archive's line format, version 1 (docs/dns-archive.md): one JSON object per line
    /// (JSON Lines), one object per answer set as a result used it. Fields:
    /// <c>v</c> (1), <c>askedAt</c> (RFC 3339, UTC), <c>name</c>, <c>type</c>, <c>server</c>,
    /// <c>status</c> (Found, NotFound, Failed), <c>rcode</c>, <c>elapsedMs</c>, <c>usedTcp</c>,
    /// <c>error</c>, <c>canonicalNames</c> (these three only when true, set or not empty) and <c>records</c> (<c>name</c>, <c>type</c>, <c>ttl</c>,
    /// <c>data</c>, and per type <c>strings</c>, <c>target</c>, <c>preference</c>; a TXT record's
    /// <c>data</c> is left out when it is its <c>strings</c> joined). Readers ignore fields they do
    /// not know, so later versions may add some.
    /// </summary>
    internal static class DnsArchiveFormat
    {
        public const int Version = 1;

        public static string ToLine(DnsResponse response)
        {
            var b = new StringBuilder(256);
            b.Append("{\"v\":").Append(Version);
            b.Append(",\"askedAt\":");
            MiniJson.AppendString(b, response.AskedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            b.Append(",\"name\":");
            MiniJson.AppendString(b, response.QueryName);
            b.Append(",\"type\":");
            MiniJson.AppendString(b, response.QueryType);
            b.Append(",\"server\":");
            MiniJson.AppendString(b, response.Server);
            b.Append(",\"status\":");
            MiniJson.AppendString(b, response.Status);
            b.Append(",\"rcode\":");
            MiniJson.AppendString(b, response.ResponseCode);
            b.Append(",\"elapsedMs\":").Append(Math.Round(response.ElapsedMilliseconds, 3).ToString("0.###", CultureInfo.InvariantCulture));

            // Left out at their defaults (false, null, empty): most answers are plain UDP ones.
            if (response.UsedTcp)
            {
                b.Append(",\"usedTcp\":true");
            }

            if (response.Error != null)
            {
                b.Append(",\"error\":");
                MiniJson.AppendString(b, response.Error);
            }

            if (response.CanonicalNames.Count > 0)
            {
                AppendStrings(b, "canonicalNames", response.CanonicalNames);
            }

            b.Append(",\"records\":[");
            for (int i = 0; i < response.Records.Count; i++)
            {
                DnsRecord r = response.Records[i];
                if (i > 0)
                {
                    b.Append(',');
                }

                b.Append("{\"name\":");
                MiniJson.AppendString(b, r.Name);
                b.Append(",\"type\":");
                MiniJson.AppendString(b, r.Type);
                b.Append(",\"ttl\":").Append(r.Ttl.ToString(CultureInfo.InvariantCulture));
                bool joined = r.TextStringList.Count > 0 && string.Equals(r.Data, string.Concat(r.TextStringList), StringComparison.Ordinal);
                if (!joined)
                {
                    // TXT data is its strings joined (RFC 7208 §3.3): written once, as the strings.
                    b.Append(",\"data\":");
                    MiniJson.AppendString(b, r.Data);
                }

                if (r.TextStringList.Count > 0)
                {
                    AppendStrings(b, "strings", r.TextStringList);
                }

                if (r.Target != null)
                {
                    b.Append(",\"target\":");
                    MiniJson.AppendString(b, r.Target);
                }

                if (r.TypeCode == DnsRecordType.MX)
                {
                    b.Append(",\"preference\":").Append(r.Preference.ToString(CultureInfo.InvariantCulture));
                }

                b.Append('}');
            }

            b.Append("]}");
            return b.ToString();
        }

        private static void AppendStrings(StringBuilder b, string field, IReadOnlyList<string> items)
        {
            b.Append(",\"").Append(field).Append("\":[");
            for (int i = 0; i < items.Count; i++)
            {
                if (i > 0)
                {
                    b.Append(',');
                }

                MiniJson.AppendString(b, items[i]);
            }

            b.Append(']');
        }

        /// <summary>Reads one line back; throws <see cref="FormatException"/> naming what is wrong.</summary>
        public static DnsResponse FromLine(string line)
        {
            if (!(MiniJson.Parse(line) is Dictionary<string, object?> o))
            {
                throw new FormatException("not a JSON object.");
            }

            if (!(o.TryGetValue("v", out object? v) && v is double version))
            {
                throw new FormatException("no format version (\"v\").");
            }

            if (version != Version)
            {
                throw new FormatException($"format version {version.ToString(CultureInfo.InvariantCulture)}; this module reads version {Version}.");
            }

            string name = Required(o, "name");
            DnsRecordType type = Type(Required(o, "type"));
            string statusText = Required(o, "status");
            if (!Enum.TryParse(statusText, false, out DnsLookupStatus status) || !Enum.IsDefined(typeof(DnsLookupStatus), status))
            {
                throw new FormatException($"status '{statusText}' is not Found, NotFound or Failed.");
            }

            string askedText = Required(o, "askedAt");
            if (!DateTimeOffset.TryParse(askedText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset askedAt))
            {
                throw new FormatException($"askedAt '{askedText}' is not an RFC 3339 time.");
            }

            var records = new List<DnsRecord>();
            foreach (object? item in Array(o, "records"))
            {
                if (!(item is Dictionary<string, object?> r))
                {
                    throw new FormatException("a record is not a JSON object.");
                }

                DnsRecordType recordType = Type(Required(r, "type"));
                List<string>? strings = r.ContainsKey("strings") ? Array(r, "strings").Select(s => s as string ?? throw new FormatException("a TXT string is not text.")).ToList() : null;
                string data = strings != null && !r.ContainsKey("data") ? string.Concat(strings) : Required(r, "data");
                IPAddress? address = null;
                if ((recordType == DnsRecordType.A || recordType == DnsRecordType.AAAA) && !IPAddress.TryParse(data, out address))
                {
                    throw new FormatException($"{recordType} data '{data}' is not an address.");
                }

                int preference = r.TryGetValue("preference", out object? p) && p is double pd ? (int)pd : 0;
                records.Add(new DnsRecord(Required(r, "name"), recordType, r.TryGetValue("ttl", out object? t) && t is double td ? (int)td : 0,
                    data, strings, address, r.TryGetValue("target", out object? target) ? target as string : null, preference));
            }

            List<string> canonicalNames = o.ContainsKey("canonicalNames")
                ? Array(o, "canonicalNames").Select(s => s as string ?? throw new FormatException("a canonical name is not text.")).ToList()
                : new List<string>();
            double elapsed = o.TryGetValue("elapsedMs", out object? e) && e is double ed ? ed : 0;
            bool usedTcp = o.TryGetValue("usedTcp", out object? tcp) && tcp is bool b && b;
            return new DnsResponse(name, type, status, Required(o, "rcode"), records, o.TryGetValue("server", out object? server) ? server as string : null,
                elapsed, false, o.TryGetValue("error", out object? error) ? error as string : null, canonicalNames, usedTcp, askedAt, fromArchive: true);
        }

        /// <summary>
        /// What makes two answers the same for the archive: the question, the server and what came
        /// back. TTLs and times are left out, so a cached copy of an answer is not written again.
        /// </summary>
        public static string ContentKey(DnsResponse r) => ContentText(r);

        /// <summary>
        /// <see cref="ContentKey"/> as 128 bits of its SHA-256, what the writer keeps per answer
        /// written: a 10,000-domain audit writes some 350,000 answers, and their full text (DKIM
        /// keys included) would cost the writer more memory than the audit itself.
        /// </summary>
        public static (ulong, ulong) ContentHash(DnsResponse r)
        {
            using (var sha = System.Security.Cryptography.SHA256.Create())
            {
                byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(ContentText(r)));
                return (BitConverter.ToUInt64(hash, 0), BitConverter.ToUInt64(hash, 8));
            }
        }

        private static string ContentText(DnsResponse r)
        {
            var b = new StringBuilder(128);
            b.Append(QuestionKey(r.QueryName, r.QueryTypeCode)).Append('|').Append(r.Server).Append('|').Append(r.Status).Append('|').Append(r.ResponseCode);
            foreach (string cname in r.CanonicalNames)
            {
                b.Append("|c:").Append(cname);
            }

            foreach (string data in r.Records.Select(x => x.Data + "\u0001" + string.Join("\u0002", x.TextStringList)).OrderBy(x => x, StringComparer.Ordinal))
            {
                b.Append("|r:").Append(data);
            }

            return b.ToString();
        }

        public static string QuestionKey(string name, DnsRecordType type) =>
            name.ToLowerInvariant() + "|" + ((int)type).ToString(CultureInfo.InvariantCulture);

        private static string Required(Dictionary<string, object?> o, string field) =>
            o.TryGetValue(field, out object? value) && value is string text ? text : throw new FormatException($"no \"{field}\" text.");

        private static IEnumerable<object?> Array(Dictionary<string, object?> o, string field) =>
            o.TryGetValue(field, out object? value) && value is List<object?> list ? list : throw new FormatException($"\"{field}\" is not a JSON array.");

        private static DnsRecordType Type(string text) =>
            Enum.TryParse(text, false, out DnsRecordType type) && Enum.IsDefined(typeof(DnsRecordType), type)
                ? type
                : throw new FormatException($"record type '{text}' is not one the module asks for.");
    }
}
