using Kora.Controller.Partitions;
using Kora.Metadata;
using Kora.Protocol.Messages;
using Kora.Protocol.MetadataRecords;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Quorum;

public sealed partial class QuorumController
{
    private long _nextLeaderCheck = long.MaxValue;

    /// <summary>AlterPartition from a partition leader (<see cref="AlterPartitionDecider"/>), answered once committed.</summary>
    public Task<AlterPartitionResponse> AlterPartition(AlterPartitionRequest request, short version) =>
        Write(image => AlterPartitionDecider.Decide(image, request, version));

    /// <summary>ElectLeaders (<see cref="LeaderElections"/>), answered once the elections are committed.</summary>
    public Task<ElectLeadersResponse> ElectLeaders(ElectLeadersRequest request) =>
        Write(image => LeaderElections.Decide(image, request));

    /// <summary>AlterPartitionReassignments (<see cref="Reassignments.Alter"/>): every partition's change commits in one batch.</summary>
    public Task<AlterPartitionReassignmentsResponse> AlterPartitionReassignments(AlterPartitionReassignmentsRequest request) =>
        Write(image => Reassignments.Alter(image, request));

    /// <summary>ListPartitionReassignments, read from the committed image as Kafka answers reads.</summary>
    public Task<ListPartitionReassignmentsResponse> ListPartitionReassignments(ListPartitionReassignmentsRequest request) =>
        _active ? Task.FromResult(Reassignments.List(_committed, request)) : Task.FromException<ListPartitionReassignmentsResponse>(new NotControllerException());

    /// <summary>The periodic leadership check: preferred leaders back where they are imbalanced, and unclean elections where topics allow them.</summary>
    private void MaybeCheckLeaders(long now)
    {
        if (now < _nextLeaderCheck)
        {
            return;
        }
        _nextLeaderCheck = now + LeaderCheckIntervalMs;
        _ = CheckLeadersAsync();
    }

    private long LeaderCheckIntervalMs => Math.Max(1, _options.LeaderImbalanceCheckIntervalSeconds) * 1000L;

    private async Task CheckLeadersAsync()
    {
        try
        {
            var elected = await Write(image =>
            {
                var records = new List<IKafkaMessage>(PartitionLeadership.ElectUncleanLeaderless(image));
                if (_options.AutoLeaderRebalanceEnable)
                {
                    records.AddRange(LeaderRebalance.Decide(MetadataImageBuilder.ApplyAll(image, records), _options.LeaderImbalancePerBrokerPercentage));
                }
                return new MetadataDecision<int>(records, records.Count);
            }).ConfigureAwait(false);
            if (elected > 0)
            {
                Log.LeadersRebalanced(_logger, elected);
            }
        }
        catch (NotControllerException)
        {
            // The next active controller checks on its own schedule.
        }
    }
}
