using System;

namespace MailAuth.Headers
{
    /// <summary>
    /// The input holds nothing that can be reported on (no header field at all, an unreadable
    /// file). <see cref="ErrorId"/> is stable so a cmdlet can use it as its ErrorId.
    /// </summary>
    public sealed class MailHeaderFormatException : FormatException
    {
        public MailHeaderFormatException(string errorId, string message, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId ?? throw new ArgumentNullException(nameof(errorId));
        }

        /// <summary>NoHeaderFields, UnsupportedInput, ReadFailed.</summary>
        public string ErrorId { get; }

        internal const string NoHeaderFields = "NoHeaderFields";
        internal const string UnsupportedInput = "UnsupportedInput";
        internal const string ReadFailed = "ReadFailed";
    }
}
