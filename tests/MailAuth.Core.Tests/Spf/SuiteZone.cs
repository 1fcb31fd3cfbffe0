using System;
using System.Collections.Generic;
using System.Linq;
using MailAuth.Testing.Dns;

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

        /// <summary>The scenario as a zone for the loopback server.</summary>
        public static DnsZone ToZone(SuiteScenario scenario)
        {
            var zone = new DnsZone();
            Apply(scenario,
                (name, type, values) =>
                {
                    switch (type)
                    {
                        case "TXT":
                            zone.AddTxt(name, values.ToArray());
                            break;
                        case "SPF":
                            zone.AddSpf(name, values.ToArray());
                            break;
                        case "MX":
                            // An empty exchange is the root (RFC 7505 null MX).
                            string exchange = values[1].Length == 0 ? "." : values[1];
                            zone.Add(name, ZoneRecordType.MX, values[0] + " " + exchange);
                            break;
                        default:
                            zone.Add(name, (ZoneRecordType)Enum.Parse(typeof(ZoneRecordType), type), values[0]);
                            break;
                    }
                },
                (name, type) => zone.AddFault(name, DnsFault.Timeout, (ZoneRecordType)Enum.Parse(typeof(ZoneRecordType), type)),
                _ => { });
            return zone;
        }
    }
}
