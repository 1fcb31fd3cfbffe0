using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Xml;

namespace MailAuth.ModuleBuilder
{
    /// <summary>
    /// Writes MAML (the help format Get-Help reads for compiled cmdlets), in the shape PlatyPS emits:
    /// details, description, syntax, parameters, inputs, outputs, notes, examples, related links.
    /// </summary>
    internal static class MamlWriter
    {
        private const string Msh = "http://msh";
        private const string Maml = "http://schemas.microsoft.com/maml/2004/10";
        private const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

        public static void Write(string path, IEnumerable<MamlCommand> commands)
        {
            var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) };
            using XmlWriter w = XmlWriter.Create(path, settings);
            w.WriteStartDocument();
            w.WriteStartElement("helpItems", Msh);
            w.WriteAttributeString("schema", "maml");
            foreach (MamlCommand command in commands)
            {
                WriteCommand(w, command);
            }

            w.WriteEndElement();
            w.WriteEndDocument();
        }

        private static void WriteCommand(XmlWriter w, MamlCommand c)
        {
            w.WriteStartElement("command", "command", Command);
            w.WriteAttributeString("xmlns", "maml", null, Maml);
            w.WriteAttributeString("xmlns", "command", null, Command);
            w.WriteAttributeString("xmlns", "dev", null, Dev);

            w.WriteStartElement("command", "details", Command);
            w.WriteElementString("command", "name", Command, c.Name);
            w.WriteElementString("command", "verb", Command, c.Verb);
            w.WriteElementString("command", "noun", Command, c.Noun);
            Description(w, new[] { c.Page.Synopsis });
            w.WriteEndElement();

            Description(w, c.Page.Description);

            w.WriteStartElement("command", "syntax", Command);
            foreach (List<SyntaxParameter> line in c.Syntax)
            {
                w.WriteStartElement("command", "syntaxItem", Command);
                w.WriteElementString("maml", "name", Maml, c.Name);
                foreach (SyntaxParameter p in line)
                {
                    Parameter(w, p.Parameter, p.Required, p.Position, inSyntax: true);
                }

                w.WriteEndElement();
            }

            w.WriteEndElement();

            w.WriteStartElement("command", "parameters", Command);
            foreach (MamlParameter p in c.Parameters.OrderBy(p => p.Name, System.StringComparer.Ordinal))
            {
                Parameter(w, p, p.Required, p.Position, inSyntax: false);
            }

            w.WriteEndElement();

            TypeList(w, "inputTypes", "inputType", c.Page.Inputs);
            TypeList(w, "returnValues", "returnValue", c.Page.Outputs);

            if (c.Page.Notes.Count > 0)
            {
                w.WriteStartElement("maml", "alertSet", Maml);
                w.WriteStartElement("maml", "alert", Maml);
                Paragraphs(w, c.Page.Notes);
                w.WriteEndElement();
                w.WriteEndElement();
            }

            w.WriteStartElement("command", "examples", Command);
            foreach (HelpBlock example in c.Page.Examples)
            {
                w.WriteStartElement("command", "example", Command);
                w.WriteElementString("maml", "title", Maml, $"-------------------------- {example.Title} --------------------------");
                w.WriteElementString("dev", "code", Dev, example.Code ?? string.Empty);
                w.WriteStartElement("dev", "remarks", Dev);
                Paragraphs(w, example.Paragraphs);
                w.WriteEndElement();
                w.WriteEndElement();
            }

            w.WriteEndElement();

            w.WriteStartElement("command", "relatedLinks", Command);
            foreach (KeyValuePair<string, string> link in c.Page.Links)
            {
                w.WriteStartElement("maml", "navigationLink", Maml);
                w.WriteElementString("maml", "linkText", Maml, link.Key);
                w.WriteElementString("maml", "uri", Maml, link.Value);
                w.WriteEndElement();
            }

            w.WriteEndElement();
            w.WriteEndElement();
        }

        private static void Parameter(XmlWriter w, MamlParameter p, bool required, string position, bool inSyntax)
        {
            w.WriteStartElement("command", "parameter", Command);
            w.WriteAttributeString("required", required ? "true" : "false");
            w.WriteAttributeString("variableLength", p.IsArray ? "true" : "false");
            w.WriteAttributeString("globbing", p.Globbing ? "true" : "false");
            w.WriteAttributeString("pipelineInput", p.PipelineInput);
            w.WriteAttributeString("position", position);
            w.WriteAttributeString("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases));
            w.WriteElementString("maml", "name", Maml, p.Name);
            Description(w, p.Description);
            if (inSyntax && p.ValidValues.Count > 0)
            {
                w.WriteStartElement("command", "parameterValueGroup", Command);
                foreach (string value in p.ValidValues)
                {
                    w.WriteStartElement("command", "parameterValue", Command);
                    w.WriteAttributeString("required", "false");
                    w.WriteAttributeString("command", "variableLength", Command, "false");
                    w.WriteString(value);
                    w.WriteEndElement();
                }

                w.WriteEndElement();
            }
            else if (!p.IsSwitch || !inSyntax)
            {
                w.WriteStartElement("command", "parameterValue", Command);
                w.WriteAttributeString("required", p.IsSwitch ? "false" : "true");
                w.WriteAttributeString("variableLength", p.IsArray ? "true" : "false");
                w.WriteString(p.TypeName);
                w.WriteEndElement();
            }

            w.WriteStartElement("dev", "type", Dev);
            w.WriteElementString("maml", "name", Maml, p.TypeName);
            w.WriteElementString("maml", "uri", Maml, string.Empty);
            w.WriteEndElement();
            w.WriteElementString("dev", "defaultValue", Dev, p.DefaultValue);
            w.WriteEndElement();
        }

        private static void TypeList(XmlWriter w, string listName, string itemName, IReadOnlyList<HelpBlock> types)
        {
            w.WriteStartElement("command", listName, Command);
            foreach (HelpBlock type in types)
            {
                w.WriteStartElement("command", itemName, Command);
                w.WriteStartElement("dev", "type", Dev);
                w.WriteElementString("maml", "name", Maml, type.Title);
                w.WriteEndElement();
                Description(w, type.Paragraphs);
                w.WriteEndElement();
            }

            w.WriteEndElement();
        }

        private static void Description(XmlWriter w, IEnumerable<string> paragraphs)
        {
            w.WriteStartElement("maml", "description", Maml);
            Paragraphs(w, paragraphs);
            w.WriteEndElement();
        }

        private static void Paragraphs(XmlWriter w, IEnumerable<string> paragraphs)
        {
            foreach (string paragraph in paragraphs)
            {
                w.WriteElementString("maml", "para", Maml, paragraph);
            }
        }
    }
}
