namespace Kora.Raft.States;

/// <summary>What the leader knows of one replica from its fetches.</summary>
internal sealed class ReplicaProgress(int replicaId)
{
    public int ReplicaId { get; } = replicaId;

    /// <summary>The replica's fetch offset: its log end, fsynced for voters. -1 until it first fetches.</summary>
    public long EndOffset { get; set; } = -1;

    public long LastFetchMs { get; set; } = -1;
    public long LastCaughtUpMs { get; set; } = -1;

    /// <summary>
    /// The high watermark the last fetch response to this replica carried: a fetch with no new records still
    /// gets an answer at once when the high watermark has moved past it, so committed records are applied now
    /// rather than when the long poll ends.
    /// </summary>
    public long SentHighWatermark { get; set; } = -1;
}
