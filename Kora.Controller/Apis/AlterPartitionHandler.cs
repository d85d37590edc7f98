using Kora.Controller.Raft;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Apis;

/// <summary>AlterPartition v0-3 (v2+ topic ids, v3 ISR members with broker epochs) from partition leaders, on the active controller.</summary>
public sealed class AlterPartitionHandler(ControllerRaft raft) : ApiHandler<AlterPartitionRequest, AlterPartitionResponse>
{
    public override short ApiKey => AlterPartitionRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 3;
    protected override short FirstFlexibleVersion => AlterPartitionRequest.LowestFlexibleVersion;

    protected override async ValueTask<AlterPartitionResponse?> HandleAsync(RequestContext context, AlterPartitionRequest request)
    {
        var version = context.Header.ApiVersion;
        var (result, error) = await ControllerCall.RunAsync(raft, (controller, _) => controller.AlterPartition(request, version), 0, context.Aborted)
            .ConfigureAwait(false);
        return result ?? new AlterPartitionResponse { ErrorCode = (short)error };
    }

    protected override void SetError(AlterPartitionResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
