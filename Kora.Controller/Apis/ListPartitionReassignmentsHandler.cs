using Kora.Controller.Raft;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Apis;

/// <summary>ListPartitionReassignments v0 on the active controller; brokers forward it here.</summary>
public sealed class ListPartitionReassignmentsHandler(ControllerRaft raft) : ApiHandler<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>
{
    public override short ApiKey => ListPartitionReassignmentsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;
    protected override short FirstFlexibleVersion => ListPartitionReassignmentsRequest.LowestFlexibleVersion;

    protected override async ValueTask<ListPartitionReassignmentsResponse?> HandleAsync(RequestContext context, ListPartitionReassignmentsRequest request)
    {
        var (result, error) = await ControllerCall.RunAsync(raft, (controller, _) => controller.ListPartitionReassignments(request), request.TimeoutMs, context.Aborted)
            .ConfigureAwait(false);
        return result ?? new ListPartitionReassignmentsResponse { ErrorCode = (short)error };
    }

    protected override void SetError(ListPartitionReassignmentsResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
