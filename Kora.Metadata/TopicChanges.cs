using Kora.Metadata.Configs;
using Kora.Protocol.MetadataRecords;
using Kora.Protocol.Primitives;

namespace Kora.Metadata;

/// <summary>
/// The decisions behind CreateTopics, DeleteTopics, CreatePartitions and topic config changes: each
/// validates a request against the current image and returns the metadata records that carry it out
/// (none when it fails or only validates) with the answer to give. Whoever owns the metadata log (the
/// standalone broker or the controller leader) commits the records and answers once they are applied.
/// </summary>
public static class TopicChanges
{
    public static MetadataDecision<TopicChangeResult> Create(MetadataImage image, TopicSpec spec, ITopicConfigDefaults defaults, bool validateOnly)
    {
        var (result, records) = PlanCreate(image, spec, defaults);
        return new MetadataDecision<TopicChangeResult>(validateOnly || result.Error != ErrorCode.None ? [] : records, result);
    }

    private static (TopicChangeResult, List<IKafkaMessage>) PlanCreate(MetadataImage image, TopicSpec spec, ITopicConfigDefaults defaults)
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
        var cell = spec.Configs.LastOrDefault(c => c.Key == KoraConfigs.PlacementCell).Value;
        var usable = UsableBrokers(image, cell);
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
                if (!replicas.Any(r => IsActive(image, r)))
                {
                    return (TopicChangeResult.Failed(ErrorCode.InvalidReplicaAssignment, $"All brokers specified in the partition assignment for partition {p} are fenced or in controlled shutdown."), []);
                }
                replicaSets.Add(replicas);
            }
        }
        else
        {
            var partitions = spec.NumPartitions == -1 ? defaults.NumPartitions : spec.NumPartitions;
            var replicationFactor = spec.ReplicationFactor == -1 ? defaults.DefaultReplicationFactor : spec.ReplicationFactor;
            if (partitions <= 0)
            {
                return (TopicChangeResult.Failed(ErrorCode.InvalidPartitions, "Number of partitions must be larger than 0."), []);
            }
            if (replicationFactor <= 0)
            {
                return (TopicChangeResult.Failed(ErrorCode.InvalidReplicationFactor, "Replication factor must be larger than 0."), []);
            }
            if (replicationFactor > usable.Count)
            {
                return (TopicChangeResult.Failed(ErrorCode.InvalidReplicationFactor, $"Unable to replicate the partition {replicationFactor} time(s): The target replication factor of {replicationFactor} cannot be reached because only {usable.Count} broker(s) are registered{(cell is { Length: > 0 } ? $" in cell '{cell}'" : "")}."), []);
            }
            replicaSets = ReplicaPlacement.Assign(usable, partitions, replicationFactor, startIndex: image.TopicsByName.Count);
        }
        var topicId = Guid.NewGuid();
        var records = new List<IKafkaMessage> { new TopicRecord { Name = spec.Name, TopicId = topicId } };
        for (var p = 0; p < replicaSets.Count; p++)
        {
            records.Add(NewPartition(image, topicId, p, replicaSets[p]));
        }
        foreach (var (name, value) in spec.Configs)
        {
            records.Add(new ConfigRecord { ResourceType = (sbyte)ConfigResourceType.Topic, ResourceName = spec.Name, Name = name, Value = value });
        }
        var replicationFactorResult = (short)replicaSets[0].Length;
        return (new TopicChangeResult(ErrorCode.None, null, topicId, replicaSets.Count, replicationFactorResult), records);
    }

    /// <summary>A new partition's ISR is its active replicas and the first of them leads; offline (-1) when none is active.</summary>
    private static PartitionRecord NewPartition(MetadataImage image, Guid topicId, int partition, int[] replicas)
    {
        var isr = replicas.Where(r => IsActive(image, r)).ToList();
        return new PartitionRecord
        {
            PartitionId = partition,
            TopicId = topicId,
            Replicas = [.. replicas],
            Isr = isr.Count > 0 ? isr : [.. replicas],
            Leader = isr.Count > 0 ? isr[0] : -1,
            LeaderEpoch = 0,
            PartitionEpoch = 0,
        };
    }

    public static MetadataDecision<TopicChangeResult> Delete(MetadataImage image, string? name, Guid? id)
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
    }

    public static MetadataDecision<TopicChangeResult> CreatePartitions(MetadataImage image, string name, int count, List<int[]>? assignments, bool validateOnly)
    {
        if (image.Topic(name) is not { } topic)
        {
            return Fail(ErrorCode.UnknownTopicOrPartition, $"The topic '{name}' does not exist.");
        }
        var current = topic.Partitions.Length;
        if (count <= current)
        {
            return Fail(ErrorCode.InvalidPartitions,
                count == current ? $"Topic already has {current} partitions." : $"Topic currently has {current} partitions, which is higher than the requested {count}.");
        }
        var replicationFactor = topic.Partitions[0].Replicas.Length;
        var usable = UsableBrokers(image, topic.Configs.GetValueOrDefault(KoraConfigs.PlacementCell));
        List<int[]> sets;
        if (assignments is not null)
        {
            if (assignments.Count != count - current)
            {
                return Fail(ErrorCode.InvalidReplicaAssignment, $"Increasing the number of partitions by {count - current} but {assignments.Count} assignments provided.");
            }
            if (assignments.Any(a => a.Length != replicationFactor || a.Any(b => !image.Brokers.ContainsKey(b)) || a.Distinct().Count() != a.Length))
            {
                return Fail(ErrorCode.InvalidReplicaAssignment, "Invalid replica assignment.");
            }
            if (assignments.Any(a => !a.Any(r => IsActive(image, r))))
            {
                return Fail(ErrorCode.InvalidReplicaAssignment, "All brokers specified in a partition assignment are fenced or in controlled shutdown.");
            }
            sets = assignments;
        }
        else
        {
            if (replicationFactor > usable.Count)
            {
                return Fail(ErrorCode.InvalidReplicationFactor, "Not enough brokers for the topic's replication factor.");
            }
            sets = ReplicaPlacement.Assign(usable, count - current, replicationFactor, startIndex: current);
        }
        var records = new List<IKafkaMessage>();
        for (var i = 0; i < sets.Count; i++)
        {
            records.Add(NewPartition(image, topic.Id, current + i, sets[i]));
        }
        return new MetadataDecision<TopicChangeResult>(validateOnly ? [] : records, new TopicChangeResult(ErrorCode.None, null, topic.Id, count, (short)replicationFactor));
    }

    /// <summary>Replaces or edits a topic's config overrides; <paramref name="change"/> computes the new overrides from the old.</summary>
    public static MetadataDecision<TopicChangeResult> AlterTopicConfigs(
        MetadataImage image,
        string name,
        Func<IReadOnlyDictionary<string, string>, (Dictionary<string, string>? Overrides, string? Error)> change,
        bool validateOnly)
    {
        if (image.Topic(name) is not { } topic)
        {
            return Fail(ErrorCode.UnknownTopicOrPartition, $"Topic {name} does not exist.");
        }
        var (overrides, error) = change(topic.Configs);
        if (overrides is null)
        {
            return Fail(ErrorCode.InvalidConfig, error);
        }
        if (TopicConfigs.Validate(overrides!) is { } problem)
        {
            return Fail(ErrorCode.InvalidConfig, problem);
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
    }

    /// <summary>Unfenced brokers not shutting down, within <paramref name="cell"/> when one is named.</summary>
    public static List<PlacementBroker> UsableBrokers(MetadataImage image, string? cell) =>
        image.Brokers.Values
            .Where(b => !b.Fenced && !b.InControlledShutdown && (string.IsNullOrEmpty(cell) || image.CellOf(b.Id) == cell))
            .OrderBy(b => b.Id)
            .Select(b => new PlacementBroker(b.Id, b.Rack))
            .ToList();

    /// <summary>Kafka's ClusterControlManager.isActive: registered, unfenced and not in controlled shutdown.</summary>
    public static bool IsActive(MetadataImage image, int brokerId) =>
        image.Brokers.TryGetValue(brokerId, out var broker) && !broker.Fenced && !broker.InControlledShutdown;

    private static MetadataDecision<TopicChangeResult> Fail(ErrorCode error, string? message) => new([], TopicChangeResult.Failed(error, message));
}
