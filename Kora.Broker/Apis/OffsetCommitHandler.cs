using Kora.Broker.Coordinators;
using Kora.Broker.Groups;
using Kora.Broker.Metadata;
using Kora.Broker.Tenancy;
using Kora.Metadata;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>
/// OffsetCommit v0-9: stores offsets with metadata, leader epoch (v6+) and commit time. Group commits are
/// checked against member and generation (member epoch for consumer-protocol groups, v9); generation -1 on an
/// empty or unknown group is a standalone commit.
/// Unknown partitions get UNKNOWN_TOPIC_OR_PARTITION, oversized metadata OFFSET_METADATA_TOO_LARGE.
/// The response waits for the commit's fsync, so an acknowledged offset survives a crash.
/// </summary>
public sealed class OffsetCommitHandler(GroupCoordinator coordinator, ConsumerOffsetsLog offsetsLog, TopicAdmin admin, IResourceNames names, TimeProvider time)
    : ApiHandler<OffsetCommitRequest, OffsetCommitResponse>
{
    public override short ApiKey => OffsetCommitRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 9;
    protected override short FirstFlexibleVersion => OffsetCommitRequest.LowestFlexibleVersion;

    protected override async ValueTask<OffsetCommitResponse?> HandleAsync(RequestContext context, OffsetCommitRequest request)
    {
        var ready = await offsetsLog.EnsureTopicAsync(context.Aborted).ConfigureAwait(false);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var image = admin.Image;
        var response = new OffsetCommitResponse();
        var accepted = new List<(TopicPartitionKey, CommittedOffset)>();
        var results = new List<(OffsetCommitResponse.OffsetCommitResponsePartition Result, bool Pending)>();
        foreach (var topic in request.Topics)
        {
            var internalName = names.ToInternal(context.Connection, ResourceKind.Topic, topic.Name);
            var topicImage = image.Topic(internalName);
            var topicResponse = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (var p in topic.Partitions)
            {
                var result = new OffsetCommitResponse.OffsetCommitResponsePartition { PartitionIndex = p.PartitionIndex };
                topicResponse.Partitions.Add(result);
                var check = OffsetCommitChecks.Check(topicImage, p.PartitionIndex, p.CommittedMetadata, coordinator.Settings.MaxMetadataBytes);
                if (check != ErrorCode.None)
                {
                    result.ErrorCode = (short)check;
                    continue;
                }
                var timestamp = context.Version == 1 && p.CommitTimestamp >= 0 ? p.CommitTimestamp : now;
                accepted.Add((new TopicPartitionKey(internalName, p.PartitionIndex), new CommittedOffset(p.CommittedOffset, p.CommittedLeaderEpoch, p.CommittedMetadata, timestamp)));
                results.Add((result, true));
            }
        }
        var groupId = names.ToInternal(context.Connection, ResourceKind.Group, request.GroupId);
        OffsetWrite write = default;
        var error = !ready ? ErrorCode.CoordinatorNotAvailable
            : offsetsLog.CoordinatorError(groupId) is not ErrorCode.None and var notCoordinator ? notCoordinator
            : accepted.Count > 0 && offsetsLog.CheckWritable(groupId) is not ErrorCode.None and var unwritable ? CoordinatorWriteErrors.ForOffsetCommit(unwritable)
            : coordinator.Commit(groupId,
                context.Version >= 1 ? request.GenerationIdOrMemberEpoch : -1, context.Version >= 1 ? request.MemberId : "", request.GroupInstanceId, accepted, context.Version,
                out write);
        if (error == ErrorCode.None && accepted.Count > 0)
        {
            // Answered, and made visible to OffsetFetch, once the commit is on every in-sync replica, so losing this
            // broker loses no offset anyone has seen.
            // Not cancelled with the request: the write's outcome is the same whether or not the client still waits
            // for it (offsets.commit.timeout.ms bounds the wait).
            var written = await offsetsLog.AwaitWrittenAsync(groupId, CancellationToken.None).ConfigureAwait(false);
            coordinator.CompleteCommit(groupId, accepted, write, written == ErrorCode.None);
            error = CoordinatorWriteErrors.ForOffsetCommit(written);
        }
        foreach (var (result, _) in results)
        {
            result.ErrorCode = (short)error;
        }
        return response;
    }
}
