using Kora.Broker.Coordinators;
using Kora.Broker.Partitions;

namespace Kora.Broker.Groups;

/// <summary>
/// Kafka's GroupCoordinator.onElection/onResignation in cluster mode: when this broker becomes leader of a
/// <c>__consumer_offsets</c> partition it loads that partition's groups and offsets by replaying it; when it stops
/// leading it, it forgets them. Both run on the coordinator's load queue, not on the metadata thread that reports the
/// change; the partition's groups answer COORDINATOR_LOAD_IN_PROGRESS from the election until the load ends.
/// </summary>
public sealed partial class GroupPartitionLoader(GroupCoordinator coordinator, ConsumerOffsetsLog offsetsLog, ILogger<GroupPartitionLoader> logger)
    : ILeadershipListener, IDisposable
{
    /// <summary>The group coordinator's own queue, apart from the transaction coordinator's as in Kafka.</summary>
    internal CoordinatorLoadQueue Queue { get; } = new(logger);

    public void OnBecameLeader(Partition partition)
    {
        if (partition.Topic != ConsumerOffsetsLog.TopicName)
        {
            return;
        }
        var index = partition.Index;
        // Before this returns: a request arriving now must not see the partition led but its groups missing.
        offsetsLog.SetLoading(index, true);
        Queue.Enqueue($"load of {ConsumerOffsetsLog.TopicName}-{index}", () =>
        {
            try
            {
                coordinator.Unload(group => offsetsLog.PartitionFor(group) == index);
                var records = offsetsLog.ReplayPartition(index, coordinator.Replay, coordinator.ReplayTransactional, coordinator.ReplayMarker);
                Log.Loaded(logger, index, records);
            }
            finally
            {
                offsetsLog.SetLoading(index, false);
            }
        });
    }

    public void OnResigned(Partition partition)
    {
        if (partition.Topic != ConsumerOffsetsLog.TopicName)
        {
            return;
        }
        var index = partition.Index;
        // Queued behind any load of the partition, so a load finishing late cannot bring the groups back.
        Queue.Enqueue($"unload of {ConsumerOffsetsLog.TopicName}-{index}", () =>
            Log.Unloaded(logger, index, coordinator.Unload(group => offsetsLog.PartitionFor(group) == index)));
    }

    public void Dispose() => Queue.Dispose();

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Became coordinator of __consumer_offsets-{Partition}: loaded {Records} records")]
        public static partial void Loaded(ILogger logger, int partition, int records);

        [LoggerMessage(2, LogLevel.Information, "Resigned as coordinator of __consumer_offsets-{Partition}: unloaded {Groups} groups")]
        public static partial void Unloaded(ILogger logger, int partition, int groups);
    }
}
