using System.Collections.Generic;
using System.Globalization;
using MailAuth.Findings;

namespace MailAuth
{
    /// <summary>
    /// The findings of one result, at most <see cref="MaxPerId"/> of one id: the rest are counted in
    /// one closing finding of that id. Hostile input (a rua= of 60,000 commas, a header of 10,000
    /// fields) then costs a short list, and the user still learns how many there were
    /// (docs/limits.md).
    /// </summary>
    internal sealed class FindingCollector
    {
        /// <summary>Findings of one id listed one by one before the rest are counted.</summary>
        public const int MaxPerId = 10;

        private readonly List<Finding> _listed = new List<Finding>();
        private readonly Dictionary<FindingDefinition, (int Count, FindingSeverity Worst)> _perId = new Dictionary<FindingDefinition, (int, FindingSeverity)>();

        public int Count => _listed.Count;

        /// <summary>Adds a finding; one the user turned off (severity Off) is neither listed nor counted.</summary>
        public void Add(Finding finding)
        {
            if (finding.IsSilenced)
            {
                return;
            }

            _perId.TryGetValue(finding.Definition, out (int Count, FindingSeverity Worst) seen);
            _perId[finding.Definition] = (seen.Count + 1, seen.Count == 0 || finding.SeverityCode > seen.Worst ? finding.SeverityCode : seen.Worst);
            if (seen.Count < MaxPerId)
            {
                _listed.Add(finding);
            }
        }

        /// <summary>The listed findings in order, then one per id that went over the limit, saying how many more there were.</summary>
        public List<Finding> ToList()
        {
            var all = new List<Finding>(_listed);
            foreach (KeyValuePair<FindingDefinition, (int Count, FindingSeverity Worst)> id in _perId)
            {
                int more = id.Value.Count - MaxPerId;
                if (more > 0)
                {
                    all.Add(new Finding(id.Key, id.Value.Worst,
                        $"{more.ToString("N0", CultureInfo.InvariantCulture)} more {id.Key.Id} findings like the {MaxPerId.ToString(CultureInfo.InvariantCulture)} above are not listed ({id.Value.Count.ToString("N0", CultureInfo.InvariantCulture)} in all).", null));
                }
            }

            return all;
        }
    }
}
