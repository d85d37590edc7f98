using Kora.Broker.Groups.Consumer;
using Kora.Metadata;

namespace Kora.Broker.Groups;

/// <summary>
/// Consumer group records: every change is applied through the same code that replays the log at start, so the
/// state after a restart is the state that was written. Also fencing, subscriptions and the metadata hash.
/// </summary>
public sealed partial class GroupCoordinator
{
    private MetadataImage CurrentImage => image?.Invoke() ?? MetadataImage.Empty;

    /// <summary>Applies a record to the group now and queues it for the log.</summary>
    private void Emit(List<(byte[] Key, byte[]? Value)> records, byte[] key, byte[]? value)
    {
        ApplyConsumerRecord(key, value);
        records.Add((key, value));
    }

    /// <summary>Applies one consumer group record (a null value is a tombstone), at start or as it is written.</summary>
    private void ApplyConsumerRecord(byte[] key, byte[]? value)
    {
        var k = ConsumerGroupRecordCodec.ReadKey(key);
        var now = Now;
        if (!_groups.TryGetValue(k.GroupId, out var container))
        {
            if (value is null)
            {
                return;
            }
            container = new Group(k.GroupId);
            container.TransitionTo(GroupState.Empty, now);
            _groups[k.GroupId] = container;
        }
        if (container.Consumer is null && value is null)
        {
            return;
        }
        var group = container.Consumer ??= new ConsumerGroup(k.GroupId);
        var memberId = k.MemberId ?? "";
        switch (k.Type)
        {
            case ConsumerGroupRecordType.GroupMetadata when value is null:
                container.Consumer = null;
                if (container.Offsets.Count == 0)
                {
                    _groups.Remove(k.GroupId);
                }
                break;
            case ConsumerGroupRecordType.GroupMetadata:
                (group.GroupEpoch, group.MetadataHash) = ConsumerGroupRecordCodec.ReadGroupMetadata(value!);
                break;
            case ConsumerGroupRecordType.MemberMetadata when value is null:
                group.RemoveMember(memberId);
                break;
            case ConsumerGroupRecordType.MemberMetadata:
                var subscription = ConsumerGroupRecordCodec.ReadMemberMetadata(memberId, value!);
                if (group.Members.TryGetValue(memberId, out var existing))
                {
                    group.PutMember(existing with
                    {
                        InstanceId = subscription.InstanceId,
                        RackId = subscription.RackId,
                        ClientId = subscription.ClientId,
                        ClientHost = subscription.ClientHost,
                        SubscribedTopicNames = subscription.SubscribedTopicNames,
                        SubscribedTopicRegex = subscription.SubscribedTopicRegex,
                        RebalanceTimeoutMs = subscription.RebalanceTimeoutMs,
                        ServerAssignor = subscription.ServerAssignor,
                    });
                }
                else
                {
                    group.PutMember(subscription);
                    group.SessionDeadlines[memberId] = now + settings.ConsumerSessionTimeoutMs;
                }
                break;
            case ConsumerGroupRecordType.TargetAssignmentMetadata:
                group.AssignmentEpoch = value is null ? 0 : ConsumerGroupRecordCodec.ReadTargetMetadata(value);
                break;
            case ConsumerGroupRecordType.TargetAssignmentMember when value is null:
                group.TargetAssignment.Remove(memberId);
                break;
            case ConsumerGroupRecordType.TargetAssignmentMember:
                group.TargetAssignment[memberId] = ConsumerGroupRecordCodec.ReadTargetMember(value!);
                break;
            case ConsumerGroupRecordType.CurrentMemberAssignment:
                ApplyCurrentAssignment(group, memberId, value, now);
                break;
        }
    }

    private void ApplyCurrentAssignment(ConsumerGroup group, string memberId, byte[]? value, long now)
    {
        var member = group.Members.GetValueOrDefault(memberId);
        if (value is null)
        {
            if (member is not null)
            {
                group.PutMember(member with
                {
                    MemberEpoch = LeaveGroupMemberEpoch,
                    PreviousMemberEpoch = LeaveGroupMemberEpoch,
                    State = MemberState.Stable,
                    Assigned = Assignment.Empty,
                    PendingRevocation = Assignment.Empty,
                });
            }
            return;
        }
        var state = ConsumerGroupRecordCodec.ReadCurrentAssignment(memberId, value);
        if (member is null)
        {
            member = new ConsumerGroupMember(memberId);
            group.SessionDeadlines[memberId] = now + settings.ConsumerSessionTimeoutMs;
        }
        var next = member with
        {
            MemberEpoch = state.MemberEpoch,
            PreviousMemberEpoch = state.PreviousMemberEpoch,
            State = state.State,
            Assigned = state.Assigned,
            PendingRevocation = state.PendingRevocation,
        };
        group.PutMember(next);
        // A member asked to revoke gets its rebalance timeout to do so; it is fenced if still revoking at that epoch then.
        if (next.State == MemberState.UnrevokedPartitions)
        {
            group.RebalanceDeadlines[memberId] = (now + Math.Max(next.RebalanceTimeoutMs, 0), next.MemberEpoch);
        }
        else
        {
            group.RebalanceDeadlines.Remove(memberId);
        }
    }

