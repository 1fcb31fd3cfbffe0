using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading.Tasks;
using MailAuth.Spf;

namespace MailAuth.Core.Tests.Spf
{
    /// <summary>Get-SpfRecord's lookup ledger, its verdict, and -Flatten, over trees shaped like real ones.</summary>
    public sealed class SpfLedgerAndFlattenTests
    {
        private const string Eop = "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 ip4:52.102.0.0/16 ip4:52.103.0.0/16 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 ip6:2a01:111:f403::/49 -all";

        /// <summary>Microsoft 365, Google Workspace as they publish, and tailspintoys.com with eleven lookups.</summary>
        private static FakeDnsResolver World()
        {
            var dns = new FakeDnsResolver()
                .Txt("spf.protection.outlook.com", Eop)
                .Txt("contoso.com", "v=spf1 include:spf.protection.outlook.com -all")
                .Txt("_spf.google.com", "v=spf1 include:_netblocks.google.com include:_netblocks2.google.com include:_netblocks3.google.com ~all")
                .Txt("_netblocks.google.com", "v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 ip4:74.125.0.0/16 ip4:209.85.128.0/17 ~all")
                .Txt("_netblocks2.google.com", "v=spf1 ip6:2001:4860:4000::/36 ip6:2607:f8b0:4000::/36 ~all")
                .Txt("_netblocks3.google.com", "v=spf1 ip4:172.217.0.0/19 ip4:108.177.96.0/19 ~all")
                .Txt("fabrikam.com", "v=spf1 include:_spf.google.com ~all")
                .Txt("tailspintoys.com", "v=spf1 include:_spf.google.com include:spf.protection.outlook.com include:servers.mcsv.net include:sendgrid.net include:mail.zendesk.com include:_spf.salesforce.com a mx ~all")
                .A("tailspintoys.com", "203.0.113.80")
                .Mx("tailspintoys.com", 10, "mail.tailspintoys.com")
                .A("mail.tailspintoys.com", "203.0.113.81");
            foreach (string name in new[] { "servers.mcsv.net", "sendgrid.net", "mail.zendesk.com", "_spf.salesforce.com" })
            {
                dns.Txt(name, "v=spf1 ip4:198.51.100.0/24 -all");
            }

            return dns;
        }

        private static SpfEvaluator Evaluator(FakeDnsResolver dns) => new SpfEvaluator(dns, new SpfEvaluationOptions { DefaultExplanation = "DEFAULT" });

        [Fact]
        public async Task The_ledger_lists_every_term_in_evaluation_order_with_running_counts_and_the_crossing()
        {
            SpfRecordReport report = await Evaluator(World()).GetRecordReportAsync("tailspintoys.com");

            string[] terms = report.Ledger.Select(e => e.Term).ToArray();
            Assert.Equal(new[]
            {
                "include:_spf.google.com", "include:_netblocks.google.com", "ip4:35.190.247.0/24", "ip4:64.233.160.0/19", "ip4:74.125.0.0/16", "ip4:209.85.128.0/17", "~all",
                "include:_netblocks2.google.com", "ip6:2001:4860:4000::/36", "ip6:2607:f8b0:4000::/36", "~all",
                "include:_netblocks3.google.com", "ip4:172.217.0.0/19", "ip4:108.177.96.0/19", "~all", "~all",
            }, terms.Take(16));
            Assert.Equal(Enumerable.Range(1, report.Ledger.Count), report.Ledger.Select(e => e.Sequence));
            Assert.Equal(11, report.DnsLookupCount);
            Assert.Equal(11, report.Ledger.Last().RunningDnsLookups);

            SpfLedgerEntry crossing = Assert.Single(report.Ledger, e => e.CrossesLookupLimit);
            Assert.Equal("mx", crossing.Term);
            Assert.Equal("tailspintoys.com", crossing.Domain);
            Assert.Equal(11, crossing.RunningDnsLookups);
            Assert.Equal(new[] { "MX tailspintoys.com" }, crossing.Queries);

            SpfLedgerEntry netblocks = report.Ledger.Single(e => e.Term == "include:_netblocks3.google.com");
            Assert.Equal(1, netblocks.Depth);
            Assert.Equal("tailspintoys.com > include:_spf.google.com", netblocks.IncludePath);
            Assert.Equal(4, netblocks.RunningDnsLookups);
            Assert.Equal(new[] { "TXT _netblocks3.google.com" }, netblocks.Queries);
            Assert.Equal(0, report.Ledger.Single(e => e.Term == "ip4:172.217.0.0/19").DnsLookups);
            Assert.Equal(new[] { "A tailspintoys.com", "AAAA tailspintoys.com" }, report.Ledger.Single(e => e.Term == "a").Queries);

            Assert.Equal("PermError", report.Verdict);
            Assert.StartsWith("'mx' (tailspintoys.com) is DNS lookup 11 of at most 10: permerror", report.VerdictReason);
            Assert.Contains("'mx' in the record of tailspintoys.com", report.LimitCrossedAt);
        }

