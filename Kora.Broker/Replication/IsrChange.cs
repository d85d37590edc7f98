namespace Kora.Broker.Replication;

/// <summary>An ISR the leader asked the controller for (AlterPartition), with the partition epoch it was based on.</summary>
public sealed record IsrChange(int LeaderEpoch, int PartitionEpoch, int[] NewIsr, (int BrokerId, long BrokerEpoch)[] Members);
