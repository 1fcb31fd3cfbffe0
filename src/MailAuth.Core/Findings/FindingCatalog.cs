using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using static MailAuth.FindingSeverity;

namespace MailAuth.Findings
{
    /// <summary>
    /// Every finding the module and the CLI emit, in one place (issue 19): a <see cref="Finding"/>
    /// can only be made from one of these definitions, and docs/findings.md has a section per id
    /// (a test holds the two together). The severity is the one emitted by default, at most: a
    /// few findings say when they are milder (docs/findings.md). Users list the catalog with
    /// Get-MailAuthFinding or <c>mailauth findings</c> and change severities with -FindingSeverity.
    /// </summary>
    public static class FindingCatalog
    {
        /// <summary>docs/findings.md in the project; each definition's HelpUri is this plus #lower-case-id.</summary>
        public const string DocumentUri = "https://example.invalid/MailAuth.PowerShell/blob/main/docs/findings.md";

        private static readonly (string Prefix, FindingArea Area)[] s_prefixes =
        {
            ("HDR-", FindingArea.Headers), ("DMARC-", FindingArea.Dmarc), ("SPF-", FindingArea.Spf), ("DKIM-", FindingArea.Dkim),
            ("MX-", FindingArea.Mx), ("MTASTS-", FindingArea.MtaSts), ("TLSRPT-", FindingArea.TlsRpt), ("BIMI-", FindingArea.Bimi),
            ("ADDR-", FindingArea.Address),
        };

        private static readonly Lazy<Index> s_index = new Lazy<Index>(() => new Index());

        /// <summary>All definitions, by area (in <see cref="FindingArea"/> order), then as declared.</summary>
        public static ResultList<FindingDefinition> All => s_index.Value.All;

        /// <summary>The definition with this id (case-insensitive), or null.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
        public static FindingDefinition? Find(string id)
        {
            if (id is null)
            {
                throw new ArgumentNullException(nameof(id));
            }

            return s_index.Value.ById.TryGetValue(id, out FindingDefinition? d) ? d : null;
        }

        /// <summary>
        /// The definitions whose id matches any of <paramref name="patterns"/> (ids or wildcards with
        /// * and ?, case-insensitive; null or empty: all) and whose area is one of
        /// <paramref name="areas"/> (null or empty: any), in catalog order.
        /// </summary>
        public static IReadOnlyList<FindingDefinition> Select(IEnumerable<string>? patterns, IEnumerable<FindingArea>? areas)
        {
            string[] p = patterns?.Where(x => !string.IsNullOrEmpty(x)).ToArray() ?? Array.Empty<string>();
            var a = new HashSet<FindingArea>(areas ?? Enumerable.Empty<FindingArea>());
            return All.Where(d => (p.Length == 0 || p.Any(d.Matches)) && (a.Count == 0 || a.Contains(d.AreaCode))).ToArray();
        }

        /// <summary>The id prefix of each area, such as HDR- for Headers.</summary>
        internal static IEnumerable<string> Prefixes => s_prefixes.Select(p => p.Prefix);

        private static FindingDefinition Define(string id, FindingSeverity severity, string title, string reference)
        {
            FindingArea area = s_prefixes.First(p => id.StartsWith(p.Prefix, StringComparison.Ordinal)).Area;
            return new FindingDefinition(id, severity, area, title, reference);
        }

        /// <summary>The lists, read once from the nested classes' fields (so each definition is written once).</summary>
        private sealed class Index
        {
            public Index()
            {
                FindingDefinition[] declared = typeof(FindingCatalog).GetNestedTypes(BindingFlags.Public)
                    .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
                    .Where(f => f.FieldType == typeof(FindingDefinition))
                    .Select(f => (FindingDefinition)f.GetValue(null)!)
                    .ToArray();
                All = ResultList.From(declared.Select((d, i) => (d, i)).OrderBy(x => x.d.AreaCode).ThenBy(x => x.i).Select(x => x.d).ToArray());
                ById = declared.ToDictionary(d => d.Id, StringComparer.OrdinalIgnoreCase);
            }

            public ResultList<FindingDefinition> All { get; }

            public Dictionary<string, FindingDefinition> ById { get; }
        }