        [Fact]
        public async Task Each_void_lookup_names_its_term_and_the_name_it_asked_for()
        {
            var dns = new FakeDnsResolver()
                .Txt("example.com", "v=spf1 a:gone.example.com include:_spf.example.net mx:nomx.example.com ip4:192.0.2.0/24 -all")
                .Txt("_spf.example.net", "v=spf1 exists:gone.example.net -all")
                .Exists("nomx.example.com");
            SpfRecordReport report = await Evaluator(dns).GetRecordReportAsync("example.com");

            SpfLedgerEntry[] voids = report.Ledger.Where(e => e.VoidLookups > 0).ToArray();
            Assert.Equal(new[] { "a:gone.example.com", "exists:gone.example.net", "mx:nomx.example.com" }, voids.Select(e => e.Term));
            Assert.Equal(new[] { "gone.example.com", "gone.example.net", "nomx.example.com" }, voids.Select(e => e.VoidName));
            Assert.Equal(new[] { "NXDOMAIN", "NXDOMAIN", "no data" }, voids.Select(e => e.VoidAnswer));
            Assert.Equal(new[] { 1, 2, 3 }, voids.Select(e => e.RunningVoidLookups));
            Assert.Equal("mx:nomx.example.com", Assert.Single(report.Ledger, e => e.CrossesVoidLimit).Term);
            Assert.Equal("_spf.example.net", voids[1].Domain);
            Assert.Equal(3, report.VoidLookupCount);
            Assert.Equal("'a:gone.example.com' in example.com: gone.example.com NXDOMAIN", report.VoidLookups[0]);
            Assert.Equal("PermError", report.Verdict);
            Assert.Contains("void lookups", report.VerdictReason);
        }

        [Theory]
        [InlineData("contoso.com", "OK")]
        [InlineData("open.example", "Errors")]
        [InlineData("noinclude.example", "PermError")]
        [InlineData("slowinclude.example", "TempError")]
        [InlineData("nothing.example", "None")]
        [InlineData("twice.example", "PermError")]
        public async Task The_verdict_says_what_a_receiver_gets(string domain, string verdict)
        {
            FakeDnsResolver dns = World()
                .Txt("open.example", "v=spf1 +all")
                .Txt("noinclude.example", "v=spf1 ip4:192.0.2.1 include:missing.example -all")
                .Txt("slowinclude.example", "v=spf1 include:slow.example -all")
                .Timeout("slow.example")
                .Txt("twice.example", "v=spf1 -all").Txt("twice.example", "v=spf1 ~all");
            SpfRecordReport report = await Evaluator(dns).GetRecordReportAsync(domain);
            Assert.Equal(verdict, report.Verdict);
            Assert.False(string.IsNullOrEmpty(report.VerdictReason));
        }

