namespace Kora.Metadata.Configs;

/// <summary>
/// The server settings that supply topic config defaults (Kafka's <c>log.*</c> and <c>num.partitions</c>
/// family): a broker takes them from its options, a controller from its own static config.
/// </summary>
public interface ITopicConfigDefaults
{
    int NumPartitions { get; }
    short DefaultReplicationFactor { get; }
    long LogSegmentBytes { get; }
    long LogRetentionMs { get; }
    long LogRetentionBytes { get; }
    long LogSegmentMs { get; }
    long LogFlushIntervalMessages { get; }
    long LogFlushIntervalMs { get; }
    int MessageMaxBytes { get; }

    /// <summary>min.insync.replicas: the server-wide default of the topic config of that name.</summary>
    int MinInsyncReplicas { get; }
}
