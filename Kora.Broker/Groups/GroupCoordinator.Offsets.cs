using Kora.Protocol.Primitives;

namespace Kora.Broker.Groups;

/// <summary>OffsetCommit, OffsetFetch, OffsetDelete and offset expiry.</summary>
public sealed partial class GroupCoordinator
{
    /// <summary>
    /// Checks a commit against the group (generation for classic groups, member epoch for consumer groups); on success
    /// writes the offsets and holds them as pending until <see cref="CompleteCommit"/> confirms the write. Returns the
    /// error for every partition. From v9 an unknown group is GROUP_ID_NOT_FOUND.
    /// </summary>
    public ErrorCode Commit(string groupId, int generationId, string memberId, string? instanceId,
        IReadOnlyList<(TopicPartitionKey Partition, CommittedOffset Offset)> offsets, short version, out OffsetWrite write)
    {
        write = default;
        lock (_lock)
        {
            var now = Now;
            if (string.IsNullOrEmpty(groupId))
            {
                return ErrorCode.InvalidGroupId;
            }
            if (!_groups.TryGetValue(groupId, out var group))
            {
                if (generationId >= 0)
                {
                    return version >= 9 ? ErrorCode.GroupIdNotFound : ErrorCode.IllegalGeneration;
                }
                group = new Group(groupId);
                group.TransitionTo(GroupState.Empty, now);
                _groups[groupId] = group;
            }
            if (group.State == GroupState.Dead)
            {
                return ErrorCode.CoordinatorNotAvailable;
            }
            if (group.Consumer is { } consumer)
            {
                var error = ValidateConsumerCommit(consumer, memberId, generationId, version);
                if (error != ErrorCode.None)
                {
                    return error;
                }
            }
            else if (generationId >= 0 || group.State != GroupState.Empty)
            {
                if (group.StaticMemberId(instanceId) is { } staticId && staticId != memberId)
                {
                    return ErrorCode.FencedInstanceId;
                }
                var member = group.Member(memberId);
                if (member is null)
                {
                    return ErrorCode.UnknownMemberId;
                }
                if (generationId != group.GenerationId)
                {
                    return ErrorCode.IllegalGeneration;
                }
                if (group.State == GroupState.CompletingRebalance)
                {
                    return ErrorCode.RebalanceInProgress;
                }
                member.LastHeartbeatMs = now;
            }
            var records = new List<(byte[], byte[]?)>(offsets.Count);
            write = new OffsetWrite(group, ++_offsetWriteSequence);
            foreach (var (partition, offset) in offsets)
            {
                group.PendingOffsets[partition] = new PendingOffset(offset, write.Sequence);
                records.Add((GroupRecordCodec.OffsetKey(groupId, partition.Topic, partition.Partition), GroupRecordCodec.OffsetValue(offset)));
            }
            log.Append(groupId, records);
            return ErrorCode.None;
        }
    }

    /// <summary>
    /// Kafka's onOffsetCommitAppend and failPendingOffsetWrite: once <paramref name="write"/> is confirmed
    /// (<paramref name="written"/>) its offsets become visible, unless a newer confirmed commit already replaced them;
    /// confirmed or not, they stop being pending (a newer pending commit of the partition stays).
    /// </summary>
    public void CompleteCommit(string groupId, IReadOnlyList<(TopicPartitionKey Partition, CommittedOffset Offset)> offsets, OffsetWrite write, bool written)
    {
        lock (_lock)
        {
            if (!_groups.TryGetValue(groupId, out var group) || !ReferenceEquals(group, write.Group))
            {
                // Unloaded, deleted or recreated meanwhile: the log is the truth, and a new group is not this one.
                return;
            }
            foreach (var (partition, offset) in offsets)
            {
                // Gone from pending means the offsets were deleted meanwhile (OffsetDelete): nothing to confirm.
                if (!group.PendingOffsets.TryGetValue(partition, out var pending))
                {
                    continue;
                }
                if (written && group.OffsetWriteSequences.GetValueOrDefault(partition) < write.Sequence)
                {
                    group.Offsets[partition] = offset;
                    group.OffsetWriteSequences[partition] = write.Sequence;
                }
                if (pending.WriteSequence == write.Sequence)
                {
                    group.PendingOffsets.Remove(partition);
                }
            }
        }
    }

