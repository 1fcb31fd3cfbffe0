using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;

namespace MailAuth.Dns
{
    /// <summary>
    /// Appends the answers results used to a DNS archive file (<see cref="DnsArchiveFormat"/>).
    /// One writer per file per process, shared by every cmdlet and run that names it, so the
    /// answers a bulk run's workers hand in concurrently become whole lines. Lines are written in
    /// batches (every quarter second and on dispose) under an exclusive lock on the file, so
    /// several processes may append to one archive. An answer already in the file (same question,
    /// server and answer, TTL aside) is not written again.
    /// </summary>
    public sealed class DnsArchiveWriter : IDisposable
    {
        private static readonly Dictionary<string, DnsArchiveWriter> s_open = new Dictionary<string, DnsArchiveWriter>(StringComparer.Ordinal);
        private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);
        private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);

        private readonly HashSet<(ulong, ulong)> _written = new HashSet<(ulong, ulong)>();
        private readonly object _gate = new object();
        private readonly Timer _timer;
        private List<string> _pending = new List<string>();
        private int _users;
        private long _linesWritten;
        private Exception? _failure;

        private DnsArchiveWriter(string path)
        {
            Path = path;
            if (File.Exists(path))
            {
                // A second run into the same archive adds only what is new.
                foreach (DnsResponse response in DnsArchive.Load(path).Responses)
                {
                    _written.Add(DnsArchiveFormat.ContentHash(response));
                }
            }

            _timer = new Timer(_ => TryFlush(), null, FlushInterval, FlushInterval);
        }

        /// <summary>The archive file's full path.</summary>
        public string Path { get; }

        /// <summary>Lines this process has written to the file so far.</summary>
        public long LinesWritten => Interlocked.Read(ref _linesWritten);

        /// <summary>
        /// The writer for <paramref name="path"/> (a full path), shared while anyone holds it;
        /// each <see cref="Open"/> needs its <see cref="Dispose"/>.
        /// </summary>
        /// <exception cref="IOException">The folder does not exist or the existing file cannot be read.</exception>
        public static DnsArchiveWriter Open(string path)
        {
            string full = System.IO.Path.GetFullPath(path);
            string? folder = System.IO.Path.GetDirectoryName(full);
            if (folder != null && !Directory.Exists(folder))
            {
                throw new DirectoryNotFoundException($"The DNS archive's folder '{folder}' does not exist.");
            }

            lock (s_open)
            {
                if (!s_open.TryGetValue(full, out DnsArchiveWriter? writer))
                {
                    writer = new DnsArchiveWriter(full);
                    s_open.Add(full, writer);
                }

                writer._users++;
                return writer;
            }
        }

        /// <summary>Queues the answer for the file unless the file already holds it.</summary>
        public void Add(DnsResponse response)
        {
            if (response is null || response.FromArchive)
            {
                return;
            }

            (ulong, ulong) key = DnsArchiveFormat.ContentHash(response);
            lock (_gate)
            {
                if (_written.Add(key))
                {
                    _pending.Add(DnsArchiveFormat.ToLine(response));
                }
            }
        }

        /// <summary>Writes the queued lines now.</summary>
        /// <exception cref="IOException">The file could not be written (the message names it).</exception>
        public void Flush()
        {
            List<string> lines;
            lock (_gate)
            {
                if (_failure != null)
                {
                    Exception failure = _failure;
                    _failure = null;
                    throw new IOException($"The DNS archive '{Path}' could not be written: {failure.Message}", failure);
                }

                if (_pending.Count == 0)
                {
                    return;
                }

                lines = _pending;
                _pending = new List<string>();
            }

            var text = new StringBuilder();
            foreach (string line in lines)
            {
                text.Append(line).Append('\n');
            }

            byte[] bytes = new UTF8Encoding(false).GetBytes(text.ToString());
            try
            {
                Append(bytes);
                Interlocked.Add(ref _linesWritten, lines.Count);
            }
            catch
            {
                // Kept for the next try: a full disk that frees up loses nothing.
                lock (_gate)
                {
                    _pending.InsertRange(0, lines);
                }

                throw;
            }
        }

        private void Append(byte[] bytes)
        {
            DateTime giveUp = DateTime.UtcNow + LockWait;
            while (true)
            {
                try
                {
                    // FileShare.None: an exclusive lock, taken before the append seeks to the end,
                    // so two processes never interleave inside a line.
                    using (var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.None))
                    {
                        stream.Write(bytes, 0, bytes.Length);
                    }

                    return;
                }
                catch (IOException) when (DateTime.UtcNow < giveUp && IsLocked())
                {
                    Thread.Sleep(20);
                }
            }
        }

        /// <summary>Writes what is queued and, when the last user lets go, closes the writer.</summary>
        public void Dispose()
        {
            bool last;
            lock (s_open)
            {
                last = --_users == 0;
                if (last)
                {
                    s_open.Remove(Path);
                }
            }

            if (last)
            {
                _timer.Dispose();
            }

            Flush();
        }

        private void TryFlush()
        {
            try
            {
                Flush();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                lock (_gate)
                {
                    _failure ??= ex;
                }
            }
        }

        // Another process holds the file: the open fails with a sharing violation. Anything else
        // (no folder, no permission, disk full) is not worth waiting for.
        private bool IsLocked()
        {
            try
            {
                using (new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.None))
                {
                    return false;
                }
            }
            catch (IOException)
            {
                return true;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }
    }
}
