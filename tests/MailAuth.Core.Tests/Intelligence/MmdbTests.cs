using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using MailAuth.Core.Tests.Posture;
using MailAuth.IpIntelligence;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Intelligence
{
    /// <summary>
    /// -AsnDatabase / -CountryDatabase over MMDB files written by MaxMind's own writer (Debian's
    /// libmaxmind-db-writer-perl, make-test-mmdb.pl) in the GeoLite2-ASN, GeoLite2-Country and
    /// IPinfo Lite layouts those vendors document.
    /// </summary>
    public sealed class MmdbTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "mailauth-mmdb-" + Guid.NewGuid().ToString("N"));

        public MmdbTests()
        {
            Directory.CreateDirectory(_dir);
            string script = Path.Combine(RepositoryFiles.Root, "tests/MailAuth.Core.Tests/Intelligence/make-test-mmdb.pl");
            var start = new ProcessStartInfo("perl") { RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(_dir);
            using Process process = Process.Start(start)!;
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, "make-test-mmdb.pl (apt-get install libmaxmind-db-writer-perl): " + error);
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(_dir, true);
            }
            catch (IOException)
            {
            }
        }

        private string File(string name) => Path.Combine(_dir, name);

        [Fact]
        public async Task AsnDatabaseReplacesTeamCymruForIPv4AndIPv6()
        {
            using var asn = MmdbIpDatabase.Open(File("GeoLite2-ASN-Test.mmdb"));
            Assert.Equal("GeoLite2-ASN", asn.DatabaseType);
            using var dns = new PostureTestDns()
                .Add("41.220.85.209.in-addr.arpa", ZoneRecordType.PTR, "mail-sor-f41.google.com")
                .Add("mail-sor-f41.google.com", ZoneRecordType.A, "209.85.220.41");
            var reporter = new MailIpReporter(dns.Resolver(), new MailIpReportOptions { AsnDatabase = asn, Blocklists = Array.Empty<string>() });

            MailIpReport google = await reporter.ReportAsync("209.85.220.41");
            Assert.Equal(15169, google.Asn);
            Assert.Equal("GOOGLE", google.AsName);
            Assert.Equal("209.85.128.0/17", google.Prefix);
            Assert.Equal("GeoLite2-ASN", google.OwnerSource);
            Assert.True(google.ForwardConfirmed);
            Assert.Equal("Google", google.Service);

            MailIpReport microsoft = await reporter.ReportAsync("2a01:111:f403:c000::1");
            Assert.Equal(8075, microsoft.Asn);
            Assert.Equal("2a01:111:f400::/40", microsoft.Prefix);

            MailIpReport unknown = await reporter.ReportAsync("185.234.219.12");
            Assert.Null(unknown.Asn);
            Assert.Null(unknown.OwnerSource);

            Assert.DoesNotContain(dns.Queries, q => q.Contains("cymru", StringComparison.Ordinal));
        }

        [Fact]
        public async Task CountryDatabaseGivesTheCountryBesideTeamCymru()
        {
            using var country = MmdbIpDatabase.Open(File("GeoLite2-Country-Test.mmdb"));
            using var dns = new PostureTestDns()
                .Txt("201.45.12.86.origin.asn.cymru.com", "5089 | 86.0.0.0/11 | GB | ripencc | 2005-12-12")
                .Txt("AS5089.asn.cymru.com", "5089 | GB | ripencc | 1995-07-04 | NTL - Virgin Media Limited, GB");
            MailIpReport r = await new MailIpReporter(dns.Resolver(), new MailIpReportOptions { CountryDatabase = country, Blocklists = Array.Empty<string>() }).ReportAsync("86.12.45.201");
            Assert.Equal("GB", r.Country);
            Assert.Equal(5089, r.Asn);
            Assert.Equal("TeamCymru", r.OwnerSource);
        }

        [Fact]
        public async Task IpinfoLiteGivesAsnNameAndCountry()
        {
            using var lite = MmdbIpDatabase.Open(File("ipinfo_lite-Test.mmdb"));
            using var dns = new PostureTestDns();
            var reporter = new MailIpReporter(dns.Resolver(), new MailIpReportOptions { AsnDatabase = lite, Blocklists = Array.Empty<string>() });
            MailIpReport r = await reporter.ReportAsync("209.85.220.41");
            Assert.Equal(15169, r.Asn);
            Assert.Equal("Google LLC", r.AsName);
            Assert.Equal("US", r.Country);
            MailIpReport v6 = await reporter.ReportAsync("2a01:111:f403:c000::1");
            Assert.Equal(8075, v6.Asn);
            Assert.Equal("IE", v6.Country);
        }

        [Fact]
        public void RefusesFilesThatAreNotMmdb()
        {
            string text = File("not.mmdb");
            System.IO.File.WriteAllText(text, "this is not a database");
            Assert.Throws<InvalidDataException>(() => MmdbIpDatabase.Open(text));
            Assert.ThrowsAny<IOException>(() => MmdbIpDatabase.Open(File("missing.mmdb")));
            Assert.Throws<ArgumentException>(() => MmdbIpDatabase.Open(" "));
        }
    }
}
