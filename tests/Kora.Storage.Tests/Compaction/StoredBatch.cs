using Kora.Protocol.Records;

namespace Kora.Storage.Tests.Compaction;

/// <summary>The header of a batch as read back from the log.</summary>
internal sealed record StoredBatch(
    long BaseOffset,
    int LastOffsetDelta,
    int RecordsCount,
    long ProducerId,
    short ProducerEpoch,
    int BaseSequence,
    bool IsControl,
    bool HasDeleteHorizon,
    long DeleteHorizonMs,
    CompressionCodec Compression,
    int PartitionLeaderEpoch,
    bool IsCrcValid)
{
    public static StoredBatch Of(byte[] bytes)
    {
        var batch = new RecordBatch(bytes);
        return new StoredBatch(batch.BaseOffset, batch.LastOffsetDelta, batch.RecordsCount, batch.ProducerId, batch.ProducerEpoch,
            batch.BaseSequence, batch.IsControl, batch.HasDeleteHorizon, batch.DeleteHorizonMs, batch.Compression, batch.PartitionLeaderEpoch, batch.IsCrcValid);
    }
}
