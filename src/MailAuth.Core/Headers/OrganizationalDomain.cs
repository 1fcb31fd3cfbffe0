using System;
using System.Collections.Generic;

namespace MailAuth.Headers
{
    /// <summary>
    /// Maps a domain to its Organizational Domain (RFC 7489 §3.2) for relaxed alignment.
    /// </summary>
    public interface IOrganizationalDomainProvider
    {
        /// <summary>The Organizational Domain of <paramref name="domain"/>, lower case, no trailing dot.</summary>
        string GetOrganizationalDomain(string domain);
    }

    /// <summary>
    /// STOPGAP until the Public Suffix List engine lands: the last two labels, or three when the
    /// last two are a well-known two-level public suffix (co.uk, com.au, ...). Wrong for private
    /// suffixes and many ccTLD layouts; the lead swaps it via
    /// <see cref="MailHeaderOptions.OrganizationalDomainProvider"/>.
    /// </summary>
    public sealed class SimpleOrganizationalDomainProvider : IOrganizationalDomainProvider
    {
        public static SimpleOrganizationalDomainProvider Instance { get; } = new SimpleOrganizationalDomainProvider();

        private static readonly HashSet<string> s_twoLevelSuffixes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "me.uk", "net.uk",
            "com.au", "net.au", "org.au", "edu.au", "gov.au",
            "co.nz", "org.nz", "net.nz", "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp",
            "com.br", "net.br", "org.br", "com.cn", "net.cn", "org.cn", "com.mx", "com.tr",
            "co.za", "co.in", "net.in", "org.in", "co.kr", "or.kr", "com.sg", "com.hk", "com.tw",
            "co.il", "com.ar", "com.pl", "co.id", "com.my", "com.ph", "com.vn", "com.ua",
        };

        public string GetOrganizationalDomain(string domain)
        {
            if (domain == null)
            {
                throw new ArgumentNullException(nameof(domain));
            }

            var d = domain.Trim().TrimEnd('.').ToLowerInvariant();
            var labels = d.Split('.');
            if (labels.Length <= 2)
            {
                return d;
            }

            var lastTwo = labels[labels.Length - 2] + "." + labels[labels.Length - 1];
            var take = s_twoLevelSuffixes.Contains(lastTwo) ? 3 : 2;
            return string.Join(".", labels, labels.Length - take, take);
        }
    }
}
