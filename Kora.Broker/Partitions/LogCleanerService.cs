using Kora.Broker.Telemetry;
using Kora.Storage.Compaction;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Partitions;

/// <summary>
/// Runs the log cleaner (log.cleaner.threads background threads) over the partitions this broker hosts; only those
/// whose cleanup.policy includes compact are cleaned. Stopped before the partitions' logs are closed.
/// </summary>
internal sealed partial class LogCleanerService(
    PartitionManager partitions, IOptions<BrokerOptions> options, BrokerMetrics metrics, TimeProvider time, ILogger<LogCleanerService> logger) : IHostedService, IDisposable
{
    private LogCleaner? _cleaner;

    public LogCleaner? Cleaner => _cleaner;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.LogCleanerEnable)
        {
            Log.Disabled(logger);
            return Task.CompletedTask;
        }
        var cleanerOptions = new LogCleanerOptions
        {
            Threads = Math.Max(1, settings.LogCleanerThreads),
            Backoff = TimeSpan.FromMilliseconds(Math.Max(10, settings.LogCleanerBackoffMs)),
            DedupeBufferSize = Math.Max(1024 * 1024, settings.LogCleanerDedupeBufferSize),
            DedupeBufferLoadFactor = Math.Clamp(settings.LogCleanerIoBufferLoadFactor, 0.01, 1),
            MaxIoBytesPerSecond = settings.LogCleanerIoMaxBytesPerSecond,
        };
        var cleaner = new LogCleaner(
            partitions.DataDir,
            cleanerOptions,
            () => partitions.All.Select(p => new CleanableLog(p.Topic, p.Index, p.Log)),
            time,
            logger);
        cleaner.Cleaned = metrics.LogCleaned;
        metrics.ObserveGauge("kora.broker.log_cleaner.last_run", "ms", "When the log cleaner last finished cleaning a partition (Unix time), -1 before the first.", () => cleaner.LastRunMs);
        _cleaner = cleaner;
        cleaner.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _cleaner?.Stop();
        return Task.CompletedTask;
    }

    public void Dispose() => _cleaner?.Dispose();

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "The log cleaner is disabled (log.cleaner.enable=false): compacted topics are not compacted")]
        public static partial void Disabled(ILogger logger);
    }
}
