using System.Collections.Immutable;
using Kora.Protocol.MetadataRecords;
using Kora.Protocol.Primitives;

namespace Kora.Metadata;

/// <summary>Applies metadata records to an image, in the order the metadata log holds them.</summary>
public static class MetadataImageBuilder
{
    /// <summary>The PartitionChangeRecord leader value that leaves the leader (and its epoch) as it is.</summary>
    public const int NoLeaderChange = -2;

    public static MetadataImage Apply(MetadataImage image, IKafkaMessage record, long offset)
    {
        image = record switch
        {
            TopicRecord topic => image.WithTopic(new TopicImage(
                topic.Name, topic.TopicId, ImmutableArray<PartitionImage>.Empty, ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal))),
            PartitionRecord partition => ApplyPartition(image, partition),
            PartitionChangeRecord change => ApplyPartitionChange(image, change),
            RemoveTopicRecord remove => image.Topic(remove.TopicId) is { } removed ? image.WithoutTopic(removed) : image,
            ConfigRecord config => ApplyConfig(image, config),
            RegisterBrokerRecord broker => ApplyBroker(image, broker),
            FenceBrokerRecord fence => image.Brokers.TryGetValue(fence.Id, out var b) && b.Epoch == fence.Epoch
                ? image with { Brokers = image.Brokers.SetItem(fence.Id, b with { Fenced = true }) } : image,
            UnfenceBrokerRecord unfence => image.Brokers.TryGetValue(unfence.Id, out var u) && u.Epoch == unfence.Epoch
                ? image with { Brokers = image.Brokers.SetItem(unfence.Id, u with { Fenced = false }) } : image,
            BrokerRegistrationChangeRecord change => ApplyRegistrationChange(image, change),
            UnregisterBrokerRecord unregister => image.Brokers.TryGetValue(unregister.BrokerId, out var gone) && gone.Epoch == unregister.BrokerEpoch
                ? image with { Brokers = image.Brokers.Remove(unregister.BrokerId) } : image,
            ProducerIdsRecord ids => image with { NextProducerId = Math.Max(image.NextProducerId, ids.NextProducerId) },
            _ => image,
        };
        return image with { Offset = offset };
    }

    /// <summary>Applies records decided but not yet written (they get offsets when appended): the image as it will be.</summary>
    public static MetadataImage ApplyAll(MetadataImage image, IEnumerable<IKafkaMessage> records)
    {
        foreach (var record in records)
        {
            image = Apply(image, record, image.Offset);
        }
        return image;
    }

    private static MetadataImage ApplyPartition(MetadataImage image, PartitionRecord record)
    {
        if (image.Topic(record.TopicId) is not { } topic)
        {
            return image;
        }
        var partition = new PartitionImage(record.PartitionId, record.Replicas.ToArray(), record.Isr.ToArray(), record.Leader, record.LeaderEpoch, record.PartitionEpoch)
        {
            AddingReplicas = record.AddingReplicas.ToArray(),
            RemovingReplicas = record.RemovingReplicas.ToArray(),
            LeaderRecoveryState = (LeaderRecoveryState)record.LeaderRecoveryState,
        };
        var partitions = topic.Partitions;
        partitions = record.PartitionId < partitions.Length
            ? partitions.SetItem(record.PartitionId, partition)
            : partitions.Add(partition);
        return image.WithTopic(topic with { Partitions = partitions });
    }

    private static MetadataImage ApplyPartitionChange(MetadataImage image, PartitionChangeRecord change)
    {
        if (image.Topic(change.TopicId) is not { } topic || change.PartitionId >= topic.Partitions.Length)
        {
            return image;
        }
        var current = topic.Partitions[change.PartitionId];
        // Kafka's PartitionRegistration.merge: a present leader field bumps the leader epoch even when it names the
        // current leader (how a reassignment that removes replicas fences them); absent fields keep their value.
        var leaderSet = change.Leader != NoLeaderChange;
        var updated = current with
        {
            Replicas = change.Replicas?.ToArray() ?? current.Replicas,
            Isr = change.Isr?.ToArray() ?? current.Isr,
            Leader = leaderSet ? change.Leader : current.Leader,
            LeaderEpoch = leaderSet ? current.LeaderEpoch + 1 : current.LeaderEpoch,
            PartitionEpoch = current.PartitionEpoch + 1,
            AddingReplicas = change.AddingReplicas?.ToArray() ?? current.AddingReplicas,
            RemovingReplicas = change.RemovingReplicas?.ToArray() ?? current.RemovingReplicas,
            LeaderRecoveryState = change.LeaderRecoveryState == -1 ? current.LeaderRecoveryState : (LeaderRecoveryState)change.LeaderRecoveryState,
        };
        return image.WithTopic(topic with { Partitions = topic.Partitions.SetItem(change.PartitionId, updated) });
    }

    private static MetadataImage ApplyConfig(MetadataImage image, ConfigRecord record)
    {
        switch ((ConfigResourceType)record.ResourceType)
        {
            case ConfigResourceType.Topic when image.Topic(record.ResourceName) is { } topic:
                var configs = record.Value is null ? topic.Configs.Remove(record.Name) : topic.Configs.SetItem(record.Name, record.Value);
                return image.WithTopic(topic with { Configs = configs });
            case ConfigResourceType.Broker when record.ResourceName.Length > 0:
                if (!int.TryParse(record.ResourceName, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var brokerId))
                {
                    return image;
                }
                var own = image.PerBrokerConfigs.GetValueOrDefault(brokerId) ?? ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
                own = record.Value is null ? own.Remove(record.Name) : own.SetItem(record.Name, record.Value);
                return image with
                {
                    PerBrokerConfigs = own.IsEmpty ? image.PerBrokerConfigs.Remove(brokerId) : image.PerBrokerConfigs.SetItem(brokerId, own),
                };
            case ConfigResourceType.Broker:
                return image with
                {
                    BrokerConfigs = record.Value is null ? image.BrokerConfigs.Remove(record.Name) : image.BrokerConfigs.SetItem(record.Name, record.Value),
                };
            default:
                return image;
        }
    }

    private static MetadataImage ApplyBroker(MetadataImage image, RegisterBrokerRecord record)
    {
        var endpoint = record.EndPoints.Count > 0 ? record.EndPoints[0] : null;
        var broker = new BrokerImage(record.BrokerId, endpoint?.Host ?? "", endpoint?.Port ?? 0, record.Rack, record.Fenced, record.BrokerEpoch)
        {
            IncarnationId = record.IncarnationId,
            Endpoints = record.EndPoints.Select(e => new BrokerEndpoint(e.Name, e.Host, e.Port, e.SecurityProtocol)).ToArray(),
            InControlledShutdown = record.InControlledShutdown,
        };
        return image with { Brokers = image.Brokers.SetItem(record.BrokerId, broker) };
    }

    /// <summary>KRaft's BrokerRegistrationChangeRecord: a change of the fenced or controlled-shutdown state of one broker epoch.</summary>
    private static MetadataImage ApplyRegistrationChange(MetadataImage image, BrokerRegistrationChangeRecord change)
    {
        if (!image.Brokers.TryGetValue(change.BrokerId, out var broker) || broker.Epoch != change.BrokerEpoch)
        {
            return image;
        }
        // Kafka's BrokerRegistrationFencingChange: 1 fences, -1 unfences, 0 leaves it; InControlledShutdown 1 sets it, 0 leaves it.
        var fenced = change.Fenced switch { 1 => true, -1 => false, _ => broker.Fenced };
        var shuttingDown = change.InControlledShutdown == 1 || broker.InControlledShutdown;
        return image with { Brokers = image.Brokers.SetItem(change.BrokerId, broker with { Fenced = fenced, InControlledShutdown = shuttingDown }) };
    }
}
