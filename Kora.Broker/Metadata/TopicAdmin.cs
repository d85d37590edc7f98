using Kora.Broker.Configs;
using Kora.Protocol.MetadataRecords;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Metadata;

/// <summary>
/// Validates topic changes against the current image and turns them into metadata records. On a single
/// node the broker commits them to its own metadata log; the controller quorum takes this role later.
/// </summary>
public sealed class TopicAdmin(MetadataStore store, IOptions<BrokerOptions> options)
{
    private readonly BrokerOptions _options = options.Value;

    public MetadataImage Image => store.Image;

    /// <summary>Creates one topic. <paramref name="assignments"/> maps partition to replica broker ids when given.</summary>
    public ValueTask<TopicChangeResult> CreateTopicAsync(TopicSpec spec, bool validateOnly, CancellationToken cancellation) =>
        store.WriteAsync(image =>
        {
            var (result, records) = PlanCreate(image, spec);
            return new MetadataDecision<TopicChangeResult>(validateOnly || result.Error != ErrorCode.None ? [] : records, result);
        }, cancellation);

    private (TopicChangeResult, List<IKafkaMessage>) PlanCreate(MetadataImage image, TopicSpec spec)
    {
        if (TopicNames.Validate(spec.Name) is { } nameProblem)
        {
            return (TopicChangeResult.Failed(ErrorCode.InvalidTopicException, nameProblem), []);
        }
        if (image.Topic(spec.Name) is not null)
        {
            return (TopicChangeResult.Failed(ErrorCode.TopicAlreadyExists, $"Topic '{spec.Name}' already exists."), []);
        }
        if (TopicConfigs.Validate(spec.Configs) is { } configProblem)
        {
            return (TopicChangeResult.Failed(ErrorCode.InvalidConfig, configProblem), []);
        }
        var brokers = image.Brokers.Values.Where(b => !b.Fenced).Select(b => b.Id).Order().ToArray();
        List<int[]> replicaSets;
        if (spec.Assignments is { Count: > 0 } assignments)
        {
            if (spec.NumPartitions != -1 || spec.ReplicationFactor != -1)
            {
                return (TopicChangeResult.Failed(ErrorCode.InvalidRequest, "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time."), []);
            }
            replicaSets = [];
            for (var p = 0; p < assignments.Count; p++)
            {
                if (!assignments.TryGetValue(p, out var replicas) || replicas.Length == 0 || replicas.Distinct().Count() != replicas.Length)
                {
                    return (TopicChangeResult.Failed(ErrorCode.InvalidReplicaAssignment, $"Partition {p} has no valid replica assignment."), []);
                }
                if (replicas.FirstOrDefault(r => !image.Brokers.ContainsKey(r), -1) is var unknown && unknown != -1)
                {
                    return (TopicChangeResult.Failed(ErrorCode.InvalidReplicaAssignment, $"Unknown broker {unknown} in the replica assignment."), []);
                }
                replicaSets.Add(replicas);
            }
        }
        else
        {
            var partitions = spec.NumPartitions == -1 ? _options.NumPartitions : spec.NumPartitions;
            var replicationFactor = spec.ReplicationFactor == -1 ? _options.DefaultReplicationFactor : spec.ReplicationFactor;
            if (partitions <= 0)
            {
                return (TopicChangeResult.Failed(ErrorCode.InvalidPartitions, "Number of partitions must be larger than 0."), []);
            }
            if (replicationFactor <= 0)
            {
                return (TopicChangeResult.Failed(ErrorCode.InvalidReplicationFactor, "Replication factor must be larger than 0."), []);
            }
            if (replicationFactor > brokers.Length)
            {
                return (TopicChangeResult.Failed(ErrorCode.InvalidReplicationFactor, $"Unable to replicate the partition {replicationFactor} time(s): The target replication factor of {replicationFactor} cannot be reached because only {brokers.Length} broker(s) are registered."), []);
            }
            replicaSets = ReplicaPlacement.Assign(brokers, partitions, replicationFactor, startIndex: image.TopicsByName.Count);
        }
        var topicId = Guid.NewGuid();
        var records = new List<IKafkaMessage> { new TopicRecord { Name = spec.Name, TopicId = topicId } };
        for (var p = 0; p < replicaSets.Count; p++)
        {
            records.Add(new PartitionRecord
            {
                PartitionId = p,
                TopicId = topicId,
                Replicas = [.. replicaSets[p]],
                Isr = [.. replicaSets[p]],
                Leader = replicaSets[p][0],
                LeaderEpoch = 0,
                PartitionEpoch = 0,
            });
        }
        foreach (var (name, value) in spec.Configs)
        {
            records.Add(new ConfigRecord { ResourceType = (sbyte)ConfigResourceType.Topic, ResourceName = spec.Name, Name = name, Value = value });
        }
        var replicationFactorResult = (short)replicaSets[0].Length;
        return (new TopicChangeResult(ErrorCode.None, null, topicId, replicaSets.Count, replicationFactorResult), records);
    }

    public ValueTask<TopicChangeResult> DeleteTopicAsync(string? name, Guid? id, CancellationToken cancellation) =>
        store.WriteAsync(image =>
        {
            var topic = name is not null ? image.Topic(name) : id is { } topicId ? image.Topic(topicId) : null;
            if (topic is null)
            {
                return new MetadataDecision<TopicChangeResult>([], TopicChangeResult.Failed(
                    id is not null && name is null ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition,
                    "This server does not host this topic."));
            }
            return new MetadataDecision<TopicChangeResult>(
                [new RemoveTopicRecord { TopicId = topic.Id }],
                new TopicChangeResult(ErrorCode.None, null, topic.Id, topic.Partitions.Length, (short)topic.Partitions[0].Replicas.Length) { Name = topic.Name });
        }, cancellation);

