using System;
using System.Collections.Generic;
using System.Globalization;

namespace MailAuth.Headers
{
    /// <summary>
    /// Meanings of the Microsoft 365 / Exchange stamps, transcribed from Microsoft Learn "Anti-spam
    /// message headers in Microsoft 365" (message-headers-eop-mdo), "Spam confidence level",
    /// "Bulk complaint level", and the Exchange Team blog on hybrid mail flow (AuthAs,
    /// MessageDirectionality). docs/headers.md lists the sources. Anything not listed there is
    /// reported as unknown.
    /// </summary>
    internal static class MicrosoftStamps
    {
        public const string HeadersDoc = "https://learn.microsoft.com/defender-office-365/message-headers-eop-mdo";
        public const string ForefrontDoc = HeadersDoc + "#x-forefront-antispam-report-message-header-fields";
        public const string AntispamDoc = HeadersDoc + "#x-microsoft-antispam-message-header-fields";
        public const string AuthResultsDoc = HeadersDoc + "#authentication-results-message-header-fields";
        public const string SclDoc = "https://learn.microsoft.com/defender-office-365/anti-spam-spam-confidence-level-scl-about";
        public const string BclDoc = "https://learn.microsoft.com/defender-office-365/anti-spam-bulk-complaint-level-bcl-about";
        public const string PclDoc = "https://learn.microsoft.com/exchange/antispam-and-antimalware/antispam-protection/antispam-stamps";
        public const string HybridDoc = "https://techcommunity.microsoft.com/t5/exchange-team-blog/demystifying-and-troubleshooting-hybrid-mail-flow-when-is-a/ba-p/1420838";

        /// <summary>
        /// Microsoft documents no field of X-Microsoft-Antispam-Mailbox-Delivery on Learn (a Microsoft
        /// Q&amp;A moderator confirmed it in 2021); its Message Header Analyzer, a Microsoft tool, reads
        /// dest:I / dest:J / dest:C in its rules (microsoft/MHA src/data/rules.json).
        /// </summary>
        public const string MailboxDeliveryDoc = "https://github.com/microsoft/MHA/blob/main/src/data/rules.json";

        /// <summary>University of Oxford IT Services, "How to investigate spam messages delivered to Junk Mail" (OFR values).</summary>
        public const string MailboxDeliveryOfrDoc = "https://help.it.ox.ac.uk/examine-junk-mail-delivery";

        private const string Unknown = "unknown";

        private static readonly Dictionary<string, string> s_sfv = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["BLK"] = "Filtering was skipped and the message was blocked: the sender is in a user's Blocked Senders list.",
            ["NSPM"] = "Spam filtering marked the message as not spam; it was sent to the intended recipients.",
            ["SFE"] = "Filtering was skipped and the message was allowed: the sender is in a user's Safe Senders list.",
            ["SKA"] = "Spam filtering was skipped and the message delivered to the Inbox: the sender is in the allowed senders or allowed domains of an anti-spam policy.",
            ["SKB"] = "The message was marked as spam: the sender is in the blocked senders or blocked domains of an anti-spam policy.",
            // SKI is from an earlier revision of the page (still stamped on intra-organization mail).
            ["SKI"] = "Like SKN, filtering was skipped for another reason, such as intra-organizational email.",
            ["SKN"] = "The message was marked as not spam before spam filtering (for example by a mail flow rule).",
            ["SKQ"] = "The message was released from quarantine and sent to the intended recipients.",
            ["SKS"] = "The message was marked as spam before spam filtering (for example by a mail flow rule).",
            ["SPM"] = "Spam filtering marked the message as spam.",
        };

        private static readonly Dictionary<string, string> s_cat = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["BULK"] = "Bulk",
            ["DIMP"] = "Domain impersonation",
            ["GIMP"] = "Mailbox intelligence based impersonation",
            ["HPHSH"] = "High confidence phishing",
            ["HPHISH"] = "High confidence phishing",
            ["HSPM"] = "High confidence spam",
            ["MALW"] = "Malware",
            ["PHSH"] = "Phishing",
            ["SPM"] = "Spam",
            ["SPOOF"] = "Spoofing",
            ["UIMP"] = "User impersonation",
            ["AMP"] = "Anti-malware",
            ["BIMP"] = "Brand impersonation",
            ["SAP"] = "Safe Attachments",
            ["FTBP"] = "Anti-malware common attachments filter",
            ["INTOS"] = "Intra-Organization phishing",
            ["OSPM"] = "Outbound spam",

