using Kora.Broker.Groups.Consumer;
using Kora.Broker.Groups.Consumer.Assignors;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Groups;

/// <summary>
/// ConsumerGroupHeartbeat (KIP-848), after Kafka's GroupMetadataManager: the member is created or updated, the
/// group epoch moves when subscriptions or subscribed topics change, a new target assignment is computed when
/// the group epoch passes the assignment epoch, and the member's current assignment is reconciled one step
/// towards its target. Every change is a record applied to the group as it is written.
/// </summary>
public sealed partial class GroupCoordinator
{
    public const int LeaveGroupMemberEpoch = -1;
    public const int LeaveGroupStaticMemberEpoch = -2;

    public ConsumerHeartbeatResult ConsumerGroupHeartbeat(ConsumerHeartbeatArgs args)
    {
        lock (_lock)
        {
            var records = new List<(byte[] Key, byte[]? Value)>();
            try
            {
                ValidateHeartbeat(args);
                return args.MemberEpoch is LeaveGroupMemberEpoch or LeaveGroupStaticMemberEpoch
                    ? ConsumerGroupLeave(args, records)
                    : ConsumerGroupJoinOrHeartbeat(args, records);
            }
            catch (ConsumerGroupException e)
            {
                return ConsumerHeartbeatResult.Failed(e.Error, e.Message);
            }
            finally
            {
                if (records.Count > 0)
                {
                    log.Append(args.GroupId, records);
                }
            }
        }
    }

    /// <summary>Kafka's request checks, in its order; v1 members generate their own member id.</summary>
    private static void ValidateHeartbeat(ConsumerHeartbeatArgs a)
    {
        if (a.Version >= 1 || a.MemberEpoch > 0 || a.MemberEpoch == LeaveGroupMemberEpoch)
        {
            ThrowIfBlank(a.MemberId, "MemberId can't be empty.");
        }
        ThrowIfBlank(a.GroupId, "GroupId can't be empty.");
        ThrowIfBlank(a.InstanceId, "InstanceId can't be empty.");
        ThrowIfBlank(a.RackId, "RackId can't be empty.");
        if (a.MemberEpoch == 0)
        {
            if (a.RebalanceTimeoutMs == -1)
            {
                throw Invalid("RebalanceTimeoutMs must be provided in first request.");
            }
            if (a.OwnedPartitions is not { Count: 0 })
            {
                throw Invalid("TopicPartitions must be empty when (re-)joining.");
            }
            if (a.SubscribedTopicNames is null && a.SubscribedTopicRegex is null)
            {
                throw Invalid("Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.");
            }
        }
        else if (a.MemberEpoch == LeaveGroupStaticMemberEpoch)
        {
            if (a.InstanceId is null)
            {
                throw Invalid("InstanceId can't be null.");
            }
        }
        else if (a.MemberEpoch < LeaveGroupStaticMemberEpoch)
        {
            throw Invalid("MemberEpoch is invalid.");
        }
        if (a.ServerAssignor is not null && AssignorNames.Find(a.ServerAssignor) is null)
        {
            throw new ConsumerGroupException(ErrorCode.UnsupportedAssignor,
                $"ServerAssignor {a.ServerAssignor} is not supported. Supported assignors: {string.Join(", ", AssignorNames.All.Select(x => x.Name))}.");
        }
        if (!string.IsNullOrEmpty(a.SubscribedTopicRegex) && TopicRegex.TryCompile(a.SubscribedTopicRegex, out var problem) is null)
        {
            throw new ConsumerGroupException(ErrorCode.InvalidRegularExpression,
                $"SubscribedTopicRegex `{a.SubscribedTopicRegex}` is not a valid regular expression: {problem}.");
        }
    }

    private static void ThrowIfBlank(string? value, string message)
    {
        if (value is not null && string.IsNullOrWhiteSpace(value))
        {
            throw Invalid(message);
        }
    }

    private static ConsumerGroupException Invalid(string message) => new(ErrorCode.InvalidRequest, message);

