namespace Kora.Storage.Log;

/// <summary>Lock-free reads: fetch, and the timestamp lookups of ListOffsets.</summary>
public sealed partial class PartitionLog
{
    /// <summary>
    /// Kafka fetch semantics: whole batches from the one holding <paramref name="fetchOffset"/> on, at most
    /// <paramref name="maxBytes"/> in total, except that with <paramref name="minOneMessage"/> a first batch
    /// larger than that is returned whole. No batch whose last offset reaches <paramref name="maxOffset"/>
    /// (exclusive, usually the high watermark) is returned. The first batch may start before the fetch offset.
    /// </summary>
    public FetchResult Read(long fetchOffset, int maxBytes, long maxOffset, bool minOneMessage)
    {
        while (true)
        {
            ThrowIfClosed();
            var segments = Volatile.Read(ref _segments);
            try
            {
                return ReadFrom(segments, fetchOffset, Math.Max(maxBytes, 0), maxOffset, minOneMessage);
            }
            catch (Exception e) when (IsSegmentGone(e, segments))
            {
                // Retention deleted a segment of the snapshot before its file was opened: look again.
            }
        }
    }

    private FetchResult ReadFrom(LogSegment[] segments, long fetchOffset, int maxBytes, long maxOffset, bool minOneMessage)
    {
        // Bounds first, then the segment sizes: bytes below the end offset read here are surely published.
        var logStart = LogStartOffset;
        var logEnd = LogEndOffset;
        var index = FloorSegment(segments, fetchOffset);
        if (fetchOffset < logStart || fetchOffset > logEnd || index < 0)
        {
            return new FetchResult(ReadStatus.OffsetOutOfRange, FileRecords.Empty, logStart, logEnd);
        }
        var limit = Math.Min(maxOffset, logEnd);
        List<FileRegion>? regions = null;
        long total = 0;
        var next = fetchOffset;
        var reader = new BatchHeaderReader();
        try
        {
            for (var i = index; i < segments.Length && fetchOffset < limit && segments[i].BaseOffset < limit; i++)
            {
                var segment = segments[i];
                var handle = segment.Handle;
                var size = segment.Size;
                var start = i == index ? segment.FindPosition(fetchOffset, size, handle, ref reader) : 0;
                var end = start;
                var full = false;
                while (reader.TryRead(handle, end, size, out var header))
                {
                    if (header.LastOffset >= limit)
                    {
                        full = true;
                        break;
                    }
                    if (total + (end - start) + header.Size > maxBytes)
                    {
                        if (total == 0 && end == start && minOneMessage)
                        {
                            end += header.Size;
                            next = header.NextOffset;
                        }
                        full = true;
                        break;
                    }
                    end += header.Size;
                    next = header.NextOffset;
                }
                if (end > start)
                {
                    (regions ??= new List<FileRegion>(1)).Add(new FileRegion(handle, start, (int)(end - start)));
                    total += end - start;
                }
                if (full)
                {
                    break;
                }
            }
        }
        finally
        {
            reader.Dispose();
        }
        var records = regions is null ? FileRecords.Empty : new FileRecords([.. regions]);
        return new FetchResult(ReadStatus.Ok, records, logStart, logEnd, next);
    }

    /// <summary>
    /// ListOffsets by timestamp: the first batch (at or after the log start) whose max timestamp is at least
    /// <paramref name="timestampMs"/>. Returns that batch's max timestamp and base offset (batches are not
    /// decompressed, so the offset is the batch's, not the exact record's); null when no batch qualifies.
    /// </summary>
    public TimestampAndOffset? OffsetForTimestamp(long timestampMs)
    {
        while (true)
        {
            ThrowIfClosed();
            var segments = Volatile.Read(ref _segments);
            try
            {
                var logStart = LogStartOffset;
                foreach (var segment in segments)
                {
                    if (segment.MaxTimestamp >= timestampMs && Search(segment, timestampMs, logStart) is { } found)
                    {
                        return found;
                    }
                }
                return null;
            }
            catch (Exception e) when (IsSegmentGone(e, segments))
            {
            }
        }
    }

    /// <summary>ListOffsets MAX_TIMESTAMP (-3): the first batch carrying the largest timestamp in the log; null when empty.</summary>
    public TimestampAndOffset? MaxTimestamp()
    {
        while (true)
        {
            ThrowIfClosed();
            var segments = Volatile.Read(ref _segments);
            try
            {
                LogSegment? best = null;
                foreach (var segment in segments)
                {
                    if (segment.MaxTimestamp >= 0 && segment.MaxTimestamp > (best?.MaxTimestamp ?? -1))
                    {
                        best = segment;
                    }
                }
                return best is null ? null : Search(best, best.MaxTimestamp, LogStartOffset);
            }
            catch (Exception e) when (IsSegmentGone(e, segments))
            {
            }
        }
    }

    private static TimestampAndOffset? Search(LogSegment segment, long timestamp, long logStart)
    {
        var handle = segment.Handle;
        var size = segment.Size;
        var reader = new BatchHeaderReader();
        try
        {
            var position = segment.FindTimestampStart(timestamp, size, handle, ref reader);
            if (logStart > segment.BaseOffset)
            {
                position = Math.Max(position, segment.FindPosition(logStart, size, handle, ref reader));
            }
            while (reader.TryRead(handle, position, size, out var header))
            {
                if (header.MaxTimestamp >= timestamp)
                {
                    return new TimestampAndOffset(header.MaxTimestamp, Math.Max(header.BaseOffset, logStart));
                }
                position += header.Size;
            }
            return null;
        }
        finally
        {
            reader.Dispose();
        }
    }

    /// <summary>A read failed because retention or truncation replaced the segments it was working from.</summary>
    private bool IsSegmentGone(Exception e, LogSegment[] snapshot) =>
        e is IOException or ObjectDisposedException
        && !Volatile.Read(ref _closed)
        && !ReferenceEquals(snapshot, Volatile.Read(ref _segments));
}
