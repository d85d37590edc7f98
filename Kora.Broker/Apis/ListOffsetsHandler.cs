using Kora.Broker.Partitions;
using Kora.Broker.Tenancy;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>
/// ListOffsets v1-10. Timestamp -1 is the latest offset (high watermark; the last stable offset under
/// read_committed), -2 the earliest, -3 the offset of the record with the largest timestamp (v7+),
/// -4 the earliest local offset (v8+), and any other value the first offset whose timestamp is at
/// least that value, or -1 when none is.
/// </summary>
public sealed class ListOffsetsHandler(PartitionManager partitions, IResourceNames names) : ApiHandler<ListOffsetsRequest, ListOffsetsResponse>
{
    private const long Latest = -1;
    private const long Earliest = -2;
    private const long MaxTimestamp = -3;
    private const long EarliestLocal = -4;
    private const long LatestTiered = -5;
    private const sbyte ReadCommitted = 1;

    public override short ApiKey => ListOffsetsRequest.ApiKey;
    public override short MinVersion => 1;
    public override short MaxVersion => 10;
    protected override short FirstFlexibleVersion => ListOffsetsRequest.LowestFlexibleVersion;

    protected override ValueTask<ListOffsetsResponse?> HandleAsync(RequestContext context, ListOffsetsRequest request)
    {
        var response = new ListOffsetsResponse();
        foreach (var topic in request.Topics)
        {
            var name = names.ToInternal(context.Connection, ResourceKind.Topic, topic.Name);
            var topicResponse = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (var p in topic.Partitions)
            {
                var partition = partitions.GetLed(name, p.PartitionIndex, out var notLed);
                topicResponse.Partitions.Add(Lookup(partition, notLed, p, context.Version, request.IsolationLevel == ReadCommitted));
            }
        }
        return ValueTask.FromResult<ListOffsetsResponse?>(response);
    }

    private static ListOffsetsResponse.ListOffsetsPartitionResponse Lookup(
        Partition? partition, ErrorCode notLed, ListOffsetsRequest.ListOffsetsPartition request, short version, bool readCommitted)
    {
        var result = new ListOffsetsResponse.ListOffsetsPartitionResponse { PartitionIndex = request.PartitionIndex, Timestamp = -1, Offset = -1 };
        if (partition is null)
        {
            result.ErrorCode = (short)notLed;
            return result;
        }
        if (request.CurrentLeaderEpoch > partition.LeaderEpoch)
        {
            result.ErrorCode = (short)ErrorCode.UnknownLeaderEpoch;
            return result;
        }
        if (request.CurrentLeaderEpoch >= 0 && request.CurrentLeaderEpoch < partition.LeaderEpoch)
        {
            result.ErrorCode = (short)ErrorCode.FencedLeaderEpoch;
            return result;
        }
        var log = partition.Log;
        result.LeaderEpoch = partition.LeaderEpoch;
        // Kafka's last fetchable offset: what a consumer of this isolation level may read.
        var lastFetchable = readCommitted ? log.LastStableOffset : log.HighWatermark;
        switch (request.Timestamp)
        {
            case Latest:
                result.Offset = lastFetchable;
                break;
            case Earliest:
            case EarliestLocal:
                result.Offset = log.LogStartOffset;
                break;
            case LatestTiered:
                result.Offset = -1;
                break;
            case MaxTimestamp when version >= 7:
                if (log.MaxTimestamp() is { } max && max.Offset < lastFetchable)
                {
                    result.Offset = max.Offset;
                    result.Timestamp = max.Timestamp;
                }
                break;
            case < 0:
                result.ErrorCode = (short)ErrorCode.UnsupportedVersion;
                break;
            default:
                if (log.OffsetForTimestamp(request.Timestamp) is { } found && found.Offset < lastFetchable)
                {
                    result.Offset = found.Offset;
                    result.Timestamp = found.Timestamp;
                }
                break;
        }
        return result;
    }
}
