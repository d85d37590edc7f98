using Kora.Protocol.Records;
using Kora.Storage.Producers;
using Microsoft.Extensions.Logging;

namespace Kora.Storage.Log;

/// <summary>
/// The durable log of one partition, Kafka's design: a directory of segments named by base offset, each a
/// .log of record batches stored byte for byte as produced, a sparse .index and a .timeindex.
/// <para>
/// Concurrency: appends are serialised by one lock held only for offset assignment and the page-cache write
/// (never an fsync). Reads take no lock: they work from a snapshot of the segment array, which is replaced
/// copy-on-write, and see only bytes published by <see cref="LogSegment.Size"/>. fsync is group-committed.
/// </para>
/// </summary>
public sealed partial class PartitionLog
{
    private readonly Lock _lock = new();
    private readonly Lock _checkpointLock = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GroupCommitFlusher _flusher;
    private readonly ProducerStateManager _producers = new();
    private LogConfig _config;
    private LogSegment[] _segments;
    private long _logStartOffset;
    private long _logEndOffset;
    private long _highWatermark;
    private long _lastFlushMs;
    private bool _closed;

    private PartitionLog(string directory, LogConfig config, TimeProvider time, ILogger logger, LogSegment[] segments, long logStartOffset)
    {
        Directory = directory;
        _config = config;
        _time = time;
        _logger = logger;
        _segments = segments;
        _logEndOffset = segments[^1].NextOffset;
        _logStartOffset = Math.Clamp(logStartOffset, segments[0].BaseOffset, _logEndOffset);
        // A single replica's high watermark is its log end; replication lowers it by truncating.
        _highWatermark = _logEndOffset;
        _lastFlushMs = NowMs;
        _epochs = Epochs.LeaderEpochCache.Load(directory);
        // Recovery may have cut the tail the checkpoint still describes.
        if (_epochs.TruncateFromEnd(_logEndOffset))
        {
            _epochs.Flush();
        }
        _flusher = new GroupCommitFlusher(_logEndOffset, () => LogEndOffset, FlushSegments, e => Log.FlushFailed(_logger, Directory, e));
    }

    public string Directory { get; }
    public LogConfig Config => Volatile.Read(ref _config);
    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    /// <summary>The offset the next appended record gets.</summary>
    public long LogEndOffset => Volatile.Read(ref _logEndOffset);

    public long HighWatermark => Volatile.Read(ref _highWatermark);

    /// <summary>Offsets below this are fsynced.</summary>
    public long RecoveryPoint => _flusher.FlushedEnd;

    public int SegmentCount => Volatile.Read(ref _segments).Length;

    /// <summary>Bytes of batches in all segments.</summary>
    public long Size
    {
        get
        {
            long size = 0;
            foreach (var segment in Volatile.Read(ref _segments))
            {
                size += segment.Size;
            }
            return size;
        }
    }

    /// <summary>Rolled segments, oldest first. They never change again, so tiered storage can copy them.</summary>
    public IReadOnlyList<SegmentInfo> ClosedSegments
    {
        get
        {
            var segments = Volatile.Read(ref _segments);
            var closed = new SegmentInfo[segments.Length - 1];
            for (var i = 0; i < closed.Length; i++)
            {
                closed[i] = segments[i].ToInfo(segments[i + 1].BaseOffset);
            }
            return closed;
        }
    }

    /// <summary>Told the duration of each fsync round, for metrics. Runs on the flushing thread; keep it cheap.</summary>
    public Action<TimeSpan>? FlushObserver { get; set; }

    /// <summary>Test hook run at the start of each fsync round.</summary>
    internal Action? BeforeFsync { get; set; }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Opens (or creates) the log in <paramref name="directory"/>. Without a clean-shutdown marker that matches
    /// the files, the last segment is rescanned batch by batch (length, CRC-32C, offset order), its torn or
    /// corrupt tail cut off and its indexes rebuilt; any older segment whose indexes do not fit its data is too.
    /// </summary>
    public static PartitionLog Open(string directory, LogConfig config, TimeProvider time, ILogger logger) =>
        Open(directory, config, time, logger, highWatermark: null);

