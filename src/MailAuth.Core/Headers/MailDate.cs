using System;
using System.Globalization;
using System.Text.RegularExpressions;
using MimeKit.Utils;

namespace MailAuth.Headers
{
    /// <summary>
    /// Dates as trace and Date fields carry them: RFC 5322 §3.3 (read leniently by MimeKit, with the
    /// obsolete forms of §4.3), plus what real MTAs write beside it: fractional seconds
    /// ("20:10:27.367 +0000", SendGrid) and ISO 8601 ("2015-10-29 11:38:32.817089-04:00"). A text
    /// whose time of day the parse does not reproduce is unreadable, not midnight.
    /// </summary>
    internal static class MailDate
    {
        private static readonly TimeSpan s_timeout = TimeSpan.FromMilliseconds(200);

        private static readonly Regex s_fraction = new Regex(@"(?<=\b\d{1,2}:\d{2}:\d{2})\.\d+", RegexOptions.CultureInvariant, s_timeout);

        private static readonly Regex s_iso = new Regex(
            @"^\s*(?<d>\d{4}-\d{2}-\d{2})[ T](?<t>\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?\s*(?<z>Z|[+-]\d{2}:?\d{2})?(?:\s+[A-Za-z]{1,5})?\s*$",
            RegexOptions.CultureInvariant, s_timeout);

        private static readonly Regex s_time = new Regex(@"\b(?<h>\d{1,2}):(?<m>\d{2})(?::(?<s>\d{2}))?\b", RegexOptions.CultureInvariant, s_timeout);

        public static bool TryParse(string? text, out DateTimeOffset date)
        {
            date = default;
            if (string.IsNullOrWhiteSpace(text) || text!.Length >= 200)
            {
                return false;
            }

            try
            {
                var iso = s_iso.Match(text);
                if (iso.Success)
                {
                    var zone = iso.Groups["z"].Success ? iso.Groups["z"].Value : "Z";
                    if (zone.Length == 5)
                    {
                        zone = zone.Substring(0, 3) + ":" + zone.Substring(3);
                    }

                    var time = iso.Groups["t"].Value.Length == 5 ? iso.Groups["t"].Value + ":00" : iso.Groups["t"].Value;
                    return DateTimeOffset.TryParseExact(iso.Groups["d"].Value + "T" + time + (zone == "Z" ? "+00:00" : zone),
                        "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
                }

                var normalized = s_fraction.Replace(text, "");
                if (!DateUtils.TryParse(normalized, out date))
                {
                    return false;
                }

                // MimeKit's lenient reader can fall back to midnight on text it half understands.
                var t = s_time.Match(normalized);
                if (t.Success)
                {
                    var hour = int.Parse(t.Groups["h"].Value, CultureInfo.InvariantCulture);
                    var minute = int.Parse(t.Groups["m"].Value, CultureInfo.InvariantCulture);
                    if (date.Hour != hour || date.Minute != minute)
                    {
                        date = default;
                        return false;
                    }
                }

                return true;
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
        }
    }
}
