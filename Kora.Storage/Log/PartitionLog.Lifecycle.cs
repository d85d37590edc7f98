using Kora.Storage.Producers;

namespace Kora.Storage.Log;

/// <summary>Removing data: retention, DeleteRecords, truncation; and closing or deleting the whole log.</summary>
public sealed partial class PartitionLog
{
    /// <summary>
    /// Deletes the oldest whole segments that are past retention.ms (by their largest timestamp) or beyond
    /// retention.bytes (both only with cleanup.policy delete), or wholly below the log start offset, and only while they are below the high watermark.
    /// When every segment qualifies, a new empty segment is rolled first so the log keeps its end offset
    /// (Kafka does the same); the active segment is never deleted while it takes appends. Returns the number deleted.
    /// </summary>
    public int ApplyRetention(long nowMs)
    {
        DeferredHandleCloser.CloseDue();
        int count;
        long logStart;
        lock (_lock)
        {
            if (_closed)
            {
                return 0;
            }
            count = CountRetentionDeletable(Config, nowMs);
            if (count == 0)
            {
                return 0;
            }
            RemoveOldestSegments(count);
            logStart = _logStartOffset;
        }
        Log.RetentionDeleted(_logger, Directory, count, logStart);
        return count;
    }

    private int CountRetentionDeletable(LogConfig config, long nowMs)
    {
        var segments = _segments;
        var excess = config.RetentionBytes >= 0 ? TotalSize(segments) - config.RetentionBytes : long.MinValue;
        var count = 0;
        for (; count < segments.Length; count++)
        {
            var segment = segments[count];
            var isLast = count == segments.Length - 1;
            var end = isLast ? _logEndOffset : segments[count + 1].BaseOffset;
            if ((isLast && segment.Size == 0) || end > _highWatermark)
            {
                break;
            }
            // A compact-only topic keeps its segments whatever their age or size; the cleaner shrinks them instead.
            var expired = config.Delete && config.RetentionMs >= 0 && nowMs - RetentionTimestamp(segment) > config.RetentionMs;
            var oversized = config.Delete && config.RetentionBytes >= 0 && excess >= segment.Size;
            var belowStart = !isLast && end <= _logStartOffset;
            if (!expired && !oversized && !belowStart)
            {
                break;
            }
            excess -= segment.Size;
        }
        return count;
    }

    private static long TotalSize(LogSegment[] segments)
    {
        long size = 0;
        foreach (var segment in segments)
        {
            size += segment.Size;
        }
        return size;
    }

    /// <summary>A segment without timestamps ages by its file's modification time, as in Kafka.</summary>
    private static long RetentionTimestamp(LogSegment segment) =>
        segment.MaxTimestamp >= 0
            ? segment.MaxTimestamp
            : new DateTimeOffset(File.GetLastWriteTimeUtc(segment.LogPath)).ToUnixTimeMilliseconds();

    /// <summary>Drops the oldest <paramref name="count"/> segments. Caller holds the lock.</summary>
    private void RemoveOldestSegments(int count)
    {
        var segments = _segments;
        LogSegment[] remaining;
        if (count == segments.Length)
        {
            segments[^1].Seal();
            remaining = [LogSegment.Create(Directory, _logEndOffset)];
        }
        else
        {
            remaining = segments[count..];
        }
        Volatile.Write(ref _segments, remaining);
        if (remaining[0].BaseOffset > _logStartOffset)
        {
            Volatile.Write(ref _logStartOffset, remaining[0].BaseOffset);
        }
        Retire(segments.AsSpan(0, count));
        DeleteSnapshotsBelow(remaining[0].BaseOffset);
        if (count == segments.Length)
        {
            // Producers outlive their data (until they expire); the new segment's snapshot carries them over a restart.
            SnapshotWhenFlushed(_logEndOffset);
        }
    }

    /// <summary>
    /// Unlinks the files now and closes the handles after a grace period, so fetches holding regions of these
    /// segments still complete. Unlinking under the lock keeps a later segment of the same name safe.
    /// </summary>
    private void Retire(ReadOnlySpan<LogSegment> segments)
    {
        foreach (var segment in segments)
        {
            segment.DeleteFiles();
            DeferredHandleCloser.Schedule(segment, _time);
        }
    }

