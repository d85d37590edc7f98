using Microsoft.Win32.SafeHandles;

namespace Kora.Storage.Log;

/// <summary>
/// One segment: a .log file of batches stored exactly as received, with its offset and time indexes.
/// A single writer (the partition's append lock holder) appends; readers go lock-free through the
/// published <see cref="Size"/>, which only moves after the bytes and index entries are in the page cache.
/// </summary>
internal sealed class LogSegment
{
    private readonly Lock _gate = new();
    private SafeFileHandle? _log;
    private IdleHandleTracker _idle;
    private bool _closed;
    private bool _deleted;
    private bool _sealed;
    private long _size;
    private long _nextOffset;
    private long _maxTimestamp = -1;

    // Writer state, touched only under the partition's append lock.
    private long _offsetOfMaxTimestamp = -1;
    private long _lastTimeIndexTimestamp = -1;
    private long _bytesSinceIndexEntry;

    private LogSegment(string stem, long baseOffset, SafeFileHandle? log, IndexFile offsetIndex, IndexFile timeIndex, TransactionIndex txnIndex)
    {
        Stem = stem;
        BaseOffset = baseOffset;
        _log = log;
        _nextOffset = baseOffset;
        OffsetIndex = offsetIndex;
        TimeIndex = timeIndex;
        TxnIndex = txnIndex;
    }

    public long BaseOffset { get; }
    public string Stem { get; }
    public string LogPath => Stem + LogFiles.LogSuffix;
    public IndexFile OffsetIndex { get; }
    public IndexFile TimeIndex { get; }

    /// <summary>The aborted transactions whose ABORT marker is in this segment.</summary>
    public TransactionIndex TxnIndex { get; }

    /// <summary>Bytes of whole batches readers may see.</summary>
    public long Size => Volatile.Read(ref _size);

    /// <summary>One past the last offset stored here (the base offset when empty).</summary>
    public long NextOffset => Volatile.Read(ref _nextOffset);

    /// <summary>Largest batch max timestamp, or -1 when no batch carried one.</summary>
    public long MaxTimestamp => Volatile.Read(ref _maxTimestamp);

    /// <summary>When segment.ms starts counting: the first append's time, or the first batch's timestamp after a restart.</summary>
    public long RollBaseTimeMs { get; set; } = -1;

    /// <summary>Read by the flusher thread, so published with a barrier.</summary>
    public bool IsSealed
    {
        get => Volatile.Read(ref _sealed);
        private set => Volatile.Write(ref _sealed, value);
    }

    public static LogSegment Create(string directory, long baseOffset)
    {
        var stem = LogFiles.Stem(directory, baseOffset);
        // No descriptor is kept: most partitions of a large broker sit idle, and the first append opens the file.
        LogFiles.Open(stem + LogFiles.LogSuffix, FileMode.Create).Dispose();
        return new LogSegment(
            stem,
            baseOffset,
            null,
            IndexFile.Create(stem + LogFiles.OffsetIndexSuffix, wideKey: false),
            IndexFile.Create(stem + LogFiles.TimeIndexSuffix, wideKey: true),
            TransactionIndex.Create(stem + LogFiles.TxnIndexSuffix));
    }

    /// <summary>
    /// A segment the cleaner writes under temporary names (<see cref="LogFiles.CleanedSuffix"/> after each file name)
    /// and later renames into place. Its handles stay open across the rename; its paths are the final ones.
    /// </summary>
    public static LogSegment CreateCleaned(string directory, long baseOffset)
    {
        var stem = LogFiles.Stem(directory, baseOffset);
        var log = LogFiles.Open(stem + LogFiles.LogSuffix + LogFiles.CleanedSuffix, FileMode.Create);
        return new LogSegment(
            stem,
            baseOffset,
            log,
            IndexFile.CreateAt(stem + LogFiles.OffsetIndexSuffix, stem + LogFiles.OffsetIndexSuffix + LogFiles.CleanedSuffix, wideKey: false),
            IndexFile.CreateAt(stem + LogFiles.TimeIndexSuffix, stem + LogFiles.TimeIndexSuffix + LogFiles.CleanedSuffix, wideKey: true),
            TransactionIndex.ForCleanedSegment(stem + LogFiles.TxnIndexSuffix));
    }

    /// <summary>Describes an existing segment without opening it; <see cref="SegmentLoader"/> fills in its state.</summary>
    public static LogSegment Load(string directory, long baseOffset)
    {
        var stem = LogFiles.Stem(directory, baseOffset);
        return new LogSegment(
            stem,
            baseOffset,
            null,
            IndexFile.Load(stem + LogFiles.OffsetIndexSuffix, wideKey: false),
            IndexFile.Load(stem + LogFiles.TimeIndexSuffix, wideKey: true),
            TransactionIndex.Load(stem + LogFiles.TxnIndexSuffix));
    }

