using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using MaxMind.Db;

namespace MailAuth.IpIntelligence
{
    /// <summary>
    /// An MMDB file (the MaxMind DB format) read with MaxMind.Db: GeoLite2/GeoIP2 ASN, Country or
    /// City databases, and IPinfo Lite. Owner and country data without DNS, for bulk or offline
    /// use. Thread-safe; dispose to release the file.
    /// </summary>
    public sealed class MmdbIpDatabase : IDisposable
    {
        private readonly Reader _reader;

        private MmdbIpDatabase(string path, Reader reader)
        {
            Path = path;
            _reader = reader;
            DatabaseType = reader.Metadata.DatabaseType;
        }

        public string Path { get; }

        /// <summary>The metadata's database_type: GeoLite2-ASN, GeoLite2-Country, ipinfo ..., ...</summary>
        public string DatabaseType { get; }

        /// <summary>Opens <paramref name="path"/>.</summary>
        /// <exception cref="ArgumentException">The path is empty.</exception>
        /// <exception cref="IOException">The file cannot be read.</exception>
        /// <exception cref="InvalidDataException">The file is not an MMDB database.</exception>
        public static MmdbIpDatabase Open(string path)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new ArgumentException("The database path is empty.", nameof(path));
            }

            try
            {
                return new MmdbIpDatabase(path, new Reader(path, FileAccessMode.Memory));
            }
            catch (InvalidDatabaseException ex)
            {
                throw new InvalidDataException($"'{path}' is not an MMDB database: {ex.Message}", ex);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new IOException($"'{path}' cannot be read: {ex.Message}", ex);
            }
        }

        /// <summary>What the database holds for the address; null when it has no record.</summary>
        internal MmdbRecord? Lookup(IPAddress ip)
        {
            Dictionary<string, object>? data;
            int prefixLength;
            try
            {
                data = _reader.Find<Dictionary<string, object>>(ip, out prefixLength);
            }
            catch (InvalidDatabaseException)
            {
                return null;
            }

            if (data is null)
            {
                return null;
            }

            var record = new MmdbRecord { Prefix = Network(ip, prefixLength) };

            // GeoLite2-ASN / GeoIP2-ISP: autonomous_system_number, autonomous_system_organization.
            if (data.TryGetValue("autonomous_system_number", out object? number))
            {
                record.Asn = Convert.ToInt64(number, CultureInfo.InvariantCulture);
                record.AsName = data.TryGetValue("autonomous_system_organization", out object? org) ? org?.ToString() : null;
            }
            else if (data.TryGetValue("asn", out object? asn) && asn is string text && text.StartsWith("AS", StringComparison.OrdinalIgnoreCase)
                && long.TryParse(text.Substring(2), NumberStyles.None, CultureInfo.InvariantCulture, out long parsed))
            {
                // IPinfo Lite: asn "AS15169", as_name.
                record.Asn = parsed;
                record.AsName = data.TryGetValue("as_name", out object? name) ? name?.ToString() : null;
            }

            // GeoLite2-Country / City: country.iso_code (where the address is used), else
            // registered_country.iso_code; IPinfo Lite: country_code.
            record.Country = IsoCode(data, "country") ?? IsoCode(data, "registered_country")
                ?? (data.TryGetValue("country_code", out object? cc) ? cc?.ToString() : null);
            return record;
        }

        private static string? IsoCode(Dictionary<string, object> data, string key) =>
            data.TryGetValue(key, out object? value) && value is Dictionary<string, object> map && map.TryGetValue("iso_code", out object? code)
                ? code?.ToString()
                : null;

        private static string Network(IPAddress ip, int prefixLength)
        {
            byte[] bytes = ip.GetAddressBytes();
            int bits = bytes.Length * 8;
            if (ip.AddressFamily == AddressFamily.InterNetwork && prefixLength > 32)
            {
                // An IPv4 address in an IPv6 tree sits under ::/96.
                prefixLength -= 96;
            }

            prefixLength = Math.Max(0, Math.Min(bits, prefixLength));
            for (int i = 0; i < bytes.Length; i++)
            {
                int keep = Math.Max(0, Math.Min(8, prefixLength - (i * 8)));
                bytes[i] &= (byte)(0xFF << (8 - keep));
            }

            return new IPAddress(bytes) + "/" + prefixLength.ToString(CultureInfo.InvariantCulture);
        }

        public void Dispose() => _reader.Dispose();

        public override string ToString() => DatabaseType + " (" + Path + ")";
    }

    /// <summary>One MMDB record, reduced to what a report shows.</summary>
    internal sealed class MmdbRecord
    {
        public long? Asn { get; set; }

        public string? AsName { get; set; }

        public string? Country { get; set; }

        public string? Prefix { get; set; }
    }
}
