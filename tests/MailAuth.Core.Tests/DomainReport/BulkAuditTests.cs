using System;
using System.Collections.Generic;
using System.Linq;
using MailAuth.Core.Tests.Posture;
using MailAuth.DomainReport;
using MailAuth.Posture;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.DomainReport
{
    public class BulkAuditTests
    {
        /// <summary>
        /// Garbled answers (a Malformed completion) while the runner asks the resolver's backpressure
        /// under its own lock: a completion run under the resolver's lock would deadlock the two.
        /// </summary>
        [Fact]
        public void Garbled_answers_with_backpressure_on_finish_every_domain()
        {
            using var dns = new PostureTestDns();
            var inputs = new List<string>();
            for (int i = 0; i < 200; i++)
            {
                string domain = $"g{i:D3}.example";
                dns.Txt(domain, "v=spf1 -all").Txt("_dmarc." + domain, "v=DMARC1; p=reject");
                if (i % 4 == 1)
                {
                    dns.Fault(domain, DnsFault.Garbage);
                }

                inputs.Add(domain);
            }

            MailAuth.Dns.DnsResolver resolver = dns.Resolver();
            using var reporter = new DomainReporter(resolver, new DomainReportOptions
            {
                Include = DomainCheck.Spf | DomainCheck.Dmarc,
                DnsBacklog = () => resolver.Backlog,
            });
            using var runner = reporter.CreateBulkRunner(throttleLimit: 1024);
            foreach (string line in inputs)
            {
                runner.Post(line);
            }

            runner.CompleteAdding();
            var done = System.Threading.Tasks.Task.Run(() => runner.TakeAll().ToList());
            Assert.True(done.Wait(TimeSpan.FromSeconds(60)), "the audit did not finish: deadlock");
            Assert.Equal(inputs, done.Result.Select(r => r.Input));
            Assert.All(done.Result.Where((r, i) => i % 4 == 1), r => Assert.Equal("LookupFailed", r.Status));
        }

        /// <summary>
        /// 300 domains over loopback; every tenth has a timeout, SERVFAIL or garbage injected, on
        /// its own name or on its _dmarc name; some lines are not domains at all. Objects out ==
        /// lines in, in input order; failures read LookupFailed, never "no record".
        /// </summary>
        [Fact]
        public void NothingIsLostAndFailuresAreNotNoRecord()
        {
            // Generous timeouts: the shared 2-core machine can hold a loopback answer back for a
            // while under this load; the scripted timeouts then cost 2 × 1.5 s each.
            using var dns = new PostureTestDns { QueryTimeout = TimeSpan.FromMilliseconds(1500) };
            dns.Add("mx.provider.example", ZoneRecordType.A, "192.0.2.25");
            var inputs = new List<string>();
            var faulted = new Dictionary<string, (DnsFault Fault, bool OnDmarc)>(StringComparer.Ordinal);
            DnsFault[] faults = { DnsFault.Timeout, DnsFault.ServFail, DnsFault.Garbage };
            for (int i = 0; i < 300; i++)
            {
                string domain = $"d{i:D3}.example";
                dns.Add(domain, ZoneRecordType.MX, "10 mx.provider.example")
                    .Txt(domain, "v=spf1 mx -all")
                    .Txt("_dmarc." + domain, "v=DMARC1; p=quarantine");
                if (i % 10 == 3)
                {
                    DnsFault fault = faults[(i / 10) % 3];
                    bool onDmarc = (i / 10) % 2 == 0;
                    dns.Fault(onDmarc ? "_dmarc." + domain : domain, fault);
                    faulted[domain] = (fault, onDmarc);
                }

                // Bad lines among the good ones (they count as inputs too).
                inputs.Add(i % 50 == 7 ? $"not a domain {i}" : i % 50 == 8 ? "https://" + domain.ToUpperInvariant() + "/x" : domain);
            }

            using var reporter = new DomainReporter(dns.Resolver(), new DomainReportOptions
            {
                Include = DomainCheck.Mx | DomainCheck.Spf | DomainCheck.Dmarc | DomainCheck.Dkim | DomainCheck.TlsRpt,
                DkimSelectors = new[] { "s1" },
                TimeBudget = TimeSpan.FromSeconds(20),
            });
            using var runner = reporter.CreateBulkRunner(throttleLimit: 16);
            var output = new List<MailDomainReport>();
            foreach (string line in inputs)
            {
                runner.Post(line);
                while (runner.TryTakeNext(out MailDomainReport ready))
                {
                    output.Add(ready);
                }
            }

            runner.CompleteAdding();
            output.AddRange(runner.TakeAll());

            Assert.Equal(inputs.Count, output.Count);
            Assert.Equal(inputs, output.Select(r => r.Input));
            for (int i = 0; i < output.Count; i++)
            {
                MailDomainReport report = output[i];
                string domain = $"d{i:D3}.example";
                if (inputs[i].StartsWith("not a domain", StringComparison.Ordinal))
                {
                    Assert.Equal(DomainReportStatus.InvalidInput, report.StatusCode);
                    Assert.False(string.IsNullOrEmpty(report.ErrorMessage));
                    continue;
                }

                Assert.Equal(domain, report.Domain);
                if (faulted.TryGetValue(domain, out var fault))
                {
                    Assert.True(report.StatusCode == DomainReportStatus.LookupFailed, $"{domain} ({fault.Fault} on {(fault.OnDmarc ? "_dmarc" : "apex")}): {report.StatusCode}");
                    Assert.False(string.IsNullOrEmpty(report.ErrorMessage));
                    Assert.Null(report.GradeCode);
                    if (fault.OnDmarc)
                    {
                        Assert.Equal("LookupFailed", report.DmarcStatus);
                    }
                    else
                    {
                        Assert.Equal("LookupFailed", report.MxStatus);
                        Assert.Equal("LookupFailed", report.SpfStatus);
                        Assert.DoesNotContain(report.Findings, f => f.Id == "MX-NONE" || f.Id == "SPF-NO-RECORD");
                    }

                    Assert.DoesNotContain(report.Findings, f => f.Id.StartsWith("DMARC", StringComparison.Ordinal) && f.Id.EndsWith("NOT-FOUND", StringComparison.Ordinal));
                }
                else
                {
                    Assert.True(report.StatusCode != DomainReportStatus.LookupFailed, $"{domain}: {report.ErrorMessage}");
                    Assert.Equal("Found", report.DmarcStatus);
                    Assert.Equal("10 mx.provider.example", report.MxHosts);
                    Assert.NotNull(report.GradeCode);
                }
            }

            Assert.Equal(300, runner.Completed);
        }
    
        [Fact]
        public void DuplicatesAreReportedAgainWithANote()
        {
            using var dns = new PostureTestDns()
                .Add("a.example", ZoneRecordType.MX, "0 .")
                .Add("b.example", ZoneRecordType.MX, "0 .");
            using var reporter = new DomainReporter(dns.Resolver(), new DomainReportOptions { Include = DomainCheck.Mx });
            using DomainAuditRunner runner = reporter.CreateBulkRunner(4);
            foreach (string line in new[] { "a.example", "b.example", "A.example.", "mailto@a.example", "b.example" })
            {
                runner.Post(line);
            }

            runner.CompleteAdding();
            var reports = runner.TakeAll().ToList();

            Assert.Equal(5, reports.Count);
            Assert.Null(reports[0].InputNote);
            Assert.Null(reports[1].InputNote);
            // A trailing dot is the same name (RFC 1034 §3.1): no note of its own.
            Assert.Equal("duplicate of input 1", reports[2].InputNote);
            Assert.Equal("taken as the domain of the address mailto@a.example; duplicate of input 1", reports[3].InputNote);
            Assert.Equal("duplicate of input 2", reports[4].InputNote);
            Assert.All(reports, r => Assert.True(r.NullMx));
            Assert.Equal(1, dns.Queries.Count(q => q == "MX a.example")); // the cache answers the repeats
        }

        [Fact]
        public void CancelledAuditStillYieldsOneRowPerInput()
        {
            using var dns = new PostureTestDns();
            for (int i = 0; i < 20; i++)
            {
                dns.Add($"s{i}.example", ZoneRecordType.MX, "10 mx.example.net");
                dns.Zone.SetLatency($"s{i}.example", TimeSpan.FromSeconds(2));
            }

            using var cts = new System.Threading.CancellationTokenSource();
            using var reporter = new DomainReporter(dns.Resolver(), new DomainReportOptions { Include = DomainCheck.Mx });
            using DomainAuditRunner runner = reporter.CreateBulkRunner(4, cts.Token);
            for (int i = 0; i < 20; i++)
            {
                runner.Post($"s{i}.example");
            }

            runner.Post("not valid!");
            runner.CompleteAdding();
            cts.CancelAfter(200);
            var reports = runner.TakeAll().ToList();

            Assert.Equal(21, reports.Count);
            Assert.All(reports.Take(20), r =>
            {
                Assert.Equal(DomainReportStatus.LookupFailed, r.StatusCode);
                Assert.Contains("cancelled", r.ErrorMessage);
            });
            Assert.Equal(DomainReportStatus.InvalidInput, reports[20].StatusCode);
        }
    }
}
