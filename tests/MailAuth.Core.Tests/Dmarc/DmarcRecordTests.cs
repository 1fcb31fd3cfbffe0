using System;
using System.Linq;
using MailAuth.Dmarc;

namespace MailAuth.Core.Tests.Dmarc
{
    public class DmarcRecordTests
    {
        private static bool Has(DmarcRecord record, string id) => record.Findings.Any(f => f.Id == id);

        [Fact]
        public void A_rua_of_sixty_thousand_commas_gives_ten_findings_and_a_count()
        {
            // The fuzzing campaign's record: 60,000 empty entries made 60,003 findings.
            DmarcRecord r = DmarcRecord.Parse("v=DMARC1; p=reject; rua=mailto:d@example.com" + new string(',', 60000));
            var invalid = r.Findings.Where(f => f.Id == "DMARC-URI-INVALID").ToList();
            Assert.Equal(11, invalid.Count);
            Assert.Equal("59,990 more DMARC-URI-INVALID findings like the 10 above are not listed (60,000 in all).", invalid[10].Message);
            Assert.Equal(FindingSeverity.Error, invalid[10].SeverityCode);
            Assert.Equal("mailto:d@example.com", Assert.Single(r.ReportUris).ToString());
        }

        [Fact]
        public void Ten_findings_of_one_id_are_all_listed()
        {
            DmarcRecord r = DmarcRecord.Parse("v=DMARC1; p=reject; rua=mailto:d@example.com" + new string(',', 10));
            Assert.Equal(10, r.Findings.Count(f => f.Id == "DMARC-URI-INVALID"));
            Assert.DoesNotContain(r.Findings, f => f.Message.Contains("not listed", System.StringComparison.Ordinal));
        }

        [Fact]
        public void ParsesEveryTagOfBothVersions()
        {
            DmarcRecord r = DmarcRecord.Parse(
                "v=DMARC1; p=reject; sp=quarantine; np=reject; adkim=s; aspf=r; pct=50; fo=1:d:s; rf=afrf; ri=3600; " +
                "rua=mailto:agg@example.com; ruf=mailto:fail@example.com; psd=n; t=y");

            Assert.True(r.IsDmarcRecord);
            Assert.Equal(DmarcPolicyAction.Reject, r.PolicyCode);
            Assert.Equal(DmarcPolicyAction.Quarantine, r.SubdomainPolicyCode);
            Assert.Equal(DmarcPolicyAction.Reject, r.NonExistentSubdomainPolicyCode);
            Assert.Equal(DmarcAlignmentMode.Strict, r.DkimAlignmentCode);
            Assert.Equal(DmarcAlignmentMode.Relaxed, r.SpfAlignmentCode);
            Assert.Equal(50, r.Percentage);
            Assert.Equal("1:d:s", r.FailureOptions);
            Assert.Equal("afrf", r.ReportFormat);
            Assert.Equal(3600, r.ReportInterval);
            Assert.Equal("agg@example.com", Assert.Single(r.ReportUris).Address);
            Assert.Equal("example.com", Assert.Single(r.FailureReportUris).Host);
            Assert.Equal(DmarcPsd.No, r.PsdCode);
            Assert.True(r.TestMode);
            Assert.Equal(13, r.Tags.Count);
            Assert.Empty(r.UnknownTags);
        }

        [Fact]
        public void DefaultsApplyWhenTagsAreAbsent()
        {
            DmarcRecord r = DmarcRecord.Parse("v=DMARC1; p=quarantine");
            Assert.Equal(DmarcAlignmentMode.Relaxed, r.DkimAlignmentCode);
            Assert.Equal(DmarcAlignmentMode.Relaxed, r.SpfAlignmentCode);
            Assert.Null(r.Percentage);
            Assert.Equal(100, r.EffectivePercentage);
            Assert.Equal(DmarcPsd.Unspecified, r.PsdCode);
            Assert.False(r.TestMode);
            Assert.Null(r.SubdomainPolicyCode);
        }

