using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MailAuth.Findings;

namespace MailAuth.Dmarc
{
    /// <summary>One tag=value pair as written in the record.</summary>
    public sealed class DmarcTag
    {
        public DmarcTag(string name, string value, bool isKnown)
        {
            Name = name;
            Value = value;
            IsKnown = isKnown;
        }

        /// <summary>Tag name in lower case.</summary>
        public string Name { get; }

        public string Value { get; }

        /// <summary>False for tags neither RFC 7489 nor RFC 9989 defines (kept and reported, else ignored).</summary>
        public bool IsKnown { get; }

        public override string ToString() => Name + "=" + Value;
    }

    /// <summary>
    /// A parsed DMARC policy record (RFC 7489 §6.3, RFC 9989 §4.7): every tag of both versions,
    /// unknown tags kept, and the findings a record shows without DNS. Parsing never throws for
    /// bad text: a text that is not a DMARC record gives <see cref="IsDmarcRecord"/> false.
    /// </summary>
    public sealed class DmarcRecord
    {
        /// <summary>Tags RFC 7489 defines and RFC 9989 removed (RFC 9989 Appendix C.5.2).</summary>
        internal static readonly string[] RemovedTags = { "pct", "rf", "ri" };

        private static readonly HashSet<string> s_knownTags = new HashSet<string>(StringComparer.Ordinal)
        {
            "v", "p", "sp", "np", "adkim", "aspf", "pct", "fo", "rf", "ri", "rua", "ruf", "psd", "t",
        };

        // Findings while the tags are read; Findings holds them once parsing is done.
        private readonly FindingCollector _collected = new FindingCollector();

        private DmarcRecord(string text)
        {
            Text = text;
        }

        /// <summary>The record text as given.</summary>
        public string Text { get; }

        /// <summary>True when the text starts with v=DMARC1 (RFC 9989 §4.7: otherwise the record is ignored).</summary>
        public bool IsDmarcRecord { get; private set; }

        /// <summary>All well-formed tags in record order, unknown ones included.</summary>
        public ResultList<DmarcTag> Tags { get; private set; } = ResultList<DmarcTag>.Empty;

        /// <summary>Tags no DMARC version defines.</summary>
        public ResultList<DmarcTag> UnknownTags => ResultList.From(Tags.Where(t => !t.IsKnown).ToArray());

        /// <summary>p, or null when absent or invalid (see <see cref="PolicyText"/>).</summary>
        public string? Policy => PolicyCode?.ToString();

        internal DmarcPolicyAction? PolicyCode { get; private set; }

        /// <summary>The p value as written, or null when absent.</summary>
        public string? PolicyText { get; private set; }

        /// <summary>sp, or null when absent or invalid.</summary>
        public string? SubdomainPolicy => SubdomainPolicyCode?.ToString();

        internal DmarcPolicyAction? SubdomainPolicyCode { get; private set; }

        /// <summary>np, or null when absent or invalid.</summary>
        public string? NonExistentSubdomainPolicy => NonExistentSubdomainPolicyCode?.ToString();

        internal DmarcPolicyAction? NonExistentSubdomainPolicyCode { get; private set; }

        /// <summary>True when p is present but not none/quarantine/reject, or sp/np are present and invalid.</summary>
        public bool HasInvalidPolicyTag { get; private set; }

        public string DkimAlignment => DkimAlignmentCode.ToString();

        internal DmarcAlignmentMode DkimAlignmentCode { get; private set; } = DmarcAlignmentMode.Relaxed;

        public string SpfAlignment => SpfAlignmentCode.ToString();

        internal DmarcAlignmentMode SpfAlignmentCode { get; private set; } = DmarcAlignmentMode.Relaxed;

        /// <summary>pct as written (0-100), or null when absent or invalid. RFC 7489 only.</summary>
        public int? Percentage { get; private set; }

        /// <summary>pct in force under RFC 7489: <see cref="Percentage"/> or the default 100.</summary>
        public int EffectivePercentage => Percentage ?? 100;

        /// <summary>fo as written, or null.</summary>
        public string? FailureOptions { get; private set; }

