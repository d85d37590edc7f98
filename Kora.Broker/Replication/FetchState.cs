using Kora.Broker.Partitions;

namespace Kora.Broker.Replication;

/// <summary>A partition a replica fetcher follows: the leader epoch it fetches in and when it may fetch again after an error.</summary>
internal sealed class FetchState(Partition partition, int leaderEpoch)
{
    public Partition Partition { get; } = partition;
    public int LeaderEpoch { get; } = leaderEpoch;
    public long DelayedUntilMs { get; set; }
}
