using Kora.Protocol.Primitives;

namespace Kora.Broker.Groups.Consumer;

/// <summary>A consumer group as ConsumerGroupDescribe reports it, or the error for a group that is not one.</summary>
public sealed record ConsumerGroupDescription(
    string GroupId,
    ErrorCode Error,
    string? ErrorMessage,
    ConsumerGroupState State,
    int GroupEpoch,
    int AssignmentEpoch,
    string AssignorName,
    IReadOnlyList<DescribedConsumerMember> Members);