        /// <summary>rf as written, or null. RFC 7489 only.</summary>
        public string? ReportFormat { get; private set; }

        /// <summary>ri in seconds, or null. RFC 7489 only.</summary>
        public long? ReportInterval { get; private set; }

        public ResultList<DmarcReportUri> ReportUris { get; private set; } = ResultList<DmarcReportUri>.Empty;

        public ResultList<DmarcReportUri> FailureReportUris { get; private set; } = ResultList<DmarcReportUri>.Empty;

        public string Psd => PsdCode.ToString();

        internal DmarcPsd PsdCode { get; private set; } = DmarcPsd.Unspecified;

        /// <summary>t=y (RFC 9989 testing mode).</summary>
        public bool TestMode { get; private set; }

        /// <summary>True when rua holds at least one syntactically valid URI (matters for an invalid p, RFC 9989 §4.10.1).</summary>
        public bool HasValidReportUri => ReportUris.Any(u => u.IsValid);

        /// <summary>Findings from the text alone.</summary>
        public ResultList<Finding> Findings { get; private set; } = ResultList<Finding>.Empty;

        public override string ToString() => Text;

        /// <summary>True when the text is a DMARC record: first tag v, value exactly DMARC1.</summary>
        public static bool IsDmarc(string? text)
        {
            if (text is null)
            {
                return false;
            }

            string first = text.Split(';')[0];
            int eq = first.IndexOf('=');
            if (eq < 0)
            {
                return false;
            }

            // dmarc-version = "v" equals %s"DMARC1": value case-sensitive (RFC 9989 §4.8).
            return string.Equals(TrimWsp(first.Substring(0, eq)), "v", StringComparison.OrdinalIgnoreCase)
                && string.Equals(TrimWsp(first.Substring(eq + 1)), "DMARC1", StringComparison.Ordinal);
        }

