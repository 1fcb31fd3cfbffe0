using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MailAuth.Dmarc;
using MailAuth.Posture;
using MailAuth.Spf;
using MailAuth.Findings;

namespace MailAuth.DomainReport
{
    /// <summary>
    /// The A-F grade (docs/posture.md, "Grade"): points per check, scaled to the checks that ran,
    /// then caps for the failures that matter most.
    /// </summary>
    internal static class DomainGrader
    {
        public const int DmarcPoints = 40;
        public const int SpfPoints = 25;
        public const int DkimPoints = 20;
        public const int MtaStsPoints = 5;
        public const int TlsRptPoints = 5;
        public const int BimiPoints = 5;

        /// <summary>
        /// The grade in one line: the grade and score, then what cost points, most first, and the cap
        /// ("B (78/100): DMARC policy quarantine at 100% (-10); SPF ~all (-5)").
        /// </summary>
        public static string Explain(MailDomainGrade grade, int score, IReadOnlyList<GradeStep> steps, IReadOnlyList<string> caps)
        {
            IEnumerable<string> parts = steps.Where(s => s.Points < s.Max)
                .OrderByDescending(s => s.Max - s.Points)
                .Select(s => $"{s.Check} {s.Why} (-{(s.Max - s.Points).ToString(CultureInfo.InvariantCulture)})")
                .Concat(caps.Select(c => "capped at " + c));
            string head = $"{grade} ({score.ToString(CultureInfo.InvariantCulture)}/100)";
            string detail = string.Join("; ", parts);
            return detail.Length == 0 ? head + ": every check at full points" : head + ": " + detail;
        }

        /// <summary>One check's share of the score: points earned of its maximum, and why.</summary>
        public readonly struct GradeStep
        {
            public GradeStep(string check, int points, int max, string why)
            {
                Check = check;
                Points = points;
                Max = max;
                Why = why;
            }

            public string Check { get; }

            public int Points { get; }

            public int Max { get; }

            public string Why { get; }

            /// <summary>As GradeReasons lists it: "SPF 20/25: ~all".</summary>
            public override string ToString() =>
                $"{Check} {Points.ToString(CultureInfo.InvariantCulture)}/{Max.ToString(CultureInfo.InvariantCulture)}: {Why}";
        }