    /// <summary>
    /// DeleteRecords: raises the log start offset to <paramref name="offset"/> (at most the high watermark),
    /// persists it, then deletes the segments wholly below it. Returns the new log start offset.
    /// </summary>
    public long DeleteRecordsBefore(long offset)
    {
        lock (_lock)
        {
            ThrowIfClosed();
            ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, _highWatermark);
            if (offset <= _logStartOffset)
            {
                return _logStartOffset;
            }
            Volatile.Write(ref _logStartOffset, offset);
        }
        // Durable before the reply, and before the segments go: a restart must not resurrect deleted records.
        PersistLogStartOffset();
        lock (_lock)
        {
            var segments = _segments;
            var count = 0;
            while (count < segments.Length - 1 && segments[count + 1].BaseOffset <= _logStartOffset)
            {
                count++;
            }
            if (count > 0 && !_closed)
            {
                RemoveOldestSegments(count);
            }
            return _logStartOffset;
        }
    }

    private void PersistLogStartOffset()
    {
        lock (_checkpointLock)
        {
            LogStartOffsetCheckpoint.Write(Directory, LogStartOffset);
        }
    }

    /// <summary>
    /// Removes every batch whose last offset is at or after <paramref name="offset"/> (replication's truncation
    /// to a leader's epoch end). The segment that keeps data is cut and its indexes rebuilt by a scan; later
    /// segments are deleted. A batch straddling the offset goes too, so the new end is at a batch boundary.
    /// </summary>
    public void Truncate(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        bool startMoved;
        var truncated = true;
        lock (_lock)
        {
            ThrowIfClosed();
            if (offset >= _logEndOffset)
            {
                // Kafka's truncateTo: no data goes, but an epoch this replica assigned as leader without writing in
                // it conflicts with the new leader's history. Kept, it would stay the follower's last fetched epoch
                // and every fetch would be answered with the same divergence.
                _epochs.TruncateFromEnd(_logEndOffset);
                truncated = false;
                startMoved = false;
            }
            else
            {
                _truncations++;
                var segments = _segments;
                var logStart = _logStartOffset;
                var fully = offset <= segments[0].BaseOffset;
                if (fully)
                {
                    // Nothing survives: start over at the offset, as Kafka's truncateFullyAndStartAt.
                    Retire(segments);
                    Volatile.Write(ref _segments, [LogSegment.Create(Directory, offset)]);
                    Volatile.Write(ref _logStartOffset, offset);
                    Volatile.Write(ref _logEndOffset, offset);
                }
                else
                {
                    var index = FloorSegment(segments, offset);
                    var target = segments[index];
                    var reader = new BatchHeaderReader();
                    long position;
                    try
                    {
                        position = target.FindPosition(offset, target.Size, target.Handle, ref reader);
                    }
                    finally
                    {
                        reader.Dispose();
                    }
                    Retire(segments.AsSpan(index + 1));
                    target.TruncateFile(position);
                    SegmentLoader.Rebuild(target, Config.IndexIntervalBytes);
                    target.TxnIndex.TruncateFrom(target.NextOffset);
                    Volatile.Write(ref _segments, segments[..(index + 1)]);
                    Volatile.Write(ref _logEndOffset, target.NextOffset);
                    Volatile.Write(ref _logStartOffset, Math.Min(_logStartOffset, _logEndOffset));
                }
                Volatile.Write(ref _highWatermark, Math.Min(_highWatermark, _logEndOffset));
                _flusher.Lower(_logEndOffset);
                TruncateProducerState(_logEndOffset, fully);
                _epochs.TruncateFromEnd(_logEndOffset);
                startMoved = _logStartOffset != logStart;
            }
        }
        _epochs.Flush();
        if (startMoved)
        {
            PersistLogStartOffset();
        }
        if (truncated)
        {
            Log.Truncated(_logger, Directory, offset, LogEndOffset);
        }
    }

    /// <summary>
    /// Flushes everything, writes the clean-shutdown marker so the next open skips recovery, and closes the
    /// files. Reads and appends fail afterwards.
    /// </summary>
    public void Close()
    {
        LogSegment active;
        byte[] snapshot;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            active = _segments[^1];
            active.Seal();
            snapshot = ProducerSnapshot.Serialize(_logEndOffset, _producers);
        }
        try
        {
            // Joins a flush in progress, so no fsync touches a handle after it is closed below.
            _flusher.FlushAsync(LogEndOffset - 1).GetAwaiter().GetResult();
            active.FlushIndexes();
            WriteCloseSnapshot(LogEndOffset, snapshot);
            CleanShutdownMarker.Capture(active).Write(Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // No marker: the next open recovers, which is the safe outcome.
            Log.CloseFailed(_logger, Directory, e);
        }
        foreach (var segment in Volatile.Read(ref _segments))
        {
            segment.CloseHandles();
        }
    }

    /// <summary>Tests' stand-in for a crash: closes the files without flushing or writing the clean-shutdown marker.</summary>
    internal void Abandon()
    {
        lock (_lock)
        {
            _closed = true;
        }
        foreach (var segment in Volatile.Read(ref _segments))
        {
            segment.CloseHandles();
        }
    }

    /// <summary>Deletes the partition's files and directory (topic deletion). Fetches in flight still complete.</summary>
    public void Delete()
    {
        LogSegment[] segments;
        lock (_lock)
        {
            _closed = true;
            segments = _segments;
            Retire(segments);
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        Log.Deleted(_logger, Directory);
    }
}
