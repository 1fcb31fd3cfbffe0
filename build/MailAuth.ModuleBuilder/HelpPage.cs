using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace MailAuth.ModuleBuilder
{
    /// <summary>A titled part of a page: a "### " subsection, or a whole "## " section without subsections.</summary>
    internal sealed class HelpBlock
    {
        public HelpBlock(string title, IReadOnlyList<string> paragraphs, string? code)
        {
            Title = title;
            Paragraphs = paragraphs;
            Code = code;
        }

        public string Title { get; }

        /// <summary>Plain-text paragraphs, markdown inline marks removed.</summary>
        public IReadOnlyList<string> Paragraphs { get; }

        /// <summary>The first fenced code block (an example's code), if any.</summary>
        public string? Code { get; }
    }

    /// <summary>
    /// One cmdlet page of docs/en-US in the PlatyPS markdown layout: "## SYNOPSIS", "## SYNTAX",
    /// "## DESCRIPTION", "## EXAMPLES" ("### Example N: title", a fenced block, remarks),
    /// "## PARAMETERS" ("### -Name", text), "## INPUTS"/"## OUTPUTS" ("### Type", text), "## NOTES",
    /// "## RELATED LINKS" (markdown links).
    /// </summary>
    internal sealed class HelpPage
    {
        private static readonly Regex s_link = new Regex(@"\[([^\]]+)\]\(([^)]+)\)", RegexOptions.Compiled);

        private readonly Dictionary<string, List<string>> _sections = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);

        private HelpPage(string path, string title)
        {
            Path = path;
            Title = title;
        }

        public string Path { get; }

        /// <summary>The "# " title: the cmdlet name.</summary>
        public string Title { get; }

        public string Synopsis => string.Join(" ", Paragraphs("SYNOPSIS"));

        /// <summary>The fenced block of "## SYNTAX", as written.</summary>
        public string? SyntaxText => FirstCode(Section("SYNTAX"));

        public IReadOnlyList<string> Description => Paragraphs("DESCRIPTION");

        public IReadOnlyList<HelpBlock> Examples => Blocks("EXAMPLES");

        /// <summary>Parameter descriptions by name (without the dash).</summary>
        public IReadOnlyDictionary<string, HelpBlock> Parameters =>
            Blocks("PARAMETERS").Where(b => b.Title.StartsWith("-", StringComparison.Ordinal))
                .ToDictionary(b => b.Title.Substring(1).Trim(), b => b, StringComparer.OrdinalIgnoreCase);

        public IReadOnlyList<HelpBlock> Inputs => Blocks("INPUTS");

        public IReadOnlyList<HelpBlock> Outputs => Blocks("OUTPUTS");

        public IReadOnlyList<string> Notes => Paragraphs("NOTES");

        /// <summary>RELATED LINKS as (text, uri); links to sibling pages have no uri.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Links =>
            Section("RELATED LINKS").SelectMany(line => s_link.Matches(line).Cast<Match>())
                .Select(m => new KeyValuePair<string, string>(m.Groups[1].Value,
                    m.Groups[2].Value.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? m.Groups[2].Value : string.Empty))
                .ToList();

        public static HelpPage Load(string path)
        {
            string[] lines = File.ReadAllLines(path);
            int start = 0;
            if (lines.Length > 0 && lines[0].Trim() == "---")
            {
                // YAML front matter (PlatyPS metadata) is not help text.
                start = Array.FindIndex(lines, 1, l => l.Trim() == "---") + 1;
            }

            string title = lines.Skip(start).FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal))?.Substring(2).Trim()
                ?? throw new FormatException($"{path}: no '# <cmdlet name>' title.");
            var page = new HelpPage(path, title);
            List<string>? current = null;
            bool inFence = false;
            for (int i = start; i < lines.Length; i++)
            {
                string line = lines[i];
                if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    inFence = !inFence;
                }

                if (!inFence && line.StartsWith("## ", StringComparison.Ordinal))
                {
                    current = new List<string>();
                    page._sections[line.Substring(3).Trim()] = current;
                    continue;
                }

                current?.Add(line);
            }

            return page;
        }

        private List<string> Section(string name) =>
            _sections.TryGetValue(name, out List<string>? lines) ? lines : new List<string>();

        private IReadOnlyList<string> Paragraphs(string section) => ToParagraphs(Section(section));

        private IReadOnlyList<HelpBlock> Blocks(string section)
        {
            var blocks = new List<HelpBlock>();
            string? title = null;
            var body = new List<string>();
            bool inFence = false;
            foreach (string line in Section(section))
            {
                if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    inFence = !inFence;
                }

                if (!inFence && line.StartsWith("### ", StringComparison.Ordinal))
                {
                    if (title != null)
                    {
                        blocks.Add(ToBlock(title, body));
                    }

                    title = line.Substring(4).Trim();
                    body = new List<string>();
                    continue;
                }

                body.Add(line);
            }

            if (title != null)
            {
                blocks.Add(ToBlock(title, body));
            }

            return blocks;
        }

        private static HelpBlock ToBlock(string title, List<string> body)
        {
            string? code = FirstCode(body);
            // The text beside the code: the remarks of an example, the description of a parameter.
            // Dropped: the example's own code block, and PlatyPS yaml blocks (metadata, which the
            // cmdlet itself supplies).
            var text = new List<string>();
            bool codeDropped = false;
            for (int i = 0; i < body.Count; i++)
            {
                string line = body[i];
                bool fence = line.TrimStart().StartsWith("```", StringComparison.Ordinal);
                bool drop = fence && (line.Contains("yaml", StringComparison.OrdinalIgnoreCase) || code != null && !codeDropped);
                if (!drop)
                {
                    text.Add(line);
                    if (fence)
                    {
                        // Keep a fence of the text whole, so a "### " inside it is not misread.
                        for (i++; i < body.Count; i++)
                        {
                            text.Add(body[i]);
                            if (body[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
                            {
                                break;
                            }
                        }
                    }

                    continue;
                }

                codeDropped |= !line.Contains("yaml", StringComparison.OrdinalIgnoreCase);
                for (i++; i < body.Count && !body[i].TrimStart().StartsWith("```", StringComparison.Ordinal); i++)
                {
                }
            }

            return new HelpBlock(title, ToParagraphs(text), code);
        }

        private static string? FirstCode(List<string> lines)
        {
            int open = lines.FindIndex(l => l.TrimStart().StartsWith("```", StringComparison.Ordinal));
            if (open < 0 || lines[open].Contains("yaml", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            int close = lines.FindIndex(open + 1, l => l.TrimStart().StartsWith("```", StringComparison.Ordinal));
            if (close < 0)
            {
                return null;
            }

            return string.Join("\n", lines.Skip(open + 1).Take(close - open - 1)).TrimEnd();
        }

        /// <summary>
        /// Markdown lines to plain paragraphs: blank lines separate them, each list item is its own
        /// paragraph, fenced code stays one paragraph with its line breaks.
        /// </summary>
        internal static IReadOnlyList<string> ToParagraphs(IEnumerable<string> lines)
        {
            var paragraphs = new List<string>();
            var current = new StringBuilder();
            bool inFence = false;
            var fence = new StringBuilder();

            void Flush()
            {
                if (current.Length > 0)
                {
                    paragraphs.Add(Inline(current.ToString().Trim()));
                    current.Clear();
                }
            }

            foreach (string raw in lines)
            {
                string line = raw.TrimEnd();
                if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    if (inFence)
                    {
                        paragraphs.Add(fence.ToString().TrimEnd());
                        fence.Clear();
                    }
                    else
                    {
                        Flush();
                    }

                    inFence = !inFence;
                    continue;
                }

                if (inFence)
                {
                    fence.Append("    ").Append(raw).Append('\n');
                    continue;
                }

                if (line.Length == 0)
                {
                    Flush();
                    continue;
                }

                string trimmed = line.TrimStart();
                bool listItem = trimmed.StartsWith("- ", StringComparison.Ordinal) || trimmed.StartsWith("* ", StringComparison.Ordinal)
                    || Regex.IsMatch(trimmed, @"^\d+\. ");
                if (listItem || trimmed.StartsWith("|", StringComparison.Ordinal))
                {
                    Flush();
                    if (trimmed.StartsWith("* ", StringComparison.Ordinal))
                    {
                        trimmed = "- " + trimmed.Substring(2);
                    }

                    if (Regex.IsMatch(trimmed, @"^\|[-:| ]+\|$"))
                    {
                        continue;
                    }
                }

                if (current.Length > 0)
                {
                    current.Append(' ');
                }

                current.Append(trimmed);
                if (trimmed.StartsWith("|", StringComparison.Ordinal))
                {
                    Flush();
                }
            }

            Flush();
            return paragraphs;
        }

        /// <summary>Markdown inline marks to plain text: `code`, **bold**, [text](link), escapes.</summary>
        internal static string Inline(string text)
        {
            text = s_link.Replace(text, m => m.Groups[2].Value.StartsWith("http", StringComparison.OrdinalIgnoreCase)
                ? $"{m.Groups[1].Value} ({m.Groups[2].Value})"
                : m.Groups[1].Value);
            text = text.Replace("**", string.Empty, StringComparison.Ordinal).Replace("`", string.Empty, StringComparison.Ordinal);
            return Regex.Replace(text, @"\\([\\`*_{}\[\]()#+\-.!<>|])", "$1");
        }
    }
}