        /// <summary>Header forensics (Get-MailHeaderReport, mailauth header; docs/headers.md).</summary>
        public static class Header
        {
            public static readonly FindingDefinition SpfPassUnaligned = Define("HDR-SPF-UNALIGNED", Error, "SPF passed for an envelope domain not aligned with From", "RFC 7489 §3.1.2");
            public static readonly FindingDefinition IpListed = Define("HDR-IP-LISTED", Warning, "A hop's client address is on a DNS blocklist", "RFC 5782 §2");
            public static readonly FindingDefinition DomainListed = Define("HDR-DOMAIN-LISTED", Error, "A domain the message names is on a domain blocklist", "RFC 5782 §2");
            public static readonly FindingDefinition ReplyToDiffers = Define("HDR-REPLYTO-DIFFERS", Warning, "Reply-To is outside the From Organizational Domain", "RFC 5322 §3.6.2");
            public static readonly FindingDefinition DisplayNameAddress = Define("HDR-DISPLAYNAME-ADDRESS", Warning, "The display name shows another address or domain", "RFC 5322 §3.4");
            public static readonly FindingDefinition DmarcFail = Define("HDR-DMARC-FAIL", Error, "The receiver recorded dmarc=fail", "RFC 7489 §6.6.2");
            public static readonly FindingDefinition DmarcNone = Define("HDR-DMARC-NONE", Warning, "The receiver recorded dmarc=none: no DMARC policy", "RFC 7489 §6.6.3");
            public static readonly FindingDefinition DmarcNotRecorded = Define("HDR-DMARC-NOT-RECORDED", Information, "The receiving organization recorded no DMARC result", "RFC 8601 §2.7.1");
            public static readonly FindingDefinition DkimNone = Define("HDR-DKIM-NONE", Warning, "The message carries no DKIM signature", "RFC 6376 §3.5");
            public static readonly FindingDefinition DkimFail = Define("HDR-DKIM-FAIL", Warning, "A trusted DKIM result is not pass", "RFC 8601 §2.7.1");
            public static readonly FindingDefinition DkimUnaligned = Define("HDR-DKIM-UNALIGNED", Warning, "DKIM passed only for domains not aligned with From", "RFC 7489 §3.1.1");
            public static readonly FindingDefinition DkimBodyLength = Define("HDR-DKIM-BODY-LENGTH", Information, "A DKIM signature covers only part of the body (l=)", "RFC 6376 §8.2");
            public static readonly FindingDefinition CompAuthFail = Define("HDR-COMPAUTH-FAIL", Warning, "Microsoft 365 composite authentication failed", "https://learn.microsoft.com/defender-office-365/message-headers-eop-mdo");
            public static readonly FindingDefinition EdgePrivateIp = Define("HDR-EDGE-PRIVATE-IP", Warning, "The edge client address is private or reserved", "RFC 6890 §2.2");
            public static readonly FindingDefinition HopClockSkew = Define("HDR-HOP-CLOCK-SKEW", Warning, "A hop is stamped before the one below it", "RFC 5321 §4.4");
            public static readonly FindingDefinition HopDelay = Define("HDR-HOP-DELAY", Information, "A hop took longer than the delay threshold", "RFC 5321 §4.4");
            public static readonly FindingDefinition HopDateUnreadable = Define("HDR-HOP-DATE-UNREADABLE", Information, "A Received date cannot be read", "RFC 5322 §3.3");
            public static readonly FindingDefinition HopsCapped = Define("HDR-HOPS-CAPPED", Warning, "More Received fields than MaxHops; the rest are not read", "RFC 5321 §6.3");
            public static readonly FindingDefinition FutureDate = Define("HDR-FUTURE-DATE", Warning, "The Date or a hop is later than the message was received", "RFC 5322 §3.6.1");
            public static readonly FindingDefinition DateUnreadable = Define("HDR-DATE-UNREADABLE", Information, "The Date header cannot be read", "RFC 5322 §3.3");
            public static readonly FindingDefinition MultipleFrom = Define("HDR-MULTIPLE-FROM", Error, "The message has more than one From field", "RFC 5322 §3.6");
            public static readonly FindingDefinition NoFrom = Define("HDR-NO-FROM", Warning, "The message has no From field", "RFC 5322 §3.6");
            public static readonly FindingDefinition NoTrustedResults = Define("HDR-NO-TRUSTED-AUTHRES", Information, "No Authentication-Results field is from the receiving organization", "RFC 8601 §5");
            public static readonly FindingDefinition ResultsBeforeEdge = Define("HDR-AUTHRES-BEFORE-EDGE", Warning, "Authentication-Results from before the edge claim passes", "RFC 8601 §5");
            public static readonly FindingDefinition ResultsWithoutAuthServId = Define("HDR-AUTHRES-NO-AUTHSERVID", Information, "Authentication-Results without an authserv-id are not believed", "RFC 8601 §2.2");
            public static readonly FindingDefinition ArcMicrosoftSeal = Define("HDR-ARC-MICROSOFT-SEAL", Information, "Microsoft 365 sealed ARC sets before the receiving organization", "RFC 8617 §5.1");
            public static readonly FindingDefinition GatewaySpf = Define("HDR-GATEWAY-SPF", Warning, "Microsoft 365 checked SPF against the gateway in front of it", "https://learn.microsoft.com/exchange/mail-flow-best-practices/use-connectors-to-configure-mail-flow/enhanced-filtering-for-connectors");
            public static readonly FindingDefinition ArcIncomplete = Define("HDR-ARC-INCOMPLETE", Warning, "An ARC set lacks one of its three fields", "RFC 8617 §4.1");
            public static readonly FindingDefinition ArcChainFail = Define("HDR-ARC-CV-FAIL", Warning, "The newest ARC seal says cv=fail", "RFC 8617 §5.1.1");
            public static readonly FindingDefinition InputTruncated = Define("HDR-INPUT-TRUNCATED", Warning, "The input was longer than the limit; only its beginning was read", "docs/limits.md");
            public static readonly FindingDefinition LimitReached = Define("HDR-LIMIT-REACHED", Warning, "A header-analysis limit was reached", "docs/limits.md");
            public static readonly FindingDefinition NoHeaderFields = Define("HDR-NO-HEADER-FIELDS", Error, "No header fields were found", "RFC 5322 §2.2");

