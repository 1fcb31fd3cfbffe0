using System;
using System.Linq;
using System.Threading.Tasks;
using MailAuth.Names;
using MailAuth.Dmarc;

namespace MailAuth.Core.Tests.Dmarc
{
    public class DmarcEvaluationTests
    {
        private static DmarcQuery Message(string from, string? mailFrom, string? spf, DmarcDiscoveryMethod method = DmarcDiscoveryMethod.TreeWalk,
            params (string Domain, string Result)[] dkim)
        {
            var query = new DmarcQuery(from) { Method = method, MailFromDomain = mailFrom, SpfResult = spf };
            foreach ((string d, string r) in dkim)
            {
                query.DkimResults.Add(new DkimSignatureResult(d, r));
            }

            return query;
        }

        private static DmarcTestDns Zone(string record) => new DmarcTestDns().Txt("_dmarc.example.com", record).A("example.com");

        [Fact]
        public async Task WithoutEvaluationInputsNothingIsEvaluated()
        {
            using DmarcTestDns dns = Zone("v=DMARC1; p=reject");
            DmarcPolicy result = await dns.ResolveAsync(new DmarcQuery("example.com"));
            Assert.Null(result.Evaluation);
            Assert.Null(result.DmarcResult);
            Assert.Null(result.DispositionCode);
            Assert.Null(result.Reason);
        }

        [Fact]
        public async Task RelaxedSpfAlignmentPassesForASubdomainMailFrom()
        {
            // RFC 7489 §3.1.2 / RFC 9989 §4.4.2: cbg.bounces.example.com and example.com share the Organizational Domain.
            using DmarcTestDns dns = Zone("v=DMARC1; p=reject");
            DmarcPolicy result = await dns.ResolveAsync(Message("example.com", "cbg.bounces.example.com", "pass"));
            Assert.Equal(DmarcResult.Pass, result.DmarcResultCode);
            Assert.Equal(DmarcAlignedIdentifier.Spf, result.AlignedIdentifierCode);
            Assert.Equal(DmarcPolicyAction.None, result.DispositionCode);
            DmarcIdentifierAlignment spf = Assert.Single(result.Identifiers);
            Assert.Equal("example.com", spf.OrganizationalDomain);
            Assert.True(spf.Aligned);
        }

        [Fact]
        public async Task StrictSpfAlignmentNeedsTheSameDomain()
        {
            using DmarcTestDns dns = Zone("v=DMARC1; p=reject; aspf=s");
            DmarcPolicy result = await dns.ResolveAsync(Message("example.com", "bounces.example.com", "pass"));
            Assert.Equal(DmarcResult.Fail, result.DmarcResultCode);
            Assert.Equal(DmarcAlignedIdentifier.None, result.AlignedIdentifierCode);
            Assert.Equal(DmarcPolicyAction.Reject, result.DispositionCode);
            Assert.Equal("strict", result.SpfAlignment);
            Assert.Contains("strict", result.Reason, StringComparison.Ordinal);

            DmarcPolicy same = await dns.ResolveAsync(Message("example.com", "example.com", "pass"));
            Assert.Equal(DmarcResult.Pass, same.DmarcResultCode);
        }

        [Fact]
        public async Task SpfForAnotherOrganizationDoesNotAlign()
        {
            // The seeds' lesson: SPF passes for the envelope sender while the From header is forged.
            using DmarcTestDns dns = Zone("v=DMARC1; p=quarantine");
            DmarcPolicy result = await dns.ResolveAsync(Message("example.com", "mailer.example.net", "pass"));
            Assert.Equal(DmarcResult.Fail, result.DmarcResultCode);
            Assert.Equal(DmarcPolicyAction.Quarantine, result.DispositionCode);
            Assert.False(result.Identifiers[0].Aligned);
        }

