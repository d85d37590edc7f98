using Kora.Protocol.Primitives;

namespace Kora.Broker.Groups;

/// <summary>Heartbeats, leaving, and the clock: session expiry, join and sync deadlines, offset expiry.</summary>
public sealed partial class GroupCoordinator
{
    public ErrorCode Heartbeat(string groupId, string memberId, string? instanceId, int generationId)
    {
        lock (_lock)
        {
            if (!_groups.TryGetValue(groupId, out var group))
            {
                return ErrorCode.UnknownMemberId;
            }
            if (group.State == GroupState.Dead)
            {
                return ErrorCode.CoordinatorNotAvailable;
            }
            if (group.StaticMemberId(instanceId) is { } staticId && staticId != memberId)
            {
                return ErrorCode.FencedInstanceId;
            }
            if (group.PendingMembers.ContainsKey(memberId))
            {
                return ErrorCode.None;
            }
            var member = group.Member(memberId);
            if (member is null || group.State == GroupState.Empty)
            {
                return ErrorCode.UnknownMemberId;
            }
            if (generationId != group.GenerationId)
            {
                return ErrorCode.IllegalGeneration;
            }
            member.LastHeartbeatMs = Now;
            return group.State == GroupState.PreparingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
        }
    }

    /// <summary>Removes members (by member id, or by instance id for static members); the group then rebalances.</summary>
    public (ErrorCode Error, List<ErrorCode> PerMember) Leave(string groupId, IReadOnlyList<(string MemberId, string? InstanceId)> leaving)
    {
        lock (_lock)
        {
            var now = Now;
            if (!_groups.TryGetValue(groupId, out var group))
            {
                return (ErrorCode.UnknownMemberId, [.. leaving.Select(_ => ErrorCode.UnknownMemberId)]);
            }
            if (group.State == GroupState.Dead)
            {
                return (ErrorCode.CoordinatorNotAvailable, [.. leaving.Select(_ => ErrorCode.CoordinatorNotAvailable)]);
            }
            var results = new List<ErrorCode>(leaving.Count);
            foreach (var (memberId, instanceId) in leaving)
            {
                if (instanceId is not null)
                {
                    var staticId = group.StaticMemberId(instanceId);
                    if (staticId is null)
                    {
                        results.Add(ErrorCode.UnknownMemberId);
                    }
                    else if (memberId.Length > 0 && memberId != staticId)
                    {
                        results.Add(ErrorCode.FencedInstanceId);
                    }
                    else
                    {
                        RemoveMember(group, group.Member(staticId)!, now);
                        results.Add(ErrorCode.None);
                    }
                }
                else if (group.PendingMembers.Remove(memberId))
                {
                    TryCompleteJoin(group, now);
                    results.Add(ErrorCode.None);
                }
                else if (group.Member(memberId) is { } member)
                {
                    RemoveMember(group, member, now);
                    results.Add(ErrorCode.None);
                }
                else
                {
                    results.Add(ErrorCode.UnknownMemberId);
                }
            }
            return (leaving.Count == 1 ? results[0] : ErrorCode.None, results);
        }
    }

    private void RemoveMember(Group group, GroupMember member, long now)
    {
        member.CompleteJoin(JoinGroupResult.Failed(ErrorCode.UnknownMemberId, member.MemberId));
        member.CompleteSync(SyncGroupResult.Failed(ErrorCode.UnknownMemberId));
        group.Remove(member);
        switch (group.State)
        {
            case GroupState.Stable or GroupState.CompletingRebalance:
                PrepareRebalance(group, now);
                break;
            case GroupState.PreparingRebalance:
                TryCompleteJoin(group, now);
                break;
        }
    }

    /// <summary>Expires silent members and pending member ids, and ends join and sync phases whose time is up.</summary>
    public void Tick()
    {
        lock (_lock)
        {
            var now = Now;
            foreach (var group in _groups.Values.ToList())
            {
                if (group.Consumer is { } consumer)
                {
                    ExpireConsumerMembers(consumer, now);
                    continue;
                }
                foreach (var (pendingId, deadline) in group.PendingMembers.ToList())
                {
                    if (deadline <= now)
                    {
                        group.PendingMembers.Remove(pendingId);
                        TryCompleteJoin(group, now);
                    }
                }
                foreach (var member in group.Members.ToList())
                {
                    var waiting = member.AwaitingJoin is not null || member.AwaitingSync is not null;
                    if (!waiting && member.LastHeartbeatMs + member.SessionTimeoutMs <= now && group.Has(member.MemberId))
                    {
                        RemoveMember(group, member, now);
                    }
                }
                if (group.PhaseDeadlineMs <= now)
                {
                    PhaseExpired(group, now);
                }
            }
        }
    }

    private void PhaseExpired(Group group, long now)
    {
        if (group.State == GroupState.PreparingRebalance)
        {
            if (group.InInitialDelay && group.JoinedDuringDelay && group.InitialDelayRemainingMs > 0)
            {
                var extend = Math.Min(settings.InitialRebalanceDelayMs, group.InitialDelayRemainingMs);
                group.InitialDelayRemainingMs -= extend;
                group.JoinedDuringDelay = false;
                group.PhaseDeadlineMs = now + extend;
                return;
            }
            CompleteJoin(group, now);
        }
        else if (group.State == GroupState.CompletingRebalance)
        {
            foreach (var late in group.Members.Where(m => m.AwaitingSync is null).ToList())
            {
                group.Remove(late);
            }
            PrepareRebalance(group, now);
        }
        else
        {
            group.PhaseDeadlineMs = long.MaxValue;
        }
    }
}
