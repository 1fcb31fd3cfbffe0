using System;
using System.Globalization;
using MailAuth.Names;

namespace MailAuth.Dmarc
{
    /// <summary>
    /// One reporting URI of rua or ruf (RFC 7489 §6.2, RFC 9989 §4.6), with the obsolete size limit
    /// ("!10m") split off.
    /// </summary>
    public sealed class DmarcReportUri
    {
        private DmarcReportUri(string text, string uri, string? scheme, string? address, string? host,
            string? sizeText, long? sizeLimit, string? error)
        {
            Text = text;
            Uri = uri;
            Scheme = scheme;
            Address = address;
            Host = host;
            SizeText = sizeText;
            SizeLimit = sizeLimit;
            Error = error;
        }

        /// <summary>The entry as written in the record.</summary>
        public string Text { get; }

        /// <summary>The URI without the size limit.</summary>
        public string Uri { get; }

        /// <summary>Lower-case scheme ("mailto", "https", ...), or null when there is none.</summary>
        public string? Scheme { get; }

        /// <summary>mailto: the mailbox (local-part@domain).</summary>
        public string? Address { get; }

        /// <summary>The destination host: the mailbox domain for mailto, the authority host otherwise (lower case, A-label).</summary>
        public string? Host { get; }

        /// <summary>The size limit as written after "!" (e.g. "10m"), or null.</summary>
        public string? SizeText { get; }

        /// <summary>The size limit in bytes (k, m, g, t are powers of 1024, RFC 7489 §6.4), or null.</summary>
        public long? SizeLimit { get; }

        /// <summary>Why the URI is unusable, or null.</summary>
        public string? Error { get; }

        public bool IsValid => Error is null;

        public bool IsMailto => string.Equals(Scheme, "mailto", StringComparison.Ordinal);

        public override string ToString() => Text;

        /// <summary>Parses one entry of a rua/ruf list (already split at commas and trimmed).</summary>
        public static DmarcReportUri Parse(string text)
        {
            if (text is null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            string uri = text;
            string? sizeText = null;
            long? sizeLimit = null;

            // "!" must be percent-encoded inside the URI (RFC 7489 §6.4), so a literal "!" starts the
            // size limit: 1*DIGIT [ "k" / "m" / "g" / "t" ].
            int bang = text.LastIndexOf('!');
            if (bang >= 0)
            {
                uri = text.Substring(0, bang);
                sizeText = text.Substring(bang + 1);
                if (!TryParseSize(sizeText, out long size))
                {
                    return new DmarcReportUri(text, uri, null, null, null, sizeText, null,
                        $"the size limit '!{sizeText}' is not digits followed by an optional k, m, g or t");
                }

                sizeLimit = size;
            }

            int colon = uri.IndexOf(':');
            if (colon <= 0)
            {
                return new DmarcReportUri(text, uri, null, null, null, sizeText, sizeLimit,
                    "it has no scheme; write it as mailto:reports@example.com");
            }

            string scheme = uri.Substring(0, colon).ToLowerInvariant();
            if (!IsScheme(scheme))
            {
                return new DmarcReportUri(text, uri, null, null, null, sizeText, sizeLimit,
                    $"'{uri.Substring(0, colon)}' is not a URI scheme; write it as mailto:reports@example.com");
            }

            string rest = uri.Substring(colon + 1);
            if (scheme == "mailto")
            {
                // mailto (RFC 6068): addr-spec, optional ?headers which are ignored here.
                int query = rest.IndexOf('?');
                string mailbox = Uri_Unescape(query >= 0 ? rest.Substring(0, query) : rest);
                int at = mailbox.LastIndexOf('@');
                if (at <= 0 || at == mailbox.Length - 1)
                {
                    return new DmarcReportUri(text, uri, scheme, null, null, sizeText, sizeLimit,
                        $"'{mailbox}' is not a mailbox (local-part@domain)");
                }

                if (mailbox.IndexOf(',') >= 0 || mailbox.IndexOf(' ') >= 0)
                {
                    return new DmarcReportUri(text, uri, scheme, null, null, sizeText, sizeLimit,
                        $"'{mailbox}' holds a comma or a space; list several URIs separated by commas, each starting with mailto:");
                }

                string domain = mailbox.Substring(at + 1);
                string? host = DomainName.TryParse(domain, DomainNameKind.HostName, out DomainName? mailDomain, out _, out string? why) ? mailDomain!.Value : null;
                if (host is null)
                {
                    return new DmarcReportUri(text, uri, scheme, mailbox, null, sizeText, sizeLimit,
                        $"the mailbox domain '{domain}' is not a domain name: {why}");
                }

                return new DmarcReportUri(text, uri, scheme, mailbox, host, sizeText, sizeLimit, null);
            }

            if (!System.Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed))
            {
                return new DmarcReportUri(text, uri, scheme, null, null, sizeText, sizeLimit,
                    "it is not a valid absolute URI");
            }

            string? authority = string.IsNullOrEmpty(parsed.Host) ? null : parsed.Host.ToLowerInvariant();
            return new DmarcReportUri(text, uri, scheme, null, authority, sizeText, sizeLimit, null);
        }

        private static string Uri_Unescape(string value)
        {
            try
            {
                return System.Uri.UnescapeDataString(value);
            }
            catch (UriFormatException)
            {
                return value;
            }
        }

        private static bool IsScheme(string scheme)
        {
            // RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
            if (scheme.Length == 0 || scheme[0] < 'a' || scheme[0] > 'z')
            {
                return false;
            }

            foreach (char c in scheme)
            {
                bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
                if (!ok)
                {
                    return false;
                }
            }

            return true;
        }

        private static bool TryParseSize(string text, out long size)
        {
            size = 0;
            if (text.Length == 0)
            {
                return false;
            }

            long unit = 1;
            string digits = text;
            char last = char.ToLowerInvariant(text[text.Length - 1]);
            switch (last)
            {
                case 'k': unit = 1L << 10; break;
                case 'm': unit = 1L << 20; break;
                case 'g': unit = 1L << 30; break;
                case 't': unit = 1L << 40; break;
            }

            if (unit != 1)
            {
                digits = text.Substring(0, text.Length - 1);
            }

            if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                return false;
            }

            try
            {
                size = checked(value * unit);
            }
            catch (OverflowException)
            {
                size = long.MaxValue;
            }

            return true;
        }
    }
}
