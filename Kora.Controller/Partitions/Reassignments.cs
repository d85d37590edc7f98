using Kora.Metadata;
using Kora.Protocol.Messages;
using Kora.Protocol.MetadataRecords;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Partitions;

/// <summary>
/// Kafka's KRaft partition reassignment (KIP-455). Starting one writes Replicas = target followed by the
/// replicas being removed, with AddingReplicas and RemovingReplicas; the brokers then host the added
/// replicas and the leader adds them to the ISR with AlterPartition, which completes the reassignment
/// (see <see cref="PartitionChangeBuilder"/>). A reassignment needing no new replica completes at once.
/// Cancelling (null replicas) goes back to the replicas before it; the answer lists each partition's outcome.
/// </summary>
public static class Reassignments
{
    public static MetadataDecision<AlterPartitionReassignmentsResponse> Alter(MetadataImage image, AlterPartitionReassignmentsRequest request)
    {
        var response = new AlterPartitionReassignmentsResponse();
        var records = new List<IKafkaMessage>();
        var current = image;
        foreach (var topic in request.Topics)
        {
            var answer = new AlterPartitionReassignmentsResponse.ReassignableTopicResponse { Name = topic.Name };
            response.Responses.Add(answer);
            foreach (var partition in topic.Partitions)
            {
                var (error, message, change) = AlterOne(current, topic.Name, partition.PartitionIndex, partition.Replicas?.ToArray());
                if (change is not null)
                {
                    // Later partitions of the request see this change, as the records apply in order.
                    records.Add(change);
                    current = MetadataImageBuilder.Apply(current, change, current.Offset);
                }
                answer.Partitions.Add(new AlterPartitionReassignmentsResponse.ReassignablePartitionResponse
                {
                    PartitionIndex = partition.PartitionIndex,
                    ErrorCode = (short)error,
                    ErrorMessage = message,
                });
            }
        }
        return new MetadataDecision<AlterPartitionReassignmentsResponse>(records, response);
    }

    /// <summary>Kafka's listPartitionReassignments: the ongoing ones, of every topic when <paramref name="request"/> names none.</summary>
    public static ListPartitionReassignmentsResponse List(MetadataImage image, ListPartitionReassignmentsRequest request)
    {
        var response = new ListPartitionReassignmentsResponse();
        IEnumerable<(TopicImage Topic, IEnumerable<int> Partitions)> wanted = request.Topics is null
            ? image.TopicsByName.Values.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => (t, t.Partitions.Select(p => p.Index)))
            : request.Topics.Select(t => (image.Topic(t.Name)!, (IEnumerable<int>)t.PartitionIndexes)).Where(t => t.Item1 is not null);
        foreach (var (topic, partitions) in wanted)
        {
            var ongoing = new ListPartitionReassignmentsResponse.OngoingTopicReassignment { Name = topic.Name };
            foreach (var index in partitions)
            {
                if (index >= 0 && index < topic.Partitions.Length && topic.Partitions[index] is { IsReassigning: true } partition)
                {
                    ongoing.Partitions.Add(new ListPartitionReassignmentsResponse.OngoingPartitionReassignment
                    {
                        PartitionIndex = index,
                        Replicas = [.. partition.Replicas],
                        AddingReplicas = [.. partition.AddingReplicas],
                        RemovingReplicas = [.. partition.RemovingReplicas],
                    });
                }
            }
            if (ongoing.Partitions.Count > 0)
            {
                response.Topics.Add(ongoing);
            }
        }
        return response;
    }

    private static (ErrorCode, string?, PartitionChangeRecord?) AlterOne(MetadataImage image, string topicName, int partitionId, int[]? target)
    {
        if (image.Topic(topicName) is not { } topic)
        {
            return (ErrorCode.UnknownTopicOrPartition, $"Unable to find a topic named {topicName}.", null);
        }
        if (partitionId < 0 || partitionId >= topic.Partitions.Length)
        {
            return (ErrorCode.UnknownTopicOrPartition, $"Unable to find partition {topicName}:{partitionId}.", null);
        }
        var partition = topic.Partitions[partitionId];
        return target is null ? Cancel(image, topic, partition) : Change(image, topic, partition, target);
    }

    /// <summary>Kafka's cancelPartitionReassignment with PartitionReassignmentRevert.</summary>
    private static (ErrorCode, string?, PartitionChangeRecord?) Cancel(MetadataImage image, TopicImage topic, PartitionImage partition)
    {
        if (!partition.IsReassigning)
        {
            return (ErrorCode.NoReassignmentInProgress, "No partition reassignment is in progress for this topic or partition.", null);
        }
        var replicas = partition.Replicas.Where(r => !partition.AddingReplicas.Contains(r)).ToArray();
        var isr = partition.Isr.Where(r => !partition.AddingReplicas.Contains(r)).ToArray();
        var unclean = UncleanElection.IsEnabled(image, topic);
        if (isr.Length == 0)
        {
            // Only added replicas were in sync: going back needs an unclean election among the original ones.
            if (!unclean)
            {
                return (ErrorCode.InvalidReplicaAssignment,
                    $"Unable to revert partition assignment for {topic.Name}:{partition.Index} because it would require an unclean leader election.", null);
            }
            isr = replicas;
        }
        var builder = new PartitionChangeBuilder(image, topic.Id, partition)
        {
            Election = unclean ? Election.Unclean : Election.Online,
            TargetIsr = isr,
            TargetReplicas = replicas,
            TargetAdding = [],
            TargetRemoving = [],
        };
        return (ErrorCode.None, null, builder.Build());
    }

    /// <summary>Kafka's changePartitionReassignment with PartitionReassignmentReplicas.</summary>
    private static (ErrorCode, string?, PartitionChangeRecord?) Change(MetadataImage image, TopicImage topic, PartitionImage partition, int[] target)
    {
        if (target.Length == 0)
        {
            return (ErrorCode.InvalidReplicaAssignment, "The manual partition assignment includes an empty replica list.", null);
        }
        foreach (var brokerId in target.Order())
        {
            if (!image.Brokers.ContainsKey(brokerId))
            {
                return (ErrorCode.InvalidReplicaAssignment, $"The manual partition assignment includes broker {brokerId}, but no such broker is registered.", null);
            }
        }
        if (target.Distinct().Count() != target.Length)
        {
            var duplicate = target.GroupBy(b => b).First(g => g.Count() > 1).Key;
            return (ErrorCode.InvalidReplicaAssignment, $"The manual partition assignment includes the broker {duplicate} more than once.", null);
        }
        // Each reassignment starts from the replicas the partition has now, including ones a previous reassignment was adding.
        var current = partition.Replicas;
        var removing = current.Where(r => !target.Contains(r)).ToArray();
        var adding = target.Where(r => !current.Contains(r)).ToArray();
        var builder = new PartitionChangeBuilder(image, topic.Id, partition)
        {
            Election = UncleanElection.For(image, topic),
            TargetReplicas = [.. target, .. removing],
            TargetAdding = adding,
            TargetRemoving = removing,
        };
        return (ErrorCode.None, null, builder.Build());
    }
}
