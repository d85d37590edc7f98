using Kora.Broker.Groups;
using Kora.Broker.Metadata;
using Kora.Broker.Transactions;
using Kora.Metadata;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Apis;

/// <summary>
/// FindCoordinator v0-5. Key type 0 (group): this broker, which leads every <c>__consumer_offsets</c>
/// partition; the topic is created on the first lookup. Key type 1 (transaction): likewise this broker, which
/// leads every <c>__transaction_state</c> partition, created on the first lookup. v4+ batches keys in CoordinatorKeys.
/// </summary>
public sealed class FindCoordinatorHandler(TopicAdmin admin, ConsumerOffsetsLog offsetsLog, TransactionStateLog transactionLog, IOptions<BrokerOptions> options)
    : ApiHandler<FindCoordinatorRequest, FindCoordinatorResponse>
{
    private readonly BrokerOptions _options = options.Value;

    public override short ApiKey => FindCoordinatorRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;
    protected override short FirstFlexibleVersion => FindCoordinatorRequest.LowestFlexibleVersion;

    protected override async ValueTask<FindCoordinatorResponse?> HandleAsync(RequestContext context, FindCoordinatorRequest request)
    {
        var keys = context.Version >= 4 ? request.CoordinatorKeys : [request.Key];
        var ready = request.KeyType switch
        {
            0 => await offsetsLog.EnsureTopicAsync(context.Aborted).ConfigureAwait(false),
            1 => await transactionLog.EnsureTopicAsync(context.Aborted).ConfigureAwait(false),
            _ => false,
        };
        var image = admin.Image;
        var response = new FindCoordinatorResponse();
        foreach (var key in keys)
        {
            var broker = request.KeyType switch
            {
                0 => Leader(image, ConsumerOffsetsLog.TopicName, offsetsLog.PartitionFor(key)),
                1 => Leader(image, TransactionStateLog.TopicName, transactionLog.PartitionFor(key)),
                _ => null,
            };
            var error = request.KeyType switch
            {
                0 or 1 when ready && broker is not null => ErrorCode.None,
                0 or 1 => ErrorCode.CoordinatorNotAvailable,
                _ => ErrorCode.InvalidRequest,
            };
            var found = error == ErrorCode.None;
            if (context.Version >= 4)
            {
                response.Coordinators.Add(new FindCoordinatorResponse.Coordinator
                {
                    Key = key,
                    ErrorCode = (short)error,
                    NodeId = found ? broker!.Id : -1,
                    Host = found ? broker!.Host : "",
                    Port = found ? broker!.Port : -1,
                });
            }
            else
            {
                response.ErrorCode = (short)error;
                response.NodeId = found ? broker!.Id : -1;
                response.Host = found ? broker!.Host : "";
                response.Port = found ? broker!.Port : -1;
            }
        }
        return response;
    }

    /// <summary>
    /// The coordinator of a key is the leader of its partition of the internal topic, as in Kafka; none
    /// while that partition is offline. A single node leads every partition itself.
    /// </summary>
    private BrokerImage? Leader(MetadataImage image, string topic, int partition)
    {
        if (!_options.IsClusterMode)
        {
            return image.Brokers.GetValueOrDefault(_options.NodeId);
        }
        if (image.Topic(topic) is not { } internalTopic || partition >= internalTopic.Partitions.Length)
        {
            return null;
        }
        var leader = internalTopic.Partitions[partition].Leader;
        return image.Brokers.TryGetValue(leader, out var broker) && !broker.Fenced ? broker : null;
    }

    protected override void SetError(FindCoordinatorResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
