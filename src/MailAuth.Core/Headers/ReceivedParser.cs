using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using MimeKit.Utils;

namespace MailAuth.Headers
{
    /// <summary>
    /// Reads the RFC 5321 §4.4 Time-stamp-line and the dialects real MTAs write (Postfix, Sendmail,
    /// Exim, qmail, Exchange/Microsoft 365, Gmail). Never throws; what cannot be read stays null.
    /// </summary>
    internal static class ReceivedParser
    {
        private static readonly HashSet<string> s_keywords = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "from", "by", "via", "with", "id", "for",
        };

        private static readonly TimeSpan s_regexTimeout = TimeSpan.FromMilliseconds(200);

        // Microsoft "version=TLS1_2, cipher=..." and Sendmail/Google "version=TLSv1.3 cipher=...".
        private static readonly Regex s_versionCipher = new Regex(
            @"version=(?<v>(?:TLS|SSL)[A-Za-z0-9_.]*)[,\s]+cipher=(?<c>[A-Za-z0-9_\-]+)",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, s_regexTimeout);

        // Postfix: "(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) ...)".
        private static readonly Regex s_postfixTls = new Regex(
            @"using\s+(?<v>(?:TLS|SSL)v?[0-9.]+)\s+with\s+cipher\s+(?<c>[A-Za-z0-9_\-]+)",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, s_regexTimeout);

        // Exim: "with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384".
        private static readonly Regex s_eximTls = new Regex(
            @"\((?<v>TLS[0-9._v]+)\)\s+tls\s+(?<c>[A-Za-z0-9_\-]+)",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, s_regexTimeout);

        private static readonly Regex s_helo = new Regex(
            @"(?:\bhelo=|\bHELO\s+|\bEHLO\s+)(?<h>[^\s)\];,]+)",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, s_regexTimeout);

        private static readonly Regex s_envelopeFrom = new Regex(
            @"envelope-from\s*[=:]?\s*(?:<(?<a>[^>]*)>|(?<a>[^\s<>()@;]+@[^\s<>();]+))",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, s_regexTimeout);

        private enum TokenKind
        {
            Word,
            Comment,
        }

        private readonly struct Token
        {
            public Token(TokenKind kind, string text)
            {
                Kind = kind;
                Text = text;
            }

            public TokenKind Kind { get; }

            public string Text { get; }
        }

        private sealed class Clause
        {
            public string Keyword = "";
            public List<string> Words = new List<string>();
            public List<string> Comments = new List<string>();
        }

        public static MailHop Parse(int headerIndex, string value)
        {
            value ??= "";
            var hop = new MailHop(headerIndex, value);

            // The date follows the last ";" outside comments (RFC 5321 §4.4).
            var parts = StructuredValueScanner.SplitTopLevel(value, ';');
            var routing = value;
            if (parts.Count > 1)
            {
                var dateText = parts[parts.Count - 1].Trim();
                routing = string.Join(";", parts.Take(parts.Count - 1));
                if (dateText.Length > 0)
                {
                    hop.TimestampText = dateText;
                    if (MailDate.TryParse(dateText, out var date))
                    {
                        hop.Timestamp = date;
                    }
                }
            }

            var clauses = SplitClauses(Tokenize(routing));
            foreach (var clause in clauses)
            {
                switch (clause.Keyword.ToLowerInvariant())
                {
                    case "from":
                        ReadFrom(hop, clause);
                        break;
                    case "by":
                        ReadBy(hop, clause);
                        break;
                    case "with":
                        hop.With ??= clause.Words.Count > 0 ? string.Join(" ", clause.Words) : null;
                        break;
                    case "via":
                        hop.Via ??= clause.Words.Count > 0 ? string.Join(" ", clause.Words) : null;
                        break;
                    case "id":
                        hop.Id ??= clause.Words.Count > 0 ? clause.Words[0] : null;
                        break;
                    case "for":
                        hop.For ??= clause.Words.Count > 0 ? clause.Words[0].Trim('<', '>') : null;
                        break;
                }
            }

            ReadTls(hop, value);
            var env = SafeMatch(s_envelopeFrom, value);
            if (env != null && env.Success)
            {
                hop.EnvelopeFrom = env.Groups["a"].Value;
            }

            return hop;
        }

        private static Match? SafeMatch(Regex regex, string text)
        {
            try
            {
                return regex.Match(text.Length > 20000 ? text.Substring(0, 20000) : text);
            }
            catch (RegexMatchTimeoutException)
            {
                return null;
            }
        }

        private static void ReadTls(MailHop hop, string value)
        {
            foreach (var regex in new[] { s_versionCipher, s_postfixTls, s_eximTls })
            {
                var m = SafeMatch(regex, value);
                if (m != null && m.Success)
                {
                    hop.TlsVersion = m.Groups["v"].Value;
                    hop.TlsCipher = m.Groups["c"].Value;
                    break;
                }
            }

            var with = hop.With ?? "";
            var firstWord = with.Split(' ')[0];

            // RFC 3848: ESMTPS / ESMTPSA / LMTPS / UTF8SMTPS mean TLS was used.
            var tlsProtocol = firstWord.EndsWith("SMTPS", StringComparison.OrdinalIgnoreCase)
                || firstWord.EndsWith("SMTPSA", StringComparison.OrdinalIgnoreCase)
                || firstWord.EndsWith("LMTPS", StringComparison.OrdinalIgnoreCase)
                || firstWord.EndsWith("LMTPSA", StringComparison.OrdinalIgnoreCase);
            hop.Encrypted = hop.TlsVersion != null || tlsProtocol;
        }

