using System;
using System.Linq;
using System.Management.Automation;
using MailAuth.Testing.Dns;

namespace MailAuth.PowerShell.Tests
{
    [Collection(PowerShellCollection.Name)]
    public sealed class DmarcCmdletTests : IDisposable
    {
        private readonly PowerShellSession _session;
        private readonly LoopbackDnsServer _server;

        public DmarcCmdletTests(ModuleFixture fixture)
        {
            _session = fixture.Session;

            // Servers of earlier tests may have had this port: answers cached from them must not leak in.
            _session.Invoke("Clear-MailAuthDnsCache");
            var zone = new DnsZone()
                .AddTxt("_dmarc.contoso.com", "v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@contoso.com")
                .Add("contoso.com", ZoneRecordType.A, "192.0.2.1")
                .Add("mail.contoso.com", ZoneRecordType.A, "192.0.2.2")
                .AddTxt("_dmarc.dup.contoso.com", "v=DMARC1; p=none")
                .AddTxt("_dmarc.dup.contoso.com", "v=DMARC1; p=reject")
                .Add("dup.contoso.com", ZoneRecordType.A, "192.0.2.3")
                .AddTxt("_dmarc.fabrikam.com", "v=DMARC1; p=none")
                .Add("fabrikam.com", ZoneRecordType.A, "192.0.2.4")
                .AddFault("_dmarc.broken.example", DnsFault.ServFail);
            for (int i = 0; i < 2000; i++)
            {
                string name = $"bulk{i}.example";
                zone.Add(name, ZoneRecordType.A, "192.0.2.9");
                switch (i % 20)
                {
                    case 5: zone.AddFault("_dmarc." + name, DnsFault.ServFail); break;
                    case 10: zone.AddFault("_dmarc." + name, DnsFault.Timeout); break;
                    case 15: zone.AddFault("_dmarc." + name, DnsFault.Garbage); break;
                    default: zone.AddTxt("_dmarc." + name, i % 2 == 0 ? "v=DMARC1; p=reject" : "v=DMARC1; p=none"); break;
                }
            }

            _server = LoopbackDnsServer.Start(zone);
        }

        public void Dispose()
        {
            _server.Dispose();
        }

        private PsInvocation Run(string script, params object[] more) =>
            _session.Invoke(script, new object[] { _server.Address }.Concat(more).ToArray());

        [Fact]
        public void Subdomain_finds_the_organizational_policy_and_applies_sp()
        {
            PsInvocation result = Run("Resolve-DmarcPolicy mail.contoso.com -Server $args[0] -SkipReportAuthorization");
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            dynamic policy = Assert.Single(result.Output);
            Assert.Equal("Found", policy.Status.ToString());
            Assert.Equal("contoso.com", policy.RecordDomain);
            Assert.Equal("contoso.com", policy.OrganizationalDomain);
            Assert.Equal("Reject", policy.Policy.ToString());
            Assert.Equal("Quarantine", policy.EffectivePolicy.ToString());
            Assert.Equal("TreeWalk", policy.Method.ToString());
        }

        [Fact]
        public void The_seeds_case_SPF_pass_for_an_unaligned_envelope_domain_fails_DMARC()
        {
            PsInvocation result = Run(
                "Resolve-DmarcPolicy -From 'CEO <ceo@contoso.com>' -MailFrom bounce@hoster.example -SpfResult Pass -Server $args[0] -SkipReportAuthorization");
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            dynamic policy = Assert.Single(result.Output);
            Assert.Equal("contoso.com", policy.Domain);
            Assert.Equal("Fail", policy.DmarcResult.ToString());
            Assert.Equal("None", policy.AlignedIdentifier.ToString());
            Assert.Equal("Reject", policy.Disposition.ToString());
        }

        [Fact]
        public void Aligned_DKIM_signature_passes()
        {
            PsInvocation result = Run(
                "Resolve-DmarcPolicy contoso.com -MailFrom bounce@hoster.example -SpfResult pass -DkimResult 'mail.contoso.com:pass' -Server $args[0] -SkipReportAuthorization");
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            dynamic policy = Assert.Single(result.Output);
            Assert.Equal("Pass", policy.DmarcResult.ToString());
            Assert.Equal("Dkim", policy.AlignedIdentifier.ToString());
            Assert.Equal("None", policy.Disposition.ToString());
        }

        [Fact]
        public void Evaluation_inputs_bind_by_property_name_from_the_pipeline()
        {
            PsInvocation result = Run(
                "[pscustomobject]@{ FromDomain = 'contoso.com'; EnvelopeSender = 'x@contoso.com'; Spf = 'pass' } | Resolve-DmarcPolicy -Server $args[0] -SkipReportAuthorization");
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            dynamic policy = Assert.Single(result.Output);
            Assert.Equal("Pass", policy.DmarcResult.ToString());
            Assert.Equal("Spf", policy.AlignedIdentifier.ToString());
        }

