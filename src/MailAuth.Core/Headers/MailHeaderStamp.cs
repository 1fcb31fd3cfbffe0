namespace MailAuth.Headers
{
    /// <summary>
    /// One decoded field of a vendor stamp (X-Forefront-Antispam-Report CIP, SFV, ...; compauth
    /// reason; X-MS-Exchange-Organization-SCL). Meaning is "unknown (&lt;value&gt;)" when the vendor
    /// does not document the field or value: nothing is guessed, and the raw value stays in Value.
    /// </summary>
    public sealed class MailHeaderStamp
    {
        internal MailHeaderStamp(string header, string field, string value, string meaning, bool isKnown,
            string? documentationUrl)
        {
            Header = header;
            Field = field;
            Value = value;
            Meaning = meaning;
            IsKnown = isKnown;
            DocumentationUrl = documentationUrl;
        }

        public string Header { get; }

        public string Field { get; }

        public string Value { get; }

        public string Meaning { get; }

        /// <summary>False when the field or value is not in the vendor's documentation.</summary>
        public bool IsKnown { get; }

        public string? DocumentationUrl { get; }

        public override string ToString() => $"{Field}:{Value} = {Meaning}";
    }
}
