using System;
using System.Collections;
using System.IO;
using System.Management.Automation;
using System.Threading.Tasks;
using MailAuth.Names;
using MailAuth.Dmarc;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>
    /// Resolve-DmarcPolicy: discovers the DMARC policy that governs a From domain (RFC 9989 tree walk
    /// or the RFC 7489 Public Suffix List method), validates it, and with SPF/DKIM inputs evaluates
    /// a message: alignment, DMARC result and disposition.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Resolve, "DmarcPolicy")]
    [OutputType(typeof(DmarcPolicy))]
    public sealed class ResolveDmarcPolicyCommand : BulkDnsCmdlet, IFindingSeverityParameter
    {
        protected override string ProgressActivity => "Resolving DMARC policies";

        protected override int ProgressActivityId => 0x4D44;

        private DmarcResolver _dmarc = null!;
        private DmarcOptions _options = null!;

        private readonly DomainArguments _domains = new DomainArguments();

        /// <summary>
        /// Severities by finding id or wildcard: Information, Warning, Error, or Off to leave a finding
        /// out. Default: $MailAuthFindingSeverity (docs/findings.md).
        /// </summary>
        [Parameter]
        public Hashtable? FindingSeverity { get; set; }

        /// <summary>From domains, or addresses whose domain is taken.</summary>
        // Alias order is binding precedence: a header report's FromDomain is the domain it read from
        // its From field; a mailbox has a Name too (its display name).
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FromDomain", "From", "DomainName", "PrimarySmtpAddress", "Name")]
        [AllowEmptyString]
        [AllowNull]
        public string[] Domain { get; set; } = Array.Empty<string>();

        /// <summary>Exchange proxy addresses (Get-Mailbox's EmailAddresses); the domains of the smtp: entries are resolved too.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("EmailAddresses")]
        [AllowEmptyCollection]
        [AllowNull]
        public string[]? EmailAddress { get; set; }

        [Parameter]
        public DmarcDiscoveryMethod Method { get; set; } = DmarcDiscoveryMethod.TreeWalk;

        /// <summary>The RFC5321.MailFrom address or domain that SPF checked.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Sender", "EnvelopeSender", "MailFromDomain")]
        public string? MailFrom { get; set; }

        /// <summary>The SPF result for the MAIL FROM identity: pass, fail, softfail, neutral, none, temperror, permerror.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Spf", "Result")]
        [ValidateSpfResult]
        [ArgumentCompleter(typeof(SpfResultCompleter))]
        [AllowEmptyString]
        [AllowNull]
        public string? SpfResult { get; set; }

        /// <summary>
        /// DKIM signatures as "domain:result" strings (e.g. "contoso.com:pass"), or objects with
        /// Domain (or D) and Result properties.
        /// </summary>
        /// <remarks>Not named -Dkim: a header report's Dkim property is a summary string, DkimResults the detail.</remarks>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("DkimResults")]
        public object[]? DkimResult { get; set; }

        /// <summary>A newer Public Suffix List file (public_suffix_list.dat format) instead of the bundled copy.</summary>
        [Parameter]
        public string? PublicSuffixListPath { get; set; }

        /// <summary>Do not check external report destinations (RFC 7489 §7.1).</summary>
        [Parameter]
        public SwitchParameter SkipReportAuthorization { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            PublicSuffixList? list = null;
            if (!string.IsNullOrEmpty(PublicSuffixListPath))
            {
                string path = GetUnresolvedProviderPathFromPSPath(PublicSuffixListPath);
                try
                {
                    list = PublicSuffixList.Load(path);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is FormatException)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, "PublicSuffixListUnreadable", ErrorCategory.ReadError, path)
                    {
                        ErrorDetails = new ErrorDetails($"Cannot read the Public Suffix List '{path}': {ex.Message}")
                        {
                            RecommendedAction = "Give the path of a public_suffix_list.dat file, or omit -PublicSuffixListPath to use the bundled copy.",
                        },
                    });
                }
            }

            _options = new DmarcOptions
            {
                PublicSuffixList = list,
                CheckReportAuthorization = !SkipReportAuthorization.IsPresent,
                TraceObserver = VerboseEnabled ? response => PostVerbose(response.ToVerboseLine()) : (System.Action<MailAuth.Dns.DnsResponse>?)null,
            };
            _dmarc = new DmarcResolver(Resolver);
        }

        protected override void ProcessRecord()
        {
            // A mailbox's domains are resolved once per command; a message (MAIL FROM, SPF or DKIM
            // results given) is evaluated on its own, however many share its From domain.
            bool message = !string.IsNullOrWhiteSpace(MailFrom) || !string.IsNullOrWhiteSpace(SpfResult) || (DkimResult?.Length ?? 0) > 0;
            foreach (DomainArgument argument in _domains.Take(Domain, EmailAddress, onceFromAddresses: !message))
            {
                if (argument.Domain is null)
                {
                    // A bulk cmdlet keeps a row for a refused input (Status InvalidInput) beside its
                    // error record, as Get-MailDomainReport does; a blank line is only the error.
                    if (!argument.Parsed.IsBlankOrComment)
                    {
                        DmarcPolicy row = DmarcPolicy.Refused(argument.Input, argument.Parsed.Refusal!);
                        Enqueue(argument.Input, _ => Task.FromResult<object>(row), "InvalidDomain", DomainNameInput.DomainAction);
                    }

                    EnqueueError(argument.ToErrorRecord());
                    continue;
                }

                if (argument.AlreadyChecked)
                {
                    WriteVerbose(argument.AlreadyCheckedNote);
                    continue;
                }

                if (argument.VerboseNote != null)
                {
                    WriteVerbose(argument.VerboseNote);
                }

                // The resolver reads "Name <user@contoso.com>", an address or a URL the same way.
                string input = argument.Input!;
                DmarcQuery query;
                try
                {
                    query = BuildQuery(input!);
                }
                catch (ArgumentException ex)
                {
                    EnqueueError(ex, "InvalidEvaluationInput", ErrorCategory.InvalidArgument, input,
                        "Give -MailFrom as an address or domain, -SpfResult as an RFC 8601 result, -DkimResult as 'domain:result'.");
                    continue;
                }

                Enqueue(input, async ct => await _dmarc.ResolveAsync(query, _options, ct).ConfigureAwait(false),
                    "InvalidDomain", "Give a domain such as contoso.com or an address such as user@contoso.com.");
            }
        }

        private DmarcQuery BuildQuery(string input)
        {
            var query = new DmarcQuery(input)
            {
                Method = Method,
                MailFromDomain = string.IsNullOrWhiteSpace(MailFrom) ? null : MailFrom,
                SpfResult = string.IsNullOrWhiteSpace(SpfResult) ? null : SpfResult!.Trim().ToLowerInvariant(),
            };
            foreach (object item in DkimResult ?? Array.Empty<object>())
            {
                query.DkimResults.Add(ToDkimResult(item));
            }

            return query;
        }

        private static DkimSignatureResult ToDkimResult(object item)
        {
            object value = item is PSObject ps ? ps.BaseObject : item;
            if (value is string text)
            {
                int colon = text.LastIndexOf(':');
                if (colon <= 0 || colon == text.Length - 1)
                {
                    throw new ArgumentException($"-DkimResult '{text}' is not 'domain:result' (for example 'contoso.com:pass').");
                }

                return new DkimSignatureResult(text.Substring(0, colon).Trim(), text.Substring(colon + 1).Trim().ToLowerInvariant());
            }

            var wrapped = PSObject.AsPSObject(item);
            string? domain = (wrapped.Properties["Domain"]?.Value ?? wrapped.Properties["D"]?.Value ?? wrapped.Properties["HeaderD"]?.Value)?.ToString();
            string? result = wrapped.Properties["Result"]?.Value?.ToString();
            if (value is IDictionary table)
            {
                domain ??= (table["Domain"] ?? table["d"])?.ToString();
                result ??= table["Result"]?.ToString();
            }

            if (string.IsNullOrWhiteSpace(domain) || string.IsNullOrWhiteSpace(result))
            {
                throw new ArgumentException($"-DkimResult item '{item}' has no Domain and Result: give 'domain:result' or an object with Domain and Result.");
            }

            return new DkimSignatureResult(domain!.Trim(), result!.Trim().ToLowerInvariant(), wrapped.Properties["Selector"]?.Value?.ToString());
        }
    }
}
