using Kora.Controller.Partitions;
using Kora.Metadata;
using Kora.Protocol.MetadataRecords;

namespace Kora.Controller.Quorum;

/// <summary>
/// Kafka's ReplicationControlManager.generateLeaderAndIsrUpdates for broker state changes. A broker that is
/// fenced or shuts down leaves every ISR it is in (unless it is the last member: an ISR is never empty, so
/// that replica can lead again when it returns) and gives up leadership to the first other ISR replica in
/// replica order that is active; with none the partition goes offline (leader -1), unless the topic allows
/// unclean election and another replica is active. A broker that comes back lets the offline partitions elect again.
/// </summary>
public static class PartitionLeadership
{
    public const int NoLeader = -1;

    /// <summary>The changes that take <paramref name="brokerId"/> out of leadership and ISRs; <paramref name="image"/> already has it fenced or shutting down.</summary>
    public static List<PartitionChangeRecord> MoveAwayFrom(MetadataImage image, int brokerId)
    {
        var changes = new List<PartitionChangeRecord>();
        foreach (var topic in image.TopicsByName.Values)
        {
            foreach (var partition in topic.Partitions)
            {
                if (!partition.Isr.Contains(brokerId) && partition.Leader != brokerId)
                {
                    continue;
                }
                var builder = new PartitionChangeBuilder(image, topic.Id, partition)
                {
                    Election = UncleanElection.For(image, topic),
                    TargetIsr = partition.Isr.Where(r => r != brokerId).ToArray(),
                };
                if (builder.Build() is { } change)
                {
                    changes.Add(change);
                }
            }
        }
        return changes;
    }

    /// <summary>The changes that let an active <paramref name="brokerId"/> lead the offline partitions whose ISR names it (or any, by unclean election where the topic allows it).</summary>
    public static List<PartitionChangeRecord> ElectOnReturn(MetadataImage image, int brokerId)
    {
        var changes = new List<PartitionChangeRecord>();
        foreach (var topic in image.TopicsByName.Values)
        {
            foreach (var partition in topic.Partitions)
            {
                if (partition.Leader == NoLeader && partition.Replicas.Contains(brokerId)
                    && new PartitionChangeBuilder(image, topic.Id, partition) { Election = UncleanElection.For(image, topic) }.Build() is { } change)
                {
                    changes.Add(change);
                }
            }
        }
        return changes;
    }

    /// <summary>Elections for leaderless partitions of topics that allow unclean election (Kafka's periodic unclean election check).</summary>
    public static List<PartitionChangeRecord> ElectUncleanLeaderless(MetadataImage image)
    {
        var changes = new List<PartitionChangeRecord>();
        foreach (var topic in image.TopicsByName.Values)
        {
            if (!UncleanElection.IsEnabled(image, topic))
            {
                continue;
            }
            foreach (var partition in topic.Partitions)
            {
                if (partition.Leader == NoLeader && new PartitionChangeBuilder(image, topic.Id, partition) { Election = Election.Unclean }.Build() is { } change)
                {
                    changes.Add(change);
                }
            }
        }
        return changes;
    }

    /// <summary>Partitions <paramref name="brokerId"/> leads.</summary>
    public static int LeaderCount(MetadataImage image, int brokerId) =>
        image.TopicsByName.Values.Sum(t => t.Partitions.Count(p => p.Leader == brokerId));
}