        public static (MailDomainGrade Grade, int Score, IReadOnlyList<string> Reasons, string Summary) Grade(
            DomainCheck checks, MxReport? mx, SpfRecordReport? spf, DmarcPolicy? dmarc, DkimReport? dkim,
            BimiReport? bimi, MtaStsReport? mtaSts, TlsRptReport? tlsRpt)
        {
            var reasons = new List<string>();
            var steps = new List<GradeStep>();
            var caps = new List<string>();
            int earned = 0;
            int possible = 0;
            MailDomainGrade cap = MailDomainGrade.A;
            bool noMail = mx?.IsNullMx == true;

            void Add(string what, int points, int max, string why)
            {
                earned += points;
                possible += max;
                var step = new GradeStep(what, points, max, why);
                steps.Add(step);
                reasons.Add(step.ToString());
            }

            void Capped(string why)
            {
                caps.Add(why);
                reasons.Add("cap " + why);
            }

            if (dmarc != null)
            {
                int pct = dmarc.Percentage ?? 100;
                DmarcPolicyAction? policy = dmarc.StatusCode == DmarcStatus.Found ? dmarc.EffectivePolicyCode : null;
                if (policy == DmarcPolicyAction.Reject && pct == 100)
                {
                    Add("DMARC", DmarcPoints, DmarcPoints, "policy reject at 100%");
                }
                else if (policy == DmarcPolicyAction.Quarantine && pct == 100)
                {
                    Add("DMARC", 30, DmarcPoints, "policy quarantine at 100%");
                }
                else if (policy == DmarcPolicyAction.Reject || policy == DmarcPolicyAction.Quarantine)
                {
                    Add("DMARC", 20, DmarcPoints, $"policy {policy.ToString()!.ToLowerInvariant()} at pct={pct.ToString(CultureInfo.InvariantCulture)}");
                }
                else if (policy == DmarcPolicyAction.None)
                {
                    Add("DMARC", 10, DmarcPoints, "policy none (monitoring only)");
                    cap = Worst(cap, MailDomainGrade.C);
                    Capped("C: DMARC does not enforce");
                }
                else
                {
                    Add("DMARC", 0, DmarcPoints, "no usable DMARC policy");
                    cap = Worst(cap, MailDomainGrade.D);
                    Capped("D: no DMARC policy");
                }
            }

            if (spf != null)
            {
                if (spf.StatusCode == SpfRecordStatus.NotFound)
                {
                    Add("SPF", 0, SpfPoints, "no SPF record");
                }
                else if (spf.StatusCode != SpfRecordStatus.Found)
                {
                    Add("SPF", 0, SpfPoints, "invalid record (several records or a syntax error: permerror)");
                }
                else if (spf.AllQualifier == "+")
                {
                    Add("SPF", 0, SpfPoints, "+all authorizes every host");
                    cap = MailDomainGrade.F;
                    Capped("F: SPF +all");
                }
                else if (spf.LookupLimitExceeded)
                {
                    Add("SPF", 0, SpfPoints, "more than 10 DNS lookups (permerror, RFC 7208 §4.6.4)");
                }
                else if (spf.ErrorCount > 0)
                {
                    Add("SPF", 5, SpfPoints, "the record has errors");
                }
                else if (spf.AllQualifier == "-")
                {
                    Add("SPF", SpfPoints, SpfPoints, "-all");
                }
                else if (spf.AllQualifier == "~")
                {
                    Add("SPF", 20, SpfPoints, "~all");
                }
                else
                {
                    Add("SPF", 10, SpfPoints, "no -all or ~all");
                }
            }

            if (dkim != null)
            {
                if (noMail)
                {
                    Add("DKIM", DkimPoints, DkimPoints, "not needed: null MX");
                }
                else
                {
                    var usable = dkim.Found.Where(s => s.IsValid && !s.IsRevoked && s.KeyRecord!.Findings.All(f => f.Id != FindingCatalog.Dkim.ServiceNotEmail.Id)).ToList();
                    int? smallest = usable.Where(s => s.KeyTypeCode == DkimKeyType.Rsa).Select(s => s.KeyBits).Min();
                    if (usable.Count == 0)
                    {
                        Add("DKIM", 0, DkimPoints, dkim.Found.Count == 0 ? "no key at the selectors tried" : "no usable key");
                    }
                    else if (smallest is null || smallest.Value >= DkimKeyRecord.RecommendedRsaBits)
                    {
                        Add("DKIM", DkimPoints, DkimPoints, "usable keys, RSA 2048+ or Ed25519");
                    }
                    else if (smallest.Value >= DkimKeyRecord.MinimumRsaBits)
                    {
                        Add("DKIM", 12, DkimPoints, $"smallest RSA key {smallest.Value.ToString(CultureInfo.InvariantCulture)} bits");
                    }
                    else
                    {
                        Add("DKIM", 0, DkimPoints, $"RSA key of {smallest.Value.ToString(CultureInfo.InvariantCulture)} bits is not accepted by verifiers");
                    }
                }
            }

            if (mtaSts != null)
            {
                if (noMail)
                {
                    Add("MTA-STS", MtaStsPoints, MtaStsPoints, "not needed: null MX");
                }
                else if (mtaSts.ModeCode == MtaStsMode.Enforce && mtaSts.Policy!.IsValid && mtaSts.MxMatch != false)
                {
                    Add("MTA-STS", MtaStsPoints, MtaStsPoints, "enforce");
                }
                else if (mtaSts.ModeCode == MtaStsMode.Testing && mtaSts.Policy!.IsValid && mtaSts.MxMatch != false)
                {
                    Add("MTA-STS", 3, MtaStsPoints, "testing");
                }
                else if (mtaSts.FetchStatusCode == MtaStsFetchStatus.NotFetched && mtaSts.IsRecordValid)
                {
                    Add("MTA-STS", 3, MtaStsPoints, "record published (policy not fetched)");
                }
                else
                {
                    Add("MTA-STS", 0, MtaStsPoints, mtaSts.StatusCode == PostureStatus.Found ? "policy unusable or mode none" : "not published");
                }
            }

            if (tlsRpt != null)
            {
                Add("TLS-RPT", noMail || tlsRpt.IsValid ? TlsRptPoints : 0, TlsRptPoints, noMail ? "not needed: null MX" : tlsRpt.IsValid ? "published" : "not published or invalid");
            }

            if (bimi != null)
            {
                bool good = bimi.IsValid && !bimi.Record!.IsDeclination && bimi.DmarcQualifies == true;
                Add("BIMI", noMail || good ? BimiPoints : 0, BimiPoints, noMail ? "not needed: null MX" : good ? "published, DMARC qualifies" : "not published or not qualifying");
            }

            int score = possible == 0 ? 100 : (int)System.Math.Round(100.0 * earned / possible);
            MailDomainGrade grade = score >= 85 ? MailDomainGrade.A
                : score >= 70 ? MailDomainGrade.B
                : score >= 55 ? MailDomainGrade.C
                : score >= 40 ? MailDomainGrade.D
                : MailDomainGrade.F;
            MailDomainGrade final = Worst(grade, cap);
            return (final, score, reasons, Explain(final, score, steps, caps));
        }

        private static MailDomainGrade Worst(MailDomainGrade a, MailDomainGrade b) => a > b ? a : b;
    }
}
