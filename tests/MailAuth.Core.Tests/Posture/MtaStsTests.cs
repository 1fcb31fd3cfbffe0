using System;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Names;
using MailAuth.Posture;
using MailAuth.Testing.Dns;
using MailAuth.Testing.Http;

namespace MailAuth.Core.Tests.Posture
{
    public class MtaStsTests
    {
        private const string Host = "mta-sts.example.com";
        private const string Path = "/.well-known/mta-sts.txt";

        private const string GoodPolicy = "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: *.mail.example.net\nmax_age: 604800\n";

        /// <summary>The TXT record, two MX hosts and the policy host's address, served over loopback.</summary>
        private static PostureTestDns Zone(bool policyHostAddress = true)
        {
            var dns = new PostureTestDns()
                .Txt("_mta-sts.example.com", "v=STSv1; id=20240101T000000")
                .Add("example.com", ZoneRecordType.MX, "10 mx1.example.com")
                .Add("example.com", ZoneRecordType.MX, "20 backup.mail.example.net");
            return policyHostAddress ? dns.Add(Host, ZoneRecordType.A, "127.0.0.1") : dns;
        }

        /// <summary>Fetch from the local server's port, trusting its self-signed certificate (and nothing else).</summary>
        private static MtaStsOptions Trusting(LoopbackHttpsServer https) => new MtaStsOptions
        {
            PolicyPort = https.Port,
            ServerCertificateValidation = MtaStsOptions.TrustCertificate(https.Thumbprint),
        };

        private static string FetchFailure(MtaStsReport report)
        {
            Assert.Equal(PostureStatus.Found, report.StatusCode);
            Assert.Equal(MtaStsFetchStatus.Failed, report.FetchStatusCode);
            Assert.Null(report.Policy);
            Assert.Null(report.MxMatch);
            Assert.NotNull(report.FetchError);
            Finding finding = Assert.Single(report.Findings, f => f.Id == "MTASTS-POLICY-FETCH-FAILED");
            Assert.Equal(FindingSeverity.Error, finding.SeverityCode);
            Assert.Contains(report.FetchError!, finding.Message, StringComparison.Ordinal);
            return report.FetchError!;
        }

