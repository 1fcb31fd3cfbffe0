using System;

namespace MailAuth.Findings
{
    /// <summary>What a finding is about: the protocol or input it judges.</summary>
    public enum FindingArea
    {
        Headers,
        Dmarc,
        Spf,
        Dkim,
        Mx,
        MtaSts,
        TlsRpt,
        Bimi,
        Address,
    }

    /// <summary>
    /// One entry of <see cref="FindingCatalog"/>: the stable id, the severity it is emitted with
    /// (at most; some findings are milder in a stated context, docs/findings.md), the area, a
    /// title, the RFC section or vendor document it rests on, and its section of docs/findings.md.
    /// Only the catalog makes these, so every <see cref="Finding"/> has an entry users can list.
    /// </summary>
    public sealed class FindingDefinition
    {
        internal FindingDefinition(string id, FindingSeverity severity, FindingArea area, string title, string reference)
        {
            Id = id;
            SeverityCode = severity;
            AreaCode = area;
            Title = title;
            Reference = reference;
            HelpUri = FindingCatalog.DocumentUri + "#" + id.ToLowerInvariant();
        }

        /// <summary>The stable id, such as HDR-REPLYTO-DIFFERS.</summary>
        public string Id { get; }

        /// <summary>Information, Warning or Error: the name, so Export-Csv and ConvertTo-Json write it, not a number.</summary>
        public string Severity => SeverityCode.ToString();

        internal FindingSeverity SeverityCode { get; }

        /// <summary>Headers, Dmarc, Spf, Dkim, Mx, MtaSts, TlsRpt, Bimi or Address.</summary>
        public string Area => AreaCode.ToString();

        internal FindingArea AreaCode { get; }

        /// <summary>What the finding says, in a few words.</summary>
        public string Title { get; }

        /// <summary>The RFC section or vendor document the finding rests on.</summary>
        public string Reference { get; }

        /// <summary>The finding's section of docs/findings.md (the anchor is the lower-case id).</summary>
        public string HelpUri { get; }

        /// <summary>The id, so a list of definitions reads as ids in a CSV cell.</summary>
        public override string ToString() => Id;

        /// <summary>True when <paramref name="pattern"/> (an id, or a wildcard with * and ?) names this finding; case-insensitive.</summary>
        internal bool Matches(string pattern) => Wildcard.IsMatch(Id, pattern);
    }

    /// <summary>The * and ? wildcards of -Id and -FindingSeverity keys (no [] ranges: ids have none).</summary>
    internal static class Wildcard
    {
        public static bool HasWildcard(string pattern) => pattern.IndexOfAny(new[] { '*', '?' }) >= 0;

        /// <summary>Greedy match that backs up to the last * (linear in practice, never exponential).</summary>
        public static bool IsMatch(string text, string pattern)
        {
            int t = 0, p = 0, star = -1, mark = 0;
            while (t < text.Length)
            {
                if (p < pattern.Length && (pattern[p] == '?' || char.ToUpperInvariant(pattern[p]) == char.ToUpperInvariant(text[t])))
                {
                    t++;
                    p++;
                }
                else if (p < pattern.Length && pattern[p] == '*')
                {
                    star = p++;
                    mark = t;
                }
                else if (star >= 0)
                {
                    p = star + 1;
                    t = ++mark;
                }
                else
                {
                    return false;
                }
            }

            while (p < pattern.Length && pattern[p] == '*')
            {
                p++;
            }

            return p == pattern.Length;
        }
    }
}
