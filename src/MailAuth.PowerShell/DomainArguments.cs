using System;
using System.Collections.Generic;
using System.Management.Automation;
using MailAuth.DomainReport;

namespace MailAuth.PowerShell
{
    /// <summary>One domain taken from a pipeline object: normalised, or why it cannot be a domain.</summary>
    internal sealed class DomainArgument
    {
        public DomainArgument(string? input, DomainInput parsed, bool alreadyChecked)
        {
            Input = input;
            Parsed = parsed;
            AlreadyChecked = alreadyChecked;
        }

        /// <summary>The value as bound.</summary>
        public string? Input { get; }

        public DomainInput Parsed { get; }

        /// <summary>The lower-case A-label domain; null when the input is not a domain.</summary>
        public string? Domain => Parsed.Domain;

        /// <summary>A domain taken from an address that this command has checked already.</summary>
        public bool AlreadyChecked { get; }

        public bool IsEmpty => string.IsNullOrWhiteSpace(Input);

        /// <summary>The -Verbose line for a domain skipped because an earlier address gave it.</summary>
        public string AlreadyCheckedNote => $"{Domain} (from {Input}): already checked by this command.";

        /// <summary>What normalisation changed, as a -Verbose line; null when nothing did.</summary>
        public string? VerboseNote => Parsed.Note is null ? null : $"'{Input}' read as {Domain}: {Parsed.Note}.";

        /// <summary>The error record for an input that is not a domain.</summary>
        public ErrorRecord ToErrorRecord()
        {
            string message = IsEmpty ? "The domain is empty." : Parsed.Error ?? $"'{Input}' is not a domain name.";
            return new ErrorRecord(new ArgumentException(message), IsEmpty ? "EmptyDomain" : "InvalidDomain", ErrorCategory.InvalidArgument, Input)
            {
                ErrorDetails = new ErrorDetails(message)
                {
                    RecommendedAction = "Give a domain such as contoso.com, or an address such as user@contoso.com (its domain is taken).",
                },
            };
        }
    }

    /// <summary>
    /// The domains of one pipeline object, the same way for every cmdlet that takes domains: each
    /// -Domain value, and the smtp: entries of -EmailAddress (Exchange's EmailAddresses). An address
    /// or URL is reduced to its domain (<see cref="DomainInput"/>, the rule the domain report uses),
    /// and a domain taken from an address is checked once per command however many recipients share
    /// it, so <c>Get-Mailbox | Get-DkimRecord</c> asks once per domain.
    /// </summary>
    internal sealed class DomainArguments
    {
        private readonly HashSet<string> _checkedFromAddresses = new HashSet<string>(StringComparer.Ordinal);

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
                string? address = DomainInput.SmtpAddressOfProxy(proxy);
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
            DomainInput parsed = DomainInput.Parse(input);
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
