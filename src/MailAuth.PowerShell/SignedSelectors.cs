using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace MailAuth.PowerShell
{
    /// <summary>
    /// The (d=, s=) pairs of piped DKIM-Signature objects (a header report's DkimSignatures, or any
    /// object with Domain and Selector properties), for the cmdlets that ask for the keys that signed.
    /// </summary>
    internal static class SignedSelectors
    {
        public static List<(string Domain, string Selector)> Read(IEnumerable<object?>? signatures)
        {
            var signed = new List<(string Domain, string Selector)>();
            foreach (object? item in signatures ?? Array.Empty<object?>())
            {
                if (item is null)
                {
                    continue;
                }

                PSObject signature = PSObject.AsPSObject(item);
                string? domain = signature.Properties["Domain"]?.Value?.ToString();
                string? selector = signature.Properties["Selector"]?.Value?.ToString();
                if (!string.IsNullOrWhiteSpace(domain) && !string.IsNullOrWhiteSpace(selector))
                {
                    signed.Add((domain!.Trim(), selector!.Trim()));
                }
            }

            return signed;
        }
    }
}
