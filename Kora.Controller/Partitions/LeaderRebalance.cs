using Kora.Metadata;
using Kora.Protocol.MetadataRecords;

namespace Kora.Controller.Partitions;

/// <summary>
/// Automatic leader rebalancing (Kafka's <c>auto.leader.rebalance.enable</c>): partitions are grouped by their
/// preferred replica; when more than <c>leader.imbalance.per.broker.percentage</c> of a broker's group is led
/// elsewhere, those partitions get a preferred election (which moves leadership only where the preferred
/// replica is active and in the ISR). Partitions being reassigned are left alone, and one round elects at
/// most <see cref="MaxElectionsPerRound"/> leaders, as KRaft bounds it.
/// </summary>
public static class LeaderRebalance
{
    public const int MaxElectionsPerRound = 1000;

    public static List<PartitionChangeRecord> Decide(MetadataImage image, int imbalancePercentage)
    {
        var byPreferred = new Dictionary<int, (int Total, List<(TopicImage Topic, PartitionImage Partition)> Elsewhere)>();
        foreach (var topic in image.TopicsByName.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            foreach (var partition in topic.Partitions)
            {
                var preferred = partition.PreferredLeader;
                if (preferred < 0)
                {
                    continue;
                }
                if (!byPreferred.TryGetValue(preferred, out var group))
                {
                    group = (0, []);
                }
                if (partition.Leader != preferred)
                {
                    group.Elsewhere.Add((topic, partition));
                }
                byPreferred[preferred] = (group.Total + 1, group.Elsewhere);
            }
        }
        var changes = new List<PartitionChangeRecord>();
        foreach (var (broker, (total, elsewhere)) in byPreferred.OrderBy(g => g.Key))
        {
            if (elsewhere.Count * 100.0 / total <= imbalancePercentage || !TopicChanges.IsActive(image, broker))
            {
                continue;
            }
            foreach (var (topic, partition) in elsewhere)
            {
                if (changes.Count >= MaxElectionsPerRound)
                {
                    return changes;
                }
                if (!partition.IsReassigning
                    && new PartitionChangeBuilder(image, topic.Id, partition) { Election = Election.Preferred }.Build() is { } change)
                {
                    changes.Add(change);
                }
            }
        }
        return changes;
    }
}
