using System;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MailAuth.Cli
{
    /// <summary>Writes result objects as JSON lines with the same property names the cmdlets show.</summary>
    internal static class Output
    {
        public const int Success = 0;
        public const int InputFailed = 1;
        public const int Usage = 2;

        private static readonly JsonSerializerOptions s_json = CreateOptions();

        public static void WriteJson(object value)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(value, value.GetType(), s_json));
            Console.Out.Flush();
        }

        public static void WriteError(string message)
        {
            Console.Error.WriteLine("mailauth: " + message);
        }

        private static JsonSerializerOptions CreateOptions()
        {
            var options = new JsonSerializerOptions
            {
                WriteIndented = false,
                Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
                DefaultIgnoreCondition = JsonIgnoreCondition.Never,
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
