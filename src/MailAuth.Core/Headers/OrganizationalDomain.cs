using System;

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
    /// Organizational Domains from the Public Suffix List (RFC 7489 §3.2): the registrable domain,
    /// or the name itself when it is a public suffix or not a domain.
    /// </summary>
    public sealed class PublicSuffixOrganizationalDomainProvider : IOrganizationalDomainProvider
    {
        private readonly MailAuth.Dmarc.PublicSuffixList _list;

        public PublicSuffixOrganizationalDomainProvider(MailAuth.Dmarc.PublicSuffixList list)
        {
            _list = list ?? throw new ArgumentNullException(nameof(list));
        }

        /// <summary>Over the bundled list.</summary>
        public static PublicSuffixOrganizationalDomainProvider Embedded { get; } =
            new PublicSuffixOrganizationalDomainProvider(MailAuth.Dmarc.PublicSuffixList.Embedded);

        public string GetOrganizationalDomain(string domain)
        {
            if (domain == null)
            {
                throw new ArgumentNullException(nameof(domain));
            }

            string name = domain.Trim().TrimEnd('.').ToLowerInvariant();
            return _list.GetRegistrableDomain(name)?.ToLowerInvariant() ?? name;
        }
    }
}
