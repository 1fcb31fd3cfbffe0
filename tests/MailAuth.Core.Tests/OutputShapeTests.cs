using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Threading.Tasks;
using MailAuth.Core.Tests.Posture;
using MailAuth.Dns;
using MailAuth.DomainReport;
using MailAuth.Posture;
using MailAuth.Testing.Dns;
using MailAuth.Testing.Http;

namespace MailAuth.Core.Tests
{
    /// <summary>
    /// The shapes Export-Csv and ConvertTo-Json need (docs/output.md), checked on the objects
    /// themselves: the Pester suite proves them in pwsh, but only for what a loopback zone can
    /// produce; here a fetched MTA-STS policy is in the report too.
    /// </summary>
    public class OutputShapeTests
    {
        [Fact]
        public void A_result_list_reads_as_its_items_joined_with_semicolons()
        {
            var findings = ResultList.From(new[]
            {
                new Finding(MailAuth.Findings.FindingCatalog.Spf.Ptr, "uses ptr"),
                new Finding(MailAuth.Findings.FindingCatalog.Dmarc.RuaMissing, "no rua"),
            });
            Assert.Equal("SPF-PTR; DMARC-RUA-MISSING", findings.ToString());
            Assert.Equal("v=spf1 -all; v=spf1 ~all", ResultList.From(new[] { "v=spf1 -all", "v=spf1 ~all" }).ToString());
            Assert.Equal("a; ; c", ResultList.From(new[] { "a", null, "c" }).ToString());
            Assert.Equal(string.Empty, ResultList<string>.Empty.ToString());
            Assert.Equal(string.Empty, ResultList.From<string>(null).ToString());
            Assert.Equal("Warning", findings[0].Severity);
        }

        [Fact]
        public void A_result_list_is_a_read_only_copy()
        {
            var source = new List<string> { "a", "b" };
            var list = new ResultList<string>(source);
            source.Add("c");
            Assert.Equal(new[] { "a", "b" }, list);
            Assert.True(((IList)list).IsReadOnly);
            Assert.Throws<NotSupportedException>(() => ((IList<string>)list).Add("d"));
            Assert.Same(list, ResultList.From(list));
            Assert.Throws<ArgumentNullException>(() => new ResultList<string>(null!));
        }

        [Fact]
        public void A_tag_map_reads_as_its_pairs_in_the_order_written()
        {
            var tags = new ResultDictionary(new Dictionary<string, string> { ["v"] = "1", ["d"] = "example.com", ["s"] = "sel" });
            Assert.Equal("v=1; d=example.com; s=sel", tags.ToString());
            Assert.Equal("example.com", tags["d"]);
            Assert.Throws<ArgumentNullException>(() => new ResultDictionary(null!));
        }

        [Fact]
        public void A_txt_record_shows_its_strings_in_zone_file_form()
        {
            // RFC 1035 §5.1: each character-string in quotes, '"' and '\' escaped with a backslash.
            var record = new DnsRecord("example.com", DnsRecordType.TXT, 300, "v=spf1 \"a\\b\" -all", new[] { "v=spf1 \"a\\b\"", " -all" });
            Assert.Equal("\"v=spf1 \\\"a\\\\b\\\"\" \" -all\"", record.TextStrings);
            Assert.Equal("TXT", record.Type);
            Assert.Equal(string.Empty, new DnsRecord("example.com", DnsRecordType.A, 300, "192.0.2.1", address: IPAddress.Parse("192.0.2.1")).TextStrings);
            Assert.Equal("192.0.2.1", new DnsRecord("example.com", DnsRecordType.A, 300, "192.0.2.1", address: IPAddress.Parse("192.0.2.1")).Address);
        }

