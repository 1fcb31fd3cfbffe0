using System;

namespace MailAuth.Dmarc
{
    /// <summary>Domain name checks and normalisation shared by the DMARC code.</summary>
    internal static class DomainName
    {
        public const int MaxLength = 253;
        public const int MaxLabelLength = 63;

        /// <summary>
        /// Lower-case A-label form without a trailing dot (RFC 9989 §5.3.1: U-labels are converted to
        /// A-labels), or null with the reason.
        /// </summary>
        public static string? TryNormalize(string? input, out string? reason)
        {
            reason = null;
            if (input is null || input.Trim().Length == 0)
            {
                reason = "it is empty";
                return null;
            }

            string value = input.Trim();
            if (value.EndsWith(".", StringComparison.Ordinal))
            {
                value = value.Substring(0, value.Length - 1);
            }

            if (value.Length == 0)
            {
                reason = "it is only a dot";
                return null;
            }

            string[] labels = value.Split('.');
            for (int i = 0; i < labels.Length; i++)
            {
                string label = labels[i];
                if (label.Length == 0)
                {
                    reason = "it has an empty label (two dots in a row, or a leading dot)";
                    return null;
                }

                string? ascii = PublicSuffixList.ToAscii(label);
                if (ascii is null)
                {
                    reason = $"the label '{label}' is not a valid internationalized label";
                    return null;
                }

                if (ascii.Length > MaxLabelLength)
                {
                    reason = $"the label '{Shorten(ascii)}' is {ascii.Length} characters long; a label has at most {MaxLabelLength}";
                    return null;
                }

                foreach (char c in ascii)
                {
                    // Letters, digits, hyphen (RFC 1035 §2.3.1) and underscore (for _dmarc / _report names).
                    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                    if (!ok)
                    {
                        reason = $"the label '{Shorten(label)}' contains '{c}'; only letters, digits, '-' and '_' are allowed";
                        return null;
                    }
                }

                if (ascii.StartsWith("-", StringComparison.Ordinal) || ascii.EndsWith("-", StringComparison.Ordinal))
                {
                    reason = $"the label '{Shorten(label)}' starts or ends with '-'";
                    return null;
                }

                labels[i] = ascii;
            }

            string result = string.Join(".", labels);
            if (result.Length > MaxLength)
            {
                reason = $"it is {result.Length} characters long; a domain name has at most {MaxLength}";
                return null;
            }

            return result;
        }

        public static int CountLabels(string domain) => domain.Split('.').Length;

        /// <summary>The last <paramref name="count"/> labels of a domain.</summary>
        public static string LastLabels(string domain, int count)
        {
            string[] labels = domain.Split('.');
            if (count >= labels.Length)
            {
                return domain;
            }

            return string.Join(".", labels, labels.Length - count, count);
        }

        /// <summary>The domain without its leftmost label, or null for a single label.</summary>
        public static string? Parent(string domain)
        {
            int dot = domain.IndexOf('.');
            return dot < 0 ? null : domain.Substring(dot + 1);
        }

        /// <summary>True when <paramref name="domain"/> equals <paramref name="ancestor"/> or lies below it.</summary>
        public static bool IsSameOrBelow(string domain, string ancestor)
        {
            return string.Equals(domain, ancestor, StringComparison.OrdinalIgnoreCase)
                || domain.EndsWith("." + ancestor, StringComparison.OrdinalIgnoreCase);
        }

        private static string Shorten(string text) => text.Length <= 40 ? text : text.Substring(0, 37) + "...";
    }
}
