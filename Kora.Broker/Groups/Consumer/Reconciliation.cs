namespace Kora.Broker.Groups.Consumer;

/// <summary>
/// Kafka's CurrentAssignmentBuilder: moves a member's current assignment one step towards its target. A member
/// first revokes what it must give up (staying at its epoch in UnrevokedPartitions until a heartbeat no longer
/// reports those partitions), then moves to the target epoch and receives new partitions, but only those that
/// no other member still owns (UnreleasedPartitions until they are released).
/// </summary>
public static class Reconciliation
{
    /// <param name="currentPartitionEpoch">The epoch of a partition's current owner, or -1 when nobody owns it.</param>
    /// <param name="owned">What the member reported owning, or null when its heartbeat did not say.</param>
    public static ConsumerGroupMember Reconcile(
        ConsumerGroupMember member, int targetEpoch, Assignment target,
        Func<Guid, int, int> currentPartitionEpoch, IReadOnlyList<OwnedTopicPartitions>? owned)
    {
        switch (member.State)
        {
            case MemberState.Stable:
                return member.MemberEpoch == targetEpoch ? member : Next(member, targetEpoch, target, currentPartitionEpoch, owned);
            case MemberState.UnrevokedPartitions:
                return OwnsAny(owned, member.PendingRevocation) ? member : Next(member, targetEpoch, target, currentPartitionEpoch, owned);
            default:
                return Next(member, targetEpoch, target, currentPartitionEpoch, owned);
        }
    }

    private static ConsumerGroupMember Next(
        ConsumerGroupMember member, int targetEpoch, Assignment target,
        Func<Guid, int, int> currentPartitionEpoch, IReadOnlyList<OwnedTopicPartitions>? owned)
    {
        var keep = new List<(Guid, int)>();
        var revoke = new List<(Guid, int)>();
        var add = new List<(Guid, int)>();
        var unreleased = false;
        foreach (var (topic, partition) in member.Assigned.All())
        {
            (target.Contains(topic, partition) ? keep : revoke).Add((topic, partition));
        }
        foreach (var (topic, partition) in target.All())
        {
            if (member.Assigned.Contains(topic, partition))
            {
                continue;
            }
            if (currentPartitionEpoch(topic, partition) != -1)
            {
                unreleased = true;
            }
            else
            {
                add.Add((topic, partition));
            }
        }
        var pendingRevocation = Assignment.From(revoke);
        if (!pendingRevocation.IsEmpty && OwnsAny(owned, pendingRevocation))
        {
            return member.AtEpoch(member.MemberEpoch) with
            {
                State = MemberState.UnrevokedPartitions,
                Assigned = Assignment.From(keep),
                PendingRevocation = pendingRevocation,
            };
        }
        return member.AtEpoch(targetEpoch) with
        {
            State = unreleased ? MemberState.UnreleasedPartitions : MemberState.Stable,
            Assigned = Assignment.From(keep.Concat(add)),
            PendingRevocation = Assignment.Empty,
        };
    }

    /// <summary>Whether the member still reports owning any of <paramref name="partitions"/>; not knowing counts as owning.</summary>
    public static bool OwnsAny(IReadOnlyList<OwnedTopicPartitions>? owned, Assignment partitions)
    {
        if (owned is null)
        {
            return true;
        }
        foreach (var topic in owned)
        {
            if (!partitions.Topics.TryGetValue(topic.TopicId, out var pending))
            {
                continue;
            }
            foreach (var p in topic.Partitions)
            {
                if (pending.Contains(p))
                {
                    return true;
                }
            }
        }
        return false;
    }
}
