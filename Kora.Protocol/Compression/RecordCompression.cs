using System.Buffers;
using Kora.Protocol.Records;

namespace Kora.Protocol.Compression;

/// <summary>
/// Compresses and decompresses the records section of a v2 record batch with the codec its attributes
/// name. Corrupt or truncated input throws <see cref="InvalidDataException"/>, which callers report as
/// CORRUPT_MESSAGE; an unknown codec throws <see cref="NotSupportedException"/> (UNSUPPORTED_COMPRESSION_TYPE).
/// </summary>
public static class RecordCompression
{
    /// <summary>Appends the decompressed bytes to <paramref name="destination"/>; more than <paramref name="maxBytes"/> is treated as corrupt.</summary>
    public static void Decompress(CompressionCodec codec, ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxBytes = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var limited = new LimitedBufferWriter(destination, maxBytes);
        switch (codec)
        {
            case CompressionCodec.None:
                limited.Write(source);
                break;
            case CompressionCodec.Gzip:
                GzipCodec.Decompress(source, limited, maxBytes);
                break;
            case CompressionCodec.Snappy:
                SnappyCodec.Decompress(source, limited);
                break;
            case CompressionCodec.Lz4:
                Lz4Codec.Decompress(source, limited);
                break;
            case CompressionCodec.Zstd:
                ZstdCodec.Decompress(source, limited);
                break;
            default:
                throw new NotSupportedException($"Compression codec {(int)codec} is not supported.");
        }
    }

    /// <summary>Appends <paramref name="source"/> compressed the way the Java client does it to <paramref name="destination"/>.</summary>
    public static void Compress(CompressionCodec codec, ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        switch (codec)
        {
            case CompressionCodec.None:
                destination.Write(source);
                break;
            case CompressionCodec.Gzip:
                GzipCodec.Compress(source, destination);
                break;
            case CompressionCodec.Snappy:
                SnappyCodec.Compress(source, destination);
                break;
            case CompressionCodec.Lz4:
                Lz4Codec.Compress(source, destination);
                break;
            case CompressionCodec.Zstd:
                ZstdCodec.Compress(source, destination);
                break;
            default:
                throw new NotSupportedException($"Compression codec {(int)codec} is not supported.");
        }
    }
}
