using System.Buffers;

namespace Kora.Protocol.Compression;

/// <summary>
/// Zstandard through the streaming API: the Java client writes frames without a content size, so the decoder
/// cannot size its output up front. Consecutive frames decode as one stream. The encoder uses level 3, Kafka's default.
/// </summary>
internal static unsafe class ZstdCodec
{
    private const int Chunk = 128 * 1024;

    public static void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        var stream = ZstdNative.CreateDStream();
        if (stream == 0)
        {
            throw new OutOfMemoryException("ZSTD_createDStream failed.");
        }
        try
        {
            Check(ZstdNative.InitDStream(stream));
            fixed (byte* input = source)
            {
                var inBuffer = new ZstdNative.Buffer { Pointer = input, Size = (nuint)source.Length };
                while (true)
                {
                    var span = destination.GetSpan(Chunk);
                    fixed (byte* output = span)
                    {
                        var outBuffer = new ZstdNative.Buffer { Pointer = output, Size = (nuint)span.Length };
                        var consumedBefore = inBuffer.Position;
                        var result = ZstdNative.DecompressStream(stream, ref outBuffer, ref inBuffer);
                        Check(result);
                        destination.Advance((int)outBuffer.Position);
                        if (result == 0 && inBuffer.Position == inBuffer.Size)
                        {
                            return;
                        }
                        if (outBuffer.Position == 0 && inBuffer.Position == consumedBefore)
                        {
                            throw new InvalidDataException("Truncated zstd frame.");
                        }
                    }
                }
            }
        }
        finally
        {
            ZstdNative.FreeDStream(stream);
        }
    }

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        var context = ZstdNative.CreateCContext();
        if (context == 0)
        {
            throw new OutOfMemoryException("ZSTD_createCCtx failed.");
        }
        try
        {
            fixed (byte* input = source)
            {
                var inBuffer = new ZstdNative.Buffer { Pointer = input, Size = (nuint)source.Length };
                var hint = checked((int)Math.Min(ZstdNative.CompressBound((nuint)source.Length), int.MaxValue / 2));
                while (true)
                {
                    var span = destination.GetSpan(Math.Max(hint, 64));
                    fixed (byte* output = span)
                    {
                        var outBuffer = new ZstdNative.Buffer { Pointer = output, Size = (nuint)span.Length };
                        var remaining = ZstdNative.CompressStream2(context, ref outBuffer, ref inBuffer, ZstdNative.EndDirective);
                        Check(remaining);
                        destination.Advance((int)outBuffer.Position);
                        if (remaining == 0)
                        {
                            return;
                        }
                        hint = (int)Math.Min(remaining, Chunk);
                    }
                }
            }
        }
        finally
        {
            ZstdNative.FreeCContext(context);
        }
    }

    private static void Check(nuint code)
    {
        if (ZstdNative.IsError(code) != 0)
        {
            throw new InvalidDataException($"zstd: {ZstdNative.ErrorName(code)}.");
        }
    }
}
