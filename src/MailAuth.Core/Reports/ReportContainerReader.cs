using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Threading;
using MimeKit;

namespace MailAuth.Reports
{
    /// <summary>One report document found in a file: plain, inflated from gzip, a zip entry or a mail attachment.</summary>
    internal sealed class ReportDocument
    {
        public ReportDocument(string sourceFile, string? location, Func<Stream> open)
        {
            SourceFile = sourceFile;
            Location = location;
            Open = open;
        }

        public string SourceFile { get; }

        public string? Location { get; }

        /// <summary>A fresh stream of the document's bytes (inflated and bounded); callable again for a second pass.</summary>
        public Func<Stream> Open { get; }
    }

    /// <summary>A document or a problem found while unpacking a file.</summary>
    internal sealed class ReportContainerItem
    {
        private ReportContainerItem(ReportDocument? document, string sourceFile, string? location, string? errorKind, string? message, bool readError)
        {
            Document = document;
            SourceFile = sourceFile;
            Location = location;
            ErrorKind = errorKind;
            Message = message;
            IsReadError = readError;
        }

        public ReportDocument? Document { get; }

        public string SourceFile { get; }

        public string? Location { get; }

        /// <summary>The ReportErrorIds kind (without the DMARC/TLS-RPT prefix), for a problem.</summary>
        public string? ErrorKind { get; }

        public string? Message { get; }

        /// <summary>The file could not be read at all (I/O, access): a ReadError rather than invalid data.</summary>
        public bool IsReadError { get; }

        public static ReportContainerItem Of(ReportDocument document) =>
            new ReportContainerItem(document, document.SourceFile, document.Location, null, null, false);

        public static ReportContainerItem Fail(string sourceFile, string? location, string kind, string message, bool readError = false) =>
            new ReportContainerItem(null, sourceFile, location, kind, message, readError);
    }

    /// <summary>
    /// Finds the reports in a file, whatever it is: .xml or .json, gzip (RFC 1952; RFC 9990 §3.5.2
    /// and RFC 8460 §5.3 send reports gzipped), zip (every entry, as Google and others send),
    /// a mail (.eml) with reports attached, or an mbox of such mails (RFC 4155). Content decides,
    /// not the file name. Decompression is bounded by <see cref="ReportReadLimits"/>; nothing is
    /// inflated into memory (a mail attachment is held in its compressed, decoded form).
    /// </summary>
    internal sealed class ReportContainerReader
    {
        private const int SniffBytes = 512;
        private readonly ReportReadLimits _limits;
        private readonly CancellationToken _cancellationToken;

        public ReportContainerReader(ReportReadLimits limits, CancellationToken cancellationToken)
        {
            _limits = limits;
            _cancellationToken = cancellationToken;
        }

        internal enum ContentKind
        {
            Empty,
            Gzip,
            Zip,
            Xml,
            Json,
            Mbox,
            Mime,
            Unknown,
        }

        public IEnumerable<ReportContainerItem> Read(string path)
        {
            byte[] head;
            try
            {
                head = Peek(() => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return new[] { ReportContainerItem.Fail(path, null, "ReadError", ex.Message, readError: true) };
            }

            return FromBlob(path, null, () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 65536, FileOptions.SequentialScan),
                head, Path.GetFileName(path), depth: 0, isFile: true);
        }

        /// <summary>Reports in bytes already in memory (a stream given to the API): same rules as a file.</summary>
        public IEnumerable<ReportContainerItem> Read(byte[] data, string name)
        {
            byte[] head = data.Take(SniffBytes).ToArray();
            return FromBlob(name, null, () => new MemoryStream(data, false), head, name, depth: 0, isFile: true);
        }