        [Fact]
        public async Task PolicyIsFetchedOverHttpsAndMxHostsMatch()
        {
            using var dns = Zone();
            using var https = new LoopbackHttpsServer(Host);
            https.Serve(Host, Path, new HttpAnswer { Body = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: *.mail.example.net\r\nmax_age: 604800\r\n" });
            using var resolver = new MtaStsResolver(dns.Resolver(), Trusting(https));

            MtaStsReport report = await resolver.ResolveAsync("example.com");

            Assert.Equal(PostureStatus.Found, report.StatusCode);
            Assert.True(report.IsRecordValid);
            Assert.Equal("20240101T000000", report.Id);
            Assert.Equal(MtaStsFetchStatus.Fetched, report.FetchStatusCode);
            Assert.Null(report.FetchError);
            Assert.Equal("https://mta-sts.example.com/.well-known/mta-sts.txt", report.PolicyUrl);
            Assert.Equal(MtaStsMode.Enforce, report.ModeCode);
            Assert.Equal(604800, report.MaxAge);
            Assert.Equal("mx1.example.com;*.mail.example.net", report.MxPatternText);
            Assert.Equal(new[] { "mx1.example.com", "backup.mail.example.net" }, report.MxHosts);
            Assert.True(report.MxMatch);
            Assert.True(report.Policy!.IsValid);
            Assert.Empty(report.Findings);

            // RFC 8461 §3.3 / RFC 2818: one GET of the well-known path (§3.2), SNI and Host naming
            // the policy host; the port is in Host because it is not 443 (RFC 7230 §5.4).
            ServedRequest request = Assert.Single(https.Requests);
            Assert.Equal("GET /.well-known/mta-sts.txt HTTP/1.1", request.RequestLine);
            Assert.Equal(Host, request.ServerName);
            Assert.Equal(Host + ":" + https.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), request.Host);
        }

        [Fact]
        public async Task PolicyHostIsLookedUpThroughTheResolverOfTheReport()
        {
            using var dns = Zone();
            using var https = new LoopbackHttpsServer(Host);
            https.Serve(Host, Path, new HttpAnswer { Body = GoodPolicy });
            var recorder = new RecordingDnsResolver(dns.Resolver());
            using var resolver = new MtaStsResolver(dns.Resolver(), Trusting(https));

            MtaStsReport report = await resolver.ResolveAsync(recorder, "example.com", null, default);

            Assert.Equal(MtaStsFetchStatus.Fetched, report.FetchStatusCode);
            // The loopback server was asked (no system resolver knows mta-sts.example.com here),
            // and the queries went through the resolver handed in, so they are in its trace.
            Assert.Contains("A mta-sts.example.com", dns.Queries);
            Assert.Contains("AAAA mta-sts.example.com", dns.Queries);
            Assert.Contains(recorder.Responses, r => r.QueryTypeCode == DnsRecordType.A && r.QueryName == Host);
            Assert.Contains(recorder.Responses, r => r.QueryTypeCode == DnsRecordType.AAAA && r.QueryName == Host);
        }

        [Fact]
        public async Task PolicyHostBehindACnameIsFetchedWithTheCertificateOfThePolicyHost()
        {
            using var dns = Zone(policyHostAddress: false)
                .Add(Host, ZoneRecordType.CNAME, "sts.provider.example.net")
                .Add("sts.provider.example.net", ZoneRecordType.A, "127.0.0.1");
            using var https = new LoopbackHttpsServer(Host);
            https.Serve(Host, Path, new HttpAnswer { Body = GoodPolicy });
            using var resolver = new MtaStsResolver(dns.Resolver(), Trusting(https));

            MtaStsReport report = await resolver.ResolveAsync("example.com");

            // RFC 8461 §3.3: the certificate must be valid for mta-sts.example.com, whatever the
            // alias points to; SNI and Host keep the policy host's name.
            Assert.Equal(MtaStsFetchStatus.Fetched, report.FetchStatusCode);
            ServedRequest request = Assert.Single(https.Requests);
            Assert.Equal(Host, request.ServerName);
            Assert.StartsWith(Host + ":", request.Host, StringComparison.Ordinal);
        }

        [Fact]
        public async Task UntrustedCertificateFailsTheFetchByDefault()
        {
            using var dns = Zone();
            using var https = new LoopbackHttpsServer(Host);
            https.Serve(Host, Path, new HttpAnswer { Body = GoodPolicy });
            using var resolver = new MtaStsResolver(dns.Resolver(), new MtaStsOptions { PolicyPort = https.Port });

            string error = FetchFailure(await resolver.ResolveAsync("example.com"));

            // RFC 8461 §3.3: the certificate must chain to a trusted root; a self-signed one does not.
            Assert.Contains("certificate of mta-sts.example.com", error, StringComparison.Ordinal);
            Assert.Contains("chain", error, StringComparison.Ordinal);
            Assert.Equal(0, https.RequestCount); // nothing is asked over an unverified connection
        }

        [Fact]
        public async Task CertificateForAnotherNameFailsEvenWhenItsChainIsTrusted()
        {
            using var dns = Zone();
            using var https = new LoopbackHttpsServer("www.example.org");
            https.Serve(Host, Path, new HttpAnswer { Body = GoodPolicy });
            using var resolver = new MtaStsResolver(dns.Resolver(), Trusting(https));

            string error = FetchFailure(await resolver.ResolveAsync("example.com"));

            // RFC 8461 §3.3: valid for the "mta-sts" DNS-ID (RFC 6125), here mta-sts.example.com.
            Assert.Contains("not valid for mta-sts.example.com", error, StringComparison.Ordinal);
            Assert.Contains("www.example.org", error, StringComparison.Ordinal);
            Assert.Equal(0, https.RequestCount);
        }

        [Fact]
        public async Task WildcardCertificateCoversThePolicyHost()
        {
            using var dns = Zone();
            using var https = new LoopbackHttpsServer("*.example.com");
            https.Serve(Host, Path, new HttpAnswer { Body = GoodPolicy });
            using var resolver = new MtaStsResolver(dns.Resolver(), Trusting(https));

            MtaStsReport report = await resolver.ResolveAsync("example.com");

            // RFC 8461 §3.3: '*' may be the complete left-most label of the DNS-ID.
            Assert.Equal(MtaStsFetchStatus.Fetched, report.FetchStatusCode);
        }

        [Theory]
        [InlineData(DnsFault.ServFail, null)]
        [InlineData(DnsFault.Timeout, null)]
        [InlineData(DnsFault.Refused, null)]
        [InlineData(DnsFault.ServFail, ZoneRecordType.A)] // AAAA: no data; A unknown
        public async Task FailedLookupOfThePolicyHostIsAFetchFailureSayingSo(DnsFault fault, ZoneRecordType? type)
        {
            using var dns = Zone(policyHostAddress: false).Fault(Host, fault, type);
            if (type != null)
            {
                dns.Txt(Host, "the name exists");
            }

            using var https = new LoopbackHttpsServer(Host);
            using var resolver = new MtaStsResolver(dns.Resolver(), Trusting(https));

            string error = FetchFailure(await resolver.ResolveAsync("example.com"));

            // The TXT record was found (§3.1): without an answer for the policy host the policy is
            // unknown, which is not the same as having none.
            Assert.Contains("address lookup of mta-sts.example.com failed", error, StringComparison.Ordinal);
            Assert.DoesNotContain("no address", error, StringComparison.Ordinal);
            Assert.Equal(0, https.ConnectionCount);
        }

        [Theory]
        [InlineData(false, "NXDOMAIN")]
        [InlineData(true, "no A or AAAA records")]
        public async Task PolicyHostWithoutAddressesHasNoAddress(bool nameExists, string why)
        {
            using var dns = Zone(policyHostAddress: false);
            if (nameExists)
            {
                dns.Txt(Host, "not an address");
            }

            using var resolver = new MtaStsResolver(dns.Resolver(), new MtaStsOptions { PolicyPort = 1 });

            string error = FetchFailure(await resolver.ResolveAsync("example.com"));

            Assert.Equal($"mta-sts.example.com has no address ({why}).", error);
        }

        [Theory]
        [InlineData(301)]
        [InlineData(302)]
        [InlineData(307)]
        [InlineData(308)]
        public async Task RedirectsAreRefusedNamingTheLocation(int status)
        {
            using var dns = Zone();
            using var https = new LoopbackHttpsServer(Host);
            https.Serve(Host, Path, new HttpAnswer { Status = status, Location = "https://elsewhere.example/policy", Body = GoodPolicy });
            using var resolver = new MtaStsResolver(dns.Resolver(), Trusting(https));

            string error = FetchFailure(await resolver.ResolveAsync("example.com"));

            // RFC 8461 §3.3: "HTTP 3xx redirects MUST NOT be followed".
            Assert.Contains("HTTP " + status.ToString(System.Globalization.CultureInfo.InvariantCulture), error, StringComparison.Ordinal);
            Assert.Contains("https://elsewhere.example/policy", error, StringComparison.Ordinal);
            Assert.Equal(1, https.RequestCount);
            Assert.DoesNotContain(dns.Queries, q => q.EndsWith(" elsewhere.example", StringComparison.Ordinal));
        }

        [Theory]
        [InlineData(404)]
        [InlineData(204)]
        [InlineData(500)]
        public async Task OnlyStatus200IsAPolicy(int status)
        {
            using var dns = Zone();
            using var https = new LoopbackHttpsServer(Host);
            https.Serve(Host, Path, new HttpAnswer { Status = status, Body = GoodPolicy });
            using var resolver = new MtaStsResolver(dns.Resolver(), Trusting(https));

            string error = FetchFailure(await resolver.ResolveAsync("example.com"));

            // RFC 8461 §3.3: policies are "only valid if the HTTP response code is 200 (OK)".
            Assert.StartsWith("HTTP " + status.ToString(System.Globalization.CultureInfo.InvariantCulture), error, StringComparison.Ordinal);
        }

        [Fact]
        public async Task UnknownPathIs404()
        {
            using var dns = Zone();
            using var https = new LoopbackHttpsServer(Host);
            using var resolver = new MtaStsResolver(dns.Resolver(), Trusting(https));

            string error = FetchFailure(await resolver.ResolveAsync("example.com"));

            Assert.StartsWith("HTTP 404", error, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData(HttpBodyFraming.ContentLength)]
        [InlineData(HttpBodyFraming.Chunked)]
        [InlineData(HttpBodyFraming.CloseDelimited)]
        public async Task EveryBodyFramingIsRead(HttpBodyFraming framing)
        {
            using var dns = Zone();
            using var https = new LoopbackHttpsServer(Host);
            https.Serve(Host, Path, new HttpAnswer { Body = GoodPolicy, Framing = framing, ChunkSize = 7 });
            using var resolver = new MtaStsResolver(dns.Resolver(), Trusting(https));

            MtaStsReport report = await resolver.ResolveAsync("example.com");

            Assert.True(report.FetchStatusCode == MtaStsFetchStatus.Fetched, report.FetchError);
            Assert.Equal(GoodPolicy, report.Policy!.Text);
            Assert.Equal(MtaStsMode.Enforce, report.ModeCode);
            Assert.Equal(604800, report.MaxAge);
            Assert.True(report.MxMatch);
        }

        [Theory]
        [InlineData(HttpBodyFraming.ContentLength)]
        [InlineData(HttpBodyFraming.Chunked)]
        [InlineData(HttpBodyFraming.CloseDelimited)]
        public async Task PolicyOverTheSizeCapFailsAndOneAtTheCapIsRead(HttpBodyFraming framing)
        {
            using var dns = Zone();
            using var https = new LoopbackHttpsServer(Host);
            https.Serve(Host, Path, new HttpAnswer { Body = GoodPolicy, Framing = framing, ChunkSize = 10 });
            int size = System.Text.Encoding.UTF8.GetByteCount(GoodPolicy);
            using var atCap = new MtaStsResolver(dns.Resolver(), new MtaStsOptions { PolicyPort = https.Port, ServerCertificateValidation = MtaStsOptions.TrustCertificate(https.Thumbprint), MaxPolicyBytes = size });
            using var belowCap = new MtaStsResolver(dns.Resolver(), new MtaStsOptions { PolicyPort = https.Port, ServerCertificateValidation = MtaStsOptions.TrustCertificate(https.Thumbprint), MaxPolicyBytes = size - 1 });

            MtaStsReport fits = await atCap.ResolveAsync("example.com");
            Assert.True(fits.FetchStatusCode == MtaStsFetchStatus.Fetched, fits.FetchError);

            // RFC 8461 §3.3: senders may limit the body size (64 KiB suggested, the default here).
            string error = FetchFailure(await belowCap.ResolveAsync("example.com"));
            Assert.Equal($"The policy is larger than {size - 1} bytes.", error);
            Assert.Equal(64 * 1024, new MtaStsOptions().MaxPolicyBytes);
        }

        [Theory]
        // RFC 7231 §6.2: an interim 1xx answer is followed by the final one.
        [InlineData("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 88\r\n\r\n" + GoodPolicy, null)]
        // RFC 7230 §3.3.3: Transfer-Encoding wins over Content-Length.
        [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n58\r\n" + GoodPolicy + "\r\n0\r\n\r\n", null)]
        // RFC 7230 §3.3.3: fewer bytes than Content-Length announced is an incomplete message.
        [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\nversion: STSv1\n", "closed after 15 of the 500 bytes")]
        // RFC 7230 §3.3.2: differing Content-Length values are an error.
        [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nx", "invalid Content-Length")]
        // RFC 7230 §4.1: chunk-size is hexadecimal.
        [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "invalid chunk size")]
        [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nversion", "inside a chunk")]
        // We send no Accept-Encoding, so a coded body is not what was asked for.
        [InlineData("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc", "Content-Encoding gzip")]
        [InlineData("SSH-2.0-OpenSSH_9.6\r\n", "did not answer with HTTP/1.x")]
        [InlineData("", "without an HTTP answer")]
        public async Task MessagesAreReadAsHttp11Says(string raw, string? expectedError)
        {
            using var dns = Zone();
            using var https = new LoopbackHttpsServer(Host);
            https.Serve(Host, Path, new HttpAnswer { Raw = raw });
            using var resolver = new MtaStsResolver(dns.Resolver(), Trusting(https));

            MtaStsReport report = await resolver.ResolveAsync("example.com");

            if (expectedError is null)
            {
                Assert.True(report.FetchStatusCode == MtaStsFetchStatus.Fetched, report.FetchError);
                Assert.Equal(MtaStsMode.Enforce, report.ModeCode);
                Assert.True(report.MxMatch);
            }
            else
            {
                Assert.Contains(expectedError, FetchFailure(report), StringComparison.Ordinal);
            }
        }

        [Fact]
        public async Task WrongContentTypeIsAWarningAndNoneIsNot()
        {
            using var dns = Zone();
            using var https = new LoopbackHttpsServer(Host);
            https.Serve(Host, Path, new HttpAnswer { ContentType = "text/html; charset=utf-8", Body = GoodPolicy });
            using var resolver = new MtaStsResolver(dns.Resolver(), Trusting(https));

            MtaStsReport html = await resolver.ResolveAsync("example.com");
            Assert.Equal(MtaStsFetchStatus.Fetched, html.FetchStatusCode);
            Assert.True(html.Policy!.IsValid);
            // RFC 8461 §3.2: the policy is text/plain.
            Assert.Contains(html.Findings, f => f.Id == "MTASTS-POLICY-MALFORMED" && f.SeverityCode == FindingSeverity.Warning && f.Message.Contains("text/html", StringComparison.Ordinal));

            https.Serve(Host, Path, new HttpAnswer { ContentType = "text/plain; charset=utf-8", Body = GoodPolicy });
            MtaStsReport plain = await resolver.ResolveAsync("example.com");
            Assert.Empty(plain.Findings);
        }

        [Fact]
        public async Task SlowServerHitsTheFetchTimeout()
        {
            using var dns = Zone();
            using var https = new LoopbackHttpsServer(Host);
            https.Serve(Host, Path, new HttpAnswer { Delay = TimeSpan.FromSeconds(5), Body = GoodPolicy });
            var options = Trusting(https);
            options.FetchTimeout = TimeSpan.FromMilliseconds(1500);
            using var resolver = new MtaStsResolver(dns.Resolver(), options);

            var watch = System.Diagnostics.Stopwatch.StartNew();
            string error = FetchFailure(await resolver.ResolveAsync("example.com"));

            Assert.True(watch.ElapsedMilliseconds < 4500, $"took {watch.ElapsedMilliseconds} ms");
            Assert.StartsWith("No complete answer within 1.5 s", error, StringComparison.Ordinal);
            Assert.Contains("127.0.0.1:" + https.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), error, StringComparison.Ordinal);
        }

        [Fact]
        public async Task CallerCancellationIsHonoured()
        {
            using var dns = Zone();
            using var https = new LoopbackHttpsServer(Host);
            https.Serve(Host, Path, new HttpAnswer { Delay = TimeSpan.FromSeconds(10), Body = GoodPolicy });
            using var resolver = new MtaStsResolver(dns.Resolver(), Trusting(https));
            using var cancel = new System.Threading.CancellationTokenSource();

            Task<MtaStsReport> running = resolver.ResolveAsync("example.com", null, cancel.Token);
            await WaitUntilAsync(() => https.RequestCount == 1);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            cancel.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
            Assert.True(watch.ElapsedMilliseconds < 3000, $"took {watch.ElapsedMilliseconds} ms");
        }

        [Fact]
        public async Task ClosedPortIsAConnectFailureNamingTheAddress()
        {
            using var dns = Zone();
            int port = LoopbackHttpsServer.GetClosedPort();
            using var resolver = new MtaStsResolver(dns.Resolver(), new MtaStsOptions { PolicyPort = port });

            string error = FetchFailure(await resolver.ResolveAsync("example.com"));

            Assert.StartsWith("Could not connect to mta-sts.example.com", error, StringComparison.Ordinal);
            Assert.Contains("127.0.0.1:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture), error, StringComparison.Ordinal);
        }

        [Fact]
        public async Task AddressesAreTriedInTurn()
        {
            // ::1 first (RFC 8305 §4 order), where nothing listens on the port; then 127.0.0.1.
            using var dns = Zone().Add(Host, ZoneRecordType.AAAA, "::1");
            using var https = new LoopbackHttpsServer(Host);
            https.Serve(Host, Path, new HttpAnswer { Body = GoodPolicy });
            using var resolver = new MtaStsResolver(dns.Resolver(), Trusting(https));

            MtaStsReport report = await resolver.ResolveAsync("example.com");

            Assert.True(report.FetchStatusCode == MtaStsFetchStatus.Fetched, report.FetchError);
            Assert.Equal(1, https.RequestCount);
        }

        [Fact]
        public async Task Ipv6AddressIsUsed()
        {
            if (!LoopbackHttpsServer.CanListenOnIPv6Loopback())
            {
                return; // no ::1 on this machine: nothing to prove here
            }

            using var dns = Zone(policyHostAddress: false).Add(Host, ZoneRecordType.AAAA, "::1");
            using var https = new LoopbackHttpsServer(System.Net.IPAddress.IPv6Loopback, Host);
            https.Serve(Host, Path, new HttpAnswer { Body = GoodPolicy });
            using var resolver = new MtaStsResolver(dns.Resolver(), Trusting(https));

            MtaStsReport report = await resolver.ResolveAsync("example.com");

            Assert.True(report.FetchStatusCode == MtaStsFetchStatus.Fetched, report.FetchError);
            Assert.StartsWith("[::1]:", Assert.Single(https.Requests).LocalEndPoint, StringComparison.Ordinal);
        }

        [Fact]
        public async Task MxHostOutsideThePatternsIsAMismatch()
        {
            using var dns = Zone();
            using var https = new LoopbackHttpsServer(Host);
            // "*.example.net" covers one label only: backup.mail.example.net does not match (RFC 8461 §4.1).
            https.Serve(Host, Path, new HttpAnswer { Body = "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: *.example.net\nmax_age: 604800\n" });
            using var resolver = new MtaStsResolver(dns.Resolver(), Trusting(https));

            MtaStsReport report = await resolver.ResolveAsync("example.com");

            Assert.False(report.MxMatch);
            Assert.Equal("backup.mail.example.net", report.UnmatchedMxText);
            Assert.Contains(report.Findings, f => f.Id == "MTASTS-MX-MISMATCH" && f.SeverityCode == FindingSeverity.Error);
        }

        [Fact]
        public async Task FetchingCanBeTurnedOff()
        {
            using var dns = Zone();
            using var https = new LoopbackHttpsServer(Host);
            var options = Trusting(https);
            options.FetchPolicy = false;
            using var resolver = new MtaStsResolver(dns.Resolver(), options);

            MtaStsReport report = await resolver.ResolveAsync("example.com");

            Assert.Equal(PostureStatus.Found, report.StatusCode);
            Assert.Equal(MtaStsFetchStatus.NotFetched, report.FetchStatusCode);
            Assert.Equal(0, https.ConnectionCount);
            Assert.DoesNotContain(dns.Queries, q => q.StartsWith("MX ", StringComparison.Ordinal));
            Assert.DoesNotContain(dns.Queries, q => q.EndsWith(" " + Host, StringComparison.Ordinal));
            Assert.Contains(report.Findings, f => f.Id == "MTASTS-NOT-FETCHED");
        }

        private static async Task WaitUntilAsync(Func<bool> condition)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (!condition())
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "condition not met in 10 s");
                await Task.Delay(20);
            }
        }

        [Theory]
        [InlineData("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", "MTASTS-MAX-AGE-INVALID")]
        [InlineData("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n", "MTASTS-MAX-AGE-INVALID")]
        [InlineData("version: STSv1\nmode: enforce\nmx: a.example\n", "MTASTS-MAX-AGE-INVALID")]
        [InlineData("version: STSv1\nmode: strict\nmx: a.example\nmax_age: 86400\n", "MTASTS-POLICY-MALFORMED")]
        [InlineData("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 86400\n", "MTASTS-POLICY-MALFORMED")]
        [InlineData("version: STSv1\nmode: enforce\nmax_age: 86400\n", "MTASTS-POLICY-NO-MX")]
        [InlineData("version: STSv1\nmode: enforce\nmx: bad host\nmax_age: 86400\n", "MTASTS-POLICY-MALFORMED")]
        [InlineData("<html>not a policy</html>", "MTASTS-POLICY-MALFORMED")]
        public void InvalidPolicies(string body, string expectedId)
        {
            MtaStsPolicy policy = MtaStsPolicy.Parse(body);
            Assert.False(policy.IsValid);
            Assert.Contains(policy.Findings, f => f.Id == expectedId && f.SeverityCode == FindingSeverity.Error);
        }

        [Fact]
        public void ModesAndMaxAgeNotes()
        {
            MtaStsPolicy testing = MtaStsPolicy.Parse("version: STSv1\nmode: testing\nmx: a.example\nmax_age: 3600\n");
            Assert.True(testing.IsValid);
            Assert.Contains(testing.Findings, f => f.Id == "MTASTS-MODE-TESTING");
            Assert.Contains(testing.Findings, f => f.Id == "MTASTS-MAX-AGE-SHORT");

            MtaStsPolicy none = MtaStsPolicy.Parse("version: STSv1\nmode: none\nmax_age: 31557600\n");
            Assert.True(none.IsValid); // mx may be absent in mode none
            Assert.Contains(none.Findings, f => f.Id == "MTASTS-MODE-NONE");
        }

        [Theory]
        [InlineData("mx.example.com", "MX.example.com.", true)]
        [InlineData("*.example.com", "mx.example.com", true)]
        [InlineData("*.example.com", "a.b.example.com", false)]
        [InlineData("*.example.com", "example.com", false)]
        [InlineData("mx.example.com", "mx2.example.com", false)]
        public void PatternMatching(string pattern, string host, bool expected)
        {
            Assert.Equal(expected, MtaStsPolicy.Matches(pattern, host));
        }

        [Theory]
        [InlineData("v=STSv1; id=", "MTASTS-ID-INVALID")]
        [InlineData("v=STSv1; id=abc-def", "MTASTS-ID-INVALID")]
        [InlineData("v=STSv1; id=123456789012345678901234567890123", "MTASTS-ID-INVALID")]
        [InlineData("v=STSv1", "MTASTS-ID-INVALID")]
        [InlineData("id=1; v=STSv1", "MTASTS-RECORD-MALFORMED")]
        public void InvalidRecords(string text, string expectedId)
        {
            MtaStsRecord record = MtaStsRecord.Parse(text);
            Assert.False(record.IsValid);
            Assert.Contains(record.Findings, f => f.Id == expectedId);
        }

        [Fact]
        public async Task TxtFailureIsLookupFailedAndTwoRecordsAreFlagged()
        {
            using var dns = new PostureTestDns()
                .Fault("_mta-sts.a.example", DnsFault.ServFail)
                .Txt("_mta-sts.b.example", "v=STSv1; id=1")
                .Txt("_mta-sts.b.example", "v=STSv1; id=2");
            using var resolver = new MtaStsResolver(dns.Resolver(), new MtaStsOptions { FetchPolicy = false });

            MtaStsReport a = await resolver.ResolveAsync("a.example");
            Assert.Equal(PostureStatus.LookupFailed, a.StatusCode);
            Assert.Contains(a.Findings, f => f.Id == "MTASTS-LOOKUP-FAILED");

            MtaStsReport b = await resolver.ResolveAsync("b.example");
            Assert.False(b.IsRecordValid);
            Assert.Contains(b.Findings, f => f.Id == "MTASTS-MULTIPLE");
        }

        [Fact]
        public async Task ArgumentsAreChecked()
        {
            using var dns = new PostureTestDns();
            Assert.Throws<ArgumentNullException>(() => new MtaStsResolver(null!));
            Assert.Throws<ArgumentOutOfRangeException>(() => new MtaStsResolver(dns.Resolver(), new MtaStsOptions { FetchTimeout = TimeSpan.Zero }));
            Assert.Throws<ArgumentOutOfRangeException>(() => new MtaStsResolver(dns.Resolver(), new MtaStsOptions { MaxPolicyBytes = 0 }));
            Assert.Throws<ArgumentOutOfRangeException>(() => new MtaStsResolver(dns.Resolver(), new MtaStsOptions { PolicyPort = 0 }));
            Assert.Throws<ArgumentOutOfRangeException>(() => new MtaStsResolver(dns.Resolver(), new MtaStsOptions { PolicyPort = 65536 }));
            Assert.ThrowsAny<ArgumentException>(() => MtaStsOptions.TrustCertificate(" "));
            Assert.Equal(443, new MtaStsOptions().PolicyPort);
            Assert.Null(new MtaStsOptions().ServerCertificateValidation);
            Assert.False(MtaStsPolicy.Matches(null!, "mx.example.com"));
            Assert.Throws<ArgumentNullException>(() => MtaStsPolicy.Parse(null!));
            Assert.Throws<ArgumentNullException>(() => MtaStsRecord.Parse(null!));
            using var resolver = new MtaStsResolver(dns.Resolver());
            // The shared reading takes an address as its domain; a name with an empty label is refused (docs/domain-names.md).
            await Assert.ThrowsAsync<DomainNameException>(() => resolver.ResolveAsync("d0..example"));
        }
    }
}