    /// <summary>
    /// Opens the log of a replicated partition: its high watermark starts at <paramref name="highWatermark"/>
    /// (the broker's checkpoint, kept within the log's start and end) instead of the log end, so the tail that may
    /// not be on the other replicas is neither served to consumers nor counted as committed by transactions
    /// until a leader says it is. Null keeps a lone replica's rule: everything in the log is committed.
    /// </summary>
    public static PartitionLog Open(string directory, LogConfig config, TimeProvider time, ILogger logger, long? highWatermark)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        System.IO.Directory.CreateDirectory(directory);
        Compaction.SwapRecovery.Complete(directory, logger);
        RemoveTemporaryFiles(directory);
        var marker = CleanShutdownMarker.TryRead(directory);
        var checkpoint = LogStartOffsetCheckpoint.Read(directory);
        var segments = LogLoader.Load(directory, config, marker, logger);
        // The marker vouches for one shutdown only: from here on a crash must trigger recovery.
        CleanShutdownMarker.Delete(directory);
        if (segments.Count == 0)
        {
            segments.Add(LogSegment.Create(directory, checkpoint ?? 0));
        }
        var log = new PartitionLog(directory, config, time, logger, [.. segments], checkpoint ?? 0);
        if (highWatermark is { } restored)
        {
            log._highWatermark = Math.Clamp(restored, log.LogStartOffset, log.LogEndOffset);
        }
        log.LoadProducerState();
        Log.Opened(logger, directory, segments.Count, log.LogStartOffset, log.LogEndOffset, marker is not null);
        return log;
    }

    private static void RemoveTemporaryFiles(string directory)
    {
        foreach (var path in System.IO.Directory.EnumerateFiles(directory))
        {
            foreach (var suffix in LogFiles.TempSuffixes)
            {
                if (path.EndsWith(suffix, StringComparison.Ordinal))
                {
                    LogFiles.TryDelete(path);
                    break;
                }
            }
        }
    }

    /// <summary>
    /// Appends already validated batches. Offsets are assigned in place in <paramref name="batches"/> (the base
    /// offset is the log end offset, each following batch continues), as is the LogAppendTime when the topic
    /// uses it; then the bytes are written as they are. Returns once they are in the page cache; use
    /// <see cref="FlushAsync"/> to wait for durability.
    /// <para>
    /// Batches with a producer id are first checked against the producer state (as <paramref name="origin"/>
    /// asks), under the append lock since sequences follow log order. A rejected append writes nothing and
    /// reports the error; a client's retry of a retained batch writes nothing and reports the original offsets.
    /// </para>
    /// </summary>
    public AppendResult Append(Span<byte> batches, long logAppendTimeMs, int leaderEpoch, AppendOrigin origin = AppendOrigin.Client)
    {
        var config = Config;
        var appendTime = config.MessageTimestampType == MessageTimestampType.LogAppendTime ? logAppendTimeMs : -1;
        // Framing checks and the CRC recomputed for LogAppendTime do not depend on offsets: keep them outside the lock.
        var hasProducers = Prepare(batches, appendTime);
        long baseOffset;
        long next;
        LogSegment? rolled = null;
        var epochChanged = false;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            baseOffset = _logEndOffset;
            if (hasProducers && StageProducers(batches, baseOffset, origin) is { } refused)
            {
                return refused;
            }
            epochChanged = _epochs.Assign(leaderEpoch, baseOffset);
            next = AssignOffsets(batches, baseOffset, leaderEpoch);
            rolled = WriteUnderLock(batches, baseOffset, next, logAppendTimeMs, hasProducers, config);
        }
        AfterWrite(epochChanged, rolled, baseOffset, next, config);
        return new AppendResult(baseOffset, next - 1, appendTime, LogStartOffset);
    }

    /// <summary>Checks framing; sets LogAppendTime when asked. Returns whether any batch carries a producer id.</summary>
    private static bool Prepare(Span<byte> batches, long appendTime)
    {
        if (batches.IsEmpty)
        {
            throw new ArgumentException("No record batch to append.", nameof(batches));
        }
        var hasProducers = false;
        var rest = batches;
        while (!rest.IsEmpty)
        {
            if (rest.Length < RecordBatch.HeaderSize || !BatchHeaderReader.TryParse(rest, rest.Length, out var header))
            {
                throw new ArgumentException("Malformed record batch.", nameof(batches));
            }
            var batch = new RecordBatch(rest[..header.Size]);
            if (appendTime >= 0)
            {
                batch.SetLogAppendTime(appendTime);
            }
            hasProducers |= batch.HasProducerId;
            rest = rest[header.Size..];
        }
        return hasProducers;
    }

    /// <summary>
    /// Stages each producer batch at the offsets it is about to get. Null when the append may go ahead; otherwise
    /// the result to return instead (an error, or a duplicate's original offsets). Caller holds the lock.
    /// </summary>
    private AppendResult? StageProducers(Span<byte> batches, long baseOffset, AppendOrigin origin)
    {
        _producers.BeginAppend();
        var offset = baseOffset;
        while (!batches.IsEmpty)
        {
            var batch = new RecordBatch(batches);
            if (batch.HasProducerId)
            {
                var error = _producers.Stage(ProducerBatch.Read(batch, offset), origin, out var duplicate, out var isDuplicate);
                if (isDuplicate)
                {
                    // Kafka answers a retry with the original batch's offsets and its timestamp as the append time.
                    return new AppendResult(duplicate.FirstOffset, duplicate.LastOffset, duplicate.Timestamp, _logStartOffset, IsDuplicate: true);
                }
                if (error != Protocol.Primitives.ErrorCode.None)
                {
                    return AppendResult.Refused(error, _logStartOffset);
                }
            }
            offset += batch.LastOffsetDelta + 1L;
            batches = batches[batch.SizeInBytes..];
        }
        return null;
    }

    private static long AssignOffsets(Span<byte> batches, long baseOffset, int leaderEpoch)
    {
        var next = baseOffset;
        while (!batches.IsEmpty)
        {
            var batch = new RecordBatch(batches);
            batch.AssignOffsets(next, leaderEpoch);
            next += batch.LastOffsetDelta + 1L;
            batches = batches[batch.SizeInBytes..];
        }
        return next;
    }

    private static bool ShouldRoll(LogSegment active, LogConfig config, int length, long lastOffset, long nowMs) =>
        active.Size > 0
        && (active.Size + length > config.EffectiveSegmentBytes
            || (active.RollBaseTimeMs >= 0 && nowMs - active.RollBaseTimeMs > config.SegmentMs)
            || lastOffset - active.BaseOffset > int.MaxValue);

    /// <summary>
    /// Seals the active segment and starts a new one at <paramref name="baseOffset"/>, with a producer-state
    /// snapshot at that offset, so recovery never replays more than the active segment. Caller holds the lock.
    /// </summary>
    private LogSegment Roll(long baseOffset)
    {
        _segments[^1].Seal();
        var created = LogSegment.Create(Directory, baseOffset);
        Volatile.Write(ref _segments, [.. _segments, created]);
        SnapshotWhenFlushed(baseOffset);
        return created;
    }

    /// <summary>
    /// Completes once every offset up to <paramref name="upToOffset"/> is fsynced. Concurrent callers share
    /// fsyncs (group commit). An offset beyond the log end means everything appended so far.
    /// </summary>
    public ValueTask FlushAsync(long upToOffset, CancellationToken cancellationToken = default)
    {
        upToOffset = Math.Min(upToOffset, LogEndOffset - 1);
        if (upToOffset < RecoveryPoint)
        {
            return ValueTask.CompletedTask;
        }
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed), this);
        var task = _flusher.FlushAsync(upToOffset);
        return new ValueTask(task.IsCompleted || !cancellationToken.CanBeCanceled ? task : task.WaitAsync(cancellationToken));
    }

    /// <summary>
    /// The flush.ms policy, for a periodic caller: starts a background flush when data has waited that long.
    /// Also closes handles of deleted segments once their grace period is over. Returns whether it flushed.
    /// </summary>
    public bool MaybeFlush(long nowMs)
    {
        DeferredHandleCloser.CloseDue();
        var end = LogEndOffset;
        if (Volatile.Read(ref _closed) || end <= RecoveryPoint || nowMs - Volatile.Read(ref _lastFlushMs) < Config.FlushMs)
        {
            return false;
        }
        _flusher.Request(end - 1);
        return true;
    }

    private void FlushSegments(long from, long to)
    {
        var started = _time.GetTimestamp();
        BeforeFsync?.Invoke();
        var segments = Volatile.Read(ref _segments);
        for (var i = 0; i < segments.Length && segments[i].BaseOffset < to; i++)
        {
            if (i + 1 < segments.Length && segments[i + 1].BaseOffset <= from)
            {
                continue;
            }
            segments[i].Flush();
        }
        Volatile.Write(ref _lastFlushMs, NowMs);
        FlushObserver?.Invoke(_time.GetElapsedTime(started));
    }

    /// <summary>
    /// Moves the high watermark forward to <paramref name="offset"/>, capped at the log end offset. It never
    /// moves back here (concurrent appends may report out of order); truncation lowers it.
    /// </summary>
    public long UpdateHighWatermark(long offset)
    {
        while (true)
        {
            var current = HighWatermark;
            var target = Math.Min(offset, LogEndOffset);
            if (target <= current)
            {
                return current;
            }
            if (Interlocked.CompareExchange(ref _highWatermark, target, current) == current)
            {
                if (_producers.HasUnreplicated)
                {
                    ReleaseReplicatedTransactions();
                }
                return target;
            }
        }
    }

    public void UpdateConfig(LogConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Volatile.Write(ref _config, config);
    }

    private static int FloorSegment(LogSegment[] segments, long offset)
    {
        int lo = 0, hi = segments.Length - 1, found = -1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (segments[mid].BaseOffset <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(_closed, this);

    /// <summary>
    /// Writes batches whose offsets are assigned to the active segment, rolling first when it is due, and moves the log
    /// end. Called under the lock; returns the segment rolled away from, if any.
    /// </summary>
    private LogSegment? WriteUnderLock(Span<byte> batches, long baseOffset, long next, long nowMs, bool hasProducers, LogConfig config)
    {
        LogSegment? rolled = null;
        var active = _segments[^1];
        if (ShouldRoll(active, config, batches.Length, next - 1, nowMs))
        {
            rolled = active;
            active = Roll(baseOffset);
        }
        active.Append(batches, config.IndexIntervalBytes, nowMs);
        if (hasProducers)
        {
            // Before the end offset moves: no reader may see transactional data without its unstable offset.
            _producers.Commit(active.TxnIndex, _highWatermark);
        }
        Volatile.Write(ref _logEndOffset, next);
        return rolled;
    }

    /// <summary>What follows an append outside the lock: the epoch checkpoint, and the flushes a roll or flush.messages asks for.</summary>
    private void AfterWrite(bool epochChanged, LogSegment? rolled, long baseOffset, long next, LogConfig config)
    {
        if (epochChanged)
        {
            _epochs.Flush();
        }
        if (rolled is not null)
        {
            Log.Rolled(_logger, Directory, rolled.BaseOffset, baseOffset);
            // Kafka flushes a rolled segment soon after the roll, so closed segments are durable with their indexes.
            _flusher.Request(baseOffset - 1);
        }
        if (next - RecoveryPoint >= config.FlushMessages)
        {
            _flusher.Request(next - 1);
        }
    }
}