    private ConsumerHeartbeatResult ConsumerGroupJoinOrHeartbeat(ConsumerHeartbeatArgs a, List<(byte[] Key, byte[]? Value)> records)
    {
        var now = Now;
        var joining = a.MemberEpoch == 0;
        var group = ConsumerGroupFor(a.GroupId, joining, records);
        var memberId = a.MemberId.Length == 0 ? NewMemberId() : a.MemberId;
        var member = a.InstanceId is null
            ? DynamicMember(group, memberId, a, joining)
            : StaticMember(group, memberId, a, joining, records);

        var updated = member with
        {
            InstanceId = a.InstanceId ?? member.InstanceId,
            RackId = a.RackId ?? member.RackId,
            RebalanceTimeoutMs = a.RebalanceTimeoutMs != -1 ? a.RebalanceTimeoutMs : member.RebalanceTimeoutMs,
            ServerAssignor = a.ServerAssignor ?? member.ServerAssignor,
            SubscribedTopicNames = a.SubscribedTopicNames ?? member.SubscribedTopicNames,
            SubscribedTopicRegex = a.SubscribedTopicRegex ?? member.SubscribedTopicRegex,
            ClientId = a.ClientId,
            ClientHost = a.ClientHost,
        };

        // 1. The member and, when subscriptions or the subscribed topics changed, the group epoch.
        var bumpGroupEpoch = group.GroupEpoch == 0;
        if (!group.Members.ContainsKey(memberId) || !updated.SameMetadata(member))
        {
            Emit(records, ConsumerGroupRecordCodec.MemberMetadataKey(group.GroupId, memberId), ConsumerGroupRecordCodec.MemberMetadataValue(updated));
            bumpGroupEpoch |= !updated.SameTopicNames(member) || (updated.SubscribedTopicRegex ?? "") != (member.SubscribedTopicRegex ?? "");
        }
        if (bumpGroupEpoch || group.MetadataRefreshRequired)
        {
            var hash = SubscriptionMetadataHash(group);
            if (bumpGroupEpoch || hash != group.MetadataHash)
            {
                Emit(records, ConsumerGroupRecordCodec.GroupMetadataKey(group.GroupId), ConsumerGroupRecordCodec.GroupMetadataValue(group.GroupEpoch + 1, hash));
            }
            group.MetadataRefreshRequired = false;
        }

        // 2. A new target assignment when the group epoch moved past it.
        if (group.GroupEpoch > group.AssignmentEpoch)
        {
            UpdateTargetAssignment(group, records);
        }

        // 3. One reconciliation step towards the member's target.
        var current = group.Members[memberId];
        if (!current.IsReconciledTo(group.AssignmentEpoch))
        {
            var next = Reconciliation.Reconcile(current, group.AssignmentEpoch, group.TargetOf(memberId), group.CurrentPartitionEpoch, a.OwnedPartitions);
            if (!next.SameAssignmentState(current))
            {
                Emit(records, ConsumerGroupRecordCodec.CurrentAssignmentKey(group.GroupId, memberId), ConsumerGroupRecordCodec.CurrentAssignmentValue(next));
            }
        }
        group.SessionDeadlines[memberId] = now + settings.ConsumerSessionTimeoutMs;

        var result = group.Members[memberId];
        // The assignment goes back on a full request (joining, or after an error, when every field is set) or when it changed.
        var fullRequest = joining || (a.RebalanceTimeoutMs != -1 && (a.SubscribedTopicNames is not null || a.SubscribedTopicRegex is not null) && a.OwnedPartitions is not null);
        var assignment = fullRequest || !result.Assigned.Equals(member.Assigned) ? result.Assigned : null;
        return new ConsumerHeartbeatResult(ErrorCode.None, null, memberId, result.MemberEpoch, settings.ConsumerHeartbeatIntervalMs, assignment);
    }

    /// <summary>
    /// The consumer group <paramref name="groupId"/>; when joining, a new one, or one replacing an empty classic
    /// group (whose offsets it keeps). GROUP_ID_NOT_FOUND otherwise.
    /// </summary>
    private ConsumerGroup ConsumerGroupFor(string groupId, bool createIfMissing, List<(byte[] Key, byte[]? Value)> records)
    {
        if (!_groups.TryGetValue(groupId, out var container))
        {
            if (!createIfMissing)
            {
                throw new ConsumerGroupException(ErrorCode.GroupIdNotFound, $"Consumer group {groupId} not found.");
            }
            container = new Group(groupId);
            container.TransitionTo(GroupState.Empty, Now);
            _groups[groupId] = container;
        }
        if (container.Consumer is { } existing)
        {
            return existing;
        }
        if (!createIfMissing || container.Members.Count > 0 || container.State != GroupState.Empty)
        {
            throw new ConsumerGroupException(ErrorCode.GroupIdNotFound, $"Group {groupId} is not a consumer group.");
        }
        if (container.ProtocolType is not null || container.GenerationId > 0)
        {
            records.Add((GroupRecordCodec.GroupKey(groupId), null));
        }
        ResetClassicState(container);
        container.Consumer = new ConsumerGroup(groupId);
        return container.Consumer;
    }

