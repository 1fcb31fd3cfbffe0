using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace MailAuth.Core.Tests.Reports
{
    /// <summary>
    /// A throwaway PostgreSQL cluster (Debian's postgresql package: initdb, pg_ctl) on a free
    /// loopback port under the test's temp folder, trust authentication, stopped and deleted after.
    /// PostgreSQL will not run as root, so as root the server runs as the postgres user. No mock:
    /// a test that needs it fails, saying what to install, when the binaries are missing.
    /// </summary>
    public sealed class PostgresCluster : IDisposable
    {
        private readonly string _bin;
        private readonly string _folder;
        private readonly bool _asPostgres;

        public PostgresCluster()
        {
            _bin = FindBin() ?? throw new InvalidOperationException(
                "PostgreSQL binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin: apt-get install postgresql (.ci/run does).");
            _asPostgres = string.Equals(Environment.UserName, "root", StringComparison.Ordinal);
            _folder = Path.Combine(Path.GetTempPath(), "mailauth-pg-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_folder);
            if (_asPostgres)
            {
                Run("/bin/chown", "postgres " + _folder, asPostgres: false);
            }

            Port = FreePort();
            string data = Path.Combine(_folder, "data");
            Run(Path.Combine(_bin, "initdb"), $"-D {data} -U mailauth --auth=trust --no-sync -E UTF8", _asPostgres);
            Run(Path.Combine(_bin, "pg_ctl"), $"-D {data} -l {Path.Combine(_folder, "log")} -w -t 60 -o \"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off\" start", _asPostgres);
            ConnectionString = $"Host=127.0.0.1;Port={Port};Username=mailauth;Database=postgres;Pooling=false";
        }

        public int Port { get; }

        public string ConnectionString { get; }

        /// <summary>A new, empty database on the cluster; its connection string.</summary>
        public string NewDatabase(string name)
        {
            Run(Path.Combine(_bin, "createdb"), $"-h 127.0.0.1 -p {Port} -U mailauth {name}", _asPostgres);
            return $"Host=127.0.0.1;Port={Port};Username=mailauth;Database={name};Pooling=false";
        }

        public void Dispose()
        {
            try
            {
                Run(Path.Combine(_bin, "pg_ctl"), $"-D {Path.Combine(_folder, "data")} -m immediate -w stop", _asPostgres);
            }
            catch (InvalidOperationException)
            {
                // Already gone; the folder goes anyway.
            }

            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        private static string? FindBin()
        {
            const string root = "/usr/lib/postgresql";
            if (!Directory.Exists(root))
            {
                return null;
            }

            return Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
                .OrderByDescending(b => b, StringComparer.Ordinal).FirstOrDefault();
        }

        private static int FreePort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        private static void Run(string file, string arguments, bool asPostgres)
        {
            var start = asPostgres
                ? new ProcessStartInfo("/usr/sbin/runuser", "-u postgres -- " + file + " " + arguments)
                : new ProcessStartInfo(file, arguments);
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            start.UseShellExecute = false;
            using Process process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            if (!process.WaitForExit(120000) || process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{Path.GetFileName(file)} {arguments} failed: {output}");
            }
        }
    }
}
