namespace Kora.Broker.Partitions;

/// <summary>Kafka's onElection/onResignation: told when this broker starts or stops leading a hosted partition.</summary>
public interface ILeadershipListener
{
    void OnBecameLeader(Partition partition);

    void OnResigned(Partition partition);
}
