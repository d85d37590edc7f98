using Kora.Broker.Partitions;
using Kora.Broker.Replication;

namespace Kora.Broker.Tests.Replication.Simulation;

/// <summary>An AlterPartition sent by a leader and not yet decided by the controller.</summary>
internal sealed record PendingIsrChange(int BrokerId, long BrokerEpoch, Partition Partition, IsrChange Change);