            // -Verify (MailHeaderVerifier): recorded then versus recomputed now.
            public static readonly FindingDefinition VerifySpfDiffers = Define("HDR-VERIFY-SPF-DIFFERS", Warning, "The recorded SPF result differs from SPF now", "RFC 7208 §2.6");
            public static readonly FindingDefinition VerifyDkimDiffers = Define("HDR-VERIFY-DKIM-DIFFERS", Warning, "A recorded DKIM result differs from the signature now", "RFC 6376 §6.1");
            public static readonly FindingDefinition VerifyArcDiffers = Define("HDR-VERIFY-ARC-DIFFERS", Warning, "The recorded ARC result differs from the chain now", "RFC 8617 §5.2");
            public static readonly FindingDefinition VerifyDmarcDiffers = Define("HDR-VERIFY-DMARC-DIFFERS", Warning, "The recorded DMARC result differs from DMARC now", "RFC 7489 §6.6");
            public static readonly FindingDefinition VerifySpfSkipped = Define("HDR-VERIFY-SPF-SKIPPED", Information, "SPF could not be recomputed", "RFC 7208 §4.1");
            public static readonly FindingDefinition VerifyBodyMissing = Define("HDR-VERIFY-BODY-MISSING", Information, "DKIM cannot be verified without the body", "RFC 6376 §3.7");
            public static readonly FindingDefinition VerifyDkimKey = Define("HDR-VERIFY-DKIM-KEY", Warning, "A signature's key record is missing or unusable now", "RFC 6376 §6.1.2");
            public static readonly FindingDefinition VerifyDmarcIncomplete = Define("HDR-VERIFY-DMARC-INCOMPLETE", Information, "DMARC now rests on SPF alone and is not compared", "RFC 7489 §6.6");
        }

