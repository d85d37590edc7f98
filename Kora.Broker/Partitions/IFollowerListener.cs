namespace Kora.Broker.Partitions;

/// <summary>Told when this broker starts following a hosted partition's leader or stops (the replica fetchers).</summary>
public interface IFollowerListener
{
    /// <summary>The partition is to be fetched from <paramref name="leaderId"/> in <paramref name="leaderEpoch"/>.</summary>
    void OnFollow(Partition partition, int leaderId, int leaderEpoch);

    /// <summary>The partition is no longer fetched here (it is led here, offline, or gone).</summary>
    void OnStopFollowing(Partition partition);
}
