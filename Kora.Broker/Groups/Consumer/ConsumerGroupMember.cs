namespace Kora.Broker.Groups.Consumer;

/// <summary>
/// A member of a consumer-protocol group, immutable: every change makes a new one (with <c>with</c>), so the
/// coordinator can compare before and after to decide which records to write. The subscription half is
/// persisted as member metadata, the epoch/state/assignment half as the current member assignment.
/// </summary>
public sealed record ConsumerGroupMember(string MemberId)
{
    public string? InstanceId { get; init; }
    public string? RackId { get; init; }
    public int RebalanceTimeoutMs { get; init; } = -1;
    public string ClientId { get; init; } = "";
    public string ClientHost { get; init; } = "";
    public IReadOnlyList<string> SubscribedTopicNames { get; init; } = [];
    public string? SubscribedTopicRegex { get; init; }
    public string? ServerAssignor { get; init; }

    public int MemberEpoch { get; init; }
    public int PreviousMemberEpoch { get; init; } = -1;
    public MemberState State { get; init; } = MemberState.Stable;
    public Assignment Assigned { get; init; } = Assignment.Empty;
    public Assignment PendingRevocation { get; init; } = Assignment.Empty;

    public bool IsReconciledTo(int targetAssignmentEpoch) => State == MemberState.Stable && MemberEpoch == targetAssignmentEpoch;

    /// <summary>Moves to a new epoch, remembering the old one (a heartbeat may still arrive with it).</summary>
    public ConsumerGroupMember AtEpoch(int epoch) => this with { PreviousMemberEpoch = MemberEpoch, MemberEpoch = epoch };

    public bool SameTopicNames(ConsumerGroupMember other) => SubscribedTopicNames.SequenceEqual(other.SubscribedTopicNames, StringComparer.Ordinal);

    /// <summary>Whether the persisted subscription half differs (what the member metadata record carries).</summary>
    public bool SameMetadata(ConsumerGroupMember other) =>
        InstanceId == other.InstanceId && RackId == other.RackId && RebalanceTimeoutMs == other.RebalanceTimeoutMs
        && ClientId == other.ClientId && ClientHost == other.ClientHost && SubscribedTopicRegex == other.SubscribedTopicRegex
        && ServerAssignor == other.ServerAssignor && SameTopicNames(other);

    /// <summary>Whether the persisted assignment half differs (what the current member assignment record carries).</summary>
    public bool SameAssignmentState(ConsumerGroupMember other) =>
        MemberEpoch == other.MemberEpoch && PreviousMemberEpoch == other.PreviousMemberEpoch && State == other.State
        && Assigned.Equals(other.Assigned) && PendingRevocation.Equals(other.PendingRevocation);
}
