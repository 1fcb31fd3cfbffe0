using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.DomainReport;
using MailAuth.Posture;
using MailAuth.Spf;
using MailAuth.Testing.Dns;
using Xunit;

namespace MailAuth.Core.Tests.Dns
{
    /// <summary>
    /// Issue 15: results carry their DNS evidence, -DnsArchive records it as JSON Lines, -Offline
    /// replays it with no packet sent. Recordings are made against the loopback server over real
    /// sockets; replays must equal the live results, time columns aside.
    /// </summary>
    public sealed class DnsArchiveTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "mailauth-archive-" + Guid.NewGuid().ToString("N"));

        public DnsArchiveTests()
        {
            Directory.CreateDirectory(_folder);
        }

        public void Dispose()
        {
            Directory.Delete(_folder, true);
        }

        private string ArchivePath(string name = "dns.jsonl") => Path.Combine(_folder, name);

        /// <summary>
        /// Some hundreds of domains published the ways real ones are: Microsoft 365 and Google
        /// Workspace tenants, self-hosted mail, multi-string SPF, broken DMARC, SERVFAIL, NXDOMAIN.
        /// </summary>
        private static List<string> BuildWorld(DnsZone zone, int count)
        {
            using RSA rsa = RSA.Create(1024);
            string key = "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
            zone.AddTxt("spf.protection.outlook.com", "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 -all");
            zone.AddTxt("_spf.google.com", "v=spf1 include:_netblocks.google.com include:_netblocks2.google.com ~all");
            zone.AddTxt("_netblocks.google.com", "v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 ip4:66.102.0.0/20 ip4:209.85.128.0/17 ~all");
            zone.AddTxt("_netblocks2.google.com", "v=spf1 ip6:2001:4860:4000::/36 ip6:2404:6800:4000::/36 ~all");
            zone.Add("aspmx.l.google.com", ZoneRecordType.A, "142.250.27.26");
            zone.Add("aspmx.l.google.com", ZoneRecordType.AAAA, "2a00:1450:4025:401::1a");
            var domains = new List<string>();
            for (int i = 0; i < count; i++)
            {
                string d = $"tenant{i}.example";
                domains.Add(d);
                switch (i % 6)
                {
                    case 0:
                        string tenant = $"tenant{i}-example";
                        zone.Add(d, ZoneRecordType.MX, $"0 {tenant}.mail.protection.outlook.com");
                        zone.Add($"{tenant}.mail.protection.outlook.com", ZoneRecordType.A, $"52.101.{i % 250}.{10 + (i % 200)}");
                        zone.AddTxt(d, "v=spf1 include:spf.protection.outlook.com -all");
                        zone.AddTxt(d, "MS=ms" + (48211394 + i));
                        zone.AddTxt("_dmarc." + d, $"v=DMARC1; p=reject; rua=mailto:dmarc@{d}");
                        zone.Add("selector1._domainkey." + d, ZoneRecordType.CNAME, $"selector1-{tenant}._domainkey.{tenant}.onmicrosoft.com");
                        zone.AddTxt($"selector1-{tenant}._domainkey.{tenant}.onmicrosoft.com", key);
                        break;
                    case 1:
                        zone.Add(d, ZoneRecordType.MX, "1 aspmx.l.google.com");
                        zone.AddTxt(d, "v=spf1 include:_spf.google.com ~all");
                        zone.AddTxt("_dmarc." + d, "v=DMARC1; p=none; sp=quarantine; pct=100");
                        zone.AddTxt("google._domainkey." + d, key);
                        break;
                    case 2:
                        zone.Add(d, ZoneRecordType.MX, "10 mail." + d);
                        zone.Add("mail." + d, ZoneRecordType.A, $"185.{20 + (i % 200)}.{i % 256}.25");
                        zone.Add("mail." + d, ZoneRecordType.AAAA, $"2a01:4f8:{i:x}::25");
                        zone.AddTxt(d, "v=spf1 a:mail." + d + " mx ?all");
                        zone.AddTxt("_mta-sts." + d, "v=STSv1; id=2026" + i);
                        zone.AddTxt("_smtp._tls." + d, "v=TLSRPTv1; rua=mailto:tls@" + d);
                        break;
                    case 3:
                        zone.Add(d, ZoneRecordType.MX, "10 mx." + d);
                        zone.AddTxt(d, "v=spf1 ip4:198.51.100.0/24 -all");
                        zone.AddFault("_dmarc." + d, DnsFault.ServFail);
                        break;
                    case 4:
                        // Not in the zone at all: NXDOMAIN for every question.
                        break;
                    default:
                        // SPF in two character-strings (RFC 7208 §3.3), and an explanation with quotes (§6.2).
                        zone.AddTxt(d, "v=spf1 ip4:203.0.113.0/24 ", "exp=why.%{d} -all");
                        zone.AddTxt("why." + d, "Mail for \"" + d + "\" comes only from 203.0.113.0/24 - see https://" + d + "/");
                        zone.AddTxt("_dmarc." + d, "v=DMARC1; p=bogus; rua=dmarc@" + d);
                        break;
                }
            }

            return domains;
        }

        private static DnsResolver NewResolver(LoopbackDnsServer server, bool useCache = true) => new DnsResolver(new DnsResolverOptions
        {
            Servers = new[] { server.EndPoint },
            Timeout = TimeSpan.FromSeconds(2),
            Retries = 1,
            UseCache = useCache,
        });

        private static DomainReportOptions Options() => new DomainReportOptions { MtaSts = new MtaStsOptions { FetchPolicy = false } };

        // The values a CSV row holds (the report's public scalar and text properties), time columns aside.
        private static string Row(object report)
        {
            return string.Join("|", report.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetIndexParameters().Length == 0 && !p.Name.Contains("Elapsed") && !p.Name.EndsWith("At", StringComparison.Ordinal))
                .OrderBy(p => p.Name, StringComparer.Ordinal)
                .Select(p => p.Name + "=" + p.GetValue(report)));
        }

        [Fact]
        public async Task A_recorded_audit_replays_offline_to_the_same_rows_and_sends_nothing()
        {
            var zone = new DnsZone();
            List<string> domains = BuildWorld(zone, 300);
            using var server = LoopbackDnsServer.Start(zone);
            string path = ArchivePath();

            var live = new List<MailDomainReport>();
            using (var resolver = NewResolver(server))
            using (DnsArchiveWriter writer = DnsArchiveWriter.Open(path))
            using (var reporter = new DomainReporter(new ArchivingDnsResolver(resolver, writer), Options()))
            {
                foreach (string d in domains)
                {
                    live.Add(await reporter.GetReportAsync(d));
                }
            }

            int queriesWhileRecording = server.QueryCount;
            DnsArchive archive = DnsArchive.Load(path);
            Assert.Empty(archive.Problems);

            var replayed = new List<MailDomainReport>();
            using (var reporter = new DomainReporter(new DnsArchiveReplayResolver(archive), Options()))
            {
                foreach (string d in domains)
                {
                    replayed.Add(await reporter.GetReportAsync(d));
                }
            }

            Assert.Equal(queriesWhileRecording, server.QueryCount);
            Assert.Equal(live.Select(Row), replayed.Select(Row));

            // The world's shapes are all there: the SERVFAIL replays as a failure, never "not found".
            MailDomainReport servfail = replayed[3];
            Assert.Contains(servfail.DnsEvidence, r => r.QueryName == "_dmarc.tenant3.example" && r.Status == "Failed" && r.ResponseCode == "ServFail");
            Assert.Equal(live[3].Dmarc!.Status, servfail.Dmarc!.Status);
            Assert.All(replayed.SelectMany(r => r.DnsEvidence), r => Assert.True(r.FromArchive));
            Assert.Equal(live.Sum(r => r.DnsEvidence.Count), replayed.Sum(r => r.DnsEvidence.Count));
        }

        [Fact]
        public async Task Spf_dmarc_and_posture_results_replay_equal_to_live_ones()
        {
            var zone = new DnsZone();
            BuildWorld(zone, 12);
            using var server = LoopbackDnsServer.Start(zone);
            string path = ArchivePath();
            var senders = new[] { ("40.107.22.41", "tenant0.example"), ("209.85.220.41", "tenant1.example"), ("185.25.2.25", "tenant2.example"), ("198.51.100.77", "tenant5.example"), ("192.0.2.1", "tenant4.example") };

            async Task<List<string>> RunAll(IDnsResolver dns)
            {
                var rows = new List<string>();
                var spf = new SpfEvaluator(dns);
                foreach ((string ip, string domain) in senders)
                {
                    SpfResult r = await spf.CheckAsync(IPAddress.Parse(ip), "bounce@" + domain, "mail." + domain);
                    rows.Add(r.Result + " " + r.Explanation + " " + string.Join(",", r.Trace.Select(s => s.Term + ":" + s.Outcome)) + " " + r.DnsEvidence);
                    rows.Add(Row(await spf.GetRecordReportAsync(domain)));
                    rows.Add(Row(await new MailAuth.Dmarc.DmarcResolver(dns).ResolveAsync(new MailAuth.Dmarc.DmarcQuery(domain), new MailAuth.Dmarc.DmarcOptions())));
                    rows.Add(Row(await new MxResolver(dns).ResolveAsync(domain, true)));
                    rows.Add(Row(await new DkimRecordResolver(dns).ResolveAsync(domain, new[] { "selector1", "google" })));
                    rows.Add(Row(await new TlsRptResolver(dns).ResolveAsync(domain)));
                    rows.Add(Row(await new BimiResolver(dns).ResolveAsync(domain)));
                    using var sts = new MtaStsResolver(dns, new MtaStsOptions { FetchPolicy = false });
                    rows.Add(Row(await sts.ResolveAsync(domain)));
                }

                return rows;
            }

            List<string> live;
            using (var resolver = NewResolver(server, useCache: false))
            using (DnsArchiveWriter writer = DnsArchiveWriter.Open(path))
            {
                live = await RunAll(new ArchivingDnsResolver(resolver, writer));
            }

            int before = server.QueryCount;
            List<string> replayed = await RunAll(new DnsArchiveReplayResolver(DnsArchive.Load(path)));
            Assert.Equal(before, server.QueryCount);
            for (int i = 0; i < live.Count; i++)
            {
                Assert.Equal(live[i], replayed[i]);
            }
            Assert.Contains(live, row => row.StartsWith("Pass ", StringComparison.Ordinal));
            Assert.Contains(live, row => row.StartsWith("Fail Mail for \"tenant5.example\"", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Evidence_lists_every_answer_a_result_used_with_its_ttl_server_and_time()
        {
            var zone = new DnsZone().AddTxt("example.com", "v=spf1 include:_spf.example.net -all").AddTxt("_spf.example.net", "v=spf1 ip4:192.0.2.0/24 -all");
            using var server = LoopbackDnsServer.Start(zone);
            using var resolver = NewResolver(server);
            DateTimeOffset before = DateTimeOffset.UtcNow.AddSeconds(-1);

            SpfResult first = await new SpfEvaluator(resolver).CheckAsync(IPAddress.Parse("192.0.2.10"), "a@example.com", null);
            SpfResult second = await new SpfEvaluator(resolver).CheckAsync(IPAddress.Parse("192.0.2.10"), "a@example.com", null);

            Assert.Equal(new[] { "TXT example.com", "TXT _spf.example.net" }, first.DnsEvidence.Select(r => r.QueryType + " " + r.QueryName));
            Assert.All(first.DnsEvidence, r =>
            {
                Assert.Equal(server.Address, r.Server);
                Assert.Equal("NoError", r.ResponseCode);
                Assert.Equal(300, r.Records[0].Ttl);
                Assert.False(r.FromCache);
                Assert.InRange(r.AskedAt, before, DateTimeOffset.UtcNow);
            });

            // The cached copy says so, and keeps the time the question went on the wire.
            Assert.All(second.DnsEvidence, r => Assert.True(r.FromCache));
            Assert.Equal(first.DnsEvidence[0].AskedAt, second.DnsEvidence[0].AskedAt);
            Assert.Equal("2 queries: 2 found", first.DnsEvidence.ToString());
        }

        [Fact]
        public async Task A_question_the_archive_lacks_is_a_failed_lookup_that_says_so()
        {
            string path = ArchivePath();
            File.WriteAllText(path, string.Empty);
            var replay = new DnsArchiveReplayResolver(DnsArchive.Load(path));

            DnsResponse r = await replay.QueryAsync("_dmarc.Contoso.com.", DnsRecordType.TXT);

            Assert.Equal(DnsLookupStatus.Failed, r.StatusCode);
            Assert.Equal("NotInArchive", r.ResponseCode);
            Assert.StartsWith("not in the DNS archive: TXT _dmarc.Contoso.com was not recorded", r.Error, StringComparison.Ordinal);
            MailAuth.Dmarc.DmarcPolicy policy = await new MailAuth.Dmarc.DmarcResolver(replay).ResolveAsync(new MailAuth.Dmarc.DmarcQuery("contoso.com"), new MailAuth.Dmarc.DmarcOptions());
            Assert.NotEqual("NotFound", policy.Status);
        }

        [Fact]
        public async Task Recorded_timeouts_and_servfails_replay_as_the_same_failures_and_ttls_do_not_expire()
        {
            var zone = new DnsZone()
                .Add("slow.example", ZoneRecordType.A, "192.0.2.1").AddFault("slow.example", DnsFault.Timeout)
                .AddFault("broken.example", DnsFault.ServFail)
                .Add("short.example", ZoneRecordType.A, "192.0.2.7", ttl: 1);
            using var server = LoopbackDnsServer.Start(zone);
            string path = ArchivePath();
            using (var resolver = new DnsResolver(new DnsResolverOptions { Servers = new[] { server.EndPoint }, Timeout = TimeSpan.FromMilliseconds(300), Retries = 0 }))
            using (DnsArchiveWriter writer = DnsArchiveWriter.Open(path))
            {
                var archiving = new ArchivingDnsResolver(resolver, writer);
                Assert.Equal("Timeout", (await archiving.QueryAsync("slow.example", DnsRecordType.A)).ResponseCode);
                Assert.Equal("ServFail", (await archiving.QueryAsync("broken.example", DnsRecordType.TXT)).ResponseCode);
                Assert.Equal(DnsLookupStatus.Found, (await archiving.QueryAsync("short.example", DnsRecordType.A)).StatusCode);
            }

            await Task.Delay(1100); // past the 1 s TTL
            var replay = new DnsArchiveReplayResolver(DnsArchive.Load(path));
            DnsResponse slow = await replay.QueryAsync("slow.example", DnsRecordType.A);
            DnsResponse broken = await replay.QueryAsync("broken.example", DnsRecordType.TXT);
            DnsResponse shortLived = await replay.QueryAsync("SHORT.example", DnsRecordType.A);

            Assert.Equal((DnsLookupStatus.Failed, "Timeout"), (slow.StatusCode, slow.ResponseCode));
            Assert.Equal((DnsLookupStatus.Failed, "ServFail"), (broken.StatusCode, broken.ResponseCode));
            Assert.Equal("192.0.2.7", Assert.Single(shortLived.Records).Address);
            Assert.Equal(1, shortLived.Records[0].Ttl);
            Assert.True(shortLived.FromArchive);
        }

        [Fact]
        public void A_line_cut_off_mid_write_loses_only_that_line_and_says_so()
        {
            string path = ArchivePath();
            using (DnsArchiveWriter writer = DnsArchiveWriter.Open(path))
            {
                for (int i = 0; i < 5; i++)
                {
                    writer.Add(Response($"d{i}.example", DnsRecordType.TXT, "v=spf1 -all"));
                }
            }

            string text = File.ReadAllText(path);
            File.WriteAllText(path, text.Substring(0, text.Length - 30)); // a run killed mid-line

            DnsArchive archive = DnsArchive.Load(path);

            Assert.Equal(4, archive.Responses.Count);
            string problem = Assert.Single(archive.Problems);
            Assert.StartsWith("line 5: incomplete, skipped", problem, StringComparison.Ordinal);
        }

        [Fact]
        public void Lines_of_another_version_or_not_json_are_skipped_by_number_and_the_rest_read()
        {
            string path = ArchivePath();
            string good = DnsArchiveFormat.ToLine(Response("ok.example", DnsRecordType.TXT, "hello"));
            File.WriteAllText(path, string.Join("\n", "{\"v\":2,\"name\":\"x\"}", "not json", good.Replace("\"status\":\"Found\"", "\"status\":\"Maybe\""), good, "") );

            DnsArchive archive = DnsArchive.Load(path);

            Assert.Single(archive.Responses);
            Assert.Equal(3, archive.Problems.Count);
            Assert.Contains("format version 2", archive.Problems[0], StringComparison.Ordinal);
            Assert.StartsWith("line 2:", archive.Problems[1], StringComparison.Ordinal);
            Assert.Contains("status 'Maybe'", archive.Problems[2], StringComparison.Ordinal);
            Assert.Throws<FileNotFoundException>(() => DnsArchive.Load(ArchivePath("missing.jsonl")));
        }

        [Fact]
        public void Any_answer_round_trips_through_a_line()
        {
            // Property test: random answers of every type the module asks for, with TXT strings
            // holding quotes, backslashes, control characters, non-ASCII and lone surrogates.
            var random = new Random(15);
            for (int n = 0; n < 2000; n++)
            {
                DnsResponse original = RandomResponse(random);
                DnsResponse back = DnsArchiveFormat.FromLine(DnsArchiveFormat.ToLine(original));

                Assert.Equal(original.QueryName, back.QueryName);
                Assert.Equal(original.QueryType, back.QueryType);
                Assert.Equal(original.Status, back.Status);
                Assert.Equal(original.ResponseCode, back.ResponseCode);
                Assert.Equal(original.Server, back.Server);
                Assert.Equal(original.Error, back.Error);
                Assert.Equal(original.UsedTcp, back.UsedTcp);
                Assert.Equal(original.CanonicalNames, back.CanonicalNames);
                Assert.Equal(original.AskedAt.ToUnixTimeMilliseconds(), back.AskedAt.ToUnixTimeMilliseconds());
                Assert.Equal(original.Records.Select(r => (r.Name, r.Type, r.Ttl, r.Data, r.TextStrings, r.Address, r.Target, r.Preference)),
                    back.Records.Select(r => (r.Name, r.Type, r.Ttl, r.Data, r.TextStrings, r.Address, r.Target, r.Preference)));
                Assert.Equal(DnsArchiveFormat.ContentKey(original), DnsArchiveFormat.ContentKey(back));
                Assert.DoesNotContain('\n', DnsArchiveFormat.ToLine(original));
            }
        }

        [Fact]
        public async Task An_answer_already_archived_is_not_written_again_a_changed_one_is()
        {
            var zone = new DnsZone().AddTxt("example.com", "v=spf1 -all");
            using var server = LoopbackDnsServer.Start(zone);
            string path = ArchivePath();
            using (var resolver = NewResolver(server))
            using (DnsArchiveWriter writer = DnsArchiveWriter.Open(path))
            {
                var archiving = new ArchivingDnsResolver(resolver, writer);
                await archiving.QueryAsync("example.com", DnsRecordType.TXT);
                await archiving.QueryAsync("example.com", DnsRecordType.TXT); // the cached copy, its TTL counting down
            }

            Assert.Single(File.ReadAllLines(path));

            // A second run into the same file, after the record changed.
            zone.Remove("example.com", ZoneRecordType.TXT);
            zone.AddTxt("example.com", "v=spf1 mx -all");
            using (var resolver = NewResolver(server, useCache: false))
            using (DnsArchiveWriter writer = DnsArchiveWriter.Open(path))
            {
                var archiving = new ArchivingDnsResolver(resolver, writer);
                await archiving.QueryAsync("example.com", DnsRecordType.TXT);
            }

            Assert.Equal(2, File.ReadAllLines(path).Length);
            DnsArchive archive = DnsArchive.Load(path);
            Assert.True(archive.TryGet("example.com", DnsRecordType.TXT, out DnsResponse latest));
            Assert.Equal("v=spf1 mx -all", latest.Texts.Single());
        }

        [Fact]
        public void Concurrent_answers_become_whole_lines_and_another_process_lock_is_waited_for()
        {
            string path = ArchivePath();
            DnsArchiveWriter writer = DnsArchiveWriter.Open(path);
            Parallel.For(0, 8, t =>
            {
                for (int i = 0; i < 500; i++)
                {
                    writer.Add(Response($"d{t}-{i}.example", DnsRecordType.TXT, new string('x', i % 300)));
                }
            });

            // Another process appending holds the file exclusively; the writer waits its turn.
            Task flushed;
            using (new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None))
            {
                writer.Add(Response("late.example", DnsRecordType.A, "192.0.2.9"));
                flushed = Task.Run(writer.Flush);
                Thread.Sleep(300);
                Assert.False(flushed.IsCompleted);
            }

            Assert.True(flushed.Wait(TimeSpan.FromSeconds(10)));
            writer.Dispose();
            DnsArchive archive = DnsArchive.Load(path);
            Assert.Empty(archive.Problems);
            Assert.Equal(4001, archive.Responses.Count);
            Assert.Equal(4001, archive.Responses.Select(r => r.QueryName).Distinct().Count());
        }

        private static DnsResponse Response(string name, DnsRecordType type, string data)
        {
            DnsRecord record = type == DnsRecordType.TXT
                ? new DnsRecord(name, type, 300, data, new[] { data })
                : new DnsRecord(name, type, 300, data, null, IPAddress.Parse(data));
            return new DnsResponse(name, type, DnsLookupStatus.Found, "NoError", new[] { record }, "127.0.0.1:53", 1.5, false, null);
        }

        private static DnsResponse RandomResponse(Random random)
        {
            DnsRecordType[] types = { DnsRecordType.A, DnsRecordType.AAAA, DnsRecordType.MX, DnsRecordType.TXT, DnsRecordType.PTR, DnsRecordType.CNAME, DnsRecordType.NS, DnsRecordType.SPF };
            DnsRecordType type = types[random.Next(types.Length)];
            string name = RandomLabel(random) + "." + RandomLabel(random) + ".example";
            int kind = random.Next(4);
            if (kind == 0)
            {
                string[] codes = { "ServFail", "Refused", "Timeout", "NetworkError", "Malformed" };
                return new DnsResponse(name, type, DnsLookupStatus.Failed, codes[random.Next(codes.Length)], Array.Empty<DnsRecord>(),
                    "[::1]:" + random.Next(1, 65536), random.NextDouble() * 3000, false, "the server said \"no\"\t" + RandomText(random), null, random.Next(2) == 0);
            }

            if (kind == 1)
            {
                return new DnsResponse(name, type, DnsLookupStatus.NotFound, random.Next(2) == 0 ? "NXDomain" : "NoError", Array.Empty<DnsRecord>(), "127.0.0.1:53", 2, false, null);
            }

            var records = new List<DnsRecord>();
            for (int i = random.Next(1, 4); i > 0; i--)
            {
                int ttl = random.Next(0, int.MaxValue);
                switch (type)
                {
                    case DnsRecordType.A:
                        var v4 = new IPAddress(BitConverter.GetBytes(random.Next()));
                        records.Add(new DnsRecord(name, type, ttl, v4.ToString(), null, v4));
                        break;
                    case DnsRecordType.AAAA:
                        byte[] bytes = new byte[16];
                        random.NextBytes(bytes);
                        var v6 = new IPAddress(bytes);
                        records.Add(new DnsRecord(name, type, ttl, v6.ToString(), null, v6));
                        break;
                    case DnsRecordType.MX:
                        int preference = random.Next(0, 65536);
                        string exchange = RandomLabel(random) + ".example";
                        records.Add(new DnsRecord(name, type, ttl, preference + " " + exchange, null, null, exchange, preference));
                        break;
                    case DnsRecordType.TXT:
                    case DnsRecordType.SPF:
                        string[] strings = Enumerable.Range(0, random.Next(1, 4)).Select(_ => RandomText(random)).ToArray();
                        records.Add(new DnsRecord(name, type, ttl, string.Concat(strings), strings));
                        break;
                    default:
                        string target = RandomLabel(random) + ".example";
                        records.Add(new DnsRecord(name, type, ttl, target, null, null, target));
                        break;
                }
            }

            string[] chain = random.Next(3) == 0 ? new[] { RandomLabel(random) + ".cdn.example" } : Array.Empty<string>();
            return new DnsResponse(name, type, DnsLookupStatus.Found, "NoError", records, "192.0.2.53:5353", random.NextDouble() * 100, false, null, chain, random.Next(2) == 0,
                DateTimeOffset.UtcNow.AddSeconds(-random.Next(0, 10_000_000)));
        }

        private static string RandomLabel(Random random) =>
            new string(Enumerable.Range(0, random.Next(1, 20)).Select(_ => "abcdefghijklmnopqrstuvwxyz0123456789-_"[random.Next(38)]).ToArray());

        private static string RandomText(Random random)
        {
            const string pool = "v=spf1 ip4:/-all;\"\\\t\r\n\u0000\u001f\u007fé中😀\u2028";
            var b = new StringBuilder();
            for (int i = random.Next(0, 60); i > 0; i--)
            {
                b.Append(random.Next(20) == 0 ? (char)random.Next(0xD800, 0xE000) : pool[random.Next(pool.Length)]);
            }

            return b.ToString();
        }
    }
}
