using Kora.Broker.Partitions;
using Kora.Broker.Tenancy;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Storage.Epochs;

namespace Kora.Broker.Apis;

/// <summary>
/// OffsetForLeaderEpoch v0-4 (flexible from v4), answered by the leader only: for each partition, the largest
/// leader epoch at or below the requested one and the offset where it ends (the log end for the current
/// epoch), from the leader-epoch cache; (-1, -1) for an epoch above any known. current_leader_epoch (v2+)
/// is checked as Fetch does: newer than the leader's is UNKNOWN_LEADER_EPOCH, older FENCED_LEADER_EPOCH.
/// A partition led elsewhere is NOT_LEADER_OR_FOLLOWER, an unknown one UNKNOWN_TOPIC_OR_PARTITION.
/// </summary>
public sealed class OffsetForLeaderEpochHandler(PartitionManager partitions, IResourceNames names)
    : ApiHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>
{
    public override short ApiKey => OffsetForLeaderEpochRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;
    protected override short FirstFlexibleVersion => OffsetForLeaderEpochRequest.LowestFlexibleVersion;

    protected override ValueTask<OffsetForLeaderEpochResponse?> HandleAsync(RequestContext context, OffsetForLeaderEpochRequest request)
    {
        var response = new OffsetForLeaderEpochResponse();
        foreach (var topic in request.Topics)
        {
            var name = names.ToInternal(context.Connection, ResourceKind.Topic, topic.Topic);
            var result = new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult { Topic = topic.Topic };
            response.Topics.Add(result);
            foreach (var p in topic.Partitions)
            {
                result.Partitions.Add(Lookup(partitions.GetLed(name, p.Partition, out var notLed), notLed, p));
            }
        }
        return ValueTask.FromResult<OffsetForLeaderEpochResponse?>(response);
    }

    public static OffsetForLeaderEpochResponse.EpochEndOffset Lookup(Partition? partition, ErrorCode notLed, OffsetForLeaderEpochRequest.OffsetForLeaderPartition request)
    {
        var result = new OffsetForLeaderEpochResponse.EpochEndOffset
        {
            Partition = request.Partition,
            LeaderEpoch = EpochEndOffset.UndefinedEpoch,
            EndOffset = EpochEndOffset.UndefinedOffset,
        };
        if (partition is null)
        {
            result.ErrorCode = (short)notLed;
            return result;
        }
        var leaderEpoch = partition.LeaderEpoch;
        if (request.CurrentLeaderEpoch > leaderEpoch)
        {
            result.ErrorCode = (short)ErrorCode.UnknownLeaderEpoch;
            return result;
        }
        if (request.CurrentLeaderEpoch >= 0 && request.CurrentLeaderEpoch < leaderEpoch)
        {
            result.ErrorCode = (short)ErrorCode.FencedLeaderEpoch;
            return result;
        }
        var end = partition.Log.EndOffsetForEpoch(request.LeaderEpoch);
        if (end.EndOffset != EpochEndOffset.UndefinedOffset)
        {
            result.LeaderEpoch = end.Epoch;
            result.EndOffset = end.EndOffset;
        }
        return result;
    }
}
