using Kora.Controller.Quorum;
using Kora.Controller.Raft;
using Kora.Metadata;
using Kora.Metadata.Configs;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace Kora.Controller.Apis;

/// <summary>
/// CreateTopics v2-7 on the active controller: every topic of the request is decided in order (name,
/// partitions, replication factor or assignment, configs, rack-aware placement on unfenced brokers,
/// confined to a cell by <c>kora.placement.cell</c>) and the records of all commit as one batch before
/// the answer. A name repeated within the request fails every copy with INVALID_REQUEST.
/// </summary>
public sealed class CreateTopicsHandler(ControllerRaft raft, IOptions<ControllerOptions> options) : ApiHandler<CreateTopicsRequest, CreateTopicsResponse>
{
    public override short ApiKey => CreateTopicsRequest.ApiKey;
    public override short MinVersion => 2;
    public override short MaxVersion => 7;
    protected override short FirstFlexibleVersion => CreateTopicsRequest.LowestFlexibleVersion;

    protected override async ValueTask<CreateTopicsResponse?> HandleAsync(RequestContext context, CreateTopicsRequest request)
    {
        var duplicates = request.Topics.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var specs = request.Topics.Where(t => !duplicates.Contains(t.Name)).Select(t => new TopicSpec(
            t.Name,
            t.NumPartitions,
            t.ReplicationFactor,
            t.Assignments.Count == 0 ? null : t.Assignments.ToDictionary(a => a.PartitionIndex, a => a.BrokerIds.ToArray()),
            t.Configs.Select(c => new KeyValuePair<string, string?>(c.Name, c.Value)).ToList())).ToList();
        var defaults = options.Value;
        var (results, error) = await ControllerCall.RunAsync(raft, (controller, _) => controller.Write(image =>
            DecisionSequence.Decide(image, specs, (current, spec) => TopicChanges.Create(current, spec, defaults, request.validateOnly))),
            request.timeoutMs, context.Aborted).ConfigureAwait(false);
        var response = new CreateTopicsResponse();
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
            if (results is null)
            {
                result.ErrorCode = (short)error;
                result.ErrorMessage = error == ErrorCode.NotController ? "This is not the active controller." : null;
                continue;
            }
            var created = results[next++];
            result.ErrorCode = (short)created.Error;
            result.ErrorMessage = created.Message;
            if (created.Error != ErrorCode.None)
            {
                continue;
            }
            result.TopicId = request.validateOnly ? Guid.Empty : created.TopicId;
            result.NumPartitions = created.NumPartitions;
            result.ReplicationFactor = created.ReplicationFactor;
            result.Configs = Describe(topic.Configs.Select(c => new KeyValuePair<string, string?>(c.Name, c.Value)), defaults);
        }
        return response;
    }

    private static List<CreateTopicsResponse.CreatableTopicConfigs> Describe(IEnumerable<KeyValuePair<string, string?>> overrides, ControllerOptions defaults)
    {
        var set = overrides.ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        return TopicConfigs.All.Select(d => new CreateTopicsResponse.CreatableTopicConfigs
        {
            Name = d.Name,
            Value = set.TryGetValue(d.Name, out var v) ? v : d.Default(defaults),
            ReadOnly = false,
            ConfigSource = (sbyte)(set.ContainsKey(d.Name) ? ConfigSource.DynamicTopicConfig : ConfigSource.DefaultConfig),
            IsSensitive = false,
        }).ToList();
    }
}
