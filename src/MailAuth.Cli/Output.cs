using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MailAuth.Cli
{
    /// <summary>
    /// Writes result objects as JSON lines with the same property names the cmdlets show, and the
    /// small text helpers of the human output (terminal width, wrapping, severity labels).
    /// </summary>
    internal static class Output
    {
        public const int Success = 0;
        public const int InputFailed = 1;
        public const int Usage = 2;

        private static readonly JsonSerializerOptions s_json = CreateOptions();

        /// <summary>Columns the human output is laid out for: the terminal's (at most 120), else 100.</summary>
        public static int Width { get; } = DetectWidth();

        /// <summary>Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).</summary>
        public static bool UseColor { get; } = !Console.IsOutputRedirected
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
            && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal);

        public static void WriteJson(object value)
        {
            Console.Out.WriteLine(ToJson(value));
            Console.Out.Flush();
        }

        public static string ToJson(object value) => JsonSerializer.Serialize(value, value.GetType(), s_json);

        public static void WriteError(string message)
        {
            Console.Error.WriteLine("mailauth: " + message);
        }

        /// <summary>Wraps <paramref name="text"/> into lines of at most <paramref name="width"/> characters, on spaces where it can.</summary>
        public static IEnumerable<string> Wrap(string text, int width)
        {
            width = Math.Max(20, width);
            string rest = OneLine(text);
            while (rest.Length > width)
            {
                int cut = rest.LastIndexOf(' ', width);
                if (cut <= width / 3)
                {
                    cut = width;
                }

                yield return rest.Substring(0, cut).TrimEnd();
                rest = rest.Substring(cut).TrimStart();
            }

            yield return rest;
        }

        /// <summary>Writes <paramref name="text"/> after <paramref name="prefix"/>, continuation lines indented to the prefix's width.</summary>
        public static void WriteWrapped(string prefix, string text, int visiblePrefixLength = -1)
        {
            int indent = visiblePrefixLength < 0 ? prefix.Length : visiblePrefixLength;
            bool first = true;
            foreach (string line in Wrap(text, Width - indent))
            {
                Console.WriteLine(((first ? prefix : new string(' ', indent)) + line).TrimEnd());
                first = false;
            }
        }

        /// <summary>Cuts text to <paramref name="width"/> characters with an ellipsis, and pads it to that width.</summary>
        public static string Cell(string? text, int width)
        {
            string value = OneLine(text ?? string.Empty);
            if (value.Length > width)
            {
                value = width <= 1 ? value.Substring(0, width) : value.Substring(0, width - 1) + "…";
            }

            return value.PadRight(width);
        }

        /// <summary>Like <see cref="Cell"/> but cuts in the middle, which keeps both ends of a host name (its first label and its domain).</summary>
        public static string CellMiddle(string? text, int width)
        {
            string value = OneLine(text ?? string.Empty);
            if (value.Length > width && width > 4)
            {
                int tail = (width - 1) / 2;
                int head = width - 1 - tail;
                value = value.Substring(0, head) + "…" + value.Substring(value.Length - tail);
            }

            return Cell(value, width);
        }

        /// <summary>Control characters (tabs, line breaks) as single spaces: one line of text. Spaces as written stay.</summary>
        public static string OneLine(string text)
        {
            var builder = new StringBuilder(text.Length);
            bool afterControl = false;
            foreach (char c in text)
            {
                if (char.IsControl(c))
                {
                    if (!afterControl && builder.Length > 0 && builder[builder.Length - 1] != ' ')
                    {
                        builder.Append(' ');
                    }

                    afterControl = true;
                }
                else if (c == ' ' && afterControl)
                {
                    // Folding white space after a line break: already one space.
                }
                else
                {
                    builder.Append(c);
                    afterControl = false;
                }
            }

            return builder.ToString().TrimEnd();
        }

        /// <summary>Text in an ANSI colour when colour is on (31 red, 32 green, 33 yellow, 36 cyan, 1 bold, 2 dim).</summary>
        public static string Paint(string text, string code) => UseColor ? "\u001b[" + code + "m" + text + "\u001b[0m" : text;

        /// <summary>An authentication result keyword coloured by what it means: green pass, red fail, yellow the rest.</summary>
        public static string PaintResult(string? result, int width)
        {
            string text = Cell(string.IsNullOrEmpty(result) ? "-" : result, width);
            switch ((result ?? string.Empty).ToLowerInvariant())
            {
                case "pass":
                case "bestguesspass":
                    return Paint(text, "32");
                case "fail":
                case "hardfail":
                case "permerror":
                    return Paint(text, "31");
                case "":
                case "none":
                case "-":
                    return Paint(text, "2");
                default:
                    return Paint(text, "33");
            }
        }

        public static string PaintSeverity(FindingSeverity severity, int width)
        {
            string text = Cell(severity == FindingSeverity.Information ? "info" : severity.ToString().ToLowerInvariant(), width);
            return severity switch
            {
                FindingSeverity.Error => Paint(text, "1;31"),
                FindingSeverity.Warning => Paint(text, "33"),
                _ => Paint(text, "36"),
            };
        }

        /// <summary>Seconds as "4 s", "3 min 12 s", "2 h 05 min", "1 d 3 h"; negative keeps its sign.</summary>
        public static string Duration(double? seconds)
        {
            if (seconds is null)
            {
                return "-";
            }

            double s = Math.Abs(seconds.Value);
            string sign = seconds.Value < 0 ? "-" : string.Empty;
            string text = s < 60 ? string.Format(CultureInfo.InvariantCulture, "{0:0} s", s)
                : s < 3600 ? string.Format(CultureInfo.InvariantCulture, "{0} min {1:00} s", (int)(s / 60), (int)s % 60)
                : s < 86400 ? string.Format(CultureInfo.InvariantCulture, "{0} h {1:00} min", (int)(s / 3600), (int)s % 3600 / 60)
                : string.Format(CultureInfo.InvariantCulture, "{0} d {1} h", (int)(s / 86400), (int)s % 86400 / 3600);
            return sign + text;
        }

        private static int DetectWidth()
        {
            if (!Console.IsOutputRedirected)
            {
                try
                {
                    int columns = Console.WindowWidth;
                    if (columns > 0)
                    {
                        return Math.Max(60, Math.Min(120, columns));
                    }
                }
                catch (Exception ex) when (ex is System.IO.IOException || ex is PlatformNotSupportedException)
                {
                    // No terminal to ask: fall through to the environment and the default.
                }
            }

            if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out int env) && env > 0)
            {
                return Math.Max(60, Math.Min(120, env));
            }

            return 100;
        }

        private static JsonSerializerOptions CreateOptions()
        {
            var options = new JsonSerializerOptions
            {
                WriteIndented = false,
                Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
                DefaultIgnoreCondition = JsonIgnoreCondition.Never,
                // An elapsed time or delay that is NaN or infinite must not abort the whole line.
                NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            };
            options.Converters.Add(new JsonStringEnumConverter());
            options.Converters.Add(new IPAddressConverter());
            return options;
        }

        private sealed class IPAddressConverter : JsonConverter<IPAddress>
        {
            public override IPAddress? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
                IPAddress.Parse(reader.GetString()!);

            public override void Write(Utf8JsonWriter writer, IPAddress value, JsonSerializerOptions options) =>
                writer.WriteStringValue(value.ToString());
        }
    }
}
