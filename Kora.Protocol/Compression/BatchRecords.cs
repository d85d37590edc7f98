using System.Buffers;
using Kora.Protocol.Records;

namespace Kora.Protocol.Compression;

/// <summary>The records section of a batch as plain bytes, decompressed into a caller's scratch buffer when needed.</summary>
public static class BatchRecords
{
    /// <summary>
    /// The uncompressed records of <paramref name="batch"/>: its own bytes when it is not compressed, otherwise
    /// the decompressed bytes in <paramref name="scratch"/> (cleared first). Throws <see cref="InvalidDataException"/>
    /// for corrupt data and <see cref="NotSupportedException"/> for an unknown codec.
    /// </summary>
    public static ReadOnlySpan<byte> Uncompressed(RecordBatch batch, ArrayBufferWriter<byte> scratch, int maxBytes = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        if (batch.Compression == CompressionCodec.None)
        {
            return batch.RecordsBytes;
        }
        scratch.Clear();
        RecordCompression.Decompress(batch.Compression, batch.RecordsBytes, scratch, maxBytes);
        return scratch.WrittenSpan;
    }
}
