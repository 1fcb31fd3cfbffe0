using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;
using MailAuth.Findings;

namespace MailAuth.Spf
{
    /// <summary>
    /// Best-practice checks of one SPF record without any network (the report adds the checks that
    /// need DNS: recursive lookup count, void lookups, includes without SPF). Ids are stable.
    /// </summary>
    public static class SpfLinter
    {
        /// <summary>Largest DNS message every resolver accepts over UDP without EDNS (RFC 1035 §4.2.1).</summary>
        public const int ClassicUdpLimit = 512;

        /// <summary>Lints a record text. A text that does not parse gives one SPF-SYNTAX error.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
        public static IReadOnlyList<Finding> Lint(string text, string? domain = null)
        {
            if (text is null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            if (!SpfRecord.TryParse(text, out SpfRecord? record, out SpfSyntaxError? error))
            {
                return new[] { SyntaxFinding(error!, domain) }.Listed();
            }

            return Lint(record!, domain);
        }

        /// <summary>Lints a parsed record.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="record"/> is null.</exception>
        public static IReadOnlyList<Finding> Lint(SpfRecord record, string? domain = null)
        {
            if (record is null)
            {
                throw new ArgumentNullException(nameof(record));
            }

            var findings = new List<Finding>();
            LintRecord(record, domain, findings, checkLength: true);
            return findings.Listed();
        }

        internal static Finding SyntaxFinding(SpfSyntaxError error, string? domain) =>
            new Finding(FindingCatalog.Spf.Syntax,
                $"Syntax error: {error.Message}. check_host() returns permerror for this record (RFC 7208 §4.6).",
                error.Term ?? domain);

        internal static void LintRecord(SpfRecord record, string? domain, List<Finding> findings, bool checkLength)
        {
            string where = domain is null ? "the record" : "the record of " + domain;

            if (record.Terms.Count(t => t.CausesDnsLookup && (t.Name != "redirect" || record.All is null)) > 10)
            {
                findings.Add(new Finding(FindingCatalog.Spf.LookupLimit,
                    $"{where} alone has {record.DnsLookupTermCount.ToString(CultureInfo.InvariantCulture)} DNS-querying terms; more than 10 is permerror (RFC 7208 §4.6.4).", domain));
            }

            foreach (SpfTerm term in record.Terms.Where(t => t.IsMechanism && t.Name == "ptr"))
            {
                findings.Add(new Finding(FindingCatalog.Spf.Ptr,
                    $"'{term.Text}': the ptr mechanism is slow, unreliable and should not be used (RFC 7208 §5.5); list the addresses with ip4/ip6 or a instead.", term.Text));
            }

            foreach (SpfTerm term in record.Terms.Where(t => t.DomainSpecMacro != null && t.DomainSpecMacro.UsesValidatedName && t.KindCode == SpfTermKind.Mechanism))
            {
                findings.Add(new Finding(FindingCatalog.Spf.MacroP,
                    $"'{term.Text}': the %{{p}} macro needs reverse DNS lookups and should not be used (RFC 7208 §7.2).", term.Text));
            }

            SpfTerm? all = record.All;
            if (all != null)
            {
                if (all.QualifierCode == SpfQualifier.Pass)
                {
                    findings.Add(new Finding(FindingCatalog.Spf.AllPass,
                        $"'{all.Text}' authorizes every host on the Internet to send mail as this domain; use -all or ~all.", all.Text));
                }
                else if (all.QualifierCode == SpfQualifier.Neutral)
                {
                    findings.Add(new Finding(FindingCatalog.Spf.AllNeutral,
                        $"'{all.Text}' ends the record with neutral: unlisted hosts are neither denied nor marked, so the record protects little; use ~all or -all.", all.Text));
                }

                SpfTerm[] after = record.Mechanisms.Where(t => t.Index > all.Index).ToArray();
                if (after.Length > 0)
                {
                    findings.Add(new Finding(FindingCatalog.Spf.TermsAfterAll,
                        $"{after.Length.ToString(CultureInfo.InvariantCulture)} mechanism(s) after '{all.Text}' are never evaluated ({string.Join(" ", after.Select(t => t.Text))}) (RFC 7208 §5.1).", all.Text));
                }

                if (record.Redirect != null)
                {
                    findings.Add(new Finding(FindingCatalog.Spf.RedirectWithAll,
                        $"'{record.Redirect.Text}' is ignored because the record has '{all.Text}' (RFC 7208 §5.1, §6.1).", record.Redirect.Text));
                }
            }
            else if (record.Redirect is null)
            {
                findings.Add(new Finding(FindingCatalog.Spf.NoAll,
                    $"{where} has neither an \"all\" mechanism nor redirect=: hosts not listed get neutral (RFC 7208 §4.7); end it with -all or ~all.", domain));
            }

            foreach (SpfTerm term in record.Terms.Where(t => t.KindCode == SpfTermKind.Modifier && t.Name != "redirect" && t.Name != "exp"))
            {
                findings.Add(new Finding(FindingCatalog.Spf.UnknownModifier,
                    $"'{term.Text}' is not a modifier of RFC 7208 and is ignored by receivers (§6).", term.Text));
            }

            LintNetworks(record, findings);

            if (checkLength && record.Text.Length > 255)
            {
                findings.Add(new Finding(FindingCatalog.Spf.StringTooLong, FindingSeverity.Warning,
                    $"The record is {record.Text.Length.ToString(CultureInfo.InvariantCulture)} characters; one TXT string holds at most 255, so it must be published as several strings (joined without spaces, RFC 7208 §3.3).", domain));
            }

            if (checkLength)
            {
                int size = EstimateAnswerSize(domain ?? "example.com", new[] { SplitStrings(record.Text) });
                if (size > ClassicUdpLimit)
                {
                    findings.Add(new Finding(FindingCatalog.Spf.UdpSize,
                        $"The TXT answer would be about {size.ToString(CultureInfo.InvariantCulture)} bytes, more than a {ClassicUdpLimit.ToString(CultureInfo.InvariantCulture)}-byte UDP response; receivers without EDNS must retry over TCP (RFC 7208 §3.4).", domain));
                }
            }
        }

        private static void LintNetworks(SpfRecord record, List<Finding> findings)
        {
            SpfTerm[] nets = record.Mechanisms.Where(t => t.NetworkAddress != null).ToArray();
            foreach (SpfTerm term in nets)
            {
                int prefix = term.Name == "ip4" ? term.EffectiveIp4CidrLength : term.EffectiveIp6CidrLength;
                if (prefix == 0 && term.QualifierCode == SpfQualifier.Pass)
                {
                    findings.Add(new Finding(FindingCatalog.Spf.IpAll,
                        $"'{term.Text}' authorizes every {(term.Name == "ip4" ? "IPv4" : "IPv6")} address.", term.Text));
                }

                IPAddress masked = Mask(term.NetworkAddress!, prefix);
                if (!masked.Equals(term.NetworkAddress))
                {
                    findings.Add(new Finding(FindingCatalog.Spf.IpHostBits,
                        $"'{term.Text}' has host bits set; it means {masked}/{prefix.ToString(CultureInfo.InvariantCulture)}.", term.Text));
                }
            }

            LintRepeatedRanges(nets.Where(t => t.Name == "ip4").ToArray(), findings);
            LintRepeatedRanges(nets.Where(t => t.Name == "ip6").ToArray(), findings);
        }

        /// <summary>Findings listed at most in one aggregated finding; the rest are counted.</summary>
        private const int MaxListed = 10;

        /// <summary>
        /// Repeated and nested ranges of one family, in O(n log n): CIDR blocks either nest or are
        /// disjoint, so sorted by first address (wider first) a stack of the enclosing blocks finds
        /// every one inside another. One finding per kind lists them (a 4,000-term record gives two
        /// findings, not millions).
        /// </summary>
        private static void LintRepeatedRanges(SpfTerm[] nets, List<Finding> findings)
        {
            if (nets.Length < 2)
            {
                return;
            }

            var blocks = nets.Select((t, i) =>
            {
                int prefix = t.Name == "ip4" ? t.EffectiveIp4CidrLength : t.EffectiveIp6CidrLength;
                byte[] first = Mask(t.NetworkAddress!, prefix).GetAddressBytes();
                return new RangeBlock(t, i, prefix, first, LastAddress(first, prefix));
            }).ToList();
            blocks.Sort((x, y) =>
            {
                int byStart = CompareBytes(x.First, y.First);
                return byStart != 0 ? byStart : x.Prefix != y.Prefix ? x.Prefix.CompareTo(y.Prefix) : x.Order.CompareTo(y.Order);
            });

            var duplicates = new List<string>();
            var nested = new List<string>();
            var enclosing = new Stack<RangeBlock>();
            RangeBlock? previous = null;
            foreach (RangeBlock block in blocks)
            {
                if (previous != null && previous.Prefix == block.Prefix && CompareBytes(previous.First, block.First) == 0)
                {
                    // The same range again: the later-listed term is the repeat.
                    RangeBlock firstListed = previous.Order < block.Order ? previous : block;
                    RangeBlock repeat = previous.Order < block.Order ? block : previous;
                    duplicates.Add($"'{repeat.Term.Text}' repeats '{firstListed.Term.Text}'");
                    continue;
                }

                while (enclosing.Count > 0 && CompareBytes(enclosing.Peek().Last, block.First) < 0)
                {
                    enclosing.Pop();
                }

                if (enclosing.Count > 0)
                {
                    RangeBlock wide = enclosing.Peek();
                    nested.Add($"'{block.Term.Text}' lies inside '{wide.Term.Text}'" +
                        (block.Term.QualifierCode == wide.Term.QualifierCode ? " (redundant)" : " with another qualifier (the first listed decides)"));
                }

                enclosing.Push(block);
                previous = block;
            }

            if (duplicates.Count > 0)
            {
                findings.Add(new Finding(FindingCatalog.Spf.IpDuplicate,
                    $"{Count(duplicates.Count, "range is", "ranges are")} listed twice: {Listed(duplicates)}. Remove the repeats.", null));
            }

            if (nested.Count > 0)
            {
                findings.Add(new Finding(FindingCatalog.Spf.IpOverlap,
                    $"{Count(nested.Count, "range lies", "ranges lie")} inside wider ones: {Listed(nested)}.", null));
            }
        }

        private static string Count(int n, string one, string many) =>
            n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? one : many);

