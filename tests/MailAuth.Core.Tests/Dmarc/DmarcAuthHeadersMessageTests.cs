using System.IO;
using System.Linq;
using System.Threading.Tasks;
using MailAuth.Dmarc;
using MimeKit;

namespace MailAuth.Core.Tests.Dmarc
{
    /// <summary>
    /// The authheaders suite's subdomain messages (tests/conformance/authheaders). Their upstream
    /// verdicts depend on DMARC records kept in Python code, so the zone here is our own and the
    /// expectations come from RFC 9989 §4.10.1 (sp for an existing subdomain, np for a
    /// non-existent one) and §4.4 (alignment), not from the upstream results. The From domain and
    /// the DKIM d= are read from the messages; the signatures are not verified here, so each is
    /// given the result the case needs.
    /// </summary>
    public class DmarcAuthHeadersMessageTests
    {
        private static (string From, string Dkim) Read(string file)
        {
            string path = RepositoryFiles.Conformance(Path.Combine("authheaders", file));
            MimeMessage message = MimeMessage.Load(path);
            string from = message.From.Mailboxes.Single().Domain;
            string signature = message.Headers[HeaderId.DkimSignature];
            string d = signature.Split(';').Select(t => t.Trim()).Single(t => t.StartsWith("d=", System.StringComparison.Ordinal)).Substring(2);
            return (from, d);
        }

        private static DmarcTestDns Zone() => new DmarcTestDns()
            .Txt("_dmarc.example.biz", "v=DMARC1; p=none; sp=quarantine; np=reject; rua=mailto:d@example.biz")
            .Txt("_dmarc.example.net", "v=DMARC1; p=reject; rua=mailto:d@example.net")
            .A("example.biz")
            .A("sub2.example.biz");

        [Theory]
        [InlineData("test.message_np1", "sub.example.biz", DmarcPolicySource.Np, DmarcPolicyAction.Reject)]
        [InlineData("test.message_np2", "sub2.example.biz", DmarcPolicySource.Sp, DmarcPolicyAction.Quarantine)]
        public async Task SubdomainMessagesGetSpOrNp(string file, string expectedFrom, DmarcPolicySource source, DmarcPolicyAction disposition)
        {
            (string from, string d) = Read(file);
            Assert.Equal(expectedFrom, from);
            Assert.Equal("example.biz", d);

            using DmarcTestDns dns = Zone();
            var query = new DmarcQuery(from);
            query.DkimResults.Add(new DkimSignatureResult(d, "fail"));
            DmarcPolicy result = await dns.ResolveAsync(query);

            Assert.Equal("example.biz", result.RecordDomain);
            Assert.Equal(source, result.PolicySourceCode);
            Assert.Equal(DmarcResult.Fail, result.DmarcResultCode);
            Assert.Equal(disposition, result.DispositionCode);

            // The same signature passing aligns (relaxed: same Organizational Domain).
            var passing = new DmarcQuery(from);
            passing.DkimResults.Add(new DkimSignatureResult(d, "pass"));
            Assert.Equal(DmarcResult.Pass, (await dns.ResolveAsync(passing)).DmarcResultCode);
        }

        [Fact]
        public async Task ASignatureFromAnotherOrganizationDoesNotAlign()
        {
            (string from, string d) = Read("test.message_sub");
            Assert.Equal("sub.example.net", from);
            Assert.Equal("example.com", d);

            using DmarcTestDns dns = Zone();
            var query = new DmarcQuery(from);
            query.DkimResults.Add(new DkimSignatureResult(d, "pass"));
            DmarcPolicy result = await dns.ResolveAsync(query);
            Assert.Equal(DmarcResult.Fail, result.DmarcResultCode);
            Assert.Equal(DmarcPolicyAction.Reject, result.DispositionCode);
        }
    }
}
