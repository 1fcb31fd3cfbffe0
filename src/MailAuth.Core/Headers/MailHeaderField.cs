namespace MailAuth.Headers
{
    /// <summary>One header field exactly as found, in message order (duplicates and unknown ones kept).</summary>
    public sealed class MailHeaderField
    {
        internal MailHeaderField(int index, string name, string value, string rawValue)
        {
            Index = index;
            Name = name;
            Value = value;
            RawValue = rawValue;
        }

        /// <summary>Zero-based position from the top of the header block.</summary>
        public int Index { get; }

        public string Name { get; }

        /// <summary>Unfolded, with RFC 2047 encoded words decoded.</summary>
        public string Value { get; }

        /// <summary>The value as it was written (folding kept, encoded words not decoded).</summary>
        public string RawValue { get; }

        public override string ToString() => Name + ": " + Value;
    }
}
