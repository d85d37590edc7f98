namespace Kora.Broker.Groups;

/// <summary>
/// A group's state and committed offsets. A classic group uses the fields here; a consumer-protocol group
/// (KIP-848) keeps its state in <see cref="Consumer"/> and leaves the classic fields empty. Not thread-safe:
/// the coordinator guards every group with its lock. Members keep join order, so the first member is the natural leader.
/// </summary>
public sealed class Group(string id)
{
    public string Id { get; } = id;
    public GroupState State { get; private set; } = GroupState.Empty;
    public long StateTimestampMs { get; private set; }
    public int GenerationId { get; set; }
    public string? ProtocolType { get; set; }
    public string? ProtocolName { get; set; }
    public string? LeaderId { get; set; }
    public List<GroupMember> Members { get; } = [];
    public Dictionary<string, string> StaticMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>Member ids handed out with MEMBER_ID_REQUIRED, with the time they expire.</summary>
    public Dictionary<string, long> PendingMembers { get; } = new(StringComparer.Ordinal);
    public Dictionary<TopicPartitionKey, CommittedOffset> Offsets { get; } = [];

    /// <summary>
    /// Kafka's pendingOffsetCommits: commits written but not yet confirmed by the in-sync replicas. OffsetFetch
    /// does not see them, so no reader ever gets an offset that a failover could take back.
    /// </summary>
    public Dictionary<TopicPartitionKey, PendingOffset> PendingOffsets { get; } = [];

    /// <summary>The write order of each confirmed offset: a late confirmation of an older commit never replaces a newer one.</summary>
    public Dictionary<TopicPartitionKey, long> OffsetWriteSequences { get; } = [];

    /// <summary>The consumer-protocol state when this is a consumer group, else null.</summary>
    public Consumer.ConsumerGroup? Consumer { get; set; }

    /// <summary>When the join phase (PreparingRebalance) or the sync phase (CompletingRebalance) gives up waiting.</summary>
    public long PhaseDeadlineMs { get; set; } = long.MaxValue;
    public bool InInitialDelay { get; set; }
    public long InitialDelayRemainingMs { get; set; }
    public bool JoinedDuringDelay { get; set; }

    public void TransitionTo(GroupState state, long nowMs)
    {
        State = state;
        StateTimestampMs = nowMs;
    }

    public GroupMember? Member(string memberId) => Members.Find(m => m.MemberId == memberId);

    public bool Has(string memberId) => Members.Exists(m => m.MemberId == memberId);

    public string? StaticMemberId(string? instanceId) => instanceId is not null && StaticMembers.TryGetValue(instanceId, out var id) ? id : null;

    public void Add(GroupMember member)
    {
        Members.Add(member);
        if (member.GroupInstanceId is { } instance)
        {
            StaticMembers[instance] = member.MemberId;
        }
        PendingMembers.Remove(member.MemberId);
        ProtocolType ??= member.ProtocolType;
        LeaderId ??= member.MemberId;
    }

    public void Remove(GroupMember member)
    {
        Members.Remove(member);
        if (member.GroupInstanceId is { } instance && StaticMembers.GetValueOrDefault(instance) == member.MemberId)
        {
            StaticMembers.Remove(instance);
        }
        if (LeaderId == member.MemberId)
        {
            LeaderId = Members.Count > 0 ? Members[0].MemberId : null;
        }
    }

    public int MaxRebalanceTimeoutMs => Members.Count == 0 ? 0 : Members.Max(m => m.RebalanceTimeoutMs);

    /// <summary>A protocol every member supports, the one most members list first among those (Kafka's vote).</summary>
    public string? SelectProtocol()
    {
        if (Members.Count == 0)
        {
            return null;
        }
        var candidates = Members[0].Protocols.Select(p => p.Name)
            .Where(name => Members.TrueForAll(m => m.Protocols.Any(p => p.Name == name)))
            .ToList();
        if (candidates.Count == 0)
        {
            return null;
        }
        return Members
            .Select(m => m.Protocols.First(p => candidates.Contains(p.Name)).Name)
            .GroupBy(n => n)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => candidates.IndexOf(g.Key))
            .First().Key;
    }

    /// <summary>Whether a joining member's protocols leave at least one protocol every member supports.</summary>
    public bool SupportsProtocols(string protocolType, IReadOnlyList<MemberProtocol> protocols, string? replacing = null)
    {
        if (Members.Count == 0 || (Members.Count == 1 && Members[0].MemberId == replacing))
        {
            return !string.IsNullOrEmpty(protocolType) && protocols.Count > 0;
        }
        if (ProtocolType != protocolType)
        {
            return false;
        }
        return protocols.Any(p => Members.Where(m => m.MemberId != replacing).All(m => m.Protocols.Any(q => q.Name == p.Name)));
    }

    public StoredGroup ToStored() => new(
        ProtocolType ?? "", GenerationId, ProtocolName, LeaderId, StateTimestampMs,
        [.. Members.Select(m => new StoredMember(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, m.RebalanceTimeoutMs, m.SessionTimeoutMs,
            m.MetadataFor(ProtocolName) ?? [], m.Assignment))]);
}
