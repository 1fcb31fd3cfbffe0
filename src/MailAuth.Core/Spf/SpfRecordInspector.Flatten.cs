using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MailAuth.Dns;

namespace MailAuth.Spf
{
    /// <summary>
    /// Flattening (Get-SpfRecord -Flatten): the inspector's tree, with a and mx resolved to addresses
    /// and each include replaced by the ranges it passes, as one candidate record.
    /// </summary>
    /// <remarks>
    /// The candidate must give the same result as the published record for every client today. So:
    /// an include is replaced only by the ranges for which the included record gives pass, which is
    /// only simple to compute when every mechanism before its "all" has the pass qualifier (what
    /// providers publish); otherwise the include is kept. A term that depends on the message (macros,
    /// exists, ptr) is kept. A range inside an earlier one can never match first, so it is dropped;
    /// ranges are merged only within a run of the same qualifier, where their order does not matter.
    /// </remarks>
    internal sealed partial class SpfRecordInspector
    {
        /// <summary>Most MX names an mx may have (§4.6.4): more is permerror, which flattening must keep.</summary>
        private const int MaxMxNames = 10;

        public static async Task<SpfFlattening> FlattenAsync(IDnsResolver resolver, string domain, SpfEvaluationOptions options, CancellationToken ct)
        {
            var stopwatch = Stopwatch.StartNew();
            DateTimeOffset now = options.Timestamp ?? DateTimeOffset.UtcNow;
            var inspector = new SpfRecordInspector(resolver, options, ct);
            string? name = MailAuth.Names.DomainName.TryParseQualified(domain, MailAuth.Names.DomainNameKind.DnsName, out MailAuth.Names.DomainName? parsed, out _, out string? invalid) ? parsed!.Value : null;
            if (name is null)
            {
                return Nothing(domain, null, 0, now, $"'{domain}' is not a domain that can have an SPF record: {invalid}.");
            }

            SpfRecordReport report = await inspector.RunAsync(name.ToLowerInvariant(), stopwatch).ConfigureAwait(false);
            SpfIncludeNode? root = report.IncludeRoot;
            if (root?.ParsedRecord is null)
            {
                return Nothing(report.Domain, report.Record, report.DnsLookupCount, now, $"Nothing to flatten: {report.Reason}.");
            }

            var state = new FlattenState();
            List<FlatItem> items = await inspector.FlattenRecordAsync(root, root.Domain, TxtTtl(root), state, isRoot: true).ConfigureAwait(false);
            return Assemble(report, items, state, now);
        }

        private static SpfFlattening Nothing(string domain, string? record, int lookups, DateTimeOffset now, string why) =>
            new SpfFlattening(domain, record, lookups, null, Array.Empty<string>(), 0, Array.Empty<SpfFlattenedRange>(), Array.Empty<string>(),
                Array.Empty<string>(), null, now, 0, new[] { why }, why);

        // ---- walking the tree ----------------------------------------------------------------------

