using Kora.Broker.Metadata;
using Kora.Broker.Tenancy;
using Kora.Metadata;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>
/// CreatePartitions v0-3 (flexible from v2). Raises a topic's partition count to Count; the new
/// partitions are placed like those of a new topic unless Assignments gives one replica list per new
/// partition. A count that is not an increase is INVALID_PARTITIONS, an unknown topic
/// UNKNOWN_TOPIC_OR_PARTITION, a bad assignment INVALID_REPLICA_ASSIGNMENT. validate_only stops after
/// validation. As in Kafka's controller, a topic named twice gets one INVALID_REQUEST answer and is not changed.
/// </summary>
public sealed class CreatePartitionsHandler(TopicAdmin admin, IResourceNames names) : ApiHandler<CreatePartitionsRequest, CreatePartitionsResponse>
{
    public override short ApiKey => CreatePartitionsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 3;
    protected override short FirstFlexibleVersion => CreatePartitionsRequest.LowestFlexibleVersion;

    protected override async ValueTask<CreatePartitionsResponse?> HandleAsync(RequestContext context, CreatePartitionsRequest request)
    {
        var response = new CreatePartitionsResponse();
        var duplicates = request.Topics.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var topic in request.Topics)
        {
            if (duplicates.Contains(topic.Name))
            {
                continue;
            }
            var result = new CreatePartitionsResponse.CreatePartitionsTopicResult { Name = topic.Name };
            response.Results.Add(result);
            if (TopicNames.Validate(topic.Name) is { } invalid)
            {
                result.ErrorCode = (short)ErrorCode.InvalidTopicException;
                result.ErrorMessage = invalid;
                continue;
            }
            var name = names.ToInternal(context.Connection, ResourceKind.Topic, topic.Name);
            var assignments = topic.Assignments?.Select(a => a.BrokerIds.ToArray()).ToList();
            var created = await admin.CreatePartitionsAsync(name, topic.Count, assignments, request.ValidateOnly, context.Aborted).ConfigureAwait(false);
            result.ErrorCode = (short)created.Error;
            result.ErrorMessage = created.Error switch
            {
                ErrorCode.None => null,
                ErrorCode.UnknownTopicOrPartition => $"The topic '{topic.Name}' does not exist.",
                _ => created.Message,
            };
        }
        foreach (var name in request.Topics.Select(t => t.Name).Where(duplicates.Contains).Distinct(StringComparer.Ordinal))
        {
            response.Results.Add(new CreatePartitionsResponse.CreatePartitionsTopicResult
            {
                Name = name,
                ErrorCode = (short)ErrorCode.InvalidRequest,
                ErrorMessage = "Duplicate topic name.",
            });
        }
        return response;
    }
}
