using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using MailAuth.Dmarc;

namespace MailAuth.DomainReport
{
    /// <summary>
    /// One line of audit input turned into a domain: what can be normalised is (and the change is
    /// said in <see cref="Note"/>); the rest has an <see cref="Error"/>.
    /// </summary>
    public sealed class DomainInput
    {
        private DomainInput(string input, string? domain, string? note, string? error, bool isBlankOrComment)
        {
            Input = input;
            Domain = domain;
            Note = note;
            Error = error;
            IsBlankOrComment = isBlankOrComment;
        }

        /// <summary>The text as given.</summary>
        public string Input { get; }

        /// <summary>Lower-case A-label domain without a trailing dot; null when invalid.</summary>
        public string? Domain { get; }

        /// <summary>What normalisation changed ("took the host from a URL", ...), or null.</summary>
        public string? Note { get; }

        /// <summary>Why the input is not a domain, or null.</summary>
        public string? Error { get; }

        public bool IsValid => Domain != null;

        /// <summary>A blank line or a "#" comment: callers reading files usually skip these.</summary>
        public bool IsBlankOrComment { get; }

        public override string ToString() => Domain ?? ("invalid: " + Error);

        /// <summary>
        /// The address of an Exchange proxy address as Get-Mailbox and Get-Recipient list them in
        /// EmailAddresses: "SMTP:user@contoso.com" (primary) and "smtp:…" (secondary) give the
        /// address, a bare address is itself, and other proxy types ("SIP:", "X500:", "EUM:",
        /// "SPO:", …) give null: they carry no mail domain.
        /// </summary>
        public static string? SmtpAddressOfProxy(string? proxyAddress)
        {
            string value = (proxyAddress ?? string.Empty).Trim();
            int colon = value.IndexOf(':');
            int at = value.IndexOf('@');
            if (colon > 0 && (at < 0 || colon < at))
            {
                if (!value.StartsWith("smtp:", StringComparison.OrdinalIgnoreCase))
                {
                    return null;
                }

                value = value.Substring(5).Trim();
            }

            return value.IndexOf('@') > 0 ? value : null;
        }

        /// <summary>Normalises one input. Never throws.</summary>
        public static DomainInput Parse(string? input) => Parse(input, null);

        internal static DomainInput Parse(string? input, string? extraNote)
        {
            DomainInput parsed = ParseCore(input);
            if (extraNote is null || !parsed.IsValid)
            {
                return parsed;
            }

            return new DomainInput(parsed.Input, parsed.Domain, parsed.Note is null ? extraNote : parsed.Note + "; " + extraNote, null, false);
        }

        private static DomainInput ParseCore(string? input)
        {
            string original = input ?? string.Empty;
            string value = original.Trim().Trim('\uFEFF');
            if (value.Length == 0)
            {
                return new DomainInput(original, null, null, "The line is empty. Give a domain such as example.com.", true);
            }

            if (value.StartsWith("#", StringComparison.Ordinal) || value.StartsWith(";", StringComparison.Ordinal))
            {
                return new DomainInput(original, null, null, "The line is a comment.", true);
            }

            var notes = new List<string>();

            // Quotes and angle brackets from CSV exports and mail headers.
            string unquoted = value.Trim('"', '\'', '<', '>').Trim();
            if (unquoted.Length != value.Length)
            {
                notes.Add("removed quotes or angle brackets");
                value = unquoted;
            }

            if (value.IndexOf("://", StringComparison.Ordinal) > 0)
            {
                if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || uri.Host.Length == 0)
                {
                    return Invalid(original, "it looks like a URL but cannot be read as one");
                }

                value = uri.Host;
                notes.Add("took the host from a URL");
            }
            else if (value.IndexOf('/') >= 0)
            {
                // "example.com/path": a URL without a scheme.
                value = value.Substring(0, value.IndexOf('/'));
                notes.Add("dropped a path after the domain");
            }

            int at = value.LastIndexOf('@');
            if (at >= 0)
            {
                value = value.Substring(at + 1);
                notes.Add("took the domain of an email address");
            }

            if (value.IndexOf(' ') >= 0 || value.IndexOf('\t') >= 0)
            {
                return Invalid(original, "it contains white space");
            }

            if (value.StartsWith("[", StringComparison.Ordinal) || (IPAddress.TryParse(value, out IPAddress? address) && (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || value.Split('.').Length == 4)))
            {
                return Invalid(original, "it is an IP address, not a domain");
            }

            if (value.EndsWith(".", StringComparison.Ordinal) && !value.EndsWith("..", StringComparison.Ordinal))
            {
                notes.Add("removed the trailing dot");
            }

            string? domain = DomainName.TryNormalize(value, out string? reason);
            if (domain is null)
            {
                return Invalid(original, reason ?? "it is not a domain name");
            }

            if (domain.IndexOf('.') < 0)
            {
                return Invalid(original, "it has a single label; give a full domain such as example.com");
            }

            if (domain.Split('.').Any(l => l.StartsWith("xn--", StringComparison.Ordinal)) && value.Any(c => c > 0x7F))
            {
                notes.Add("converted the internationalized name to its A-label form " + domain);
            }

            return new DomainInput(original, domain, notes.Count == 0 ? null : string.Join("; ", notes), null, false);
        }

        private static DomainInput Invalid(string original, string reason)
        {
            string shown = original.Length > 80 ? original.Substring(0, 77) + "..." : original;
            return new DomainInput(original, null, null, $"'{shown.Trim()}' is not a domain: {reason}.", false);
        }
    }
}