    /// <summary>The log file handle; false once the segment's handles were closed (it was deleted or the log closed).</summary>
    public bool TryGetHandle(out SafeFileHandle handle)
    {
        lock (_gate)
        {
            // Once deleted, only a descriptor still open may serve: the name may already be a new segment's.
            if (_closed || (_deleted && _log is null))
            {
                handle = null!;
                return false;
            }
            _idle.Touch();
            handle = _log ??= LogFiles.Open(LogPath, FileMode.Open);
            return true;
        }
    }

    public SafeFileHandle Handle => TryGetHandle(out var handle) ? handle : throw new ObjectDisposedException(LogPath);

    /// <summary>
    /// Appends batches whose offsets are already assigned. The write goes to the page cache only;
    /// <see cref="Flush"/> makes it durable.
    /// </summary>
    public void Append(ReadOnlySpan<byte> batches, int indexIntervalBytes, long nowMs)
    {
        var position = _size;
        RandomAccess.Write(Handle, batches, position);
        if (RollBaseTimeMs < 0)
        {
            RollBaseTimeMs = nowMs;
        }
        long next = _nextOffset;
        while (!batches.IsEmpty)
        {
            BatchHeaderReader.TryParse(batches, batches.Length, out var header);
            Track(position, header, indexIntervalBytes);
            position += header.Size;
            next = header.NextOffset;
            batches = batches[header.Size..];
        }
        Publish(position, next);
    }

    /// <summary>Kafka's indexing rule: an entry for the first batch after every <paramref name="indexIntervalBytes"/> of log.</summary>
    public void Track(long position, BatchHeader header, int indexIntervalBytes)
    {
        if (header.MaxTimestamp > _maxTimestamp)
        {
            Volatile.Write(ref _maxTimestamp, header.MaxTimestamp);
            _offsetOfMaxTimestamp = header.LastOffset;
        }
        if (_bytesSinceIndexEntry > indexIntervalBytes)
        {
            OffsetIndex.Append(header.LastOffset - BaseOffset, (int)position);
            MaybeAppendTimeIndex();
            _bytesSinceIndexEntry = 0;
        }
        _bytesSinceIndexEntry += header.Size;
    }

    public void Publish(long size, long nextOffset)
    {
        Volatile.Write(ref _size, size);
        Volatile.Write(ref _nextOffset, nextOffset);
    }

    /// <summary>Restores writer state for a segment loaded from disk.</summary>
    public void Restore(long size, long nextOffset, long maxTimestamp, long offsetOfMaxTimestamp, long bytesSinceIndexEntry)
    {
        _maxTimestamp = maxTimestamp;
        _offsetOfMaxTimestamp = offsetOfMaxTimestamp;
        _lastTimeIndexTimestamp = TimeIndex.TryGetLast(out var lastTimestamp, out _) ? lastTimestamp : -1;
        _bytesSinceIndexEntry = bytesSinceIndexEntry;
        Publish(size, nextOffset);
    }

    /// <summary>Empties both indexes and the in-memory state before a rebuild from the log file.</summary>
    public void ResetForRebuild()
    {
        OffsetIndex.Reset();
        TimeIndex.Reset();
        _maxTimestamp = -1;
        _offsetOfMaxTimestamp = -1;
        _lastTimeIndexTimestamp = -1;
        _bytesSinceIndexEntry = 0;
        IsSealed = false;
        Publish(0, BaseOffset);
    }

    /// <summary>The segment stops taking appends: record its max timestamp in the time index (Kafka does the same on roll).</summary>
    public void Seal()
    {
        MaybeAppendTimeIndex();
        OffsetIndex.Seal();
        TimeIndex.Seal();
        IsSealed = true;
    }

    private void MaybeAppendTimeIndex()
    {
        if (_maxTimestamp > _lastTimeIndexTimestamp)
        {
            TimeIndex.Append(_maxTimestamp, (int)(_offsetOfMaxTimestamp - BaseOffset));
            _lastTimeIndexTimestamp = _maxTimestamp;
        }
    }

