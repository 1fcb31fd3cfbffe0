using System;
using System.Collections.Generic;
using System.Linq;
using MailAuth.Dmarc;
using MailAuth.Posture;
using MailAuth.Spf;

namespace MailAuth.DomainReport
{
    /// <summary>What a domain is used for, judged from what it publishes.</summary>
    public enum MailDomainRole
    {
        /// <summary>MX hosts that take mail, and sending evidence (an SPF record that authorizes hosts, or a DKIM key).</summary>
        SendingAndReceiving,
        /// <summary>MX hosts that take mail, no sending evidence.</summary>
        ReceivingOnly,
        /// <summary>Sending evidence, but no MX (or a null MX): nothing is received.</summary>
        SendingOnly,
        /// <summary>No MX (or a null MX) and no sending evidence.</summary>
        Parked,
    }

    /// <summary>
    /// The role of a domain (docs/posture.md, "Role") and the advice that follows from it. A domain
    /// that sends no mail should say so, or anyone can send as it: an SPF record "v=spf1 -all"
    /// (RFC 7208 §5.1), DMARC p=reject (RFC 7489 §6.3), and, if it receives none, a null MX
    /// (RFC 7505 §3), as M3AAWG's parked-domain practice and the UK NCSC advise.
    /// </summary>
    internal static class DomainRoleJudge
    {
        /// <summary>Null when a lookup the judgement needs failed or was not run.</summary>
        public static (MailDomainRole? Role, IReadOnlyList<string> Advice) Judge(MxReport? mx, SpfRecordReport? spf, DmarcPolicy? dmarc, DkimReport? dkim)
        {
            if (mx is null || spf is null || mx.StatusCode == PostureStatus.LookupFailed || spf.StatusCode == SpfRecordStatus.LookupFailed)
            {
                return (null, Array.Empty<string>());
            }

            bool receives = mx.StatusCode == PostureStatus.Found && !mx.IsNullMx && mx.HostCount > 0;
            bool spfAuthorizes = spf.StatusCode == SpfRecordStatus.Found
                && spf.Terms.Any(t => t.IsMechanism && t.Name != "all" && t.QualifierSymbol != "-");
            bool spfPassesAll = spf.AllQualifier == "+" || spf.AllQualifier == "?";
            bool dkimKey = dkim?.Found.Any(s => s.IsValid && !s.IsRevoked) == true;
            bool sends = spfAuthorizes || spfPassesAll || dkimKey;
            MailDomainRole role = receives ? (sends ? MailDomainRole.SendingAndReceiving : MailDomainRole.ReceivingOnly)
                : sends ? MailDomainRole.SendingOnly : MailDomainRole.Parked;

            var advice = new List<string>();
            bool spfDeniesAll = spf.StatusCode == SpfRecordStatus.Found && !spfAuthorizes && spf.AllQualifier == "-";
            bool dmarcRejects = dmarc?.StatusCode == DmarcStatus.Found && dmarc.EffectivePolicyCode == DmarcPolicyAction.Reject && (dmarc.Percentage ?? 100) == 100;
            if (role == MailDomainRole.Parked || role == MailDomainRole.ReceivingOnly)
            {
                string what = role == MailDomainRole.Parked ? "A parked domain sends no mail" : "This domain receives but sends no mail";
                if (!spfDeniesAll)
                {
                    advice.Add($"{what}: publish the SPF record \"v=spf1 -all\" so that no host passes SPF for it (RFC 7208 §5.1).");
                }

                if (!dmarcRejects && dmarc != null)
                {
                    advice.Add($"{what}: publish \"v=DMARC1; p=reject\" at _dmarc so that receivers refuse mail that claims it (RFC 7489 §6.3).");
                }
            }

            if (role == MailDomainRole.Parked && !mx.IsNullMx)
            {
                advice.Add("A parked domain receives no mail: publish a null MX (\"MX 0 .\", RFC 7505 §3) so that senders fail at once instead of trying its A record (RFC 5321 §5.1).");
            }

            if (role == MailDomainRole.SendingOnly && !mx.IsNullMx)
            {
                advice.Add("It sends but has no MX: bounces and replies to its addresses go to its A record, if any (RFC 5321 §5.1). Publish MX hosts for them, or a null MX (RFC 7505) if none are wanted.");
            }

            return (role, advice);
        }
    }
}
