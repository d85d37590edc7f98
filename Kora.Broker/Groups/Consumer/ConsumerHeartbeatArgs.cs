namespace Kora.Broker.Groups.Consumer;

/// <summary>
/// A ConsumerGroupHeartbeat request with internal names. Nullable fields are null when the member did not send
/// them because they did not change; <see cref="RebalanceTimeoutMs"/> is -1 then.
/// </summary>
public sealed record ConsumerHeartbeatArgs(
    string GroupId,
    string MemberId,
    int MemberEpoch,
    string? InstanceId,
    string? RackId,
    int RebalanceTimeoutMs,
    IReadOnlyList<string>? SubscribedTopicNames,
    string? SubscribedTopicRegex,
    string? ServerAssignor,
    IReadOnlyList<OwnedTopicPartitions>? OwnedPartitions,
    string ClientId,
    string ClientHost,
    short Version);
