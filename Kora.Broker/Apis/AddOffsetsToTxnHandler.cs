using Kora.Broker.Groups;
using Kora.Broker.Tenancy;
using Kora.Broker.Transactions;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>
/// AddOffsetsToTxn v0-4: adds the group's <c>__consumer_offsets</c> partition to the producer's transaction, so
/// its transactional offset commits get the transaction's marker. Before v2, PRODUCER_FENCED is reported as
/// INVALID_PRODUCER_EPOCH.
/// </summary>
public sealed class AddOffsetsToTxnHandler(TransactionCoordinator transactions, ConsumerOffsetsLog offsetsLog, IResourceNames names)
    : ApiHandler<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>
{
    public override short ApiKey => AddOffsetsToTxnRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;
    protected override short FirstFlexibleVersion => AddOffsetsToTxnRequest.LowestFlexibleVersion;

    protected override async ValueTask<AddOffsetsToTxnResponse?> HandleAsync(RequestContext context, AddOffsetsToTxnRequest request)
    {
        if (!await offsetsLog.EnsureTopicAsync(context.Aborted).ConfigureAwait(false))
        {
            return new AddOffsetsToTxnResponse { ErrorCode = (short)ErrorCode.CoordinatorNotAvailable };
        }
        var group = names.ToInternal(context.Connection, ResourceKind.Group, request.GroupId);
        var transactionalId = request.TransactionalId.Length == 0 ? "" : names.ToInternal(context.Connection, ResourceKind.TransactionalId, request.TransactionalId);
        var partition = new TopicPartitionKey(ConsumerOffsetsLog.TopicName, offsetsLog.PartitionFor(group));
        var error = await transactions.AddPartitionsAsync(transactionalId, request.ProducerId, request.ProducerEpoch, [partition]).ConfigureAwait(false);
        if (error == ErrorCode.ProducerFenced && context.Version < 2)
        {
            error = ErrorCode.InvalidProducerEpoch;
        }
        return new AddOffsetsToTxnResponse { ErrorCode = (short)error };
    }

    protected override void SetError(AddOffsetsToTxnResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
