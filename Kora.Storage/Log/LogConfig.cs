namespace Kora.Storage.Log;

/// <summary>Per-partition log settings. Defaults are Kafka's topic defaults so an empty config behaves like Kafka.</summary>
public sealed record LogConfig
{
    public static LogConfig Default { get; } = new();

    /// <summary>segment.bytes. Capped at <see cref="int.MaxValue"/> because index positions are 32-bit.</summary>
    public long SegmentBytes { get; init; } = 1L << 30;

    /// <summary>segment.ms: roll a non-empty segment once it has been written to for this long.</summary>
    public long SegmentMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary>retention.ms, judged by a segment's largest timestamp; -1 keeps data forever.</summary>
    public long RetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary>retention.bytes for the whole partition; -1 means no size limit.</summary>
    public long RetentionBytes { get; init; } = -1;

    /// <summary>flush.messages: start an fsync once this many offsets are unflushed.</summary>
    public long FlushMessages { get; init; } = long.MaxValue;

    /// <summary>flush.ms: start an fsync once unflushed data is this old (checked by <see cref="PartitionLog.MaybeFlush"/>).</summary>
    public long FlushMs { get; init; } = long.MaxValue;

    /// <summary>index.interval.bytes: bytes of log between two offset index entries.</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary>max.message.bytes. Enforced by the request validator; kept here so the broker reads one config object.</summary>
    public int MaxMessageBytes { get; init; } = 1048588;

    public MessageTimestampType MessageTimestampType { get; init; } = MessageTimestampType.CreateTime;

    /// <summary>producer.id.expiration.ms (a broker setting): idle producer ids are forgotten after this long.</summary>
    public long ProducerIdExpirationMs { get; init; } = 86400000;

    /// <summary>cleanup.policy contains delete: retention.ms and retention.bytes remove old segments.</summary>
    public bool Delete { get; init; } = true;

    /// <summary>cleanup.policy contains compact: the log cleaner keeps the latest record per key.</summary>
    public bool Compact { get; init; }

    /// <summary>delete.retention.ms: how long a tombstone or an empty transaction's marker outlives the cleaning that found it.</summary>
    public long DeleteRetentionMs { get; init; } = 24L * 60 * 60 * 1000;

    /// <summary>min.cleanable.dirty.ratio: the dirty share of the log above which the cleaner compacts it.</summary>
    public double MinCleanableDirtyRatio { get; init; } = 0.5;

    /// <summary>min.compaction.lag.ms: records younger than this are not compacted.</summary>
    public long MinCompactionLagMs { get; init; }

    /// <summary>max.compaction.lag.ms: dirty records older than this make the log due for cleaning whatever its ratio.</summary>
    public long MaxCompactionLagMs { get; init; } = long.MaxValue;

    /// <summary>segment.index.bytes: caps the index data of the segments the cleaner merges into one.</summary>
    public int SegmentIndexBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>min.insync.replicas: the ISR size an acks=all produce needs. Kept here so the broker reads one config object.</summary>
    public int MinInsyncReplicas { get; init; } = 1;

    /// <summary>compression.type: the codec every data batch is stored in; null for <c>producer</c> (kept as sent).</summary>
    public Kora.Protocol.Records.CompressionCodec? CompressionType { get; init; }

    internal long EffectiveSegmentBytes => Math.Clamp(SegmentBytes, 1, int.MaxValue);
}