    private static void ResetClassicState(Group group)
    {
        group.Members.Clear();
        group.StaticMembers.Clear();
        group.PendingMembers.Clear();
        group.GenerationId = 0;
        group.ProtocolType = null;
        group.ProtocolName = null;
        group.LeaderId = null;
        group.PhaseDeadlineMs = long.MaxValue;
    }

    /// <summary>Kafka's Uuid.randomUuid().toString(): 22 characters of URL-safe base64.</summary>
    private static string NewMemberId() =>
        Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static ConsumerGroupMember DynamicMember(ConsumerGroup group, string memberId, ConsumerHeartbeatArgs a, bool joining)
    {
        if (group.Members.TryGetValue(memberId, out var member))
        {
            // A known member rejoining with epoch 0 (it was fenced or lost its state) keeps its place.
            if (!joining)
            {
                ThrowIfEpochInvalid(member, a.MemberEpoch, a.OwnedPartitions);
            }
            return member;
        }
        if (!joining)
        {
            throw new ConsumerGroupException(ErrorCode.UnknownMemberId, $"Member {memberId} is not a member of group {group.GroupId}.");
        }
        return new ConsumerGroupMember(memberId);
    }

    /// <summary>A static member; a new instance takes over the assignment of the one that left with epoch -2.</summary>
    private ConsumerGroupMember StaticMember(ConsumerGroup group, string memberId, ConsumerHeartbeatArgs a, bool joining, List<(byte[] Key, byte[]? Value)> records)
    {
        var instanceId = a.InstanceId!;
        var existing = group.StaticMember(instanceId);
        if (joining)
        {
            if (existing is null)
            {
                return group.Members.GetValueOrDefault(memberId) ?? new ConsumerGroupMember(memberId);
            }
            if (existing.MemberEpoch != LeaveGroupStaticMemberEpoch)
            {
                throw new ConsumerGroupException(ErrorCode.UnreleasedInstanceId,
                    $"Static member {memberId} with instance id {instanceId} cannot join the group because the instance id is owned by {existing.MemberId} member.");
            }
            var replacement = existing with { MemberId = memberId, MemberEpoch = 0, PreviousMemberEpoch = 0 };
            var target = group.TargetOf(existing.MemberId);
            RemoveMemberRecords(group, existing.MemberId, records);
            Emit(records, ConsumerGroupRecordCodec.MemberMetadataKey(group.GroupId, memberId), ConsumerGroupRecordCodec.MemberMetadataValue(replacement));
            Emit(records, ConsumerGroupRecordCodec.TargetMemberKey(group.GroupId, memberId), ConsumerGroupRecordCodec.TargetMemberValue(target));
            Emit(records, ConsumerGroupRecordCodec.CurrentAssignmentKey(group.GroupId, memberId), ConsumerGroupRecordCodec.CurrentAssignmentValue(replacement));
            return replacement;
        }
        if (existing is null)
        {
            throw new ConsumerGroupException(ErrorCode.UnknownMemberId, $"Instance id {instanceId} is unknown.");
        }
        if (existing.MemberId != memberId)
        {
            throw new ConsumerGroupException(ErrorCode.FencedInstanceId,
                $"Static member {memberId} with instance id {instanceId} was fenced by member {existing.MemberId}.");
        }
        ThrowIfEpochInvalid(existing, a.MemberEpoch, a.OwnedPartitions);
        return existing;
    }

    /// <summary>A heartbeat may lag one epoch behind (the answer that moved the member on was lost) if it owns nothing outside its assignment.</summary>
    private static void ThrowIfEpochInvalid(ConsumerGroupMember member, int received, IReadOnlyList<OwnedTopicPartitions>? owned)
    {
        if (received > member.MemberEpoch)
        {
            throw new ConsumerGroupException(ErrorCode.FencedMemberEpoch,
                $"The consumer group member has a greater member epoch ({received}) than the one known by the group coordinator ({member.MemberEpoch}). The member must abandon all its partitions and rejoin.");
        }
        if (received < member.MemberEpoch && (received != member.PreviousMemberEpoch || !IsSubset(owned, member.Assigned)))
        {
            throw new ConsumerGroupException(ErrorCode.FencedMemberEpoch,
                $"The consumer group member has a smaller member epoch ({received}) than the one known by the group coordinator ({member.MemberEpoch}). The member must abandon all its partitions and rejoin.");
        }
    }

