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
            Severity = severity;
            Message = message ?? throw new System.ArgumentNullException(nameof(message));
            Subject = subject;
        }

        public string Id { get; }

        public FindingSeverity Severity { get; }

        public string Message { get; }

        public string? Subject { get; }

        public override string ToString() => $"{Severity} {Id}: {Message}";
    }
}
