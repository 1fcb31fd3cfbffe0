using System;
using System.Collections.Generic;

namespace MailAuth.Names
{
    /// <summary>
    /// One input a user gave where a domain is wanted, read the same way by every cmdlet and the
    /// CLI (docs/domain-names.md): surrounding white space, quotes and angle brackets are removed,
    /// an address gives the part after its last "@", an http, https or mailto URL its host, a
    /// path after a domain is dropped; what was changed is said in <see cref="Note"/>. Then the
    /// <see cref="DomainName"/> rules decide; a refusal names its rule in <see cref="Rule"/> and
    /// <see cref="Error"/>. Case and the trailing dot change without a note (one name, one form).
    /// </summary>
    public sealed class DomainNameInput
    {
        /// <summary>What to do, said after a refusal of a mail domain.</summary>
        public const string DomainAction = "Give a domain such as contoso.com, or an address such as user@contoso.com (its domain is taken).";

        private DomainNameInput(string? input, DomainName? name, string? note, DomainNameRule rule, string? reason)
        {
            Input = input;
            Name = name;
            Note = note;
            Rule = rule;
            Error = reason is null ? null : DomainName.RefusalMessage(input, rule, reason);
        }

        /// <summary>The value as given.</summary>
        public string? Input { get; }

        /// <summary>The name; null when refused.</summary>
        public DomainName? Name { get; }

        /// <summary>Lower-case A-label domain without the trailing dot; null when refused.</summary>
        public string? Domain => Name?.Value;

        /// <summary>What reading changed ("taken as the domain of the address user@contoso.com"), or null.</summary>
        public string? Note { get; }

        /// <summary>The rule broken; None when accepted.</summary>
        public DomainNameRule Rule { get; }

        /// <summary>The refusal: the value, what is wrong, the rule and its RFC section; null when accepted.</summary>
        public string? Error { get; }

        public bool IsValid => Name != null;

        /// <summary>What to do instead; null when accepted.</summary>
        public string? RecommendedAction => IsValid ? null
            : Rule == DomainNameRule.IpAddress ? "Give a domain such as contoso.com; Get-MailIpReport (mailauth ip) reports on an address."
            : DomainAction;

        /// <summary>The message every cmdlet's error record and the CLI print: <see cref="Error"/> and <see cref="RecommendedAction"/>.</summary>
        public string? Refusal => IsValid ? null : Error + " " + RecommendedAction;

        /// <summary>A blank line or a "#"/";" comment: callers reading files skip these.</summary>
        public bool IsBlankOrComment => Rule == DomainNameRule.Comment || (Rule == DomainNameRule.Empty && string.IsNullOrWhiteSpace(Input));

        /// <summary>The one -Verbose line a cmdlet writes when reading changed the input; null when nothing did.</summary>
        public string? VerboseNote => Note is null ? null : $"'{Input}' read as {Domain}: {Note}.";

        public override string ToString() => Domain ?? Error ?? string.Empty;

        /// <summary>The refusal as the exception the core's entry points throw.</summary>
        public DomainNameException ToException(string? paramName = null) =>
            new DomainNameException(Input, Rule, Error ?? DomainName.RefusalMessage(Input, Rule, "it is not a domain name"), paramName);

