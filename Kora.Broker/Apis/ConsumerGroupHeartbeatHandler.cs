using Kora.Broker.Groups;
using Kora.Broker.Groups.Consumer;
using Kora.Broker.Tenancy;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>
/// ConsumerGroupHeartbeat v0-1 (KIP-848): joins, heartbeats in and leaves a consumer-protocol group; the broker
/// computes the assignment. v0 lets the coordinator pick the member id; v1 requires the member's own and adds
/// SubscribedTopicRegex.
/// </summary>
public sealed class ConsumerGroupHeartbeatHandler(GroupCoordinator coordinator, ConsumerOffsetsLog offsetsLog, IResourceNames names)
    : ApiHandler<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>
{
    public override short ApiKey => ConsumerGroupHeartbeatRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;
    protected override short FirstFlexibleVersion => ConsumerGroupHeartbeatRequest.LowestFlexibleVersion;

    protected override async ValueTask<ConsumerGroupHeartbeatResponse?> HandleAsync(RequestContext context, ConsumerGroupHeartbeatRequest request)
    {
        if (!await offsetsLog.EnsureTopicAsync(context.Aborted).ConfigureAwait(false))
        {
            return new ConsumerGroupHeartbeatResponse { ErrorCode = (short)ErrorCode.CoordinatorNotAvailable };
        }
        if (offsetsLog.CoordinatorError(names.ToInternal(context.Connection, ResourceKind.Group, request.GroupId)) is not ErrorCode.None and var notCoordinator)
        {
            return new ConsumerGroupHeartbeatResponse { ErrorCode = (short)notCoordinator };
        }
        var args = new ConsumerHeartbeatArgs(
            names.ToInternal(context.Connection, ResourceKind.Group, request.GroupId),
            request.MemberId,
            request.MemberEpoch,
            request.InstanceId,
            request.RackId,
            request.RebalanceTimeoutMs,
            request.SubscribedTopicNames?.Select(n => names.ToInternal(context.Connection, ResourceKind.Topic, n)).ToList(),
            context.Version >= 1 ? request.SubscribedTopicRegex : null,
            request.ServerAssignor,
            request.TopicPartitions?.Select(t => new OwnedTopicPartitions(t.TopicId, t.Partitions)).ToList(),
            context.Header.ClientId ?? "",
            JoinGroupHandler.ClientHost(context.Connection),
            context.Version);
        var result = coordinator.ConsumerGroupHeartbeat(args);
        return new ConsumerGroupHeartbeatResponse
        {
            ErrorCode = (short)result.Error,
            ErrorMessage = result.ErrorMessage,
            MemberId = result.MemberId,
            MemberEpoch = result.MemberEpoch,
            HeartbeatIntervalMs = result.HeartbeatIntervalMs,
            Assignment = result.Assignment is { } assignment
                ? new ConsumerGroupHeartbeatResponse.AssignmentData
                {
                    TopicPartitions = [.. assignment.Topics.Select(t => new ConsumerGroupHeartbeatResponse.TopicPartitions
                    {
                        TopicId = t.Key,
                        Partitions = [.. t.Value],
                    })],
                }
                : null,
        };
    }

    protected override void SetError(ConsumerGroupHeartbeatResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
