using System.Buffers;

namespace Kora.Protocol.Compression;

/// <summary>
/// LZ4 frames (Kafka's format since record batch v1). The decoder takes any valid frame, including several in a
/// row; the encoder writes what the Java client writes: 64 KiB independent blocks, no checksums beyond the header.
/// </summary>
internal static unsafe class Lz4Codec
{
    private const int Chunk = 64 * 1024;
    private const int Max64KbBlocks = 4;
    private const int IndependentBlocks = 1;

    public static void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        Check(Lz4Native.CreateDecompressionContext(out var context, Lz4Native.FrameVersion));
        try
        {
            fixed (byte* input = source)
            {
                var position = 0;
                nuint hint = 1;
                while (true)
                {
                    var span = destination.GetSpan(Chunk);
                    fixed (byte* output = span)
                    {
                        var produced = (nuint)span.Length;
                        var consumed = (nuint)(source.Length - position);
                        hint = Lz4Native.Decompress(context, output, ref produced, input + position, ref consumed, null);
                        Check(hint);
                        destination.Advance((int)produced);
                        position += (int)consumed;
                        if (hint == 0 && position == source.Length)
                        {
                            return;
                        }
                        if (produced == 0 && consumed == 0)
                        {
                            throw new InvalidDataException("Truncated LZ4 frame.");
                        }
                    }
                }
            }
        }
        finally
        {
            Lz4Native.FreeDecompressionContext(context);
        }
    }

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        var preferences = new Lz4Native.Preferences { BlockSizeId = Max64KbBlocks, BlockMode = IndependentBlocks };
        var bound = Lz4Native.CompressFrameBound((nuint)source.Length, preferences);
        var span = destination.GetSpan(checked((int)bound));
        fixed (byte* input = source)
        fixed (byte* output = span)
        {
            var written = Lz4Native.CompressFrame(output, (nuint)span.Length, input, (nuint)source.Length, preferences);
            Check(written);
            destination.Advance((int)written);
        }
    }

    private static void Check(nuint code)
    {
        if (Lz4Native.IsError(code) != 0)
        {
            throw new InvalidDataException($"LZ4: {Lz4Native.ErrorName(code)}.");
        }
    }
}