        /// <summary>DMARC records and policy discovery (Resolve-DmarcPolicy, mailauth dmarc; docs/dmarc.md).</summary>
        public static class Dmarc
        {
            // Record syntax (RFC 7489 §6.3-6.4, RFC 9989 §4.7-4.8).
            public static readonly FindingDefinition NotDmarc = Define("DMARC-NOT-DMARC", Error, "The text does not start with v=DMARC1", "RFC 7489 §6.4");
            public static readonly FindingDefinition TagSyntax = Define("DMARC-TAG-SYNTAX", Error, "A tag is not tag=value", "RFC 9989 §4.8");
            public static readonly FindingDefinition TagDuplicate = Define("DMARC-TAG-DUPLICATE", Error, "A tag appears twice", "RFC 6376 §3.2");
            public static readonly FindingDefinition TagUnknown = Define("DMARC-TAG-UNKNOWN", Warning, "A tag no DMARC RFC defines", "RFC 9989 §4.7");
            public static readonly FindingDefinition TagRemoved = Define("DMARC-TAG-REMOVED", Information, "pct, rf or ri: tags RFC 9989 removed", "RFC 9989 §4.7");
            public static readonly FindingDefinition PolicyMissing = Define("DMARC-P-MISSING", Error, "The record has no p= tag", "RFC 7489 §6.3");
            public static readonly FindingDefinition PolicyInvalid = Define("DMARC-P-INVALID", Error, "p= is not none, quarantine or reject", "RFC 7489 §6.3");
            public static readonly FindingDefinition SubdomainPolicyInvalid = Define("DMARC-SP-INVALID", Error, "sp= is not none, quarantine or reject", "RFC 7489 §6.3");
            public static readonly FindingDefinition NonExistentPolicyInvalid = Define("DMARC-NP-INVALID", Error, "np= is not none, quarantine or reject", "RFC 9989 §4.7");
            public static readonly FindingDefinition AdkimInvalid = Define("DMARC-ADKIM-INVALID", Error, "adkim= is not r or s", "RFC 7489 §6.3");
            public static readonly FindingDefinition AspfInvalid = Define("DMARC-ASPF-INVALID", Error, "aspf= is not r or s", "RFC 7489 §6.3");
            public static readonly FindingDefinition PctInvalid = Define("DMARC-PCT-INVALID", Error, "pct= is not a number from 0 to 100", "RFC 7489 §6.3");
            public static readonly FindingDefinition FoInvalid = Define("DMARC-FO-INVALID", Warning, "fo= has an unknown reporting option", "RFC 7489 §6.3");
            public static readonly FindingDefinition FoWithoutRuf = Define("DMARC-FO-WITHOUT-RUF", Information, "fo= has no effect without ruf=", "RFC 7489 §6.3");
            public static readonly FindingDefinition RfInvalid = Define("DMARC-RF-INVALID", Warning, "rf= names an unknown report format", "RFC 7489 §6.3");
            public static readonly FindingDefinition RiInvalid = Define("DMARC-RI-INVALID", Warning, "ri= is not a number of seconds", "RFC 7489 §6.3");
            public static readonly FindingDefinition PsdInvalid = Define("DMARC-PSD-INVALID", Error, "psd= is not y, n or u", "RFC 9989 §4.7");
            public static readonly FindingDefinition TestInvalid = Define("DMARC-T-INVALID", Error, "t= is not y or n", "RFC 9989 §4.7");
            public static readonly FindingDefinition UriInvalid = Define("DMARC-URI-INVALID", Error, "A rua/ruf entry is not a usable URI", "RFC 9989 §4.8");
            public static readonly FindingDefinition UriSize = Define("DMARC-URI-SIZE", Information, "A report URI has the obsolete !size suffix", "RFC 9989 §4.8");
            public static readonly FindingDefinition UriScheme = Define("DMARC-URI-SCHEME", Warning, "A report URI is not mailto:", "RFC 7489 §6.2");

            // Policy strength and reporting.
            public static readonly FindingDefinition PolicyNone = Define("DMARC-P-NONE", Warning, "p=none: monitoring only", "RFC 7489 §6.3");
            public static readonly FindingDefinition PctPartial = Define("DMARC-PCT-PARTIAL", Warning, "pct= below 100 applies the policy to part of the mail", "RFC 7489 §6.6.4");
            public static readonly FindingDefinition TestMode = Define("DMARC-T-TESTING", Information, "t=y: the policy is in test mode", "RFC 9989 §4.7");
            public static readonly FindingDefinition RuaMissing = Define("DMARC-RUA-MISSING", Warning, "No aggregate reports are requested", "RFC 7489 §7.2");
            public static readonly FindingDefinition SubdomainPolicyWeaker = Define("DMARC-SP-WEAKER", Warning, "sp= is weaker than p=", "RFC 7489 §6.3");
            public static readonly FindingDefinition NonExistentPolicyWeaker = Define("DMARC-NP-WEAKER", Warning, "np= is weaker than sp= or p=", "RFC 9989 §4.7");

