using Kora.Broker.Tenancy;
using Kora.Broker.Transactions;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>
/// InitProducerId v0-5. Without a transactional id every call gets a fresh producer id at epoch 0, as
/// Kafka's coordinator does: an idempotent producer that lost its sequence state starts over under a new
/// id rather than bumping an epoch no other instance could be fenced by. With one, the transaction
/// coordinator assigns or bumps the id's epoch (v3+ may name the producer id and epoch held, KIP-360);
/// clients before v4 get INVALID_PRODUCER_EPOCH where newer ones get PRODUCER_FENCED.
/// </summary>
public sealed class InitProducerIdHandler(ProducerIdManager producerIds, TransactionCoordinator transactions, IResourceNames names)
    : ApiHandler<InitProducerIdRequest, InitProducerIdResponse>
{
    public override short ApiKey => InitProducerIdRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;
    protected override short FirstFlexibleVersion => InitProducerIdRequest.LowestFlexibleVersion;

    protected override async ValueTask<InitProducerIdResponse?> HandleAsync(RequestContext context, InitProducerIdRequest request)
    {
        if (request.TransactionalId is null)
        {
            var producerId = await producerIds.NextAsync(context.Aborted).ConfigureAwait(false);
            return new InitProducerIdResponse { ProducerId = producerId, ProducerEpoch = 0 };
        }
        (long, short)? expected = null;
        if (context.Version >= 3 && (request.ProducerId != -1 || request.ProducerEpoch != -1))
        {
            if (request.ProducerId == -1 || request.ProducerEpoch == -1)
            {
                return Failed(ErrorCode.InvalidRequest);
            }
            expected = (request.ProducerId, request.ProducerEpoch);
        }
        var transactionalId = request.TransactionalId.Length == 0 ? "" : names.ToInternal(context.Connection, ResourceKind.TransactionalId, request.TransactionalId);
        var result = await transactions.InitProducerIdAsync(transactionalId, request.TransactionTimeoutMs, expected, context.Aborted).ConfigureAwait(false);
        if (result.Error != ErrorCode.None)
        {
            return Failed(result.Error == ErrorCode.ProducerFenced && context.Version < 4 ? ErrorCode.InvalidProducerEpoch : result.Error);
        }
        return new InitProducerIdResponse { ProducerId = result.ProducerId, ProducerEpoch = result.ProducerEpoch };
    }

    private static InitProducerIdResponse Failed(ErrorCode error) => new() { ErrorCode = (short)error, ProducerId = -1, ProducerEpoch = -1 };

    protected override void SetError(InitProducerIdResponse response, ErrorCode error)
    {
        response.ErrorCode = (short)error;
        response.ProducerId = -1;
        response.ProducerEpoch = -1;
    }
}
