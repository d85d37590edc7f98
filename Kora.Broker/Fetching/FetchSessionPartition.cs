namespace Kora.Broker.Fetching;

/// <summary>
/// A partition in an incremental fetch session (KIP-227): what the client last asked for and what it was
/// last told, so an incremental response can leave out partitions with nothing new.
/// </summary>
public sealed class FetchSessionPartition(string topic, Guid topicId, int partition)
{
    /// <summary>The topic's name here; empty while the topic id of a v13+ fetch is not yet in this broker's metadata.</summary>
    public string Topic { get; set; } = topic;
    public Guid TopicId { get; } = topicId;
    public int Partition { get; } = partition;
    public long FetchOffset { get; set; }
    public int MaxBytes { get; set; }
    public int CurrentLeaderEpoch { get; set; } = -1;

    /// <summary>The epoch of the last batch the fetcher has (v12+), for a follower's divergence check (KIP-320).</summary>
    public int LastFetchedEpoch { get; set; } = -1;
    public long LastHighWatermark { get; set; } = -1;
    public long LastLogStartOffset { get; set; } = -1;

    /// <summary>The topic name as the client spelled it (before v13), echoed in the response.</summary>
    public string? ExternalName { get; set; }
}