            // Discovery (need DNS).
            public static readonly FindingDefinition DuplicateRecords = Define("DMARC-DUPLICATE-RECORDS", Error, "Several DMARC records at one name", "RFC 7489 §6.6.3");
            public static readonly FindingDefinition ReportUnauthorized = Define("DMARC-REPORT-UNAUTHORIZED", Warning, "An external report destination has not authorized the domain", "RFC 7489 §7.1");
            public static readonly FindingDefinition ReportAuthorizationFailed = Define("DMARC-REPORT-CHECK-FAILED", Warning, "The report-authorization query failed", "RFC 7489 §7.1");
            public static readonly FindingDefinition PublicSuffix = Define("DMARC-PUBLIC-SUFFIX", Warning, "The policy is on a public suffix", "RFC 9989 §5.2");
            public static readonly FindingDefinition MethodsDisagree = Define("DMARC-METHODS-DISAGREE", Warning, "Tree walk and Public Suffix List name different Organizational Domains", "RFC 9989 §4.10");
            public static readonly FindingDefinition Inherited = Define("DMARC-INHERITED", Information, "The policy comes from a parent domain's record", "RFC 7489 §6.6.3");
            public static readonly FindingDefinition OrganizationalDomainIncomplete = Define("DMARC-ORGDOMAIN-INCOMPLETE", Warning, "A record was found, but a tree-walk query failed", "RFC 9989 §4.10");
            public static readonly FindingDefinition NoRecord = Define("DMARC-NO-RECORD", Warning, "No DMARC policy applies to the domain", "RFC 7489 §6.6.3");
            public static readonly FindingDefinition LookupFailed = Define("DMARC-LOOKUP-FAILED", Error, "A DMARC query failed", "RFC 7489 §6.6.3");
            public static readonly FindingDefinition WalkShortened = Define("DMARC-WALK-SHORTENED", Information, "More than eight labels: the tree walk skips names", "RFC 9989 §4.10");
        }

        /// <summary>SPF records (Get-SpfRecord, mailauth spf; docs/spf.md).</summary>
        public static class Spf
        {
            public static readonly FindingDefinition InvalidDomain = Define("SPF-INVALID-DOMAIN", Error, "The name cannot have an SPF record", "RFC 7208 §4.3");
            public static readonly FindingDefinition LookupFailed = Define("SPF-LOOKUP-FAILED", Error, "The SPF TXT query failed", "RFC 7208 §4.4");
            public static readonly FindingDefinition NoRecord = Define("SPF-NO-RECORD", Warning, "The domain has no SPF record", "RFC 7208 §4.5");
            public static readonly FindingDefinition MultipleRecords = Define("SPF-MULTIPLE-RECORDS", Error, "Several v=spf1 TXT records", "RFC 7208 §4.5");
            public static readonly FindingDefinition Syntax = Define("SPF-SYNTAX", Error, "The record does not parse", "RFC 7208 §4.6");
            public static readonly FindingDefinition LookupLimit = Define("SPF-LOOKUP-LIMIT", Error, "More than 10 DNS-querying terms", "RFC 7208 §4.6.4");
            public static readonly FindingDefinition VoidLimit = Define("SPF-VOID-LIMIT", Error, "More than two void lookups", "RFC 7208 §4.6.4");
            public static readonly FindingDefinition VoidLookups = Define("SPF-VOID-LOOKUPS", Warning, "A lookup in the record finds nothing", "RFC 7208 §4.6.4");
            public static readonly FindingDefinition StringTooLong = Define("SPF-STRING-TOO-LONG", Error, "A TXT string is over 255 characters", "RFC 7208 §3.3");
            public static readonly FindingDefinition UdpSize = Define("SPF-UDP-SIZE", Warning, "The TXT answer is over 512 bytes", "RFC 7208 §3.4");
            public static readonly FindingDefinition IncludeNoSpf = Define("SPF-INCLUDE-NO-SPF", Error, "An include target has no SPF record", "RFC 7208 §5.2");
            public static readonly FindingDefinition RedirectNoSpf = Define("SPF-REDIRECT-NO-SPF", Error, "The redirect target has no SPF record", "RFC 7208 §6.1");
            public static readonly FindingDefinition IncludeLookupFailed = Define("SPF-INCLUDE-LOOKUP-FAILED", Error, "An include target's lookup failed", "RFC 7208 §5.2");
            public static readonly FindingDefinition IncludeInvalid = Define("SPF-INCLUDE-INVALID", Error, "An include target's record is invalid", "RFC 7208 §5.2");
            public static readonly FindingDefinition IncludeLoop = Define("SPF-INCLUDE-LOOP", Error, "Includes or redirects form a loop", "RFC 7208 §4.6.4");
            public static readonly FindingDefinition Ptr = Define("SPF-PTR", Warning, "The ptr mechanism is used", "RFC 7208 §5.5");
            public static readonly FindingDefinition MacroP = Define("SPF-MACRO-P", Warning, "The %{p} macro is used", "RFC 7208 §7.2");
            public static readonly FindingDefinition AllPass = Define("SPF-ALL-PASS", Error, "+all lets any host pass", "RFC 7208 §5.1");
            public static readonly FindingDefinition AllNeutral = Define("SPF-ALL-NEUTRAL", Warning, "?all gives no verdict", "RFC 7208 §5.1");
            public static readonly FindingDefinition TermsAfterAll = Define("SPF-TERMS-AFTER-ALL", Warning, "Mechanisms after all are never reached", "RFC 7208 §5.1");
            public static readonly FindingDefinition RedirectWithAll = Define("SPF-REDIRECT-WITH-ALL", Warning, "redirect is ignored because of all", "RFC 7208 §6.1");
            public static readonly FindingDefinition NoAll = Define("SPF-NO-ALL", Warning, "Neither all nor redirect ends the record", "RFC 7208 §4.7");
            public static readonly FindingDefinition UnknownModifier = Define("SPF-UNKNOWN-MODIFIER", Information, "An unknown modifier is ignored", "RFC 7208 §6");
            public static readonly FindingDefinition IpAll = Define("SPF-IP-ALL", Error, "An ip4/ip6 range covers every address", "RFC 7208 §5.6");
            public static readonly FindingDefinition IpHostBits = Define("SPF-IP-HOST-BITS", Information, "An ip4/ip6 range has host bits set", "RFC 7208 §5.6");
            public static readonly FindingDefinition IpDuplicate = Define("SPF-IP-DUPLICATE", Warning, "An ip4/ip6 range is repeated", "RFC 7208 §5.6");
            public static readonly FindingDefinition IpOverlap = Define("SPF-IP-OVERLAP", Information, "An ip4/ip6 range lies inside another", "RFC 7208 §5.6");
        }

