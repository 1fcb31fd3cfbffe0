using System;
using System.Collections.Generic;
using System.Linq;
using MailAuth.Dns;

namespace MailAuth.Posture
{
    /// <summary>
    /// The three states of a posture lookup. A DNS failure is never reported as "no record".
    /// Whether a record that was found is usable is a separate matter (IsValid and the findings).
    /// </summary>
    public enum PostureStatus
    {
        /// <summary>A record was published at the name.</summary>
        Found,
        /// <summary>NXDOMAIN or NODATA: nothing is published.</summary>
        NotFound,
        /// <summary>A query the answer depends on failed (timeout, SERVFAIL, garbage); see ErrorMessage.</summary>
        LookupFailed,
    }

    /// <summary>Helpers shared by the posture checks.</summary>
    internal static class PostureHelpers
    {
        public static PostureStatus ToStatus(DnsResponse response)
        {
            switch (response.StatusCode)
            {
                case DnsLookupStatus.Found:
                    return PostureStatus.Found;
                case DnsLookupStatus.NotFound:
                    return PostureStatus.NotFound;
                default:
                    return PostureStatus.LookupFailed;
            }
        }

        /// <summary>"TXT name: why" for the ErrorMessage of a failed lookup.</summary>
        public static string FailureText(DnsResponse response)
        {
            return $"{response.QueryTypeCode} {response.QueryName}: {response.Error ?? response.ResponseCode}";
        }

        public static FindingSeverity? MaxSeverity(IReadOnlyList<Finding> findings)
        {
            return findings.Count == 0 ? (FindingSeverity?)null : findings.Max(f => f.SeverityCode);
        }

        public static string Ids(IEnumerable<Finding> findings) => string.Join(";", findings.Select(f => f.Id));

        /// <summary>Splits a list on a separator, trimming white space and dropping empty items.</summary>
        public static string[] SplitList(string value, char separator)
        {
            return value.Split(separator).Select(s => s.Trim()).Where(s => s.Length > 0).ToArray();
        }

        /// <summary>Removes folding white space (RFC 5322 FWS: SP, HTAB, CR, LF) from a value.</summary>
        private static readonly char[] s_whiteSpace = { ' ', '\t', '\r', '\n' };

        public static string RemoveWhiteSpace(string value)
        {
            if (value.IndexOfAny(s_whiteSpace) < 0)
            {
                // The common case (a key without folding): no copy.
                return value;
            }

            var builder = new System.Text.StringBuilder(value.Length);
            foreach (char c in value)
            {
                if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
                {
                    builder.Append(c);
                }
            }

            return builder.ToString();
        }

        public static bool IsHttpsUrl(string value, out Uri? uri)
        {
            uri = null;
            return Uri.TryCreate(value, UriKind.Absolute, out uri)
                && string.Equals(uri.Scheme, "https", StringComparison.OrdinalIgnoreCase)
                && uri.Host.Length > 0;
        }
    }
}

namespace MailAuth.Posture
{
    /// <summary>
    /// The TXT lookup shared by TLS-RPT, MTA-STS and BIMI: records not starting with the version
    /// tag are discarded, and anything but exactly one remaining record means "not published"
    /// (RFC 8460 §3, RFC 8461 §3.1 and the BIMI draft all say so).
    /// </summary>
    internal sealed class VersionedTxtLookup
    {
        private VersionedTxtLookup(string queryName, PostureStatus status, string? errorMessage, System.Collections.Generic.IReadOnlyList<string> records, DnsResponse? response)
        {
            QueryName = queryName;
            Status = status;
            ErrorMessage = errorMessage;
            Records = records;
            Response = response;
        }

        public string QueryName { get; }

        public PostureStatus Status { get; }

        public string? ErrorMessage { get; }

        /// <summary>The records that start with the version tag.</summary>
        public System.Collections.Generic.IReadOnlyList<string> Records { get; }

        public DnsResponse? Response { get; }

        /// <summary>The one record, when exactly one was found.</summary>
        public string? Single => Records.Count == 1 ? Records[0] : null;

        public static async System.Threading.Tasks.Task<VersionedTxtLookup> QueryAsync(IDnsResolver dns, string queryName, string versionPrefix, System.Threading.CancellationToken cancellationToken)
        {
            DnsResponse response;
            try
            {
                response = await dns.QueryAsync(queryName, DnsRecordType.TXT, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                // The composed name is over 253 characters although the domain was valid.
                return new VersionedTxtLookup(queryName, PostureStatus.NotFound, ex.Message, Array.Empty<string>(), null);
            }

            PostureStatus status = PostureHelpers.ToStatus(response);
            if (status == PostureStatus.LookupFailed)
            {
                return new VersionedTxtLookup(queryName, status, PostureHelpers.FailureText(response), Array.Empty<string>(), response);
            }

            string[] records = response.Texts.Where(t => StartsWithVersion(t, versionPrefix)).ToArray();
            return new VersionedTxtLookup(queryName, records.Length == 0 ? PostureStatus.NotFound : PostureStatus.Found, null, records, response);
        }

        /// <summary>"v=X" followed by end, ";" or white space (the version value must match exactly).</summary>
        private static bool StartsWithVersion(string text, string versionPrefix)
        {
            string value = text.TrimStart(' ', '\t');
            if (!value.StartsWith(versionPrefix, StringComparison.Ordinal))
            {
                return false;
            }

            if (value.Length == versionPrefix.Length)
            {
                return true;
            }

            char next = value[versionPrefix.Length];
            return next == ';' || next == ' ' || next == '\t';
        }
    }
}
