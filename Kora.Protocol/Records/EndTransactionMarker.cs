using System.Buffers.Binary;

namespace Kora.Protocol.Records;

/// <summary>
/// The single record of a transaction marker (control) batch: key <c>[version int16 = 0][type int16]</c>,
/// value <c>[version int16 = 0][coordinator epoch int32]</c>, Kafka's layout.
/// </summary>
public readonly record struct EndTransactionMarker(ControlRecordType Type, int CoordinatorEpoch)
{
    /// <summary>Attributes of a marker batch: transactional (0x10) and control (0x20), uncompressed.</summary>
    public const short BatchAttributes = 0x30;

    private const int KeySize = 4;
    private const int ValueSize = 6;

    public bool IsCommit => Type == ControlRecordType.Commit;

    /// <summary>A marker batch as the coordinator's partition leader writes it: no sequence, one record.</summary>
    public static byte[] BuildBatch(long producerId, short producerEpoch, int coordinatorEpoch, bool committed, long timestamp)
    {
        Span<byte> key = stackalloc byte[KeySize];
        Span<byte> value = stackalloc byte[ValueSize];
        BinaryPrimitives.WriteInt16BigEndian(key, 0);
        BinaryPrimitives.WriteInt16BigEndian(key[2..], (short)(committed ? ControlRecordType.Commit : ControlRecordType.Abort));
        BinaryPrimitives.WriteInt16BigEndian(value, 0);
        BinaryPrimitives.WriteInt32BigEndian(value[2..], coordinatorEpoch);
        return new RecordBatchBuilder(timestamp, producerId, producerEpoch, baseSequence: -1, attributes: BatchAttributes)
            .Add(key, value, timestamp)
            .Build();
    }

    /// <summary>
    /// Reads the marker of a control batch. False when the batch is not a control batch, is compressed, holds
    /// no record (Kafka's cleaner can empty one), or its record is not a well-formed ABORT/COMMIT marker.
    /// </summary>
    public static bool TryRead(RecordBatch batch, out EndTransactionMarker marker)
    {
        marker = default;
        if (!batch.IsControl || batch.Compression != CompressionCodec.None || batch.RecordsCount < 1 || batch.SizeInBytes > batch.Bytes.Length)
        {
            return false;
        }
        try
        {
            var record = new RecordReader(batch.RecordsBytes);
            return TryParse(record.Key, record.KeyIsNull, record.Value, record.ValueIsNull, out marker);
        }
        catch (Primitives.KafkaProtocolException)
        {
            return false;
        }
    }

    private static bool TryParse(ReadOnlySpan<byte> key, bool keyIsNull, ReadOnlySpan<byte> value, bool valueIsNull, out EndTransactionMarker marker)
    {
        marker = default;
        // Kafka reads newer key and value versions by their version-0 prefix.
        if (keyIsNull || valueIsNull || key.Length < KeySize || value.Length < ValueSize)
        {
            return false;
        }
        var type = BinaryPrimitives.ReadInt16BigEndian(key[2..]);
        if (type is not ((short)ControlRecordType.Abort or (short)ControlRecordType.Commit))
        {
            return false;
        }
        marker = new EndTransactionMarker((ControlRecordType)type, BinaryPrimitives.ReadInt32BigEndian(value[2..]));
        return true;
    }
}
