using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace MailAuth.PowerShell
{
    /// <summary>The SPF results a -SpfResult parameter takes: RFC 8601 §2.7.2 (RFC 7208 §8 plus "policy").</summary>
    internal static class SpfResultNames
    {
        public static readonly string[] Values = { "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "policy" };

        public static bool IsValid(string value) => Values.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Validates a -SpfResult value case-insensitively ("Pass" from Test-Spf, "pass" from a header),
    /// lets an empty one through (a header that recorded no SPF result), and names the valid
    /// values when it refuses one.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class ValidateSpfResultAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            object? value = arguments is PSObject ps ? ps.BaseObject : arguments;
            string text = value?.ToString() ?? string.Empty;
            if (text.Trim().Length > 0 && !SpfResultNames.IsValid(text))
            {
                throw new ValidationMetadataException(
                    $"'{text}' is not an SPF result. Give one of: {string.Join(", ", SpfResultNames.Values)} (RFC 8601 §2.7.2).");
            }
        }
    }

    /// <summary>Tab completion for -SpfResult.</summary>
    internal sealed class SpfResultCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            return SpfResultNames.Values
                .Where(v => v.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
                .Select(v => new CompletionResult(v, v, CompletionResultType.ParameterValue, v));
        }
    }
}