        /// <summary>Parses a record. Never throws for bad text; see <see cref="IsDmarcRecord"/> and <see cref="Findings"/>.</summary>
        public static DmarcRecord Parse(string text)
        {
            if (text is null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            var record = new DmarcRecord(text);
            record.ParseTags();
            record.Findings = ResultList.From(record._collected.ToList());
            return record;
        }

        private void Add(FindingDefinition definition, string message, string? subject = null)
        {
            _collected.Add(new Finding(definition, message, subject));
        }

        private void ParseTags()
        {
            if (!IsDmarc(Text))
            {
                IsDmarcRecord = false;
                Add(FindingCatalog.Dmarc.NotDmarc,
                    "Not a DMARC record: it must start with 'v=DMARC1' (exactly, upper case) as the first tag; receivers ignore it.",
                    Shorten(Text));
                return;
            }

            IsDmarcRecord = true;
            var tags = new List<DmarcTag>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            string[] parts = Text.Split(';');
            for (int i = 1; i < parts.Length; i++)
            {
                string part = TrimWsp(parts[i]);
                if (part.Length == 0)
                {
                    continue;
                }

                int eq = part.IndexOf('=');
                if (eq < 0)
                {
                    Add(FindingCatalog.Dmarc.TagSyntax,
                        $"'{Shorten(part)}' is not a tag=value pair; it is ignored.", Shorten(part));
                    continue;
                }

                string name = TrimWsp(part.Substring(0, eq));
                string value = TrimWsp(part.Substring(eq + 1));
                if (name.Length == 0 || !name.All(IsAlpha))
                {
                    Add(FindingCatalog.Dmarc.TagSyntax,
                        $"'{Shorten(name)}' is not a tag name (letters only); the pair is ignored.", Shorten(part));
                    continue;
                }

                name = name.ToLowerInvariant();
                if (value.Length == 0)
                {
                    Add(FindingCatalog.Dmarc.TagSyntax,
                        $"Tag '{name}' has an empty value; it is ignored and its default applies.", name);
                    continue;
                }

                // dmarc-value = %x20-3A / %x3C-7E: printable ASCII only (RFC 9989 §4.8).
                char bad = value.FirstOrDefault(c => c < 0x20 || c > 0x7e);
                if (bad != default(char))
                {
                    Add(FindingCatalog.Dmarc.TagSyntax,
                        $"Tag '{name}' holds the character U+{(int)bad:X4}; values must be printable ASCII. The tag is ignored.", name);
                    continue;
                }

                if (name == "v")
                {
                    Add(FindingCatalog.Dmarc.TagDuplicate,
                        "Tag 'v' appears again after the start; only the first counts.", name);
                    continue;
                }

                if (!seen.Add(name))
                {
                    // RFC 6376 §3.2 (the tag-list syntax DMARC borrows): duplicate names make the list invalid.
                    Add(FindingCatalog.Dmarc.TagDuplicate,
                        $"Tag '{name}' appears more than once; the first value is used here, but receivers may reject the whole record (RFC 6376 §3.2).", name);
                    continue;
                }

                bool known = s_knownTags.Contains(name);
                tags.Add(new DmarcTag(name, value, known));
                if (!known)
                {
                    Add(FindingCatalog.Dmarc.TagUnknown,
                        $"Tag '{name}' is not defined by RFC 7489 or RFC 9989; receivers ignore it. Check its spelling.", name);
                    continue;
                }

                ApplyTag(name, value);
            }

            Tags = ResultList.From(tags);
            AddPolicyFindings(seen);
        }

        private void ApplyTag(string name, string value)
        {
            switch (name)
            {
                case "p":
                    PolicyText = value;
                    PolicyCode = ParsePolicy(value);
                    if (Policy is null)
                    {
                        HasInvalidPolicyTag = true;
                        Add(FindingCatalog.Dmarc.PolicyInvalid,
                            $"p={value} is not valid: use none, quarantine or reject. Receivers treat the record as p=none if rua holds a valid URI, otherwise they apply no DMARC processing.", name);
                    }

                    break;
                case "sp":
                    SubdomainPolicyCode = ParsePolicy(value);
                    if (SubdomainPolicy is null)
                    {
                        HasInvalidPolicyTag = true;
                        Add(FindingCatalog.Dmarc.SubdomainPolicyInvalid,
                            $"sp={value} is not valid: use none, quarantine or reject.", name);
                    }

                    break;
                case "np":
                    NonExistentSubdomainPolicyCode = ParsePolicy(value);
                    if (NonExistentSubdomainPolicy is null)
                    {
                        HasInvalidPolicyTag = true;
                        Add(FindingCatalog.Dmarc.NonExistentPolicyInvalid,
                            $"np={value} is not valid: use none, quarantine or reject.", name);
                    }

                    break;
                case "adkim":
                case "aspf":
                    DmarcAlignmentMode? mode = value.ToLowerInvariant() switch
                    {
                        "r" => DmarcAlignmentMode.Relaxed,
                        "s" => DmarcAlignmentMode.Strict,
                        _ => null,
                    };
                    if (mode is null)
                    {
                        Add(name == "adkim" ? FindingCatalog.Dmarc.AdkimInvalid : FindingCatalog.Dmarc.AspfInvalid,
                            $"{name}={value} is not valid: use r (relaxed) or s (strict). The default r applies.", name);
                    }
                    else if (name == "adkim")
                    {
                        DkimAlignmentCode = mode.Value;
                    }
                    else
                    {
                        SpfAlignmentCode = mode.Value;
                    }

                    break;
                case "pct":
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int pct) && pct <= 100)
                    {
                        Percentage = pct;
                    }
                    else
                    {
                        Add(FindingCatalog.Dmarc.PctInvalid,
                            $"pct={value} is not valid: a whole number from 0 to 100. RFC 7489 receivers use the default 100.", name);
                    }

                    break;
                case "fo":
                    FailureOptions = value;
                    if (!IsValidFailureOptions(value))
                    {
                        Add(FindingCatalog.Dmarc.FoInvalid,
                            $"fo={value} is not valid: colon-separated 0, 1, d, s (0 and 1 not together, each at most once).", name);
                    }

                    break;
                case "rf":
                    ReportFormat = value;
                    if (!value.Split(':').All(f => string.Equals(TrimWsp(f), "afrf", StringComparison.OrdinalIgnoreCase)))
                    {
                        Add(FindingCatalog.Dmarc.RfInvalid,
                            $"rf={value} is not valid: the only report format RFC 7489 registers is afrf.", name);
                    }

                    break;
                case "ri":
                    if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long ri) && ri <= uint.MaxValue)
                    {
                        ReportInterval = ri;
                    }
                    else
                    {
                        Add(FindingCatalog.Dmarc.RiInvalid,
                            $"ri={value} is not valid: a number of seconds (32-bit unsigned). RFC 7489 receivers use the default 86400.", name);
                    }