        private IEnumerable<ReportContainerItem> FromBlob(string file, string? location, Func<Stream> open, byte[] head, string name, int depth, bool isFile)
        {
            ContentKind kind = Sniff(head, name);
            switch (kind)
            {
                case ContentKind.Empty:
                    return new[] { ReportContainerItem.Fail(file, location, ReportErrorIds.Empty, "empty file: it holds no bytes.") };
                case ContentKind.Gzip:
                    return new[] { ReportContainerItem.Of(new ReportDocument(file, location, () => Inflate(open(), "gzip stream"))) };
                case ContentKind.Zip:
                    return depth > 2
                        ? new[] { ReportContainerItem.Fail(file, location, ReportErrorIds.NotDmarc, "not a report: a zip archive nested too deep.") }
                        : FromZip(file, location, open, depth);
                case ContentKind.Mbox:
                case ContentKind.Mime:
                    return isFile && depth == 0
                        ? FromMail(file, open, kind == ContentKind.Mbox)
                        : new[] { ReportContainerItem.Of(new ReportDocument(file, location, open)) };
                case ContentKind.Xml:
                case ContentKind.Json:
                    return new[] { ReportContainerItem.Of(new ReportDocument(file, location, open)) };
                default:
                    return new[]
                    {
                        ReportContainerItem.Fail(file, location, ReportErrorIds.NotDmarc,
                            "not a report: the content is neither XML, JSON, gzip, zip nor a mail message" + Describe(head) + "."),
                    };
            }
        }

        private static string Describe(byte[] head) =>
            head.Length == 0 ? string.Empty : " (it starts with bytes " + BitConverter.ToString(head, 0, Math.Min(4, head.Length)) + ")";

        internal static ContentKind Sniff(byte[] head, string name)
        {
            if (head.Length == 0)
            {
                return ContentKind.Empty;
            }

            if (head.Length >= 2 && head[0] == 0x1F && head[1] == 0x8B)
            {
                return ContentKind.Gzip;
            }

            // Local file header, or the end record of an empty archive (PKWARE APPNOTE 4.3.7, 4.3.16).
            if (head.Length >= 4 && head[0] == 'P' && head[1] == 'K' && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6)))
            {
                return ContentKind.Zip;
            }