        /// <summary>Reads one input. Never throws.</summary>
        /// <param name="input">As given: a domain, an address, a URL.</param>
        /// <param name="kind">HostName for mail domains; DnsName where underscore labels are names too (SPF records at _spf names, DNS queries).</param>
        /// <param name="requireQualified">Refuse a single label (RFC 5321 §2.3.5); false only where a TLD is a sensible question (a DNS query).</param>
        public static DomainNameInput Read(string? input, DomainNameKind kind = DomainNameKind.HostName, bool requireQualified = true)
        {
            if (input is null)
            {
                return Refuse(input, DomainNameRule.Empty, "it is null");
            }

            List<string>? notes = null; // most inputs are a plain domain and need none
            string value = input.Trim().Trim('\uFEFF').Trim();
            if (value.Length == 0)
            {
                return Refuse(input, DomainNameRule.Empty, "it is empty");
            }

            if (value.Length != input.Length)
            {
                (notes ??= new List<string>()).Add("removed the white space around it");
            }

            if (value.StartsWith("#", StringComparison.Ordinal) || value.StartsWith(";", StringComparison.Ordinal))
            {
                return Refuse(input, DomainNameRule.Comment, "it is a comment line");
            }

            // "Name <user@contoso.com>" (a From header) or "<user@contoso.com>": the address inside.
            int open = value.LastIndexOf('<');
            if (open >= 0 && value.EndsWith(">", StringComparison.Ordinal))
            {
                value = value.Substring(open + 1, value.Length - open - 2).Trim();
                (notes ??= new List<string>()).Add("took the address in angle brackets");
            }

            // Quotes from CSV exports.
            string unquoted = value.Trim('"', '\'').Trim();
            if (unquoted.Length != value.Length)
            {
                (notes ??= new List<string>()).Add("removed quotes");
                value = unquoted;
            }

            if (value.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
            {
                // RFC 6068 §2: mailto:addr-spec, then ?headers.
                string rest = value.Substring(7);
                int query = rest.IndexOf('?');
                // The address note below says what was taken.
                value = Uri.UnescapeDataString(query >= 0 ? rest.Substring(0, query) : rest);
            }
            else if (value.IndexOf("://", StringComparison.Ordinal) > 0)
            {
                string scheme = value.Substring(0, value.IndexOf("://", StringComparison.Ordinal));
                bool web = string.Equals(scheme, "http", StringComparison.OrdinalIgnoreCase) || string.Equals(scheme, "https", StringComparison.OrdinalIgnoreCase);
                if (!web)
                {
                    return Refuse(input, DomainNameRule.Url, $"it is a {scheme}: URL; only the host of an http, https or mailto URL is read");
                }

                string? host = HostOf(value);
                if (host is null)
                {
                    return Refuse(input, DomainNameRule.Url, "it looks like a URL but has no host that can be read");
                }

                value = host;
                (notes ??= new List<string>()).Add($"taken as the host of the URL {Shorten(input.Trim())}");
            }
            else if (value.IndexOf('/') > 0 && value.IndexOf('@') < 0)
            {
                // "contoso.com/path": a URL without a scheme.
                value = value.Substring(0, value.IndexOf('/'));
                (notes ??= new List<string>()).Add("dropped the path after the domain");
            }

            int at = value.LastIndexOf('@');
            if (at >= 0)
            {
                string address = value;
                value = value.Substring(at + 1);
                if (value.Length == 0)
                {
                    return Refuse(input, DomainNameRule.Empty, $"the address '{Shorten(address)}' has nothing after its '@'");
                }

                (notes ??= new List<string>()).Add($"taken as the domain of the address {Shorten(address)}");
            }

            bool ok = requireQualified
                ? DomainName.TryParseQualified(value, kind, out DomainName? name, out DomainNameRule rule, out string? reason)
                : DomainName.TryParse(value, kind, out name, out rule, out reason);
            if (!ok)
            {
                return Refuse(input, rule, reason!);
            }

            if (!string.Equals(name!.Value, value.TrimEnd('.').ToLowerInvariant(), StringComparison.Ordinal) && HasNonAscii(value))
            {
                (notes ??= new List<string>()).Add("converted to the A-label form " + name.Value);
            }

            return new DomainNameInput(input, name, notes is null ? null : string.Join("; ", notes), DomainNameRule.None, null);
        }

        /// <summary>The domain of a core entry point's argument, read as <see cref="Read"/> reads it.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
        /// <exception cref="DomainNameException">It is refused; the message names the rule.</exception>
        public static string Require(string? input, string paramName, DomainNameKind kind = DomainNameKind.HostName)
        {
            if (input is null)
            {
                throw new ArgumentNullException(paramName);
            }

            DomainNameInput read = Read(input, kind);
            if (!read.IsValid)
            {
                throw new DomainNameException(input, read.Rule, read.Refusal!, paramName);
            }

            return read.Domain!;
        }

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

        /// <summary>This input with one more note (the audit runner's "duplicate of input 3").</summary>
        internal DomainNameInput WithNote(string? extra)
        {
            if (extra is null || !IsValid)
            {
                return this;
            }

            return new DomainNameInput(Input, Name, Note is null ? extra : Note + "; " + extra, DomainNameRule.None, null);
        }

        private static string? HostOf(string url)
        {
            try
            {
                // Uri.Host keeps U-labels as typed; the name rules make the A-label. Uri throws
                // for some hosts it cannot map even after TryCreate (IDN with invalid characters).
                if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Host.Length == 0)
                {
                    return null;
                }

                return uri.Host.StartsWith("[", StringComparison.Ordinal) ? uri.Host : Uri.UnescapeDataString(uri.Host);
            }
            catch (UriFormatException)
            {
                return null;
            }
        }

        private static DomainNameInput Refuse(string? input, DomainNameRule rule, string reason) => new DomainNameInput(input, null, null, rule, reason);

        private static bool HasNonAscii(string value)
        {
            foreach (char c in value)
            {
                if (c > 0x7F)
                {
                    return true;
                }
            }

            return false;
        }

        private static string Shorten(string text) => text.Length <= 80 ? text : text.Substring(0, 77) + "...";
    }
}
