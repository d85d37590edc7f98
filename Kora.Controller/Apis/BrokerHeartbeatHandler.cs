using System.Runtime.CompilerServices;
using Kora.Controller.Raft;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Apis;

/// <summary>
/// BrokerHeartbeat v0-1: renews the broker's lease (<c>broker.session.timeout.ms</c>) and moves it between
/// fenced, unfenced and controlled shutdown (see <see cref="Quorum.QuorumController.Heartbeat"/>). The
/// connection a heartbeat came on is watched: its closing tells the controller at once that the broker
/// may have died (see <see cref="Quorum.QuorumController.HeartbeatConnectionClosed"/>).
/// </summary>
public sealed class BrokerHeartbeatHandler(ControllerRaft raft) : ApiHandler<BrokerHeartbeatRequest, BrokerHeartbeatResponse>
{
    private readonly ConditionalWeakTable<ClientConnection, object> _watched = [];

    public override short ApiKey => BrokerHeartbeatRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;
    protected override short FirstFlexibleVersion => BrokerHeartbeatRequest.LowestFlexibleVersion;

    protected override async ValueTask<BrokerHeartbeatResponse?> HandleAsync(RequestContext context, BrokerHeartbeatRequest request)
    {
        var connection = context.Connection;
        (Quorum.BrokerHeartbeatResult? Result, ErrorCode Error) outcome;
        try
        {
            outcome = await ControllerCall.RunAsync(raft, (controller, now) => controller.Heartbeat(
                request.BrokerId, request.BrokerEpoch, request.CurrentMetadataOffset, request.WantFence, request.WantShutDown, now, connection), 0, context.Aborted).ConfigureAwait(false);
        }
        finally
        {
            // Watched only after the heartbeat reached the loop, so the close is always seen after it.
            Watch(connection);
        }
        var (result, error) = outcome;
        return result is null
            ? new BrokerHeartbeatResponse { ErrorCode = (short)error, IsCaughtUp = false, IsFenced = true, ShouldShutDown = false }
            : new BrokerHeartbeatResponse { ErrorCode = (short)result.Error, IsCaughtUp = result.IsCaughtUp, IsFenced = result.IsFenced, ShouldShutDown = result.ShouldShutDown };
    }

    private void Watch(ClientConnection connection)
    {
        if (_watched.TryAdd(connection, connection))
        {
            connection.Closed.ContinueWith(
                static (_, state) =>
                {
                    var (raft, connection) = ((ControllerRaft, ClientConnection))state!;
                    raft.Post((controller, now) => controller.HeartbeatConnectionClosed(connection, now));
                },
                (raft, connection), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    protected override void SetError(BrokerHeartbeatResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
