using System;
using System.Collections.Generic;
using System.Linq;

namespace MailAuth.Headers
{
    /// <summary>
    /// What the header rules judge: the facts MailHeaderReportBuilder read from one message (the
    /// report so far: identities, hops and the edge, envelope and From domains, trusted results,
    /// alignment inputs, dates, stamps) and the questions they ask of the receiving organization.
    /// Read-only for the rules: a rule only returns findings.
    /// </summary>
    internal sealed class MailHeaderFacts
    {
        private readonly MailHeaderReportBuilder _builder;

        internal MailHeaderFacts(MailHeaderReportBuilder builder)
        {
            _builder = builder;
            FromOrg = builder.OrgOf(Report.FromDomain);
            DkimResults = builder.TrustedResults("dkim").ToList();
            string? fromOrg = FromOrg;
            AlignedDkimPass = DkimResults.Any(d => d.Result == "pass" && fromOrg != null
                && string.Equals(builder.OrgOf(MailHeaderReportBuilder.DkimDomain(d)), fromOrg, StringComparison.OrdinalIgnoreCase));
        }

        /// <summary>The report as read: identities, hops, edge, results, DKIM/ARC, stamps, summary.</summary>
        public MailHeaderReport Report => _builder.Report;

        public MailHeaderOptions Options => _builder.Options;

        /// <summary>The header fields read (at most MaxHeaderFields).</summary>
        public IReadOnlyList<MailHeaderField> Fields => _builder.Fields;

        /// <summary>The Authentication-Results the receiving organization wrote (RFC 8601 §5), nearest the edge first.</summary>
        public IReadOnlyList<AuthenticationResultsHeader> Trusted => _builder.Trusted;

        /// <summary>The receiving organization is Microsoft 365.</summary>
        public bool MicrosoftReceiver => _builder.MicrosoftReceiver;

        /// <summary>A third-party gateway's hop in front of a Microsoft 365 receiver, and its name.</summary>
        public MailHop? GatewayHop => _builder.GatewayHop;

        public string? GatewayName => _builder.GatewayName;

        /// <summary>The trusted spf result the summary used.</summary>
        public AuthenticationMethodResult? SpfResult => _builder.SpfResult;

        /// <summary>The Organizational Domain of the From domain (null when there is none).</summary>
        public string? FromOrg { get; }

        /// <summary>The trusted dkim results.</summary>
        public IReadOnlyList<AuthenticationMethodResult> DkimResults { get; }

        /// <summary>A trusted DKIM pass for a domain aligned (relaxed) with From (RFC 7489 §3.1.1).</summary>
        public bool AlignedDkimPass { get; }

        public string? OrgOf(string? domain) => _builder.OrgOf(domain);

        public IEnumerable<MailHeaderField> All(string name) => _builder.All(name);

        public IEnumerable<AuthenticationMethodResult> TrustedResults(string method) => _builder.TrustedResults(method);

        /// <summary>The host belongs to the receiving organization.</summary>
        public bool InReceivingOrg(string? host) => _builder.InReceivingOrg(host);

        /// <summary>The field at this index is above the edge, where the receiver writes.</summary>
        public bool InReceiverZone(int index) => _builder.InReceiverZone(index);

        public bool IsInternalHostName(string? name) => _builder.IsInternalHostName(name);
    }
}
