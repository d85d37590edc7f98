namespace Kora.Broker.Groups.Consumer.Assignors;

/// <summary>
/// Kafka's "range" server assignor: topic by topic, the members subscribed to it (ordered by member id) get
/// contiguous ranges of partitions, the first ones one extra partition each when the count does not divide
/// evenly. Topics with the same partition count and subscribers are thus co-partitioned.
/// </summary>
public sealed class RangeAssignor : IConsumerGroupAssignor
{
    public string Name => AssignorNames.Range;

    public IReadOnlyDictionary<string, Assignment> Assign(AssignmentSpec spec)
    {
        var result = spec.Members.ToDictionary(m => m.MemberId, _ => new List<(Guid, int)>(), StringComparer.Ordinal);
        foreach (var (topic, partitions) in spec.PartitionCounts.OrderBy(t => t.Key))
        {
            var members = spec.Members.Where(m => m.Topics.Contains(topic)).OrderBy(m => m.MemberId, StringComparer.Ordinal).ToList();
            if (members.Count == 0)
            {
                continue;
            }
            var quota = partitions / members.Count;
            var extra = partitions % members.Count;
            var next = 0;
            for (var i = 0; i < members.Count; i++)
            {
                var count = quota + (i < extra ? 1 : 0);
                for (var p = next; p < next + count; p++)
                {
                    result[members[i].MemberId].Add((topic, p));
                }
                next += count;
            }
        }
        return result.ToDictionary(kv => kv.Key, kv => Assignment.From(kv.Value), StringComparer.Ordinal);
    }
}
