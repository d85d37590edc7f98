using Kora.Broker.Partitions;

namespace Kora.Broker.Replication;

/// <summary>A partition a replica fetcher follows: the leader epoch it fetches in and when it may fetch again after an error, whether it has caught up.</summary>
internal sealed class FetchState(Partition partition, int leaderEpoch)
{
    public Partition Partition { get; } = partition;
    public int LeaderEpoch { get; } = leaderEpoch;
    public long DelayedUntilMs { get; set; }

    /// <summary>The local log had reached the leader's high watermark at the last fetch: Kafka's isReplicaInSync, exempt from the follower throttle.</summary>
    public bool CaughtUp { get; set; }
}