        [Fact]
        public async Task DkimAlignmentRelaxedAndStrict()
        {
            using DmarcTestDns relaxed = Zone("v=DMARC1; p=reject");
            relaxed.A("news.example.com");
            DmarcPolicy pass = await relaxed.ResolveAsync(Message("news.example.com", "other.example.net", "pass", DmarcDiscoveryMethod.TreeWalk, ("example.com", "pass")));
            Assert.Equal(DmarcResult.Pass, pass.DmarcResultCode);
            Assert.Equal(DmarcAlignedIdentifier.Dkim, pass.AlignedIdentifierCode);

            using DmarcTestDns strict = Zone("v=DMARC1; p=reject; adkim=s");
            strict.A("news.example.com");
            DmarcPolicy fail = await strict.ResolveAsync(Message("news.example.com", null, null, DmarcDiscoveryMethod.TreeWalk, ("example.com", "pass")));
            Assert.Equal(DmarcResult.Fail, fail.DmarcResultCode);
            Assert.Equal("strict", fail.DkimAlignment);
        }

        [Fact]
        public async Task BothIdentifiersCanAlign()
        {
            using DmarcTestDns dns = Zone("v=DMARC1; p=reject");
            DmarcPolicy result = await dns.ResolveAsync(Message("example.com", "example.com", "pass", DmarcDiscoveryMethod.TreeWalk,
                ("example.net", "pass"), ("example.com", "pass")));
            Assert.Equal(DmarcAlignedIdentifier.Both, result.AlignedIdentifierCode);
            Assert.Equal(3, result.Identifiers.Count);
        }

        [Fact]
        public async Task AFailingSignatureDoesNotCountEvenWhenAligned()
        {
            using DmarcTestDns dns = Zone("v=DMARC1; p=reject");
            DmarcPolicy result = await dns.ResolveAsync(Message("example.com", "example.com", "softfail", DmarcDiscoveryMethod.TreeWalk, ("example.com", "fail")));
            Assert.Equal(DmarcResult.Fail, result.DmarcResultCode);
            Assert.All(result.Identifiers, i => Assert.True(i.Aligned));
            Assert.Equal(DmarcPolicyAction.Reject, result.DispositionCode);
        }