        [Fact]
        public async Task Flattening_tailspintoys_gives_one_record_within_the_limits()
        {
            SpfFlattening flat = await Evaluator(World()).FlattenRecordAsync("tailspintoys.com");

            Assert.Equal(11, flat.OriginalDnsLookupCount);
            Assert.Equal(0, flat.DnsLookupCount);
            Assert.True(flat.WithinLimits);
            Assert.Empty(flat.KeptTerms);
            Assert.StartsWith("v=spf1 ip4:35.190.247.0/24 ", flat.Record);
            // One run of pass ranges: sorted, IPv4 first; a (203.0.113.80) and mx (.81) merge into a /31.
            Assert.Contains(" ip4:203.0.113.80/31 ", flat.Record);
            Assert.EndsWith(" ip6:2a01:111:f403::/49 ~all", flat.Record);
            Assert.Contains("ip4:40.92.0.0/15", flat.Record);
            Assert.Contains("ip6:2a01:111:f400::/48", flat.Record);

            // The four providers publish the same /24: once is enough.
            Assert.Equal(1, CountOf(flat.Record!, "ip4:198.51.100.0/24"));
            Assert.Contains(flat.Notes, n => n.Contains("inside earlier ones", StringComparison.Ordinal));

            Assert.All(flat.Strings, s => Assert.InRange(Encoding.UTF8.GetByteCount(s), 1, 255));
            Assert.Equal(flat.Record, string.Concat(flat.Strings));
            Assert.True(flat.StringCount >= 2);
            Assert.True(SpfRecord.TryParse(flat.Record!, out _, out _));

            Assert.Equal(300, flat.MinimumTtl);
            Assert.Contains("TXT spf.protection.outlook.com: 300 s", flat.Sources);
            Assert.Contains("A mail.tailspintoys.com: 300 s", flat.Sources);
            Assert.Equal(flat.ResolvedAt.AddSeconds(300), flat.RefreshBy);
            Assert.Contains("snapshot", flat.Warning);
            Assert.Contains("Refresh it", flat.Warning);
            SpfFlattenedRange eop = flat.Ranges.Single(r => r.Network == "40.92.0.0/15");
            Assert.Equal("include:spf.protection.outlook.com", eop.Source);
            Assert.Equal(string.Empty, eop.Qualifier);
            Assert.Equal("include:_spf.google.com > include:_netblocks.google.com", flat.Ranges.Single(r => r.Network == "209.85.128.0/17").Source);
        }

        [Fact]
        public async Task A_flattened_record_decides_every_client_as_the_published_one()
        {
            FakeDnsResolver dns = World()
                .Txt("mixed.example", "v=spf1 -ip4:40.92.18.0/24 include:spf.protection.outlook.com ?include:_spf.google.com a:relay.mixed.example exists:%{i}.bl.mixed.example include:strict.example ~all exp=why.mixed.example")
                .A("relay.mixed.example", "192.0.2.10", "2001:db8::10")
                .Txt("strict.example", "v=spf1 -ip4:198.51.100.7 ip4:198.51.100.0/24 -all")
                .A("203.0.113.9.bl.mixed.example", "127.0.0.2");
            SpfEvaluator evaluator = Evaluator(dns);
            SpfFlattening flat = await evaluator.FlattenRecordAsync("mixed.example");

            // exists depends on the client; strict.example subtracts an address: both stay as written.
            Assert.Contains("exists:%{i}.bl.mixed.example", flat.Record);
            Assert.Contains("include:strict.example", flat.Record);
            Assert.Equal(2, flat.DnsLookupCount);
            Assert.Equal(2, flat.KeptTerms.Count);
            Assert.StartsWith("v=spf1 -ip4:40.92.18.0/24 ip4:40.92.0.0/15 ", flat.Record);
            Assert.Contains("?ip4:209.85.128.0/17", flat.Record);
            Assert.Contains("ip6:2001:db8::10", flat.Record);
            Assert.EndsWith(" ~all exp=why.mixed.example", flat.Record);

            var random = new Random(5);
            var clients = new List<string> { "40.92.18.7", "40.92.19.7", "52.100.165.209", "209.85.220.41", "2607:f8b0:4864:20::52d", "192.0.2.10", "2001:db8::10", "203.0.113.9", "198.51.100.7", "198.51.100.8", "192.0.2.200" };
            for (int i = 0; i < 40; i++)
            {
                clients.Add($"{random.Next(1, 224)}.{random.Next(256)}.{random.Next(256)}.{random.Next(256)}");
            }

            foreach (string client in clients)
            {
                IPAddress ip = IPAddress.Parse(client);
                SpfResult published = await evaluator.CheckHostAsync(ip, "mixed.example", "x@mixed.example", null);
                SpfResult candidate = await evaluator.CheckRecordAsync(flat.Record!, ip, "mixed.example", "x@mixed.example", null);
                Assert.True(published.ResultCode == candidate.ResultCode, $"{client}: published {published.Result}, flattened {candidate.Result}");
            }
        }

