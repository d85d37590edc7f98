using Kora.Broker.Metadata;
using Kora.Broker.Tenancy;
using Kora.Metadata;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Apis;

/// <summary>
/// Metadata v0-12, answered from the metadata image. Null topics (v1+) or an empty list (v0) means all
/// topics. v4+ lets the client refuse auto-creation; v10+ names topics by id; v8+ reports authorized
/// operations when asked. Auto-created topics are created before the answer, so the client sees them at once.
/// </summary>
public sealed class MetadataHandler(TopicAdmin admin, IResourceNames names, IOptions<BrokerOptions> options) : ApiHandler<MetadataRequest, MetadataResponse>
{
    /// <summary>READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS as operation bits.</summary>
    private const int AllTopicOperations = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);
    private readonly BrokerOptions _options = options.Value;

    public override short ApiKey => MetadataRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 12;
    protected override short FirstFlexibleVersion => MetadataRequest.LowestFlexibleVersion;

    protected override async ValueTask<MetadataResponse?> HandleAsync(RequestContext context, MetadataRequest request)
    {
        var connection = context.Connection;
        var image = admin.Image;
        var response = new MetadataResponse
        {
            ClusterId = _options.ClusterId,
            ControllerId = _options.NodeId,
        };
        var allTopics = request.Topics is null || (context.Version == 0 && request.Topics.Count == 0);
        if (allTopics)
        {
            foreach (var topic in image.TopicsByName.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                if (names.ToExternal(connection, ResourceKind.Topic, topic.Name) is { } visible)
                {
                    response.Topics.Add(Describe(image, topic, visible, request.IncludeTopicAuthorizedOperations));
                }
            }
        }
        else
        {
            foreach (var requested in request.Topics!)
            {
                response.Topics.Add(await DescribeRequestedAsync(context, request, requested).ConfigureAwait(false));
            }
            image = admin.Image;
        }
        foreach (var broker in image.Brokers.Values.Where(b => !b.Fenced).OrderBy(b => b.Id))
        {
            response.Brokers.Add(new MetadataResponse.MetadataResponseBroker { NodeId = broker.Id, Host = broker.Host, Port = broker.Port, Rack = broker.Rack });
        }
        return response;
    }

    private async ValueTask<MetadataResponse.MetadataResponseTopic> DescribeRequestedAsync(RequestContext context, MetadataRequest request, MetadataRequest.MetadataRequestTopic requested)
    {
        var image = admin.Image;
        if (requested.Name is null)
        {
            var byId = image.Topic(requested.TopicId);
            var visible = byId is null ? null : names.ToExternal(context.Connection, ResourceKind.Topic, byId.Name);
            return byId is null || visible is null
                ? new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)ErrorCode.UnknownTopicId, TopicId = requested.TopicId, Name = null }
                : Describe(image, byId, visible, request.IncludeTopicAuthorizedOperations);
        }
        var name = names.ToInternal(context.Connection, ResourceKind.Topic, requested.Name);
        var topic = image.Topic(name);
        if (topic is null && request.AllowAutoTopicCreation && _options.AutoCreateTopicsEnable)
        {
            if (TopicNames.Validate(requested.Name) is not null)
            {
                return new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)ErrorCode.InvalidTopicException, Name = requested.Name };
            }
            var created = await admin.CreateTopicAsync(new TopicSpec(name, -1, -1, null, []), validateOnly: false, context.Aborted).ConfigureAwait(false);
            if (created.Error is not ErrorCode.None and not ErrorCode.TopicAlreadyExists)
            {
                return new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)created.Error, Name = requested.Name };
            }
            image = admin.Image;
            topic = image.Topic(name);
        }
        return topic is null
            ? new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)ErrorCode.UnknownTopicOrPartition, Name = requested.Name }
            : Describe(image, topic, requested.Name, request.IncludeTopicAuthorizedOperations);
    }

    private static MetadataResponse.MetadataResponseTopic Describe(MetadataImage image, TopicImage topic, string externalName, bool includeOperations)
    {
        var result = new MetadataResponse.MetadataResponseTopic
        {
            Name = externalName,
            TopicId = topic.Id,
            IsInternal = topic.IsInternal,
            Partitions = new(topic.Partitions.Length),
        };
        if (includeOperations)
        {
            result.TopicAuthorizedOperations = AllTopicOperations;
        }
        foreach (var partition in topic.Partitions)
        {
            var offline = partition.Replicas.Where(r => !image.Brokers.TryGetValue(r, out var b) || b.Fenced).ToList();
            var leaderOnline = partition.Leader >= 0 && !offline.Contains(partition.Leader);
            result.Partitions.Add(new MetadataResponse.MetadataResponsePartition
            {
                ErrorCode = (short)(leaderOnline ? ErrorCode.None : ErrorCode.LeaderNotAvailable),
                PartitionIndex = partition.Index,
                LeaderId = leaderOnline ? partition.Leader : -1,
                LeaderEpoch = partition.LeaderEpoch,
                ReplicaNodes = [.. partition.Replicas],
                IsrNodes = [.. partition.Isr],
                OfflineReplicas = offline,
            });
        }
        return result;
    }
}
