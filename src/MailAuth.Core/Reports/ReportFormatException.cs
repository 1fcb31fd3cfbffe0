using System;

namespace MailAuth.Reports
{
    /// <summary>
    /// A document that is not a valid report, with the exact reason. <see cref="ErrorId"/> is the
    /// kind of problem (a <see cref="ReportErrorIds"/> constant; the importer prefixes it with
    /// "InvalidDmarcReport." or "InvalidTlsRptReport."); the message starts with the reason in plain
    /// words ("truncated XML: ...", "not a DMARC report: ...").
    /// </summary>
    internal sealed class ReportFormatException : Exception
    {
        public ReportFormatException(string errorId, string message, Exception? innerException = null)
            : base(message, innerException)
        {
            ErrorId = errorId ?? throw new ArgumentNullException(nameof(errorId));
        }

        public string ErrorId { get; }
    }

    /// <summary>The error ids of invalid reports.</summary>
    public static class ReportErrorIds
    {
        public const string DmarcPrefix = "InvalidDmarcReport";
        public const string TlsRptPrefix = "InvalidTlsRptReport";

        public const string Truncated = "Truncated";
        public const string NotXml = "NotXml";
        public const string NotDmarc = "NotDmarc";
        public const string NotTlsRpt = "NotTlsRpt";
        public const string NotJson = "NotJson";
        public const string EmptyArchive = "EmptyArchive";
        public const string SizeLimit = "SizeLimit";
        public const string Dtd = "Dtd";
        public const string MissingElement = "MissingElement";
        public const string InvalidValue = "InvalidValue";
        public const string BeginAfterEnd = "BeginAfterEnd";
        public const string Compression = "Compression";
        public const string Empty = "Empty";

        internal static string Dmarc(string kind) => DmarcPrefix + "." + kind;

        internal static string TlsRpt(string kind) => TlsRptPrefix + "." + kind;
    }
}
