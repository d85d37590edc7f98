using System.Buffers;
using System.Buffers.Binary;

namespace Kora.Protocol.Compression;

/// <summary>
/// Snappy. librdkafka writes one raw snappy block; the Java client writes snappy-java's (xerial) framing: a
/// 16-byte header (magic, version, compatible version) and then length-prefixed blocks of at most 32 KiB of
/// input each. Both are read; output uses the xerial framing, which every client reads.
/// </summary>
internal static class SnappyCodec
{
    private const int XerialHeaderSize = 16;
    private const int XerialBlockSize = 32 * 1024;
    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];

    public static void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        if (source.Length < XerialHeaderSize || !source.StartsWith(XerialMagic))
        {
            destination.Write(DecodeBlock(source));
            return;
        }
        var rest = source[XerialHeaderSize..];
        while (!rest.IsEmpty)
        {
            if (rest.Length < 4)
            {
                throw new InvalidDataException("Truncated snappy block length.");
            }
            var length = BinaryPrimitives.ReadInt32BigEndian(rest);
            if (length < 0 || length > rest.Length - 4)
            {
                throw new InvalidDataException("Snappy block length exceeds the data.");
            }
            destination.Write(DecodeBlock(rest.Slice(4, length)));
            rest = rest[(4 + length)..];
        }
    }

    private static byte[] DecodeBlock(ReadOnlySpan<byte> block)
    {
        try
        {
            return IronSnappy.Snappy.Decode(block);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException("Corrupt snappy data.", e);
        }
    }

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        var header = destination.GetSpan(XerialHeaderSize);
        XerialMagic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], 1);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], 1);
        destination.Advance(XerialHeaderSize);
        while (!source.IsEmpty)
        {
            var take = Math.Min(XerialBlockSize, source.Length);
            var block = IronSnappy.Snappy.Encode(source[..take]);
            var span = destination.GetSpan(4 + block.Length);
            BinaryPrimitives.WriteInt32BigEndian(span, block.Length);
            block.CopyTo(span[4..]);
            destination.Advance(4 + block.Length);
            source = source[take..];
        }
    }
}
