using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Kora.Protocol.Compression;
using Kora.Protocol.Records;

namespace Kora.Storage.Tests.Compaction;

/// <summary>Keyed record batches, compressed or not, idempotent, transactional, or control (COMMIT/ABORT markers).</summary>
internal static class KeyedBatch
{
    public static byte[] Create(
        IEnumerable<(string Key, string? Value)> records,
        long timestamp = 1_700_000_000_000,
        CompressionCodec codec = CompressionCodec.None,
        long producerId = -1,
        short epoch = -1,
        int baseSequence = -1,
        bool transactional = false)
    {
        var attributes = (short)(transactional ? 0x10 : 0);
        var builder = new RecordBatchBuilder(timestamp, producerId, epoch, baseSequence, attributes);
        var i = 0;
        foreach (var (key, value) in records)
        {
            builder.Add(Encoding.UTF8.GetBytes(key), value is null ? [] : Encoding.UTF8.GetBytes(value), timestamp + i++, nullValue: value is null);
        }
        var plain = builder.Build();
        return codec == CompressionCodec.None ? plain : Compress(plain, codec);
    }

    public static byte[] Control(long producerId, short epoch, bool commit, long timestamp = 1_700_000_000_000)
    {
        var key = new byte[4];
        BinaryPrimitives.WriteInt16BigEndian(key.AsSpan(2), commit ? (short)1 : (short)0);
        var value = new byte[6];
        var builder = new RecordBatchBuilder(timestamp, producerId, epoch, -1, attributes: 0x10 | 0x20);
        builder.Add(key, value, timestamp);
        return builder.Build();
    }

    /// <summary>Re-frames a plain batch with its records section compressed by <paramref name="codec"/>.</summary>
    public static byte[] Compress(byte[] plain, CompressionCodec codec)
    {
        var batch = new RecordBatch(plain);
        var compressed = new ArrayBufferWriter<byte>();
        RecordCompression.Compress(codec, batch.RecordsBytes, compressed);
        var bytes = new byte[RecordBatch.HeaderSize + compressed.WrittenCount];
        plain.AsSpan(0, RecordBatch.HeaderSize).CopyTo(bytes);
        compressed.WrittenSpan.CopyTo(bytes.AsSpan(RecordBatch.HeaderSize));
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.LengthOffset..], bytes.Length - RecordBatch.LogOverhead);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatch.AttributesOffset..], (short)(batch.Attributes | (short)codec));
        BinaryPrimitives.WriteUInt32BigEndian(span[RecordBatch.CrcOffset..], Crc32C.Compute(span[RecordBatch.AttributesOffset..]));
        return bytes;
    }
}
