using System;
using System.Globalization;

namespace MailAuth.Spf
{
    /// <summary>
    /// Why a record does not parse: the term, its character offset and a plain-language reason.
    /// check_host() turns it into PermError (RFC 7208 §4.6).
    /// </summary>
    public sealed class SpfSyntaxError
    {
        public SpfSyntaxError(string? term, int position, string reason)
        {
            Term = term;
            Position = position;
            Reason = reason ?? throw new ArgumentNullException(nameof(reason));
        }

        /// <summary>The offending term as written, or null when the record as a whole is wrong.</summary>
        public string? Term { get; }

        /// <summary>Character offset of the term (or of the problem) in the record text.</summary>
        public int Position { get; }

        /// <summary>The reason, without the term.</summary>
        public string Reason { get; }

        /// <summary>"term: reason", e.g. "ip4:192.0.2.0/33: CIDR length over 32".</summary>
        public string Message => Term is null ? Reason : Term + ": " + Reason;

        public override string ToString() => Message + " (at offset " + Position.ToString(CultureInfo.InvariantCulture) + ")";
    }

    /// <summary>Thrown by <see cref="SpfRecord.Parse(string)"/> for a record that is not valid SPF.</summary>
    public sealed class SpfSyntaxException : FormatException
    {
        public SpfSyntaxException(SpfSyntaxError error)
            : base((error ?? throw new ArgumentNullException(nameof(error))).Message)
        {
            Error = error;
        }

        public SpfSyntaxError Error { get; }
    }
}