        /// <summary>A record evaluated in full (the domain's own, or a redirect target): every term, its qualifier, its all.</summary>
        private async Task<List<FlatItem>> FlattenRecordAsync(SpfIncludeNode node, string source, int ttl, FlattenState state, bool isRoot)
        {
            SpfRecord record = node.ParsedRecord!;
            state.Source("TXT " + node.Domain, ttl);
            var items = new List<FlatItem>();
            int childIndex = 0;
            foreach (SpfTerm term in record.Mechanisms)
            {
                switch (term.Name)
                {
                    case "all":
                        items.Add(FlatItem.Text(term.Text, 0, null));
                        break;
                    case "ip4":
                    case "ip6":
                        items.Add(FlatItem.Of(Net.Of(term.NetworkAddress!, term.Name == "ip4" ? term.EffectiveIp4CidrLength : term.EffectiveIp6CidrLength), term.QualifierSymbolOrEmpty(), source, ttl));
                        break;
                    case "a":
                    case "mx":
                        {
                            (List<FlatItem>? ranges, string? why) = term.HasMacros
                                ? (null, "its target uses macros and depends on the message")
                                : await ResolveHostsAsync(node, term, term.QualifierSymbolOrEmpty(), source, ttl, state).ConfigureAwait(false);
                            if (ranges is null)
                            {
                                items.Add(FlatItem.Text(term.Text, 1, $"{term.Text} ({node.Domain}): kept, {why}"));
                            }
                            else if (ranges.Count == 0)
                            {
                                state.Notes.Add($"{term.Text} ({node.Domain}) matches no address now (a void lookup) and is left out.");
                            }
                            else
                            {
                                items.AddRange(ranges);
                            }

                            break;
                        }

                    case "include":
                        {
                            SpfIncludeNode child = node.ChildNodes[childIndex++];
                            string childSource = Describe(source, term.Text, isRoot);
                            (List<FlatItem>? passed, string? why) = child.StatusCode == SpfIncludeStatus.Found
                                ? await PassSetAsync(child, childSource, Math.Min(ttl, TxtTtl(child)), state).ConfigureAwait(false)
                                : (null, child.Error);
                            if (passed is null)
                            {
                                items.Add(FlatItem.Text(term.Text, 1 + child.TotalLookupCount, $"{term.Text} ({node.Domain}): kept, {why}"));
                            }
                            else
                            {
                                string qualifier = term.QualifierSymbolOrEmpty();
                                items.AddRange(passed.Select(p => FlatItem.Of(p.Network!.Value, qualifier, p.Source!, p.Ttl)));
                            }

                            break;
                        }

                    default:
                        // exists and ptr depend on the client or the message (§5.5, §5.7).
                        if (term.CausesDnsLookup)
                        {
                            items.Add(FlatItem.Text(term.Text, 1, $"{term.Text} ({node.Domain}): kept, it depends on the client or the message"));
                        }

                        break;
                }

                if (term.Name == "all")
                {
                    if (record.Mechanisms.Last() != term)
                    {
                        state.Notes.Add($"Terms after '{term.Text}' in {node.Domain} are never evaluated and are left out.");
                    }

                    break;
                }
            }

            if (record.All is null && record.Redirect != null)
            {
                SpfTerm redirect = record.Redirect;
                SpfIncludeNode child = node.ChildNodes.Last();
                if (child.StatusCode == SpfIncludeStatus.Found && !redirect.HasMacros)
                {
                    items.AddRange(await FlattenRecordAsync(child, Describe(source, redirect.Text, isRoot), Math.Min(ttl, TxtTtl(child)), state, isRoot: false).ConfigureAwait(false));
                }
                else
                {
                    items.Add(FlatItem.Text(redirect.Text, 1 + child.TotalLookupCount, $"{redirect.Text} ({node.Domain}): kept, {child.Error}"));
                }
            }

            if (isRoot && record.Explanation != null)
            {
                items.Add(FlatItem.Text(record.Explanation.Text, 0, null));
            }

            return items;
        }

