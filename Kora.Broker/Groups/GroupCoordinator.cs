using Kora.Metadata;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Groups;

/// <summary>
/// Kafka's classic GroupCoordinator: the JoinGroup/SyncGroup rebalance protocol with generations, leader
/// election, protocol voting, MEMBER_ID_REQUIRED (KIP-394), static membership (KIP-345), session timeouts,
/// and committed offsets. One lock guards all groups; time moves on through <see cref="Tick"/>, which a
/// timer calls (and unit tests call after advancing a fake clock). Every change that must survive a restart
/// is written through <see cref="IGroupLog"/> while the lock is held, so records of a group stay in order.
/// Consumer-protocol groups (KIP-848) live beside classic ones under the same lock; <paramref name="image"/>
/// gives them the topics to assign.
/// </summary>
public sealed partial class GroupCoordinator(IGroupLog log, TimeProvider time, GroupSettings settings, Func<MetadataImage>? image = null)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);

    // The order offset commits are written in, across groups; only read and written under the lock.
    private long _offsetWriteSequence;

    public GroupSettings Settings => settings;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    public Task<JoinGroupResult> JoinAsync(JoinRequestArgs args)
    {
        lock (_lock)
        {
            var now = Now;
            if (string.IsNullOrEmpty(args.GroupId))
            {
                return Done(JoinGroupResult.Failed(ErrorCode.InvalidGroupId, args.MemberId));
            }
            if (args.SessionTimeoutMs < settings.MinSessionTimeoutMs || args.SessionTimeoutMs > settings.MaxSessionTimeoutMs)
            {
                return Done(JoinGroupResult.Failed(ErrorCode.InvalidSessionTimeout, args.MemberId));
            }
            var unknownMember = args.MemberId.Length == 0;
            if (!_groups.TryGetValue(args.GroupId, out var group))
            {
                if (!unknownMember)
                {
                    return Done(JoinGroupResult.Failed(ErrorCode.UnknownMemberId, args.MemberId));
                }
                group = new Group(args.GroupId);
                group.TransitionTo(GroupState.Empty, now);
                _groups[args.GroupId] = group;
            }
            if (group.Consumer is { } consumer)
            {
                if (consumer.Members.Count > 0)
                {
                    return Done(JoinGroupResult.Failed(ErrorCode.InconsistentGroupProtocol));
                }
                if (!unknownMember)
                {
                    return Done(JoinGroupResult.Failed(ErrorCode.UnknownMemberId, args.MemberId));
                }
                ConvertEmptyConsumerGroupToClassic(group, consumer);
            }
            if (group.State == GroupState.Dead)
            {
                return Done(JoinGroupResult.Failed(ErrorCode.CoordinatorNotAvailable, args.MemberId));
            }
            return unknownMember ? JoinUnknown(group, args, now) : JoinKnown(group, args, now);
        }
    }

    private Task<JoinGroupResult> JoinUnknown(Group group, JoinRequestArgs args, long now)
    {
        var newId = $"{(args.ClientId.Length == 0 ? "member" : args.ClientId)}-{Guid.NewGuid()}";
        if (group.StaticMemberId(args.GroupInstanceId) is { } oldId)
        {
            return ReplaceStaticMember(group, args, oldId, newId, now);
        }
        if (!group.SupportsProtocols(args.ProtocolType, args.Protocols))
        {
            return Done(JoinGroupResult.Failed(ErrorCode.InconsistentGroupProtocol));
        }
        if (args.GroupInstanceId is null && args.Version >= 4)
        {
            group.PendingMembers[newId] = now + args.SessionTimeoutMs;
            return Done(JoinGroupResult.Failed(ErrorCode.MemberIdRequired, newId));
        }
        return AddMemberAndRebalance(group, args, newId, now);
    }

    private Task<JoinGroupResult> JoinKnown(Group group, JoinRequestArgs args, long now)
    {
        if (group.PendingMembers.ContainsKey(args.MemberId))
        {
            if (!group.SupportsProtocols(args.ProtocolType, args.Protocols))
            {
                return Done(JoinGroupResult.Failed(ErrorCode.InconsistentGroupProtocol, args.MemberId));
            }
            return AddMemberAndRebalance(group, args, args.MemberId, now);
        }
        if (group.StaticMemberId(args.GroupInstanceId) is { } staticId && staticId != args.MemberId)
        {
            return Done(JoinGroupResult.Failed(ErrorCode.FencedInstanceId, args.MemberId));
        }
        var member = group.Member(args.MemberId);
        if (member is null)
        {
            return Done(JoinGroupResult.Failed(ErrorCode.UnknownMemberId, args.MemberId));
        }
        if (!group.SupportsProtocols(args.ProtocolType, args.Protocols, replacing: group.Members.Count == 1 ? member.MemberId : null))
        {
            return Done(JoinGroupResult.Failed(ErrorCode.InconsistentGroupProtocol, args.MemberId));
        }
        var unchanged = member.SameProtocols(args.Protocols);
        switch (group.State)
        {
            case GroupState.PreparingRebalance:
                var joining = AwaitJoin(group, member, args, now);
                TryCompleteJoin(group, now);
                return joining;
            case GroupState.CompletingRebalance when unchanged:
                return Done(CurrentJoinResult(group, member, skipAssignment: false));
            case GroupState.Stable when unchanged && group.LeaderId != member.MemberId:
                member.LastHeartbeatMs = now;
                return Done(CurrentJoinResult(group, member, skipAssignment: false));
            default:
                var pending = AwaitJoin(group, member, args, now);
                PrepareRebalance(group, now);
                return pending;
        }
    }

    private Task<JoinGroupResult> ReplaceStaticMember(Group group, JoinRequestArgs args, string oldId, string newId, long now)
    {
        var old = group.Member(oldId)!;
        if (!group.SupportsProtocols(args.ProtocolType, args.Protocols, replacing: oldId))
        {
            return Done(JoinGroupResult.Failed(ErrorCode.InconsistentGroupProtocol));
        }
        var unchanged = old.SameProtocols(args.Protocols);
        old.CompleteJoin(JoinGroupResult.Failed(ErrorCode.FencedInstanceId, oldId));
        old.CompleteSync(SyncGroupResult.Failed(ErrorCode.FencedInstanceId));
        old.MemberId = newId;
        old.ClientId = args.ClientId;
        old.ClientHost = args.ClientHost;
        old.SessionTimeoutMs = args.SessionTimeoutMs;
        old.RebalanceTimeoutMs = args.RebalanceTimeoutMs;
        old.LastHeartbeatMs = now;
        old.JoinVersion = args.Version;
        group.StaticMembers[args.GroupInstanceId!] = newId;
        if (group.LeaderId == oldId)
        {
            group.LeaderId = newId;
        }
        if (group.State == GroupState.Stable && unchanged)
        {
            WriteGroup(group);
            var isLeader = group.LeaderId == newId;
            return Done(CurrentJoinResult(group, old, skipAssignment: isLeader && args.Version >= 9));
        }
        var pending = AwaitJoin(group, old, args, now);
        if (group.State != GroupState.PreparingRebalance)
        {
            PrepareRebalance(group, now);
        }
        else
        {
            TryCompleteJoin(group, now);
        }
        return pending;
    }

    private Task<JoinGroupResult> AddMemberAndRebalance(Group group, JoinRequestArgs args, string memberId, long now)
    {
        var member = new GroupMember(memberId, args.GroupInstanceId, args.ClientId, args.ClientHost)
        {
            ProtocolType = args.ProtocolType,
            IsNew = true,
        };
        group.Add(member);
        if (group.InInitialDelay)
        {
            group.JoinedDuringDelay = true;
        }
        var pending = AwaitJoin(group, member, args, now);
        if (group.State == GroupState.PreparingRebalance)
        {
            TryCompleteJoin(group, now);
        }
        else
        {
            PrepareRebalance(group, now);
        }
        return pending;
    }

    private static Task<JoinGroupResult> AwaitJoin(Group group, GroupMember member, JoinRequestArgs args, long now)
    {
        member.Protocols = args.Protocols;
        member.SessionTimeoutMs = args.SessionTimeoutMs;
        member.RebalanceTimeoutMs = args.RebalanceTimeoutMs;
        member.ClientId = args.ClientId;
        member.ClientHost = args.ClientHost;
        member.JoinVersion = args.Version;
        member.LastHeartbeatMs = now;
        member.CompleteJoin(JoinGroupResult.Failed(ErrorCode.UnknownMemberId, member.MemberId));
        var pending = new TaskCompletionSource<JoinGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        member.AwaitingJoin = pending;
        _ = group;
        return pending.Task;
    }

    private void PrepareRebalance(Group group, long now)
    {
        if (group.State == GroupState.CompletingRebalance)
        {
            foreach (var m in group.Members)
            {
                m.Assignment = [];
                m.CompleteSync(SyncGroupResult.Failed(ErrorCode.RebalanceInProgress));
            }
        }
        if (group.State == GroupState.Empty)
        {
            group.InInitialDelay = true;
            group.JoinedDuringDelay = false;
            var delay = Math.Min(settings.InitialRebalanceDelayMs, group.MaxRebalanceTimeoutMs);
            group.InitialDelayRemainingMs = Math.Max(group.MaxRebalanceTimeoutMs - delay, 0);
            group.PhaseDeadlineMs = now + delay;
        }
        else
        {
            group.InInitialDelay = false;
            group.PhaseDeadlineMs = now + group.MaxRebalanceTimeoutMs;
        }
        group.TransitionTo(GroupState.PreparingRebalance, now);
        TryCompleteJoin(group, now);
    }

    /// <summary>Completes the join phase once every known member has rejoined (never during the initial delay).</summary>
    private void TryCompleteJoin(Group group, long now)
    {
        if (group.State != GroupState.PreparingRebalance || group.InInitialDelay)
        {
            return;
        }
        if (group.Members.TrueForAll(m => m.AwaitingJoin is not null) && group.PendingMembers.Count == 0)
        {
            CompleteJoin(group, now);
        }
    }

    private void CompleteJoin(Group group, long now)
    {
        foreach (var missing in group.Members.Where(m => m.AwaitingJoin is null && m.GroupInstanceId is null).ToList())
        {
            group.Remove(missing);
        }
        group.PendingMembers.Clear();
        group.InInitialDelay = false;
        group.GenerationId++;
        if (group.Members.Count == 0)
        {
            group.ProtocolName = null;
            group.ProtocolType = group.Offsets.Count > 0 ? group.ProtocolType : null;
            group.LeaderId = null;
            group.PhaseDeadlineMs = long.MaxValue;
            group.TransitionTo(GroupState.Empty, now);
            WriteGroup(group);
            return;
        }
        group.ProtocolName = group.SelectProtocol();
        if (group.LeaderId is null || !group.Has(group.LeaderId))
        {
            group.LeaderId = group.Members[0].MemberId;
        }
        group.TransitionTo(GroupState.CompletingRebalance, now);
        group.PhaseDeadlineMs = now + group.MaxRebalanceTimeoutMs;
        var all = group.Members.Select(m => new JoinedMember(m.MemberId, m.GroupInstanceId, m.MetadataFor(group.ProtocolName) ?? [])).ToList();
        foreach (var m in group.Members)
        {
            m.IsNew = false;
            m.LastHeartbeatMs = now;
            m.CompleteJoin(new JoinGroupResult(ErrorCode.None, m.MemberId, group.GenerationId, group.ProtocolType, group.ProtocolName,
                group.LeaderId, m.MemberId == group.LeaderId ? all : []));
        }
    }

    private static JoinGroupResult CurrentJoinResult(Group group, GroupMember member, bool skipAssignment)
    {
        var isLeader = group.LeaderId == member.MemberId;
        var members = isLeader
            ? group.Members.Select(m => new JoinedMember(m.MemberId, m.GroupInstanceId, m.MetadataFor(group.ProtocolName) ?? [])).ToList()
            : [];
        return new JoinGroupResult(ErrorCode.None, member.MemberId, group.GenerationId, group.ProtocolType, group.ProtocolName,
            group.LeaderId ?? "", members, skipAssignment);
    }

    public Task<SyncGroupResult> SyncAsync(string groupId, int generationId, string memberId, string? instanceId,
        string? protocolType, string? protocolName, IReadOnlyDictionary<string, byte[]> assignments)
    {
        lock (_lock)
        {
            var now = Now;
            if (!_groups.TryGetValue(groupId, out var group))
            {
                return Done(SyncGroupResult.Failed(ErrorCode.UnknownMemberId));
            }
            if (group.State == GroupState.Dead)
            {
                return Done(SyncGroupResult.Failed(ErrorCode.CoordinatorNotAvailable));
            }
            if (group.StaticMemberId(instanceId) is { } staticId && staticId != memberId)
            {
                return Done(SyncGroupResult.Failed(ErrorCode.FencedInstanceId));
            }
            var member = group.Member(memberId);
            if (member is null)
            {
                return Done(SyncGroupResult.Failed(ErrorCode.UnknownMemberId));
            }
            if (generationId != group.GenerationId)
            {
                return Done(SyncGroupResult.Failed(ErrorCode.IllegalGeneration));
            }
            if ((protocolType is not null && protocolType != group.ProtocolType) || (protocolName is not null && protocolName != group.ProtocolName))
            {
                return Done(SyncGroupResult.Failed(ErrorCode.InconsistentGroupProtocol));
            }
            switch (group.State)
            {
                case GroupState.Empty:
                    return Done(SyncGroupResult.Failed(ErrorCode.UnknownMemberId));
                case GroupState.PreparingRebalance:
                    return Done(SyncGroupResult.Failed(ErrorCode.RebalanceInProgress));
                case GroupState.Stable:
                    member.LastHeartbeatMs = now;
                    return Done(new SyncGroupResult(ErrorCode.None, group.ProtocolType, group.ProtocolName, member.Assignment));
            }
            member.LastHeartbeatMs = now;
            member.CompleteSync(SyncGroupResult.Failed(ErrorCode.RebalanceInProgress));
            var pending = new TaskCompletionSource<SyncGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            member.AwaitingSync = pending;
            if (memberId == group.LeaderId)
            {
                foreach (var m in group.Members)
                {
                    m.Assignment = assignments.GetValueOrDefault(m.MemberId) ?? [];
                }
                group.TransitionTo(GroupState.Stable, now);
                group.PhaseDeadlineMs = long.MaxValue;
                WriteGroup(group);
                foreach (var m in group.Members)
                {
                    m.CompleteSync(new SyncGroupResult(ErrorCode.None, group.ProtocolType, group.ProtocolName, m.Assignment));
                }
            }
            return pending.Task;
        }
    }

    private static Task<T> Done<T>(T result) => Task.FromResult(result);

    private void WriteGroup(Group group) =>
        log.Append(group.Id, [(GroupRecordCodec.GroupKey(group.Id), GroupRecordCodec.GroupValue(group.ToStored()))]);
}
