using Kora.Controller.Raft;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Apis;

/// <summary>AllocateProducerIds v0: the next block of 1000 producer ids for a registered broker of the current epoch.</summary>
public sealed class AllocateProducerIdsHandler(ControllerRaft raft) : ApiHandler<AllocateProducerIdsRequest, AllocateProducerIdsResponse>
{
    public override short ApiKey => AllocateProducerIdsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;
    protected override short FirstFlexibleVersion => AllocateProducerIdsRequest.LowestFlexibleVersion;

    protected override async ValueTask<AllocateProducerIdsResponse?> HandleAsync(RequestContext context, AllocateProducerIdsRequest request)
    {
        var (result, error) = await ControllerCall.RunAsync(raft, (controller, _) => controller.AllocateProducerIds(request.BrokerId, request.BrokerEpoch), 0, context.Aborted)
            .ConfigureAwait(false);
        return result is null
            ? new AllocateProducerIdsResponse { ErrorCode = (short)error, ProducerIdStart = -1, ProducerIdLen = 0 }
            : new AllocateProducerIdsResponse { ErrorCode = (short)result.Error, ProducerIdStart = result.Start, ProducerIdLen = result.Length };
    }

    protected override void SetError(AllocateProducerIdsResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