            int i = 0;
            if (head.Length >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
            {
                i = 3;
            }
            else if (head.Length >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF)))
            {
                // UTF-16 with a byte order mark: only XML is sent that way.
                return ContentKind.Xml;
            }

            // White space, and a byte order mark after it (seen in the wild), before the content.
            while (i < head.Length)
            {
                if (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')
                {
                    i++;
                }
                else if (head[i] == 0xEF && i + 2 < head.Length && head[i + 1] == 0xBB && head[i + 2] == 0xBF)
                {
                    i += 3;
                }
                else
                {
                    break;
                }
            }

            if (i >= head.Length)
            {
                return ContentKind.Empty;
            }

            if (head[i] == '<')
            {
                return ContentKind.Xml;
            }

            if (head[i] == '{' || head[i] == '[')
            {
                return ContentKind.Json;
            }

            string text = System.Text.Encoding.ASCII.GetString(head, i, head.Length - i);
            if (text.StartsWith("From ", StringComparison.Ordinal))
            {
                return ContentKind.Mbox;
            }

            // A header field name, a colon: a message (RFC 5322 §2.2).
            int colon = text.IndexOf(':');
            if (colon > 0 && colon < 80 && text.Take(colon).All(c => c > ' ' && c < 127))
            {
                return ContentKind.Mime;
            }

            string lower = name.ToLowerInvariant();
            if (lower.EndsWith(".eml", StringComparison.Ordinal) || lower.EndsWith(".mbox", StringComparison.Ordinal))
            {
                return lower.EndsWith(".mbox", StringComparison.Ordinal) ? ContentKind.Mbox : ContentKind.Mime;
            }

            return ContentKind.Unknown;
        }

        private static byte[] Peek(Func<Stream> open)
        {
            using Stream s = open();
            var buffer = new byte[SniffBytes];
            int total = 0;
            while (total < buffer.Length)
            {
                int n = s.Read(buffer, total, buffer.Length - total);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }

            if (total < buffer.Length)
            {
                Array.Resize(ref buffer, total);
            }

            return buffer;
        }

        /// <summary>A gzip stream's inflated bytes, bounded in size and ratio.</summary>
        internal Stream Inflate(Stream compressed, string what)
        {
            var counting = new CountingReadStream(compressed);
            var gzip = new GZipStream(counting, CompressionMode.Decompress);
            return new GzipErrorStream(new BoundedReadStream(gzip, () => counting.BytesRead, _limits, what));
        }

        private IEnumerable<ReportContainerItem> FromZip(string file, string? location, Func<Stream> open, int depth)
        {
            var entries = new List<(int Index, string Name, long Length, long Compressed)>();
            string? failure = null;
            try
            {
                using Stream s = open();
                using Stream seekable = Seekable(s);
                using var archive = new ZipArchive(seekable, ZipArchiveMode.Read, leaveOpen: false);
                int count = archive.Entries.Count;
                if (count > _limits.MaxZipEntries)
                {
                    failure = $"compressed size limit exceeded: the zip archive has {count} entries (at most {_limits.MaxZipEntries} are read).";
                }
                else
                {
                    long declared = 0;
                    for (int i = 0; i < count; i++)
                    {
                        ZipArchiveEntry e = archive.Entries[i];
                        if (e.FullName.EndsWith("/", StringComparison.Ordinal) || e.FullName.EndsWith("\\", StringComparison.Ordinal))
                        {
                            continue;
                        }

                        declared += e.Length;
                        entries.Add((i, e.FullName, e.Length, e.CompressedLength));
                    }

                    if (declared > _limits.MaxDecompressedBytes)
                    {
                        failure = $"compressed size limit exceeded: the zip archive's entries declare {BoundedReadStream.Mb(declared)} inflated (at most {BoundedReadStream.Mb(_limits.MaxDecompressedBytes)}); refused as a possible zip bomb.";
                    }
                }
            }
            catch (InvalidDataException ex)
            {
                failure = "damaged zip archive: " + ex.Message;
            }

            if (failure != null)
            {
                string kind = failure.StartsWith("compressed size", StringComparison.Ordinal) ? ReportErrorIds.SizeLimit : ReportErrorIds.Compression;
                yield return ReportContainerItem.Fail(file, location, kind, failure);
                yield break;
            }

            if (entries.Count == 0)
            {
                yield return ReportContainerItem.Fail(file, location, ReportErrorIds.EmptyArchive, "empty archive: the zip archive has no files in it.");
                yield break;
            }

            int yielded = 0;
            var skipped = new List<string>();
            foreach ((int index, string name, long length, long compressed) in entries)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                string entryLocation = Join(location, "zip entry " + name);
                Func<Stream> openEntry = () => OpenEntry(open, index, compressed, "zip entry " + name);
                byte[] head;
                string? error = null;
                try
                {
                    head = Peek(openEntry);
                }
                catch (InvalidDataException ex)
                {
                    head = Array.Empty<byte>();
                    error = "damaged zip entry: " + ex.Message;
                }

                if (error != null)
                {
                    yield return ReportContainerItem.Fail(file, entryLocation, ReportErrorIds.Compression, error);
                    continue;
                }

                ContentKind kind = Sniff(head, name);
                if (!LooksLikeReport(kind, name))
                {
                    // A stray file beside the reports (a README, __MACOSX data): not a report, skipped.
                    skipped.Add(name);
                    continue;
                }

                foreach (ReportContainerItem item in FromBlob(file, entryLocation, openEntry, head, name, depth + 1, isFile: false))
                {
                    yielded++;
                    yield return item;
                }
            }

            if (yielded == 0)
            {
                yield return ReportContainerItem.Fail(file, location, ReportErrorIds.EmptyArchive,
                    $"empty archive: none of the zip archive's {skipped.Count} file{(skipped.Count == 1 ? string.Empty : "s")} is a report ({string.Join(", ", skipped.Take(5))}).");
            }
        }

        private static bool LooksLikeReport(ContentKind kind, string name)
        {
            string lower = name.ToLowerInvariant();
            bool reportName = lower.EndsWith(".xml", StringComparison.Ordinal) || lower.EndsWith(".gz", StringComparison.Ordinal)
                || lower.EndsWith(".json", StringComparison.Ordinal) || lower.EndsWith(".zip", StringComparison.Ordinal);
            return kind == ContentKind.Xml || kind == ContentKind.Json || kind == ContentKind.Gzip || kind == ContentKind.Zip || reportName;
        }

        private Stream OpenEntry(Func<Stream> open, int index, long compressed, string what)
        {
            Stream s = open();
            Stream seekable = Seekable(s);
            var archive = new ZipArchive(seekable, ZipArchiveMode.Read, leaveOpen: false);
            ZipArchiveEntry entry = archive.Entries[index];
            var bounded = new BoundedReadStream(entry.Open(), () => compressed, _limits, what);
            return new GzipErrorStream(new OwnerStream(bounded, archive));
        }

        /// <summary>ZipArchive needs to seek to the central directory: files can, anything else is copied (compressed, bounded).</summary>
        private Stream Seekable(Stream s)
        {
            if (s.CanSeek)
            {
                return s;
            }

            var copy = new MemoryStream();
            var buffer = new byte[81920];
            int n;
            while ((n = s.Read(buffer, 0, buffer.Length)) > 0)
            {
                copy.Write(buffer, 0, n);
                if (copy.Length > _limits.MaxAttachmentBytes)
                {
                    throw new ReportLimitException($"compressed size limit exceeded: the zip archive is larger than {BoundedReadStream.Mb(_limits.MaxAttachmentBytes)}.");
                }
            }

            s.Dispose();
            copy.Position = 0;
            return copy;
        }

        private IEnumerable<ReportContainerItem> FromMail(string file, Func<Stream> open, bool mbox)
        {
            Stream stream;
            try
            {
                stream = open();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                yield break;
            }

            using (stream)
            {
                var parser = new MimeParser(stream, mbox ? MimeFormat.Mbox : MimeFormat.Entity, persistent: false);
                int number = 0;
                while (!parser.IsEndOfStream)
                {
                    _cancellationToken.ThrowIfCancellationRequested();
                    MimeMessage message;
                    string? parseError = null;
                    try
                    {
                        message = parser.ParseMessage(_cancellationToken);
                    }
                    catch (FormatException ex)
                    {
                        message = null!;
                        parseError = ex.Message;
                    }

                    number++;
                    string where = mbox ? "message " + number : string.Empty;
                    if (parseError != null)
                    {
                        yield return ReportContainerItem.Fail(file, NullIfEmpty(where), ReportErrorIds.NotDmarc, "not a mail message: " + parseError);
                        if (!mbox)
                        {
                            yield break;
                        }

                        continue;
                    }

                    var found = new List<ReportContainerItem>();
                    CollectAttachments(file, where, message.Body, 0, found);
                    if (found.Count == 0)
                    {
                        string subject = string.IsNullOrEmpty(message.Subject) ? string.Empty : " (Subject: " + message.Subject + ")";
                        yield return ReportContainerItem.Fail(file, NullIfEmpty(where), ReportErrorIds.EmptyArchive,
                            "empty archive: the mail has no report attached" + subject + "; reports come as .xml, .xml.gz, .gz, .zip or .json parts.");
                    }

                    foreach (ReportContainerItem item in found)
                    {
                        yield return item;
                    }

                    if (!mbox)
                    {
                        yield break;
                    }
                }
            }
        }

        private void CollectAttachments(string file, string where, MimeEntity? entity, int depth, List<ReportContainerItem> found)
        {
            switch (entity)
            {
                case null:
                    return;
                case Multipart multipart:
                    foreach (MimeEntity child in multipart)
                    {
                        CollectAttachments(file, where, child, depth, found);
                    }

                    return;
                case MessagePart messagePart when depth < _limits.MaxMessageDepth:
                    // A forwarded report (message/rfc822, RFC 2046 §5.2.1): look inside.
                    CollectAttachments(file, Join(NullIfEmpty(where), "attached message")!, messagePart.Message?.Body, depth + 1, found);
                    return;
                case MimePart part when IsReportPart(part):
                    string name = part.FileName ?? part.ContentType.Name ?? part.ContentType.MimeType;
                    string location = Join(NullIfEmpty(where), "attachment " + name)!;
                    byte[] data;
                    try
                    {
                        data = Decode(part);
                    }
                    catch (ReportLimitException ex)
                    {
                        found.Add(ReportContainerItem.Fail(file, location, ReportErrorIds.SizeLimit, ex.Message));
                        return;
                    }

                    found.AddRange(FromBlob(file, location, () => new MemoryStream(data, false), data.Take(SniffBytes).ToArray(), name, depth + 1, isFile: false));
                    return;
                default:
                    return;
            }
        }

        /// <summary>
        /// The parts reports come in: RFC 9990 §3.5.2 (application/gzip, text/xml), RFC 7489 §7.2.1.1,
        /// RFC 8460 §5.3 (application/tlsrpt+gzip, application/tlsrpt+json), and what receivers also
        /// use (application/zip, application/x-gzip, application/octet-stream with a report file name).
        /// </summary>
        private static bool IsReportPart(MimePart part)
        {
            string type = part.ContentType.MimeType.ToLowerInvariant();
            string name = (part.FileName ?? part.ContentType.Name ?? string.Empty).ToLowerInvariant();
            bool reportName = name.EndsWith(".xml", StringComparison.Ordinal) || name.EndsWith(".gz", StringComparison.Ordinal)
                || name.EndsWith(".gzip", StringComparison.Ordinal) || name.EndsWith(".zip", StringComparison.Ordinal) || name.EndsWith(".json", StringComparison.Ordinal);
            switch (type)
            {
                case "application/gzip":
                case "application/x-gzip":
                case "application/zip":
                case "application/x-zip":
                case "application/x-zip-compressed":
                case "application/tlsrpt+gzip":
                case "application/tlsrpt+json":
                case "application/xml":
                case "text/xml":
                    return true;
                case "text/plain":
                case "text/html":
                    return reportName && part.IsAttachment;
                default:
                    return reportName;
            }
        }

        private byte[] Decode(MimePart part)
        {
            using var output = new LimitedMemoryStream(_limits.MaxAttachmentBytes);
            part.Content?.DecodeTo(output, _cancellationToken);
            return output.ToArray();
        }

        private static string? Join(string? a, string b) => string.IsNullOrEmpty(a) ? b : a + ", " + b;

        private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

        private sealed class LimitedMemoryStream : MemoryStream
        {
            private readonly long _max;

            public LimitedMemoryStream(long max)
            {
                _max = max;
            }

            public override void Write(byte[] buffer, int offset, int count)
            {
                if (Length + count > _max)
                {
                    throw new ReportLimitException($"compressed size limit exceeded: the attachment is larger than {BoundedReadStream.Mb(_max)}.");
                }

                base.Write(buffer, offset, count);
            }
        }
    }

    /// <summary>Disposes an owner (a zip archive) with the stream read from it.</summary>
    internal sealed class OwnerStream : Stream
    {
        private readonly Stream _inner;
        private readonly IDisposable _owner;

        public OwnerStream(Stream inner, IDisposable owner)
        {
            _inner = inner;
            _owner = owner;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                _owner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>Turns the inflater's InvalidDataException into a report problem with the reason.</summary>
    internal sealed class GzipErrorStream : Stream
    {
        private readonly Stream _inner;

        public GzipErrorStream(Stream inner)
        {
            _inner = inner;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            try
            {
                return _inner.Read(buffer, offset, count);
            }
            catch (InvalidDataException ex)
            {
                throw new ReportFormatException(ReportErrorIds.Compression, "damaged compressed data: " + ex.Message, ex);
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