        [Fact]
        public async Task A_full_domain_report_holds_only_names_text_and_result_lists_and_fits_json_depth_4()
        {
            using var dns = new PostureTestDns();
            using RSA rsa = RSA.Create(2048);
            string key = Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
            dns.Add("example.com", ZoneRecordType.MX, "10 mx1.example.com")
                .Add("mx1.example.com", ZoneRecordType.A, "192.0.2.25")
                .Add("mx1.example.com", ZoneRecordType.AAAA, "2001:db8::25")
                .Txt("example.com", "v=spf1 mx include:_spf.example.com -all")
                .Txt("_spf.example.com", "v=spf1 ip4:192.0.2.0/24 include:_more.example.com -all")
                .Txt("_more.example.com", "v=spf1 ip6:2001:db8::/32 -all")
                .Txt("_dmarc.example.com", "v=DMARC1; p=reject; rua=mailto:dmarc@example.com")
                .Txt("selector1._domainkey.example.com", "v=DKIM1; k=rsa; p=" + key)
                .Txt("default._bimi.example.com", "v=BIMI1; l=https://brand.example.com/logo.svg; a=https://brand.example.com/vmc.pem")
                .Txt("_mta-sts.example.com", "v=STSv1; id=2024")
                .Txt("_smtp._tls.example.com", "v=TLSRPTv1; rua=mailto:tls@example.com");
            dns.Add("mta-sts.example.com", ZoneRecordType.A, "127.0.0.1");
            using var https = new LoopbackHttpsServer("mta-sts.example.com");
            https.Serve("mta-sts.example.com", "/.well-known/mta-sts.txt", new HttpAnswer { Body = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmax_age: 1209600\r\n" });
            using var reporter = new DomainReporter(dns.Resolver(), new DomainReportOptions
            {
                DkimSelectors = new[] { "selector1", "nosuch" },
                MtaSts = new MtaStsOptions { PolicyPort = https.Port, ServerCertificateValidation = MtaStsOptions.TrustCertificate(https.Thumbprint) },
            });

            MailDomainReport report = await reporter.GetReportAsync("example.com");
            Assert.Equal("Enforce", report.MtaSts!.Policy!.Mode);

            Assert.Empty(Problems(report));
        }

        /// <summary>What would not survive Export-Csv or ConvertTo-Json -Depth 4 in <paramref name="value"/> (empty: nothing).</summary>
        internal static List<string> Problems(object value)
        {
            var problems = new List<string>();
            Walk(value, 0, "$", problems);
            return problems;
        }

        [Fact]
        public void The_walk_sees_each_kind_of_problem()
        {
            var problems = new List<string>();
            // Deep is depth 1, so L4 is the first object at depth 5.
            object deep = new { L1 = new { L2 = new { L3 = new { L4 = new { X = 1 } } } } };
            Walk(new { List = new List<int> { 1 }, Day = DayOfWeek.Monday, Ip = IPAddress.Parse("192.0.2.1"), Plain = new object(), Deep = deep }, 0, "$", problems);
            Assert.Equal(new[] { "$.List: List`1", "$.Day: DayOfWeek", "$.Ip: IPAddress", "$.Plain: Object has no ToString of its own", "$.Deep.L1.L2.L3.L4: <>f__AnonymousType" },
                problems.Select(p => p.Contains("AnonymousType", StringComparison.Ordinal) ? p.Substring(0, p.IndexOf("AnonymousType", StringComparison.Ordinal) + 13) : p));
        }

        // ConvertTo-Json's rule (docs/output.md): the object is depth 0, a property value one deeper,
        // a collection's items one deeper than the collection; anything but a scalar past depth 4 is
        // cut to its text. Besides, no value may be an enum (written as a number), an IPAddress (an
        // object of numbers) or a collection other than ResultList/ResultDictionary (a type name in CSV).
        private static void Walk(object? value, int depth, string path, List<string> problems)
        {
            if (value is null || value is string || value is bool || value is DateTimeOffset || value is DateTime || value.GetType().IsPrimitive)
            {
                return;
            }

            Type type = value.GetType();
            if (type.IsEnum || value is IPAddress)
            {
                problems.Add($"{path}: {type.Name}");
                return;
            }

            if (depth > 4)
            {
                problems.Add($"{path}: {type.Name} past depth 4");
                return;
            }

            if (value is IDictionary map)
            {
                if (!(value is ResultDictionary))
                {
                    problems.Add($"{path}: {type.Name}");
                }

                foreach (DictionaryEntry entry in map)
                {
                    Walk(entry.Value, depth + 1, path + "." + entry.Key, problems);
                }

                return;
            }

            if (value is IEnumerable items)
            {
                // ResultList, or DnsEvidence: the other list with a value as its text (a count of queries).
                bool isResultList = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ResultList<>);
                if (!isResultList && type != typeof(MailAuth.Dns.DnsEvidence))
                {
                    problems.Add($"{path}: {type.Name}");
                }

                int i = 0;
                foreach (object? item in items)
                {
                    Walk(item, depth + 1, path + "[" + i++ + "]", problems);
                }

                return;
            }

            if (type.GetMethod(nameof(ToString), Type.EmptyTypes)!.DeclaringType == typeof(object))
            {
                problems.Add($"{path}: {type.Name} has no ToString of its own");
            }

            foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
            {
                Walk(property.GetValue(value), depth + 1, path + "." + property.Name, problems);
            }
        }
    }
}
