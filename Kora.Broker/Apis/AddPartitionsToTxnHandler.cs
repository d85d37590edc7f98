using Kora.Broker.Groups;
using Kora.Broker.Metadata;
using Kora.Broker.Tenancy;
using Kora.Broker.Transactions;
using Kora.Metadata;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using static Kora.Protocol.Messages.AddPartitionsToTxnResponse;

namespace Kora.Broker.Apis;

/// <summary>
/// AddPartitionsToTxn v0-5. v0-3 (clients): one transaction; partitions of unknown topics get
/// UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED, else the coordinator's answer applies to
/// every partition (PRODUCER_FENCED as INVALID_PRODUCER_EPOCH before v2). v4+ (brokers, KIP-890): a batch of
/// transactions, each either added or, with VerifyOnly, checked to be in the transaction already.
/// </summary>
public sealed class AddPartitionsToTxnHandler(TransactionCoordinator transactions, TopicAdmin admin, IResourceNames names)
    : ApiHandler<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>
{
    public override short ApiKey => AddPartitionsToTxnRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;
    protected override short FirstFlexibleVersion => AddPartitionsToTxnRequest.LowestFlexibleVersion;

    protected override async ValueTask<AddPartitionsToTxnResponse?> HandleAsync(RequestContext context, AddPartitionsToTxnRequest request)
    {
        var response = new AddPartitionsToTxnResponse();
        if (context.Version < 4)
        {
            response.ResultsByTopicV3AndBelow = await HandleOneAsync(context, request.V3AndBelowTransactionalId, request.V3AndBelowProducerId,
                request.V3AndBelowProducerEpoch, request.V3AndBelowTopics, verifyOnly: false).ConfigureAwait(false);
            return response;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var transaction in request.Transactions)
        {
            if (!seen.Add(transaction.TransactionalId))
            {
                return new AddPartitionsToTxnResponse { ErrorCode = (short)ErrorCode.InvalidRequest };
            }
            response.ResultsByTransaction.Add(new AddPartitionsToTxnResult
            {
                TransactionalId = transaction.TransactionalId,
                TopicResults = await HandleOneAsync(context, transaction.TransactionalId, transaction.ProducerId, transaction.ProducerEpoch,
                    transaction.Topics, transaction.VerifyOnly).ConfigureAwait(false),
            });
        }
        return response;
    }

    private async ValueTask<List<AddPartitionsToTxnTopicResult>> HandleOneAsync(RequestContext context, string transactionalId, long producerId, short producerEpoch,
        List<AddPartitionsToTxnRequest.AddPartitionsToTxnTopic> topics, bool verifyOnly)
    {
        var image = admin.Image;
        var partitions = new List<(string External, TopicPartitionKey Key)>();
        var unknown = new HashSet<(string, int)>();
        foreach (var topic in topics)
        {
            var internalName = names.ToInternal(context.Connection, ResourceKind.Topic, topic.Name);
            var topicImage = image.Topic(internalName);
            foreach (var p in topic.Partitions)
            {
                if (topicImage is null || p < 0 || p >= topicImage.Partitions.Length)
                {
                    unknown.Add((topic.Name, p));
                }
                partitions.Add((topic.Name, new TopicPartitionKey(internalName, p)));
            }
        }
        var id = transactionalId.Length == 0 ? "" : names.ToInternal(context.Connection, ResourceKind.TransactionalId, transactionalId);
        Func<string, TopicPartitionKey, ErrorCode> errorOf;
        if (unknown.Count > 0)
        {
            errorOf = (external, key) => unknown.Contains((external, key.Partition)) ? ErrorCode.UnknownTopicOrPartition : ErrorCode.OperationNotAttempted;
        }
        else if (verifyOnly)
        {
            var notInTransaction = context.Version >= 5 ? ErrorCode.TransactionAbortable : ErrorCode.InvalidTxnState;
            var (error, perPartition) = transactions.VerifyPartitions(id, producerId, producerEpoch, [.. partitions.Select(p => p.Key)], notInTransaction);
            errorOf = (_, key) => error != ErrorCode.None ? error : perPartition[key];
        }
        else
        {
            var error = await transactions.AddPartitionsAsync(id, producerId, producerEpoch, [.. partitions.Select(p => p.Key).Distinct()]).ConfigureAwait(false);
            if (error == ErrorCode.ProducerFenced && context.Version < 2)
            {
                error = ErrorCode.InvalidProducerEpoch;
            }
            errorOf = (_, _) => error;
        }
        var results = new List<AddPartitionsToTxnTopicResult>();
        foreach (var group in partitions.GroupBy(p => p.External, StringComparer.Ordinal))
        {
            results.Add(new AddPartitionsToTxnTopicResult
            {
                Name = group.Key,
                ResultsByPartition = [.. group.Select(p => new AddPartitionsToTxnPartitionResult
                {
                    PartitionIndex = p.Key.Partition,
                    PartitionErrorCode = (short)errorOf(p.External, p.Key),
                })],
            });
        }
        return results;
    }

    protected override void SetError(AddPartitionsToTxnResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
