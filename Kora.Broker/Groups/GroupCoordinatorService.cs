using Kora.Broker.Metadata;
using Kora.Broker.Partitions;
using Kora.Metadata;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Groups;

/// <summary>Rebuilds groups from <c>__consumer_offsets</c> at start, then drives the coordinator's clock, offset expiry and topic changes.</summary>
public sealed partial class GroupCoordinatorService(
    GroupCoordinator coordinator, ConsumerOffsetsLog offsetsLog, MetadataStore metadata, TimeProvider time, IOptions<BrokerOptions> options,
    PartitionManager partitions, GroupPartitionLoader loader, ILogger<GroupCoordinatorService> logger)
    : IHostedService, IDisposable
{
    private ITimer? _tick;
    private ITimer? _expiry;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.IsClusterMode)
        {
            // Later leadership changes load and unload partitions; start from the hosted ones (only this broker writes them).
            partitions.Subscribe(loader);
        }
        var records = offsetsLog.Replay(coordinator.Replay, coordinator.ReplayTransactional, coordinator.ReplayMarker);
        Log.Loaded(logger, records);
        metadata.Subscribe(coordinator);
        _tick = time.CreateTimer(_ => coordinator.Tick(), null, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
        var interval = TimeSpan.FromMilliseconds(Math.Max(1000, options.Value.OffsetsRetentionCheckIntervalMs));
        _expiry = time.CreateTimer(_ => coordinator.ExpireOffsets(), null, interval, interval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _tick?.Dispose();
        _expiry?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Loaded {Count} records from __consumer_offsets")]
        public static partial void Loaded(ILogger logger, int count);
    }
}
