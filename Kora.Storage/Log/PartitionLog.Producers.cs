using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Kora.Protocol.Records;
using Kora.Storage.Producers;

namespace Kora.Storage.Log;

/// <summary>
/// Idempotence and transactions on the partition: the producer state, its snapshots and recovery, the last
/// stable offset, the aborted-transaction index and transaction markers.
/// <para>
/// Snapshots (<c>&lt;offset&gt;.snapshot</c>) are taken at every roll, once the rolled segment is fsynced, and
/// at a clean close, so one on disk always describes durable data. Opening loads the latest one at or below the
/// log end and replays only the batches after it; truncation does the same below the truncation point.
/// </para>
/// </summary>
public sealed partial class PartitionLog
{
    // Guards snapshot files against a late writer racing truncation, retention or close. Never taken before _lock.
    private readonly Lock _snapshotLock = new();
    private long _snapshotGeneration;

    /// <summary>
    /// The offset below which every transaction is decided and replicated: read_committed consumers read up to
    /// here. The high watermark when no transaction is open.
    /// </summary>
    public long LastStableOffset
    {
        get
        {
            // High watermark first: the unstable offset is published before the end offset (and so the high
            // watermark) moves past transactional data, so this order never shows such data as stable.
            var highWatermark = HighWatermark;
            var firstUnstable = _producers.FirstUnstableOffset;
            return firstUnstable < 0 ? highWatermark : Math.Min(Math.Max(firstUnstable, LogStartOffset), highWatermark);
        }
    }

    /// <summary>How the producer state was last rebuilt (open or truncation).</summary>
    public ProducerStateLoad LastProducerStateLoad { get; private set; }

    public int ProducerCount
    {
        get
        {
            lock (_lock)
            {
                return _producers.Count;
            }
        }
    }

    public ProducerState? GetProducerState(long producerId)
    {
        lock (_lock)
        {
            return _producers.TryGet(producerId, out var entry) ? entry.ToPublic() : null;
        }
    }

    public IReadOnlyList<ProducerState> ActiveProducers
    {
        get
        {
            lock (_lock)
            {
                return _producers.Entries.Select(entry => entry.ToPublic()).ToArray();
            }
        }
    }

    /// <summary>
    /// Writes a transaction marker for <paramref name="producerId"/> (the coordinator's side of EndTxn) and ends
    /// its transaction on this partition. Refused with TRANSACTION_COORDINATOR_FENCED for a coordinator epoch
    /// below the producer's last one, and INVALID_PRODUCER_EPOCH for a producer epoch below its current one.
    /// </summary>
    public AppendResult AppendEndTxnMarker(long producerId, short producerEpoch, int coordinatorEpoch, bool committed, int leaderEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(producerId);
        var now = NowMs;
        var batch = EndTransactionMarker.BuildBatch(producerId, producerEpoch, coordinatorEpoch, committed, now);
        return Append(batch, now, leaderEpoch, AppendOrigin.Coordinator);
    }

    /// <summary>
    /// The aborted transactions a read_committed fetch from <paramref name="fetchOffset"/> that returned data up
    /// to <paramref name="upperBoundOffset"/> (exclusive) must be told of; null when there are none.
    /// </summary>
    public List<AbortedTxn>? CollectAbortedTransactions(long fetchOffset, long upperBoundOffset)
    {
        var segments = Volatile.Read(ref _segments);
        List<AbortedTxn>? found = null;
        for (var i = Math.Max(FloorSegment(segments, fetchOffset), 0); i < segments.Length; i++)
        {
            if (segments[i].TxnIndex.Collect(fetchOffset, upperBoundOffset, ref found))
            {
                break;
            }
        }
        return found;
    }

    /// <summary>
    /// producer.id.expiration.ms: forgets producers whose last batch is older than that, except those with an
    /// ongoing transaction. Returns how many were removed.
    /// </summary>
    public int RemoveExpiredProducers(long nowMs)
    {
        int removed;
        lock (_lock)
        {
            if (_closed)
            {
                return 0;
            }
            removed = _producers.RemoveExpired(nowMs, Config.ProducerIdExpirationMs);
        }
        if (removed > 0)
        {
            Log.ProducersExpired(_logger, Directory, removed);
        }
        return removed;
    }

