using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;

namespace MailAuth.Cli
{
    /// <summary>
    /// RFC 4180 CSV of an object's flat properties (strings, numbers, booleans, enums): a header row
    /// of the property names, then one row per object, CRLF line ends, fields quoted when they hold
    /// a comma, a quote or a line break (quotes doubled). Numbers in the invariant culture, nulls
    /// as empty fields, booleans as True/False (what Export-Csv writes). Each row is flushed, so a
    /// long run's file grows as it goes and a stopped run leaves complete rows.
    /// </summary>
    internal sealed class CsvRowWriter<T> : IDisposable
    {
        private readonly TextWriter _writer;
        private readonly PropertyInfo[] _columns;

        public CsvRowWriter(TextWriter writer, IEnumerable<string>? exclude = null, bool writeHeader = true)
        {
            _writer = writer;
            var skip = new HashSet<string>(exclude ?? Array.Empty<string>(), StringComparer.Ordinal);

            // Declaration order (metadata token), so the columns read as the type lists them: the
            // flat summary first. Only scalar properties: the nested detail goes to --json.
            _columns = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetIndexParameters().Length == 0 && IsScalar(p.PropertyType) && !skip.Contains(p.Name))
                .OrderBy(p => p.MetadataToken)
                .ToArray();
            if (writeHeader)
            {
                WriteRow(_columns.Select(c => c.Name));
            }
        }

        public IReadOnlyList<string> Columns => _columns.Select(c => c.Name).ToArray();

        public long Rows { get; private set; }

        public void Write(T item)
        {
            WriteRow(_columns.Select(c => Format(c.GetValue(item))));
            Rows++;
        }

        public void Dispose()
        {
            _writer.Flush();
            _writer.Dispose();
        }

        /// <summary>
        /// The records of an RFC 4180 file: fields unquoted; a last record cut off without its line
        /// end is left out and its start returned, so a resumed run can cut the file back to whole rows.
        /// </summary>
        internal static (List<string[]> Records, int CompleteLength) ReadRecords(string text)
        {
            var records = new List<string[]>();
            var fields = new List<string>();
            var field = new StringBuilder();
            bool quoted = false;
            int complete = 0;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i++;
                        }
                        else
                        {
                            quoted = false;
                        }
                    }
                    else
                    {
                        field.Append(c);
                    }
                }
                else if (c == '"')
                {
                    quoted = true;
                }
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else if (c == '\n' || c == '\r')
                {
                    if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                    {
                        i++;
                    }

                    fields.Add(field.ToString());
                    field.Clear();
                    records.Add(fields.ToArray());
                    fields.Clear();
                    complete = i + 1;
                }
                else
                {
                    field.Append(c);
                }
            }

            return (records, complete);
        }

        internal static string Quote(string field)
        {
            bool needs = field.IndexOfAny(new[] { ',', '"', '\r', '\n' }) >= 0;
            return needs ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
        }

        internal static string Format(object? value)
        {
            switch (value)
            {
                case null:
                    return string.Empty;
                case string s:
                    return s;
                case bool b:
                    return b ? "True" : "False";
                case double d:
                    return double.IsNaN(d) || double.IsInfinity(d) ? string.Empty : d.ToString("0.###", CultureInfo.InvariantCulture);
                case float f:
                    return f.ToString("0.###", CultureInfo.InvariantCulture);
                case IFormattable formattable:
                    return formattable.ToString(null, CultureInfo.InvariantCulture);
                default:
                    return value.ToString() ?? string.Empty;
            }
        }

        private void WriteRow(IEnumerable<string> fields)
        {
            var line = new StringBuilder();
            bool first = true;
            foreach (string field in fields)
            {
                if (!first)
                {
                    line.Append(',');
                }

                line.Append(Quote(field));
                first = false;
            }

            // RFC 4180 §2: each record ends with CRLF.
            line.Append("\r\n");
            _writer.Write(line.ToString());
            _writer.Flush();
        }

        private static bool IsScalar(Type type)
        {
            Type t = Nullable.GetUnderlyingType(type) ?? type;
            return t == typeof(string) || t == typeof(bool) || t.IsEnum || t.IsPrimitive || t == typeof(decimal);
        }
    }
}
