namespace Kora.Broker.Groups.Consumer.Assignors;

/// <summary>
/// Kafka's "uniform" server assignor (the default): spreads partitions so that members eligible for the same
/// partitions own counts that differ by at most one, while moving as few partitions as possible. Members keep
/// the partitions of their current target that they still subscribe to; free partitions go to the least loaded
/// eligible member; then partitions move from the most to the least loaded eligible member until balanced.
/// </summary>
public sealed class UniformAssignor : IConsumerGroupAssignor
{
    public string Name => AssignorNames.Uniform;

    public IReadOnlyDictionary<string, Assignment> Assign(AssignmentSpec spec)
    {
        var members = spec.Members.OrderBy(m => m.MemberId, StringComparer.Ordinal).ToList();
        var owned = members.ToDictionary(m => m.MemberId, _ => new SortedSet<(Guid Topic, int Partition)>(), StringComparer.Ordinal);
        var claimed = new HashSet<(Guid, int)>();
        foreach (var member in members)
        {
            foreach (var (topic, partition) in member.Current.All())
            {
                if (member.Topics.Contains(topic) && spec.PartitionCounts.TryGetValue(topic, out var count) && partition < count && claimed.Add((topic, partition)))
                {
                    owned[member.MemberId].Add((topic, partition));
                }
            }
        }
        foreach (var (topic, count) in spec.PartitionCounts.OrderBy(t => t.Key))
        {
            var eligible = members.Where(m => m.Topics.Contains(topic)).ToList();
            if (eligible.Count == 0)
            {
                continue;
            }
            for (var p = 0; p < count; p++)
            {
                if (claimed.Add((topic, p)))
                {
                    LeastLoaded(eligible, owned).Add((topic, p));
                }
            }
        }
        Balance(members, owned);
        return owned.ToDictionary(kv => kv.Key, kv => Assignment.From(kv.Value), StringComparer.Ordinal);
    }

    private static SortedSet<(Guid, int)> LeastLoaded(List<AssignmentMember> eligible, Dictionary<string, SortedSet<(Guid, int)>> owned)
    {
        var best = owned[eligible[0].MemberId];
        foreach (var m in eligible)
        {
            if (owned[m.MemberId].Count < best.Count)
            {
                best = owned[m.MemberId];
            }
        }
        return best;
    }

    /// <summary>Each move lowers the sum of squared counts, so the loop ends; it stops when no eligible member is two behind an owner.</summary>
    private static void Balance(List<AssignmentMember> members, Dictionary<string, SortedSet<(Guid Topic, int Partition)>> owned)
    {
        bool moved;
        do
        {
            moved = false;
            foreach (var giver in members.OrderByDescending(m => owned[m.MemberId].Count).ThenBy(m => m.MemberId, StringComparer.Ordinal).ToList())
            {
                var from = owned[giver.MemberId];
                foreach (var tp in from.Reverse().ToList())
                {
                    AssignmentMember? taker = null;
                    foreach (var m in members)
                    {
                        if (m.Topics.Contains(tp.Topic) && owned[m.MemberId].Count < from.Count - 1
                            && (taker is null || owned[m.MemberId].Count < owned[taker.MemberId].Count))
                        {
                            taker = m;
                        }
                    }
                    if (taker is null)
                    {
                        continue;
                    }
                    from.Remove(tp);
                    owned[taker.MemberId].Add(tp);
                    moved = true;
                }
            }
        }
        while (moved);
    }
}