        /// <summary>
        /// The ranges for which an included record gives pass, or null (with why) when that is not a
        /// plain union: a mechanism before "all" with another qualifier, "+all", a term that depends
        /// on the message, or a branch that fails.
        /// </summary>
        private async Task<(List<FlatItem>?, string?)> PassSetAsync(SpfIncludeNode node, string source, int ttl, FlattenState state)
        {
            SpfRecord record = node.ParsedRecord!;
            state.Source("TXT " + node.Domain, ttl);
            var items = new List<FlatItem>();
            int childIndex = 0;
            foreach (SpfTerm term in record.Mechanisms)
            {
                if (term.Name == "all")
                {
                    if (term.QualifierCode == SpfQualifier.Pass)
                    {
                        return (null, $"{node.Domain} ends in '{term.Text}', which passes every address");
                    }

                    return (items, null);
                }

                if (term.QualifierCode != SpfQualifier.Pass)
                {
                    return (null, $"{node.Domain} has '{term.Text}' before its all, which flattening would have to subtract");
                }

                switch (term.Name)
                {
                    case "ip4":
                    case "ip6":
                        items.Add(FlatItem.Of(Net.Of(term.NetworkAddress!, term.Name == "ip4" ? term.EffectiveIp4CidrLength : term.EffectiveIp6CidrLength), string.Empty, source, ttl));
                        break;
                    case "a":
                    case "mx":
                        {
                            if (term.HasMacros)
                            {
                                return (null, $"'{term.Text}' in {node.Domain} uses macros");
                            }

                            (List<FlatItem>? ranges, string? why) = await ResolveHostsAsync(node, term, string.Empty, source, ttl, state).ConfigureAwait(false);
                            if (ranges is null)
                            {
                                return (null, $"'{term.Text}' in {node.Domain}: {why}");
                            }

                            items.AddRange(ranges);
                            break;
                        }

                    case "include":
                        {
                            SpfIncludeNode child = node.ChildNodes[childIndex++];
                            if (child.StatusCode != SpfIncludeStatus.Found)
                            {
                                return (null, $"'{term.Text}' in {node.Domain}: {child.Error}");
                            }

                            (List<FlatItem>? passed, string? why) = await PassSetAsync(child, source + " > " + term.Text, Math.Min(ttl, TxtTtl(child)), state).ConfigureAwait(false);
                            if (passed is null)
                            {
                                return (null, why);
                            }

                            items.AddRange(passed);
                            break;
                        }

                    default:
                        return (null, $"'{term.Text}' in {node.Domain} depends on the client or the message");
                }
            }

            if (record.Redirect != null)
            {
                // No all: a redirect's result is its target's (§6.1), so what it passes joins.
                SpfIncludeNode child = node.ChildNodes.Last();
                if (child.StatusCode != SpfIncludeStatus.Found || record.Redirect.HasMacros)
                {
                    return (null, $"'{record.Redirect.Text}' in {node.Domain}: {child.Error ?? "uses macros"}");
                }

                (List<FlatItem>? passed, string? why) = await PassSetAsync(child, source + " > " + record.Redirect.Text, Math.Min(ttl, TxtTtl(child)), state).ConfigureAwait(false);
                if (passed is null)
                {
                    return (null, why);
                }

                items.AddRange(passed);
            }

            return (items, null);
        }

        /// <summary>The addresses of an a or mx term now: A and AAAA of the target (of each MX host for mx), or null and why.</summary>
        private async Task<(List<FlatItem>?, string?)> ResolveHostsAsync(SpfIncludeNode node, SpfTerm term, string qualifier, string source, int ttl, FlattenState state)
        {
            string target = term.DomainSpecMacro is null ? node.Domain : SpfCheck.QueryTarget(term.DomainSpecMacro.Text) ?? node.Domain;
            string from = $"{source} > {term.Text}";
            var items = new List<FlatItem>();
            IEnumerable<string> hosts;
            if (term.Name == "mx")
            {
                DnsResponse mx = await QueryAsync(target, DnsRecordType.MX).ConfigureAwait(false);
                if (mx.StatusCode == DnsLookupStatus.Failed)
                {
                    return (null, $"the MX lookup for {target} failed ({mx.Error ?? mx.ResponseCode})");
                }

                if (mx.StatusCode == DnsLookupStatus.NotFound)
                {
                    return (items, null);
                }

                DnsRecord[] records = mx.Records.Where(r => r.TypeCode == DnsRecordType.MX).ToArray();
                if (records.Length > MaxMxNames)
                {
                    return (null, $"{target} has {records.Length.ToString(CultureInfo.InvariantCulture)} MX names, which is permerror (§4.6.4)");
                }

                ttl = Math.Min(ttl, records.Min(r => r.Ttl));
                state.Source("MX " + target, records.Min(r => r.Ttl));
                hosts = records.OrderBy(r => r.Preference).Select(r => r.Target!).Where(h => !string.IsNullOrEmpty(h) && h != ".");
            }
            else
            {
                hosts = new[] { target };
            }

            foreach (string host in hosts.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                foreach (DnsRecordType type in new[] { DnsRecordType.A, DnsRecordType.AAAA })
                {
                    DnsResponse answer = await QueryAsync(host, type).ConfigureAwait(false);
                    if (answer.StatusCode == DnsLookupStatus.Failed)
                    {
                        return (null, $"the {type} lookup for {host} failed ({answer.Error ?? answer.ResponseCode})");
                    }

                    foreach (DnsRecord record in answer.Records.Where(r => r.AddressValue != null))
                    {
                        IPAddress address = SpfNetwork.Unmap(record.AddressValue!);
                        bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
                        items.Add(FlatItem.Of(Net.Of(address, v4 ? term.EffectiveIp4CidrLength : term.EffectiveIp6CidrLength), qualifier, from, Math.Min(ttl, record.Ttl)));
                        state.Source(type + " " + host, record.Ttl);
                    }
                }
            }

            return (items, null);
        }