        [Fact]
        public void Duplicates_are_a_finding_the_tree_walk_goes_on_and_the_PSL_method_stops()
        {
            PsInvocation walk = Run("Resolve-DmarcPolicy dup.contoso.com -Server $args[0] -SkipReportAuthorization");
            PsInvocation psl = Run("Resolve-DmarcPolicy dup.contoso.com -Method PublicSuffixList -Server $args[0] -SkipReportAuthorization");
            Assert.True(walk.Errors.Count == 0 && psl.Errors.Count == 0, walk.ErrorText + psl.ErrorText);
            dynamic walked = walk.Output.Single();
            dynamic stopped = psl.Output.Single();
            Assert.Equal("contoso.com", walked.RecordDomain);
            Assert.Equal("Found", walked.Status.ToString());
            Assert.Contains("DMARC-DUPLICATE-RECORDS", (string)walked.FindingText);
            Assert.Equal("NotFound", stopped.Status.ToString());
            Assert.Contains("DMARC-DUPLICATE-RECORDS", (string)stopped.FindingText);
        }

        [Fact]
        public void A_failed_lookup_is_LookupFailed_never_NotFound()
        {
            PsInvocation result = Run("Resolve-DmarcPolicy broken.example -Server $args[0] -SkipReportAuthorization");
            dynamic policy = Assert.Single(result.Output);
            Assert.Equal("LookupFailed", policy.Status.ToString());
            Assert.Contains("_dmarc.broken.example", (string)policy.ErrorMessage);
        }

        [Fact]
        public void Two_thousand_domains_with_faults_give_one_object_each_in_input_order()
        {
            string[] domains = Enumerable.Range(0, 2000).Select(i => $"bulk{i}.example").ToArray();
            PsInvocation result = Run(
                "$args[1] | Resolve-DmarcPolicy -Server $args[0] -TimeoutSec 2 -SkipReportAuthorization -ThrottleLimit 64", (object)domains);
            Assert.True(result.Errors.Count == 0, result.ErrorText);
            Assert.Equal(domains, result.Output.Select(o => (string)o.Properties["Domain"].Value).ToArray());
            for (int i = 0; i < domains.Length; i++)
            {
                string status = result.Output[i].Properties["Status"].Value.ToString()!;
                Assert.True(i % 20 is 5 or 10 or 15 ? status == "LookupFailed" : status == "Found", $"{domains[i]}: {status}");
            }

            Assert.Contains(result.Progress, p => p.ActivityId == 0x4D44 && p.RecordType == ProgressRecordType.Processing);
            Assert.Equal(ProgressRecordType.Completed, result.Progress[^1].RecordType);
        }

        [Fact]
        public void Bad_domains_are_one_error_each_and_the_rest_resolve()
        {
            PsInvocation result = Run(
                "'contoso.com', 'not a domain', '', 'fabrikam.com' | Resolve-DmarcPolicy -Server $args[0] -SkipReportAuthorization");
            // The refused input keeps its place as an InvalidInput row; the blank one is only its error.
            Assert.Equal(new[] { "Found", "InvalidInput", "Found" }, result.Output.Select(o => (string)o.Properties["Status"].Value).ToArray());
            Assert.Equal(new[] { "contoso.com", "", "fabrikam.com" }, result.Output.Select(o => (string)o.Properties["Domain"].Value).ToArray());
            Assert.Equal("not a domain", result.Output[1].Properties["Input"].Value);
            Assert.Contains("(rule InvalidCharacter, RFC 1123 §2.1)", (string)result.Output[1].Properties["ErrorMessage"].Value);
            Assert.Equal(2, result.Errors.Count);
            // The same ids as every cmdlet that takes domains: an empty one is EmptyDomain.
            Assert.Equal("InvalidDomain,MailAuth.PowerShell.Commands.ResolveDmarcPolicyCommand", result.Errors[0].FullyQualifiedErrorId);
            Assert.Equal("EmptyDomain,MailAuth.PowerShell.Commands.ResolveDmarcPolicyCommand", result.Errors[1].FullyQualifiedErrorId);
            Assert.Equal("not a domain", result.Errors[0].TargetObject);
            Assert.Equal(ErrorCategory.InvalidArgument, result.Errors[0].CategoryInfo.Category);
        }

        [Fact]
        public void Malformed_Dkim_input_is_a_specific_error()
        {
            PsInvocation result = Run("Resolve-DmarcPolicy contoso.com -DkimResult 'nocolon' -Server $args[0]");
            Assert.Empty(result.Output);
            ErrorRecord error = Assert.Single(result.Errors);
            Assert.Equal("InvalidEvaluationInput,MailAuth.PowerShell.Commands.ResolveDmarcPolicyCommand", error.FullyQualifiedErrorId);
            Assert.Contains("nocolon", error.Exception.Message);
        }

        [Fact]
        public void Verbose_shows_the_DNS_queries_of_discovery()
        {
            PsInvocation result = Run("Resolve-DmarcPolicy mail.contoso.com -Server $args[0] -NoCache -SkipReportAuthorization -Verbose");
            Assert.Contains(result.Verbose, v => v.StartsWith("DNS TXT _dmarc.mail.contoso.com", StringComparison.Ordinal));
            Assert.Contains(result.Verbose, v => v.StartsWith("DNS TXT _dmarc.contoso.com", StringComparison.Ordinal));
        }

        [Fact]
        public void Missing_public_suffix_list_file_stops_the_command()
        {
            PsInvocation result = Run("Resolve-DmarcPolicy contoso.com -Method PublicSuffixList -PublicSuffixListPath /nonexistent/psl.dat -Server $args[0]");
            Assert.Empty(result.Output);
            ErrorRecord error = Assert.Single(result.Errors);
            Assert.Equal("PublicSuffixListUnreadable,MailAuth.PowerShell.Commands.ResolveDmarcPolicyCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ReadError, error.CategoryInfo.Category);
        }
    }
}
