using Kora.Protocol.Records;

namespace Kora.Storage.Producers;

/// <summary>
/// The fields of a batch the producer state machine reads, with the offsets it has (or will have) in the log.
/// <see cref="HasMarker"/> is false for a control batch whose record is not a readable ABORT/COMMIT marker.
/// </summary>
internal readonly record struct ProducerBatch(
    long ProducerId,
    short ProducerEpoch,
    int FirstSequence,
    int LastSequence,
    long FirstOffset,
    long LastOffset,
    long MaxTimestamp,
    bool IsTransactional,
    bool IsControl,
    bool HasMarker,
    EndTransactionMarker Marker)
{
    /// <summary>Reads <paramref name="batch"/> as if its first offset were <paramref name="firstOffset"/> (offsets may not be assigned yet).</summary>
    public static ProducerBatch Read(RecordBatch batch, long firstOffset)
    {
        var isControl = batch.IsControl;
        var marker = default(EndTransactionMarker);
        var hasMarker = isControl && EndTransactionMarker.TryRead(batch, out marker);
        return new ProducerBatch(
            batch.ProducerId,
            batch.ProducerEpoch,
            batch.BaseSequence,
            batch.LastSequence,
            firstOffset,
            firstOffset + batch.LastOffsetDelta,
            batch.MaxTimestamp,
            batch.IsTransactional,
            isControl,
            hasMarker,
            marker);
    }

    public BatchMetadata Metadata => new(FirstSequence, LastSequence, FirstOffset, LastOffset, MaxTimestamp);
}