        /// <summary>DKIM key records (Get-DkimRecord; docs/posture.md).</summary>
        public static class Dkim
        {
            public static readonly FindingDefinition LookupFailed = Define("DKIM-LOOKUP-FAILED", Error, "No key found and a selector lookup failed", "RFC 6376 §3.6.2.2");
            public static readonly FindingDefinition NoneFound = Define("DKIM-NONE-FOUND", Warning, "No selector tried has a key", "RFC 6376 §3.6.2.1");
            public static readonly FindingDefinition Malformed = Define("DKIM-MALFORMED", Error, "The key record is not a valid tag list", "RFC 6376 §3.2");
            public static readonly FindingDefinition VersionInvalid = Define("DKIM-VERSION-INVALID", Error, "v= is not DKIM1, or not first", "RFC 6376 §3.6.1");
            public static readonly FindingDefinition KeyMissing = Define("DKIM-KEY-MISSING", Error, "The record has no p= tag", "RFC 6376 §3.6.1");
            public static readonly FindingDefinition KeyRevoked = Define("DKIM-KEY-REVOKED", Warning, "Empty p=: the key is revoked", "RFC 6376 §3.6.1");
            public static readonly FindingDefinition KeyTypeUnknown = Define("DKIM-KEY-TYPE-UNKNOWN", Error, "k= is not rsa or ed25519", "RFC 6376 §3.6.1");
            public static readonly FindingDefinition KeyMalformed = Define("DKIM-KEY-MALFORMED", Error, "p= is not a usable public key", "RFC 6376 §3.6.1");
            public static readonly FindingDefinition KeyPkcs1 = Define("DKIM-KEY-PKCS1", Information, "The RSA key is a bare RSAPublicKey", "RFC 6376 §3.6.1");
            public static readonly FindingDefinition KeyTooSmall = Define("DKIM-KEY-TOO-SMALL", Error, "The RSA key is under 1024 bits", "RFC 8301 §3.2");
            public static readonly FindingDefinition KeyWeak = Define("DKIM-KEY-WEAK", Warning, "The RSA key is under 2048 bits", "RFC 8301 §3.2");
            public static readonly FindingDefinition Testing = Define("DKIM-TESTING", Warning, "t=y: the domain is testing DKIM", "RFC 6376 §3.6.1");
            public static readonly FindingDefinition HashSha1Only = Define("DKIM-HASH-SHA1-ONLY", Warning, "h= allows only sha1", "RFC 8301 §3.1");
            public static readonly FindingDefinition HashUnknown = Define("DKIM-HASH-UNKNOWN", Error, "h= names no known hash", "RFC 8301 §3.1");
            public static readonly FindingDefinition ServiceNotEmail = Define("DKIM-SERVICE-NOT-EMAIL", Warning, "s= does not include email", "RFC 6376 §3.6.1");
            public static readonly FindingDefinition MultipleRecords = Define("DKIM-MULTIPLE-RECORDS", Warning, "Several TXT records at one selector", "RFC 6376 §3.6.2.2");
            public static readonly FindingDefinition CnameDangling = Define("DKIM-CNAME-DANGLING", Warning, "The selector's CNAME points at a name without a key", "RFC 6376 §3.6.2.1");
            public static readonly FindingDefinition CnameMismatch = Define("DKIM-CNAME-MISMATCH", Error, "The selector's CNAME points at another selector's key", "RFC 6376 §3.6.2.1");
        }

