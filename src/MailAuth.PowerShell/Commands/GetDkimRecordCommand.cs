using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Posture;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>
    /// Get-DkimRecord: DKIM key records (RFC 6376 §3.6.1) per selector: key type and size, testing,
    /// revoked, hash restrictions, CNAME chain. Without -Selector a documented list of common
    /// selectors is tried; a header report piped in gives the selectors of its DKIM-Signatures.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "DkimRecord")]
    [OutputType(typeof(DkimReport))]
    public sealed class GetDkimRecordCommand : DomainLookupCmdlet
    {
        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        public string[]? Selector { get; set; }

        /// <summary>DKIM-Signature headers (a header report's DkimSignatures): each d= is checked with its s= selectors.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("DkimSignatures")]
        public object[]? DkimSignature { get; set; }

        /// <summary>
        /// The CNAME target Exchange Online expects at selector1 (Get-DkimSigningConfig's Selector1CNAME):
        /// selector1 is checked against it.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        [AllowNull]
        public string? Selector1CName { get; set; }

        /// <summary>The same for selector2 (Selector2CNAME).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        [AllowNull]
        public string? Selector2CName { get; set; }

        private string[]? _selectors;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            _selectors = NormalizeSelectors(Selector);
        }

        protected override void ProcessRecord()
        {
            List<(string Domain, string Selector)> signed = SignedSelectors.Read(DkimSignature);

            if (signed.Count == 0)
            {
                base.ProcessRecord();
                return;
            }

            // The keys that signed the message: its d= domains, each with its own selectors.
            foreach (IGrouping<string, (string Domain, string Selector)> group in signed.GroupBy(x => x.Domain, StringComparer.OrdinalIgnoreCase))
            {
                string[] selectors = group.Select(x => x.Selector).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
                try
                {
                    WriteObject(RunAndWait(ct => new DkimRecordResolver(VerboseResolver).ResolveAsync(group.Key, selectors, ct)));
                }
                catch (ArgumentException ex)
                {
                    WriteInputError(ex, "InvalidDkimSignature", ErrorCategory.InvalidData, group.Key,
                        "The DKIM-Signature's d= or s= is not a DNS name; check the header.");
                }
            }
        }

        protected override async Task<object> LookupAsync(string domain, CancellationToken cancellationToken)
        {
            // Exchange Online's DKIM: selector1 and selector2 of the custom domain are CNAMEs to the
            // tenant's names; a signing config piped in says which.
            var expected = new Dictionary<string, string>(StringComparer.Ordinal);
            if (!string.IsNullOrWhiteSpace(Selector1CName))
            {
                expected["selector1"] = Selector1CName!.Trim();
            }

            if (!string.IsNullOrWhiteSpace(Selector2CName))
            {
                expected["selector2"] = Selector2CName!.Trim();
            }

            IEnumerable<string>? selectors = expected.Count > 0 && _selectors is null ? Array.Empty<string>() : _selectors;
            return await new DkimRecordResolver(VerboseResolver).ResolveAsync(domain, selectors, expected, cancellationToken).ConfigureAwait(false);
        }
    }
}
