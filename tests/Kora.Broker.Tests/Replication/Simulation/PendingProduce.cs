using Kora.Broker.Partitions;
using Kora.Broker.Replication;

namespace Kora.Broker.Tests.Replication.Simulation;

/// <summary>An acks=all produce appended by a leader and waiting for the high watermark (Kafka's DelayedProduce).</summary>
internal sealed record PendingProduce(int Value, long Offset, uint Crc, int Leader, int LeaderEpoch, Partition Partition, ReplicationWaiter Waiter, long DeadlineMs);
