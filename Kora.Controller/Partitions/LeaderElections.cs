using Kora.Controller.Quorum;
using Kora.Metadata;
using Kora.Protocol.Messages;
using Kora.Protocol.MetadataRecords;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Partitions;

/// <summary>
/// Kafka's ReplicationControlManager.electLeaders (ElectLeaders, KIP-460). PREFERRED moves leadership to the
/// first replica when it is active and in the ISR; UNCLEAN elects a leader for a partition that has none,
/// from the ISR if it can and else from any active replica. A partition already as asked is
/// ELECTION_NOT_NEEDED, and when every partition is asked for (null topic list) those are left out of the answer.
/// </summary>
public static class LeaderElections
{
    public const sbyte Preferred = 0;
    public const sbyte Unclean = 1;

    public static MetadataDecision<ElectLeadersResponse> Decide(MetadataImage image, ElectLeadersRequest request)
    {
        var response = new ElectLeadersResponse();
        if (request.ElectionType is not (Preferred or Unclean))
        {
            return new MetadataDecision<ElectLeadersResponse>([], Failed(request, ErrorCode.InvalidRequest, $"Unknown election type {request.ElectionType}"));
        }
        var records = new List<IKafkaMessage>();
        // Each election sees the ones before it, as the records will apply in order.
        var current = image;
        (ErrorCode, string?) Elect(string topic, int partitionId)
        {
            var (error, message, change) = ElectOne(current, topic, partitionId, request.ElectionType);
            if (change is not null)
            {
                records.Add(change);
                current = MetadataImageBuilder.Apply(current, change, current.Offset);
            }
            return (error, message);
        }
        if (request.TopicPartitions is null)
        {
            foreach (var topic in image.TopicsByName.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                var results = new ElectLeadersResponse.ReplicaElectionResult { Topic = topic.Name };
                response.ReplicaElectionResults.Add(results);
                foreach (var partition in topic.Partitions)
                {
                    var (error, message) = Elect(topic.Name, partition.Index);
                    if (error != ErrorCode.ElectionNotNeeded)
                    {
                        results.PartitionResult.Add(new ElectLeadersResponse.PartitionResult { PartitionId = partition.Index, ErrorCode = (short)error, ErrorMessage = message });
                    }
                }
            }
            return new MetadataDecision<ElectLeadersResponse>(records, response);
        }
        foreach (var requested in request.TopicPartitions)
        {
            var results = new ElectLeadersResponse.ReplicaElectionResult { Topic = requested.Topic };
            response.ReplicaElectionResults.Add(results);
            foreach (var partitionId in requested.Partitions)
            {
                var (error, message) = Elect(requested.Topic, partitionId);
                results.PartitionResult.Add(new ElectLeadersResponse.PartitionResult { PartitionId = partitionId, ErrorCode = (short)error, ErrorMessage = message });
            }
        }
        return new MetadataDecision<ElectLeadersResponse>(records, response);
    }

    /// <summary>The answer to a request refused as a whole: every partition it names carries the error (Kafka's ElectLeadersRequest.getErrorResponse).</summary>
    public static ElectLeadersResponse Failed(ElectLeadersRequest request, ErrorCode error, string? message)
    {
        var response = new ElectLeadersResponse { ErrorCode = (short)error };
        foreach (var topic in request.TopicPartitions ?? [])
        {
            response.ReplicaElectionResults.Add(new ElectLeadersResponse.ReplicaElectionResult
            {
                Topic = topic.Topic,
                PartitionResult = topic.Partitions.Select(p => new ElectLeadersResponse.PartitionResult { PartitionId = p, ErrorCode = (short)error, ErrorMessage = message }).ToList(),
            });
        }
        return response;
    }

    private static (ErrorCode, string?, PartitionChangeRecord?) ElectOne(MetadataImage image, string topicName, int partitionId, sbyte electionType)
    {
        if (image.Topic(topicName) is not { } topic)
        {
            return (ErrorCode.UnknownTopicOrPartition, $"No such topic as {topicName}", null);
        }
        if (partitionId < 0 || partitionId >= topic.Partitions.Length)
        {
            return (ErrorCode.UnknownTopicOrPartition, $"No such partition as {topicName}-{partitionId}", null);
        }
        var partition = topic.Partitions[partitionId];
        if ((electionType == Preferred && partition.Leader == partition.PreferredLeader) || (electionType == Unclean && partition.Leader != PartitionLeadership.NoLeader))
        {
            return (ErrorCode.ElectionNotNeeded, "Leader election not needed for topic partition.", null);
        }
        var builder = new PartitionChangeBuilder(image, topic.Id, partition) { Election = electionType == Preferred ? Election.Preferred : Election.Unclean };
        if (builder.Build() is not { } change)
        {
            return electionType == Preferred
                ? (ErrorCode.PreferredLeaderNotAvailable, $"Failed to elect leader for partition {topicName}-{partitionId}: the preferred replica is not active or not in the ISR.", null)
                : (ErrorCode.EligibleLeadersNotAvailable, $"Failed to elect leader for partition {topicName}-{partitionId}: no replica is active.", null);
        }
        return (ErrorCode.None, null, change);
    }
}
