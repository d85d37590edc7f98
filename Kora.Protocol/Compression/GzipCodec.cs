using System.Buffers;
using System.IO.Compression;

namespace Kora.Protocol.Compression;

/// <summary>gzip (RFC 1952) via zlib; concatenated members decode as one stream, as Java's GZIPInputStream does.</summary>
internal static class GzipCodec
{
    private const int Chunk = 64 * 1024;

    public static unsafe void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        fixed (byte* pointer = source)
        {
            using var input = new UnmanagedMemoryStream(pointer, source.Length);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            try
            {
                while (true)
                {
                    var span = destination.GetSpan(Chunk);
                    var read = gzip.Read(span);
                    if (read == 0)
                    {
                        return;
                    }
                    destination.Advance(read);
                }
            }
            catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException)
            {
                throw new InvalidDataException("Corrupt gzip data.", e);
            }
        }
    }

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        using var output = new BufferWriterStream(destination);
        // Optimal is zlib level 6, the level of Java's GZIPOutputStream.
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(source);
        }
    }
}
