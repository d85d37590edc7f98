using Kora.Broker.Cluster;
using Kora.Broker.Partitions;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Replication;

/// <summary>
/// Kafka's AlterPartitionManager and the leader's ISR checks: sends each ISR change a leader proposes to the
/// active controller as AlterPartition v3 (topic ids, ISR members with their broker epochs) and hands the
/// answer back to the partition; every replica.lag.time.max.ms / 2 it looks for followers that fell out of
/// sync. A partition has at most one change in flight; one refused as not applied is proposed again by the next
/// check, one whose outcome is unknown (no answer) is sent again.
/// </summary>
public sealed partial class IsrChangeSender(
    ControllerChannel channel,
    Func<long> brokerEpoch,
    PartitionManager partitions,
    BrokerOptions options,
    TimeProvider time,
    ILogger<IsrChangeSender> logger) : BackgroundService
{
    private const short Version = 3;
    private const int RetryBackoffMs = 100;
    private readonly BrokerOptions _options = options;
    private readonly CancellationTokenSource _stopping = new();

    public IsrChangeSender(
        ControllerChannel channel, BrokerLifecycle lifecycle, PartitionManager partitions, IOptions<BrokerOptions> options, TimeProvider time, ILogger<IsrChangeSender> logger)
        : this(channel, () => lifecycle.BrokerEpoch, partitions, options.Value, time, logger)
    {
    }

    /// <summary>Sends <paramref name="change"/> for <paramref name="partition"/>; the answer is applied when it comes.</summary>
    public void Submit(Partition partition, IsrChange change) => _ = SendAsync(partition, change);

    private async Task SendAsync(Partition partition, IsrChange change)
    {
        var request = new AlterPartitionRequest
        {
            BrokerId = _options.NodeId,
            BrokerEpoch = brokerEpoch(),
            Topics =
            [
                new AlterPartitionRequest.TopicData
                {
                    TopicId = partition.TopicId,
                    TopicName = partition.Topic,
                    Partitions =
                    [
                        new AlterPartitionRequest.PartitionData
                        {
                            PartitionIndex = partition.Index,
                            LeaderEpoch = change.LeaderEpoch,
                            NewIsr = [.. change.NewIsr],
                            NewIsrWithEpochs = [.. change.Members.Select(m => new AlterPartitionRequest.BrokerState
                            {
                                BrokerId = m.BrokerId,
                                BrokerEpoch = m.BrokerId == _options.NodeId ? brokerEpoch() : m.BrokerEpoch,
                            })],
                            LeaderRecoveryState = 0,
                            PartitionEpoch = change.PartitionEpoch,
                        },
                    ],
                },
            ],
        };
        Log.Proposing(logger, partition.Topic, partition.Index, string.Join(',', change.NewIsr), change.PartitionEpoch);
        try
        {
            var response = await channel.SendAsync<AlterPartitionResponse>(
                AlterPartitionRequest.ApiKey, Version, flexible: true, request, r => r.ErrorCode == (short)ErrorCode.NotController, _stopping.Token).ConfigureAwait(false);
            if (response.ErrorCode != 0)
            {
                Fail(partition, change, (ErrorCode)response.ErrorCode);
                return;
            }
            var answer = response.Topics.Where(t => t.TopicId == partition.TopicId || t.TopicName == partition.Topic)
                .SelectMany(t => t.Partitions).FirstOrDefault(p => p.PartitionIndex == partition.Index);
            if (answer is null)
            {
                Fail(partition, change, ErrorCode.UnknownServerError);
                return;
            }
            var error = (ErrorCode)answer.ErrorCode;
            if (error != ErrorCode.None)
            {
                Fail(partition, change, error);
                return;
            }
            Log.Committed(logger, partition.Topic, partition.Index, string.Join(',', answer.Isr), answer.PartitionEpoch);
            partition.CompleteIsrChange(change, ErrorCode.None, [.. answer.Isr], answer.PartitionEpoch, answer.LeaderEpoch);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or IOException)
        {
            Fail(partition, change, ErrorCode.RequestTimedOut);
        }
    }

    private void Fail(Partition partition, IsrChange change, ErrorCode error)
    {
        Log.Refused(logger, partition.Topic, partition.Index, string.Join(',', change.NewIsr), error);
        if (partition.CompleteIsrChange(change, error, null, -1, -1))
        {
            _ = RetryAsync(partition, change);
        }
    }

    /// <summary>Kafka's AlterPartitionManager resends a change whose outcome it never learned, after a backoff, while it is still pending.</summary>
    private async Task RetryAsync(Partition partition, IsrChange change)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(RetryBackoffMs), time, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            return;
        }
        if (ReferenceEquals(partition.PendingIsrChange, change))
        {
            await SendAsync(partition, change).ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromMilliseconds(Math.Max(10, _options.ReplicaLagTimeMaxMs / 2));
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                foreach (var partition in partitions.All)
                {
                    if (partition.IsLeader && partition.MaybeShrinkIsr(now, _options.ReplicaLagTimeMaxMs) is { } shrink)
                    {
                        Submit(partition, shrink);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _stopping.Dispose();
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Asking the controller to set the ISR of {Topic}-{Partition} to [{Isr}] (partition epoch {PartitionEpoch})")]
        public static partial void Proposing(ILogger logger, string topic, int partition, string isr, int partitionEpoch);

        [LoggerMessage(2, LogLevel.Information, "ISR of {Topic}-{Partition} is now [{Isr}] (partition epoch {PartitionEpoch})")]
        public static partial void Committed(ILogger logger, string topic, int partition, string isr, int partitionEpoch);

        [LoggerMessage(3, LogLevel.Information, "The controller refused ISR [{Isr}] for {Topic}-{Partition}: {Error}")]
        public static partial void Refused(ILogger logger, string topic, int partition, string isr, ErrorCode error);
    }
}
