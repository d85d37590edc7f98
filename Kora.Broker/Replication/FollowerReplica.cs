namespace Kora.Broker.Replication;

/// <summary>
/// The leader's view of one follower (Kafka's Replica): the log end it last fetched from, when it was last
/// caught up, and the broker epoch it fetched with (KIP-903). Guarded by the partition's replica lock.
/// </summary>
public sealed class FollowerReplica(int brokerId, long lastCaughtUpTimeMs)
{
    public int BrokerId { get; } = brokerId;

    /// <summary>The follower's log end offset, -1 until it fetches from this leader.</summary>
    public long LogEndOffset { get; set; } = -1;

    public long LastCaughtUpTimeMs { get; set; } = lastCaughtUpTimeMs;

    public long LastFetchTimeMs { get; set; }

    /// <summary>The leader's log end offset when the follower last fetched.</summary>
    public long LastFetchLeaderLogEndOffset { get; set; } = -1;

    public long BrokerEpoch { get; set; } = -1;

    /// <summary>
    /// Kafka's updateFollowerFetchState: a fetch at the leader's log end makes the follower caught up now; one
    /// at the log end of its previous fetch makes it caught up as of that previous fetch.
    /// </summary>
    public void RecordFetch(long fetchOffset, long leaderEndOffset, long brokerEpoch, long nowMs)
    {
        if (fetchOffset >= leaderEndOffset)
        {
            LastCaughtUpTimeMs = Math.Max(LastCaughtUpTimeMs, nowMs);
        }
        else if (fetchOffset >= LastFetchLeaderLogEndOffset && LastFetchLeaderLogEndOffset >= 0)
        {
            LastCaughtUpTimeMs = Math.Max(LastCaughtUpTimeMs, LastFetchTimeMs);
        }
        LogEndOffset = fetchOffset;
        LastFetchLeaderLogEndOffset = leaderEndOffset;
        LastFetchTimeMs = nowMs;
        if (brokerEpoch >= 0)
        {
            BrokerEpoch = brokerEpoch;
        }
    }
}
