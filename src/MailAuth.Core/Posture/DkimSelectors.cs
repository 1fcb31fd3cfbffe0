using System.Collections.Generic;

namespace MailAuth.Posture
{
    /// <summary>
    /// Selectors tried when none are given. DKIM selectors cannot be enumerated (RFC 6376 §3.1
    /// leaves them to the signer), so discovery can only try names providers are known to use.
    /// docs/posture.md lists where each comes from.
    /// </summary>
    public static class DkimSelectors
    {
        /// <summary>
        /// A DKIM or BIMI selector in the form queries use: dot-separated DNS labels (RFC 6376 §3.1),
        /// lower-case A-labels.
        /// </summary>
        /// <exception cref="System.ArgumentException">Not a selector; the message names it and says why.</exception>
        public static string Normalize(string? selector) => MailAuth.Names.DomainName.ParseSelector(selector, nameof(selector));

        /// <summary>The default list, in the order results are reported.</summary>
        public static IReadOnlyList<string> Common { get; } = new[]
        {
            // Microsoft 365: CNAMEs to selector1-<domain>._domainkey.<tenant>.onmicrosoft.com
            "selector1", "selector2",
            // Google Workspace
            "google",
            // Generic and hosting-panel defaults (cPanel, Plesk, OpenDKIM/rspamd examples)
            "default", "dkim", "mail", "smtp", "key1", "key2",
            // Mailchimp / Mandrill (k1..k3), SendGrid (s1, s2, smtpapi), Amazon SES-style sig1
            "k1", "k2", "k3", "s1", "s2", "smtpapi", "mandrill", "sig1",
            // Mailjet, Everlytic, MXroute / mxvault, Postmark, Zoho, Fastmail
            "mailjet", "everlytickey1", "everlytickey2", "mxvault", "pm", "zoho", "fm1", "fm2", "fm3",
            // Proton Mail
            "protonmail", "protonmail2", "protonmail3",
        };
    }
}