        [Theory]
        [InlineData("p=reject; v=DMARC1")]
        [InlineData("v=dmarc1; p=reject")]
        [InlineData("v=DMARC2; p=reject")]
        [InlineData("v=spf1 -all")]
        [InlineData("")]
        [InlineData("p=reject")]
        public void TextThatDoesNotStartWithVersionIsNotDmarc(string text)
        {
            DmarcRecord r = DmarcRecord.Parse(text);
            Assert.False(r.IsDmarcRecord);
            Assert.False(DmarcRecord.IsDmarc(text));
            Assert.Equal("DMARC-NOT-DMARC", Assert.Single(r.Findings).Id);
            Assert.Empty(r.Tags);
        }

        [Theory]
        [InlineData("v=DMARC1;p=reject")]
        [InlineData("v = DMARC1 ; p = reject ;")]
        [InlineData("v=DMARC1;\tp=reject")]
        public void WhitespaceAroundSeparatorsIsAllowed(string text)
        {
            DmarcRecord r = DmarcRecord.Parse(text);
            Assert.True(r.IsDmarcRecord);
            Assert.Equal(DmarcPolicyAction.Reject, r.PolicyCode);
        }

        [Fact]
        public void UnknownTagsAreKeptAndReported()
        {
            DmarcRecord r = DmarcRecord.Parse("v=DMARC1; p=reject; rua=mailto:a@example.com; foo=bar; pp=none");
            Assert.Equal(new[] { "foo", "pp" }, r.UnknownTags.Select(t => t.Name).ToArray());
            Assert.Equal("bar", r.UnknownTags[0].Value);
            Assert.Equal(2, r.Findings.Count(f => f.Id == "DMARC-TAG-UNKNOWN"));
            Assert.Equal(DmarcPolicyAction.Reject, r.PolicyCode);
        }

        [Theory]
        [InlineData("p=block", "DMARC-P-INVALID")]
        [InlineData("p=reject; sp=maybe", "DMARC-SP-INVALID")]
        [InlineData("p=reject; np=yes", "DMARC-NP-INVALID")]
        [InlineData("p=reject; adkim=x", "DMARC-ADKIM-INVALID")]
        [InlineData("p=reject; aspf=strict", "DMARC-ASPF-INVALID")]
        [InlineData("p=reject; pct=101", "DMARC-PCT-INVALID")]
        [InlineData("p=reject; pct=-1", "DMARC-PCT-INVALID")]
        [InlineData("p=reject; pct=fifty", "DMARC-PCT-INVALID")]
        [InlineData("p=reject; fo=0:1", "DMARC-FO-INVALID")]
        [InlineData("p=reject; fo=x", "DMARC-FO-INVALID")]
        [InlineData("p=reject; rf=iodef", "DMARC-RF-INVALID")]
        [InlineData("p=reject; ri=soon", "DMARC-RI-INVALID")]
        [InlineData("p=reject; psd=maybe", "DMARC-PSD-INVALID")]
        [InlineData("p=reject; t=true", "DMARC-T-INVALID")]
        [InlineData("p=reject; rua=reports@example.com", "DMARC-URI-INVALID")]
        [InlineData("p=reject; rua=mailto:nobody", "DMARC-URI-INVALID")]
        [InlineData("p=reject; rua=mailto:a@exa mple.com", "DMARC-URI-INVALID")]
        [InlineData("p=reject; rua=mailto:a@example.com!10x", "DMARC-URI-INVALID")]
        [InlineData("p=reject; rua=mailto:a@example.com,,mailto:b@example.com", "DMARC-URI-INVALID")]
        [InlineData("p=reject; p=none", "DMARC-TAG-DUPLICATE")]
        [InlineData("p=reject; rua=", "DMARC-TAG-SYNTAX")]
        [InlineData("p=reject; justtext", "DMARC-TAG-SYNTAX")]
        [InlineData("p=reject; r-u-a=mailto:a@example.com", "DMARC-TAG-SYNTAX")]
        [InlineData("p=réject", "DMARC-TAG-SYNTAX")]
        public void InvalidValuesGetASpecificFinding(string tags, string id)
        {
            DmarcRecord r = DmarcRecord.Parse("v=DMARC1; " + tags);
            Finding finding = Assert.Single(r.Findings, f => f.Id == id);
            // fo, rf and ri only shape reports; a bad value there is a warning, elsewhere an error.
            bool reportingOnly = id == "DMARC-FO-INVALID" || id == "DMARC-RF-INVALID" || id == "DMARC-RI-INVALID";
            FindingSeverity expected = reportingOnly ? FindingSeverity.Warning : FindingSeverity.Error;
            Assert.Equal(expected, finding.SeverityCode);
            Assert.False(string.IsNullOrWhiteSpace(finding.Message));
        }

