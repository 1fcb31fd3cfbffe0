namespace MailAuth
{
    /// <summary>How much a finding matters.</summary>
    public enum FindingSeverity
    {
        Information,
        Warning,
        Error,
    }

    /// <summary>
    /// One lint or audit observation: a stable id, a severity, a plain-language message and the
    /// thing it is about (a term, a name, a header).
    /// </summary>
    public sealed class Finding
    {
        public Finding(string id, FindingSeverity severity, string message, string? subject = null)
        {
            Id = id ?? throw new System.ArgumentNullException(nameof(id));
            SeverityCode = severity;
            Message = message ?? throw new System.ArgumentNullException(nameof(message));
            Subject = subject;
        }

        public string Id { get; }

        /// <summary>Information, Warning or Error: the name, so ConvertTo-Json writes it, not a number.</summary>
        public string Severity => SeverityCode.ToString();

        internal FindingSeverity SeverityCode { get; }

        public string Message { get; }

        public string? Subject { get; }

        /// <summary>The id: a list of findings reads "SPF-PTR; DMARC-NO-RUA" in a CSV cell.</summary>
        public override string ToString() => Id;
    }
}
