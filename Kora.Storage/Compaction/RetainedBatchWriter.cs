using System.Buffers;
using System.Buffers.Binary;
using Kora.Protocol.Compression;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;

namespace Kora.Storage.Compaction;

/// <summary>
/// Writes what the cleaner keeps of a batch, as Kafka's MemoryRecordsBuilder does: the same base offset, last
/// offset delta, partition leader epoch, producer id, epoch and base sequence, transactional and control bits and
/// codec; records keep their offsets, timestamps, keys, values and headers and are re-compressed with the batch's
/// codec; the CRC-32C is recomputed. The base timestamp is the delete horizon when one is set (KIP-534).
/// </summary>
internal sealed class RetainedBatchWriter
{
    private const int TimestampTypeFlag = 0x8;
    private const int TransactionalFlag = 0x10;
    private const int ControlFlag = 0x20;

    private readonly ArrayBufferWriter<byte> _records = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _compressed = new(64 * 1024);

    /// <summary>
    /// Appends a batch made of the records of <paramref name="batch"/> at <paramref name="retained"/> (ranges of
    /// <paramref name="uncompressed"/>, its decoded records section). <paramref name="deleteHorizonMs"/> is -1 for none.
    /// </summary>
    public void WriteRetained(RecordBatch batch, ReadOnlySpan<byte> uncompressed, IReadOnlyList<Range> retained, long deleteHorizonMs, IBufferWriter<byte> output)
    {
        var originalBase = batch.BaseTimestamp;
        long baseTimestamp;
        if (deleteHorizonMs >= 0)
        {
            baseTimestamp = deleteHorizonMs;
        }
        else
        {
            var first = new RecordReader(uncompressed[retained[0]]);
            baseTimestamp = originalBase + first.TimestampDelta;
        }
        var maxTimestamp = -1L;
        _records.Clear();
        var writer = new KafkaWriter(_records);
        foreach (var range in retained)
        {
            var record = new RecordReader(uncompressed[range]);
            var timestamp = originalBase + record.TimestampDelta;
            maxTimestamp = Math.Max(maxTimestamp, timestamp);
            var delta = timestamp - baseTimestamp;
            var bodySize = 1 + Sizes.VarLong(delta) + Sizes.VarInt(record.OffsetDelta)
                + FieldSize(record.Key, record.KeyIsNull) + FieldSize(record.Value, record.ValueIsNull)
                + Sizes.VarInt(record.HeaderCount) + record.Headers.Length;
            writer.WriteVarInt(bodySize);
            writer.WriteInt8(0);
            writer.WriteVarLong(delta);
            writer.WriteVarInt(record.OffsetDelta);
            WriteField(ref writer, record.Key, record.KeyIsNull);
            WriteField(ref writer, record.Value, record.ValueIsNull);
            writer.WriteVarInt(record.HeaderCount);
            writer.WriteRaw(record.Headers);
        }
        writer.Flush();
        if (batch.IsLogAppendTime)
        {
            maxTimestamp = batch.MaxTimestamp;
        }
        ReadOnlySpan<byte> body = _records.WrittenSpan;
        if (batch.Compression != CompressionCodec.None)
        {
            _compressed.Clear();
            RecordCompression.Compress(batch.Compression, body, _compressed);
            body = _compressed.WrittenSpan;
        }
        var attributes = (short)(batch.Attributes & (0x7 | TimestampTypeFlag | TransactionalFlag | ControlFlag));
        if (deleteHorizonMs >= 0)
        {
            attributes |= RecordBatch.DeleteHorizonFlag;
        }
        WriteBatch(batch, attributes, baseTimestamp, maxTimestamp, retained.Count, body, output);
    }

    /// <summary>
    /// Kafka's empty batch header: no records, only the offsets and producer state of <paramref name="batch"/>, so a
    /// producer's last sequence and epoch survive the removal of its records.
    /// </summary>
    public static void WriteEmpty(RecordBatch batch, IBufferWriter<byte> output)
    {
        var attributes = (short)(batch.Attributes & (TimestampTypeFlag | TransactionalFlag | ControlFlag));
        WriteBatch(batch, attributes, batch.MaxTimestamp, batch.MaxTimestamp, 0, [], output);
    }

    private static void WriteBatch(RecordBatch batch, short attributes, long baseTimestamp, long maxTimestamp, int count, ReadOnlySpan<byte> body, IBufferWriter<byte> output)
    {
        var size = RecordBatch.HeaderSize + body.Length;
        var span = output.GetSpan(size)[..size];
        BinaryPrimitives.WriteInt64BigEndian(span, batch.BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.LengthOffset..], size - RecordBatch.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.PartitionLeaderEpochOffset..], batch.PartitionLeaderEpoch);
        span[RecordBatch.MagicOffset] = 2;
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatch.AttributesOffset..], attributes);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.LastOffsetDeltaOffset..], batch.LastOffsetDelta);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatch.BaseTimestampOffset..], baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatch.MaxTimestampOffset..], maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatch.ProducerIdOffset..], batch.ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatch.ProducerEpochOffset..], batch.ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.BaseSequenceOffset..], batch.BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.RecordsCountOffset..], count);
        body.CopyTo(span[RecordBatch.HeaderSize..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[RecordBatch.CrcOffset..], Crc32C.Compute(span[RecordBatch.AttributesOffset..]));
        output.Advance(size);
    }

    private static int FieldSize(ReadOnlySpan<byte> bytes, bool isNull) => isNull ? 1 : Sizes.VarInt(bytes.Length) + bytes.Length;

    private static void WriteField(ref KafkaWriter writer, ReadOnlySpan<byte> bytes, bool isNull)
    {
        if (isNull)
        {
            writer.WriteVarInt(-1);
            return;
        }
        writer.WriteVarInt(bytes.Length);
        writer.WriteRaw(bytes);
    }
}
