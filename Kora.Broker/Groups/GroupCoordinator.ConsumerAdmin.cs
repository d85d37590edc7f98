using Kora.Broker.Groups.Consumer;
using Kora.Broker.Groups.Consumer.Assignors;
using Kora.Metadata;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Groups;

/// <summary>
/// Consumer groups beyond the heartbeat: ConsumerGroupDescribe, offset checks by member epoch, session and
/// rebalance timeouts, topic changes that call for a new assignment, and deletion.
/// </summary>
public sealed partial class GroupCoordinator : IMetadataListener
{
    public List<ConsumerGroupDescription> DescribeConsumerGroups(IReadOnlyList<string> groupIds)
    {
        lock (_lock)
        {
            var result = new List<ConsumerGroupDescription>(groupIds.Count);
            foreach (var id in groupIds)
            {
                if (!_groups.TryGetValue(id, out var container) || container.Consumer is not { } group)
                {
                    var message = container is null ? $"Group {id} not found." : $"Group {id} is not a consumer group.";
                    result.Add(new ConsumerGroupDescription(id, ErrorCode.GroupIdNotFound, message, ConsumerGroupState.Dead, 0, 0, "", []));
                    continue;
                }
                result.Add(new ConsumerGroupDescription(id, ErrorCode.None, null, group.State, group.GroupEpoch, group.AssignmentEpoch,
                    group.PreferredAssignor(AssignorNames.Default.Name),
                    [.. group.Members.Values.Select(m => new DescribedConsumerMember(m, group.TargetOf(m.MemberId)))]));
            }
            return result;
        }
    }

    /// <summary>
    /// Kafka's ConsumerGroup.validateOffsetCommit: epoch -1 may commit to an empty group (admin tools); otherwise
    /// the member must exist, use OffsetCommit v9+, and commit at its current epoch (else STALE_MEMBER_EPOCH).
    /// </summary>
    private static ErrorCode ValidateConsumerCommit(ConsumerGroup group, string memberId, int memberEpoch, short version)
    {
        if (memberEpoch < 0 && group.Members.Count == 0)
        {
            return ErrorCode.None;
        }
        if (!group.Members.TryGetValue(memberId, out var member))
        {
            return ErrorCode.UnknownMemberId;
        }
        if (version < 9)
        {
            return ErrorCode.UnsupportedVersion;
        }
        return memberEpoch == member.MemberEpoch ? ErrorCode.None : ErrorCode.StaleMemberEpoch;
    }

    /// <summary>
    /// OffsetFetch v9 with a member id and epoch on a consumer group: the member must exist at that epoch.
    /// Anything else (no member id, epoch -1, classic or unknown groups) may fetch.
    /// </summary>
    public ErrorCode ValidateOffsetFetch(string groupId, string? memberId, int memberEpoch)
    {
        lock (_lock)
        {
            if ((memberId is null && memberEpoch < 0) || !_groups.TryGetValue(groupId, out var container) || container.Consumer is not { } group)
            {
                return ErrorCode.None;
            }
            if (memberId is null || !group.Members.TryGetValue(memberId, out var member))
            {
                return ErrorCode.UnknownMemberId;
            }
            return memberEpoch == member.MemberEpoch ? ErrorCode.None : ErrorCode.StaleMemberEpoch;
        }
    }

    /// <summary>Fences members whose session ran out, and members that did not revoke partitions within their rebalance timeout.</summary>
    private void ExpireConsumerMembers(ConsumerGroup group, long now)
    {
        var records = new List<(byte[] Key, byte[]? Value)>();
        foreach (var (memberId, deadline) in group.SessionDeadlines.ToList())
        {
            if (deadline <= now && group.Members.ContainsKey(memberId))
            {
                FenceMember(group, memberId, records);
            }
        }
        foreach (var (memberId, (deadline, epoch)) in group.RebalanceDeadlines.ToList())
        {
            if (deadline > now)
            {
                continue;
            }
            if (group.Members.TryGetValue(memberId, out var member) && member.State == MemberState.UnrevokedPartitions && member.MemberEpoch == epoch)
            {
                FenceMember(group, memberId, records);
            }
            group.RebalanceDeadlines.Remove(memberId);
        }
        if (records.Count > 0)
        {
            log.Append(group.GroupId, records);
        }
    }

    /// <summary>Topics created, deleted or grown: groups subscribed to them (or to any pattern) recompute on their next heartbeat.</summary>
    public void OnImageChanged(MetadataImage previous, MetadataImage current)
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var topic in current.TopicsByName.Values)
        {
            if (previous.Topic(topic.Name) is not { } before || before.Id != topic.Id || before.Partitions.Length != topic.Partitions.Length)
            {
                changed.Add(topic.Name);
            }
        }
        foreach (var topic in previous.TopicsByName.Values)
        {
            if (current.Topic(topic.Name) is null)
            {
                changed.Add(topic.Name);
            }
        }
        if (changed.Count == 0)
        {
            return;
        }
        lock (_lock)
        {
            foreach (var container in _groups.Values)
            {
                if (container.Consumer is { } group && group.Members.Values.Any(m =>
                    !string.IsNullOrEmpty(m.SubscribedTopicRegex) || m.SubscribedTopicNames.Any(changed.Contains)))
                {
                    group.MetadataRefreshRequired = true;
                }
            }
        }
    }

    /// <summary>DeleteGroups of a consumer group: only when empty; its records and offsets get tombstones.</summary>
    private ErrorCode DeleteConsumerGroup(Group container, ConsumerGroup group)
    {
        if (group.State != ConsumerGroupState.Empty)
        {
            return ErrorCode.NonEmptyGroup;
        }
        var records = container.Offsets.Keys.Union(container.PendingOffsets.Keys)
            .Select(p => (GroupRecordCodec.OffsetKey(container.Id, p.Topic, p.Partition), (byte[]?)null)).ToList();
        container.Offsets.Clear();
        container.PendingOffsets.Clear();
        DeleteConsumerGroupRecords(group, records);
        _groups.Remove(container.Id);
        log.Append(container.Id, records);
        return ErrorCode.None;
    }

    /// <summary>Offsets of topics a consumer group no longer subscribes to expire by commit time; an empty group left without offsets goes.</summary>
    private int ExpireConsumerOffsets(Group container, ConsumerGroup group, long now)
    {
        var subscribed = SubscribedTopicNames(group);
        var records = new List<(byte[] Key, byte[]? Value)>();
        foreach (var (partition, offset) in container.Offsets.ToList())
        {
            if (!subscribed.Contains(partition.Topic) && offset.CommitTimestampMs + settings.OffsetsRetentionMs <= now
                && !container.PendingOffsets.ContainsKey(partition))
            {
                container.Offsets.Remove(partition);
                records.Add((GroupRecordCodec.OffsetKey(container.Id, partition.Topic, partition.Partition), null));
            }
        }
        var expired = records.Count;
        if (container.Offsets.Count == 0 && container.PendingOffsets.Count == 0 && group.Members.Count == 0)
        {
            DeleteConsumerGroupRecords(group, records);
            _groups.Remove(container.Id);
        }
        if (records.Count > 0)
        {
            log.Append(container.Id, records);
        }
        return expired;
    }

    /// <summary>An empty consumer group gives way to a classic one joining under its id (Kafka's downgrade of empty groups).</summary>
    private void ConvertEmptyConsumerGroupToClassic(Group container, ConsumerGroup group)
    {
        var records = new List<(byte[] Key, byte[]? Value)>();
        DeleteConsumerGroupRecords(group, records);
        container.Consumer = null;
        _groups[container.Id] = container;
        log.Append(container.Id, records);
    }
}