        [Fact]
        public async Task Ranges_merge_within_a_run_and_long_records_split_at_terms()
        {
            string many = "v=spf1 " + string.Join(" ", Enumerable.Range(0, 60).Select(i => $"ip4:10.{i}.0.0/16")) + " -all";
            FakeDnsResolver dns = new FakeDnsResolver()
                .Txt("halves.example", "v=spf1 include:two.example -all")
                .Txt("two.example", "v=spf1 ip4:192.0.2.0/25 ip4:192.0.2.128/25 ip4:192.0.2.7 -all")
                .Txt("many.example", "v=spf1 include:big.example -all")
                .Txt("big.example", many);
            SpfFlattening halves = await Evaluator(dns).FlattenRecordAsync("halves.example");
            Assert.Equal("v=spf1 ip4:192.0.2.0/24 -all", halves.Record);
            Assert.Equal(1, halves.RangeCount);

            SpfFlattening big = await Evaluator(dns).FlattenRecordAsync("many.example");
            // 10.0/16 .. 10.59/16 merge into 10.0/11 (0-31), 10.32/12 (32-47), 10.48/13 (48-55), 10.56/14 (56-59).
            Assert.Equal("v=spf1 ip4:10.0.0.0/11 ip4:10.32.0.0/12 ip4:10.48.0.0/13 ip4:10.56.0.0/14 -all", big.Record);
        }

        [Fact]
        public async Task Long_candidates_are_split_into_strings_of_at_most_255_bytes()
        {
            string scattered = "v=spf1 " + string.Join(" ", Enumerable.Range(0, 60).Select(i => $"ip4:198.{i * 2}.{i}.0/24")) + " -all";
            FakeDnsResolver dns = new FakeDnsResolver().Txt("long.example", "v=spf1 include:scattered.example ~all").Txt("scattered.example", scattered);
            SpfFlattening flat = await Evaluator(dns).FlattenRecordAsync("long.example");

            Assert.Equal(60, flat.RangeCount);
            Assert.True(flat.StringCount >= 4);
            Assert.All(flat.Strings, s => Assert.InRange(Encoding.UTF8.GetByteCount(s), 1, 255));
            Assert.All(flat.Strings.Skip(1), s => Assert.StartsWith(" ip4:", s));
            Assert.Equal(flat.Record, string.Concat(flat.Strings));
            Assert.Contains(flat.Notes, n => n.Contains("over 512", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Nothing_to_flatten_says_why()
        {
            FakeDnsResolver dns = new FakeDnsResolver().Txt("plain.example", "google-site-verification=x");
            SpfFlattening flat = await Evaluator(dns).FlattenRecordAsync("plain.example");
            Assert.Null(flat.Record);
            Assert.False(flat.WithinLimits);
            Assert.Contains("Nothing to flatten", flat.Warning);
            await Assert.ThrowsAsync<ArgumentNullException>(() => Evaluator(dns).FlattenRecordAsync(null!));
        }

        private static int CountOf(string text, string part)
        {
            int count = 0;
            for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
            {
                count++;
            }

            return count;
        }
    }
}
