using System;
using System.Threading.Tasks;
using MailAuth.Core.Tests.Dmarc;
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

        [Fact]
        public async Task Tree_walk_takes_the_shortest_name_with_a_record()
        {
            using var dns = new DmarcTestDns()
                .Txt("_dmarc.contoso.com", "v=DMARC1; p=reject")
                .Txt("_dmarc.sub.contoso.com", "v=DMARC1; p=none");
            TreeWalkResult result = await OrganizationalDomainService.Embedded.FromTreeWalkAsync(dns.Dns(), "mail.sub.contoso.com");

            Assert.Equal("contoso.com", result.OrganizationalDomain);
            Assert.Null(result.Error);
            Assert.Equal(new[] { "_dmarc.mail.sub.contoso.com", "_dmarc.sub.contoso.com", "_dmarc.contoso.com", "_dmarc.com" }, result.QueriedNames);
        }

        [Fact]
        public async Task Tree_walk_stops_at_psd_n_and_below_psd_y()
        {
            // §4.10.2: psd=n names the Organizational Domain itself.
            using var dns = new DmarcTestDns()
                .Txt("_dmarc.sub.contoso.com", "v=DMARC1; p=none; psd=n")
                .Txt("_dmarc.contoso.com", "v=DMARC1; p=reject");
            TreeWalkResult stopped = await OrganizationalDomainService.Embedded.FromTreeWalkAsync(dns.Dns(), "a.sub.contoso.com");
            Assert.Equal("sub.contoso.com", stopped.OrganizationalDomain);

            // psd=y on a Public Suffix Domain: the name one label below it on the start's path.
            using var psd = new DmarcTestDns().Txt("_dmarc.example", "v=DMARC1; p=reject; psd=y");
            TreeWalkResult below = await OrganizationalDomainService.Embedded.FromTreeWalkAsync(psd.Dns(), "a.b.contoso.example");
            Assert.Equal("contoso.example", below.OrganizationalDomain);
        }

        [Fact]
        public async Task Tree_walk_without_records_gives_the_start_and_a_failure_gives_none()
        {
            using var empty = new DmarcTestDns();
            Assert.Equal("mail.contoso.com", (await OrganizationalDomainService.Embedded.FromTreeWalkAsync(empty.Dns(), "mail.contoso.com")).OrganizationalDomain);

            using var failing = new DmarcTestDns().Fault("_dmarc.contoso.com", TestFault.ServFail);
            TreeWalkResult failed = await OrganizationalDomainService.Embedded.FromTreeWalkAsync(failing.Dns(), "mail.contoso.com");
            Assert.Null(failed.OrganizationalDomain);
            Assert.Contains("_dmarc.contoso.com", failed.Error);
        }

        [Fact]
        public async Task Arguments_are_checked()
        {
            Assert.Throws<ArgumentNullException>(() => OrganizationalDomainService.Embedded.FromPublicSuffixList(null!));
            await Assert.ThrowsAsync<ArgumentNullException>(() => OrganizationalDomainService.Embedded.FromTreeWalkAsync(null!, "contoso.com"));
            using var dns = new DmarcTestDns();
            await Assert.ThrowsAsync<ArgumentNullException>(() => OrganizationalDomainService.Embedded.FromTreeWalkAsync(dns.Dns(), null!));
            await Assert.ThrowsAsync<DomainNameException>(() => OrganizationalDomainService.Embedded.FromTreeWalkAsync(dns.Dns(), "a b.example"));
        }
    }
}
