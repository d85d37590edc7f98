using Kora.Protocol.Primitives;
using Kora.Protocol.Records;
using Kora.Storage.Epochs;
using Kora.Storage.Producers;

namespace Kora.Storage.Log;

/// <summary>
/// Replication's side of the log: a follower's append of the leader's batches as they are (offsets and leader
/// epochs already set), the leader-epoch cache those batches keep up to date, and the follower's high watermark.
/// </summary>
public sealed partial class PartitionLog
{
    private readonly LeaderEpochCache _epochs;

    /// <summary>The leader epochs of this log's data (the leader-epoch-checkpoint file).</summary>
    public LeaderEpochCache LeaderEpochs => _epochs;

    /// <summary>The latest leader epoch that wrote data here (or became leader here), -1 when none.</summary>
    public int LatestEpoch => _epochs.LatestEpoch;

    /// <summary>Kafka's endOffsetForEpoch, for OffsetForLeaderEpoch and a follower's divergence check.</summary>
    public EpochEndOffset EndOffsetForEpoch(int epoch) => _epochs.EndOffsetFor(epoch, LogEndOffset);

    /// <summary>Kafka's makeLeader: the new epoch starts at the current log end, even before it writes anything.</summary>
    public void AssignLeaderEpoch(int epoch)
    {
        bool changed;
        lock (_lock)
        {
            ThrowIfClosed();
            changed = _epochs.Assign(epoch, _logEndOffset);
        }
        if (changed)
        {
            _epochs.Flush();
        }
    }

    /// <summary>
    /// A follower's append: the batches come from the leader with offsets and leader epochs set, so they are
    /// written byte for byte after checking framing and CRC-32C; a partial batch at the end (a size-limited
    /// fetch) is left for the next fetch. Producer state follows without sequence checks (the leader checked),
    /// so a follower that becomes leader deduplicates and keeps the last stable offset. Refused with
    /// CORRUPT_MESSAGE for a bad batch and OFFSET_OUT_OF_RANGE when the first batch does not start at the log end.
    /// Returns the offsets written; a fetch with no complete batch returns the log end and writes nothing.
    /// </summary>
    public AppendResult AppendAsFollower(Span<byte> batches, long nowMs)
    {
        var length = CompleteBatches(batches, out var corrupt);
        if (corrupt)
        {
            return AppendResult.Refused(ErrorCode.CorruptMessage, LogStartOffset);
        }
        batches = batches[..length];
        if (batches.IsEmpty)
        {
            return new AppendResult(LogEndOffset, LogEndOffset - 1, -1, LogStartOffset);
        }
        var config = Config;
        long baseOffset;
        long next;
        var epochChanged = false;
        LogSegment? rolled = null;
        lock (_lock)
        {
            ThrowIfClosed();
            baseOffset = new RecordBatch(batches).BaseOffset;
            if (baseOffset != _logEndOffset)
            {
                return AppendResult.Refused(ErrorCode.OffsetOutOfRange, _logStartOffset);
            }
            var hasProducers = false;
            next = baseOffset;
            for (var rest = batches; !rest.IsEmpty;)
            {
                var batch = new RecordBatch(rest);
                if (batch.BaseOffset != next)
                {
                    return AppendResult.Refused(ErrorCode.CorruptMessage, _logStartOffset);
                }
                hasProducers |= batch.HasProducerId;
                epochChanged |= _epochs.Assign(batch.PartitionLeaderEpoch, batch.BaseOffset);
                next = batch.LastOffset + 1;
                rest = rest[batch.SizeInBytes..];
            }
            if (hasProducers)
            {
                StageProducers(batches, baseOffset, AppendOrigin.Replication);
            }
            rolled = WriteUnderLock(batches, baseOffset, next, nowMs, hasProducers, config);
        }
        AfterWrite(epochChanged, rolled, baseOffset, next, config);
        return new AppendResult(baseOffset, next - 1, -1, LogStartOffset);
    }

    /// <summary>The length of the whole, CRC-valid batches at the start of <paramref name="batches"/>.</summary>
    private static int CompleteBatches(ReadOnlySpan<byte> batches, out bool corrupt)
    {
        corrupt = false;
        var length = 0;
        var rest = batches;
        while (rest.Length >= RecordBatch.HeaderSize)
        {
            var size = (long)System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(rest[RecordBatch.LengthOffset..]) + RecordBatch.LogOverhead;
            if (size > rest.Length)
            {
                break;
            }
            if (!BatchHeaderReader.TryParse(rest, rest.Length, out var header)
                || !Crc32C.Compute(rest[RecordBatch.AttributesOffset..header.Size]).Equals(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(rest[RecordBatch.CrcOffset..])))
            {
                corrupt = true;
                return 0;
            }
            length += header.Size;
            rest = rest[header.Size..];
        }
        return length;
    }

    /// <summary>
    /// A follower's high watermark: the leader's, capped at this log's end. Unlike a leader's it is set, not
    /// only raised: a restarted follower opens with its log end as high watermark and learns the real one here.
    /// </summary>
    public void SetFollowerHighWatermark(long leaderHighWatermark)
    {
        var target = Math.Clamp(leaderHighWatermark, 0, LogEndOffset);
        var previous = Interlocked.Exchange(ref _highWatermark, target);
        if (target > previous && _producers.HasUnreplicated)
        {
            ReleaseReplicatedTransactions();
        }
    }

    /// <summary>
    /// Kafka's truncateFullyAndStartAt: drops every segment and starts an empty log at <paramref name="offset"/>,
    /// for a follower whose log end is below the leader's log start (it can never fetch what it misses).
    /// </summary>
    public void TruncateFullyAndStartAt(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        lock (_lock)
        {
            ThrowIfClosed();
            _truncations++;
            Retire(_segments);
            Volatile.Write(ref _segments, [LogSegment.Create(Directory, offset)]);
            Volatile.Write(ref _logStartOffset, offset);
            Volatile.Write(ref _logEndOffset, offset);
            Volatile.Write(ref _highWatermark, offset);
            _flusher.Lower(offset);
            TruncateProducerState(offset, fully: true);
            _epochs.TruncateFromEnd(0);
        }
        _epochs.Flush();
        PersistLogStartOffset();
        Log.Truncated(_logger, Directory, offset, offset);
    }
}
