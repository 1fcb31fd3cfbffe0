using System;

namespace MailAuth.Reports
{
    /// <summary>
    /// Bounds on what one report file may cost to read (RFC 9990 §8.1: the decompressor and the
    /// XML parser are the targets of zip and XML bombs). Nothing is ever inflated into memory:
    /// reports are streamed, and a stream that passes a bound is refused with the bound it passed.
    /// The defaults admit a 5,000,000-record report from a big receiver and refuse bombs early.
    /// </summary>
    public sealed class ReportReadLimits
    {
        /// <summary>Inflated bytes one document (an XML or JSON report) may have. Default 4 GiB.</summary>
        public long MaxDecompressedBytes { get; set; } = 4L * 1024 * 1024 * 1024;

        /// <summary>
        /// Inflated bytes per compressed byte one gzip stream or zip entry may reach once it has
        /// produced <see cref="RatioCheckAfterBytes"/>. Default 200: real aggregate reports inflate
        /// 2-50 times (a 1,000,000-record report 35 times); deflate bombs about 1,000 times.
        /// </summary>
        public double MaxCompressionRatio { get; set; } = 200;

        /// <summary>Inflated bytes before the ratio is checked, so tiny reports of any ratio pass. Default 64 MiB.</summary>
        public long RatioCheckAfterBytes { get; set; } = 64L * 1024 * 1024;

        /// <summary>Entries one zip archive may have (all are read). Default 1,000.</summary>
        public int MaxZipEntries { get; set; } = 1000;

        /// <summary>Decoded bytes of one mail attachment (base64 decoded, still compressed). Default 512 MiB.</summary>
        public long MaxAttachmentBytes { get; set; } = 512L * 1024 * 1024;

        /// <summary>Characters of one element's text (an org_name, a human_result, a comment). Default 1 MiB.</summary>
        public int MaxValueLength { get; set; } = 1024 * 1024;

        /// <summary>Messages attached in messages (message/rfc822) looked into. Default 5 levels.</summary>
        public int MaxMessageDepth { get; set; } = 5;

        /// <summary>The defaults.</summary>
        public static ReportReadLimits Default => new ReportReadLimits();

        internal ReportReadLimits Validated()
        {
            if (MaxDecompressedBytes < 1 || MaxCompressionRatio < 1 || RatioCheckAfterBytes < 0 || MaxZipEntries < 1
                || MaxAttachmentBytes < 1 || MaxValueLength < 16 || MaxMessageDepth < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(MaxDecompressedBytes), "ReportReadLimits: every limit must be positive (MaxValueLength at least 16).");
            }

            return this;
        }
    }

    /// <summary>A report passed one of the <see cref="ReportReadLimits"/>; the message names the bound.</summary>
    public sealed class ReportLimitException : Exception
    {
        public ReportLimitException(string message)
            : base(message)
        {
        }
    }
}
