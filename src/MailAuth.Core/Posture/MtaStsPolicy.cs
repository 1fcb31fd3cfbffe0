using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MailAuth.Findings;

namespace MailAuth.Posture
{
    /// <summary>The policy mode (RFC 8461 §5).</summary>
    public enum MtaStsMode
    {
        /// <summary>Senders must not deliver to MX hosts that fail the policy.</summary>
        Enforce,
        /// <summary>Senders report failures (TLS-RPT) but deliver anyway.</summary>
        Testing,
        /// <summary>No active policy.</summary>
        None,
    }

    /// <summary>The _mta-sts TXT record (RFC 8461 §3.1): v=STSv1; id=...</summary>
    public sealed class MtaStsRecord
    {
        private MtaStsRecord(string text, bool isValid, string? id, IReadOnlyList<Finding> findings)
        {
            Text = text;
            IsValid = isValid;
            Id = id;
            Findings = FindingResults.From(findings);
        }

        public string Text { get; }

        public bool IsValid { get; }

        /// <summary>id=: 1 to 32 letters or digits; changes when the policy changes.</summary>
        public string? Id { get; }

        public ResultList<Finding> Findings { get; }

        public override string ToString() => Text;

        /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
        public static MtaStsRecord Parse(string text, string? subject = null)
        {
            if (text is null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            var findings = new List<Finding>();
            if (!TagList.TryParse(text, caseInsensitiveNames: false, out List<PostureTag> tags, out string? error))
            {
                findings.Add(new Finding(FindingCatalog.MtaSts.RecordMalformed, $"The _mta-sts record is not a list of field=value pairs (RFC 8461 §3.1): {error}.", subject));
                return new MtaStsRecord(text, false, null, findings);
            }

            if (tags.Count == 0 || !string.Equals(tags[0].Name, "v", StringComparison.Ordinal) || !string.Equals(tags[0].Value, "STSv1", StringComparison.Ordinal))
            {
                findings.Add(new Finding(FindingCatalog.MtaSts.RecordMalformed, "The record must start with v=STSv1 (RFC 8461 §3.1).", subject));
                return new MtaStsRecord(text, false, null, findings);
            }

            string? id = tags.FirstOrDefault(t => string.Equals(t.Name, "id", StringComparison.Ordinal))?.Value;

            // RFC 8461 §3.1: sts-id = 1*32(ALPHA / DIGIT).
            if (id is null || id.Length == 0 || id.Length > 32 || !id.All(c => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            {
                findings.Add(new Finding(FindingCatalog.MtaSts.IdInvalid,
                    id is null ? "The record has no id= field (RFC 8461 §3.1)." : $"id={TagList.Shorten(id)} must be 1 to 32 letters or digits (RFC 8461 §3.1).", subject));
                return new MtaStsRecord(text, false, id, findings);
            }

            return new MtaStsRecord(text, true, id, findings);
        }
    }

    /// <summary>The policy file served at https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt (RFC 8461 §3.2).</summary>
    public sealed class MtaStsPolicy
    {
        /// <summary>RFC 8461 §3.2: max_age is at most 31557600 seconds (about one year).</summary>
        public const long MaxAgeLimit = 31557600;

        /// <summary>RFC 8461 §3.2 suggests weeks or more; under a day defeats the cache.</summary>
        public const long ShortMaxAge = 86400;

        private MtaStsPolicy(string text)
        {
            Text = text;
        }

        public string Text { get; }

        /// <summary>version, mode and max_age are valid, and mx is present unless mode is none.</summary>
        public bool IsValid { get; private set; }

        public string? Version { get; private set; }

        public string? Mode => ModeCode?.ToString();

        internal MtaStsMode? ModeCode { get; private set; }

        public long? MaxAge { get; private set; }

        /// <summary>The mx patterns, as written (exact names or "*." wildcards).</summary>
        public ResultList<string> MxPatterns { get; private set; } = ResultList<string>.Empty;

        public ResultList<Finding> Findings { get; private set; } = ResultList<Finding>.Empty;

        public override string ToString() => $"{Version} {Mode} max_age={MaxAge} mx={string.Join(",", MxPatterns)}";

        /// <summary>Parses a policy body; problems become findings.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
        public static MtaStsPolicy Parse(string text, string? subject = null)
        {
            if (text is null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            var policy = new MtaStsPolicy(text);
            var findings = new List<Finding>();
            policy.Parse(findings, subject);
            policy.Findings = FindingResults.From(findings);
            return policy;
        }

        /// <summary>
        /// RFC 8461 §4.1: an MX host matches a pattern that equals it, or a "*." pattern whose rest
        /// equals the host minus its leftmost label (the wildcard covers exactly one label).
        /// </summary>
        public static bool Matches(string pattern, string host)
        {
            if (pattern is null || host is null)
            {
                return false;
            }

            string p = pattern.Trim().TrimEnd('.');
            string h = host.Trim().TrimEnd('.');
            if (p.StartsWith("*.", StringComparison.Ordinal))
            {
                int dot = h.IndexOf('.');
                return dot > 0 && string.Equals(h.Substring(dot + 1), p.Substring(2), StringComparison.OrdinalIgnoreCase);
            }

            return string.Equals(p, h, StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>True when <paramref name="host"/> matches any mx pattern.</summary>
        public bool MatchesAny(string host) => MxPatterns.Any(p => Matches(p, host));

        private void Parse(List<Finding> findings, string? subject)
        {
            var mx = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            bool ok = true;

            // RFC 8461 §3.2: lines of "key: value" ending in CRLF; LF alone is tolerated as senders do.
            foreach (string raw in Text.Split('\n'))
            {
                string line = raw.TrimEnd('\r');
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                int colon = line.IndexOf(':');
                if (colon <= 0)
                {
                    findings.Add(new Finding(FindingCatalog.MtaSts.PolicyMalformed,
                        $"Policy line '{TagList.Shorten(line)}' is not 'key: value' (RFC 8461 §3.2).", subject));
                    ok = false;
                    continue;
                }

                string key = line.Substring(0, colon).Trim();
                string value = line.Substring(colon + 1).Trim(' ', '\t');
                if (!string.Equals(key, "mx", StringComparison.Ordinal) && !seen.Add(key))
                {
                    // Only mx may repeat; keep the first value of any other field.
                    findings.Add(new Finding(FindingCatalog.MtaSts.PolicyMalformed, FindingSeverity.Warning,
                        $"The policy repeats '{key}'; only mx may occur more than once. The first value is used.", subject));
                    continue;
                }

                switch (key)
                {
                    case "version":
                        Version = value;
                        break;
                    case "mode":
                        ModeCode = value switch
                        {
                            "enforce" => MtaStsMode.Enforce,
                            "testing" => MtaStsMode.Testing,
                            "none" => MtaStsMode.None,
                            _ => (MtaStsMode?)null,
                        };
                        if (Mode is null)
                        {
                            findings.Add(new Finding(FindingCatalog.MtaSts.PolicyMalformed,
                                $"mode: {TagList.Shorten(value)} is not enforce, testing or none (RFC 8461 §3.2).", subject));
                            ok = false;
                        }

                        break;
                    case "max_age":
                        // RFC 8461 §3.2: max-age-value = 1*10(DIGIT), at most 31557600.
                        if (value.Length == 0 || value.Length > 10 || !value.All(c => c >= '0' && c <= '9')
                            || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long age) || age > MaxAgeLimit)
                        {
                            findings.Add(new Finding(FindingCatalog.MtaSts.MaxAgeInvalid,
                                $"max_age: {TagList.Shorten(value)} must be a whole number of seconds from 0 to {MaxAgeLimit} (RFC 8461 §3.2).", subject));
                            ok = false;
                        }
                        else
                        {
                            MaxAge = age;
                        }

                        break;
                    case "mx":
                        mx.Add(value);
                        if (!IsPattern(value))
                        {
                            findings.Add(new Finding(FindingCatalog.MtaSts.PolicyMalformed,
                                $"mx: {TagList.Shorten(value)} is not a host name or a \"*.\" wildcard (RFC 8461 §3.2).", subject));
                            ok = false;
                        }

                        break;
                }
            }

            MxPatterns = ResultList.From(mx);
            if (!string.Equals(Version, "STSv1", StringComparison.Ordinal))
            {
                findings.Add(new Finding(FindingCatalog.MtaSts.PolicyMalformed,
                    Version is null ? "The policy has no version field (RFC 8461 §3.2)." : $"version: {TagList.Shorten(Version)} is not STSv1.", subject));
                ok = false;
            }

            if (Mode is null && !seen.Contains("mode"))
            {
                findings.Add(new Finding(FindingCatalog.MtaSts.PolicyMalformed, "The policy has no mode field (RFC 8461 §3.2).", subject));
                ok = false;
            }

            if (MaxAge is null && !seen.Contains("max_age"))
            {
                findings.Add(new Finding(FindingCatalog.MtaSts.MaxAgeInvalid, "The policy has no max_age field (RFC 8461 §3.2).", subject));
                ok = false;
            }

            if (mx.Count == 0 && ModeCode != MtaStsMode.None)
            {
                findings.Add(new Finding(FindingCatalog.MtaSts.PolicyNoMx,
                    "The policy lists no mx patterns; in enforce or testing mode every MX host then fails it (RFC 8461 §3.2).", subject));
                ok = false;
            }

            if (MaxAge.HasValue && MaxAge.Value < ShortMaxAge)
            {
                findings.Add(new Finding(FindingCatalog.MtaSts.MaxAgeShort,
                    $"max_age {MaxAge.Value} is under a day; senders cache the policy that briefly, so a downgrade attacker has a wide window (RFC 8461 §3.2 suggests weeks).", subject));
            }

            if (ModeCode == MtaStsMode.Testing)
            {
                findings.Add(new Finding(FindingCatalog.MtaSts.ModeTesting,
                    "mode: testing: senders report failures but still deliver without TLS (RFC 8461 §5).", subject));
            }
            else if (ModeCode == MtaStsMode.None)
            {
                findings.Add(new Finding(FindingCatalog.MtaSts.ModeNone,
                    "mode: none: the domain publishes MTA-STS but no active policy (RFC 8461 §5).", subject));
            }

            IsValid = ok;
        }

        private static bool IsPattern(string value)
        {
            string name = value.StartsWith("*.", StringComparison.Ordinal) ? value.Substring(2) : value;
            // RFC 8461 §3.2: each mx pattern is a host name, or "*." and one.
            return name.Length > 0 && MailAuth.Names.DomainName.TryParse(name, MailAuth.Names.DomainNameKind.HostName, out _, out _, out _);
        }
    }
}
