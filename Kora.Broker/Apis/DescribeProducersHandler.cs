using Kora.Broker.Partitions;
using Kora.Broker.Tenancy;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>
/// DescribeProducers v0 (KIP-664, what <c>kafka-transactions.sh describe-producers</c> and the admin client's
/// describeProducers send, to find a hanging transaction): each partition's active producers as its producer state
/// holds them, with the start offset of an open transaction. Any replica hosting the partition answers, as in
/// Kafka (the admin client may ask a chosen broker); one that does not host it answers NOT_LEADER_OR_FOLLOWER, an
/// unknown or invisible topic or partition UNKNOWN_TOPIC_OR_PARTITION.
/// </summary>
public sealed class DescribeProducersHandler(PartitionManager partitions, IResourceNames names) : ApiHandler<DescribeProducersRequest, DescribeProducersResponse>
{
    public override short ApiKey => DescribeProducersRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;
    protected override short FirstFlexibleVersion => 0;

    protected override ValueTask<DescribeProducersResponse?> HandleAsync(RequestContext context, DescribeProducersRequest request)
    {
        var response = new DescribeProducersResponse();
        var image = partitions.Image;
        foreach (var topic in request.Topics)
        {
            var name = names.ToInternal(context.Connection, ResourceKind.Topic, topic.Name);
            var known = image.Topic(name);
            var result = new DescribeProducersResponse.TopicResponse { Name = topic.Name };
            response.Topics.Add(result);
            foreach (var index in topic.PartitionIndexes)
            {
                var answer = new DescribeProducersResponse.PartitionResponse { PartitionIndex = index };
                result.Partitions.Add(answer);
                if (known is null || index < 0 || index >= known.Partitions.Length)
                {
                    answer.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }
                if (partitions.Get(name, index) is not { } partition)
                {
                    answer.ErrorCode = (short)ErrorCode.NotLeaderOrFollower;
                    continue;
                }
                foreach (var producer in partition.Log.ActiveProducers)
                {
                    answer.ActiveProducers.Add(new DescribeProducersResponse.ProducerState
                    {
                        ProducerId = producer.ProducerId,
                        ProducerEpoch = producer.ProducerEpoch,
                        LastSequence = producer.LastSequence,
                        LastTimestamp = producer.LastTimestamp,
                        CoordinatorEpoch = producer.CoordinatorEpoch,
                        CurrentTxnStartOffset = producer.CurrentTxnFirstOffset,
                    });
                }
            }
        }
        return ValueTask.FromResult<DescribeProducersResponse?>(response);
    }
}
