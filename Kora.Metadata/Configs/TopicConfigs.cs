using System.Collections.Frozen;
using System.Globalization;

namespace Kora.Metadata.Configs;

/// <summary>
/// The topic configs Kora understands, with Kafka's names, types, defaults and limits. A topic's
/// effective config is its overrides from the metadata image over these defaults.
/// </summary>
public static class TopicConfigs
{
    public const string CleanupPolicy = "cleanup.policy";
    public const string CompressionType = "compression.type";
    public const string DeleteRetentionMs = "delete.retention.ms";
    public const string FileDeleteDelayMs = "file.delete.delay.ms";
    public const string FlushMessages = "flush.messages";
    public const string FlushMs = "flush.ms";
    public const string IndexIntervalBytes = "index.interval.bytes";
    public const string MaxCompactionLagMs = "max.compaction.lag.ms";
    public const string MaxMessageBytes = "max.message.bytes";
    public const string MessageTimestampType = "message.timestamp.type";
    public const string MessageTimestampBeforeMaxMs = "message.timestamp.before.max.ms";
    public const string MessageTimestampAfterMaxMs = "message.timestamp.after.max.ms";
    public const string MinCleanableDirtyRatio = "min.cleanable.dirty.ratio";
    public const string MinCompactionLagMs = "min.compaction.lag.ms";
    public const string MinInsyncReplicas = "min.insync.replicas";
    public const string Preallocate = "preallocate";
    public const string RetentionBytes = "retention.bytes";
    public const string RetentionMs = "retention.ms";
    public const string SegmentBytes = "segment.bytes";
    public const string SegmentIndexBytes = "segment.index.bytes";
    public const string SegmentJitterMs = "segment.jitter.ms";
    public const string SegmentMs = "segment.ms";
    public const string UncleanLeaderElectionEnable = "unclean.leader.election.enable";
    public const string RemoteStorageEnable = "remote.storage.enable";
    public const string LocalRetentionMs = "local.retention.ms";
    public const string LocalRetentionBytes = "local.retention.bytes";

    private static string L(long v) => v.ToString(CultureInfo.InvariantCulture);

