namespace Kora.Raft.Log;

/// <summary>
/// The replicated log of one Raft replica: whole Kafka record batches with offsets and leader epochs
/// already assigned, an fsync boundary, truncation, the leader-epoch index, and the latest snapshot
/// with the log prefix below it removed. After a restart it reports only what it could validate.
/// </summary>
public interface IRaftLog
{
    /// <summary>The first offset held in the log; everything below is in the latest snapshot.</summary>
    long StartOffset { get; }

    /// <summary>The offset the next appended batch gets.</summary>
    long EndOffset { get; }

    /// <summary>Everything below this offset has been fsynced.</summary>
    long FlushedOffset { get; }

    /// <summary>Epoch of the last batch; the snapshot's epoch when the log is empty after one; 0 when empty.</summary>
    int LastFetchedEpoch { get; }

    OffsetAndEpoch? LatestSnapshotId { get; }

    long LatestSnapshotSize { get; }

    /// <summary>What loading the log found and threw away (a torn or corrupt tail); null when it was clean.</summary>
    string? RecoveryReport { get; }

    /// <summary>The largest epoch not above <paramref name="epoch"/> and the offset where it ends (Kafka's endOffsetForEpoch).</summary>
    OffsetAndEpoch EndOffsetForEpoch(int epoch);

    /// <summary>The epoch of the batch that ends exactly at <paramref name="endOffset"/>, when one does.</summary>
    int? EpochOfBatchEndingAt(long endOffset);

    /// <summary>Appends validated batches that start at <see cref="EndOffset"/>.</summary>
    void Append(ReadOnlySpan<byte> batches);

    void Flush();

    /// <summary>Captures an fsync of everything appended so far, to run off the Raft thread (see <see cref="RaftLogFlush"/>).</summary>
    RaftLogFlush PrepareFlush();

    /// <summary>Marks what <paramref name="flush"/> made durable as flushed; on the Raft thread.</summary>
    void CompleteFlush(RaftLogFlush flush);

    /// <summary>Removes every batch at or after <paramref name="offset"/>.</summary>
    void TruncateTo(long offset);

    /// <summary>Whole batches from <paramref name="offset"/>, a batch boundary, within <paramref name="maxBytes"/> except that the first batch always fits.</summary>
    ReadOnlyMemory<byte> Read(long offset, int maxBytes);

    /// <summary>Stores a snapshot of committed state up to <paramref name="id"/> and removes the log prefix below it.</summary>
    void CreateSnapshot(OffsetAndEpoch id, ReadOnlySpan<byte> content);

    /// <summary>Stores a snapshot fetched from the leader and discards the whole local log in its favour.</summary>
    void InstallSnapshot(OffsetAndEpoch id, ReadOnlySpan<byte> content);

    /// <summary>A slice of the latest snapshot; empty when <paramref name="id"/> is no longer the latest.</summary>
    ReadOnlyMemory<byte> ReadSnapshot(OffsetAndEpoch id, long position, int maxBytes);
}