            // "NONE" appears in Microsoft's own examples but is not described: reported as unknown.
        };

        private static readonly Dictionary<string, string> s_dir = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["INB"] = "Inbound message.",
            ["OUT"] = "Outbound message.",
            ["INT"] = "Internal message.",
        };

        private static readonly Dictionary<string, string> s_ipv = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["CAL"] = "Spam filtering was skipped: the source IP address is in the IP Allow List of the connection filter policy.",
            ["NLI"] = "The IP address was not found on any IP reputation list.",
        };

        private static readonly Dictionary<string, string> s_sfty = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["9.19"] = "Domain impersonation (Defender for Office 365).",
            ["9.20"] = "User impersonation (Defender for Office 365).",
            ["9.25"] = "First contact safety tip.",
        };

        /// <summary>Decodes X-Forefront-Antispam-Report (and its -Untrusted copy). Fields are "NAME:value;".</summary>
        public static IEnumerable<MailHeaderStamp> DecodeForefront(string header, string value)
        {
            foreach (var (field, v) in SplitFields(value))
            {
                string? meaning = null;
                switch (field.ToUpperInvariant())
                {
                    case "CIP":
                        meaning = "The connecting IP address: the client that connected to Microsoft 365.";
                        break;
                    case "CTRY":
                        meaning = v.Length == 0 ? "The source country or region was not determined." : "The source country or region, from the connecting IP address.";
                        break;
                    case "LANG":
                        meaning = "The language the message was written in, as a country code.";
                        break;
                    case "SCL":
                        meaning = SclMeaning(v);
                        break;
                    case "SRV":
                        meaning = string.Equals(v, "BULK", StringComparison.OrdinalIgnoreCase)
                            ? "The message was identified as bulk email by spam filtering and the BCL threshold."
                            : v.Length == 0 ? "Not identified as bulk." : null;
                        break;
                    case "IPV":
                        meaning = Lookup(s_ipv, v);
                        break;
                    case "SFV":
                        meaning = Lookup(s_sfv, v);
                        break;
                    case "PTR":
                        meaning = v.Length == 0 ? "No PTR (reverse DNS) record for the source IP address." : "The PTR (reverse DNS) record of the source IP address.";
                        break;
                    case "CAT":
                        meaning = Lookup(s_cat, v) is string c ? "Protection policy category applied: " + c + "." : null;
                        break;
                    case "SFTY":
                        meaning = v.Length == 0 ? "No safety tip." : Lookup(s_sfty, v);
                        break;
                    case "DIR":
                        meaning = Lookup(s_dir, v);
                        break;
                    case "H":
                        meaning = "The HELO or EHLO string of the connecting email server.";
                        break;
                    case "X-CUSTOMSPAM":
                        meaning = "The message matched an advanced spam filter (ASF) setting: " + v + ".";
                        break;
                    case "ARC":
                        // The ARC protocol fields: AAR, AMS, AS (with cv=).
                        meaning = v.Length == 0 ? null : ArcMeaning(v);
                        break;
                    case "SFS":
                        // Not in the table; Microsoft's Message Header Analyzer labels it "Spam rules".
                        meaning = "The spam filtering rules that matched, as rule numbers Microsoft does not publish (diagnostics).";
                        break;
                }

                yield return Make(header, field, v, meaning, ForefrontDoc);
            }
        }

        private static string? ArcMeaning(string v)
        {
            switch (v.Trim().ToUpperInvariant())
            {
                case "AAR": return "ARC: the Authentication-Results content recorded for DMARC.";
                case "AMS": return "ARC: the cryptographic signatures of the message.";
                case "AS": return "ARC: the signatures of the message headers, with the chain validation (cv=none, pass or fail).";
                default: return null;
            }
        }

        /// <summary>
        /// Decodes X-Microsoft-Antispam-Mailbox-Delivery ("ucf:0;jmr:0;auth:0;dest:I;ENG:(...)").
        /// Only dest and OFR have a published reading; every other field is shown as unknown with its value.
        /// </summary>
        public static IEnumerable<MailHeaderStamp> DecodeMailboxDelivery(string header, string value)
        {
            foreach (var (field, v) in SplitFields(value))
            {
                string? meaning = null;
                var doc = MailboxDeliveryDoc;
                switch (field.ToUpperInvariant())
                {
                    case "DEST":
                        meaning = v.Trim().ToUpperInvariant() switch
                        {
                            "I" => "Delivered to the Inbox.",
                            "J" => "Delivered to the Junk Email folder.",
                            "C" => "Delivered to a custom folder (the user's settings or rules).",
                            _ => null,
                        };
                        break;
                    case "OFR":
                        doc = MailboxDeliveryOfrDoc;
                        meaning = v.Trim().ToUpperInvariant() switch
                        {
                            "CUSTOMRULES" => "The mailbox's own rules (Outlook rules) decided where the message went.",
                            "SPAMFILTERAUTHJ" => "Exchange's mailbox spam filtering decided where the message went.",
                            _ => null,
                        };
                        break;
                }

                yield return Make(header, field, v, meaning, doc);
            }
        }

        /// <summary>Decodes X-Microsoft-Antispam (BCL, PCL).</summary>
        public static IEnumerable<MailHeaderStamp> DecodeAntispam(string header, string value)
        {
            foreach (var (field, v) in SplitFields(value))
            {
                string? meaning = null;
                string doc = AntispamDoc;
                switch (field.ToUpperInvariant())
                {
                    case "BCL":
                        meaning = BclMeaning(v);
                        doc = BclDoc;
                        break;
                    case "PCL":
                        meaning = PclMeaning(v);
                        doc = PclDoc;
                        break;
                }

                yield return Make(header, field, v, meaning, doc);
            }
        }

        public static string? SclMeaning(string v)
        {
            if (!int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var scl))
            {
                return null;
            }

            switch (scl)
            {
                case -1: return "Spam filtering was skipped (for example an allow list or mail flow rule); delivered to the Inbox.";
                case 0:
                case 1: return "Not spam; delivered to the Inbox.";
                case 5:
                case 6: return "Spam; the action for spam in the anti-spam policy applies.";
                case 7:
                case 8:
                case 9: return "High confidence spam; the action for high confidence spam applies.";
                default: return null; // Spam filtering never stamps 2, 3 or 4.
            }
        }

        public static string? BclMeaning(string v)
        {
            if (!int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var bcl))
            {
                return null;
            }

            if (bcl == 0)
            {
                return "Not from a bulk sender.";
            }

            if (bcl <= 3)
            {
                return "From a bulk sender that generates few complaints.";
            }

            if (bcl <= 7)
            {
                return "From a bulk sender that generates a mixed number of complaints.";
            }

            return bcl <= 9 ? "From a bulk sender that generates a high number of complaints." : null;
        }

        public static string? PclMeaning(string v)
        {
            if (!int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var pcl))
            {
                return null;
            }

            // Exchange Server "Antispam stamps": 1-3 neutral, 4-8 suspicious; 0 is not described.
            if (pcl >= 1 && pcl <= 3)
            {
                return "Neutral: the message content is not likely to be phishing.";
            }

            return pcl >= 4 && pcl <= 8 ? "Suspicious: the message content is likely to be phishing." : null;
        }

        /// <summary>compauth result and reason (Microsoft Learn, Authentication-results fields).</summary>
        public static IEnumerable<MailHeaderStamp> DecodeCompAuth(string header, AuthenticationMethodResult compauth)
        {
            var result = compauth.Result;
            string? resultMeaning = result switch
            {
                "pass" => "Composite authentication passed.",
                "fail" => "Composite authentication failed.",
                "softpass" => "Composite authentication soft-passed (implicit authentication).",
                "none" => "Composite authentication was not evaluated or was bypassed.",
                _ => null,
            };
            yield return Make(header, "compauth", result, resultMeaning, AuthResultsDoc);
            if (compauth.Reason != null)
            {
                yield return Make(header, "compauth reason", compauth.Reason, CompAuthReasonMeaning(compauth.Reason), AuthResultsDoc);
            }
        }

        /// <summary>Microsoft 365's dmarc result and action= (Authentication-results fields table).</summary>
        public static IEnumerable<MailHeaderStamp> DecodeDmarc(string header, AuthenticationMethodResult dmarc)
        {
            if (dmarc.Result == "bestguesspass")
            {
                yield return Make(header, "dmarc", dmarc.Result,
                    "The domain publishes no DMARC record; if it had one, DMARC would pass.", AuthResultsDoc);
            }

            var action = dmarc.GetProperty("action");
            if (action != null)
            {
                string? meaning = action.ToLowerInvariant() switch
                {
                    "pct.quarantine" => "DMARC failed under p=quarantine, but pct was below 100 and the policy was not applied to this message.",
                    "pct.reject" => "DMARC failed under p=reject, but pct was below 100 and the policy was not applied to this message.",
                    "permerror" => "A permanent error during DMARC evaluation (for example a malformed DMARC record).",
                    "temperror" => "A temporary error during DMARC evaluation.",
                    // The field is "the action taken by the spam filter based on the results of the
                    // DMARC check": none is no action. oreject, quarantine and reject appear in the
                    // syntax and examples without a description.
                    "none" => "No action was taken on the DMARC result.",
                    _ => null,
                };
                yield return Make(header, "dmarc action", action, meaning, AuthResultsDoc);
            }
        }

        public static string? CompAuthReasonMeaning(string code)
        {
            code = code.Trim();
            if (code.Length != 3 || !int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                return null;
            }

            switch (code)
            {
                case "000": return "Explicit authentication failed: DMARC failed with a policy of reject or quarantine.";
                case "001": return "Implicit authentication failed: the sending domain published no records, or weak ones (SPF soft fail or neutral, DMARC p=none).";
                case "002": return "The organization has a policy that explicitly prohibits this sender/domain pair from sending spoofed email.";
                case "010": return "DMARC failed with reject or quarantine, and the sending domain is one of the organization's accepted domains (self-to-self or intra-org spoofing).";
                case "130": return "The ARC result was used to override a DMARC failure.";
            }

            switch (code[0])
            {
                case '0': return "Composite authentication failed (specific code not documented).";
                case '1':
                case '7': return "Authentication passed (explicit or implicit); the last two digits are internal.";
                case '2': return "Soft-passed implicit authentication; the last two digits are internal.";
                case '3': return "Not checked for composite authentication.";
                case '4':
                case '9': return "Composite authentication was bypassed; the last two digits are internal.";
                case '6': return "Implicit authentication failed, and the sending domain is one of the organization's accepted domains (self-to-self or intra-org spoofing).";
                default: return null;
            }
        }

        /// <summary>X-MS-Exchange-Organization-SCL / AuthAs / AuthSource / MessageDirectionality.</summary>
        public static MailHeaderStamp? DecodeOrganizationHeader(string header, string value)
        {
            var v = value.Trim();
            if (string.Equals(header, "X-MS-Exchange-Organization-SCL", StringComparison.OrdinalIgnoreCase))
            {
                return Make(header, "SCL", v, SclMeaning(v), SclDoc);
            }

            if (string.Equals(header, "X-MS-Exchange-Organization-AuthAs", StringComparison.OrdinalIgnoreCase))
            {
                string? meaning = v.ToLowerInvariant() switch
                {
                    "anonymous" => "The sending server did not authenticate: Exchange treats the message as external.",
                    "internal" => "The message was accepted as sent from inside the organization.",
                    _ => null,
                };
                return Make(header, "AuthAs", v, meaning, HybridDoc);
            }

            if (string.Equals(header, "X-MS-Exchange-Organization-AuthSource", StringComparison.OrdinalIgnoreCase))
            {
                return Make(header, "AuthSource", v, "The server that authenticated (attributed) the message.", HybridDoc);
            }

            if (string.Equals(header, "X-MS-Exchange-Organization-MessageDirectionality", StringComparison.OrdinalIgnoreCase))
            {
                string? meaning = v.ToLowerInvariant() switch
                {
                    "incoming" => "The message came into the organization (not sent by it).",
                    "originating" => "The message was sent by (originated in) the organization.",
                    _ => null,
                };
                return Make(header, "MessageDirectionality", v, meaning, HybridDoc);
            }

            return null;
        }

        private static string? Lookup(Dictionary<string, string> table, string v) =>
            table.TryGetValue(v.Trim(), out var meaning) ? meaning : null;

        /// <summary>An undocumented field or value reads "unknown (&lt;raw&gt;)": the value as written (the field name when empty), never a guess.</summary>
        private static MailHeaderStamp Make(string header, string field, string value, string? meaning, string doc) =>
            new MailHeaderStamp(header, field, value, meaning ?? Unknown + " (" + (value.Length == 0 ? field : value) + ")", meaning != null, doc);

        private static IEnumerable<(string Field, string Value)> SplitFields(string value)
        {
            foreach (var part in value.Split(';'))
            {
                var p = part.Trim();
                if (p.Length == 0)
                {
                    continue;
                }

                var colon = p.IndexOf(':');
                if (colon < 0)
                {
                    yield return (p, "");
                }
                else
                {
                    yield return (p.Substring(0, colon).Trim(), p.Substring(colon + 1).Trim());
                }
            }
        }
    }
}
