using Kora.Broker.Network;
using Kora.Broker.Transactions;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>
/// InitProducerId v0-5. Without a transactional id every call gets a fresh producer id at epoch 0, as
/// Kafka's coordinator does: an idempotent producer that lost its sequence state starts over under a new
/// id rather than bumping an epoch no other instance could be fenced by.
/// </summary>
public sealed class InitProducerIdHandler(ProducerIdManager producerIds) : ApiHandler<InitProducerIdRequest, InitProducerIdResponse>
{
    public override short ApiKey => InitProducerIdRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;
    protected override short FirstFlexibleVersion => InitProducerIdRequest.LowestFlexibleVersion;

    protected override async ValueTask<InitProducerIdResponse?> HandleAsync(RequestContext context, InitProducerIdRequest request)
    {
        if (request.TransactionalId is not null)
        {
            return new InitProducerIdResponse { ErrorCode = (short)ErrorCode.CoordinatorNotAvailable };
        }
        var producerId = await producerIds.NextAsync(context.Aborted).ConfigureAwait(false);
        return new InitProducerIdResponse { ProducerId = producerId, ProducerEpoch = 0 };
    }

    protected override void SetError(InitProducerIdResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
