using Kora.Controller.Raft;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Apis;

/// <summary>AlterPartitionReassignments v0 on the active controller; brokers forward it here.</summary>
public sealed class AlterPartitionReassignmentsHandler(ControllerRaft raft) : ApiHandler<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>
{
    public override short ApiKey => AlterPartitionReassignmentsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;
    protected override short FirstFlexibleVersion => AlterPartitionReassignmentsRequest.LowestFlexibleVersion;

    protected override async ValueTask<AlterPartitionReassignmentsResponse?> HandleAsync(RequestContext context, AlterPartitionReassignmentsRequest request)
    {
        var (result, error) = await ControllerCall.RunAsync(raft, (controller, _) => controller.AlterPartitionReassignments(request), request.TimeoutMs, context.Aborted)
            .ConfigureAwait(false);
        return result ?? new AlterPartitionReassignmentsResponse { ErrorCode = (short)error };
    }

    protected override void SetError(AlterPartitionReassignmentsResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