    /// <summary>Tombstones for a member's current assignment, target and subscription, in Kafka's order.</summary>
    private void RemoveMemberRecords(ConsumerGroup group, string memberId, List<(byte[] Key, byte[]? Value)> records)
    {
        Emit(records, ConsumerGroupRecordCodec.CurrentAssignmentKey(group.GroupId, memberId), null);
        Emit(records, ConsumerGroupRecordCodec.TargetMemberKey(group.GroupId, memberId), null);
        Emit(records, ConsumerGroupRecordCodec.MemberMetadataKey(group.GroupId, memberId), null);
    }

    /// <summary>Removes a member (it left, or its session or rebalance timed out) and moves the group epoch so the others rebalance.</summary>
    private void FenceMember(ConsumerGroup group, string memberId, List<(byte[] Key, byte[]? Value)> records)
    {
        RemoveMemberRecords(group, memberId, records);
        Emit(records, ConsumerGroupRecordCodec.GroupMetadataKey(group.GroupId),
            ConsumerGroupRecordCodec.GroupMetadataValue(group.GroupEpoch + 1, SubscriptionMetadataHash(group)));
    }

    /// <summary>Tombstones for everything an empty consumer group wrote, leaving its offsets alone.</summary>
    private void DeleteConsumerGroupRecords(ConsumerGroup group, List<(byte[] Key, byte[]? Value)> records)
    {
        foreach (var memberId in group.Members.Keys.ToList())
        {
            RemoveMemberRecords(group, memberId, records);
        }
        foreach (var memberId in group.TargetAssignment.Keys.ToList())
        {
            Emit(records, ConsumerGroupRecordCodec.TargetMemberKey(group.GroupId, memberId), null);
        }
        Emit(records, ConsumerGroupRecordCodec.TargetMetadataKey(group.GroupId), null);
        Emit(records, ConsumerGroupRecordCodec.GroupMetadataKey(group.GroupId), null);
    }

    /// <summary>The existing topics a member subscribes to, by name or by regular expression (internal topics never match one).</summary>
    private static IEnumerable<TopicImage> SubscribedTopics(ConsumerGroupMember member, MetadataImage image)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in member.SubscribedTopicNames)
        {
            if (image.Topic(name) is { } topic && seen.Add(name))
            {
                yield return topic;
            }
        }
        if (string.IsNullOrEmpty(member.SubscribedTopicRegex))
        {
            yield break;
        }
        foreach (var topic in image.TopicsByName.Values)
        {
            if (!topic.IsInternal && !seen.Contains(topic.Name) && TopicRegex.Matches(member.SubscribedTopicRegex, topic.Name))
            {
                seen.Add(topic.Name);
                yield return topic;
            }
        }
    }

    /// <summary>Names of every topic some member of the group subscribes to, existing or not.</summary>
    private HashSet<string> SubscribedTopicNames(ConsumerGroup group)
    {
        var image = CurrentImage;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in group.Members.Values)
        {
            names.UnionWith(m.SubscribedTopicNames);
            names.UnionWith(SubscribedTopics(m, image).Select(t => t.Name));
        }
        return names;
    }

    /// <summary>
    /// FNV-1a over the name, id and partition count of every subscribed topic in name order: it changes when a
    /// subscribed topic is created, deleted or grows, which is when the group needs a new assignment.
    /// </summary>
    private long SubscriptionMetadataHash(ConsumerGroup group)
    {
        var image = CurrentImage;
        var topics = new SortedDictionary<string, TopicImage>(StringComparer.Ordinal);
        foreach (var m in group.Members.Values)
        {
            foreach (var t in SubscribedTopics(m, image))
            {
                topics[t.Name] = t;
            }
        }
        var hash = unchecked((long)14695981039346656037UL);
        foreach (var t in topics.Values)
        {
            foreach (var c in t.Name)
            {
                hash = Mix(hash, c);
            }
            foreach (var b in t.Id.ToByteArray())
            {
                hash = Mix(hash, b);
            }
            hash = Mix(hash, t.Partitions.Length);
        }
        return hash;

        static long Mix(long hash, long value) => unchecked((hash ^ value) * 1099511628211L);
    }
}
