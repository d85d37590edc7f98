namespace Kora.Metadata;

/// <summary>One partition as the metadata log describes it: its replicas, ISR and leadership.</summary>
public sealed record PartitionImage(int Index, int[] Replicas, int[] Isr, int Leader, int LeaderEpoch, int PartitionEpoch)
{
    /// <summary>Replicas an ongoing reassignment adds: they are in <see cref="Replicas"/> and catch up before it completes.</summary>
    public int[] AddingReplicas { get; init; } = [];

    /// <summary>Replicas an ongoing reassignment removes once every target replica is in the ISR.</summary>
    public int[] RemovingReplicas { get; init; } = [];

    public LeaderRecoveryState LeaderRecoveryState { get; init; }

    public bool IsReassigning => AddingReplicas.Length > 0 || RemovingReplicas.Length > 0;

    /// <summary>The first replica in assignment order, which leadership returns to when it can.</summary>
    public int PreferredLeader => Replicas.Length > 0 ? Replicas[0] : -1;
}
