using Kora.Broker.Cluster;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Partitions;

/// <summary>
/// Kafka's highwatermark-checkpoint thread: once the metadata has caught up, writes every hosted partition's
/// high watermark every <c>replica.high.watermark.checkpoint.interval.ms</c>. The last write is
/// <see cref="PartitionManager"/>'s, on clean shutdown.
/// </summary>
internal sealed class HighWatermarkCheckpointService(PartitionManager partitions, MetadataObserver observer, IOptions<BrokerOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await observer.CaughtUp.WaitAsync(stoppingToken).ConfigureAwait(false);
        partitions.EnableHighWatermarkCheckpoints();
        partitions.CheckpointHighWatermarks();
        var interval = TimeSpan.FromMilliseconds(Math.Max(10, options.Value.ReplicaHighWatermarkCheckpointIntervalMs));
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            partitions.CheckpointHighWatermarks();
        }
    }
}