        [Fact]
        public void InvalidValuesFallBackToDefaults()
        {
            DmarcRecord r = DmarcRecord.Parse("v=DMARC1; p=block; adkim=x; pct=200; psd=q; t=maybe");
            Assert.Null(r.Policy);
            Assert.Equal("block", r.PolicyText);
            Assert.True(r.HasInvalidPolicyTag);
            Assert.Equal(DmarcAlignmentMode.Relaxed, r.DkimAlignmentCode);
            Assert.Equal(100, r.EffectivePercentage);
            Assert.Equal(DmarcPsd.Unspecified, r.PsdCode);
            Assert.False(r.TestMode);
        }

        [Fact]
        public void DuplicateTagKeepsTheFirstValue()
        {
            DmarcRecord r = DmarcRecord.Parse("v=DMARC1; p=reject; p=none; rua=mailto:a@example.com");
            Assert.Equal(DmarcPolicyAction.Reject, r.PolicyCode);
            Assert.Contains(r.Findings, f => f.Id == "DMARC-TAG-DUPLICATE" && f.Subject == "p");
        }

        [Fact]
        public void ReportUrisAreSplitAndSized()
        {
            DmarcRecord r = DmarcRecord.Parse(
                "v=DMARC1; p=reject; rua=mailto:agg@example.com!10m, mailto:dmarc@thirdparty.example.net ,https://reports.example.org/dmarc!500k");
            Assert.Equal(3, r.ReportUris.Count);

            DmarcReportUri first = r.ReportUris[0];
            Assert.True(first.IsMailto);
            Assert.Equal("mailto:agg@example.com", first.Uri);
            Assert.Equal("10m", first.SizeText);
            Assert.Equal(10L * 1024 * 1024, first.SizeLimit);

            Assert.Equal("thirdparty.example.net", r.ReportUris[1].Host);
            Assert.Null(r.ReportUris[1].SizeLimit);

            Assert.Equal("https", r.ReportUris[2].Scheme);
            Assert.Equal("reports.example.org", r.ReportUris[2].Host);
            Assert.Equal(500L * 1024, r.ReportUris[2].SizeLimit);

            Assert.Equal(2, r.Findings.Count(f => f.Id == "DMARC-URI-SIZE"));
            Assert.Single(r.Findings, f => f.Id == "DMARC-URI-SCHEME");
            Assert.True(r.HasValidReportUri);
        }

        [Fact]
        public void PolicyNoneIsMonitoringOnly()
        {
            DmarcRecord r = DmarcRecord.Parse("v=DMARC1; p=none; rua=mailto:a@example.com");
            Finding finding = Assert.Single(r.Findings);
            Assert.Equal("DMARC-P-NONE", finding.Id);
            Assert.Equal(FindingSeverity.Warning, finding.SeverityCode);
        }

        [Fact]
        public void SoundRecordHasNoFindings()
        {
            DmarcRecord r = DmarcRecord.Parse("v=DMARC1; p=reject; sp=reject; np=reject; rua=mailto:a@example.com");
            Assert.Empty(r.Findings);
        }