    /// <summary>
    /// fsyncs the log. A sealed segment's indexes are synced too; an active segment's are not, because
    /// recovery rebuilds them from the log after a crash.
    /// </summary>
    public void Flush()
    {
        if (!TryGetHandle(out var handle))
        {
            return;
        }
        RandomAccess.FlushToDisk(handle);
        if (IsSealed)
        {
            OffsetIndex.Flush();
            TimeIndex.Flush();
            TxnIndex.Flush();
        }
    }

    /// <summary>Writes pending index entries and fsyncs both indexes, for a clean close.</summary>
    public void FlushIndexes()
    {
        OffsetIndex.Flush();
        TimeIndex.Flush();
        TxnIndex.Flush();
    }

    /// <summary>Cuts the log file at <paramref name="size"/>; the caller rebuilds the indexes.</summary>
    public void TruncateFile(long size) => RandomAccess.SetLength(Handle, size);

    /// <summary>
    /// The position of the first batch whose last offset is at least <paramref name="offset"/>, or
    /// <paramref name="limit"/> when none is: a floor lookup in the offset index, then a short header scan.
    /// </summary>
    public long FindPosition(long offset, long limit, SafeFileHandle handle, ref BatchHeaderReader reader)
    {
        long position = 0;
        var relative = offset - BaseOffset;
        if (relative > 0 && OffsetIndex.TryFindFloor(Math.Min(relative, int.MaxValue), strict: false, out _, out var indexed) && indexed < limit)
        {
            position = indexed;
        }
        while (reader.TryRead(handle, position, limit, out var header))
        {
            if (header.LastOffset >= offset)
            {
                return position;
            }
            position += header.Size;
        }
        return limit;
    }

    /// <summary>
    /// Where to start looking for the first batch with a timestamp at least <paramref name="timestamp"/>:
    /// every batch up to the time index entry below it is older.
    /// </summary>
    public long FindTimestampStart(long timestamp, long limit, SafeFileHandle handle, ref BatchHeaderReader reader) =>
        TimeIndex.TryFindFloor(timestamp, strict: true, out _, out var relative)
            ? FindPosition(BaseOffset + relative + 1L, limit, handle, ref reader)
            : 0;

    /// <summary>Closes the file handles. Reads that already hold the log handle keep working until then.</summary>
    public void CloseHandles()
    {
        lock (_gate)
        {
            _closed = true;
            _log?.Dispose();
            _log = null;
        }
        OffsetIndex.Dispose();
        TimeIndex.Dispose();
        TxnIndex.Dispose();
    }

    /// <summary>Drops idle descriptors after loading; they reopen on first use. Only safe while nothing reads.</summary>
    public void ReleaseHandles()
    {
        lock (_gate)
        {
            if (_deleted)
            {
                return;
            }
            _log?.Dispose();
            _log = null;
        }
        OffsetIndex.ReleaseHandle();
        TimeIndex.ReleaseHandle();
        TxnIndex.ReleaseHandle();
    }

    /// <summary>
    /// Closes the descriptors nobody used for <paramref name="idleMs"/>; they reopen on demand. Unsynced data needs
    /// no descriptor kept for it: fsync writes back the file's dirty pages whichever descriptor it is called on, and
    /// Linux (since 4.16) reports a write-back error to a descriptor opened after it if nobody saw it yet. The
    /// reopened path is the file the data went to: a deleted segment never reopens by name. Returns how many it closed.
    /// </summary>
    public int ReleaseIdleHandles(long nowMs, long idleMs)
    {
        var released = 0;
        lock (_gate)
        {
            if (_log is not null && !_deleted && !_closed && _idle.IsIdle(nowMs, idleMs))
            {
                _log.Dispose();
                _log = null;
                released++;
            }
        }
        released += OffsetIndex.ReleaseIfIdle(nowMs, idleMs) ? 1 : 0;
        released += TimeIndex.ReleaseIfIdle(nowMs, idleMs) ? 1 : 0;
        released += TxnIndex.ReleaseIfIdle(nowMs, idleMs) ? 1 : 0;
        return released;
    }

    /// <summary>Unlinks the files. Open handles stay valid, so fetches in flight still read the bytes.</summary>
    public void DeleteFiles()
    {
        lock (_gate)
        {
            _deleted = true;
        }
        OffsetIndex.MarkDeleted();
        TimeIndex.MarkDeleted();
        LogFiles.TryDelete(LogPath);
        LogFiles.TryDelete(OffsetIndex.Path);
        LogFiles.TryDelete(TimeIndex.Path);
        TxnIndex.Delete();
    }

    public SegmentInfo ToInfo(long nextOffset) =>
        new(BaseOffset, nextOffset, LogPath, OffsetIndex.Path, TimeIndex.Path, Size, MaxTimestamp);
}
