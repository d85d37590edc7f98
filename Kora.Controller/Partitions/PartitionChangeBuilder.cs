using Kora.Controller.Quorum;
using Kora.Metadata;
using Kora.Protocol.MetadataRecords;

namespace Kora.Controller.Partitions;

/// <summary>
/// Kafka's PartitionChangeBuilder: from a partition and the ISR, replicas and reassignment state wanted for
/// it, the one PartitionChangeRecord that gets there (or none when nothing changes). It completes a
/// reassignment once every target replica is in the ISR, elects a leader when the current one leaves the
/// ISR, is no longer active or a preferred election asks for it, and bumps the leader epoch when replicas
/// are removed so that they are fenced.
/// </summary>
public sealed class PartitionChangeBuilder(MetadataImage image, Guid topicId, PartitionImage partition)
{
    public Election Election { get; set; } = Election.Online;

    public int[]? TargetIsr { get; set; }

    public int[]? TargetReplicas { get; set; }

    public int[]? TargetAdding { get; set; }

    public int[]? TargetRemoving { get; set; }

    public LeaderRecoveryState? TargetLeaderRecoveryState { get; set; }

    public PartitionChangeRecord? Build()
    {
        var isr = TargetIsr ?? partition.Isr;
        var replicas = TargetReplicas ?? partition.Replicas;
        var adding = TargetAdding ?? partition.AddingReplicas;
        var removing = TargetRemoving ?? partition.RemovingReplicas;
        var recovery = TargetLeaderRecoveryState ?? partition.LeaderRecoveryState;
        CompleteReassignmentIfNeeded(ref isr, ref replicas, ref adding, ref removing);

        var record = new PartitionChangeRecord { TopicId = topicId, PartitionId = partition.Index };
        if (ShouldTryElection(isr, replicas))
        {
            var (leader, unclean) = ElectLeader(isr, replicas);
            if (leader != partition.Leader)
            {
                record.Leader = leader;
                if (unclean)
                {
                    // The new leader may lack committed records: it is the whole ISR until it has recovered.
                    record.Isr = [leader];
                    if (partition.LeaderRecoveryState != LeaderRecoveryState.Recovering)
                    {
                        record.LeaderRecoveryState = (sbyte)LeaderRecoveryState.Recovering;
                    }
                }
            }
        }
        if (record.Leader == MetadataImageBuilder.NoLeaderChange && partition.Replicas.Any(r => !replicas.Contains(r)))
        {
            // Removed replicas must stop acting on this partition: a new leader epoch fences them.
            record.Leader = partition.Leader;
        }
        // The ISR is never emptied: its last member stays so that it can lead again when it returns.
        if (record.Isr is null && isr.Length > 0 && !isr.SequenceEqual(partition.Isr))
        {
            record.Isr = [.. isr];
        }
        if (!replicas.SequenceEqual(partition.Replicas))
        {
            record.Replicas = [.. replicas];
        }
        if (!adding.SequenceEqual(partition.AddingReplicas))
        {
            record.AddingReplicas = [.. adding];
        }
        if (!removing.SequenceEqual(partition.RemovingReplicas))
        {
            record.RemovingReplicas = [.. removing];
        }
        if (record.LeaderRecoveryState == -1 && recovery != partition.LeaderRecoveryState)
        {
            record.LeaderRecoveryState = (sbyte)recovery;
        }
        var unchanged = record.Leader == MetadataImageBuilder.NoLeaderChange && record.Isr is null && record.Replicas is null
            && record.AddingReplicas is null && record.RemovingReplicas is null && record.LeaderRecoveryState == -1;
        return unchanged ? null : record;
    }

    /// <summary>Kafka's PartitionReassignmentReplicas.maybeCompleteReassignment.</summary>
    private static void CompleteReassignmentIfNeeded(ref int[] isr, ref int[] replicas, ref int[] adding, ref int[] removing)
    {
        if (adding.Length == 0 && removing.Length == 0)
        {
            return;
        }
        var remove = removing;
        var targetIsr = isr.Where(r => !remove.Contains(r)).ToArray();
        var targetReplicas = replicas.Where(r => !remove.Contains(r)).ToArray();
        var inSync = isr;
        if (targetIsr.Length == 0 || targetReplicas.Length == 0 || !targetReplicas.All(r => inSync.Contains(r)))
        {
            return;
        }
        isr = targetIsr;
        replicas = targetReplicas;
        adding = [];
        removing = [];
    }

    private bool ShouldTryElection(int[] isr, int[] replicas) =>
        !isr.Contains(partition.Leader)
        || !TopicChanges.IsActive(image, partition.Leader)
        || (Election == Election.Preferred && replicas.Length > 0 && partition.Leader != replicas[0]);

    private (int Leader, bool Unclean) ElectLeader(int[] isr, int[] replicas)
    {
        if (Election == Election.Preferred && replicas.Length > 0 && IsValidNewLeader(replicas[0], isr))
        {
            return (replicas[0], false);
        }
        if (IsValidNewLeader(partition.Leader, isr))
        {
            return (partition.Leader, false);
        }
        foreach (var replica in replicas)
        {
            if (IsValidNewLeader(replica, isr))
            {
                return (replica, false);
            }
        }
        if (Election == Election.Unclean)
        {
            foreach (var replica in replicas)
            {
                if (TopicChanges.IsActive(image, replica))
                {
                    return (replica, true);
                }
            }
        }
        return (PartitionLeadership.NoLeader, false);
    }

    private bool IsValidNewLeader(int replica, int[] isr) => isr.Contains(replica) && TopicChanges.IsActive(image, replica);
}
