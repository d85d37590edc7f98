namespace Kora.Metadata;

/// <summary>One partition as the metadata log describes it: its replicas, ISR and leadership.</summary>
public sealed record PartitionImage(int Index, int[] Replicas, int[] Isr, int Leader, int LeaderEpoch, int PartitionEpoch);
