using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Kora.Storage.Log;

/// <summary>
/// All partition logs of a broker under one data directory, one <c>&lt;topic&gt;-&lt;partition&gt;</c> folder each.
/// </summary>
public sealed partial class LogManager
{
    private readonly ConcurrentDictionary<(string Topic, int Partition), PartitionLog> _logs = new();
    private readonly Lock _createLock = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public LogManager(string dataDirectory, TimeProvider time, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        DataDirectory = dataDirectory;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        Directory.CreateDirectory(dataDirectory);
    }

    public string DataDirectory { get; }

    /// <summary>Attached to every log this manager opens, for fsync-duration metrics.</summary>
    public Action<TimeSpan>? FlushObserver { get; set; }

    public int Count => _logs.Count;

    public long SegmentCount => _logs.Values.Sum(log => (long)log.SegmentCount);

    public IEnumerable<(string Topic, int Partition, PartitionLog Log)> Logs =>
        _logs.Select(pair => (pair.Key.Topic, pair.Key.Partition, pair.Value));

    public static string DirectoryName(string topic, int partition) =>
        string.Create(CultureInfo.InvariantCulture, $"{topic}-{partition}");

    /// <summary>Splits a folder name on its last '-', since topic names may contain '-' themselves.</summary>
    public static bool TryParseDirectoryName(string name, out string topic, out int partition)
    {
        var dash = name.LastIndexOf('-');
        topic = dash > 0 ? name[..dash] : string.Empty;
        partition = -1;
        return dash > 0 && int.TryParse(name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out partition);
    }

    public PartitionLog GetOrCreate(string topic, int partition, LogConfig config)
    {
        ValidateTopic(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        if (_logs.TryGetValue((topic, partition), out var existing))
        {
            return existing;
        }
        // Opening does I/O and must happen once per folder, so creation is serialised; lookups are not.
        lock (_createLock)
        {
            return _logs.TryGetValue((topic, partition), out existing) ? existing : OpenUnderLock(topic, partition, config);
        }
    }

    public PartitionLog? Get(string topic, int partition) => _logs.GetValueOrDefault((topic, partition));

    /// <summary>Deletes a partition's log and folder. False when it was not open here.</summary>
    public bool Delete(string topic, int partition)
    {
        lock (_createLock)
        {
            if (!_logs.TryRemove((topic, partition), out var log))
            {
                return false;
            }
            log.Delete();
            return true;
        }
    }

    /// <summary>Opens every partition folder under the data directory, at startup. Returns how many were opened.</summary>
    public int LoadAll(Func<string, LogConfig> configForTopic)
    {
        ArgumentNullException.ThrowIfNull(configForTopic);
        var opened = 0;
        foreach (var directory in Directory.EnumerateDirectories(DataDirectory))
        {
            if (!TryParseDirectoryName(Path.GetFileName(directory), out var topic, out var partition))
            {
                continue;
            }
            lock (_createLock)
            {
                if (!_logs.ContainsKey((topic, partition)))
                {
                    OpenUnderLock(topic, partition, configForTopic(topic));
                    opened++;
                }
            }
        }
        Log.Loaded(_logger, opened, DataDirectory);
        return opened;
    }

    /// <summary>The periodic work: retention, the flush.ms policy, producer id expiry, closing idle descriptors and those of deleted segments.</summary>
    public void RunMaintenance(long nowMs)
    {
        foreach (var log in _logs.Values)
        {
            log.ApplyRetention(nowMs);
            log.MaybeFlush(nowMs);
            log.RemoveExpiredProducers(nowMs);
            log.ReleaseIdleHandles(nowMs);
        }
        DeferredHandleCloser.CloseDue();
    }

    /// <summary>Closes every log cleanly (flush, clean-shutdown marker), a few in parallel since each waits for an fsync.</summary>
    public void CloseAll()
    {
        var logs = _logs.Values.ToArray();
        _logs.Clear();
        Parallel.ForEach(logs, new ParallelOptions { MaxDegreeOfParallelism = 8 }, log => log.Close());
    }

    private PartitionLog OpenUnderLock(string topic, int partition, LogConfig config)
    {
        var log = PartitionLog.Open(Path.Combine(DataDirectory, DirectoryName(topic, partition)), config, _time, _logger);
        log.FlushObserver = FlushObserver;
        _logs[(topic, partition)] = log;
        return log;
    }

    private static void ValidateTopic(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        if (topic is "." or ".." || topic.IndexOfAny(['/', '\\', '\0']) >= 0)
        {
            throw new ArgumentException($"'{topic}' cannot name a log directory.", nameof(topic));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(30, LogLevel.Information, "Loaded {Count} partition logs from {DataDirectory}")]
        public static partial void Loaded(ILogger logger, int count, string dataDirectory);
    }
}
