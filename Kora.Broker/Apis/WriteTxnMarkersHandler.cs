using Kora.Broker.Groups;
using Kora.Broker.Partitions;
using Kora.Broker.Tenancy;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Apis;

/// <summary>
/// WriteTxnMarkers v0-1: a transaction coordinator (possibly on another broker) ends a producer's transaction
/// on the partitions this broker leads by writing COMMIT or ABORT markers. Each partition is answered on its
/// own, once its marker is fsynced and held by every in-sync replica (acks=-1): UNKNOWN_TOPIC_OR_PARTITION when it is not hosted here, otherwise what
/// <see cref="Partition.WriteTxnMarkerAsync"/> returns. The markers of a request are appended before any is
/// awaited, so their fsyncs are shared. A marker on a <c>__consumer_offsets</c> partition also settles the
/// producer's pending transactional offsets of the groups there, as Kafka's group coordinator does.
/// </summary>
public sealed class WriteTxnMarkersHandler(
    PartitionManager partitions, IResourceNames names, GroupCoordinator groups, ConsumerOffsetsLog offsetsLog, IOptions<BrokerOptions> options, TimeProvider time)
    : ApiHandler<WriteTxnMarkersRequest, WriteTxnMarkersResponse>
{
    public override short ApiKey => WriteTxnMarkersRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;
    protected override short FirstFlexibleVersion => WriteTxnMarkersRequest.LowestFlexibleVersion;

    protected override async ValueTask<WriteTxnMarkersResponse?> HandleAsync(RequestContext context, WriteTxnMarkersRequest request)
    {
        var response = new WriteTxnMarkersResponse { Markers = new(request.Markers.Count) };
        var writes = new List<(WriteTxnMarkersResponse.WritableTxnMarkerPartitionResult Result, ValueTask<ErrorCode> Write, Action? Settle)>();
        foreach (var marker in request.Markers)
        {
            var markerResult = new WriteTxnMarkersResponse.WritableTxnMarkerResult { ProducerId = marker.ProducerId, Topics = new(marker.Topics.Count) };
            response.Markers.Add(markerResult);
            foreach (var topic in marker.Topics)
            {
                var topicResult = new WriteTxnMarkersResponse.WritableTxnMarkerTopicResult { Name = topic.Name, Partitions = new(topic.PartitionIndexes.Count) };
                markerResult.Topics.Add(topicResult);
                var name = names.ToInternal(context.Connection, ResourceKind.Topic, topic.Name);
                foreach (var index in topic.PartitionIndexes)
                {
                    var result = new WriteTxnMarkersResponse.WritableTxnMarkerPartitionResult { PartitionIndex = index };
                    topicResult.Partitions.Add(result);
                    if (partitions.GetLed(name, index, out var notLed) is not { } partition)
                    {
                        result.ErrorCode = (short)notLed;
                        continue;
                    }
                    var producerId = marker.ProducerId;
                    var committed = marker.TransactionResult;
                    Action? settle = name == ConsumerOffsetsLog.TopicName
                        ? () => groups.CompleteTransaction(producerId, committed, group => offsetsLog.PartitionFor(group) == index)
                        : null;
                    writes.Add((result, partition.WriteTxnMarkerAsync(
                        marker.ProducerId, marker.ProducerEpoch, marker.CoordinatorEpoch, marker.TransactionResult,
                        options.Value.TransactionStateWriteTimeoutMs, time, context.Aborted), settle));
                }
            }
        }
        foreach (var (result, write, settle) in writes)
        {
            var error = await write.ConfigureAwait(false);
            result.ErrorCode = (short)error;
            if (error == ErrorCode.None)
            {
                settle?.Invoke();
            }
        }
        return response;
    }
}
