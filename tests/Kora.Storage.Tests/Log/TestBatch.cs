using System.Buffers.Binary;
using Kora.Protocol.Records;

namespace Kora.Storage.Tests.Log;

/// <summary>Writes valid uncompressed v2 record batches, independent of the production builder.</summary>
internal static class TestBatch
{
    public static byte[] Create(int records = 1, long timestamp = 1_000, int valueSize = 16, long timestampStep = 0, byte fill = 0x61)
    {
        var body = new List<byte>();
        for (var i = 0; i < records; i++)
        {
            var record = new List<byte> { 0 }; // attributes
            WriteVarLong(record, i * timestampStep);
            WriteVarLong(record, i);
            WriteVarLong(record, -1); // null key
            WriteVarLong(record, valueSize);
            for (var b = 0; b < valueSize; b++)
            {
                record.Add((byte)(fill + ((i + b) % 26)));
            }
            WriteVarLong(record, 0); // no headers
            WriteVarLong(body, record.Count);
            body.AddRange(record);
        }
        var bytes = new byte[RecordBatch.HeaderSize + body.Count];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(span, 0);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.LengthOffset..], bytes.Length - RecordBatch.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.PartitionLeaderEpochOffset..], -1);
        span[RecordBatch.MagicOffset] = 2;
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatch.AttributesOffset..], 0);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.LastOffsetDeltaOffset..], records - 1);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatch.BaseTimestampOffset..], timestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatch.MaxTimestampOffset..], timestamp + ((records - 1) * timestampStep));
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatch.ProducerIdOffset..], -1);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatch.ProducerEpochOffset..], -1);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.BaseSequenceOffset..], -1);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.RecordsCountOffset..], records);
        body.CopyTo(bytes, RecordBatch.HeaderSize);
        BinaryPrimitives.WriteUInt32BigEndian(span[RecordBatch.CrcOffset..], Crc32C.Compute(span[RecordBatch.AttributesOffset..]));
        return bytes;
    }

    public static byte[] Concat(params byte[][] batches) => batches.SelectMany(b => b).ToArray();

    /// <summary>The (base offset, last offset, size, max timestamp) of each batch in a byte run, checking each CRC.</summary>
    public static List<(long BaseOffset, long LastOffset, int Size, long MaxTimestamp)> Headers(byte[] bytes)
    {
        var headers = new List<(long, long, int, long)>();
        var span = bytes.AsSpan();
        while (!span.IsEmpty)
        {
            var batch = new RecordBatch(span);
            Assert.True(batch.IsCrcValid, $"CRC mismatch in batch at offset {batch.BaseOffset}");
            headers.Add((batch.BaseOffset, batch.LastOffset, batch.SizeInBytes, batch.MaxTimestamp));
            span = span[batch.SizeInBytes..];
        }
        return headers;
    }

    private static void WriteVarLong(List<byte> destination, long value)
    {
        var zigzag = (ulong)((value << 1) ^ (value >> 63));
        while (zigzag >= 0x80)
        {
            destination.Add((byte)(zigzag | 0x80));
            zigzag >>= 7;
        }
        destination.Add((byte)zigzag);
    }
}
