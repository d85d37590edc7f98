using Kora.Metadata;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Groups;

/// <summary>The per-partition checks OffsetCommit and TxnOffsetCommit share, in Kafka's order.</summary>
public static class OffsetCommitChecks
{
    public static ErrorCode Check(TopicImage? topic, int partition, string? metadata, int maxMetadataBytes)
    {
        if (topic is null || partition < 0 || partition >= topic.Partitions.Length)
        {
            return ErrorCode.UnknownTopicOrPartition;
        }
        return metadata is { Length: > 0 } && metadata.Length > maxMetadataBytes ? ErrorCode.OffsetMetadataTooLarge : ErrorCode.None;
    }
}
