using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace MailAuth.Names
{
    /// <summary>Which part of the Public Suffix List a rule comes from.</summary>
    public enum PublicSuffixSection
    {
        /// <summary>Suffixes run by registries (the "ICANN DOMAINS" part).</summary>
        Icann,
        /// <summary>Suffixes that companies offer to their customers (the "PRIVATE DOMAINS" part).</summary>
        Private,
    }

    /// <summary>
    /// The Public Suffix List (publicsuffix.org) with its matching algorithm: normal rules, wildcard
    /// rules (<c>*.</c>) and exception rules (<c>!</c>), the implicit <c>*</c> rule for unlisted
    /// top-level domains. Used for the RFC 7489 §3.2 Organizational Domain (<see cref="OrganizationalDomainService"/>). Both sections (ICANN and
    /// PRIVATE) are applied, as RFC 7489 §3.2 reads the whole list. Immutable and thread-safe.
    /// </summary>
    public sealed class PublicSuffixList
    {
        private const string ResourceName = "MailAuth.Data.public_suffix_list.dat";

        private static readonly Lazy<PublicSuffixList> s_embedded = new Lazy<PublicSuffixList>(LoadEmbedded);
        private static readonly IdnMapping s_idn = new IdnMapping();

        // Rules are kept in A-label form, lower case, without any leading "*." or "!".
        private readonly Dictionary<string, PublicSuffixSection> _rules;
        private readonly Dictionary<string, PublicSuffixSection> _wildcards;
        private readonly Dictionary<string, PublicSuffixSection> _exceptions;

        // The most labels any rule can match (a wildcard counts its "*"): no name longer than this
        // at its right end can be a rule, so matching never looks further left.
        private readonly int _maxRuleLabels;

        private PublicSuffixList(Dictionary<string, PublicSuffixSection> rules,
            Dictionary<string, PublicSuffixSection> wildcards,
            Dictionary<string, PublicSuffixSection> exceptions, string source)
        {
            _rules = rules;
            _wildcards = wildcards;
            _exceptions = exceptions;
            Source = source;
            _maxRuleLabels = Math.Max(MaxLabels(rules.Keys, 0), Math.Max(MaxLabels(wildcards.Keys, 1), MaxLabels(exceptions.Keys, 0)));
        }

        private static int MaxLabels(IEnumerable<string> keys, int extra)
        {
            int max = 0;
            foreach (string key in keys)
            {
                int labels = 1;
                foreach (char c in key)
                {
                    if (c == '.')
                    {
                        labels++;
                    }
                }

                max = Math.Max(max, labels + extra);
            }

            return max;
        }

        /// <summary>The copy embedded in this assembly (see Data/README.md for its date).</summary>
        public static PublicSuffixList Embedded => s_embedded.Value;

        /// <summary>Where the list was read from: "embedded", a path, or "text".</summary>
        public string Source { get; }

        /// <summary>How many rules were read (normal, wildcard and exception).</summary>
        public int RuleCount => _rules.Count + _wildcards.Count + _exceptions.Count;

        /// <summary>Reads a list in the publicsuffix.org format from a file.</summary>
        /// <exception cref="ArgumentException">The path is empty.</exception>
        /// <exception cref="FileNotFoundException">No file at that path.</exception>
        /// <exception cref="FormatException">The file holds no rule.</exception>
        public static PublicSuffixList Load(string path)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new ArgumentException("Give the path of a public_suffix_list.dat file.", nameof(path));
            }

            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"No Public Suffix List file at '{path}'. Download one from https://publicsuffix.org/list/public_suffix_list.dat.", path);
            }

            return Parse(File.ReadAllText(path, Encoding.UTF8), path);
        }

        /// <summary>Reads a list in the publicsuffix.org format from text.</summary>
        /// <exception cref="FormatException">The text holds no rule.</exception>
        public static PublicSuffixList FromText(string text)
        {
            if (text is null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            return Parse(text, "text");
        }

        /// <summary>
        /// The public suffix of a domain (e.g. "co.uk" for "www.example.co.uk"), or null when the
        /// input is not a domain name. Labels are returned as given (lower case); U-labels stay U-labels.
        /// </summary>
        public string? GetPublicSuffix(string? domain)
        {
            if (!TrySplit(domain, out string[] original, out string[] ascii))
            {
                return null;
            }

            int suffixLabels = CountSuffixLabels(ascii);
            return Join(original, original.Length - suffixLabels);
        }

        /// <summary>
        /// The registrable domain: the public suffix plus one label (RFC 7489 §3.2 step 4), or null
        /// when the input is itself a public suffix or not a domain name.
        /// </summary>
        public string? GetRegistrableDomain(string? domain)
        {
            if (!TrySplit(domain, out string[] original, out string[] ascii))
            {
                return null;
            }

            int suffixLabels = CountSuffixLabels(ascii);
            if (original.Length <= suffixLabels)
            {
                return null;
            }

            return Join(original, original.Length - suffixLabels - 1);
        }

        /// <summary>True when the domain is itself a public suffix (listed, or an unlisted TLD).</summary>
        public bool IsPublicSuffix(string? domain)
        {
            if (!TrySplit(domain, out string[] original, out string[] ascii))
            {
                return false;
            }

            return CountSuffixLabels(ascii) >= original.Length;
        }

        /// <summary>The section of the rule that decides a domain's suffix, or null for the implicit "*" rule.</summary>
        public PublicSuffixSection? GetSection(string? domain)
        {
            if (!TrySplit(domain, out _, out string[] ascii))
            {
                return null;
            }

            return Match(ascii).Section;
        }

        private int CountSuffixLabels(string[] ascii) => Match(ascii).Labels;

        private (int Labels, PublicSuffixSection? Section) Match(string[] ascii)
        {
            // Only the rightmost labels a rule can span are tried: linear in the rule length, not
            // quadratic in the name's labels.
            int first = Math.Max(0, ascii.Length - _maxRuleLabels);

            // Exception rules win over every other rule; the suffix is the exception minus its
            // leftmost label (publicsuffix.org algorithm, "If the prevailing rule is an exception rule").
            for (int i = first; i < ascii.Length; i++)
            {
                string candidate = Join(ascii, i);
                if (_exceptions.TryGetValue(candidate, out PublicSuffixSection section))
                {
                    return (ascii.Length - i - 1, section);
                }
            }

            // Otherwise the matching rule with the most labels prevails; a wildcard "*.x" matches
            // any one label in front of "x".
            for (int i = first; i < ascii.Length; i++)
            {
                string candidate = Join(ascii, i);
                if (_rules.TryGetValue(candidate, out PublicSuffixSection section))
                {
                    return (ascii.Length - i, section);
                }

                if (i + 1 < ascii.Length && _wildcards.TryGetValue(Join(ascii, i + 1), out section))
                {
                    return (ascii.Length - i, section);
                }
            }

            // No rule: the implicit "*" makes the top-level label the suffix.
            return (1, null);
        }

        private static string Join(string[] labels, int start)
        {
            return string.Join(".", labels, start, labels.Length - start);
        }

        private static bool TrySplit(string? domain, out string[] original, out string[] ascii)
        {
            original = Array.Empty<string>();
            ascii = Array.Empty<string>();
            if (string.IsNullOrEmpty(domain))
            {
                return false;
            }

            string value = domain!.Trim();
            if (value.EndsWith(".", StringComparison.Ordinal))
            {
                value = value.Substring(0, value.Length - 1);
            }

            // A leading dot or an empty label is not a domain name (the list's own test vectors).
            if (value.Length == 0 || value.StartsWith(".", StringComparison.Ordinal))
            {
                return false;
            }

            // A name over 253 octets cannot be a domain (RFC 1035 §2.3.4, without the root's dot);
            // stop before splitting it into thousands of labels.
            if (value.Length > DomainName.MaxLength * 4)
            {
                return false;
            }

            original = value.ToLowerInvariant().Split('.');
            ascii = new string[original.Length];
            int octets = original.Length - 1;
            for (int i = 0; i < original.Length; i++)
            {
                if (original[i].Length == 0)
                {
                    return false;
                }

                string? label = ToAscii(original[i]);
                if (label is null || label.Length > DomainName.MaxLabelLength)
                {
                    // RFC 1035 §2.3.4: a label is 63 octets at most.
                    return false;
                }

                octets += label.Length;
                ascii[i] = label;
            }

            return octets <= DomainName.MaxLength;
        }

        /// <summary>A label in A-label form (lower case); null when it cannot be converted.</summary>
        private static string? ToAscii(string label)
        {
            bool plain = true;
            foreach (char c in label)
            {
                if (c > 0x7f)
                {
                    plain = false;
                    break;
                }
            }

            if (plain)
            {
                return label.ToLowerInvariant();
            }

            try
            {
                return s_idn.GetAscii(label).ToLowerInvariant();
            }
            catch (ArgumentException)
            {
                return null;
            }
        }

        private static PublicSuffixList LoadEmbedded()
        {
            using Stream? stream = typeof(PublicSuffixList).Assembly.GetManifestResourceStream(ResourceName);
            if (stream is null)
            {
                throw new InvalidOperationException($"The embedded resource '{ResourceName}' is missing from MailAuth.Core; the build is broken.");
            }

            using var reader = new StreamReader(stream, Encoding.UTF8);
            return Parse(reader.ReadToEnd(), "embedded");
        }

        private static PublicSuffixList Parse(string text, string source)
        {
            var rules = new Dictionary<string, PublicSuffixSection>(StringComparer.Ordinal);
            var wildcards = new Dictionary<string, PublicSuffixSection>(StringComparer.Ordinal);
            var exceptions = new Dictionary<string, PublicSuffixSection>(StringComparer.Ordinal);
            PublicSuffixSection section = PublicSuffixSection.Icann;

            using var reader = new StringReader(text);
            string? line;
            while ((line = reader.ReadLine()) != null)
            {
                string trimmed = line.Trim();
                if (trimmed.StartsWith("//", StringComparison.Ordinal))
                {
                    if (trimmed.IndexOf("===BEGIN PRIVATE DOMAINS===", StringComparison.Ordinal) >= 0)
                    {
                        section = PublicSuffixSection.Private;
                    }
                    else if (trimmed.IndexOf("===BEGIN ICANN DOMAINS===", StringComparison.Ordinal) >= 0)
                    {
                        section = PublicSuffixSection.Icann;
                    }

                    continue;
                }

                if (trimmed.Length == 0)
                {
                    continue;
                }

                // A rule is the text up to the first whitespace (publicsuffix.org format).
                int space = trimmed.IndexOfAny(new[] { ' ', '\t' });
                string rule = space < 0 ? trimmed : trimmed.Substring(0, space);

                Dictionary<string, PublicSuffixSection> target = rules;
                if (rule.StartsWith("!", StringComparison.Ordinal))
                {
                    target = exceptions;
                    rule = rule.Substring(1);
                }
                else if (rule.StartsWith("*.", StringComparison.Ordinal))
                {
                    target = wildcards;
                    rule = rule.Substring(2);
                }

                string? key = RuleToAscii(rule);
                if (key != null && !target.ContainsKey(key))
                {
                    target.Add(key, section);
                }
            }

            if (rules.Count + wildcards.Count + exceptions.Count == 0)
            {
                throw new FormatException($"The Public Suffix List from {source} holds no rule: expected lines such as 'com', '*.ck', '!www.ck'.");
            }

            return new PublicSuffixList(rules, wildcards, exceptions, source);
        }

        private static string? RuleToAscii(string rule)
        {
            string[] labels = rule.Split('.');
            for (int i = 0; i < labels.Length; i++)
            {
                if (labels[i].Length == 0)
                {
                    return null;
                }

                string? label = ToAscii(labels[i]);
                if (label is null)
                {
                    return null;
                }

                labels[i] = label;
            }

            return string.Join(".", labels);
        }
    }
}
