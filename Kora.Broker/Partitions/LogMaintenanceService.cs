using Microsoft.Extensions.Options;

namespace Kora.Broker.Partitions;

/// <summary>
/// Once a second starts the fsyncs that flush.ms asks for; every <c>log.retention.check.interval.ms</c>
/// deletes segments past retention.
/// </summary>
internal sealed class LogMaintenanceService(PartitionManager partitions, IOptions<BrokerOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retentionInterval = TimeSpan.FromMilliseconds(Math.Max(100, options.Value.LogRetentionCheckIntervalMs));
        var nextRetention = time.GetUtcNow() + retentionInterval;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Min(1000, retentionInterval.TotalMilliseconds)), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            partitions.FlushDue();
            if (time.GetUtcNow() >= nextRetention)
            {
                partitions.ApplyRetention();
                nextRetention = time.GetUtcNow() + retentionInterval;
            }
        }
    }
}
