namespace Kora.Broker.Groups.Consumer;

/// <summary>
/// A consumer-protocol group (KIP-848): the group epoch, the target assignment and its epoch, the members with
/// their current assignments, and which member owns each partition at which epoch. Changed only by applying
/// records (at start from <c>__consumer_offsets</c>, at run time as they are written), so both paths agree.
/// Deadlines and the metadata refresh flag are soft state, rebuilt after a restart. Not thread-safe.
/// </summary>
public sealed class ConsumerGroup(string groupId)
{
    private readonly Dictionary<(Guid Topic, int Partition), (string Owner, int Epoch)> _partitionEpochs = [];

    public string GroupId { get; } = groupId;
    public int GroupEpoch { get; set; }

    /// <summary>A hash of the subscribed topics' ids and partition counts when the group epoch last moved.</summary>
    public long MetadataHash { get; set; }
    public int AssignmentEpoch { get; set; }
    public Dictionary<string, ConsumerGroupMember> Members { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> StaticMembers { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, Assignment> TargetAssignment { get; } = new(StringComparer.Ordinal);

    /// <summary>When each member is fenced unless it heartbeats again.</summary>
    public Dictionary<string, long> SessionDeadlines { get; } = new(StringComparer.Ordinal);

    /// <summary>When a member that has not revoked partitions is fenced, with the epoch it was asked at.</summary>
    public Dictionary<string, (long Deadline, int Epoch)> RebalanceDeadlines { get; } = new(StringComparer.Ordinal);

    /// <summary>Set when topics changed (or after loading): the next heartbeat recomputes the subscription metadata.</summary>
    public bool MetadataRefreshRequired { get; set; } = true;

    public ConsumerGroupState State
    {
        get
        {
            if (Members.Count == 0)
            {
                return ConsumerGroupState.Empty;
            }
            if (GroupEpoch > AssignmentEpoch)
            {
                return ConsumerGroupState.Assigning;
            }
            foreach (var m in Members.Values)
            {
                if (!m.IsReconciledTo(AssignmentEpoch))
                {
                    return ConsumerGroupState.Reconciling;
                }
            }
            return ConsumerGroupState.Stable;
        }
    }

    public ConsumerGroupMember? StaticMember(string instanceId) =>
        StaticMembers.TryGetValue(instanceId, out var id) ? Members.GetValueOrDefault(id) : null;

    /// <summary>The epoch of the member that owns (or is revoking) a partition, or -1 when it is free.</summary>
    public int CurrentPartitionEpoch(Guid topic, int partition) =>
        _partitionEpochs.TryGetValue((topic, partition), out var owner) ? owner.Epoch : -1;

    public Assignment TargetOf(string memberId) => TargetAssignment.GetValueOrDefault(memberId) ?? Assignment.Empty;

    /// <summary>Adds or replaces a member, moving the partition ownership its assignment implies.</summary>
    public void PutMember(ConsumerGroupMember member)
    {
        if (Members.TryGetValue(member.MemberId, out var old))
        {
            ReleasePartitions(old);
            if (old.InstanceId is { } oldInstance && oldInstance != member.InstanceId && StaticMembers.GetValueOrDefault(oldInstance) == old.MemberId)
            {
                StaticMembers.Remove(oldInstance);
            }
        }
        Members[member.MemberId] = member;
        if (member.InstanceId is { } instance)
        {
            StaticMembers[instance] = member.MemberId;
        }
        foreach (var tp in member.Assigned.All().Concat(member.PendingRevocation.All()))
        {
            _partitionEpochs[tp] = (member.MemberId, member.MemberEpoch);
        }
    }

    public void RemoveMember(string memberId)
    {
        if (!Members.Remove(memberId, out var old))
        {
            return;
        }
        ReleasePartitions(old);
        if (old.InstanceId is { } instance && StaticMembers.GetValueOrDefault(instance) == memberId)
        {
            StaticMembers.Remove(instance);
        }
        SessionDeadlines.Remove(memberId);
        RebalanceDeadlines.Remove(memberId);
    }

    private void ReleasePartitions(ConsumerGroupMember member)
    {
        foreach (var tp in member.Assigned.All().Concat(member.PendingRevocation.All()))
        {
            if (_partitionEpochs.TryGetValue(tp, out var owner) && owner.Owner == member.MemberId)
            {
                _partitionEpochs.Remove(tp);
            }
        }
    }

    /// <summary>The assignor most members ask for (ties go to the first name in order), or <paramref name="fallback"/>.</summary>
    public string PreferredAssignor(string fallback) =>
        Members.Values.Where(m => m.ServerAssignor is not null)
            .GroupBy(m => m.ServerAssignor!, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Key).FirstOrDefault() ?? fallback;
}
