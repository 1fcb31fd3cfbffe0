using System;
using System.Collections.Generic;
using MailAuth.Dmarc;

namespace MailAuth.Reports
{
    /// <summary>
    /// Rebuilds reports and records from the values a store kept (the public property texts), for
    /// MailAuth.Storage: an enum name reads back as its code, any other text as Unrecognized, kept.
    /// </summary>
    internal static class DmarcStoredValues
    {
        public static DmarcAggregateReport Report(string sourceFile, string? location, string orgName, string reportId, string? email, string? extraContactInfo,
            string? generator, IReadOnlyList<string> errors, string? version, string schema, string ns, DateTime begin, DateTime end, string policyDomain,
            string p, string? sp, string? np, string? adkim, string? aspf, int? pct, string? fo, string? testing, string? discoveryMethod,
            long recordCount, long messageCount, IReadOnlyList<string> notes, IReadOnlyList<string> extensions)
        {
            var report = new DmarcAggregateReport(sourceFile, location)
            {
                OrgName = orgName,
                ReportId = reportId,
                Email = email,
                ExtraContactInfo = extraContactInfo,
                Generator = generator,
                Version = version,
                SchemaCode = Parse<DmarcReportSchema>(schema) ?? DmarcReportSchema.Rfc7489,
                Namespace = ns,
                BeginDate = DateTime.SpecifyKind(begin, DateTimeKind.Utc),
                EndDate = DateTime.SpecifyKind(end, DateTimeKind.Utc),
                PolicyDomain = policyDomain,
                PolicyPCode = Parse<DmarcPolicyAction>(p) ?? DmarcPolicyAction.None,
                PolicySpCode = Parse<DmarcPolicyAction>(sp),
                PolicyNpCode = Parse<DmarcPolicyAction>(np),
                PolicyAdkimCode = Parse<DmarcAlignmentMode>(adkim),
                PolicyAspfCode = Parse<DmarcAlignmentMode>(aspf),
                PolicyPct = pct,
                PolicyFo = fo,
                PolicyTesting = testing,
                DiscoveryMethod = discoveryMethod,
                RecordCount = recordCount,
                MessageCount = messageCount,
            };
            foreach (string e in errors)
            {
                report.AddError(e);
            }

            foreach (string n in notes)
            {
                report.AddNote(n);
            }

            foreach (string x in extensions)
            {
                report.AddExtension(x);
            }

            return report;
        }

        public static DmarcReportRecord Record(DmarcAggregateReport report, string sourceIp, long count, string disposition, bool dkimAligned, bool spfAligned,
            string headerFrom, string? envelopeFrom, string? envelopeTo, IReadOnlyList<DmarcDkimAuthResult> dkim, IReadOnlyList<DmarcSpfAuthResult> spf,
            IReadOnlyList<DmarcPolicyOverrideReason> reasons, IReadOnlyList<string> extensions, int? primaryDkim, int? primarySpf)
        {
            var detail = new DmarcRecordDetail(envelopeTo, dkim, spf, reasons, extensions, report,
                primaryDkim is int d && d >= 1 && d <= dkim.Count ? dkim[d - 1] : null,
                primarySpf is int s && s >= 1 && s <= spf.Count ? spf[s - 1] : null);
            return new DmarcReportRecord(report, sourceIp, count, Parse<DmarcReportDisposition>(disposition) ?? DmarcReportDisposition.None,
                headerFrom, envelopeFrom, dkimAligned, spfAligned, detail);
        }

        public static DmarcDkimAuthResult Dkim(string domain, string? selector, string result, string? human) =>
            new DmarcDkimAuthResult(domain, selector, Parse<DmarcDkimAuthResultCode>(result) ?? DmarcDkimAuthResultCode.Unrecognized, result, human);

        public static DmarcSpfAuthResult Spf(string domain, string? scope, string result, string? human) =>
            new DmarcSpfAuthResult(domain, scope, Parse<DmarcSpfAuthResultCode>(result) ?? DmarcSpfAuthResultCode.Unrecognized, result, human);

        public static DmarcPolicyOverrideReason Reason(string type, string? comment) =>
            new DmarcPolicyOverrideReason(Parse<DmarcPolicyOverrideType>(type) ?? DmarcPolicyOverrideType.Unrecognized, type, comment);

        private static T? Parse<T>(string? text)
            where T : struct
        {
            return text != null && Enum.TryParse(text, ignoreCase: false, out T value) && !string.Equals(text, "Unrecognized", StringComparison.Ordinal)
                && !int.TryParse(text, out _) ? value : (T?)null;
        }
    }
}
