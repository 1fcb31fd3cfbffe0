using System;
using System.Collections.Generic;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace MailAuth.Bench.DomainAudit
{
    /// <summary>
    /// Where a held report's bytes go (BENCH_SIZES=1): the object graph under each field, walked by
    /// reflection, each object counted once where first reached. Sizes are estimates of the 64-bit
    /// layout (a 16-byte header, 8 bytes a field, strings 22 + 2 per char); objects shared by every
    /// report (the finding catalog's definitions) are counted in the first report as well.
    /// </summary>
    internal static class ReportSizer
    {
        public static string Describe(object root, int maxDepth, long minimumBytes)
        {
            var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
            var lines = new List<string>();
            long total = Node(root, "report", 0, maxDepth, minimumBytes, seen, lines);
            var text = new StringBuilder();
            text.AppendLine(string.Format(CultureInfo.InvariantCulture, "  about {0:0.0} KB in one report:", total / 1024.0));
            foreach (string line in lines)
            {
                text.AppendLine(line);
            }

            return text.ToString();
        }

        private static long Node(object? value, string path, int depth, int maxDepth, long minimumBytes, HashSet<object> seen, List<string> lines)
        {
            if (value is null || value.GetType().IsValueType || value is string || depth >= maxDepth)
            {
                return Size(value, seen);
            }

            if (!seen.Add(value))
            {
                return 0;
            }

            int at = lines.Count;
            long size;
            if (value is Array array)
            {
                size = 24 + 8L * array.Length;
                int i = 0;
                foreach (object? element in array)
                {
                    size += Node(element, path + "[" + i++ + "]", depth + 1, maxDepth, minimumBytes, seen, lines);
                }
            }
            else
            {
                size = 16;
                foreach (FieldInfo field in Fields(value.GetType()))
                {
                    string name = field.Name.Replace("k__BackingField", string.Empty).Trim('<', '>');
                    size += 8 + Node(field.GetValue(value), path + "." + name, depth + 1, maxDepth, minimumBytes, seen, lines);
                }
            }

            if (size >= minimumBytes)
            {
                lines.Insert(at, string.Format(CultureInfo.InvariantCulture, "  {0}{1} {2} {3}", new string(' ', 2 * depth), path, value.GetType().Name, size));
            }

            return size;
        }

        // The whole graph under an object, without listing it.
        private static long Size(object? value, HashSet<object> seen)
        {
            if (value is null || value is Type || value is MemberInfo || value is Delegate)
            {
                return 0;
            }

            Type type = value.GetType();
            if (type.IsPrimitive || type.IsEnum)
            {
                return 0;
            }

            if (!type.IsValueType && !seen.Add(value))
            {
                return 0;
            }

            if (value is string text)
            {
                return 22 + 2L * text.Length;
            }

            if (value is Array array)
            {
                Type element = type.GetElementType()!;
                long size = 24 + (long)array.Length * (element.IsPrimitive ? Buffer.ByteLength(Array.CreateInstance(element, 1)) : 8);
                if (!element.IsPrimitive)
                {
                    foreach (object? item in array)
                    {
                        size += Size(item, seen);
                    }
                }

                return size;
            }

            long total = type.IsValueType ? 0 : 16;
            foreach (FieldInfo field in Fields(type))
            {
                total += (type.IsValueType ? 0 : 8) + Size(field.GetValue(value), seen);
            }

            return total;
        }

        private static IEnumerable<FieldInfo> Fields(Type type)
        {
            for (Type? t = type; t != null && t != typeof(object); t = t.BaseType)
            {
                foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    yield return field;
                }
            }
        }
    }
}
