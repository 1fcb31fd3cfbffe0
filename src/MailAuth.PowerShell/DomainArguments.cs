using System;
using System.Collections.Generic;
using System.Management.Automation;
using MailAuth.Names;

namespace MailAuth.PowerShell
{
    /// <summary>One domain taken from a pipeline object: normalised, or why it cannot be a domain.</summary>
    internal sealed class DomainArgument
    {
        public DomainArgument(string? input, DomainNameInput parsed, bool alreadyChecked)
        {
            Input = input;
            Parsed = parsed;
            AlreadyChecked = alreadyChecked;
        }

        /// <summary>The value as bound.</summary>
        public string? Input { get; }

        public DomainNameInput Parsed { get; }

        /// <summary>The lower-case A-label domain; null when the input is not a domain.</summary>
        public string? Domain => Parsed.Domain;

        /// <summary>A domain taken from an address that this command has checked already.</summary>
        public bool AlreadyChecked { get; }

        public bool IsEmpty => string.IsNullOrWhiteSpace(Input);

        /// <summary>The -Verbose line for a domain skipped because an earlier address gave it.</summary>
        public string AlreadyCheckedNote => $"{Domain} (from {Input}): already checked by this command.";

        /// <summary>What reading changed, as the one -Verbose line every cmdlet writes; null when nothing did.</summary>
        public string? VerboseNote => Parsed.VerboseNote;

        /// <summary>
        /// The error record for a refused input, the same from every cmdlet: InvalidArgument, the
        /// input as target, ErrorId EmptyDomain or InvalidDomain, a message naming the rule, its
        /// RFC section and what to do (docs/domain-names.md).
        /// </summary>
        public ErrorRecord ToErrorRecord() => ErrorRecordOf(Parsed);

        /// <summary>The error record for a refused <see cref="DomainNameInput"/>.</summary>
        public static ErrorRecord ErrorRecordOf(DomainNameInput parsed)
        {
            string action = parsed.RecommendedAction ?? DomainNameInput.DomainAction;
            string message = parsed.Refusal ?? DomainName.RefusalMessage(parsed.Input, parsed.Rule, "it is not a domain name");
            string errorId = parsed.Rule == DomainNameRule.Empty ? "EmptyDomain" : "InvalidDomain";
            return new ErrorRecord(new DomainNameException(parsed.Input, parsed.Rule, message), errorId, ErrorCategory.InvalidArgument, parsed.Input)
            {
                ErrorDetails = new ErrorDetails(message) { RecommendedAction = action },
            };
        }
    }

    /// <summary>
    /// The domains of one pipeline object, the same way for every cmdlet that takes domains: each
    /// -Domain value, and the smtp: entries of -EmailAddress (Exchange's EmailAddresses). An address
    /// or URL is reduced to its domain (<see cref="DomainNameInput"/>, the rule every cmdlet and the CLI use),
    /// and a domain taken from an address is checked once per command however many recipients share
    /// it, so <c>Get-Mailbox | Get-DkimRecord</c> asks once per domain.
    /// </summary>
    internal sealed class DomainArguments
    {
        private readonly HashSet<string> _checkedFromAddresses = new HashSet<string>(StringComparer.Ordinal);
        private readonly DomainNameKind _kind;

        /// <param name="kind">HostName for mail domains; DnsName where an underscore label is a name too (Get-SpfRecord: _spf.contoso.com).</param>
        public DomainArguments(DomainNameKind kind = DomainNameKind.HostName)
        {
            _kind = kind;
        }

        /// <param name="domains">-Domain as bound.</param>
        /// <param name="emailAddresses">-EmailAddress as bound: proxy addresses ("SMTP:…", "smtp:…", "SIP:…") or addresses.</param>
        /// <param name="onceFromAddresses">False where every input stands for itself (a message to evaluate).</param>
        public IEnumerable<DomainArgument> Take(string?[]? domains, string?[]? emailAddresses, bool onceFromAddresses = true)
        {
            var inThisObject = new HashSet<string>(StringComparer.Ordinal);
            foreach (string? input in domains ?? Array.Empty<string?>())
            {
                DomainArgument? argument = Read(input, fromAddress: input != null && input.IndexOf('@') >= 0, onceFromAddresses, inThisObject);
                if (argument != null)
                {
                    yield return argument;
                }
            }

            foreach (string? proxy in emailAddresses ?? Array.Empty<string?>())
            {
                string? address = DomainNameInput.SmtpAddressOfProxy(proxy);
                if (address is null)
                {
                    // SIP:, X500:, EUM: and the like name no mail domain.
                    continue;
                }

                DomainArgument? argument = Read(address, fromAddress: true, onceFromAddresses, inThisObject);
                if (argument != null)
                {
                    yield return argument;
                }
            }
        }

        private DomainArgument? Read(string? input, bool fromAddress, bool onceFromAddresses, HashSet<string> inThisObject)
        {
            DomainNameInput parsed = DomainNameInput.Read(input, _kind);
            if (!parsed.IsValid)
            {
                return new DomainArgument(input, parsed, false);
            }

            // A mailbox lists its primary address in PrimarySmtpAddress and again in EmailAddresses.
            if (!inThisObject.Add(parsed.Domain!) && fromAddress)
            {
                return null;
            }

            bool already = fromAddress && onceFromAddresses && !_checkedFromAddresses.Add(parsed.Domain!);
            return new DomainArgument(input, parsed, already);
        }
    }
}
