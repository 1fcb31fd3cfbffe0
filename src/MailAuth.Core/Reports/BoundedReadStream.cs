using System;
using System.IO;

namespace MailAuth.Reports
{
    /// <summary>Counts the bytes read through it (the compressed side of an inflater).</summary>
    internal sealed class CountingReadStream : Stream
    {
        private readonly Stream _inner;
        private readonly bool _leaveOpen;

        public CountingReadStream(Stream inner, bool leaveOpen = false)
        {
            _inner = inner;
            _leaveOpen = leaveOpen;
        }

        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = _inner.Read(buffer, offset, count);
            BytesRead += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_leaveOpen)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>
    /// The inflated side of a gzip stream or zip entry: refuses to go past the size bound, or past
    /// the ratio bound once enough has been inflated (RFC 9990 §8.1, zip bombs). The check happens
    /// as bytes are read, so a bomb stops after at most one buffer past the bound.
    /// </summary>
    internal sealed class BoundedReadStream : Stream
    {
        private readonly Stream _inner;
        private readonly Func<long> _compressedBytes;
        private readonly ReportReadLimits _limits;
        private readonly string _what;

        public BoundedReadStream(Stream inner, Func<long> compressedBytes, ReportReadLimits limits, string what)
        {
            _inner = inner;
            _compressedBytes = compressedBytes;
            _limits = limits;
            _what = what;
        }

        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = _inner.Read(buffer, offset, count);
            BytesRead += n;
            if (BytesRead > _limits.MaxDecompressedBytes)
            {
                throw new ReportLimitException(
                    $"compressed size limit exceeded: the {_what} inflates to more than {Mb(_limits.MaxDecompressedBytes)} (the most one report may have); refused as a possible zip bomb.");
            }

            if (BytesRead > _limits.RatioCheckAfterBytes)
            {
                long compressed = Math.Max(1, _compressedBytes());
                double ratio = (double)BytesRead / compressed;
                if (ratio > _limits.MaxCompressionRatio)
                {
                    throw new ReportLimitException(
                        $"compressed size limit exceeded: the {_what} inflated {Mb(compressed)} to more than {Mb(BytesRead)} ({ratio:0}:1; at most {_limits.MaxCompressionRatio:0}:1 is read); refused as a possible zip bomb.");
                }
            }

            return n;
        }

        internal static string Mb(long bytes) => bytes >= 1024 * 1024
            ? (bytes / (1024.0 * 1024)).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " MB"
            : bytes >= 1024 ? (bytes / 1024.0).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " KB"
            : bytes.ToString(System.Globalization.CultureInfo.InvariantCulture) + " bytes";

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
