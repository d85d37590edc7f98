using Kora.Controller.Raft;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Apis;

/// <summary>
/// BrokerHeartbeat v0-1: renews the broker's lease (<c>broker.session.timeout.ms</c>) and moves it between
/// fenced, unfenced and controlled shutdown (see <see cref="Quorum.QuorumController.Heartbeat"/>).
/// </summary>
public sealed class BrokerHeartbeatHandler(ControllerRaft raft) : ApiHandler<BrokerHeartbeatRequest, BrokerHeartbeatResponse>
{
    public override short ApiKey => BrokerHeartbeatRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;
    protected override short FirstFlexibleVersion => BrokerHeartbeatRequest.LowestFlexibleVersion;

    protected override async ValueTask<BrokerHeartbeatResponse?> HandleAsync(RequestContext context, BrokerHeartbeatRequest request)
    {
        var (result, error) = await ControllerCall.RunAsync(raft, (controller, now) => controller.Heartbeat(
            request.BrokerId, request.BrokerEpoch, request.CurrentMetadataOffset, request.WantFence, request.WantShutDown, now), 0, context.Aborted).ConfigureAwait(false);
        return result is null
            ? new BrokerHeartbeatResponse { ErrorCode = (short)error, IsCaughtUp = false, IsFenced = true, ShouldShutDown = false }
            : new BrokerHeartbeatResponse { ErrorCode = (short)result.Error, IsCaughtUp = result.IsCaughtUp, IsFenced = result.IsFenced, ShouldShutDown = result.ShouldShutDown };
    }

    protected override void SetError(BrokerHeartbeatResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
