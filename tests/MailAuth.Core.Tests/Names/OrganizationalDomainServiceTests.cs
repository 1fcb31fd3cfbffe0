using System;
using System.Threading.Tasks;
using MailAuth.Core.Tests.Dmarc;
using MailAuth.Dmarc;
using MailAuth.Names;

namespace MailAuth.Core.Tests.Names
{
    public class OrganizationalDomainServiceTests
    {
        // A list with the publicsuffix.org rule kinds: normal, wildcard (*.ck) and exception (!www.ck).
        private static readonly OrganizationalDomainService s_small = new OrganizationalDomainService(PublicSuffixList.FromText(
            "// ===BEGIN ICANN DOMAINS===\ncom\nuk\nco.uk\nck\n*.ck\n!www.ck\njp\n*.kawasaki.jp\n!city.kawasaki.jp\n"));

        [Theory]
        // RFC 7489 §3.2: the public suffix plus one label.
        [InlineData("contoso.com", "contoso.com")]
        [InlineData("mail.sub.contoso.com", "contoso.com")]
        [InlineData("Mail.Contoso.COM.", "contoso.com")]
        [InlineData("www.example.co.uk", "example.co.uk")]
        // *.ck makes every second-level name under ck a suffix ...
        [InlineData("a.b.ck", "a.b.ck")]
        [InlineData("x.a.b.ck", "a.b.ck")]
        // ... except www.ck (!www.ck): its suffix is ck, so www.ck is registrable.
        [InlineData("www.ck", "www.ck")]
        [InlineData("mail.www.ck", "www.ck")]
        [InlineData("city.kawasaki.jp", "city.kawasaki.jp")]
        [InlineData("a.b.kawasaki.jp", "a.b.kawasaki.jp")]
        // A public suffix stays itself (no registrable domain), as does an unlisted TLD's name.
        [InlineData("co.uk", "co.uk")]
        [InlineData("b.ck", "b.ck")]
        [InlineData("contoso.unlisted", "contoso.unlisted")]
        [InlineData("a.contoso.unlisted", "contoso.unlisted")]
        public void Public_suffix_list_method(string domain, string expected)
        {
            Assert.Equal(expected, s_small.FromPublicSuffixList(domain));
            Assert.Equal(expected, s_small.GetOrganizationalDomain(domain));
        }

        [Theory]
        [InlineData("www.example.co.uk", "example.co.uk")]
        [InlineData("someone.github.io", "someone.github.io")]
        [InlineData("a.b.c.kawasaki.jp", "b.c.kawasaki.jp")]
        [InlineData("bücher.example", "bücher.example")]
        public void Embedded_list(string domain, string expected)
        {
            Assert.Equal(expected, OrganizationalDomainService.Embedded.FromPublicSuffixList(domain));
        }

        [Fact]
        public void Tree_walk_names_follow_RFC_9989_section_4_10()
        {
            // Step 4: eight labels or more jump to the rightmost seven, then drop one at a time.
            Assert.Equal(new[] { "a.b.c.d.e.f.g.h.example.com", "d.e.f.g.h.example.com", "e.f.g.h.example.com", "f.g.h.example.com", "g.h.example.com", "h.example.com", "example.com", "com" },
                OrganizationalDomainService.TreeWalkNames("A.B.C.D.E.F.G.H.example.com."));
            Assert.Equal(new[] { "mail.contoso.com", "contoso.com", "com" }, OrganizationalDomainService.TreeWalkNames("mail.contoso.com"));
            Assert.Throws<DomainNameException>(() => OrganizationalDomainService.TreeWalkNames("d0..example"));
            Assert.Throws<ArgumentNullException>(() => OrganizationalDomainService.TreeWalkNames(null!));
        }

        [Theory]
        // §4.10.2: no psd tag on the way up: the shortest name with a record.
        [InlineData("mail.sub.contoso.com", "contoso.com", "_dmarc.contoso.com=v=DMARC1; p=reject", "_dmarc.sub.contoso.com=v=DMARC1; p=none")]
        // psd=n names the Organizational Domain itself (and ends the walk, step 6).
        [InlineData("a.sub.contoso.com", "sub.contoso.com", "_dmarc.sub.contoso.com=v=DMARC1; p=none; psd=n", "_dmarc.contoso.com=v=DMARC1; p=reject")]
        // psd=y on a Public Suffix Domain: the name one label below it on the start's path.
        [InlineData("a.b.contoso.example", "contoso.example", "_dmarc.example=v=DMARC1; p=reject; psd=y")]
        // No record anywhere: the name itself.
        [InlineData("mail.contoso.com", "mail.contoso.com")]
        public async Task Tree_walk_picks_the_Organizational_Domain(string start, string expected, params string[] records)
        {
            var dns = new DmarcTestDns();
            using (dns)
            {
                foreach (string record in records)
                {
                    int eq = record.IndexOf('=');
                    dns.Txt(record.Substring(0, eq), record.Substring(eq + 1));
                }

                TreeWalkResult result = await OrganizationalDomainService.Embedded.FromTreeWalkAsync(DmarcResolver.TreeWalkLookup(dns.Dns()), start);
                Assert.Equal(expected, result.OrganizationalDomain);
                Assert.Null(result.Error);
                Assert.Equal("_dmarc." + start, result.QueriedNames[0]);
            }
        }

        [Fact]
        public async Task Tree_walk_queries_each_name_up_to_the_top()
        {
            using var dns = new DmarcTestDns().Txt("_dmarc.contoso.com", "v=DMARC1; p=reject");
            TreeWalkResult result = await OrganizationalDomainService.Embedded.FromTreeWalkAsync(DmarcResolver.TreeWalkLookup(dns.Dns()), "Mail.Sub.Contoso.com.");
            Assert.Equal("mail.sub.contoso.com", result.Domain);
            Assert.Equal(new[] { "_dmarc.mail.sub.contoso.com", "_dmarc.sub.contoso.com", "_dmarc.contoso.com", "_dmarc.com" }, result.QueriedNames);
        }

        [Fact]
        public async Task Tree_walk_with_a_failed_query_gives_none()
        {
            using var failing = new DmarcTestDns().Fault("_dmarc.contoso.com", TestFault.ServFail);
            TreeWalkResult failed = await OrganizationalDomainService.Embedded.FromTreeWalkAsync(DmarcResolver.TreeWalkLookup(failing.Dns()), "mail.contoso.com");
            Assert.Null(failed.OrganizationalDomain);
            Assert.Contains("_dmarc.contoso.com", failed.Error);
        }

        [Fact]
        public async Task Arguments_are_checked()
        {
            Assert.Throws<ArgumentNullException>(() => OrganizationalDomainService.Embedded.FromPublicSuffixList(null!));
            await Assert.ThrowsAsync<ArgumentNullException>(() => OrganizationalDomainService.Embedded.FromTreeWalkAsync(null!, "contoso.com"));
            Assert.Throws<ArgumentNullException>(() => DmarcResolver.TreeWalkLookup(null!));
            using var dns = new DmarcTestDns();
            await Assert.ThrowsAsync<ArgumentNullException>(() => OrganizationalDomainService.Embedded.FromTreeWalkAsync(DmarcResolver.TreeWalkLookup(dns.Dns()), null!));
            await Assert.ThrowsAsync<DomainNameException>(() => OrganizationalDomainService.Embedded.FromTreeWalkAsync(DmarcResolver.TreeWalkLookup(dns.Dns()), "a b.example"));
        }
    }
}
