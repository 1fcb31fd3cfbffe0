using System;
using System.Collections.Generic;
using System.Management.Automation;
using MailAuth.Findings;

namespace MailAuth.PowerShell.Commands
{
    /// <summary>
    /// Get-MailAuthFinding: lists the catalog of findings the module's cmdlets emit (as
    /// Get-ScriptAnalyzerRule lists rules): id, severity, area, title, reference and help link.
    /// A report's findings pipe in by Id, so <c>$report.Findings | Get-MailAuthFinding</c> explains them.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "MailAuthFinding")]
    [OutputType(typeof(FindingDefinition))]
    public sealed class GetMailAuthFindingCommand : PSCmdlet
    {
        private readonly HashSet<FindingDefinition> _written = new HashSet<FindingDefinition>();

        /// <summary>Finding ids; wildcards * and ? allowed. Default: all.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Id { get; set; }

        /// <summary>Only findings of these areas.</summary>
        [Parameter]
        public FindingArea[]? Area { get; set; }

        protected override void ProcessRecord()
        {
            if (Id is null)
            {
                Write(FindingCatalog.Select(null, Area));
                return;
            }

            foreach (string id in Id)
            {
                IReadOnlyList<FindingDefinition> found = FindingCatalog.Select(new[] { id }, Area);
                if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(id))
                {
                    // A named id that is not there (or not in -Area) is an error, as Get-Command's.
                    WriteError(new ErrorRecord(new ItemNotFoundException($"'{id}' is not a finding id{(Area is null ? string.Empty : " of the areas given")}."),
                        "FindingNotFound", ErrorCategory.ObjectNotFound, id)
                    {
                        ErrorDetails = new ErrorDetails($"'{id}' is not a finding id{(Area is null ? string.Empty : " of the areas given")}.")
                        {
                            RecommendedAction = "Run Get-MailAuthFinding without -Id to list them all, or give a wildcard such as 'HDR-*'.",
                        },
                    });
                }

                Write(found);
            }
        }

        private void Write(IEnumerable<FindingDefinition> definitions)
        {
            foreach (FindingDefinition d in definitions)
            {
                // Piped findings repeat ids: each definition once.
                if (_written.Add(d))
                {
                    WriteObject(d);
                }
            }
        }
    }
}
