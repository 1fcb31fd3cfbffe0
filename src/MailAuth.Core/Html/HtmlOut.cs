using System.IO;

namespace MailAuth.Html
{
    /// <summary>
    /// Writes markup whose tag names, attribute names and classes are the report's constants, and
    /// values only through <see cref="HtmlEncoding"/>: <see cref="Text"/> for element text,
    /// the value half of <see cref="Open"/> and <see cref="Attr"/> for attributes.
    /// </summary>
    internal sealed class HtmlOut
    {
        private readonly TextWriter _writer;

        public HtmlOut(TextWriter writer) => _writer = writer;

        /// <summary>Markup the report wrote itself (never input).</summary>
        public HtmlOut Raw(string markup)
        {
            _writer.Write(markup);
            return this;
        }

        public HtmlOut Text(string? value)
        {
            HtmlEncoding.Encode(_writer, value);
            return this;
        }

        /// <summary><c>&lt;tag a="v" …&gt;</c>; names pair with values, a null value leaves the attribute out.</summary>
        public HtmlOut Open(string tag, params string?[] attributes)
        {
            _writer.Write('<');
            _writer.Write(tag);
            for (int i = 0; i + 1 < attributes.Length; i += 2)
            {
                Attr(attributes[i]!, attributes[i + 1]);
            }

            _writer.Write('>');
            return this;
        }

        public HtmlOut Attr(string name, string? value)
        {
            if (value is null)
            {
                return this;
            }

            _writer.Write(' ');
            _writer.Write(name);
            _writer.Write("=\"");
            HtmlEncoding.Encode(_writer, value);
            _writer.Write('"');
            return this;
        }

        public HtmlOut Close(string tag)
        {
            _writer.Write("</");
            _writer.Write(tag);
            _writer.Write('>');
            return this;
        }

        /// <summary><c>&lt;tag class="c"&gt;text&lt;/tag&gt;</c>.</summary>
        public HtmlOut Element(string tag, string? text, string? cssClass = null)
        {
            Open(tag, "class", cssClass);
            Text(text);
            return Close(tag);
        }

        public HtmlOut Line()
        {
            _writer.Write('\n');
            return this;
        }
    }
}