    public static IReadOnlyList<ConfigDefinition> All { get; } =
    [
        new(CleanupPolicy, ConfigType.List, _ => "delete", "Retention policy for old segments: delete, compact, or both.", "log.cleanup.policy", AllowedValues: ["delete", "compact"]),
        new(CompressionType, ConfigType.String, _ => "producer", "Final compression type for the topic; producer keeps the producer's codec.", "compression.type", AllowedValues: ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]),
        new(DeleteRetentionMs, ConfigType.Long, _ => "86400000", "How long tombstones are kept for compacted topics.", "log.cleaner.delete.retention.ms", Min: 0),
        new(FileDeleteDelayMs, ConfigType.Long, _ => "60000", "Time to wait before deleting a file from the filesystem.", "log.segment.delete.delay.ms", Min: 0),
        new(FlushMessages, ConfigType.Long, o => L(o.LogFlushIntervalMessages), "Force an fsync after this many messages.", "log.flush.interval.messages", Min: 1),
        new(FlushMs, ConfigType.Long, o => L(o.LogFlushIntervalMs), "Force an fsync after this much time.", "log.flush.interval.ms", Min: 0),
        new(IndexIntervalBytes, ConfigType.Int, _ => "4096", "Bytes of log between offset index entries.", "log.index.interval.bytes", Min: 0),
        new(MaxCompactionLagMs, ConfigType.Long, _ => L(long.MaxValue), "Maximum time a message stays ineligible for compaction.", "log.cleaner.max.compaction.lag.ms", Min: 1),
        new(MaxMessageBytes, ConfigType.Int, o => L(o.MessageMaxBytes), "Largest record batch size allowed.", "message.max.bytes", Min: 0),
        new(MessageTimestampType, ConfigType.String, _ => "CreateTime", "Whether record timestamps are the producer's or the broker's append time.", "log.message.timestamp.type", AllowedValues: ["CreateTime", "LogAppendTime"]),
        new(MessageTimestampBeforeMaxMs, ConfigType.Long, _ => L(long.MaxValue), "Largest allowed lag of a record timestamp behind the broker's time.", "log.message.timestamp.before.max.ms", Min: 0),
        new(MessageTimestampAfterMaxMs, ConfigType.Long, _ => L(long.MaxValue), "Largest allowed lead of a record timestamp ahead of the broker's time.", "log.message.timestamp.after.max.ms", Min: 0),
        new(MinCleanableDirtyRatio, ConfigType.Double, _ => "0.5", "Dirty ratio above which the log cleaner compacts.", "log.cleaner.min.cleanable.ratio", Min: 0, Max: 1),
        new(MinCompactionLagMs, ConfigType.Long, _ => "0", "Minimum time a message stays uncompacted.", "log.cleaner.min.compaction.lag.ms", Min: 0),
        new(MinInsyncReplicas, ConfigType.Int, o => L(o.MinInsyncReplicas), "Replicas that must acknowledge an acks=all produce.", "min.insync.replicas", Min: 1),
        new(Preallocate, ConfigType.Boolean, _ => "false", "Preallocate segment files.", "log.preallocate"),
        new(RetentionBytes, ConfigType.Long, o => L(o.LogRetentionBytes), "Size a partition can grow to before old segments are deleted; -1 for no limit.", "log.retention.bytes"),
        new(RetentionMs, ConfigType.Long, o => L(o.LogRetentionMs), "Time a segment is kept before deletion; -1 for no limit.", "log.retention.ms", Min: -1),
        new(SegmentBytes, ConfigType.Int, o => L(o.LogSegmentBytes), "Segment file size.", "log.segment.bytes", Min: 14),
        new(SegmentIndexBytes, ConfigType.Int, _ => "10485760", "Size of an offset index file.", "log.index.size.max.bytes", Min: 4),
        new(SegmentJitterMs, ConfigType.Long, _ => "0", "Random jitter subtracted from segment.ms.", "log.roll.jitter.ms", Min: 0),
        new(SegmentMs, ConfigType.Long, o => L(o.LogSegmentMs), "Time after which a segment is rolled even if not full.", "log.roll.ms", Min: 1),
        new(UncleanLeaderElectionEnable, ConfigType.Boolean, _ => "false", "Allow out-of-sync replicas to become leader as a last resort.", "unclean.leader.election.enable"),
        new(RemoteStorageEnable, ConfigType.Boolean, _ => "false", "Offload closed segments to object storage.", "remote.log.storage.system.enable"),
        new(LocalRetentionMs, ConfigType.Long, _ => "-2", "Time to keep segments locally once offloaded; -2 follows retention.ms.", "log.local.retention.ms", Min: -2),
        new(LocalRetentionBytes, ConfigType.Long, _ => "-2", "Bytes to keep locally once offloaded; -2 follows retention.bytes.", "log.local.retention.bytes", Min: -2),
        new(ReplicationConfigs.LeaderThrottledReplicas, ConfigType.List, _ => "", "Replicas (partition:broker, or *) whose replication traffic is throttled on the leader side.", Validator: ReplicationConfigs.ValidateThrottledReplicas),
        new(ReplicationConfigs.FollowerThrottledReplicas, ConfigType.List, _ => "", "Replicas (partition:broker, or *) whose replication traffic is throttled on the follower side.", Validator: ReplicationConfigs.ValidateThrottledReplicas),
        new(KoraConfigs.PlacementCell, ConfigType.String, _ => "", "Kora: confine the topic's replicas to the brokers of this cell; empty places them on any broker."),
    ];

    public static FrozenDictionary<string, ConfigDefinition> ByName { get; } = All.ToFrozenDictionary(d => d.Name, StringComparer.Ordinal);

    /// <summary>Null if the override set is valid, otherwise the first problem.</summary>
    public static string? Validate(IEnumerable<KeyValuePair<string, string?>> overrides)
    {
        foreach (var (name, value) in overrides)
        {
            if (!ByName.TryGetValue(name, out var definition))
            {
                return $"Unknown topic config name: {name}";
            }
            if (definition.Validate(value) is { } problem)
            {
                return problem;
            }
        }
        return null;
    }

    public static string Effective(IReadOnlyDictionary<string, string> overrides, string name, ITopicConfigDefaults defaults) =>
        overrides.TryGetValue(name, out var value) ? value : ByName[name].Default(defaults);
}
