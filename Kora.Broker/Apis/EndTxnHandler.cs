using Kora.Broker.Tenancy;
using Kora.Broker.Transactions;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>
/// EndTxn v0-5: commits or aborts the producer's transaction. Answered once the decision is durable; markers
/// follow in the background. Before v2, PRODUCER_FENCED is reported as INVALID_PRODUCER_EPOCH. v5 echoes the
/// producer id and epoch (unchanged: this coordinator does not bump epochs per transaction).
/// </summary>
public sealed class EndTxnHandler(TransactionCoordinator transactions, IResourceNames names) : ApiHandler<EndTxnRequest, EndTxnResponse>
{
    public override short ApiKey => EndTxnRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;
    protected override short FirstFlexibleVersion => EndTxnRequest.LowestFlexibleVersion;

    protected override async ValueTask<EndTxnResponse?> HandleAsync(RequestContext context, EndTxnRequest request)
    {
        var transactionalId = request.TransactionalId.Length == 0 ? "" : names.ToInternal(context.Connection, ResourceKind.TransactionalId, request.TransactionalId);
        var error = await transactions.EndTransactionAsync(transactionalId, request.ProducerId, request.ProducerEpoch, request.Committed).ConfigureAwait(false);
        if (error == ErrorCode.ProducerFenced && context.Version < 2)
        {
            error = ErrorCode.InvalidProducerEpoch;
        }
        var ok = error == ErrorCode.None;
        return new EndTxnResponse
        {
            ErrorCode = (short)error,
            ProducerId = ok ? request.ProducerId : -1,
            ProducerEpoch = ok ? request.ProducerEpoch : (short)-1,
        };
    }

    protected override void SetError(EndTxnResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
