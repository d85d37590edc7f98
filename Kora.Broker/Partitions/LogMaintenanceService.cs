using Microsoft.Extensions.Options;

namespace Kora.Broker.Partitions;

/// <summary>Applies retention to every hosted partition every <c>log.retention.check.interval.ms</c>.</summary>
internal sealed class LogMaintenanceService(PartitionManager partitions, IOptions<BrokerOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Max(100, options.Value.LogRetentionCheckIntervalMs));
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            partitions.RunMaintenance();
        }
    }
}
