using Kora.Metadata;
using Kora.Protocol.Messages;
using Kora.Protocol.MetadataRecords;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Partitions;

/// <summary>
/// Kafka's ReplicationControlManager.alterPartition: a partition leader asks to change its ISR (or to end
/// its leader recovery). The sender must hold the current broker epoch (else STALE_BROKER_EPOCH for the whole
/// request); each partition is checked against the leader and partition epochs the leader acted on, and
/// every new ISR member must be registered, unfenced, not shutting down and (v3) of the named broker epoch.
/// The change is one PartitionChangeRecord (partition epoch + 1, leader epoch unchanged) that may also
/// complete a reassignment; the answer carries the partition as it will be once committed.
/// </summary>
public static class AlterPartitionDecider
{
    public static MetadataDecision<AlterPartitionResponse> Decide(MetadataImage image, AlterPartitionRequest request, short version)
    {
        var response = new AlterPartitionResponse();
        if (!image.Brokers.TryGetValue(request.BrokerId, out var sender) || sender.Epoch != request.BrokerEpoch)
        {
            response.ErrorCode = (short)ErrorCode.StaleBrokerEpoch;
            return new MetadataDecision<AlterPartitionResponse>([], response);
        }
        var records = new List<IKafkaMessage>();
        foreach (var topicData in request.Topics)
        {
            var answer = new AlterPartitionResponse.TopicData { TopicName = topicData.TopicName ?? "", TopicId = topicData.TopicId };
            response.Topics.Add(answer);
            var topic = version > 1 ? image.Topic(topicData.TopicId) : image.Topic(topicData.TopicName ?? "");
            if (topic is null)
            {
                var unknown = version > 1 ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition;
                foreach (var partitionData in topicData.Partitions)
                {
                    answer.Partitions.Add(new AlterPartitionResponse.PartitionData { PartitionIndex = partitionData.PartitionIndex, ErrorCode = (short)unknown });
                }
                continue;
            }
            foreach (var partitionData in topicData.Partitions)
            {
                answer.Partitions.Add(DecidePartition(image, topic, request.BrokerId, partitionData, version, records));
            }
        }
        return new MetadataDecision<AlterPartitionResponse>(records, response);
    }

    private static AlterPartitionResponse.PartitionData DecidePartition(
        MetadataImage image, TopicImage topic, int brokerId, AlterPartitionRequest.PartitionData data, short version, List<IKafkaMessage> records)
    {
        var newIsr = version >= 3
            ? data.NewIsrWithEpochs.Select(b => (b.BrokerId, b.BrokerEpoch)).ToList()
            : data.NewIsr.Select(id => (BrokerId: id, BrokerEpoch: -1L)).ToList();
        var partition = data.PartitionIndex >= 0 && data.PartitionIndex < topic.Partitions.Length ? topic.Partitions[data.PartitionIndex] : null;
        var error = Validate(image, brokerId, partition, data, newIsr, version);
        if (error != ErrorCode.None)
        {
            return new AlterPartitionResponse.PartitionData { PartitionIndex = data.PartitionIndex, ErrorCode = (short)error };
        }
        var builder = new PartitionChangeBuilder(image, topic.Id, partition!)
        {
            Election = UncleanElection.For(image, topic),
            TargetIsr = newIsr.Select(b => b.BrokerId).ToArray(),
            TargetLeaderRecoveryState = (LeaderRecoveryState)data.LeaderRecoveryState,
        };
        var after = partition!;
        if (builder.Build() is { } change)
        {
            records.Add(change);
            after = MetadataImageBuilder.Apply(image, change, image.Offset).Topic(topic.Id)!.Partitions[partition!.Index];
            if (change.Leader != brokerId && change.Leader != MetadataImageBuilder.NoLeaderChange)
            {
                // Completing a reassignment moved leadership away from the sender: it must learn the new state from metadata.
                var moved = version > 1 ? ErrorCode.NewLeaderElected : ErrorCode.FencedLeaderEpoch;
                return new AlterPartitionResponse.PartitionData { PartitionIndex = data.PartitionIndex, ErrorCode = (short)moved };
            }
        }
        return new AlterPartitionResponse.PartitionData
        {
            PartitionIndex = data.PartitionIndex,
            LeaderId = after.Leader,
            LeaderEpoch = after.LeaderEpoch,
            Isr = [.. after.Isr],
            LeaderRecoveryState = (sbyte)after.LeaderRecoveryState,
            PartitionEpoch = after.PartitionEpoch,
        };
    }

    /// <summary>Kafka's validateAlterPartitionData, in its order.</summary>
    private static ErrorCode Validate(
        MetadataImage image, int brokerId, PartitionImage? partition, AlterPartitionRequest.PartitionData data, List<(int BrokerId, long BrokerEpoch)> newIsr, short version)
    {
        if (partition is null)
        {
            return ErrorCode.UnknownTopicOrPartition;
        }
        // Epochs ahead of this image mean this controller is behind, so it cannot be the active one any more.
        if (data.LeaderEpoch > partition.LeaderEpoch || data.PartitionEpoch > partition.PartitionEpoch)
        {
            return ErrorCode.NotController;
        }
        if (data.LeaderEpoch < partition.LeaderEpoch)
        {
            return ErrorCode.FencedLeaderEpoch;
        }
        if (brokerId != partition.Leader)
        {
            return ErrorCode.InvalidRequest;
        }
        if (data.PartitionEpoch < partition.PartitionEpoch)
        {
            return ErrorCode.InvalidUpdateVersion;
        }
        var ids = newIsr.Select(b => b.BrokerId).ToList();
        if (ids.Count == 0 || ids.Distinct().Count() != ids.Count || ids.Any(id => !partition.Replicas.Contains(id)) || !ids.Contains(partition.Leader))
        {
            return ErrorCode.InvalidRequest;
        }
        var recovery = data.LeaderRecoveryState;
        if (recovery is not ((sbyte)LeaderRecoveryState.Recovered or (sbyte)LeaderRecoveryState.Recovering))
        {
            return ErrorCode.InvalidRequest;
        }
        if (recovery == (sbyte)LeaderRecoveryState.Recovering && (ids.Count > 1 || partition.LeaderRecoveryState == LeaderRecoveryState.Recovered))
        {
            return ErrorCode.InvalidRequest;
        }
        foreach (var (id, epoch) in newIsr)
        {
            if (!image.Brokers.TryGetValue(id, out var broker) || broker.InControlledShutdown || broker.Fenced || (epoch != -1 && broker.Epoch != epoch))
            {
                return version > 1 ? ErrorCode.IneligibleReplica : ErrorCode.OperationNotAttempted;
            }
        }
        return ErrorCode.None;
    }
}