                    break;
                case "rua":
                    ReportUris = ResultList.From(ParseUris(name, value));
                    break;
                case "ruf":
                    FailureReportUris = ResultList.From(ParseUris(name, value));
                    break;
                case "psd":
                    switch (value.ToLowerInvariant())
                    {
                        case "y": PsdCode = DmarcPsd.Yes; break;
                        case "n": PsdCode = DmarcPsd.No; break;
                        case "u": PsdCode = DmarcPsd.Unspecified; break;
                        default:
                            Add(FindingCatalog.Dmarc.PsdInvalid,
                                $"psd={value} is not valid: use y, n or u. The default u applies.", name);
                            break;
                    }

                    break;
                case "t":
                    switch (value.ToLowerInvariant())
                    {
                        case "y": TestMode = true; break;
                        case "n": TestMode = false; break;
                        default:
                            Add(FindingCatalog.Dmarc.TestInvalid,
                                $"t={value} is not valid: use y or n. The default n applies.", name);
                            break;
                    }

                    break;
            }
        }

        private IReadOnlyList<DmarcReportUri> ParseUris(string tag, string value)
        {
            var list = new List<DmarcReportUri>();
            foreach (string raw in value.Split(','))
            {
                string entry = TrimWsp(raw);
                if (entry.Length == 0)
                {
                    Add(FindingCatalog.Dmarc.UriInvalid,
                        $"{tag} has an empty entry (two commas in a row or a trailing comma).", tag);
                    continue;
                }

                DmarcReportUri uri = DmarcReportUri.Parse(entry);
                list.Add(uri);
                if (!uri.IsValid)
                {
                    Add(FindingCatalog.Dmarc.UriInvalid,
                        $"{tag} entry '{Shorten(entry)}' is not usable: {uri.Error}.", entry);
                    continue;
                }

                if (uri.SizeText != null)
                {
                    Add(FindingCatalog.Dmarc.UriSize,
                        $"{tag} entry '{entry}' carries a size limit '!{uri.SizeText}'; RFC 9989 §4.8 marks it obsolete and report generators ignore it.", entry);
                }

                if (!uri.IsMailto)
                {
                    Add(FindingCatalog.Dmarc.UriScheme,
                        $"{tag} entry '{entry}' uses the scheme '{uri.Scheme}'; receivers are only required to support mailto: and ignore schemes they do not support.", entry);
                }
            }

            return list;
        }

        private void AddPolicyFindings(HashSet<string> seen)
        {
            if (!seen.Contains("p"))
            {
                Add(FindingCatalog.Dmarc.PolicyMissing,
                    "The record has no p tag. RFC 7489 requires it (receivers then apply p=none only when rua is valid); RFC 9989 treats it as p=none. Publish p=none, quarantine or reject.", "p");
            }
            else if (PolicyCode == DmarcPolicyAction.None)
            {
                Add(FindingCatalog.Dmarc.PolicyNone,
                    "p=none: monitoring only. Receivers take no action on failing mail, so forged mail from this domain is delivered; move to quarantine or reject once reports show legitimate mail aligns.", "p");
            }

            foreach (string removed in RemovedTags)
            {
                if (seen.Contains(removed))
                {
                    string extra = removed == "pct" ? " Use t=y for testing (RFC 9989 Appendix A.6)." : string.Empty;
                    Add(FindingCatalog.Dmarc.TagRemoved,
                        $"Tag '{removed}' is defined by RFC 7489 but removed by RFC 9989 (DMARCbis); RFC 9989 receivers ignore it.{extra}", removed);
                }
            }

            if (Percentage.HasValue && Percentage.Value < 100)
            {
                Add(FindingCatalog.Dmarc.PctPartial,
                    $"pct={Percentage.Value}: RFC 7489 receivers apply the policy to only {Percentage.Value}% of failing mail (the rest one step weaker). RFC 9989 receivers ignore pct.", "pct");
            }

            if (TestMode)
            {
                Add(FindingCatalog.Dmarc.TestMode,
                    "t=y: testing mode. RFC 9989 receivers apply the policy one step weaker (reject as quarantine, quarantine as none).", "t");
            }

            if (!seen.Contains("rua") || ReportUris.Count == 0)
            {
                Add(FindingCatalog.Dmarc.RuaMissing,
                    "No rua tag: no aggregate reports are requested, so the domain owner cannot see who sends mail as this domain. Add rua=mailto:<mailbox>.", "rua");
            }

            if (FailureOptions != null && FailureReportUris.Count == 0)
            {
                Add(FindingCatalog.Dmarc.FoWithoutRuf,
                    "fo is set but there is no ruf tag; fo is ignored without ruf.", "fo");
            }

            if (PolicyCode.HasValue && SubdomainPolicyCode.HasValue && Strength(SubdomainPolicyCode.Value) < Strength(PolicyCode.Value))
            {
                Add(FindingCatalog.Dmarc.SubdomainPolicyWeaker,
                    $"sp={Name(SubdomainPolicyCode.Value)} is weaker than p={Name(PolicyCode.Value)}: mail forged from subdomains is treated more leniently than the domain itself.", "sp");
            }

            if (PolicyCode.HasValue && NonExistentSubdomainPolicyCode.HasValue)
            {
                DmarcPolicyAction reference = SubdomainPolicyCode ?? PolicyCode.Value;
                if (Strength(NonExistentSubdomainPolicyCode.Value) < Strength(reference))
                {
                    Add(FindingCatalog.Dmarc.NonExistentPolicyWeaker,
                        $"np={Name(NonExistentSubdomainPolicyCode.Value)} is weaker than {(SubdomainPolicyCode.HasValue ? "sp" : "p")}={Name(reference)}: mail from made-up subdomains, which no legitimate sender uses, is treated more leniently.", "np");
                }
            }
        }

        internal static int Strength(DmarcPolicyAction action) => (int)action;

        internal static string Name(DmarcPolicyAction action) => action switch
        {
            DmarcPolicyAction.Quarantine => "quarantine",
            DmarcPolicyAction.Reject => "reject",
            _ => "none",
        };

        internal static DmarcPolicyAction? ParsePolicy(string value)
        {
            switch (value.ToLowerInvariant())
            {
                case "none": return DmarcPolicyAction.None;
                case "quarantine": return DmarcPolicyAction.Quarantine;
                case "reject": return DmarcPolicyAction.Reject;
                default: return null;
            }
        }

        private static bool IsValidFailureOptions(string value)
        {
            bool zeroOrOne = false;
            bool d = false;
            bool s = false;
            foreach (string raw in value.Split(':'))
            {
                string option = TrimWsp(raw).ToLowerInvariant();
                switch (option)
                {
                    case "0":
                    case "1":
                        if (zeroOrOne)
                        {
                            return false;
                        }

                        zeroOrOne = true;
                        break;
                    case "d":
                        if (d)
                        {
                            return false;
                        }

                        d = true;
                        break;
                    case "s":
                        if (s)
                        {
                            return false;
                        }

                        s = true;
                        break;
                    default:
                        return false;
                }
            }

            return true;
        }

        private static bool IsAlpha(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

        // WSP = SP / HTAB (RFC 5234); DNS TXT text may also carry line breaks from zone files.
        private static string TrimWsp(string text) => text.Trim(' ', '\t', '\r', '\n');

        private static string Shorten(string text) => text.Length <= 60 ? text : text.Substring(0, 57) + "...";
    }
}
