using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace MailAuth.Dns
{
    /// <summary>
    /// A DNS archive read back (<see cref="DnsArchiveFormat"/>), for replay. Read tolerantly: a
    /// line that cannot be read (most often the last one, when a run was killed mid-write) is
    /// skipped and named in <see cref="Problems"/>; every other line still counts.
    /// </summary>
    public sealed class DnsArchive
    {
        private readonly Dictionary<string, DnsResponse> _latest = new Dictionary<string, DnsResponse>(StringComparer.Ordinal);
        private readonly List<DnsResponse> _responses = new List<DnsResponse>();
        private readonly List<string> _problems = new List<string>();

        private DnsArchive(string path)
        {
            Path = path;
        }

        /// <summary>The archive file's full path.</summary>
        public string Path { get; }

        /// <summary>Every answer read, in file order.</summary>
        public IReadOnlyList<DnsResponse> Responses => _responses;

        /// <summary>Lines skipped, each as "line N: why".</summary>
        public IReadOnlyList<string> Problems => _problems;

        /// <summary>Reads the archive at <paramref name="path"/>.</summary>
        /// <exception cref="FileNotFoundException">There is no such file.</exception>
        /// <exception cref="IOException">The file cannot be read.</exception>
        public static DnsArchive Load(string path)
        {
            string full = System.IO.Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                throw new FileNotFoundException($"There is no DNS archive at '{full}'.", full);
            }

            var archive = new DnsArchive(full);
            using (var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            {
                // The writer ends every line: a last line without its newline was cut off.
                bool endsWithNewline = stream.Length == 0 || EndsWithNewline(stream);
                using (var reader = new StreamReader(stream, new UTF8Encoding(false)))
                {
                    int number = 0;
                    string? line = reader.ReadLine();
                    while (line != null)
                    {
                        number++;
                        string? next = reader.ReadLine();
                        if (line.Trim().Length > 0)
                        {
                            try
                            {
                                archive.Add(DnsArchiveFormat.FromLine(line));
                            }
                            catch (FormatException ex)
                            {
                                string at = number.ToString(CultureInfo.InvariantCulture);
                                archive._problems.Add(next is null && !endsWithNewline
                                    ? $"line {at}: incomplete, skipped (the run that wrote it stopped mid-line): {ex.Message}"
                                    : $"line {at}: skipped, not a version {DnsArchiveFormat.Version} answer: {ex.Message}");
                            }
                        }

                        line = next;
                    }
                }
            }

            return archive;
        }

        private static bool EndsWithNewline(FileStream stream)
        {
            stream.Seek(-1, SeekOrigin.End);
            bool newline = stream.ReadByte() == '\n';
            stream.Seek(0, SeekOrigin.Begin);
            return newline;
        }

        /// <summary>
        /// The answer recorded for the question: the last one in the file when several were
        /// (another server, or the answer changed during the run).
        /// </summary>
        public bool TryGet(string name, DnsRecordType type, out DnsResponse response) =>
            _latest.TryGetValue(DnsArchiveFormat.QuestionKey(name, type), out response!);

        private void Add(DnsResponse response)
        {
            _responses.Add(response);
            _latest[DnsArchiveFormat.QuestionKey(response.QueryName, response.QueryTypeCode)] = response;
        }
    }

    /// <summary>
    /// Answers only from a DNS archive and sends no packet (-DnsArchive with -Offline). TTLs do
    /// not expire: a replay reproduces the day of the recording. A question the archive lacks is a
    /// failed lookup whose reason says so, never "does not exist".
    /// </summary>
    public sealed class DnsArchiveReplayResolver : IDnsResolver
    {
        /// <summary>The <see cref="DnsResponse.ResponseCode"/> of a question the archive lacks.</summary>
        public const string NotInArchiveCode = "NotInArchive";

        private readonly DnsArchive _archive;

        public DnsArchiveReplayResolver(DnsArchive archive)
        {
            _archive = archive ?? throw new ArgumentNullException(nameof(archive));
        }

        public Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
        {
            string queryName = DnsResolver.NormalizeName(name);
            cancellationToken.ThrowIfCancellationRequested();
            if (_archive.TryGet(queryName, type, out DnsResponse recorded))
            {
                return Task.FromResult(recorded);
            }

            return Task.FromResult(new DnsResponse(queryName, type, DnsLookupStatus.Failed, NotInArchiveCode, Array.Empty<DnsRecord>(),
                null, 0, false, $"not in the DNS archive: {type} {queryName} was not recorded in '{_archive.Path}'; run without -Offline to record it.",
                fromArchive: true));
        }
    }

    /// <summary>
    /// Passes queries through and hands every answer a result used, cached ones included, to a
    /// <see cref="DnsArchiveWriter"/> (-DnsArchive without -Offline).
    /// </summary>
    public sealed class ArchivingDnsResolver : IDnsResolver
    {
        private readonly IDnsResolver _inner;
        private readonly DnsArchiveWriter _writer;

        public ArchivingDnsResolver(IDnsResolver inner, DnsArchiveWriter writer)
        {
            _inner = inner ?? throw new ArgumentNullException(nameof(inner));
            _writer = writer ?? throw new ArgumentNullException(nameof(writer));
        }

        public async Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
        {
            DnsResponse response = await _inner.QueryAsync(name, type, cancellationToken).ConfigureAwait(false);
            _writer.Add(response);
            return response;
        }
    }
}
