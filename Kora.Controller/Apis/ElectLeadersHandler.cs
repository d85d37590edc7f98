using Kora.Controller.Partitions;
using Kora.Controller.Raft;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Apis;

/// <summary>ElectLeaders v0-2 (v0 is always a preferred election) on the active controller; brokers forward it here.</summary>
public sealed class ElectLeadersHandler(ControllerRaft raft) : ApiHandler<ElectLeadersRequest, ElectLeadersResponse>
{
    public override short ApiKey => ElectLeadersRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;
    protected override short FirstFlexibleVersion => ElectLeadersRequest.LowestFlexibleVersion;

    protected override async ValueTask<ElectLeadersResponse?> HandleAsync(RequestContext context, ElectLeadersRequest request)
    {
        if (context.Header.ApiVersion == 0)
        {
            request.ElectionType = LeaderElections.Preferred;
        }
        var (result, error) = await ControllerCall.RunAsync(raft, (controller, _) => controller.ElectLeaders(request), request.TimeoutMs, context.Aborted)
            .ConfigureAwait(false);
        return result ?? LeaderElections.Failed(request, error, null);
    }

    protected override void SetError(ElectLeadersResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
