using System;
using System.Collections.Generic;
using System.Linq;

namespace MailAuth.Core.Tests.Spf
{
    /// <summary>
    /// Applies a scenario's zonedata with the pyspf driver's conventions: SPF (type 99) records are
    /// served as TXT too when the name has no TXT entry, "TXT: NONE" suppresses that, and a bare
    /// TIMEOUT makes every type not listed before it time out.
    /// </summary>
    public static class SuiteZone
    {
        private static readonly string[] s_types = { "A", "AAAA", "MX", "PTR", "TXT", "SPF", "CNAME" };

        public static void Apply(SuiteScenario scenario, Action<string, string, IReadOnlyList<string>> addRecord, Action<string, string> addTimeout, Action<string> declare)
        {
            foreach (KeyValuePair<string, List<SuiteRecord>> entry in scenario.Zone)
            {
                string name = entry.Key.TrimEnd('.');
                List<SuiteRecord> records = entry.Value;
                bool hasTxt = records.Any(r => r.Type == "TXT" && !r.IsNone);
                bool txtNone = records.Any(r => r.Type == "TXT" && r.IsNone);
                var listed = new HashSet<string>(StringComparer.Ordinal);
                declare(name);
                foreach (SuiteRecord record in records)
                {
                    if (record.Type == "TIMEOUT")
                    {
                        foreach (string type in s_types.Where(t => !listed.Contains(t)))
                        {
                            addTimeout(name, type);
                        }

                        continue;
                    }

                    if (record.IsNone)
                    {
                        continue;
                    }

                    addRecord(name, record.Type, record.Values);
                    listed.Add(record.Type);
                    if (record.Type == "SPF" && !hasTxt && !txtNone)
                    {
                        addRecord(name, "TXT", record.Values);
                        listed.Add("TXT");
                    }
                }
            }
        }

        public static FakeDnsResolver ToFake(SuiteScenario scenario)
        {
            var fake = new FakeDnsResolver();
            Apply(scenario,
                (name, type, values) =>
                {
                    switch (type)
                    {
                        case "TXT":
                            fake.Txt(name, values.ToArray());
                            break;
                        case "SPF":
                            fake.Spf99(name, values.ToArray());
                            break;
                        case "A":
                        case "AAAA":
                            fake.A(name, values[0]);
                            break;
                        case "MX":
                            fake.Mx(name, int.Parse(values[0]), values[1]);
                            break;
                        case "PTR":
                            fake.Ptr(name, values[0]);
                            break;
                        case "CNAME":
                            fake.Cname(name, values[0]);
                            break;
                        default:
                            throw new NotSupportedException(type);
                    }
                },
                (name, type) => fake.Timeout(name, (MailAuth.Dns.DnsRecordType)Enum.Parse(typeof(MailAuth.Dns.DnsRecordType), type)),
                name => fake.Exists(name));
            return fake;
        }
    }
}
