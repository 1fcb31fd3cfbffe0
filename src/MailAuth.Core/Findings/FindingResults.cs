using System.Collections.Generic;
using System.Linq;

namespace MailAuth
{
    /// <summary>Builds a result's Findings: what the user turned off (severity Off) is left out, so counts, grades and status never see it.</summary>
    internal static class FindingResults
    {
        public static ResultList<Finding> From(IEnumerable<Finding>? findings) =>
            findings is null ? ResultList<Finding>.Empty : ResultList.From(findings.Where(f => !f.IsSilenced).ToArray());

        /// <summary>The findings a result shows, in order (the silenced ones removed).</summary>
        public static List<Finding> Listed(this IEnumerable<Finding> findings) => findings.Where(f => !f.IsSilenced).ToList();
    }
}
