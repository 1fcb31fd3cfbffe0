using MailAuth.Findings;

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
    /// thing it is about (a term, a name, a header). Made only from a <see cref="FindingDefinition"/>
    /// of <see cref="FindingCatalog"/>, so every id a result carries is listed and documented.
    /// The severity is the definition's, or the one the user set (-FindingSeverity,
    /// $MailAuthFindingSeverity: <see cref="FindingSeverityPolicy"/>).
    /// </summary>
    public sealed class Finding
    {
        /// <summary>A finding with the definition's severity.</summary>
        /// <exception cref="System.ArgumentNullException"><paramref name="definition"/> or <paramref name="message"/> is null.</exception>
        public Finding(FindingDefinition definition, string message, string? subject = null)
            : this(definition, (definition ?? throw new System.ArgumentNullException(nameof(definition))).SeverityCode, message, subject)
        {
        }

        /// <summary>A finding milder than its definition in a context the definition's docs name (a list rewrote From, a temperror).</summary>
        internal Finding(FindingDefinition definition, FindingSeverity severity, string message, string? subject)
        {
            Definition = definition ?? throw new System.ArgumentNullException(nameof(definition));
            Message = message ?? throw new System.ArgumentNullException(nameof(message));
            Subject = subject;
            IsSilenced = !FindingSeverityPolicy.Adjust(definition, ref severity);
            SeverityCode = severity;
        }

        public string Id => Definition.Id;

        /// <summary>Information, Warning or Error: the name, so ConvertTo-Json writes it, not a number.</summary>
        public string Severity => SeverityCode.ToString();

        internal FindingSeverity SeverityCode { get; }

        internal FindingDefinition Definition { get; }

        /// <summary>Turned off by the user's severity preference: results leave it out (<see cref="FindingResults"/>).</summary>
        internal bool IsSilenced { get; }

        public string Message { get; }

        public string? Subject { get; }

        /// <summary>The id: a list of findings reads "SPF-PTR; DMARC-NO-RUA" in a CSV cell.</summary>
        public override string ToString() => Id;
    }
}