        private static string Describe(string source, string term, bool isRoot) => isRoot ? term : source + " > " + term;

        /// <summary>The TTL of the SPF record a node was read from (its TXT answer).</summary>
        private static int TxtTtl(SpfIncludeNode node)
        {
            DnsResponse? txt = node.DnsResponses.FirstOrDefault(r => r.QueryTypeCode == DnsRecordType.TXT);
            DnsRecord? spf = txt?.Records.FirstOrDefault(r => r.Data.StartsWith("v=spf1", StringComparison.OrdinalIgnoreCase)) ?? txt?.Records.FirstOrDefault();
            return spf?.Ttl ?? int.MaxValue;
        }

        // ---- writing the candidate -------------------------------------------------------------------

        private static SpfFlattening Assemble(SpfRecordReport report, List<FlatItem> items, FlattenState state, DateTimeOffset now)
        {
            // A range inside an earlier one never matches first: drop it (whatever the qualifiers).
            var emitted = new List<Net>();
            var kept = new List<FlatItem>();
            int dropped = 0;
            foreach (FlatItem item in items)
            {
                if (item.Network is Net net)
                {
                    if (emitted.Any(e => e.Contains(net)))
                    {
                        dropped++;
                        continue;
                    }

                    emitted.Add(net);
                }

                kept.Add(item);
            }

            if (dropped > 0)
            {
                state.Notes.Add($"{dropped.ToString(CultureInfo.InvariantCulture)} range(s) inside earlier ones were left out: they could never match first.");
            }

            // Within a run of ranges of one qualifier the order does not matter: merge neighbours.
            var merged = new List<FlatItem>();
            for (int i = 0; i < kept.Count;)
            {
                if (kept[i].Network is null)
                {
                    merged.Add(kept[i++]);
                    continue;
                }

                int end = i;
                while (end < kept.Count && kept[end].Network != null && kept[end].Qualifier == kept[i].Qualifier)
                {
                    end++;
                }

                merged.AddRange(Aggregate(kept.GetRange(i, end - i)));
                i = end;
            }

            var terms = new List<string>();
            var ranges = new List<SpfFlattenedRange>();
            var keptTerms = new List<string>();
            int lookups = 0;
            foreach (FlatItem item in merged)
            {
                if (item.Network is Net net)
                {
                    terms.Add(item.Qualifier + (net.IsV4 ? "ip4:" : "ip6:") + net.Text);
                    ranges.Add(new SpfFlattenedRange(net.Text, item.Qualifier, item.Source!, item.Ttl));
                }
                else
                {
                    terms.Add(item.TermText!);
                    lookups += item.Lookups;
                    if (item.Why != null)
                    {
                        keptTerms.Add(item.Why);
                    }
                }
            }

            string record = "v=spf1" + (terms.Count == 0 ? string.Empty : " " + string.Join(" ", terms));
            List<string> strings = SplitAtTerms(record);
            if (!SpfRecord.TryParse(record, out _, out SpfSyntaxError? syntax))
            {
                state.Notes.Add($"The candidate does not parse ({syntax!.Message}); do not publish it.");
            }

            int size = SpfLinter.EstimateAnswerSize(report.Domain, new[] { (IReadOnlyList<string>)strings });
            if (size > SpfLinter.ClassicUdpLimit)
            {
                state.Notes.Add($"The TXT answer would be about {size.ToString(CultureInfo.InvariantCulture)} bytes, over 512: receivers without EDNS repeat the query over TCP (RFC 7208 §3.4). Keeping one include of a large provider keeps it smaller.");
            }

            if (lookups > 10)
            {
                state.Notes.Add($"The candidate still needs {lookups.ToString(CultureInfo.InvariantCulture)} DNS lookups; more than 10 is permerror (RFC 7208 §4.6.4).");
            }

            int? minimum = state.Ttls.Count == 0 ? (int?)null : state.Ttls.Values.Min();
            string refresh = minimum.HasValue
                ? $"Refresh it before {now.AddSeconds(minimum.Value).ToString("u", CultureInfo.InvariantCulture)} (the shortest TTL it rests on, {minimum.Value.ToString(CultureInfo.InvariantCulture)} s), and whenever a provider announces new ranges"
                : "Refresh it whenever a provider announces new ranges";
            string warning = $"A snapshot of what the include tree of {report.Domain} resolves to now. Microsoft 365, Google, Amazon SES and other senders change their addresses without notice, and a flattened record does not follow them: mail from new addresses then fails SPF. {refresh}, or keep the provider's include.";
            string[] sources = state.Ttls.Select(p => p.Key + ": " + p.Value.ToString(CultureInfo.InvariantCulture) + " s").ToArray();
            return new SpfFlattening(report.Domain, report.Record, report.DnsLookupCount, record, strings, lookups, ranges, keptTerms,
                sources, minimum, now, size, state.Notes, warning);
        }

