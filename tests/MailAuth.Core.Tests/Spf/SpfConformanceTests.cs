using System;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Spf;
using MailAuth.Testing.Dns;

namespace MailAuth.Core.Tests.Spf
{
    /// <summary>
    /// The openspf RFC 7208 and RFC 4408 suites as theories: one case per test ("scenario/test"),
    /// each scenario's zone served by the loopback DNS server over real sockets and read through
    /// the real <see cref="DnsResolver"/>, any listed result accepted, the explanation compared
    /// where given (the default explanation is "DEFAULT", as in the pyspf driver).
    /// </summary>
    public static class SpfConformance
    {
        public const string Rfc7208 = "rfc7208-tests.yml";
        public const string Rfc4408 = "rfc4408-tests.yml";

        public static TheoryData<string> Data(string file)
        {
            var data = new TheoryData<string>();
            foreach (object[] row in SpfSuite.Cases(file))
            {
                data.Add((string)row[0]);
            }

            return data;
        }

        public static async Task RunAsync(string file, string id)
        {
            (SuiteScenario scenario, SuiteTest test) = SpfSuite.Find(file, id);
            string[] allowed = test.Results.ToArray();
            using LoopbackDnsServer server = LoopbackDnsServer.Start(SuiteZone.ToZone(scenario));
            using var resolver = new DnsResolver(new DnsResolverOptions
            {
                Servers = new[] { server.EndPoint },
                Timeout = TimeSpan.FromMilliseconds(1500),
                Retries = 0,
            });
            var options = new SpfEvaluationOptions
            {
                DefaultExplanation = "DEFAULT",
                Timestamp = DateTimeOffset.FromUnixTimeSeconds(1700000000),
            };
            var evaluator = new SpfEvaluator(resolver, options);
            SpfResult result = await evaluator.CheckAsync(IPAddress.Parse(test.Host), test.MailFrom, test.Helo);

            string actual = result.ResultKeyword;
            Assert.True(allowed.Contains(actual),
                $"{id}: expected {string.Join(" or ", allowed)}, got {actual}: {result.Reason}\n" + string.Join("\n", result.Trace));
            if (test.Explanation != null && actual == "fail")
            {
                Assert.Equal(test.Explanation, result.Explanation);
            }
        }
    }

    /// <summary>The RFC 7208 suite (2014.04): every test must pass.</summary>
    public class SpfRfc7208ConformanceTests
    {
        public static TheoryData<string> Cases() => SpfConformance.Data(SpfConformance.Rfc7208);

        [Theory]
        [MemberData(nameof(Cases))]
        public Task Rfc7208Suite(string id) => SpfConformance.RunAsync(SpfConformance.Rfc7208, id);
    }

    /// <summary>The older RFC 4408 suite; it runs beside the RFC 7208 one (its own class, so in parallel).</summary>
    public class SpfRfc4408ConformanceTests
    {
        public static TheoryData<string> Cases() => SpfConformance.Data(SpfConformance.Rfc4408);

        [Theory]
        [MemberData(nameof(Cases))]
        public Task Rfc4408Suite(string id) => SpfConformance.RunAsync(SpfConformance.Rfc4408, id);
    }
}
