using System.Collections.Generic;
using MailAuth.Findings;

namespace MailAuth.Headers
{
    /// <summary>
    /// One header finding: its catalog entry and its condition over the facts (in the manner of
    /// PSScriptAnalyzer's IScriptRule). Each rule has its own tests (HeaderRuleTests).
    /// </summary>
    internal interface IHeaderRule
    {
        /// <summary>The finding the rule raises.</summary>
        FindingDefinition Definition { get; }

        /// <summary>The findings for one message; none when the condition does not hold.</summary>
        IEnumerable<Finding> Check(MailHeaderFacts f);
    }

    /// <summary>The header rules, in the order their findings are listed (by severity, then this order).</summary>
    internal static class HeaderRules
    {
        public static IReadOnlyList<IHeaderRule> All { get; } = new IHeaderRule[]
        {
            new NoTrustedResultsRule(),
            new ResultsBeforeEdgeRule(),
            new ResultsWithoutAuthServIdRule(),
            new ArcMicrosoftSealRule(),
            new SpfUnalignedRule(),
            new GatewaySpfRule(),
            new ReplyToDiffersRule(),
            new DisplayNameAddressRule(),
            new DmarcFailRule(),
            new DmarcNoneRule(),
            new DmarcNotRecordedRule(),
            new DkimNoneRule(),
            new DkimFailRule(),
            new DkimUnalignedRule(),
            new CompAuthFailRule(),
            new FutureDateRule(),
        };
    }
}
