using System.Collections;

namespace MailAuth.PowerShell
{
    /// <summary>
    /// A cmdlet whose results carry findings: its -FindingSeverity (else $MailAuthFindingSeverity)
    /// sets their severities (<see cref="MailAuthCmdlet.FindingPolicy"/>, docs/findings.md).
    /// </summary>
    internal interface IFindingSeverityParameter
    {
        /// <summary>Finding id (or wildcard) = Information, Warning, Error or Off; null when not given.</summary>
        Hashtable? FindingSeverity { get; }
    }
}
