using Kora.Broker.Coordinators;
using Kora.Broker.Groups;
using Kora.Broker.Metadata;
using Kora.Broker.Tenancy;
using Kora.Broker.Transactions;
using Kora.Metadata;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>
/// TxnOffsetCommit v0-4: offsets committed inside the producer's transaction. They are written to
/// <c>__consumer_offsets</c> as the producer's transactional batch and stay invisible to OffsetFetch until
/// the COMMIT marker. The producer must hold the transactional id's current epoch with the group's offsets
/// partition in its transaction; member and generation (v3+) are checked only when given. Answered once fsynced.
/// </summary>
public sealed class TxnOffsetCommitHandler(
    GroupCoordinator groups, TransactionCoordinator transactions, ConsumerOffsetsLog offsetsLog, TopicAdmin admin, IResourceNames names, TimeProvider time)
    : ApiHandler<TxnOffsetCommitRequest, TxnOffsetCommitResponse>
{
    public override short ApiKey => TxnOffsetCommitRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;
    protected override short FirstFlexibleVersion => TxnOffsetCommitRequest.LowestFlexibleVersion;

    protected override async ValueTask<TxnOffsetCommitResponse?> HandleAsync(RequestContext context, TxnOffsetCommitRequest request)
    {
        var ready = await offsetsLog.EnsureTopicAsync(context.Aborted).ConfigureAwait(false);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var image = admin.Image;
        var response = new TxnOffsetCommitResponse();
        var accepted = new List<(TopicPartitionKey, CommittedOffset)>();
        var pending = new List<TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition>();
        foreach (var topic in request.Topics)
        {
            var internalName = names.ToInternal(context.Connection, ResourceKind.Topic, topic.Name);
            var topicImage = image.Topic(internalName);
            var topicResponse = new TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (var p in topic.Partitions)
            {
                var result = new TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition { PartitionIndex = p.PartitionIndex };
                topicResponse.Partitions.Add(result);
                var check = OffsetCommitChecks.Check(topicImage, p.PartitionIndex, p.CommittedMetadata, groups.Settings.MaxMetadataBytes);
                if (check != ErrorCode.None)
                {
                    result.ErrorCode = (short)check;
                    continue;
                }
                accepted.Add((new TopicPartitionKey(internalName, p.PartitionIndex), new CommittedOffset(p.CommittedOffset, p.CommittedLeaderEpoch, p.CommittedMetadata, now)));
                pending.Add(result);
            }
        }
        var error = Commit(context, request, ready, accepted);
        if (error == ErrorCode.None && accepted.Count > 0)
        {
            // Like OffsetCommit: answered only once every in-sync replica holds the transactional offsets.
            var written = await offsetsLog.AwaitWrittenAsync(names.ToInternal(context.Connection, ResourceKind.Group, request.GroupId), context.Aborted).ConfigureAwait(false);
            error = CoordinatorWriteErrors.ForOffsetCommit(written);
        }
        foreach (var result in pending)
        {
            result.ErrorCode = (short)error;
        }
        return response;
    }

    private ErrorCode Commit(RequestContext context, TxnOffsetCommitRequest request, bool ready, List<(TopicPartitionKey, CommittedOffset)> offsets)
    {
        if (string.IsNullOrEmpty(request.GroupId))
        {
            return ErrorCode.InvalidGroupId;
        }
        if (!ready)
        {
            return ErrorCode.CoordinatorNotAvailable;
        }
        var group = names.ToInternal(context.Connection, ResourceKind.Group, request.GroupId);
        var transactionalId = request.TransactionalId.Length == 0 ? "" : names.ToInternal(context.Connection, ResourceKind.TransactionalId, request.TransactionalId);
        var offsetsPartition = new TopicPartitionKey(ConsumerOffsetsLog.TopicName, offsetsLog.PartitionFor(group));
        var error = transactions.ValidateOffsetCommit(transactionalId, request.ProducerId, request.ProducerEpoch, offsetsPartition);
        if (error != ErrorCode.None)
        {
            return error;
        }
        if (offsets.Count > 0 && offsetsLog.CheckWritable(group) is not ErrorCode.None and var unwritable)
        {
            return CoordinatorWriteErrors.ForOffsetCommit(unwritable);
        }
        var generation = context.Version >= 3 ? request.GenerationId : -1;
        var member = context.Version >= 3 ? request.MemberId : "";
        return groups.CommitTransactional(group, request.ProducerId, request.ProducerEpoch, generation, member, request.GroupInstanceId, offsets);
    }
}
