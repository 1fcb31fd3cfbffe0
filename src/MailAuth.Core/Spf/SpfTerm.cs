using System.Globalization;
using System.Net;

namespace MailAuth.Spf
{
    /// <summary>One term of an SPF record: a mechanism or a modifier (RFC 7208 §4.6.1, §5, §6).</summary>
    public sealed class SpfTerm
    {
        internal SpfTerm(int index, int position, string text, SpfTermKind kind, string name,
            SpfQualifier qualifier, bool explicitQualifier, SpfMacroString? domainSpec, string? value,
            IPAddress? network, int? ip4CidrLength, int? ip6CidrLength)
        {
            Index = index;
            Position = position;
            Text = text;
            KindCode = kind;
            Name = name;
            QualifierCode = qualifier;
            HasExplicitQualifier = explicitQualifier;
            DomainSpecMacro = domainSpec;
            Value = value;
            NetworkAddress = network;
            Ip4CidrLength = ip4CidrLength;
            Ip6CidrLength = ip6CidrLength;
        }

        /// <summary>0-based position of the term among the record's terms.</summary>
        public int Index { get; }

        /// <summary>Character offset of the term in the record text.</summary>
        public int Position { get; }

        /// <summary>The term as written.</summary>
        public string Text { get; }

        public string Kind => KindCode.ToString();

        internal SpfTermKind KindCode { get; }

        /// <summary>
        /// Lower-case name: all, include, a, mx, ptr, ip4, ip6, exists, redirect, exp, or the
        /// unknown modifier's name as written.
        /// </summary>
        public string Name { get; }

        /// <summary>The qualifier; Pass when none was written. Meaningless for modifiers.</summary>
        public string Qualifier => QualifierCode.ToString();

        internal SpfQualifier QualifierCode { get; }

        /// <summary>True when a qualifier character was written.</summary>
        public bool HasExplicitQualifier { get; }

        /// <summary>The qualifier character ('+', '-', '~', '?'); empty for modifiers.</summary>
        public string QualifierSymbol => KindCode == SpfTermKind.Modifier ? string.Empty : SymbolOf(QualifierCode);

        /// <summary>The domain-spec as written (include, a, mx, ptr, exists, redirect, exp), or null when absent.</summary>
        public string? DomainSpec => DomainSpecMacro?.Text;

        /// <summary>True when the domain-spec holds macros (RFC 7208 §7): its target is known only per message.</summary>
        public bool HasMacros => DomainSpecMacro?.HasMacros ?? false;

        /// <summary>The parsed domain-spec, for evaluation.</summary>
        internal SpfMacroString? DomainSpecMacro { get; }

        /// <summary>The value after ':' or '=' as written (domain-spec, network, or unknown modifier value).</summary>
        public string? Value { get; }

        /// <summary>ip4/ip6: the network address as written (not masked).</summary>
        public string? Network => NetworkAddress?.ToString();

        internal IPAddress? NetworkAddress { get; }

        /// <summary>The IPv4 CIDR length written (ip4, a, mx), or null for the default /32.</summary>
        public int? Ip4CidrLength { get; }

        /// <summary>The IPv6 CIDR length written (ip6, a, mx), or null for the default /128.</summary>
        public int? Ip6CidrLength { get; }

        /// <summary>True for a mechanism.</summary>
        public bool IsMechanism => KindCode == SpfTermKind.Mechanism;

        /// <summary>
        /// True for the terms that count against the limit of 10 DNS-querying terms (§4.6.4):
        /// include, a, mx, ptr, exists and redirect.
        /// </summary>
        public bool CausesDnsLookup
        {
            get
            {
                switch (Name)
                {
                    case "include":
                    case "a":
                    case "mx":
                    case "ptr":
                    case "exists":
                        return KindCode == SpfTermKind.Mechanism;
                    case "redirect":
                        return KindCode == SpfTermKind.Modifier;
                    default:
                        return false;
                }
            }
        }

        /// <summary>The effective IPv4 prefix length (32 when none was written).</summary>
        public int EffectiveIp4CidrLength => Ip4CidrLength ?? 32;

        /// <summary>The effective IPv6 prefix length (128 when none was written).</summary>
        public int EffectiveIp6CidrLength => Ip6CidrLength ?? 128;

        /// <summary>ip4/ip6 as "network/length" text.</summary>
        public string? NetworkText => NetworkAddress is null ? null
            : NetworkAddress.ToString() + "/" + (Name == "ip4" ? EffectiveIp4CidrLength : EffectiveIp6CidrLength).ToString(CultureInfo.InvariantCulture);

        public override string ToString() => Text;

        internal static string SymbolOf(SpfQualifier qualifier) => qualifier switch
        {
            SpfQualifier.Fail => "-",
            SpfQualifier.SoftFail => "~",
            SpfQualifier.Neutral => "?",
            _ => "+",
        };
    }
}
