using Kora.Metadata;
using Kora.Protocol.MetadataRecords;

namespace Kora.Controller.Quorum;

/// <summary>
/// Kafka's PartitionChangeBuilder for broker state changes. A broker that is fenced or shuts down leaves
/// every ISR it is in (unless it is the last member: an ISR is never empty) and gives up leadership to
/// the first other ISR replica in replica order that is active; with none the partition goes offline
/// (leader -1). A broker that comes back leads the offline partitions whose ISR still names it.
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
                var isr = partition.Isr.Length > 1 ? partition.Isr.Where(r => r != brokerId).ToArray() : partition.Isr;
                var leader = partition.Leader == brokerId ? ElectLeader(image, partition.Replicas, isr, brokerId) : partition.Leader;
                var isrChanged = isr.Length != partition.Isr.Length;
                if (!isrChanged && leader == partition.Leader)
                {
                    continue;
                }
                changes.Add(new PartitionChangeRecord
                {
                    TopicId = topic.Id,
                    PartitionId = partition.Index,
                    Isr = isrChanged ? [.. isr] : null,
                    Leader = leader == partition.Leader ? -2 : leader,
                });
            }
        }
        return changes;
    }

    /// <summary>The changes that let an active <paramref name="brokerId"/> lead the offline partitions whose ISR names it.</summary>
    public static List<PartitionChangeRecord> ElectOnReturn(MetadataImage image, int brokerId)
    {
        var changes = new List<PartitionChangeRecord>();
        foreach (var topic in image.TopicsByName.Values)
        {
            foreach (var partition in topic.Partitions)
            {
                if (partition.Leader == NoLeader && partition.Isr.Contains(brokerId))
                {
                    var leader = ElectLeader(image, partition.Replicas, partition.Isr, excluded: -1);
                    if (leader != NoLeader)
                    {
                        changes.Add(new PartitionChangeRecord { TopicId = topic.Id, PartitionId = partition.Index, Leader = leader });
                    }
                }
            }
        }
        return changes;
    }

    /// <summary>Partitions <paramref name="brokerId"/> leads.</summary>
    public static int LeaderCount(MetadataImage image, int brokerId) =>
        image.TopicsByName.Values.Sum(t => t.Partitions.Count(p => p.Leader == brokerId));

    /// <summary>Kafka's clean election: the first replica, in assignment order, that is in the ISR and active.</summary>
    private static int ElectLeader(MetadataImage image, int[] replicas, int[] isr, int excluded)
    {
        foreach (var replica in replicas)
        {
            if (replica != excluded && isr.Contains(replica) && TopicChanges.IsActive(image, replica))
            {
                return replica;
            }
        }
        return NoLeader;
    }
}
