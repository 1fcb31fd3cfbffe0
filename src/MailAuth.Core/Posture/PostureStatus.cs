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
            switch (response.Status)
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
            return $"{response.QueryType} {response.QueryName}: {response.Error ?? response.ResponseCode}";
        }

        public static FindingSeverity? MaxSeverity(IReadOnlyList<Finding> findings)
        {
            return findings.Count == 0 ? (FindingSeverity?)null : findings.Max(f => f.Severity);
        }

        public static string Ids(IEnumerable<Finding> findings) => string.Join(";", findings.Select(f => f.Id));

        /// <summary>Splits a list on a separator, trimming white space and dropping empty items.</summary>
        public static string[] SplitList(string value, char separator)
        {
            return value.Split(separator).Select(s => s.Trim()).Where(s => s.Length > 0).ToArray();
        }

        /// <summary>Removes folding white space (RFC 5322 FWS: SP, HTAB, CR, LF) from a value.</summary>
        public static string RemoveWhiteSpace(string value)
        {
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
