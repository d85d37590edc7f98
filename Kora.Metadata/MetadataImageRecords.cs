using Kora.Protocol.MetadataRecords;
using Kora.Protocol.Primitives;

namespace Kora.Metadata;

/// <summary>
/// An image as the records that rebuild it (Kafka's MetadataImage.write): what a metadata snapshot
/// holds. Replaying them onto an empty image with <see cref="MetadataImageBuilder"/> gives the same image.
/// </summary>
public static class MetadataImageRecords
{
    public static List<IKafkaMessage> From(MetadataImage image)
    {
        var records = new List<IKafkaMessage>();
        foreach (var broker in image.Brokers.Values.OrderBy(b => b.Id))
        {
            records.Add(new RegisterBrokerRecord
            {
                BrokerId = broker.Id,
                IncarnationId = broker.IncarnationId,
                BrokerEpoch = broker.Epoch,
                EndPoints = broker.Endpoints.Count > 0
                    ? broker.Endpoints.Select(e => new RegisterBrokerRecord.BrokerEndpoint { Name = e.Name, Host = e.Host, Port = (ushort)e.Port, SecurityProtocol = e.SecurityProtocol }).ToList()
                    : [new RegisterBrokerRecord.BrokerEndpoint { Name = "PLAINTEXT", Host = broker.Host, Port = (ushort)broker.Port, SecurityProtocol = 0 }],
                Rack = broker.Rack,
                Fenced = broker.Fenced,
                InControlledShutdown = broker.InControlledShutdown,
            });
        }
        foreach (var (name, value) in image.BrokerConfigs.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            records.Add(new ConfigRecord { ResourceType = (sbyte)ConfigResourceType.Broker, ResourceName = "", Name = name, Value = value });
        }
        foreach (var (brokerId, configs) in image.PerBrokerConfigs.OrderBy(c => c.Key))
        {
            foreach (var (name, value) in configs.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                records.Add(new ConfigRecord { ResourceType = (sbyte)ConfigResourceType.Broker, ResourceName = MetadataImage.BrokerResourceName(brokerId), Name = name, Value = value });
            }
        }
        foreach (var topic in image.TopicsByName.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            records.Add(new TopicRecord { Name = topic.Name, TopicId = topic.Id });
            foreach (var partition in topic.Partitions)
            {
                records.Add(new PartitionRecord
                {
                    PartitionId = partition.Index,
                    TopicId = topic.Id,
                    Replicas = [.. partition.Replicas],
                    Isr = [.. partition.Isr],
                    Leader = partition.Leader,
                    LeaderEpoch = partition.LeaderEpoch,
                    PartitionEpoch = partition.PartitionEpoch,
                    AddingReplicas = [.. partition.AddingReplicas],
                    RemovingReplicas = [.. partition.RemovingReplicas],
                    LeaderRecoveryState = (sbyte)partition.LeaderRecoveryState,
                });
            }
            foreach (var (name, value) in topic.Configs.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                records.Add(new ConfigRecord { ResourceType = (sbyte)ConfigResourceType.Topic, ResourceName = topic.Name, Name = name, Value = value });
            }
        }
        if (image.NextProducerId > 0)
        {
            records.Add(new ProducerIdsRecord { BrokerId = -1, BrokerEpoch = -1, NextProducerId = image.NextProducerId });
        }
        return records;
    }
}
