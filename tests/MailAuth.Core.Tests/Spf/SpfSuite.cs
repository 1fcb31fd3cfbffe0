using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using YamlDotNet.RepresentationModel;

namespace MailAuth.Core.Tests.Spf
{
    /// <summary>One record of a scenario's zonedata, in the openspf suite's own terms.</summary>
    public sealed class SuiteRecord
    {
        public SuiteRecord(string type, IReadOnlyList<string> values)
        {
            Type = type;
            Values = values;
        }

        /// <summary>SPF, TXT, A, AAAA, MX, PTR, CNAME or TIMEOUT.</summary>
        public string Type { get; }

        /// <summary>TXT/SPF: the strings; MX: preference and exchange; others: one value; "NONE" marker.</summary>
        public IReadOnlyList<string> Values { get; }

        public bool IsNone => Values.Count == 1 && Values[0] == "NONE" && (Type == "TXT" || Type == "SPF");
    }

    public sealed class SuiteTest
    {
        public string Scenario { get; set; } = string.Empty;
        public string Name { get; set; } = string.Empty;
        public string Helo { get; set; } = string.Empty;
        public string Host { get; set; } = string.Empty;
        public string MailFrom { get; set; } = string.Empty;
        public IReadOnlyList<string> Results { get; set; } = Array.Empty<string>();
        public string? Explanation { get; set; }
        public string Spec { get; set; } = string.Empty;
        public string Description { get; set; } = string.Empty;
    }

    public sealed class SuiteScenario
    {
        public string Description { get; set; } = string.Empty;
        public List<SuiteTest> Tests { get; } = new List<SuiteTest>();
        /// <summary>Name to records, in the order the file lists them.</summary>
        public List<KeyValuePair<string, List<SuiteRecord>>> Zone { get; } = new List<KeyValuePair<string, List<SuiteRecord>>>();
    }

    /// <summary>Reads the openspf YAML suites (pyspf driver conventions).</summary>
    public static class SpfSuite
    {
        private static readonly Dictionary<string, IReadOnlyList<SuiteScenario>> s_cache = new Dictionary<string, IReadOnlyList<SuiteScenario>>();

        public static string PathOf(string file) => RepositoryFiles.Conformance(Path.Combine("openspf", file));

        public static IReadOnlyList<SuiteScenario> Load(string file)
        {
            lock (s_cache)
            {
                if (s_cache.TryGetValue(file, out IReadOnlyList<SuiteScenario>? cached))
                {
                    return cached;
                }

                var stream = new YamlStream();
                using (var reader = new StreamReader(PathOf(file)))
                {
                    stream.Load(reader);
                }

                var scenarios = new List<SuiteScenario>();
                foreach (YamlDocument document in stream.Documents)
                {
                    if (document.RootNode is not YamlMappingNode root)
                    {
                        continue;
                    }

                    var scenario = new SuiteScenario { Description = Scalar(root, "description") ?? "scenario" };
                    if (Child(root, "tests") is YamlMappingNode tests)
                    {
                        foreach (var pair in tests.Children)
                        {
                            var node = (YamlMappingNode)pair.Value;
                            scenario.Tests.Add(new SuiteTest
                            {
                                Scenario = scenario.Description,
                                Name = ((YamlScalarNode)pair.Key).Value!,
                                Helo = Scalar(node, "helo") ?? string.Empty,
                                Host = Scalar(node, "host") ?? string.Empty,
                                MailFrom = Scalar(node, "mailfrom") ?? string.Empty,
                                Results = Strings(Child(node, "result")),
                                Explanation = Scalar(node, "explanation"),
                                Spec = Scalar(node, "spec") ?? string.Empty,
                                Description = Scalar(node, "description") ?? string.Empty,
                            });
                        }
                    }

                    if (Child(root, "zonedata") is YamlMappingNode zone)
                    {
                        foreach (var pair in zone.Children)
                        {
                            var records = new List<SuiteRecord>();
                            if (pair.Value is YamlSequenceNode sequence)
                            {
                                foreach (YamlNode entry in sequence.Children)
                                {
                                    if (entry is YamlScalarNode marker)
                                    {
                                        records.Add(new SuiteRecord(marker.Value!, Array.Empty<string>()));
                                    }
                                    else if (entry is YamlMappingNode map)
                                    {
                                        foreach (var typed in map.Children)
                                        {
                                            records.Add(new SuiteRecord(((YamlScalarNode)typed.Key).Value!, Strings(typed.Value)));
                                        }
                                    }
                                }
                            }

                            scenario.Zone.Add(new KeyValuePair<string, List<SuiteRecord>>(((YamlScalarNode)pair.Key).Value!, records));
                        }
                    }

                    scenarios.Add(scenario);
                }

                s_cache[file] = scenarios;
                return scenarios;
            }
        }

        public static IEnumerable<object[]> Cases(string file) =>
            Load(file).SelectMany(s => s.Tests).Select(t => new object[] { t.Scenario + "/" + t.Name });

        public static (SuiteScenario Scenario, SuiteTest Test) Find(string file, string id)
        {
            foreach (SuiteScenario scenario in Load(file))
            {
                foreach (SuiteTest test in scenario.Tests)
                {
                    if (test.Scenario + "/" + test.Name == id)
                    {
                        return (scenario, test);
                    }
                }
            }

            throw new KeyNotFoundException(id);
        }

        private static YamlNode? Child(YamlMappingNode node, string key) =>
            node.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? value) ? value : null;

        private static string? Scalar(YamlMappingNode node, string key) => (Child(node, key) as YamlScalarNode)?.Value;

        private static IReadOnlyList<string> Strings(YamlNode? node) => node switch
        {
            YamlScalarNode scalar => new[] { scalar.Value ?? string.Empty },
            YamlSequenceNode sequence => sequence.Children.Select(c => (c as YamlScalarNode)?.Value ?? string.Empty).ToArray(),
            _ => Array.Empty<string>(),
        };
    }
}
