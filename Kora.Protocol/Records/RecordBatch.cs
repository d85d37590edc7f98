using System.Buffers.Binary;

namespace Kora.Protocol.Records;

/// <summary>
/// A view over one record batch (magic v2) held as bytes. The batch stays opaque: the broker reads the
/// header, checks the CRC and rewrites the base offset, leader epoch and (for LogAppendTime) the max
/// timestamp in place, so the bytes it stores and serves are the bytes the client sent.
/// </summary>
public readonly ref struct RecordBatch
{
    public const int BaseOffsetOffset = 0;
    public const int LengthOffset = 8;
    public const int PartitionLeaderEpochOffset = 12;
    public const int MagicOffset = 16;
    public const int CrcOffset = 17;
    public const int AttributesOffset = 21;
    public const int LastOffsetDeltaOffset = 23;
    public const int BaseTimestampOffset = 27;
    public const int MaxTimestampOffset = 35;
    public const int ProducerIdOffset = 43;
    public const int ProducerEpochOffset = 51;
    public const int BaseSequenceOffset = 53;
    public const int RecordsCountOffset = 57;
    public const int HeaderSize = 61;
    /// <summary>Bytes before the batch length counts: base offset and the length field itself.</summary>
    public const int LogOverhead = 12;

    /// <summary>Attribute bit (KIP-534): the base timestamp holds the cleaner's delete horizon for tombstones and markers.</summary>
    public const short DeleteHorizonFlag = 0x40;

    private readonly Span<byte> _bytes;

    public RecordBatch(Span<byte> bytes) => _bytes = bytes;

    public Span<byte> Bytes => _bytes;
    public long BaseOffset => BinaryPrimitives.ReadInt64BigEndian(_bytes);
    public int BatchLength => BinaryPrimitives.ReadInt32BigEndian(_bytes[LengthOffset..]);
    public int SizeInBytes => BatchLength + LogOverhead;
    public int PartitionLeaderEpoch => BinaryPrimitives.ReadInt32BigEndian(_bytes[PartitionLeaderEpochOffset..]);
    public byte Magic => _bytes[MagicOffset];
    public uint Crc => BinaryPrimitives.ReadUInt32BigEndian(_bytes[CrcOffset..]);
    public short Attributes => BinaryPrimitives.ReadInt16BigEndian(_bytes[AttributesOffset..]);
    public CompressionCodec Compression => (CompressionCodec)(Attributes & 0x7);
    public bool IsLogAppendTime => (Attributes & 0x8) != 0;
    public bool IsTransactional => (Attributes & 0x10) != 0;
    public bool IsControl => (Attributes & 0x20) != 0;
    public bool HasDeleteHorizon => (Attributes & DeleteHorizonFlag) != 0;

    /// <summary>The time after which the cleaner may drop this batch's tombstones or marker; -1 when none was set.</summary>
    public long DeleteHorizonMs => HasDeleteHorizon ? BaseTimestamp : -1;
    public int LastOffsetDelta => BinaryPrimitives.ReadInt32BigEndian(_bytes[LastOffsetDeltaOffset..]);
    public long LastOffset => BaseOffset + LastOffsetDelta;
    public long BaseTimestamp => BinaryPrimitives.ReadInt64BigEndian(_bytes[BaseTimestampOffset..]);
    public long MaxTimestamp => BinaryPrimitives.ReadInt64BigEndian(_bytes[MaxTimestampOffset..]);
    public long ProducerId => BinaryPrimitives.ReadInt64BigEndian(_bytes[ProducerIdOffset..]);
    public short ProducerEpoch => BinaryPrimitives.ReadInt16BigEndian(_bytes[ProducerEpochOffset..]);
    public int BaseSequence => BinaryPrimitives.ReadInt32BigEndian(_bytes[BaseSequenceOffset..]);

    /// <summary>Idempotent or transactional: Kafka treats any producer id above -1 as one.</summary>
    public bool HasProducerId => ProducerId >= 0;

    /// <summary>The sequence of the batch's last record, wrapping past <see cref="int.MaxValue"/> to 0; -1 without a sequence.</summary>
    public int LastSequence => BaseSequence < 0 ? -1 : IncrementSequence(BaseSequence, LastOffsetDelta);
    public int RecordsCount => BinaryPrimitives.ReadInt32BigEndian(_bytes[RecordsCountOffset..]);
    public ReadOnlySpan<byte> RecordsBytes => _bytes[HeaderSize..SizeInBytes];

    /// <summary>Sequence arithmetic as Kafka does it: sequences run from 0 to <see cref="int.MaxValue"/> and wrap to 0.</summary>
    public static int IncrementSequence(int sequence, int increment) =>
        sequence > int.MaxValue - increment ? increment - (int.MaxValue - sequence) - 1 : sequence + increment;

    public uint ComputeCrc() => Crc32C.Compute(_bytes[AttributesOffset..SizeInBytes]);

    public bool IsCrcValid => ComputeCrc() == Crc;

    /// <summary>Assigns the broker's offsets in place. The CRC does not cover these fields, so it stays valid.</summary>
    public void AssignOffsets(long baseOffset, int partitionLeaderEpoch)
    {
        BinaryPrimitives.WriteInt64BigEndian(_bytes, baseOffset);
        BinaryPrimitives.WriteInt32BigEndian(_bytes[PartitionLeaderEpochOffset..], partitionLeaderEpoch);
    }

    /// <summary>Sets LogAppendTime: the timestamp type bit and max timestamp, then the CRC they are covered by.</summary>
    public void SetLogAppendTime(long timestamp)
    {
        var attributes = (short)(Attributes | 0x8);
        BinaryPrimitives.WriteInt16BigEndian(_bytes[AttributesOffset..], attributes);
        BinaryPrimitives.WriteInt64BigEndian(_bytes[MaxTimestampOffset..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(_bytes[CrcOffset..], ComputeCrc());
    }
}
