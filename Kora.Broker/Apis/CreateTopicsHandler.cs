using Kora.Broker.Configs;
using Kora.Broker.Metadata;
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
/// CreateTopics v2-7. Each topic is validated (name, partitions, replication factor or explicit
/// assignment, configs) and committed to the metadata log; validate_only stops after validation.
/// v5+ returns the resulting partitions, replication factor and configs; v7+ the topic id.
/// A name repeated within one request fails every copy with INVALID_REQUEST, as Kafka does.
/// </summary>
public sealed class CreateTopicsHandler(TopicAdmin admin, IResourceNames names, IOptions<BrokerOptions> options) : ApiHandler<CreateTopicsRequest, CreateTopicsResponse>
{
    public override short ApiKey => CreateTopicsRequest.ApiKey;
    public override short MinVersion => 2;
    public override short MaxVersion => 7;
    protected override short FirstFlexibleVersion => CreateTopicsRequest.LowestFlexibleVersion;

    protected override async ValueTask<CreateTopicsResponse?> HandleAsync(RequestContext context, CreateTopicsRequest request)
    {
        var response = new CreateTopicsResponse();
        var duplicates = request.Topics.GroupBy(t => t.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        var specs = new List<TopicSpec>();
        foreach (var topic in request.Topics.Where(t => !duplicates.Contains(t.Name)))
        {
            var name = names.ToInternal(context.Connection, ResourceKind.Topic, topic.Name);
            var assignments = topic.Assignments.Count == 0 ? null : topic.Assignments.ToDictionary(a => a.PartitionIndex, a => a.BrokerIds.ToArray());
            var configs = topic.Configs.Select(c => new KeyValuePair<string, string?>(c.Name, c.Value)).ToList();
            specs.Add(new TopicSpec(name, topic.NumPartitions, topic.ReplicationFactor, assignments, configs));
        }
        var outcomes = await admin.CreateTopicsAsync(specs, request.validateOnly, context.Aborted).ConfigureAwait(false);
        var next = 0;
        foreach (var topic in request.Topics)
        {
            var result = new CreateTopicsResponse.CreatableTopicResult { Name = topic.Name };
            response.Topics.Add(result);
            if (duplicates.Contains(topic.Name))
            {
                result.ErrorCode = (short)ErrorCode.InvalidRequest;
                result.ErrorMessage = $"Create topics request from client contains multiple entries for topic {topic.Name}.";
                continue;
            }
            var created = outcomes[next];
            var configs = specs[next++].Configs;
            result.ErrorCode = (short)created.Error;
            result.ErrorMessage = created.Message;
            if (created.Error != ErrorCode.None)
            {
                continue;
            }
            result.TopicId = request.validateOnly ? Guid.Empty : created.TopicId;
            result.NumPartitions = created.NumPartitions;
            result.ReplicationFactor = created.ReplicationFactor;
            result.Configs = Describe([.. configs]);
        }
        return response;
    }

    private List<CreateTopicsResponse.CreatableTopicConfigs> Describe(List<KeyValuePair<string, string?>> overrides)
    {
        var set = overrides.ToDictionary(c => c.Key, c => c.Value);
        return TopicConfigs.All.Select(d => new CreateTopicsResponse.CreatableTopicConfigs
        {
            Name = d.Name,
            Value = set.TryGetValue(d.Name, out var v) ? v : d.Default(options.Value),
            ReadOnly = false,
            ConfigSource = (sbyte)(set.ContainsKey(d.Name) ? ConfigSource.DynamicTopicConfig : ConfigSource.DefaultConfig),
            IsSensitive = false,
        }).ToList();
    }
}