        private static string Listed(List<string> items) =>
            string.Join("; ", items.Take(MaxListed)) +
            (items.Count > MaxListed ? $"; and {(items.Count - MaxListed).ToString(CultureInfo.InvariantCulture)} more" : string.Empty);

        private static byte[] LastAddress(byte[] first, int prefix)
        {
            var last = (byte[])first.Clone();
            for (int i = 0; i < last.Length; i++)
            {
                int bits = Math.Max(0, Math.Min(8, prefix - (i * 8)));
                last[i] = (byte)(last[i] | (0xFF >> bits));
            }

            return last;
        }

        private static int CompareBytes(byte[] x, byte[] y)
        {
            for (int i = 0; i < x.Length; i++)
            {
                if (x[i] != y[i])
                {
                    return x[i].CompareTo(y[i]);
                }
            }

            return 0;
        }

        private sealed class RangeBlock
        {
            public RangeBlock(SpfTerm term, int order, int prefix, byte[] first, byte[] last)
            {
                Term = term;
                Order = order;
                Prefix = prefix;
                First = first;
                Last = last;
            }

            public SpfTerm Term { get; }

            public int Order { get; }

            public int Prefix { get; }

            public byte[] First { get; }

            public byte[] Last { get; }
        }

        private static IPAddress Mask(IPAddress address, int prefix)
        {
            byte[] bytes = address.GetAddressBytes();
            for (int i = 0; i < bytes.Length; i++)
            {
                int bits = Math.Max(0, Math.Min(8, prefix - (i * 8)));
                bytes[i] = (byte)(bytes[i] & ((0xFF << (8 - bits)) & 0xFF));
            }

            return new IPAddress(bytes);
        }

        internal static IReadOnlyList<string> SplitStrings(string text)
        {
            var strings = new List<string>();
            for (int i = 0; i < text.Length; i += 255)
            {
                strings.Add(text.Substring(i, Math.Min(255, text.Length - i)));
            }

            if (strings.Count == 0)
            {
                strings.Add(string.Empty);
            }

            return strings;
        }

        /// <summary>
        /// Size of a DNS answer carrying these TXT records for the name: header, question, and per
        /// record a compressed owner name, fixed fields and length-prefixed strings (RFC 1035 §4.1).
        /// </summary>
        internal static int EstimateAnswerSize(string name, IEnumerable<IReadOnlyList<string>> records)
        {
            int qname = Encoding.ASCII.GetByteCount(name.TrimEnd('.')) + 2;
            int size = 12 + qname + 4;
            foreach (IReadOnlyList<string> strings in records)
            {
                size += 2 + 10 + strings.Sum(s => 1 + Encoding.UTF8.GetByteCount(s));
            }

            return size;
        }
    }
}