        /// <summary>RFC 7208 §3.3: strings of one record are joined with nothing between them, so split before a term's space.</summary>
        private static List<string> SplitAtTerms(string record)
        {
            var strings = new List<string>();
            var current = new StringBuilder();
            foreach (string token in record.Split(' '))
            {
                string piece = current.Length == 0 && strings.Count == 0 ? token : " " + token;
                if (current.Length > 0 && Encoding.UTF8.GetByteCount(current.ToString()) + Encoding.UTF8.GetByteCount(piece) > 255)
                {
                    strings.Add(current.ToString());
                    current.Clear();
                }

                current.Append(piece);
            }

            strings.Add(current.ToString());
            return strings;
        }

        /// <summary>Drops ranges inside others and merges sibling halves into their parent, per family.</summary>
        private static IEnumerable<FlatItem> Aggregate(List<FlatItem> run)
        {
            var list = run.OrderBy(i => i.Network!.Value.IsV4 ? 0 : 1).ThenBy(i => i.Network!.Value, NetComparer.Instance).ToList();
            bool changed = true;
            while (changed)
            {
                changed = false;
                for (int i = 0; i + 1 < list.Count; i++)
                {
                    Net a = list[i].Network!.Value;
                    Net b = list[i + 1].Network!.Value;
                    if (a.Contains(b))
                    {
                        list[i] = list[i].Join(list[i + 1], a);
                        list.RemoveAt(i + 1);
                        changed = true;
                        i--;
                    }
                    else if (a.IsV4 == b.IsV4 && a.Prefix == b.Prefix && a.Prefix > 0 && a.Parent().Equals(b.Parent()))
                    {
                        list[i] = list[i].Join(list[i + 1], a.Parent());
                        list.RemoveAt(i + 1);
                        changed = true;
                        i = Math.Max(-1, i - 2);
                    }
                }
            }

            return list;
        }

        private sealed class FlattenState
        {
            /// <summary>Each DNS answer the candidate rests on and its TTL ("TXT spf.protection.outlook.com").</summary>
            public Dictionary<string, int> Ttls { get; } = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);

