using Kora.Broker.Metadata;
using Kora.Broker.Partitions;
using Kora.Broker.Tenancy;
using Kora.Metadata;
using Kora.Metadata.Configs;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Apis;

/// <summary>
/// DeleteRecords v0-2 (flexible from v2). Moves each partition's log start offset up to the requested
/// offset; offset -1 means the high watermark. An offset beyond the high watermark (or any other
/// negative one) is OFFSET_OUT_OF_RANGE; a topic whose cleanup.policy lacks "delete" is
/// POLICY_VIOLATION, as in Kafka. The low watermark returned is the log start offset afterwards, which
/// never moves back: deleting below it changes nothing. Unknown partitions get UNKNOWN_TOPIC_OR_PARTITION
/// and a low watermark of -1.
/// </summary>
public sealed class DeleteRecordsHandler(PartitionManager partitions, TopicAdmin admin, IResourceNames names, IOptions<BrokerOptions> options) : ApiHandler<DeleteRecordsRequest, DeleteRecordsResponse>
{
    private const long HighWatermarkOffset = -1;
    private const long InvalidLowWatermark = -1;
    private readonly BrokerOptions _options = options.Value;

    public override short ApiKey => DeleteRecordsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;
    protected override short FirstFlexibleVersion => DeleteRecordsRequest.LowestFlexibleVersion;

    protected override ValueTask<DeleteRecordsResponse?> HandleAsync(RequestContext context, DeleteRecordsRequest request)
    {
        var response = new DeleteRecordsResponse();
        var image = admin.Image;
        foreach (var topic in request.Topics)
        {
            var name = names.ToInternal(context.Connection, ResourceKind.Topic, topic.Name);
            var topicResult = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = topic.Name };
            response.Topics.Add(topicResult);
            var deletable = image.Topic(name) is not { } topicImage || AllowsDeletion(topicImage);
            foreach (var p in topic.Partitions)
            {
                var partition = partitions.GetLed(name, p.PartitionIndex, out var notLed);
                topicResult.Partitions.Add(Delete(partition, notLed, p, deletable));
            }
        }
        return ValueTask.FromResult<DeleteRecordsResponse?>(response);
    }

    private bool AllowsDeletion(TopicImage topic) =>
        TopicConfigs.Effective(topic.Configs, TopicConfigs.CleanupPolicy, _options)
            .Split(',', StringSplitOptions.TrimEntries)
            .Contains("delete", StringComparer.OrdinalIgnoreCase);

    private static DeleteRecordsResponse.DeleteRecordsPartitionResult Delete(
        Partition? partition, ErrorCode notLed, DeleteRecordsRequest.DeleteRecordsPartition request, bool deletable)
    {
        var result = new DeleteRecordsResponse.DeleteRecordsPartitionResult { PartitionIndex = request.PartitionIndex, LowWatermark = InvalidLowWatermark };
        if (partition is null)
        {
            result.ErrorCode = (short)notLed;
            return result;
        }
        if (!deletable)
        {
            result.ErrorCode = (short)ErrorCode.PolicyViolation;
            return result;
        }
        var log = partition.Log;
        var highWatermark = log.HighWatermark;
        var offset = request.Offset == HighWatermarkOffset ? highWatermark : request.Offset;
        if (offset < 0 || offset > highWatermark)
        {
            result.ErrorCode = (short)ErrorCode.OffsetOutOfRange;
            return result;
        }
        try
        {
            result.LowWatermark = log.DeleteRecordsBefore(offset);
            result.ErrorCode = (short)ErrorCode.None;
        }
        catch (ObjectDisposedException)
        {
            // The topic was deleted (its log closed) while this request was being served.
            result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
        }
        catch (IOException)
        {
            result.ErrorCode = (short)ErrorCode.KafkaStorageError;
        }
        return result;
    }
}
