using System;
using System.Management.Automation;
using MailAuth.Names;
using MailAuth.Dns;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>
    /// Resolve-MailAuthDnsName: one DNS query through the module's resolver, with the three states
    /// (Found / NotFound / Failed) the other cmdlets rest on. For checking what the module sees.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Resolve, "MailAuthDnsName")]
    [OutputType(typeof(DnsResponse))]
    public sealed class ResolveMailAuthDnsNameCommand : DnsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Domain", "QueryName")]
        [AllowEmptyString]
        public string[] Name { get; set; } = Array.Empty<string>();

        [Parameter(Position = 1)]
        public DnsRecordType Type { get; set; } = DnsRecordType.TXT;

        protected override void ProcessRecord()
        {
            foreach (string name in Name)
            {
                // Any DNS name (underscore labels, a top-level domain), read as every cmdlet reads names.
                DomainNameInput read = DomainNameInput.Read(name, DomainNameKind.DnsName, requireQualified: false);
                if (!read.IsValid)
                {
                    WriteError(DomainArgument.ErrorRecordOf(read));
                    continue;
                }

                if (read.VerboseNote != null)
                {
                    WriteVerbose(read.VerboseNote);
                }

                string query = read.Domain!;
                try
                {
                    IDnsResolver resolver = VerboseResolver;
                    DnsResponse response = RunAndWait(ct => resolver.QueryAsync(query, Type, ct));
                    WriteObject(response);
                }
                catch (ArgumentException ex)
                {
                    WriteInputError(ex, "InvalidName", ErrorCategory.InvalidArgument, name,
                        "Give a domain name of labels up to 63 characters, 253 in all.");
                }
            }
        }
    }
}
