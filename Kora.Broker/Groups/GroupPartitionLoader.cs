using Kora.Broker.Partitions;

namespace Kora.Broker.Groups;

/// <summary>
/// Kafka's GroupCoordinator.onElection/onResignation in cluster mode: when this broker becomes leader of a
/// <c>__consumer_offsets</c> partition it loads that partition's groups and offsets by replaying it (the
/// partition answers COORDINATOR_LOAD_IN_PROGRESS meanwhile); when it stops leading it, it forgets them.
/// </summary>
public sealed partial class GroupPartitionLoader(GroupCoordinator coordinator, ConsumerOffsetsLog offsetsLog, ILogger<GroupPartitionLoader> logger)
    : ILeadershipListener
{
    public void OnBecameLeader(Partition partition)
    {
        if (partition.Topic != ConsumerOffsetsLog.TopicName)
        {
            return;
        }
        var index = partition.Index;
        offsetsLog.SetLoading(index, true);
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
    }

    public void OnResigned(Partition partition)
    {
        if (partition.Topic != ConsumerOffsetsLog.TopicName)
        {
            return;
        }
        var index = partition.Index;
        var groups = coordinator.Unload(group => offsetsLog.PartitionFor(group) == index);
        Log.Unloaded(logger, index, groups);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Became coordinator of __consumer_offsets-{Partition}: loaded {Records} records")]
        public static partial void Loaded(ILogger logger, int partition, int records);

        [LoggerMessage(2, LogLevel.Information, "Resigned as coordinator of __consumer_offsets-{Partition}: unloaded {Groups} groups")]
        public static partial void Unloaded(ILogger logger, int partition, int groups);
    }
}