        /// <summary>MX records (Get-MxRecord; docs/posture.md).</summary>
        public static class Mx
        {
            public static readonly FindingDefinition LookupFailed = Define("MX-LOOKUP-FAILED", Error, "The MX query failed", "RFC 5321 §5.1");
            public static readonly FindingDefinition None = Define("MX-NONE", Warning, "No MX records: mail goes to the implicit MX", "RFC 5321 §5.1");
            public static readonly FindingDefinition Null = Define("MX-NULL", Information, "A null MX: the domain accepts no mail", "RFC 7505 §3");
            public static readonly FindingDefinition NullWithOthers = Define("MX-NULL-WITH-OTHERS", Error, "A null MX beside other MX records", "RFC 7505 §3");
            public static readonly FindingDefinition Cname = Define("MX-CNAME", Warning, "An exchange is an alias (CNAME)", "RFC 2181 §10.3");
            public static readonly FindingDefinition IpLiteral = Define("MX-IP-LITERAL", Error, "An exchange is an IP address, not a host name", "RFC 5321 §5.1");
            public static readonly FindingDefinition HostNotResolving = Define("MX-HOST-NOT-RESOLVING", Error, "An exchange has no A or AAAA record", "RFC 5321 §5.1");
            public static readonly FindingDefinition HostLookupFailed = Define("MX-HOST-LOOKUP-FAILED", Warning, "An exchange's address lookup failed", "RFC 5321 §5.1");
            public static readonly FindingDefinition NoHostResolves = Define("MX-NO-HOST-RESOLVES", Error, "No exchange has an address", "RFC 5321 §5.1");
        }

        /// <summary>MTA-STS records and policies (Get-MtaStsPolicy; docs/posture.md).</summary>
        public static class MtaSts
        {
            public static readonly FindingDefinition LookupFailed = Define("MTASTS-LOOKUP-FAILED", Error, "The _mta-sts TXT query failed", "RFC 8461 §3.1");
            public static readonly FindingDefinition Multiple = Define("MTASTS-MULTIPLE", Error, "Several v=STSv1 records", "RFC 8461 §3.1");
            public static readonly FindingDefinition RecordMalformed = Define("MTASTS-RECORD-MALFORMED", Error, "The _mta-sts record is malformed", "RFC 8461 §3.1");
            public static readonly FindingDefinition IdInvalid = Define("MTASTS-ID-INVALID", Error, "id= is missing or not 1-32 letters and digits", "RFC 8461 §3.1");
            public static readonly FindingDefinition PolicyFetchFailed = Define("MTASTS-POLICY-FETCH-FAILED", Error, "The HTTPS policy could not be fetched", "RFC 8461 §3.3");
            public static readonly FindingDefinition PolicyMalformed = Define("MTASTS-POLICY-MALFORMED", Error, "The policy file is malformed", "RFC 8461 §3.2");
            public static readonly FindingDefinition ModeTesting = Define("MTASTS-MODE-TESTING", Information, "mode: testing: failures are reported, not enforced", "RFC 8461 §5");
            public static readonly FindingDefinition ModeNone = Define("MTASTS-MODE-NONE", Warning, "mode: none: the policy is withdrawn", "RFC 8461 §5");
            public static readonly FindingDefinition MaxAgeInvalid = Define("MTASTS-MAX-AGE-INVALID", Error, "max_age is missing or out of range", "RFC 8461 §3.2");
            public static readonly FindingDefinition MaxAgeShort = Define("MTASTS-MAX-AGE-SHORT", Warning, "max_age is under a day", "RFC 8461 §3.2");
            public static readonly FindingDefinition MxMismatch = Define("MTASTS-MX-MISMATCH", Error, "An MX host matches no mx: pattern", "RFC 8461 §4.1");
            public static readonly FindingDefinition PolicyNoMx = Define("MTASTS-POLICY-NO-MX", Error, "An enforce or testing policy has no mx: line", "RFC 8461 §3.2");
            public static readonly FindingDefinition NotFetched = Define("MTASTS-NOT-FETCHED", Information, "The HTTPS policy was not fetched", "RFC 8461 §3.3");
        }