    public ValueTask<TopicChangeResult> CreatePartitionsAsync(string name, int count, List<int[]>? assignments, bool validateOnly, CancellationToken cancellation) =>
        store.WriteAsync(image =>
        {
            if (image.Topic(name) is not { } topic)
            {
                return new MetadataDecision<TopicChangeResult>([], TopicChangeResult.Failed(ErrorCode.UnknownTopicOrPartition, $"The topic '{name}' does not exist."));
            }
            var current = topic.Partitions.Length;
            if (count <= current)
            {
                return new MetadataDecision<TopicChangeResult>([], TopicChangeResult.Failed(ErrorCode.InvalidPartitions,
                    count == current ? $"Topic already has {current} partitions." : $"Topic currently has {current} partitions, which is higher than the requested {count}."));
            }
            var replicationFactor = topic.Partitions[0].Replicas.Length;
            var brokers = image.Brokers.Values.Where(b => !b.Fenced).Select(b => b.Id).Order().ToArray();
            List<int[]> sets;
            if (assignments is not null)
            {
                if (assignments.Count != count - current)
                {
                    return new MetadataDecision<TopicChangeResult>([], TopicChangeResult.Failed(ErrorCode.InvalidReplicaAssignment,
                        $"Increasing the number of partitions by {count - current} but {assignments.Count} assignments provided."));
                }
                if (assignments.Any(a => a.Length != replicationFactor || a.Any(b => !image.Brokers.ContainsKey(b)) || a.Distinct().Count() != a.Length))
                {
                    return new MetadataDecision<TopicChangeResult>([], TopicChangeResult.Failed(ErrorCode.InvalidReplicaAssignment, "Invalid replica assignment."));
                }
                sets = assignments;
            }
            else
            {
                if (replicationFactor > brokers.Length)
                {
                    return new MetadataDecision<TopicChangeResult>([], TopicChangeResult.Failed(ErrorCode.InvalidReplicationFactor, "Not enough brokers for the topic's replication factor."));
                }
                sets = ReplicaPlacement.Assign(brokers, count - current, replicationFactor, startIndex: current);
            }
            var records = new List<IKafkaMessage>();
            for (var i = 0; i < sets.Count; i++)
            {
                records.Add(new PartitionRecord
                {
                    PartitionId = current + i,
                    TopicId = topic.Id,
                    Replicas = [.. sets[i]],
                    Isr = [.. sets[i]],
                    Leader = sets[i][0],
                    LeaderEpoch = 0,
                    PartitionEpoch = 0,
                });
            }
            return new MetadataDecision<TopicChangeResult>(validateOnly ? [] : records, new TopicChangeResult(ErrorCode.None, null, topic.Id, count, (short)replicationFactor));
        }, cancellation);

    /// <summary>Replaces or edits a topic's config overrides; <paramref name="change"/> computes the new overrides from the old.</summary>
    public ValueTask<TopicChangeResult> AlterTopicConfigsAsync(
        string name,
        Func<IReadOnlyDictionary<string, string>, (Dictionary<string, string>? Overrides, string? Error)> change,
        bool validateOnly,
        CancellationToken cancellation) =>
        store.WriteAsync(image =>
        {
            if (image.Topic(name) is not { } topic)
            {
                return new MetadataDecision<TopicChangeResult>([], TopicChangeResult.Failed(ErrorCode.UnknownTopicOrPartition, $"Topic {name} does not exist."));
            }
            var (overrides, error) = change(topic.Configs);
            if (overrides is null)
            {
                return new MetadataDecision<TopicChangeResult>([], TopicChangeResult.Failed(ErrorCode.InvalidConfig, error));
            }
            if (TopicConfigs.Validate(overrides!) is { } problem)
            {
                return new MetadataDecision<TopicChangeResult>([], TopicChangeResult.Failed(ErrorCode.InvalidConfig, problem));
            }
            var records = new List<IKafkaMessage>();
            foreach (var removed in topic.Configs.Keys.Where(k => !overrides.ContainsKey(k)))
            {
                records.Add(new ConfigRecord { ResourceType = (sbyte)ConfigResourceType.Topic, ResourceName = name, Name = removed, Value = null });
            }
            foreach (var (key, value) in overrides)
            {
                if (!topic.Configs.TryGetValue(key, out var old) || old != value)
                {
                    records.Add(new ConfigRecord { ResourceType = (sbyte)ConfigResourceType.Topic, ResourceName = name, Name = key, Value = value });
                }
            }
            return new MetadataDecision<TopicChangeResult>(validateOnly ? [] : records, new TopicChangeResult(ErrorCode.None, null, topic.Id, topic.Partitions.Length, 0));
        }, cancellation);

    /// <summary>Registers this broker (a new incarnation each start) so the image lists where clients reach it.</summary>
    public ValueTask<bool> RegisterBrokerAsync(int nodeId, string host, int port, string? rack, CancellationToken cancellation) =>
        store.WriteAsync(image =>
        {
            var epoch = image.Brokers.TryGetValue(nodeId, out var existing) ? existing.Epoch + 1 : 0;
            var record = new RegisterBrokerRecord
            {
                BrokerId = nodeId,
                IncarnationId = Guid.NewGuid(),
                BrokerEpoch = epoch,
                EndPoints = [new RegisterBrokerRecord.BrokerEndpoint { Name = "PLAINTEXT", Host = host, Port = (ushort)port, SecurityProtocol = 0 }],
                Rack = rack,
                Fenced = false,
            };
            return new MetadataDecision<bool>([record], true);
        }, cancellation);
}