            public List<string> Notes { get; } = new List<string>();

            public void Source(string key, int ttl)
            {
                if (ttl == int.MaxValue)
                {
                    return;
                }

                Ttls[key] = Ttls.TryGetValue(key, out int known) ? Math.Min(known, ttl) : ttl;
            }
        }

        /// <summary>A range with its qualifier, or a term kept as written.</summary>
        private sealed class FlatItem
        {
            public Net? Network;
            public string Qualifier = string.Empty;
            public string? Source;
            public int Ttl;
            public string? TermText;
            public int Lookups;
            public string? Why;

            public static FlatItem Of(Net network, string qualifier, string source, int ttl) =>
                new FlatItem { Network = network, Qualifier = qualifier, Source = source, Ttl = ttl };

            public static FlatItem Text(string term, int lookups, string? why) => new FlatItem { TermText = term, Lookups = lookups, Why = why };

            public FlatItem Join(FlatItem other, Net network)
            {
                string source = Source == other.Source ? Source! : string.Join(", ", new[] { Source, other.Source }.SelectMany(s => s!.Split(new[] { ", " }, StringSplitOptions.None)).Distinct());
                return new FlatItem { Network = network, Qualifier = Qualifier, Source = source, Ttl = Math.Min(Ttl, other.Ttl) };
            }
        }

        /// <summary>An address range: the masked network octets and the prefix length.</summary>
        private readonly struct Net : IEquatable<Net>
        {
            private Net(byte[] bytes, int prefix)
            {
                Bytes = bytes;
                Prefix = prefix;
            }

            public byte[] Bytes { get; }

            public int Prefix { get; }

            public bool IsV4 => Bytes.Length == 4;

            private int Bits => Bytes.Length * 8;

            public string Text => new IPAddress(Bytes).ToString() + (Prefix == Bits ? string.Empty : "/" + Prefix.ToString(CultureInfo.InvariantCulture));

            public static Net Of(IPAddress address, int prefix) => new Net(Mask(address.GetAddressBytes(), prefix), prefix);

            public Net Parent() => new Net(Mask(Bytes, Prefix - 1), Prefix - 1);

            public bool Contains(Net other) => IsV4 == other.IsV4 && Prefix <= other.Prefix && Mask(other.Bytes, Prefix).SequenceEqual(Bytes);

            public bool Equals(Net other) => Prefix == other.Prefix && Bytes.SequenceEqual(other.Bytes);

            public override bool Equals(object? obj) => obj is Net other && Equals(other);

            public override int GetHashCode() => Prefix ^ Bytes.Aggregate(17, (h, b) => h * 31 + b);

            private static byte[] Mask(byte[] bytes, int prefix)
            {
                var masked = new byte[bytes.Length];
                for (int i = 0; i < bytes.Length; i++)
                {
                    int bits = Math.Max(0, Math.Min(8, prefix - (i * 8)));
                    masked[i] = (byte)(bytes[i] & ((0xFF << (8 - bits)) & 0xFF));
                }

                return masked;
            }
        }

        private sealed class NetComparer : IComparer<Net>
        {
            public static readonly NetComparer Instance = new NetComparer();

            public int Compare(Net x, Net y)
            {
                for (int i = 0; i < Math.Min(x.Bytes.Length, y.Bytes.Length); i++)
                {
                    int c = x.Bytes[i].CompareTo(y.Bytes[i]);
                    if (c != 0)
                    {
                        return c;
                    }
                }

                return x.Prefix.CompareTo(y.Prefix);
            }
        }
    }

    internal static class SpfTermFlattenExtensions
    {
        /// <summary>The qualifier as a flattened term writes it: nothing for pass.</summary>
        public static string QualifierSymbolOrEmpty(this SpfTerm term) => term.QualifierCode == SpfQualifier.Pass ? string.Empty : term.QualifierSymbol;
    }
}