    /// <summary>Committed offsets of a group: the asked partitions (null offsets when none), or all when <paramref name="partitions"/> is null.</summary>
    public List<(TopicPartitionKey Partition, CommittedOffset? Offset)> Fetch(string groupId, IReadOnlyList<TopicPartitionKey>? partitions)
    {
        lock (_lock)
        {
            var group = _groups.GetValueOrDefault(groupId);
            if (partitions is null)
            {
                return group is null ? [] : [.. group.Offsets.Select(o => (o.Key, (CommittedOffset?)o.Value))];
            }
            return [.. partitions.Select(p => (p, group?.Offsets.GetValueOrDefault(p)))];
        }
    }

    /// <summary>Deletes offsets of partitions the group does not subscribe to. Returns the group error and per-partition errors.</summary>
    public (ErrorCode Error, List<ErrorCode> PerPartition) DeleteOffsets(string groupId, IReadOnlyList<TopicPartitionKey> partitions)
    {
        lock (_lock)
        {
            if (!_groups.TryGetValue(groupId, out var group) || group.State == GroupState.Dead)
            {
                return (ErrorCode.GroupIdNotFound, []);
            }
            var subscribed = group.Consumer is { } consumer ? SubscribedTopicNames(consumer)
                : group.State == GroupState.Empty ? [] : SubscribedTopics(group);
            if (subscribed is null)
            {
                return (ErrorCode.NonEmptyGroup, []);
            }
            var results = new List<ErrorCode>(partitions.Count);
            var records = new List<(byte[], byte[]?)>();
            foreach (var p in partitions)
            {
                if (subscribed.Contains(p.Topic))
                {
                    results.Add(ErrorCode.GroupSubscribedToTopic);
                    continue;
                }
                // A commit still being written is in the log too: it needs its tombstone as much as a confirmed one.
                if (group.PendingOffsets.Remove(p) | group.Offsets.Remove(p))
                {
                    records.Add((GroupRecordCodec.OffsetKey(groupId, p.Topic, p.Partition), null));
                }
                results.Add(ErrorCode.None);
            }
            if (records.Count > 0)
            {
                log.Append(groupId, records);
            }
            return (ErrorCode.None, results);
        }
    }

    /// <summary>Topics the members of a consumer group subscribe to; null when the protocol type is not "consumer".</summary>
    private static HashSet<string>? SubscribedTopics(Group group)
    {
        if (group.ProtocolType != "consumer")
        {
            return null;
        }
        var topics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in group.Members)
        {
            if (member.MetadataFor(group.ProtocolName) is not { Length: > 0 } metadata)
            {
                continue;
            }
            try
            {
                var reader = new KafkaReader(metadata);
                var version = reader.ReadInt16();
                var subscription = new Kora.Protocol.Messages.ConsumerProtocolSubscription();
                subscription.Read(ref reader, version);
                topics.UnionWith(subscription.Topics);
            }
            catch (Exception e) when (e is KafkaProtocolException or ArgumentOutOfRangeException or IndexOutOfRangeException)
            {
                return null;
            }
        }
        return topics;
    }

    /// <summary>Expires offsets of empty groups past offsets.retention.minutes (writing tombstones), and drops groups left with nothing.</summary>
    public int ExpireOffsets()
    {
        lock (_lock)
        {
            var now = Now;
            var expired = 0;
            foreach (var group in _groups.Values.ToList())
            {
                if (group.Consumer is { } consumer)
                {
                    expired += ExpireConsumerOffsets(group, consumer, now);
                    continue;
                }
                if (group.State != GroupState.Empty)
                {
                    continue;
                }
                var records = new List<(byte[], byte[]?)>();
                foreach (var (partition, offset) in group.Offsets.ToList())
                {
                    var since = Math.Max(group.StateTimestampMs, offset.CommitTimestampMs);
                    // A newer commit still being written is not expired under it (Kafka's getExpiredOffsets).
                    if (since + settings.OffsetsRetentionMs <= now && !group.PendingOffsets.ContainsKey(partition))
                    {
                        group.Offsets.Remove(partition);
                        records.Add((GroupRecordCodec.OffsetKey(group.Id, partition.Topic, partition.Partition), null));
                    }
                }
                expired += records.Count;
                if (group.Offsets.Count == 0 && group.PendingOffsets.Count == 0 && group.Members.Count == 0)
                {
                    records.Add((GroupRecordCodec.GroupKey(group.Id), null));
                    group.TransitionTo(GroupState.Dead, now);
                    _groups.Remove(group.Id);
                }
                if (records.Count > 0)
                {
                    log.Append(group.Id, records);
                }
            }
            return expired;
        }
    }
}
