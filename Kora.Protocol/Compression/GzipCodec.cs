using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace Kora.Protocol.Compression;

/// <summary>gzip (RFC 1952) via zlib; concatenated members decode as one stream, as Java's GZIPInputStream does.</summary>
internal static class GzipCodec
{
    private const int Chunk = 64 * 1024;
    private const int TrailerSize = 8;

    // What Java's GZIPOutputStream writes for no input; .NET's GZipStream writes nothing at all.
    private static ReadOnlySpan<byte> EmptyMember => [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    public static unsafe void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxBytes)
    {
        if (source.Length < EmptyMember.Length)
        {
            throw new InvalidDataException("Truncated gzip data.");
        }
        // zlib stops quietly at the end of a truncated stream; the trailer check below catches that.
        var output = new ArrayBufferWriter<byte>((int)Math.Max(1, Math.Min(Math.Max(Chunk, source.Length * 4L), maxBytes)));
        fixed (byte* pointer = source)
        {
            using var input = new UnmanagedMemoryStream(pointer, source.Length);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            try
            {
                while (true)
                {
                    var read = gzip.Read(output.GetSpan(Chunk));
                    if (read == 0)
                    {
                        break;
                    }
                    output.Advance(read);
                    if (output.WrittenCount > maxBytes)
                    {
                        throw new InvalidDataException($"Decompressed records exceed {maxBytes} bytes.");
                    }
                }
            }
            catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException)
            {
                throw new InvalidDataException("Corrupt gzip data.", e);
            }
        }
        // The last member's trailer: CRC-32 and size (mod 2^32) of its output, which ends the whole output.
        var trailer = source[^TrailerSize..];
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        var written = output.WrittenSpan;
        if (size > written.Length || Crc32.Compute(written[^(int)size..]) != crc)
        {
            throw new InvalidDataException("Truncated or corrupt gzip data: the trailer does not match the output.");
        }
        destination.Write(written);
    }

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        if (source.IsEmpty)
        {
            destination.Write(EmptyMember);
            return;
        }
        using var output = new BufferWriterStream(destination);
        // Optimal is zlib level 6, the level of Java's GZIPOutputStream.
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(source);
        }
    }
}