        private static void ReadFrom(MailHop hop, Clause clause)
        {
            if (hop.FromHost != null || hop.FromIp != null)
            {
                return;
            }

            var first = clause.Words.Count > 0 ? clause.Words[0] : null;
            var comments = string.Join(" ", clause.Comments);
            if (first != null)
            {
                if (ClientAddress.TryParseTraceToken(first, out var ip0))
                {
                    hop.FromIp = ip0!.ToString();
                }
                else
                {
                    hop.FromHost = first.TrimEnd('.');
                }
            }

            // The address the receiver saw, from the comment: [192.0.2.1], [IPv6:...], (192.0.2.1).
            if (FindAddress(comments, out var ip, out var rdns))
            {
                hop.FromIp = ip;
                if (rdns != null && !string.Equals(rdns, "unknown", StringComparison.OrdinalIgnoreCase))
                {
                    hop.FromReverseDns = rdns;
                }
            }

            var helo = SafeMatch(s_helo, comments);
            if (helo != null && helo.Success)
            {
                hop.Helo = helo.Groups["h"].Value.Trim('[', ']').Length > 0 ? helo.Groups["h"].Value : null;
            }

            hop.Helo ??= first?.TrimEnd('.');
        }

        private static void ReadBy(MailHop hop, Clause clause)
        {
            if (hop.ByHost != null || hop.ByIp != null)
            {
                return;
            }

            var first = clause.Words.Count > 0 ? clause.Words[0] : null;
            if (first != null)
            {
                if (ClientAddress.TryParseTraceToken(first, out var ip0))
                {
                    hop.ByIp = ip0!.ToString();
                }
                else
                {
                    hop.ByHost = first.TrimEnd('.');
                }
            }

            if (hop.ByIp == null && FindAddress(string.Join(" ", clause.Comments), out var ip, out _))
            {
                hop.ByIp = ip;
            }
        }

        /// <summary>First valid address in comment text, with the host name written just before a bracketed one.</summary>
        private static bool FindAddress(string comments, out string? ip, out string? reverseName)
        {
            ip = null;
            reverseName = null;
            var words = comments.Split(new[] { ' ', '\t', ',', '(', ')' }, StringSplitOptions.RemoveEmptyEntries);
            for (var w = 0; w < words.Length; w++)
            {
                var word = words[w];
                var candidate = word;
                var bracket = word.IndexOf('[');
                if (bracket > 0)
                {
                    candidate = word.Substring(bracket);
                }

                if (candidate.StartsWith("helo=", StringComparison.OrdinalIgnoreCase) || candidate.IndexOf('=') >= 0)
                {
                    continue;
                }

                if (ClientAddress.TryParseTraceToken(candidate, out var address))
                {
                    ip = address!.ToString();
                    if (w > 0 && candidate.StartsWith("[", StringComparison.Ordinal)
                        && !ClientAddress.TryParseTraceToken(words[w - 1], out _) && words[w - 1].IndexOf('=') < 0)
                    {
                        reverseName = words[w - 1].TrimEnd('.');
                    }

                    return true;
                }
            }

            return false;
        }

        private static List<Token> Tokenize(string text)
        {
            var tokens = new List<Token>();
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                    continue;
                }

                if (c == '(')
                {
                    tokens.Add(new Token(TokenKind.Comment, StructuredValueScanner.ReadComment(text, ref i)));
                    continue;
                }

                var sb = new StringBuilder();
                var closer = c == '[' ? ']' : c == '<' ? '>' : '\0';
                while (i < text.Length)
                {
                    var d = text[i];
                    if (closer != '\0')
                    {
                        sb.Append(d);
                        i++;
                        if (d == closer)
                        {
                            closer = '\0';
                        }

                        continue;
                    }

                    if (char.IsWhiteSpace(d) || d == '(')
                    {
                        break;
                    }

                    sb.Append(d);
                    i++;
                }

                tokens.Add(new Token(TokenKind.Word, sb.ToString()));
            }

            return tokens;
        }

        private static List<Clause> SplitClauses(List<Token> tokens)
        {
            var clauses = new List<Clause>();
            Clause? current = null;
            foreach (var token in tokens)
            {
                if (token.Kind == TokenKind.Word && s_keywords.Contains(token.Text)
                    && (current == null || current.Words.Count > 0 || !string.Equals(current.Keyword, "with", StringComparison.OrdinalIgnoreCase)))
                {
                    current = new Clause { Keyword = token.Text };
                    clauses.Add(current);
                    continue;
                }

                if (current == null)
                {
                    continue;
                }

                if (token.Kind == TokenKind.Word)
                {
                    current.Words.Add(token.Text);
                }
                else
                {
                    current.Comments.Add(token.Text);
                }
            }

            return clauses;
        }
    }
}