        [Fact]
        public void PartialPctAndRemovedTagsAreReported()
        {
            DmarcRecord r = DmarcRecord.Parse("v=DMARC1; p=reject; pct=25; rf=afrf; ri=86400; rua=mailto:a@example.com");
            Assert.Single(r.Findings, f => f.Id == "DMARC-PCT-PARTIAL");
            Assert.Equal(new[] { "pct", "rf", "ri" },
                r.Findings.Where(f => f.Id == "DMARC-TAG-REMOVED").Select(f => f.Subject).ToArray());

            DmarcRecord full = DmarcRecord.Parse("v=DMARC1; p=reject; pct=100; rua=mailto:a@example.com");
            Assert.DoesNotContain(full.Findings, f => f.Id == "DMARC-PCT-PARTIAL");
            Assert.Single(full.Findings, f => f.Id == "DMARC-TAG-REMOVED");
        }

        [Fact]
        public void MissingRuaIsReported()
        {
            DmarcRecord r = DmarcRecord.Parse("v=DMARC1; p=reject");
            Assert.Single(r.Findings, f => f.Id == "DMARC-RUA-MISSING");
        }

        [Theory]
        [InlineData("p=reject; sp=none", "DMARC-SP-WEAKER", true)]
        [InlineData("p=reject; sp=quarantine", "DMARC-SP-WEAKER", true)]
        [InlineData("p=quarantine; sp=reject", "DMARC-SP-WEAKER", false)]
        [InlineData("p=reject; np=none", "DMARC-NP-WEAKER", true)]
        [InlineData("p=reject; sp=quarantine; np=quarantine", "DMARC-NP-WEAKER", false)]
        [InlineData("p=none; sp=reject; np=quarantine", "DMARC-NP-WEAKER", true)]
        public void WeakerSubdomainPoliciesAreReported(string tags, string id, bool expected)
        {
            DmarcRecord r = DmarcRecord.Parse("v=DMARC1; rua=mailto:a@example.com; " + tags);
            Assert.Equal(expected, r.Findings.Any(f => f.Id == id));
        }

        [Fact]
        public void MissingPolicyIsReported()
        {
            DmarcRecord r = DmarcRecord.Parse("v=DMARC1; rua=mailto:a@example.com");
            Assert.Null(r.Policy);
            Assert.Null(r.PolicyText);
            Assert.False(r.HasInvalidPolicyTag);
            Assert.Single(r.Findings, f => f.Id == "DMARC-P-MISSING");
        }

        [Fact]
        public void HugeRecordsAndGarbageDoNotThrow()
        {
            string huge = "v=DMARC1; p=reject; rua=" + string.Join(",", Enumerable.Range(0, 400).Select(i => $"mailto:r{i}@example.com"));
            DmarcRecord r = DmarcRecord.Parse(huge);
            Assert.Equal(400, r.ReportUris.Count);

            DmarcRecord garbage = DmarcRecord.Parse("v=DMARC1; \u0000\u0001;;;=;==;p==reject; \uFFFD=1");
            Assert.True(garbage.IsDmarcRecord);
            Assert.Contains(garbage.Findings, f => f.Id == "DMARC-TAG-SYNTAX");
            Assert.Throws<ArgumentNullException>(() => DmarcRecord.Parse(null!));
        }

        [Fact]
        public void FoWithoutRufIsNoted()
        {
            Assert.True(Has(DmarcRecord.Parse("v=DMARC1; p=reject; rua=mailto:a@example.com; fo=1"), "DMARC-FO-WITHOUT-RUF"));
            Assert.False(Has(DmarcRecord.Parse("v=DMARC1; p=reject; rua=mailto:a@example.com; fo=1; ruf=mailto:f@example.com"), "DMARC-FO-WITHOUT-RUF"));
        }
    }
}
