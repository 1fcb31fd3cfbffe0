using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;

namespace MailAuth.Core.Tests.Html
{
    /// <summary>
    /// Just enough PNG (ISO/IEC 15948) to check a screenshot is not blank: 8-bit RGB or RGBA,
    /// not interlaced (what chromium writes), decoded to pixels.
    /// </summary>
    internal sealed class PngImage
    {
        private PngImage(int width, int height, uint[] pixels)
        {
            Width = width;
            Height = height;
            Pixels = pixels;
        }

        public int Width { get; }

        public int Height { get; }

        /// <summary>0xRRGGBB per pixel, row by row.</summary>
        public uint[] Pixels { get; }

        public static PngImage Decode(byte[] png)
        {
            byte[] signature = { 137, 80, 78, 71, 13, 10, 26, 10 };
            for (int i = 0; i < 8; i++)
            {
                if (png[i] != signature[i])
                {
                    throw new InvalidDataException("not a PNG");
                }
            }

            int width = 0, height = 0, colorType = 0;
            var data = new MemoryStream();
            int offset = 8;
            while (offset + 8 <= png.Length)
            {
                int length = (png[offset] << 24) | (png[offset + 1] << 16) | (png[offset + 2] << 8) | png[offset + 3];
                string type = System.Text.Encoding.ASCII.GetString(png, offset + 4, 4);
                int body = offset + 8;
                if (type == "IHDR")
                {
                    width = (png[body] << 24) | (png[body + 1] << 16) | (png[body + 2] << 8) | png[body + 3];
                    height = (png[body + 4] << 24) | (png[body + 5] << 16) | (png[body + 6] << 8) | png[body + 7];
                    if (png[body + 8] != 8 || png[body + 12] != 0)
                    {
                        throw new InvalidDataException("only 8-bit, non-interlaced PNGs are read");
                    }

                    colorType = png[body + 9];
                    if (colorType != 2 && colorType != 6)
                    {
                        throw new InvalidDataException("only RGB and RGBA PNGs are read, not colour type " + colorType);
                    }
                }
                else if (type == "IDAT")
                {
                    data.Write(png, body, length);
                }
                else if (type == "IEND")
                {
                    break;
                }

                offset = body + length + 4;
            }

            int bpp = colorType == 6 ? 4 : 3;
            int stride = width * bpp;
            var raw = new MemoryStream();
            data.Position = 0;
            using (var z = new ZLibStream(data, CompressionMode.Decompress))
            {
                z.CopyTo(raw);
            }

            byte[] bytes = raw.ToArray();
            var pixels = new uint[width * height];
            var previous = new byte[stride];
            var current = new byte[stride];
            for (int y = 0; y < height; y++)
            {
                int rowStart = y * (stride + 1);
                byte filter = bytes[rowStart];
                for (int x = 0; x < stride; x++)
                {
                    int a = x >= bpp ? current[x - bpp] : 0;
                    int b = previous[x];
                    int c = x >= bpp ? previous[x - bpp] : 0;
                    int value = bytes[rowStart + 1 + x];
                    value += filter switch
                    {
                        0 => 0,
                        1 => a,
                        2 => b,
                        3 => (a + b) / 2,
                        4 => Paeth(a, b, c),
                        _ => throw new InvalidDataException("bad PNG filter " + filter),
                    };
                    current[x] = (byte)value;
                }

                for (int x = 0; x < width; x++)
                {
                    int p = x * bpp;
                    pixels[y * width + x] = ((uint)current[p] << 16) | ((uint)current[p + 1] << 8) | current[p + 2];
                }

                (previous, current) = (current, previous);
            }

            return new PngImage(width, height, pixels);
        }

        /// <summary>How many distinct colours, and the share of pixels that differ from the most common one (the background).</summary>
        public (int Colors, double Ink) Measure() => Measure(0, Height);

        /// <summary>As <see cref="Measure()"/>, over the rows from <paramref name="fromRow"/> up to <paramref name="toRow"/>.</summary>
        public (int Colors, double Ink) Measure(int fromRow, int toRow)
        {
            var counts = new Dictionary<uint, int>();
            int total = 0;
            for (int i = fromRow * Width; i < Math.Min(toRow, Height) * Width; i++)
            {
                uint p = Pixels[i];
                counts[p] = counts.TryGetValue(p, out int n) ? n + 1 : 1;
                total++;
            }

            int background = 0;
            foreach (int n in counts.Values)
            {
                background = Math.Max(background, n);
            }

            return (counts.Count, total == 0 ? 0 : 1.0 - (double)background / total);
        }

        private static int Paeth(int a, int b, int c)
        {
            int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
    }
}