    private void ReleaseReplicatedTransactions()
    {
        lock (_lock)
        {
            _producers.OnHighWatermarkUpdated(_highWatermark);
        }
    }

    /// <summary>At open: the latest usable snapshot, then the batches after it.</summary>
    private void LoadProducerState()
    {
        lock (_lock)
        {
            RebuildProducerState();
        }
        var load = LastProducerStateLoad;
        Log.ProducerStateLoaded(_logger, Directory, load.SnapshotOffset, load.ReplayedFrom, load.ReplayedTo, load.ReplayedBatches, _producers.Count);
    }

    /// <summary>
    /// Rebuilds the producer state for the current segments: drops snapshots outside the log, loads the newest
    /// readable one (a corrupt one is deleted and the next older tried), and replays the log after it, rebuilding
    /// the transaction index entries of that range too. Caller holds the lock.
    /// </summary>
    private void RebuildProducerState()
    {
        var segments = _segments;
        var end = _logEndOffset;
        var first = segments[0].BaseOffset;
        List<ProducerStateEntry>? entries = null;
        var snapshotOffset = -1L;
        lock (_snapshotLock)
        {
            var offsets = ProducerSnapshot.List(Directory);
            for (var i = offsets.Count - 1; i >= 0; i--)
            {
                var offset = offsets[i];
                var usable = offset <= end && offset >= first;
                if (usable && snapshotOffset < 0)
                {
                    if (ProducerSnapshot.TryReadFile(Directory, offset) is { } bytes && ProducerSnapshot.TryDeserialize(bytes, offset, out var read))
                    {
                        (snapshotOffset, entries) = (offset, read);
                        continue;
                    }
                    Log.SnapshotCorrupt(_logger, Directory, offset);
                }
                else if (usable && FloorSegment(segments, offset) is var at && at >= 0 && segments[at].BaseOffset == offset)
                {
                    // An older snapshot at a segment boundary stays: truncation may need it.
                    continue;
                }
                ProducerSnapshot.Delete(Directory, offset);
            }
        }
        _producers.Clear();
        var now = NowMs;
        var expiration = Config.ProducerIdExpirationMs;
        foreach (var entry in entries ?? [])
        {
            if (!ProducerStateManager.IsExpired(entry, now, expiration))
            {
                _producers.Load(entry);
            }
        }
        var from = snapshotOffset >= 0 ? snapshotOffset : first;
        var replayed = Replay(segments, from, end);
        _producers.OnHighWatermarkUpdated(_highWatermark);
        LastProducerStateLoad = new ProducerStateLoad(snapshotOffset, from, end, replayed);
    }

