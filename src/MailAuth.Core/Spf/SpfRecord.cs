using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace MailAuth.Spf
{
    /// <summary>
    /// A parsed, immutable SPF record (RFC 7208 §4.6, §5, §6, §7, appendix A). Parsing needs no network.
    /// </summary>
    public sealed class SpfRecord
    {
        /// <summary>The version section every SPF record starts with (§4.5).</summary>
        public const string VersionTag = "v=spf1";

        // dual-cidr-length at the end of a/mx: [ "/" ip4-cidr ] [ "//" ip6-cidr ]. The domain-spec before
        // it may itself hold '/' (macro-literal), so the suffix is matched from the end (§5.6).
        private static readonly Regex s_dualCidr = new Regex(@"^(?<spec>.*?)(?:/(?<c4>[0-9]+))?(?://(?<c6>[0-9]+))?$",
            RegexOptions.CultureInvariant | RegexOptions.Singleline);

        // Parsed records by their text. A record is immutable and its parse depends on the text alone,
        // so one parse serves every domain that includes it: a bulk audit meets the same provider
        // records (spf.protection.outlook.com, _spf.google.com) for a large share of its domains.
        // Bounded by emptying it when full; the popular records are parsed again at once.
        private static readonly ConcurrentDictionary<string, SpfRecord> s_parsed = new ConcurrentDictionary<string, SpfRecord>(StringComparer.Ordinal);
        private const int ParsedCapacity = 2048;
        private static int s_parsedCount; // ConcurrentDictionary.Count takes every lock: counted aside, roughly

        private SpfRecord(string text, IReadOnlyList<SpfTerm> terms)
        {
            Text = text;
            Terms = ResultList.From(terms);
            Mechanisms = ResultList.From(terms.Where(t => t.KindCode == SpfTermKind.Mechanism).ToArray());
            Redirect = terms.FirstOrDefault(t => t.KindCode == SpfTermKind.Modifier && t.Name == "redirect");
            Explanation = terms.FirstOrDefault(t => t.KindCode == SpfTermKind.Modifier && t.Name == "exp");
            All = Mechanisms.FirstOrDefault(t => t.Name == "all");
        }

        /// <summary>The record text as published (strings already joined).</summary>
        public string Text { get; }

        /// <summary>All terms in order.</summary>
        public ResultList<SpfTerm> Terms { get; }

        /// <summary>The mechanisms in evaluation order.</summary>
        public ResultList<SpfTerm> Mechanisms { get; }

        /// <summary>The redirect= modifier, if any.</summary>
        public SpfTerm? Redirect { get; }

        /// <summary>The exp= modifier, if any.</summary>
        public SpfTerm? Explanation { get; }

        /// <summary>The first "all" mechanism, if any.</summary>
        public SpfTerm? All { get; }

        /// <summary>
        /// Terms that query DNS (include a mx ptr exists, and redirect when no "all" makes it
        /// ignored, §5.1), counted without following includes.
        /// </summary>
        public int DnsLookupTermCount => Terms.Count(t => t.CausesDnsLookup && (t.Name != "redirect" || All is null));

        public override string ToString() => Text;

        /// <summary>True when the text begins with "v=spf1" (case-insensitive) followed by a space or the end (§4.5).</summary>
        public static bool IsSpfRecord(string? text)
        {
            if (text is null || text.Length < VersionTag.Length)
            {
                return false;
            }

            return text.StartsWith(VersionTag, StringComparison.OrdinalIgnoreCase)
                && (text.Length == VersionTag.Length || text[VersionTag.Length] == ' ');
        }

        /// <summary>Parses a record.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
        /// <exception cref="SpfSyntaxException">The text is not a valid SPF record.</exception>
        public static SpfRecord Parse(string text)
        {
            if (text is null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            if (!TryParse(text, out SpfRecord? record, out SpfSyntaxError? error))
            {
                throw new SpfSyntaxException(error!);
            }

            return record!;
        }

        /// <summary>Parses a record; false with the first syntax error when it is not valid.</summary>
        public static bool TryParse(string? text, out SpfRecord? record, out SpfSyntaxError? error)
        {
            record = null;
            if (text is null)
            {
                error = new SpfSyntaxError(null, 0, "no record text");
                return false;
            }

            if (s_parsed.TryGetValue(text, out record))
            {
                error = null;
                return true;
            }

            if (!IsSpfRecord(text))
            {
                error = new SpfSyntaxError(null, 0, "the record does not begin with \"v=spf1\" followed by a space or the end (§4.5)");
                return false;
            }

            var terms = new List<SpfTerm>();
            bool seenRedirect = false;
            bool seenExp = false;
            int i = VersionTag.Length;

            // record = version terms *SP; terms = *( 1*SP ( directive / modifier ) ): terms are
            // separated by spaces only; any other whitespace is part of a term and an error (§4.6.1).
            while (i < text.Length)
            {
                if (text[i] == ' ')
                {
                    i++;
                    continue;
                }

                int end = text.IndexOf(' ', i);
                if (end < 0)
                {
                    end = text.Length;
                }

                string termText = text.Substring(i, end - i);
                if (!TryParseTerm(termText, terms.Count, i, out SpfTerm? term, out string? reason))
                {
                    error = new SpfSyntaxError(termText, i, reason!);
                    return false;
                }

                // §6: redirect and exp MUST NOT appear more than once each.
                if (term!.KindCode == SpfTermKind.Modifier && term.Name == "redirect")
                {
                    if (seenRedirect)
                    {
                        error = new SpfSyntaxError(termText, i, "a second redirect= modifier; it may appear only once (§6)");
                        return false;
                    }

                    seenRedirect = true;
                }
                else if (term.KindCode == SpfTermKind.Modifier && term.Name == "exp")
                {
                    if (seenExp)
                    {
                        error = new SpfSyntaxError(termText, i, "a second exp= modifier; it may appear only once (§6)");
                        return false;
                    }

                    seenExp = true;
                }

                terms.Add(term);
                i = end;
            }

            record = new SpfRecord(text, terms);
            if (System.Threading.Interlocked.Increment(ref s_parsedCount) > ParsedCapacity)
            {
                s_parsed.Clear();
                System.Threading.Volatile.Write(ref s_parsedCount, 1);
            }

            s_parsed.TryAdd(text, record);
            error = null;
            return true;
        }

        private static bool TryParseTerm(string text, int index, int position, out SpfTerm? term, out string? reason)
        {
            term = null;
            foreach (char ch in text)
            {
                if (ch > '~')
                {
                    reason = $"the non-ASCII character U+{(int)ch:X4}: SPF records are 7-bit ASCII (§3.1)";
                    return false;
                }

                if (ch < '!')
                {
                    reason = $"the control character 0x{(int)ch:X2}; terms are separated by spaces only (§4.6.1)";
                    return false;
                }
            }

            int i = 0;
            SpfQualifier qualifier = SpfQualifier.Pass;
            bool explicitQualifier = false;
            if ("+-~?".IndexOf(text[0]) >= 0)
            {
                qualifier = text[0] switch
                {
                    '-' => SpfQualifier.Fail,
                    '~' => SpfQualifier.SoftFail,
                    '?' => SpfQualifier.Neutral,
                    _ => SpfQualifier.Pass,
                };
                explicitQualifier = true;
                i = 1;
            }

            // A modifier is name "=" ...; name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) (§4.6.1, §6).
            int nameEnd = i;
            while (nameEnd < text.Length && (char.IsLetterOrDigit(text[nameEnd]) || text[nameEnd] == '-' || text[nameEnd] == '_' || text[nameEnd] == '.'))
            {
                nameEnd++;
            }

            if (nameEnd < text.Length && text[nameEnd] == '=')
            {
                string modifierName = text.Substring(i, nameEnd - i);
                if (explicitQualifier)
                {
                    reason = "a modifier takes no qualifier";
                    return false;
                }

                if (modifierName.Length == 0)
                {
                    reason = "a modifier needs a name before '='";
                    return false;
                }

                if (!IsAsciiLetter(modifierName[0]))
                {
                    reason = $"the modifier name '{modifierName}' must begin with a letter";
                    return false;
                }

                return TryParseModifier(text, index, position, modifierName, text.Substring(nameEnd + 1), out term, out reason);
            }

            int mechEnd = i;
            while (mechEnd < text.Length && char.IsLetterOrDigit(text[mechEnd]))
            {
                mechEnd++;
            }

            string name = text.Substring(i, mechEnd - i).ToLowerInvariant();
            string rest = text.Substring(mechEnd);
            switch (name)
            {
                case "all":
                    if (rest.Length > 0)
                    {
                        reason = "\"all\" takes no argument or CIDR length";
                        return false;
                    }

                    term = new SpfTerm(index, position, text, SpfTermKind.Mechanism, name, qualifier, explicitQualifier, null, null, null, null, null);
                    reason = null;
                    return true;

                case "include":
                case "exists":
                    {
                        if (!rest.StartsWith(":", StringComparison.Ordinal))
                        {
                            reason = rest.Length == 0
                                ? $"\"{name}\" needs a domain: {name}:example.com"
                                : $"\"{name}\" takes a domain after ':' and no CIDR length";
                            return false;
                        }

                        string value = rest.Substring(1);
                        if (!TryParseDomainSpec(value, out SpfMacroString? spec, out reason))
                        {
                            return false;
                        }

                        term = new SpfTerm(index, position, text, SpfTermKind.Mechanism, name, qualifier, explicitQualifier, spec, value, null, null, null);
                        return true;
                    }

                case "ptr":
                    {
                        SpfMacroString? spec = null;
                        string? value = null;
                        if (rest.Length > 0)
                        {
                            if (!rest.StartsWith(":", StringComparison.Ordinal))
                            {
                                reason = "\"ptr\" takes an optional ':domain' and no CIDR length";
                                return false;
                            }

                            value = rest.Substring(1);
                            if (!TryParseDomainSpec(value, out spec, out reason))
                            {
                                return false;
                            }
                        }

                        term = new SpfTerm(index, position, text, SpfTermKind.Mechanism, name, qualifier, explicitQualifier, spec, value, null, null, null);
                        reason = null;
                        return true;
                    }

                case "a":
                case "mx":
                    {
                        Match match = s_dualCidr.Match(rest);
                        string specText = match.Groups["spec"].Value;
                        SpfMacroString? spec = null;
                        string? value = null;
                        if (specText.Length > 0)
                        {
                            if (!specText.StartsWith(":", StringComparison.Ordinal))
                            {
                                reason = $"unexpected '{rest}' after \"{name}\": expected ':domain' and/or '/ip4-cidr' '//ip6-cidr'";
                                return false;
                            }

                            value = specText.Substring(1);
                            if (!TryParseDomainSpec(value, out spec, out reason))
                            {
                                return false;
                            }
                        }

                        if (!TryParseCidr(match.Groups["c4"], 32, out int? c4, out reason) || !TryParseCidr(match.Groups["c6"], 128, out int? c6, out reason))
                        {
                            return false;
                        }

                        term = new SpfTerm(index, position, text, SpfTermKind.Mechanism, name, qualifier, explicitQualifier, spec, value, null, c4, c6);
                        reason = null;
                        return true;
                    }

                case "ip4":
                case "ip6":
                    return TryParseIp(text, index, position, name, rest, qualifier, explicitQualifier, out term, out reason);

                case "redirect":
                case "exp":
                    reason = $"\"{name}\" is a modifier: write {name}=domain";
                    return false;

                default:
                    reason = name.Length == 0
                        ? "not a mechanism or modifier"
                        : $"unknown mechanism \"{name}\" (mechanisms: all include a mx ptr ip4 ip6 exists; modifiers are written name=value)";
                    return false;
            }
        }

        private static bool TryParseModifier(string text, int index, int position, string name, string value, out SpfTerm? term, out string? reason)
        {
            term = null;
            string lower = name.ToLowerInvariant();
            if (lower == "redirect" || lower == "exp")
            {
                // Known modifier names are not "unknown-modifier": a bad domain-spec is an error (§6.1, §6.2).
                if (!TryParseDomainSpec(value, out SpfMacroString? spec, out reason))
                {
                    return false;
                }

                term = new SpfTerm(index, position, text, SpfTermKind.Modifier, lower, SpfQualifier.Pass, false, spec, value, null, null, null);
                return true;
            }

            // unknown-modifier = name "=" macro-string: ignored, but must be a valid macro-string (§6, appendix A).
            if (!SpfMacroString.TryParse(value, SpfMacroUse.UnknownModifier, out SpfMacroString? macro, out reason))
            {
                reason = $"the value of the modifier \"{name}\" is not a valid macro-string: {reason}";
                return false;
            }

            term = new SpfTerm(index, position, text, SpfTermKind.Modifier, name, SpfQualifier.Pass, false, macro, value, null, null, null);
            return true;
        }

        private static bool TryParseIp(string text, int index, int position, string name, string rest, SpfQualifier qualifier, bool explicitQualifier, out SpfTerm? term, out string? reason)
        {
            term = null;
            bool v4 = name == "ip4";
            if (!rest.StartsWith(":", StringComparison.Ordinal) || rest.Length == 1)
            {
                reason = v4 ? "\"ip4\" needs a network: ip4:192.0.2.0/24" : "\"ip6\" needs a network: ip6:2001:db8::/32";
                return false;
            }

            string value = rest.Substring(1);
            string address = value;
            string? cidr = null;
            int slash = value.IndexOf('/');
            if (slash >= 0)
            {
                address = value.Substring(0, slash);
                cidr = value.Substring(slash + 1);
            }

            IPAddress? network;
            if (v4)
            {
                if (!TryParseIp4(address, out network))
                {
                    reason = $"'{address}' is not an IPv4 address (four decimal numbers 0-255 without leading zeros)";
                    return false;
                }
            }
            else
            {
                bool chars = address.Length > 0 && address.IndexOf(':') >= 0
                    && address.All(c => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.');
                if (!chars || !IPAddress.TryParse(address, out network) || network.AddressFamily != AddressFamily.InterNetworkV6)
                {
                    reason = $"'{address}' is not an IPv6 address";
                    return false;
                }
            }

            int? length = null;
            if (cidr != null)
            {
                int max = v4 ? 32 : 128;
                if (cidr.Length == 0 || !cidr.All(c => c >= '0' && c <= '9'))
                {
                    reason = v4 ? "the ip4 CIDR length must be a number from 0 to 32 after a single '/'" : "the ip6 CIDR length must be a number from 0 to 128 after a single '/'";
                    return false;
                }

                if (!TryCidrValue(cidr, max, out int value32, out reason))
                {
                    return false;
                }

                length = value32;
            }

            term = new SpfTerm(index, position, text, SpfTermKind.Mechanism, name, qualifier, explicitQualifier, null, value, network,
                v4 ? length : null, v4 ? null : length);
            reason = null;
            return true;
        }

        // ip4-network = qnum "." qnum "." qnum "." qnum; qnum is 0-255 without leading zeros (§5.6).
        private static bool TryParseIp4(string text, out IPAddress? address)
        {
            address = null;
            string[] parts = text.Split('.');
            if (parts.Length != 4)
            {
                return false;
            }

            var bytes = new byte[4];
            for (int i = 0; i < 4; i++)
            {
                string p = parts[i];
                if (p.Length == 0 || p.Length > 3 || !p.All(c => c >= '0' && c <= '9') || (p.Length > 1 && p[0] == '0'))
                {
                    return false;
                }

                int v = int.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture);
                if (v > 255)
                {
                    return false;
                }

                bytes[i] = (byte)v;
            }

            address = new IPAddress(bytes);
            return true;
        }

        private static bool TryParseCidr(Group group, int max, out int? length, out string? reason)
        {
            length = null;
            if (!group.Success)
            {
                reason = null;
                return true;
            }

            if (!TryCidrValue(group.Value, max, out int value, out reason))
            {
                return false;
            }

            length = value;
            return true;
        }

        // ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT); ip6-cidr-length = "/" ("0" / %x31-39 0*2DIGIT) (§5.6).
        private static bool TryCidrValue(string digits, int max, out int value, out string? reason)
        {
            value = 0;
            if (digits.Length > 1 && digits[0] == '0')
            {
                reason = $"CIDR length '{digits}' has a leading zero";
                return false;
            }

            if (digits.Length > 3 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value) || value > max)
            {
                reason = $"CIDR length over {max.ToString(CultureInfo.InvariantCulture)}";
                return false;
            }

            reason = null;
            return true;
        }

        // domain-spec = macro-string domain-end; domain-end = ( "." toplabel [ "." ] ) / macro-expand (§7.1).
        internal static bool TryParseDomainSpec(string text, out SpfMacroString? spec, out string? reason)
        {
            spec = null;
            if (text.Length == 0)
            {
                reason = "the domain is empty";
                return false;
            }

            if (!SpfMacroString.TryParse(text, SpfMacroUse.DomainSpec, out spec, out reason))
            {
                return false;
            }

            SpfMacroPart last = spec!.Parts[spec.Parts.Count - 1];
            if (last.Kind != SpfMacroPartKind.Literal)
            {
                reason = null;
                return true;
            }

            string tail = last.Text;
            if (tail.EndsWith(".", StringComparison.Ordinal))
            {
                tail = tail.Substring(0, tail.Length - 1);
            }

            int dot = tail.LastIndexOf('.');
            string top = dot < 0 ? tail : tail.Substring(dot + 1);
            if (dot < 0 || !IsTopLabel(top))
            {
                spec = null;
                reason = dot < 0
                    ? $"'{text}' is not a domain: it needs at least two labels, or must end in a macro (§7.1)"
                    : $"'{text}' does not end in a valid top-level label ('{top}'; a top label is letters, digits and inner dashes, not all digits) (§7.1)";
                return false;
            }

            reason = null;
            return true;
        }

        // toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
        private static bool IsTopLabel(string label)
        {
            if (label.Length == 0 || label[0] == '-' || label[label.Length - 1] == '-')
            {
                return false;
            }

            bool hasAlpha = false;
            bool hasDash = false;
            foreach (char c in label)
            {
                if (IsAsciiLetter(c))
                {
                    hasAlpha = true;
                }
                else if (c == '-')
                {
                    hasDash = true;
                }
                else if (c < '0' || c > '9')
                {
                    return false;
                }
            }

            return hasAlpha || hasDash;
        }

        private static bool IsAsciiLetter(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
