using System.Buffers;
using System.Buffers.Binary;
using Kora.Protocol.Compression;

namespace Kora.Protocol.Records;

/// <summary>
/// A topic's <c>compression.type</c> other than <c>producer</c>: Kafka's LogValidator stores every data batch in
/// the topic's codec, whatever the producer used. Only the records section changes codec; the records themselves
/// (offset deltas, timestamps, keys, values, headers) and every header field but the length, the codec bits and the
/// CRC-32C stay as the producer wrote them, so producer ids and sequences still deduplicate. Control batches are
/// never compressed and stay as they are.
/// </summary>
public static class BatchRecompressor
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_uncompressed;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_compressed;

    /// <summary>Whether some data batch of <paramref name="batches"/> (already validated) is not in <paramref name="target"/>.</summary>
    public static bool Needed(Span<byte> batches, CompressionCodec target)
    {
        var rest = batches;
        while (rest.Length >= RecordBatch.HeaderSize)
        {
            var batch = new RecordBatch(rest);
            if (!batch.IsControl && batch.Compression != target)
            {
                return true;
            }
            rest = rest[batch.SizeInBytes..];
        }
        return false;
    }

    /// <summary>
    /// <paramref name="batches"/> (already validated) with each data batch in <paramref name="target"/>. Throws
    /// <see cref="InvalidDataException"/> for a batch that cannot be decompressed (CORRUPT_MESSAGE) and
    /// <see cref="NotSupportedException"/> for an unknown codec (UNSUPPORTED_COMPRESSION_TYPE).
    /// </summary>
    public static byte[] Recompress(Span<byte> batches, CompressionCodec target, int maxUncompressedBytes)
    {
        var output = new ArrayBufferWriter<byte>(batches.Length + RecordBatch.HeaderSize);
        var uncompressed = t_uncompressed ??= new ArrayBufferWriter<byte>();
        var compressed = t_compressed ??= new ArrayBufferWriter<byte>();
        var rest = batches;
        while (rest.Length >= RecordBatch.HeaderSize)
        {
            var batch = new RecordBatch(rest);
            var size = batch.SizeInBytes;
            if (batch.IsControl || batch.Compression == target)
            {
                output.Write(rest[..size]);
            }
            else
            {
                var records = BatchRecords.Uncompressed(batch, uncompressed, maxUncompressedBytes);
                compressed.Clear();
                RecordCompression.Compress(target, records, compressed);
                Write(rest[..RecordBatch.HeaderSize], target, compressed.WrittenSpan, output);
            }
            rest = rest[size..];
        }
        return output.WrittenSpan.ToArray();
    }

    private static void Write(ReadOnlySpan<byte> header, CompressionCodec target, ReadOnlySpan<byte> body, ArrayBufferWriter<byte> output)
    {
        var size = RecordBatch.HeaderSize + body.Length;
        var span = output.GetSpan(size)[..size];
        header.CopyTo(span);
        body.CopyTo(span[RecordBatch.HeaderSize..]);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.LengthOffset..], size - RecordBatch.LogOverhead);
        var attributes = BinaryPrimitives.ReadInt16BigEndian(span[RecordBatch.AttributesOffset..]);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatch.AttributesOffset..], (short)((attributes & ~0x7) | (int)target));
        BinaryPrimitives.WriteUInt32BigEndian(span[RecordBatch.CrcOffset..], Crc32C.Compute(span[RecordBatch.AttributesOffset..]));
        output.Advance(size);
    }
}
