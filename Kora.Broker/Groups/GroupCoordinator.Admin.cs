using Kora.Broker.Groups.Consumer;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Groups;

/// <summary>ListGroups, DescribeGroups, DeleteGroups, and rebuilding state from the log.</summary>
public sealed partial class GroupCoordinator
{
    /// <summary>Every live group: classic ones with their classic state, consumer ones (protocol type "consumer") with theirs.</summary>
    public List<ListedGroup> List()
    {
        lock (_lock)
        {
            return [.. _groups.Values.Where(g => g.State != GroupState.Dead).Select(g => g.Consumer is { } consumer
                ? new ListedGroup(g.Id, consumer.State.ToString(), "consumer", "consumer")
                : new ListedGroup(g.Id, g.State.ToString(), g.ProtocolType ?? "", "classic"))];
        }
    }

    public GroupSummary Describe(string groupId)
    {
        lock (_lock)
        {
            // DescribeGroups only knows classic groups: Kafka reports a consumer group as Dead there.
            if (!_groups.TryGetValue(groupId, out var g) || g.Consumer is not null)
            {
                return new GroupSummary(groupId, GroupState.Dead, "", "", []);
            }
            var stable = g.State == GroupState.Stable;
            return new GroupSummary(groupId, g.State, g.ProtocolType ?? "", stable ? g.ProtocolName ?? "" : "",
                [.. g.Members.Select(m => new MemberSummary(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost,
                    stable ? m.MetadataFor(g.ProtocolName) ?? [] : [], stable ? m.Assignment : []))]);
        }
    }

    public ErrorCode Delete(string groupId)
    {
        lock (_lock)
        {
            if (!_groups.TryGetValue(groupId, out var group) || group.State == GroupState.Dead)
            {
                return ErrorCode.GroupIdNotFound;
            }
            if (group.Consumer is { } consumer)
            {
                return DeleteConsumerGroup(group, consumer);
            }
            if (group.State != GroupState.Empty)
            {
                return ErrorCode.NonEmptyGroup;
            }
            // A commit still being written is in the log too: it needs its tombstone as much as a confirmed one.
            var records = group.Offsets.Keys.Union(group.PendingOffsets.Keys)
                .Select(p => (GroupRecordCodec.OffsetKey(groupId, p.Topic, p.Partition), (byte[]?)null)).ToList();
            records.Add((GroupRecordCodec.GroupKey(groupId), null));
            log.Append(groupId, records);
            group.TransitionTo(GroupState.Dead, Now);
            _groups.Remove(groupId);
            return ErrorCode.None;
        }
    }

    /// <summary>Applies one record read back from the log (a null value is a tombstone), as at startup.</summary>
    public void Replay(byte[] key, byte[]? value)
    {
        if (ConsumerGroupRecordCodec.IsConsumerKey(key))
        {
            lock (_lock)
            {
                ApplyConsumerRecord(key, value);
            }
            return;
        }
        var decoded = GroupRecordCodec.ReadKey(key);
        if (decoded is null)
        {
            return;
        }
        lock (_lock)
        {
            var now = Now;
            if (!_groups.TryGetValue(decoded.Group, out var group))
            {
                if (value is null)
                {
                    return;
                }
                group = new Group(decoded.Group);
                group.TransitionTo(GroupState.Empty, now);
                _groups[decoded.Group] = group;
            }
            if (decoded.Topic is not null)
            {
                var partition = new TopicPartitionKey(decoded.Topic, decoded.Partition);
                if (value is null)
                {
                    group.Offsets.Remove(partition);
                }
                else
                {
                    group.Offsets[partition] = GroupRecordCodec.ReadOffsetValue(value);
                }
            }
            else if (value is null)
            {
                // The group record goes, but offsets (and a consumer group replacing an empty classic one) stay.
                ResetClassicState(group);
                group.TransitionTo(GroupState.Empty, now);
                if (group.Offsets.Count == 0 && group.Consumer is null)
                {
                    _groups.Remove(decoded.Group);
                }
            }
            else
            {
                LoadGroup(group, GroupRecordCodec.ReadGroupValue(value), now);
            }
        }
    }

    private static void LoadGroup(Group group, StoredGroup stored, long now)
    {
        group.Members.Clear();
        group.StaticMembers.Clear();
        group.GenerationId = stored.GenerationId;
        group.ProtocolType = stored.ProtocolType.Length == 0 ? null : stored.ProtocolType;
        group.ProtocolName = stored.ProtocolName;
        group.LeaderId = stored.LeaderId;
        foreach (var m in stored.Members)
        {
            group.Add(new GroupMember(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost)
            {
                SessionTimeoutMs = m.SessionTimeoutMs,
                RebalanceTimeoutMs = m.RebalanceTimeoutMs,
                ProtocolType = stored.ProtocolType,
                Protocols = stored.ProtocolName is null ? [] : [new MemberProtocol(stored.ProtocolName, m.Subscription)],
                Assignment = m.Assignment,
                LastHeartbeatMs = now,
            });
        }
        group.LeaderId = stored.LeaderId;
        group.TransitionTo(stored.Members.Count == 0 ? GroupState.Empty : GroupState.Stable, stored.Members.Count == 0 && stored.StateTimestampMs > 0 ? stored.StateTimestampMs : now);
    }
}
