using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;

namespace MailAuth.Findings
{
    /// <summary>
    /// The user's severities, in the manner of PSScriptAnalyzer's settings: finding id (or a
    /// wildcard with * and ?) to Information, Warning, Error, or Off (None) to leave the finding out.
    /// An exact id wins over a wildcard; among wildcards the longest pattern wins. The policy is
    /// ambient for the work run inside <see cref="Enter"/> (it flows with async calls), so every
    /// result built there, with its grade, status and counts, sees the adjusted severities.
    /// docs/findings.md describes it.
    /// </summary>
    public sealed class FindingSeverityPolicy
    {
        /// <summary>The values a severity may take (case-insensitive).</summary>
        public static IReadOnlyList<string> SeverityNames { get; } = new[] { "Information", "Warning", "Error", "Off", "None" };

        private static readonly AsyncLocal<FindingSeverityPolicy?> s_current = new AsyncLocal<FindingSeverityPolicy?>();

        // Severity null: Off.
        private readonly Dictionary<string, FindingSeverity?> _exact;
        private readonly (string Pattern, FindingSeverity? Severity)[] _wildcards;

        private FindingSeverityPolicy(Dictionary<string, FindingSeverity?> exact, (string, FindingSeverity?)[] wildcards)
        {
            _exact = exact;
            _wildcards = wildcards;
        }

        /// <summary>The policy that changes nothing.</summary>
        public static FindingSeverityPolicy Default { get; } = new FindingSeverityPolicy(new Dictionary<string, FindingSeverity?>(), Array.Empty<(string, FindingSeverity?)>());

        /// <summary>True when the policy changes nothing.</summary>
        public bool IsDefault => _exact.Count == 0 && _wildcards.Length == 0;

        /// <summary>
        /// A policy from id (or wildcard) and severity pairs. Keys and values are read as text
        /// (a FindingSeverity value gives its name).
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="entries"/> is null.</exception>
        /// <exception cref="ArgumentException">A key is not a catalog id (or a wildcard that matches none), or a value is not a severity; the message names it and lists the valid ones.</exception>
        public static FindingSeverityPolicy Create(IEnumerable<KeyValuePair<string, string>> entries)
        {
            if (entries is null)
            {
                throw new ArgumentNullException(nameof(entries));
            }

            var exact = new Dictionary<string, FindingSeverity?>(StringComparer.OrdinalIgnoreCase);
            var wildcards = new List<(string, FindingSeverity?)>();
            foreach (KeyValuePair<string, string> entry in entries)
            {
                string id = (entry.Key ?? string.Empty).Trim();
                FindingSeverity? severity = ParseSeverity(id, entry.Value);
                if (Wildcard.HasWildcard(id))
                {
                    if (!FindingCatalog.All.Any(d => d.Matches(id)))
                    {
                        throw new ArgumentException(string.Format(CultureInfo.InvariantCulture,
                            "The pattern '{0}' matches no finding id. Ids start with {1}; Get-MailAuthFinding lists them.", id, string.Join(", ", FindingCatalog.Prefixes)), nameof(entries));
                    }

                    wildcards.Add((id, severity));
                }
                else
                {
                    FindingDefinition definition = FindingCatalog.Find(id) ?? throw new ArgumentException(UnknownId(id), nameof(entries));
                    exact[definition.Id] = severity;
                }
            }

            return new FindingSeverityPolicy(exact, wildcards.OrderByDescending(w => w.Item1.Length).ThenBy(w => w.Item1, StringComparer.Ordinal).ToArray());
        }

        /// <summary>The severity the policy gives a definition: null when it is turned off; the definition's own when the policy says nothing.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="definition"/> is null.</exception>
        public string? SeverityOf(FindingDefinition definition)
        {
            if (definition is null)
            {
                throw new ArgumentNullException(nameof(definition));
            }

            FindingSeverity severity = definition.SeverityCode;
            return Apply(definition, ref severity) ? severity.ToString() : null;
        }

        /// <summary>
        /// Makes this the policy of the work run until the scope is disposed (on this thread and in
        /// the async work started from it). Dispose on the thread that entered.
        /// </summary>
        public IDisposable Enter()
        {
            var scope = new Scope(s_current.Value);
            s_current.Value = IsDefault ? null : this;
            return scope;
        }

        /// <summary>The ambient policy (null: none), for work that starts later to take along.</summary>
        internal static FindingSeverityPolicy? Current => s_current.Value;

        /// <summary>Applies the ambient policy: false when the finding is turned off.</summary>
        internal static bool Adjust(FindingDefinition definition, ref FindingSeverity severity) =>
            s_current.Value is not FindingSeverityPolicy policy || policy.Apply(definition, ref severity);

        private bool Apply(FindingDefinition definition, ref FindingSeverity severity)
        {
            FindingSeverity? chosen;
            if (!_exact.TryGetValue(definition.Id, out chosen))
            {
                int i = Array.FindIndex(_wildcards, w => definition.Matches(w.Pattern));
                if (i < 0)
                {
                    return true;
                }

                chosen = _wildcards[i].Severity;
            }

            if (chosen is FindingSeverity s)
            {
                severity = s;
                return true;
            }

            return false;
        }

        private static FindingSeverity? ParseSeverity(string id, string? value)
        {
            string text = (value ?? string.Empty).Trim();
            if (string.Equals(text, "Off", StringComparison.OrdinalIgnoreCase) || string.Equals(text, "None", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            foreach (FindingSeverity s in new[] { FindingSeverity.Information, FindingSeverity.Warning, FindingSeverity.Error })
            {
                if (string.Equals(text, s.ToString(), StringComparison.OrdinalIgnoreCase))
                {
                    return s;
                }
            }

            throw new ArgumentException(string.Format(CultureInfo.InvariantCulture,
                "'{0}' is not a finding severity (for '{1}'). Valid severities: {2}.", text, id, string.Join(", ", SeverityNames)), nameof(value));
        }

        private static string UnknownId(string id)
        {
            string? prefix = FindingCatalog.Prefixes.FirstOrDefault(p => id.StartsWith(p, StringComparison.OrdinalIgnoreCase));
            string valid = prefix != null
                ? "Valid " + prefix + " ids: " + string.Join(", ", FindingCatalog.All.Where(d => d.Id.StartsWith(prefix, StringComparison.Ordinal)).Select(d => d.Id)) + "."
                : "Ids start with " + string.Join(", ", FindingCatalog.Prefixes) + "; Get-MailAuthFinding lists them.";
            return string.Format(CultureInfo.InvariantCulture, "'{0}' is not a finding id. {1}", id, valid);
        }

        private sealed class Scope : IDisposable
        {
            private readonly FindingSeverityPolicy? _previous;
            private bool _disposed;

            public Scope(FindingSeverityPolicy? previous)
            {
                _previous = previous;
            }

            public void Dispose()
            {
                if (!_disposed)
                {
                    _disposed = true;
                    s_current.Value = _previous;
                }
            }
        }
    }
}
