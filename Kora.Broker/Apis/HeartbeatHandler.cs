using Kora.Broker.Groups;
using Kora.Broker.Tenancy;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>Heartbeat v0-4: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.</summary>
public sealed class HeartbeatHandler(GroupCoordinator coordinator, ConsumerOffsetsLog offsetsLog, IResourceNames names) : ApiHandler<HeartbeatRequest, HeartbeatResponse>
{
    public override short ApiKey => HeartbeatRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;
    protected override short FirstFlexibleVersion => HeartbeatRequest.LowestFlexibleVersion;

    protected override ValueTask<HeartbeatResponse?> HandleAsync(RequestContext context, HeartbeatRequest request)
    {
        var groupId = names.ToInternal(context.Connection, ResourceKind.Group, request.GroupId);
        var error = offsetsLog.CoordinatorError(groupId);
        if (error == ErrorCode.None)
        {
            error = coordinator.Heartbeat(groupId, request.MemberId, request.GroupInstanceId, request.GenerationId);
        }
        return ValueTask.FromResult<HeartbeatResponse?>(new HeartbeatResponse { ErrorCode = (short)error });
    }

    protected override void SetError(HeartbeatResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