    private static bool IsSubset(IReadOnlyList<OwnedTopicPartitions>? owned, Assignment assigned) =>
        owned is not null && owned.All(t => t.Partitions.All(p => assigned.Contains(t.TopicId, p)));

    /// <summary>Runs the preferred assignor over every member and writes the targets that changed, then the new assignment epoch.</summary>
    private void UpdateTargetAssignment(ConsumerGroup group, List<(byte[] Key, byte[]? Value)> records)
    {
        var image = CurrentImage;
        var partitionCounts = new Dictionary<Guid, int>();
        var members = new List<AssignmentMember>(group.Members.Count);
        foreach (var m in group.Members.Values)
        {
            var topics = new HashSet<Guid>();
            foreach (var topic in SubscribedTopics(m, image))
            {
                topics.Add(topic.Id);
                partitionCounts[topic.Id] = topic.Partitions.Length;
            }
            members.Add(new AssignmentMember(m.MemberId, m.InstanceId, m.RackId, topics, group.TargetOf(m.MemberId)));
        }
        var assignor = AssignorNames.Find(group.PreferredAssignor(AssignorNames.Default.Name)) ?? AssignorNames.Default;
        var targets = assignor.Assign(new AssignmentSpec(members, partitionCounts));
        foreach (var m in members)
        {
            var target = targets.GetValueOrDefault(m.MemberId) ?? Assignment.Empty;
            if (!group.TargetAssignment.TryGetValue(m.MemberId, out var old) || !old.Equals(target))
            {
                Emit(records, ConsumerGroupRecordCodec.TargetMemberKey(group.GroupId, m.MemberId), ConsumerGroupRecordCodec.TargetMemberValue(target));
            }
        }
        Emit(records, ConsumerGroupRecordCodec.TargetMetadataKey(group.GroupId), ConsumerGroupRecordCodec.TargetMetadataValue(group.GroupEpoch));
    }

    private ConsumerHeartbeatResult ConsumerGroupLeave(ConsumerHeartbeatArgs a, List<(byte[] Key, byte[]? Value)> records)
    {
        if (!_groups.TryGetValue(a.GroupId, out var container) || container.Consumer is not { } group)
        {
            throw new ConsumerGroupException(ErrorCode.GroupIdNotFound,
                container is null ? $"Consumer group {a.GroupId} not found." : $"Group {a.GroupId} is not a consumer group.");
        }
        if (a.InstanceId is null)
        {
            if (!group.Members.TryGetValue(a.MemberId, out var member))
            {
                throw new ConsumerGroupException(ErrorCode.UnknownMemberId, $"Member {a.MemberId} is not a member of group {group.GroupId}.");
            }
            FenceMember(group, member.MemberId, records);
        }
        else
        {
            var member = group.StaticMember(a.InstanceId)
                ?? throw new ConsumerGroupException(ErrorCode.UnknownMemberId, $"Instance id {a.InstanceId} is unknown.");
            if (member.MemberId != a.MemberId)
            {
                throw new ConsumerGroupException(ErrorCode.FencedInstanceId,
                    $"Static member {a.MemberId} with instance id {a.InstanceId} was fenced by member {member.MemberId}.");
            }
            if (a.MemberEpoch == LeaveGroupStaticMemberEpoch)
            {
                // The instance keeps its assignment for the session timeout, so a restarted instance can take it over.
                var leaving = member with { MemberEpoch = LeaveGroupStaticMemberEpoch, PendingRevocation = Assignment.Empty };
                Emit(records, ConsumerGroupRecordCodec.CurrentAssignmentKey(group.GroupId, member.MemberId), ConsumerGroupRecordCodec.CurrentAssignmentValue(leaving));
            }
            else
            {
                FenceMember(group, member.MemberId, records);
            }
        }
        return new ConsumerHeartbeatResult(ErrorCode.None, null, a.MemberId, a.MemberEpoch, 0, null);
    }
}
