using Kora.Storage.Log;
using Microsoft.Extensions.Logging;

namespace Kora.Storage.Compaction;

/// <summary>
/// Kafka's LogCleaner and LogCleanerManager: background threads that repeatedly pick the compacted log with the
/// highest dirty ratio above its min.cleanable.dirty.ratio (or one overdue by max.compaction.lag.ms, or whose kept
/// tombstones passed their delete horizon), clean it, and record the new clean boundary in the checkpoint file.
/// </summary>
public sealed partial class LogCleaner : IDisposable
{
    private readonly string _dataDirectory;
    private readonly LogCleanerOptions _options;
    private readonly Func<IEnumerable<CleanableLog>> _logs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Throttler _throttler;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Topic, int Partition), long> _checkpoints;
    private readonly Dictionary<(string Topic, int Partition), long> _deleteHorizons = [];
    private readonly HashSet<(string Topic, int Partition)> _inProgress = [];
    private readonly HashSet<(string Topic, int Partition)> _uncleanable = [];
    private readonly Lock _cleanersGate = new();
    private readonly Stack<Cleaner> _idleCleaners = new();
    private readonly List<Cleaner> _allCleaners = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Thread> _threads = [];
    private long _lastRunMs = -1;
    private bool _disposed;

    public LogCleaner(string dataDirectory, LogCleanerOptions options, Func<IEnumerable<CleanableLog>> logs, TimeProvider time, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        _dataDirectory = dataDirectory;
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logs = logs ?? throw new ArgumentNullException(nameof(logs));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _throttler = new Throttler(options.MaxIoBytesPerSecond, time);
        Directory.CreateDirectory(dataDirectory);
        _checkpoints = CleanerCheckpoint.Read(dataDirectory);
    }

    /// <summary>Told of every finished cleaning, on the cleaner thread.</summary>
    public Action<CleanerStats>? Cleaned { get; set; }

    /// <summary>When the last cleaning finished (Unix ms), -1 before the first.</summary>
    public long LastRunMs => Interlocked.Read(ref _lastRunMs);

    /// <summary>The checkpointed clean boundary of a partition, if any.</summary>
    public long? CleanOffset(string topic, int partition)
    {
        lock (_gate)
        {
            return _checkpoints.TryGetValue((topic, partition), out var offset) ? offset : null;
        }
    }

    public void Start()
    {
        for (var i = 0; i < Math.Max(1, _options.Threads); i++)
        {
            var thread = new Thread(Run) { IsBackground = true, Name = $"kora-log-cleaner-{i}" };
            _threads.Add(thread);
            thread.Start();
        }
    }

    private void Run()
    {
        var cancellation = _stopping.Token;
        while (!cancellation.IsCancellationRequested)
        {
            var cleaned = false;
            try
            {
                cleaned = CleanFilthiestLog(cancellation) is not null;
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.PassFailed(_logger, e);
            }
            if (!cleaned)
            {
                cancellation.WaitHandle.WaitOne(_options.Backoff);
            }
        }
    }

    /// <summary>
    /// One pass of a cleaner thread: picks the filthiest compacted log and cleans it. Returns its statistics, or
    /// null when no log needed cleaning (or the log changed under the cleaner).
    /// </summary>
    public CleanerStats? CleanFilthiestLog(CancellationToken cancellation = default)
    {
        var target = GrabFilthiestLog();
        if (target is null)
        {
            return null;
        }
        var key = (target.Target.Topic, target.Target.Partition);
        var cleaner = RentCleaner();
        try
        {
            var stats = cleaner.Clean(target, cancellation);
            if (stats is null)
            {
                return null;
            }
            Completed(key, stats);
            return stats;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException && target.Target.Log.IsClosed)
        {
            // The partition was deleted or closed mid-pass.
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Kafka marks the partition uncleanable rather than failing the same way every backoff.
            lock (_gate)
            {
                _uncleanable.Add(key);
            }
            Log.Uncleanable(_logger, target.Target.Log.Directory, e);
            return null;
        }
        finally
        {
            ReturnCleaner(cleaner);
            lock (_gate)
            {
                _inProgress.Remove(key);
            }
        }
    }

    private void Completed((string Topic, int Partition) key, CleanerStats stats)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_gate)
        {
            _checkpoints[key] = stats.EndOffset;
            if (stats.EarliestDeleteHorizonMs >= 0)
            {
                _deleteHorizons[key] = stats.EarliestDeleteHorizonMs;
            }
            else
            {
                _deleteHorizons.Remove(key);
            }
            WriteCheckpoints();
        }
        Interlocked.Exchange(ref _lastRunMs, now);
        Log.Cleaned(_logger, stats.Topic, stats.Partition, stats.BytesRead, stats.BytesWritten, stats.RecordsRemoved, stats.SegmentsCleaned, stats.Elapsed.TotalMilliseconds);
        Cleaned?.Invoke(stats);
    }

    /// <summary>Writes the checkpoints of the logs that still exist. Caller holds the gate.</summary>
    private void WriteCheckpoints()
    {
        var live = new HashSet<(string, int)>(_logs().Select(l => (l.Topic, l.Partition)));
        foreach (var stale in _checkpoints.Keys.Where(k => !live.Contains(k)).ToList())
        {
            _checkpoints.Remove(stale);
            _deleteHorizons.Remove(stale);
        }
        CleanerCheckpoint.Write(_dataDirectory, _checkpoints);
    }

    internal LogToClean? GrabFilthiestLog()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_gate)
        {
            LogToClean? best = null;
            foreach (var candidate in _logs())
            {
                var key = (candidate.Topic, candidate.Partition);
                if (!candidate.Log.Config.Compact || candidate.Log.IsClosed || _inProgress.Contains(key) || _uncleanable.Contains(key))
                {
                    continue;
                }
                var log = Evaluate(candidate, now);
                if (log is null || log.CleanBytes + log.CleanableBytes == 0)
                {
                    continue;
                }
                var due = (log.NeedsCompactionNow && log.CleanableBytes > 0)
                    || log.CleanableRatio > candidate.Log.Config.MinCleanableDirtyRatio
                    || (log.DeleteHorizonPassed && log.CleanBytes > 0);
                if (due && (best is null || log.CleanableRatio > best.CleanableRatio))
                {
                    best = log;
                }
            }
            if (best is not null)
            {
                _inProgress.Add((best.Target.Topic, best.Target.Partition));
            }
            return best;
        }
    }

    /// <summary>Kafka's cleanableOffsets and LogToClean for one log. Caller holds the gate.</summary>
    private LogToClean? Evaluate(CleanableLog candidate, long now)
    {
        var log = candidate.Log;
        var config = log.Config;
        var segments = log.SegmentSnapshot;
        var logStart = log.LogStartOffset;
        var key = (candidate.Topic, candidate.Partition);
        var firstDirty = _checkpoints.TryGetValue(key, out var checkpoint) && checkpoint >= logStart && checkpoint <= log.LogEndOffset
            ? checkpoint
            : logStart;
        // Never past the active segment, nor past the high watermark: a replica may still truncate above it.
        var firstUncleanable = Math.Min(segments[^1].BaseOffset, SegmentBaseFloor(segments, log.HighWatermark));
        var earliestDirtyTimestamp = long.MaxValue;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            var segment = segments[i];
            if (segments[i + 1].BaseOffset <= firstDirty)
            {
                continue;
            }
            if (config.MinCompactionLagMs > 0 && LargestTimestamp(segment) > now - config.MinCompactionLagMs)
            {
                firstUncleanable = Math.Min(firstUncleanable, segment.BaseOffset);
            }
            if (config.MaxCompactionLagMs < long.MaxValue && FirstBatchTimestamp(segment) is > 0 and var first)
            {
                earliestDirtyTimestamp = Math.Min(earliestDirtyTimestamp, first);
            }
        }
        long cleanBytes = 0;
        long cleanableBytes = 0;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            var segment = segments[i];
            if (segment.BaseOffset < firstDirty && segments[i + 1].BaseOffset <= firstDirty)
            {
                cleanBytes += segment.Size;
            }
            else if (segment.BaseOffset < firstUncleanable)
            {
                cleanableBytes += segment.Size;
            }
        }
        var overdue = earliestDirtyTimestamp != long.MaxValue && earliestDirtyTimestamp < now - config.MaxCompactionLagMs;
        var horizonPassed = _deleteHorizons.TryGetValue(key, out var horizon) && horizon <= now;
        return new LogToClean(candidate, firstDirty, Math.Max(firstDirty, firstUncleanable), cleanBytes, cleanableBytes, overdue, horizonPassed);
    }

    private static long SegmentBaseFloor(LogSegment[] segments, long offset)
    {
        for (var i = segments.Length - 1; i > 0; i--)
        {
            if (segments[i].BaseOffset <= offset)
            {
                return segments[i].BaseOffset;
            }
        }
        return segments[0].BaseOffset;
    }

    /// <summary>Kafka's LogSegment.largestTimestamp: the largest batch timestamp, or the file's age without any.</summary>
    private static long LargestTimestamp(LogSegment segment) =>
        segment.MaxTimestamp >= 0
            ? segment.MaxTimestamp
            : new DateTimeOffset(File.GetLastWriteTimeUtc(segment.LogPath)).ToUnixTimeMilliseconds();

    private static long FirstBatchTimestamp(LogSegment segment)
    {
        var reader = new BatchHeaderReader();
        try
        {
            return segment.TryGetHandle(out var handle) && reader.TryRead(handle, 0, segment.Size, out var header) ? header.MaxTimestamp : -1;
        }
        catch (IOException)
        {
            return -1;
        }
        finally
        {
            reader.Dispose();
        }
    }

    private Cleaner RentCleaner()
    {
        lock (_cleanersGate)
        {
            if (_idleCleaners.TryPop(out var idle))
            {
                return idle;
            }
            var memory = Math.Min(_options.DedupeBufferSize / Math.Max(1, _options.Threads), int.MaxValue);
            var cleaner = new Cleaner(_options, memory, _throttler, _time, _logger);
            _allCleaners.Add(cleaner);
            return cleaner;
        }
    }

    private void ReturnCleaner(Cleaner cleaner)
    {
        lock (_cleanersGate)
        {
            _idleCleaners.Push(cleaner);
        }
    }

    /// <summary>Stops the threads, waiting for a pass in progress to notice; its partial output is discarded.</summary>
    public void Stop()
    {
        if (Volatile.Read(ref _disposed))
        {
            return;
        }
        _stopping.Cancel();
        foreach (var thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(30));
        }
        _threads.Clear();
    }

    /// <summary>Stops and frees the threads' buffers. Idempotent: the host may dispose a service more than once.</summary>
    public void Dispose()
    {
        Stop();
        if (Interlocked.Exchange(ref _disposed, true))
        {
            return;
        }
        lock (_cleanersGate)
        {
            foreach (var cleaner in _allCleaners)
            {
                cleaner.Dispose();
            }
            _allCleaners.Clear();
            _idleCleaners.Clear();
        }
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(40, LogLevel.Information, "Cleaned {Topic}-{Partition}: read {BytesRead} bytes, wrote {BytesWritten}, removed {RecordsRemoved} records from {Segments} segments in {ElapsedMs:F0} ms")]
        public static partial void Cleaned(ILogger logger, string topic, int partition, long bytesRead, long bytesWritten, long recordsRemoved, int segments, double elapsedMs);

        [LoggerMessage(41, LogLevel.Error, "Cleaning {Directory} failed; the partition is marked uncleanable until the broker restarts")]
        public static partial void Uncleanable(ILogger logger, string directory, Exception exception);

        [LoggerMessage(42, LogLevel.Error, "A log cleaner pass failed")]
        public static partial void PassFailed(ILogger logger, Exception exception);
    }
}
