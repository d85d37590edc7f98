using System.Buffers;
using System.Buffers.Binary;
using Kora.Protocol.Primitives;

namespace Kora.Protocol.Records;

/// <summary>
/// Builds an uncompressed v2 record batch for records the broker writes itself (metadata records,
/// and later group offsets and transaction markers). Client batches are never rebuilt.
/// </summary>
public sealed class RecordBatchBuilder
{
    private readonly ArrayBufferWriter<byte> _records = new();
    private readonly long _baseTimestamp;
    private long _maxTimestamp;
    private int _count;

    public RecordBatchBuilder(long baseTimestamp, long producerId = -1, short producerEpoch = -1, int baseSequence = -1, short attributes = 0)
    {
        _baseTimestamp = baseTimestamp;
        _maxTimestamp = baseTimestamp;
        ProducerId = producerId;
        ProducerEpoch = producerEpoch;
        BaseSequence = baseSequence;
        Attributes = attributes;
    }

    public long ProducerId { get; }
    public short ProducerEpoch { get; }
    public int BaseSequence { get; }
    public short Attributes { get; }
    public int Count => _count;

    public RecordBatchBuilder Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long timestamp, bool nullKey = false, bool nullValue = false)
    {
        var bodySize = 1 + Sizes.VarLong(timestamp - _baseTimestamp) + Sizes.VarInt(_count)
            + (nullKey ? 1 : Sizes.VarInt(key.Length) + key.Length)
            + (nullValue ? 1 : Sizes.VarInt(value.Length) + value.Length)
            + 1;
        var writer = new KafkaWriter(_records);
        writer.WriteVarInt(bodySize);
        writer.WriteInt8(0);
        writer.WriteVarLong(timestamp - _baseTimestamp);
        writer.WriteVarInt(_count);
        WriteField(ref writer, key, nullKey);
        WriteField(ref writer, value, nullValue);
        writer.WriteVarInt(0);
        writer.Flush();
        _maxTimestamp = Math.Max(_maxTimestamp, timestamp);
        _count++;
        return this;
    }

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

    public byte[] Build(long baseOffset = 0)
    {
        var size = RecordBatch.HeaderSize + _records.WrittenCount;
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(span, baseOffset);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.LengthOffset..], size - RecordBatch.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.PartitionLeaderEpochOffset..], -1);
        span[RecordBatch.MagicOffset] = 2;
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatch.AttributesOffset..], Attributes);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.LastOffsetDeltaOffset..], Math.Max(0, _count - 1));
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatch.BaseTimestampOffset..], _baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatch.MaxTimestampOffset..], _maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatch.ProducerIdOffset..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatch.ProducerEpochOffset..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.BaseSequenceOffset..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.RecordsCountOffset..], _count);
        _records.WrittenSpan.CopyTo(span[RecordBatch.HeaderSize..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[RecordBatch.CrcOffset..], Crc32C.Compute(span[RecordBatch.AttributesOffset..]));
        return bytes;
    }
}
