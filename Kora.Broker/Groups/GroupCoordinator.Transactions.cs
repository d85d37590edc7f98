using Kora.Protocol.Primitives;

namespace Kora.Broker.Groups;

/// <summary>
/// Transactional offset commits (TxnOffsetCommit): held pending per producer until the transaction's marker
/// reaches the group's <c>__consumer_offsets</c> partition, then made visible (COMMIT) or dropped (ABORT).
/// </summary>
public sealed partial class GroupCoordinator
{
    /// <summary>Group id → producer id → the offsets that producer's open transaction commits.</summary>
    private readonly Dictionary<string, Dictionary<long, Dictionary<TopicPartitionKey, CommittedOffset>>> _pendingTxnOffsets = new(StringComparer.Ordinal);

    /// <summary>
    /// Checks a transactional commit against the group as Kafka does (member and generation only when given) and
    /// writes it as the producer's transactional batch. Returns the error for every partition.
    /// </summary>
    public ErrorCode CommitTransactional(string groupId, long producerId, short producerEpoch, int generationId, string memberId, string? instanceId,
        IReadOnlyList<(TopicPartitionKey Partition, CommittedOffset Offset)> offsets)
    {
        lock (_lock)
        {
            if (string.IsNullOrEmpty(groupId))
            {
                return ErrorCode.InvalidGroupId;
            }
            if (!_groups.TryGetValue(groupId, out var group))
            {
                group = new Group(groupId);
                group.TransitionTo(GroupState.Empty, Now);
                _groups[groupId] = group;
            }
            if (group.State == GroupState.Dead)
            {
                return ErrorCode.CoordinatorNotAvailable;
            }
            var membership = group.Consumer is { } consumer
                ? ValidateTransactionalConsumerCommit(consumer, memberId, generationId)
                : ValidateTransactionalClassicCommit(group, memberId, generationId, instanceId);
            if (membership != ErrorCode.None)
            {
                return membership;
            }
            if (offsets.Count == 0)
            {
                return ErrorCode.None;
            }
            var records = new List<(byte[], byte[]?)>(offsets.Count);
            foreach (var (partition, offset) in offsets)
            {
                records.Add((GroupRecordCodec.OffsetKey(groupId, partition.Topic, partition.Partition), GroupRecordCodec.OffsetValue(offset)));
            }
            var error = log.AppendTransactional(groupId, producerId, producerEpoch, records);
            if (error != ErrorCode.None)
            {
                return error;
            }
            var pending = PendingOffsets(groupId, producerId);
            foreach (var (partition, offset) in offsets)
            {
                pending[partition] = offset;
            }
            return ErrorCode.None;
        }
    }

    private static ErrorCode ValidateTransactionalClassicCommit(Group group, string memberId, int generationId, string? instanceId)
    {
        if (group.StaticMemberId(instanceId) is { } staticId && staticId != memberId)
        {
            return ErrorCode.FencedInstanceId;
        }
        if (memberId.Length > 0 && !group.Has(memberId))
        {
            return ErrorCode.UnknownMemberId;
        }
        return generationId >= 0 && generationId != group.GenerationId ? ErrorCode.IllegalGeneration : ErrorCode.None;
    }

    /// <summary>
    /// A consumer-protocol group (KIP-848) carries the member epoch in the generation field. A stale epoch is
    /// ILLEGAL_GENERATION here: TxnOffsetCommit clients do not know STALE_MEMBER_EPOCH.
    /// </summary>
    private static ErrorCode ValidateTransactionalConsumerCommit(Consumer.ConsumerGroup group, string memberId, int memberEpoch)
    {
        if (memberEpoch < 0 && group.Members.Count == 0)
        {
            return ErrorCode.None;
        }
        if (!group.Members.TryGetValue(memberId, out var member))
        {
            return ErrorCode.UnknownMemberId;
        }
        return memberEpoch == member.MemberEpoch ? ErrorCode.None : ErrorCode.IllegalGeneration;
    }

    /// <summary>
    /// A transaction marker reached an offsets partition: the producer's pending offsets of the groups on that
    /// partition become committed offsets (COMMIT) or are dropped (ABORT).
    /// </summary>
    public void CompleteTransaction(long producerId, bool committed, Func<string, bool> groupOnPartition)
    {
        lock (_lock)
        {
            CompleteTransactionLocked(producerId, committed, groupOnPartition);
        }
    }

    private void CompleteTransactionLocked(long producerId, bool committed, Func<string, bool> groupOnPartition)
    {
        List<string>? emptied = null;
        foreach (var (groupId, byProducer) in _pendingTxnOffsets)
        {
            if (!groupOnPartition(groupId) || !byProducer.Remove(producerId, out var offsets))
            {
                continue;
            }
            if (committed)
            {
                // The group may have been expired or deleted while the transaction was open: the commit recreates it, as a new commit would.
                if (!_groups.TryGetValue(groupId, out var group) || group.State == GroupState.Dead)
                {
                    group = new Group(groupId);
                    group.TransitionTo(GroupState.Empty, Now);
                    _groups[groupId] = group;
                }
                foreach (var (partition, offset) in offsets)
                {
                    group.Offsets[partition] = offset;
                    // Later in the log than any plain commit still being confirmed, which therefore must not replace it.
                    group.OffsetWriteSequences[partition] = ++_offsetWriteSequence;
                }
            }
            if (byProducer.Count == 0)
            {
                (emptied ??= []).Add(groupId);
            }
        }
        foreach (var groupId in emptied ?? [])
        {
            _pendingTxnOffsets.Remove(groupId);
        }
    }

    /// <summary>Whether an open transaction commits an offset for the partition (OffsetFetch with RequireStable answers UNSTABLE_OFFSET_COMMIT).</summary>
    public bool HasPendingTransactionalOffset(string groupId, TopicPartitionKey partition)
    {
        lock (_lock)
        {
            if (!_pendingTxnOffsets.TryGetValue(groupId, out var byProducer))
            {
                return false;
            }
            foreach (var offsets in byProducer.Values)
            {
                if (offsets.ContainsKey(partition))
                {
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>Replay of a record from a transactional batch: pending until its marker is replayed.</summary>
    public void ReplayTransactional(long producerId, byte[] key, byte[]? value)
    {
        if (GroupRecordCodec.ReadKey(key) is not { Topic: not null } decoded)
        {
            return;
        }
        lock (_lock)
        {
            var pending = PendingOffsets(decoded.Group, producerId);
            var partition = new TopicPartitionKey(decoded.Topic, decoded.Partition);
            if (value is null)
            {
                pending.Remove(partition);
            }
            else
            {
                pending[partition] = GroupRecordCodec.ReadOffsetValue(value);
            }
        }
    }

    /// <summary>Replay of a transaction marker: its pending offsets are applied at this point of the log, or dropped.</summary>
    public void ReplayMarker(long producerId, bool committed, Func<string, bool> groupOnPartition) =>
        CompleteTransaction(producerId, committed, groupOnPartition);

    private Dictionary<TopicPartitionKey, CommittedOffset> PendingOffsets(string groupId, long producerId)
    {
        if (!_pendingTxnOffsets.TryGetValue(groupId, out var byProducer))
        {
            _pendingTxnOffsets[groupId] = byProducer = [];
        }
        if (!byProducer.TryGetValue(producerId, out var offsets))
        {
            byProducer[producerId] = offsets = [];
        }
        return offsets;
    }
}