    /// <summary>Applies the producer batches in [<paramref name="from"/>, <paramref name="end"/>) to the producer state, unchecked.</summary>
    private int Replay(LogSegment[] segments, long from, long end)
    {
        var replayed = 0;
        var first = FloorSegment(segments, from);
        if (first < 0 || from >= end)
        {
            for (var i = Math.Max(first, 0); i < segments.Length; i++)
            {
                segments[i].TxnIndex.TruncateFrom(from);
            }
            return 0;
        }
        var reader = new BatchHeaderReader();
        byte[]? whole = null;
        try
        {
            for (var i = first; i < segments.Length && segments[i].BaseOffset < end; i++)
            {
                var segment = segments[i];
                segment.TxnIndex.TruncateFrom(from);
                var handle = segment.Handle;
                var size = segment.Size;
                var position = i == first ? segment.FindPosition(from, size, handle, ref reader) : 0;
                while (reader.TryRead(handle, position, size, out var header, out var bytes) && header.BaseOffset < end)
                {
                    if (BinaryPrimitives.ReadInt64BigEndian(bytes[RecordBatch.ProducerIdOffset..]) >= 0)
                    {
                        var attributes = BinaryPrimitives.ReadInt16BigEndian(bytes[RecordBatch.AttributesOffset..]);
                        if ((attributes & 0x20) != 0 && bytes.Length < header.Size)
                        {
                            // A marker is needed whole; it is small, but may straddle the reader's window.
                            if (whole is null || whole.Length < header.Size)
                            {
                                if (whole is not null)
                                {
                                    ArrayPool<byte>.Shared.Return(whole);
                                }
                                whole = ArrayPool<byte>.Shared.Rent(header.Size);
                            }
                            bytes = whole.AsSpan(0, LogFiles.ReadFully(handle, whole.AsSpan(0, header.Size), position));
                        }
                        var batch = new RecordBatch(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(bytes), bytes.Length));
                        _producers.BeginAppend();
                        _producers.Stage(ProducerBatch.Read(batch, header.BaseOffset), AppendOrigin.Replication, out _, out _);
                        _producers.Commit(segment.TxnIndex, long.MaxValue);
                        replayed++;
                    }
                    position += header.Size;
                }
            }
        }
        finally
        {
            reader.Dispose();
            if (whole is not null)
            {
                ArrayPool<byte>.Shared.Return(whole);
            }
        }
        return replayed;
    }

    /// <summary>
    /// Captures the producer state as of <paramref name="offset"/> (the log end, under the lock) and writes it
    /// once everything below is fsynced. The write runs on the thread pool, never under the append lock.
    /// </summary>
    private void SnapshotWhenFlushed(long offset)
    {
        var bytes = ProducerSnapshot.Serialize(offset, _producers);
        var generation = Volatile.Read(ref _snapshotGeneration);
        _ = WriteSnapshotWhenFlushedAsync(offset, bytes, generation);
    }

    private async Task WriteSnapshotWhenFlushedAsync(long offset, byte[] bytes, long generation)
    {
        await Task.Yield();
        try
        {
            // A snapshot may only vouch for data (and sealed transaction indexes) that is already durable.
            await _flusher.FlushAsync(offset - 1).ConfigureAwait(false);
            lock (_snapshotLock)
            {
                // The lock is cold (truncation, retention, close), so holding it across this small fsync is harmless.
                if (Volatile.Read(ref _closed)
                    || generation != _snapshotGeneration
                    || offset > LogEndOffset
                    || offset < Volatile.Read(ref _segments)[0].BaseOffset)
                {
                    return;
                }
                ProducerSnapshot.Write(Directory, offset, bytes);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // Recovery falls back to an older snapshot and replays more.
            Log.SnapshotFailed(_logger, Directory, offset, e);
        }
    }

    /// <summary>The clean-close snapshot at the log end; the caller has flushed everything.</summary>
    private void WriteCloseSnapshot(long offset, byte[] bytes)
    {
        lock (_snapshotLock)
        {
            ProducerSnapshot.Write(Directory, offset, bytes);
        }
    }

    /// <summary>Retention removed the segments below <paramref name="firstBaseOffset"/>: their snapshots go too. Caller holds the lock.</summary>
    private void DeleteSnapshotsBelow(long firstBaseOffset)
    {
        lock (_snapshotLock)
        {
            foreach (var offset in ProducerSnapshot.List(Directory))
            {
                if (offset < firstBaseOffset)
                {
                    ProducerSnapshot.Delete(Directory, offset);
                }
            }
        }
    }

    /// <summary>
    /// After truncation to <paramref name="offset"/>: snapshots above it are void, including ones still being
    /// written, and the state is rebuilt from the newest one at or below it. Caller holds the lock.
    /// </summary>
    private void TruncateProducerState(long offset, bool fully)
    {
        lock (_snapshotLock)
        {
            _snapshotGeneration++;
            foreach (var snapshot in ProducerSnapshot.List(Directory))
            {
                if (fully || snapshot > offset)
                {
                    ProducerSnapshot.Delete(Directory, snapshot);
                }
            }
        }
        RebuildProducerState();
    }
}