        /// <summary>TLS-RPT records (Get-TlsRptRecord; docs/posture.md).</summary>
        public static class TlsRpt
        {
            public static readonly FindingDefinition LookupFailed = Define("TLSRPT-LOOKUP-FAILED", Error, "The _smtp._tls TXT query failed", "RFC 8460 §3");
            public static readonly FindingDefinition NotFound = Define("TLSRPT-NOT-FOUND", Information, "No TLS-RPT record", "RFC 8460 §3");
            public static readonly FindingDefinition Multiple = Define("TLSRPT-MULTIPLE", Error, "Several v=TLSRPTv1 records", "RFC 8460 §3");
            public static readonly FindingDefinition Malformed = Define("TLSRPT-MALFORMED", Error, "The TLS-RPT record is malformed", "RFC 8460 §3");
            public static readonly FindingDefinition RuaMissing = Define("TLSRPT-RUA-MISSING", Error, "The record has no rua= field", "RFC 8460 §3");
            public static readonly FindingDefinition RuaInvalid = Define("TLSRPT-RUA-INVALID", Error, "A rua= destination is not mailto: or https:", "RFC 8460 §3");
        }

        /// <summary>BIMI records (Get-BimiRecord; docs/posture.md).</summary>
        public static class Bimi
        {
            private const string Draft = "https://datatracker.ietf.org/doc/draft-brand-indicators-for-message-identification/";

            public static readonly FindingDefinition LookupFailed = Define("BIMI-LOOKUP-FAILED", Error, "The BIMI TXT query failed", Draft);
            public static readonly FindingDefinition Multiple = Define("BIMI-MULTIPLE", Error, "Several v=BIMI1 records", Draft);
            public static readonly FindingDefinition Malformed = Define("BIMI-MALFORMED", Error, "The BIMI record is malformed", Draft);
            public static readonly FindingDefinition Declined = Define("BIMI-DECLINED", Information, "Empty l= and a=: the domain declines BIMI", Draft);
            public static readonly FindingDefinition LocationInvalid = Define("BIMI-LOCATION-INVALID", Error, "l= is not an https: SVG", Draft);
            public static readonly FindingDefinition AuthorityInvalid = Define("BIMI-AUTHORITY-INVALID", Error, "a= is not https:", Draft);
            public static readonly FindingDefinition AuthorityMissing = Define("BIMI-AUTHORITY-MISSING", Warning, "No a= evidence document", Draft);
            public static readonly FindingDefinition DmarcNotEnforced = Define("BIMI-DMARC-NOT-ENFORCED", Error, "DMARC is not at quarantine or reject", Draft);
            public static readonly FindingDefinition DmarcPct = Define("BIMI-DMARC-PCT", Error, "DMARC pct= is below 100", Draft);
            public static readonly FindingDefinition DmarcLookupFailed = Define("BIMI-DMARC-LOOKUP-FAILED", Warning, "The DMARC prerequisite could not be checked", Draft);
        }

        /// <summary>Mail addresses (Test-MailAddress; docs/intelligence.md).</summary>
        public static class Address
        {
            public static readonly FindingDefinition SyntaxInvalid = Define("ADDR-SYNTAX-INVALID", Error, "The address is not valid RFC 5321 syntax", "RFC 5321 §4.1.2");
            public static readonly FindingDefinition QuotedLocalPart = Define("ADDR-QUOTED-LOCAL-PART", Warning, "A quoted local part: valid, but widely refused", "RFC 5321 §4.1.2");
            public static readonly FindingDefinition SmtpUtf8Required = Define("ADDR-SMTPUTF8-REQUIRED", Information, "A UTF-8 local part needs SMTPUTF8 on every hop", "RFC 6531 §3.2");
            public static readonly FindingDefinition AddressLiteral = Define("ADDR-ADDRESS-LITERAL", Warning, "The domain is an address literal", "RFC 5321 §4.1.3");
            public static readonly FindingDefinition ImplicitMx = Define("ADDR-IMPLICIT-MX", Warning, "No MX: mail goes to the domain's A/AAAA", "RFC 5321 §5.1");
            public static readonly FindingDefinition NoRoute = Define("ADDR-NO-ROUTE", Error, "No MX and no A/AAAA: mail cannot be delivered", "RFC 5321 §5.1");
            public static readonly FindingDefinition SmtpUtf8NotOffered = Define("ADDR-SMTPUTF8-NOT-OFFERED", Error, "The exchange cannot take the UTF-8 address", "RFC 6531 §3.2");
            public static readonly FindingDefinition StartTlsNotOffered = Define("ADDR-STARTTLS-NOT-OFFERED", Warning, "The exchange offers no STARTTLS", "RFC 3207 §4");
        }
    }
}
