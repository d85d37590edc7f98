namespace Kora.Broker.Groups;

/// <summary>The group metadata record's value: the group after a completed rebalance.</summary>
public sealed record StoredGroup(string ProtocolType, int GenerationId, string? ProtocolName, string? LeaderId, long StateTimestampMs, IReadOnlyList<StoredMember> Members);

/// <summary>A member inside <see cref="StoredGroup"/>.</summary>
public sealed record StoredMember(
    string MemberId, string? GroupInstanceId, string ClientId, string ClientHost,
    int RebalanceTimeoutMs, int SessionTimeoutMs, byte[] Subscription, byte[] Assignment);
