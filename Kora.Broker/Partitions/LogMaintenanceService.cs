using Microsoft.Extensions.Options;

namespace Kora.Broker.Partitions;

/// <summary>
/// Once a second starts the fsyncs that flush.ms asks for and closes idle log descriptors; every <c>log.retention.check.interval.ms</c>
/// deletes segments past retention; every <c>producer.id.expiration.check.interval.ms</c> forgets idle producer ids.
/// </summary>
internal sealed class LogMaintenanceService(PartitionManager partitions, IOptions<BrokerOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retentionInterval = TimeSpan.FromMilliseconds(Math.Max(100, options.Value.LogRetentionCheckIntervalMs));
        var expirationInterval = TimeSpan.FromMilliseconds(Math.Max(100, options.Value.ProducerIdExpirationCheckIntervalMs));
        var nextRetention = time.GetUtcNow() + retentionInterval;
        var nextExpiration = time.GetUtcNow() + expirationInterval;
        var tick = Math.Min(1000, Math.Min(retentionInterval.TotalMilliseconds, expirationInterval.TotalMilliseconds));
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(tick), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            partitions.FlushDue();
            partitions.ReleaseIdleHandles();
            if (time.GetUtcNow() >= nextRetention)
            {
                partitions.ApplyRetention();
                nextRetention = time.GetUtcNow() + retentionInterval;
            }
            if (time.GetUtcNow() >= nextExpiration)
            {
                partitions.RemoveExpiredProducers();
                nextExpiration = time.GetUtcNow() + expirationInterval;
            }
        }
    }
}