        [Theory]
        [InlineData(DmarcDiscoveryMethod.TreeWalk)]
        [InlineData(DmarcDiscoveryMethod.PublicSuffixList)]
        public async Task SubdomainPolicyAppliesToAnExistingSubdomain(DmarcDiscoveryMethod method)
        {
            using DmarcTestDns dns = Zone("v=DMARC1; p=reject; sp=quarantine; np=none");
            dns.A("shop.example.com");
            DmarcPolicy result = await dns.ResolveAsync(Message("shop.example.com", "spoof.example.net", "pass", method));
            Assert.True(result.DomainExists);
            Assert.Equal(DmarcPolicySource.Sp, result.PolicySourceCode);
            Assert.Equal(DmarcPolicyAction.Quarantine, result.EffectivePolicyCode);
            Assert.Equal(DmarcPolicyAction.Quarantine, result.DispositionCode);
            Assert.Contains("sp=quarantine", result.Reason, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData(DmarcDiscoveryMethod.TreeWalk)]
        [InlineData(DmarcDiscoveryMethod.PublicSuffixList)]
        public async Task NonExistentSubdomainPolicyNeedsNxDomain(DmarcDiscoveryMethod method)
        {
            using DmarcTestDns dns = Zone("v=DMARC1; p=none; sp=quarantine; np=reject");
            DmarcPolicy result = await dns.ResolveAsync(Message("made-up.example.com", "spoof.example.net", "pass", method));
            Assert.False(result.DomainExists);
            Assert.Equal(DmarcPolicySource.Np, result.PolicySourceCode);
            Assert.Equal(DmarcPolicyAction.Reject, result.DispositionCode);
            Assert.Contains(result.DnsEvidence, r => r.QueryName == "made-up.example.com" && r.IsNxDomain);
        }

        [Fact]
        public async Task WithoutNpANonExistentSubdomainFallsBackToSp()
        {
            using DmarcTestDns dns = Zone("v=DMARC1; p=reject; sp=none");
            DmarcPolicy result = await dns.ResolveAsync(Message("made-up.example.com", null, null, DmarcDiscoveryMethod.TreeWalk, ("example.net", "pass")));
            Assert.Equal(DmarcPolicySource.Sp, result.PolicySourceCode);
            Assert.Equal(DmarcPolicyAction.None, result.DispositionCode);
        }

        [Fact]
        public async Task AFailedExistenceCheckAssumesTheDomainExists()
        {
            using DmarcTestDns dns = Zone("v=DMARC1; p=none; sp=quarantine; np=reject");
            dns.Fault("odd.example.com", TestFault.ServFail);
            DmarcPolicy result = await dns.ResolveAsync(Message("odd.example.com", null, "none"));
            Assert.Null(result.DomainExists);
            Assert.Equal(DmarcPolicySource.Sp, result.PolicySourceCode);
        }

        [Theory]
        [InlineData(10, DmarcPolicyAction.Reject, true)]
        [InlineData(49, DmarcPolicyAction.Reject, true)]
        [InlineData(50, DmarcPolicyAction.Quarantine, false)]
        [InlineData(99, DmarcPolicyAction.Quarantine, false)]
        public async Task PctSamplesUnderRfc7489(int roll, DmarcPolicyAction expected, bool applied)
        {
            // RFC 7489 §6.6.4: the policy goes to pct% of failing mail; the rest is treated one step weaker.
            using DmarcTestDns dns = Zone("v=DMARC1; p=reject; pct=50");
            var options = new DmarcOptions { SamplingRoll = () => roll };
            DmarcPolicy result = await dns.ResolveAsync(Message("example.com", "spoof.example.net", "pass", DmarcDiscoveryMethod.PublicSuffixList), options);
            Assert.Equal(DmarcResult.Fail, result.DmarcResultCode);
            Assert.Equal(expected, result.DispositionCode);
            Assert.Equal(roll, result.Evaluation!.SamplingRoll);
            Assert.Equal(applied, result.Evaluation.SamplingApplied);
            Assert.Equal(DmarcPolicyAction.Reject, result.Evaluation.RequestedPolicyCode);
            Assert.Contains("pct=50: policy applied to 50%", result.Reason, StringComparison.Ordinal);
            Assert.Contains(applied ? "so applied" : "not applied", result.Reason, StringComparison.Ordinal);
        }

        [Fact]
        public async Task PctQuarantineStepsDownToNone()
        {
            using DmarcTestDns dns = Zone("v=DMARC1; p=quarantine; pct=0");
            DmarcPolicy result = await dns.ResolveAsync(Message("example.com", null, "fail", DmarcDiscoveryMethod.PublicSuffixList),
                new DmarcOptions { SamplingRoll = () => 0 });
            Assert.Equal(DmarcPolicyAction.None, result.DispositionCode);
            Assert.False(result.Evaluation!.SamplingApplied);
        }

        [Fact]
        public async Task TheDefaultRollIsStableForTheSameMessage()
        {
            using DmarcTestDns dns = Zone("v=DMARC1; p=reject; pct=50");
            DmarcQuery query = Message("example.com", "spoof.example.net", "pass", DmarcDiscoveryMethod.PublicSuffixList);
            DmarcPolicy first = await dns.ResolveAsync(query);
            DmarcPolicy second = await dns.ResolveAsync(query);
            Assert.NotNull(first.Evaluation!.SamplingRoll);
            Assert.InRange(first.Evaluation.SamplingRoll!.Value, 0, 99);
            Assert.Equal(first.Evaluation.SamplingRoll, second.Evaluation!.SamplingRoll);
            Assert.Equal(first.DispositionCode, second.DispositionCode);
            Assert.Contains("stable hash", first.Reason, StringComparison.Ordinal);
        }

        [Fact]
        public async Task ARollOutOfRangeIsRefused()
        {
            using DmarcTestDns dns = Zone("v=DMARC1; p=reject; pct=50");
            await Assert.ThrowsAsync<InvalidOperationException>(() => dns.ResolveAsync(
                Message("example.com", null, "fail", DmarcDiscoveryMethod.PublicSuffixList), new DmarcOptions { SamplingRoll = () => 100 }));
        }

        [Fact]
        public async Task PctIsIgnoredByTheTreeWalkMethod()
        {
            // RFC 9989 removed pct (Appendix C.5.2): the full policy applies.
            using DmarcTestDns dns = Zone("v=DMARC1; p=reject; pct=0");
            DmarcPolicy result = await dns.ResolveAsync(Message("example.com", null, "fail"), new DmarcOptions { SamplingRoll = () => 99 });
            Assert.Equal(DmarcPolicyAction.Reject, result.DispositionCode);
            Assert.Null(result.Evaluation!.SamplingRoll);
            Assert.Contains("pct=0 is ignored", result.Reason, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("reject", DmarcPolicyAction.Quarantine)]
        [InlineData("quarantine", DmarcPolicyAction.None)]
        [InlineData("none", DmarcPolicyAction.None)]
        public async Task TestModeStepsDownOneLevel(string policy, DmarcPolicyAction expected)
        {
            // RFC 9989 §4.7 t=y: reject is applied as quarantine, quarantine as none.
            using DmarcTestDns dns = Zone($"v=DMARC1; p={policy}; t=y");
            DmarcPolicy result = await dns.ResolveAsync(Message("example.com", "spoof.example.net", "pass"));
            Assert.True(result.TestMode);
            Assert.Equal(expected, result.DispositionCode);
            Assert.Equal(policy != "none", result.Evaluation!.TestModeApplied);
        }

        [Fact]
        public async Task TestModeIsNotPartOfRfc7489()
        {
            using DmarcTestDns dns = Zone("v=DMARC1; p=reject; t=y");
            DmarcPolicy result = await dns.ResolveAsync(Message("example.com", "spoof.example.net", "pass", DmarcDiscoveryMethod.PublicSuffixList));
            Assert.Equal(DmarcPolicyAction.Reject, result.DispositionCode);
            Assert.False(result.Evaluation!.TestModeApplied);
        }

        [Fact]
        public async Task NoPolicyMeansResultNone()
        {
            using var dns = new DmarcTestDns().A("example.com");
            DmarcPolicy result = await dns.ResolveAsync(Message("example.com", "example.com", "fail"));
            Assert.Equal(DmarcResult.None, result.DmarcResultCode);
            Assert.Equal(DmarcPolicyAction.None, result.DispositionCode);
        }

        [Fact]
        public async Task ALookupFailureIsTempError()
        {
            using var dns = new DmarcTestDns().Fault("_dmarc.example.com", TestFault.ServFail);
            DmarcPolicy result = await dns.ResolveAsync(Message("example.com", "example.com", "pass"));
            Assert.Equal(DmarcResult.TempError, result.DmarcResultCode);
            Assert.Equal(DmarcPolicyAction.None, result.DispositionCode);
            Assert.Contains("_dmarc.example.com", result.Reason, StringComparison.Ordinal);
        }

        [Fact]
        public async Task AnInvalidPolicyWithoutRuaIsPermError()
        {
            using DmarcTestDns dns = Zone("v=DMARC1; p=block");
            DmarcPolicy result = await dns.ResolveAsync(Message("example.com", "spoof.example.net", "pass"));
            Assert.Equal(DmarcResult.PermError, result.DmarcResultCode);
            Assert.Equal(DmarcPolicyAction.None, result.DispositionCode);
            Assert.Null(result.EffectivePolicyCode);
        }

        [Fact]
        public async Task AnInvalidPolicyWithAValidRuaActsAsNone()
        {
            // RFC 9989 §4.10.1 / RFC 7489 §6.6.3 step 6.
            using DmarcTestDns dns = Zone("v=DMARC1; p=block; rua=mailto:d@example.com");
            DmarcPolicy result = await dns.ResolveAsync(Message("example.com", "spoof.example.net", "pass"));
            Assert.Equal(DmarcResult.Fail, result.DmarcResultCode);
            Assert.Equal(DmarcPolicyAction.None, result.EffectivePolicyCode);
            Assert.Equal(DmarcPolicyAction.None, result.DispositionCode);
        }

        [Fact]
        public async Task AMissingPolicyDependsOnTheMethod()
        {
            // RFC 9989 §4.7: no p means p=none. RFC 7489 §6.6.3 step 6: no valid p and no rua means no DMARC.
            using DmarcTestDns dns = Zone("v=DMARC1; adkim=s");
            DmarcPolicy bis = await dns.ResolveAsync(Message("example.com", "spoof.example.net", "pass"));
            Assert.Equal(DmarcResult.Fail, bis.DmarcResultCode);
            Assert.Equal(DmarcPolicyAction.None, bis.EffectivePolicyCode);

            DmarcPolicy old = await dns.ResolveAsync(Message("example.com", "spoof.example.net", "pass", DmarcDiscoveryMethod.PublicSuffixList));
            Assert.Equal(DmarcResult.PermError, old.DmarcResultCode);
        }

        [Fact]
        public async Task ATemporaryDkimErrorOnAnAlignedDomainIsTempError()
        {
            using DmarcTestDns dns = Zone("v=DMARC1; p=reject");
            DmarcPolicy result = await dns.ResolveAsync(Message("example.com", "spoof.example.net", "pass", DmarcDiscoveryMethod.TreeWalk, ("example.com", "temperror")));
            Assert.Equal(DmarcResult.TempError, result.DmarcResultCode);
            Assert.Equal(DmarcPolicyAction.None, result.DispositionCode);

            DmarcPolicy unaligned = await dns.ResolveAsync(Message("example.com", "spoof.example.net", "pass", DmarcDiscoveryMethod.TreeWalk, ("example.org", "temperror")));
            Assert.Equal(DmarcResult.Fail, unaligned.DmarcResultCode);
        }

        [Fact]
        public async Task AFailedWalkForAnIdentifierLeavesAlignmentUnknown()
        {
            using DmarcTestDns dns = Zone("v=DMARC1; p=reject");
            dns.Fault("_dmarc.mail.example.com", TestFault.ServFail);
            DmarcPolicy result = await dns.ResolveAsync(Message("example.com", null, null, DmarcDiscoveryMethod.TreeWalk, ("mail.example.com", "pass")));
            DmarcIdentifierAlignment dkim = Assert.Single(result.Identifiers);
            Assert.Null(dkim.Aligned);
            Assert.Equal(DmarcResult.TempError, result.DmarcResultCode);

            // The RFC 7489 method needs no DNS for the same question.
            DmarcPolicy list = await dns.ResolveAsync(Message("example.com", null, null, DmarcDiscoveryMethod.PublicSuffixList, ("mail.example.com", "pass")));
            Assert.Equal(DmarcResult.Pass, list.DmarcResultCode);
        }

        [Fact]
        public async Task TreeWalkAlignmentFollowsPsdN()
        {
            // dept.example.com declares itself an Organizational Domain (psd=n), so a signature by
            // example.com no longer aligns with mail.dept.example.com under RFC 9989, but does under RFC 7489.
            using var dns = new DmarcTestDns()
                .Txt("_dmarc.dept.example.com", "v=DMARC1; p=reject; psd=n")
                .Txt("_dmarc.example.com", "v=DMARC1; p=reject")
                .A("mail.dept.example.com");
            DmarcPolicy walk = await dns.ResolveAsync(Message("mail.dept.example.com", null, null, DmarcDiscoveryMethod.TreeWalk, ("example.com", "pass")));
            Assert.Equal(DmarcResult.Fail, walk.DmarcResultCode);
            Assert.Equal("dept.example.com", walk.Evaluation!.FromOrganizationalDomain);

            DmarcPolicy list = await dns.ResolveAsync(Message("mail.dept.example.com", null, null, DmarcDiscoveryMethod.PublicSuffixList, ("example.com", "pass")));
            Assert.Equal(DmarcResult.Pass, list.DmarcResultCode);
        }

        [Fact]
        public async Task BadIdentifierInputsAreRejected()
        {
            using DmarcTestDns dns = Zone("v=DMARC1; p=reject");
            ArgumentException mailFrom = await Assert.ThrowsAnyAsync<ArgumentException>(() => dns.ResolveAsync(Message("example.com", "bad..name", "pass")));
            Assert.Contains("'bad..name'", mailFrom.Message, StringComparison.Ordinal);
            await Assert.ThrowsAnyAsync<ArgumentException>(() => dns.ResolveAsync(Message("example.com", null, null, DmarcDiscoveryMethod.TreeWalk, ("", "pass"))));
            Assert.Throws<ArgumentNullException>(() => new DkimSignatureResult("example.com", null!));
        }

        [Fact]
        public async Task MailFromAddressesAreAccepted()
        {
            using DmarcTestDns dns = Zone("v=DMARC1; p=reject");
            DmarcPolicy result = await dns.ResolveAsync(Message("Someone@Example.com", "bounce+123@Example.COM", "PASS"));
            Assert.Equal(DmarcResult.Pass, result.DmarcResultCode);
            Assert.Equal("example.com", result.Identifiers[0].Domain);
            Assert.Equal("pass", result.Identifiers[0].Result);
        }
    }
}
