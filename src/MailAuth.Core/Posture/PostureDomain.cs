using System;
using MailAuth.Dmarc;

namespace MailAuth.Posture
{
    /// <summary>Argument checks shared by the posture entry points.</summary>
    internal static class PostureDomain
    {
        /// <summary>Lower-case A-label form without the trailing dot, or ArgumentException saying what to give.</summary>
        public static string Normalize(string? domain, string parameterName)
        {
            if (domain is null)
            {
                throw new ArgumentNullException(parameterName);
            }

            string? normalized = DomainName.TryNormalize(domain, out string? reason);
            if (normalized is null)
            {
                throw new ArgumentException($"'{domain}' is not a domain name: {reason}. Give a domain such as example.com.", parameterName);
            }

            return normalized;
        }

        /// <summary>A DKIM or BIMI selector: dot-separated labels (RFC 6376 §3.1).</summary>
        public static string NormalizeSelector(string? selector, string parameterName)
        {
            if (selector is null)
            {
                throw new ArgumentNullException(parameterName, "A selector is null; remove it.");
            }

            string? normalized = DomainName.TryNormalize(selector, out string? reason);
            if (normalized is null)
            {
                throw new ArgumentException($"'{selector}' is not a selector: {reason}. A selector is one or more DNS labels such as selector1 or s1.2024.", parameterName);
            }

            return normalized;
        }
    }
}
