using System.Collections.Frozen;
using System.Globalization;
using Kora.Metadata.Configs;

namespace Kora.Broker.Configs;

/// <summary>A broker config as DescribeConfigs reports it: Kafka's name and type, and its value from <see cref="BrokerOptions"/>.</summary>
public sealed record BrokerConfigDefinition(string Name, ConfigType Type, Func<BrokerOptions, string?> Value, string Documentation);

/// <summary>
/// The broker configs Kora reports, under Kafka's names: the settings of <see cref="BrokerOptions"/>, then
/// the broker-level synonym of every topic config, then the dynamic broker configs the controller accepts.
/// </summary>
public static class BrokerConfigs
{
    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string B(bool v) => v ? "true" : "false";

    private static readonly BrokerConfigDefinition[] Settings =
    [
        new("node.id", ConfigType.Int, o => I(o.NodeId), "The node ID of this server."),
        new("broker.id", ConfigType.Int, o => I(o.NodeId), "The broker id for this server; equal to node.id."),
        new("broker.rack", ConfigType.String, o => o.Rack, "Rack of the broker, used in rack-aware replica placement."),
        new("listeners", ConfigType.String, o => "PLAINTEXT://" + o.Listener, "The address the Kafka listener binds to."),
        new("advertised.listeners", ConfigType.String, o => o.AdvertisedListener is null ? null : "PLAINTEXT://" + o.AdvertisedListener, "The address clients are told to connect to, when different from listeners."),
        new("log.dirs", ConfigType.String, o => Path.GetFullPath(o.DataDir), "The directory in which the log data is kept."),
        new("auto.create.topics.enable", ConfigType.Boolean, o => B(o.AutoCreateTopicsEnable), "Enable auto creation of topics on the server."),
        new("num.partitions", ConfigType.Int, o => I(o.NumPartitions), "The default number of partitions per topic."),
        new("default.replication.factor", ConfigType.Int, o => I(o.DefaultReplicationFactor), "The default replication factor for automatically created topics."),
        new("socket.request.max.bytes", ConfigType.Int, o => I(o.SocketRequestMaxBytes), "The maximum number of bytes in a socket request."),
        new("message.max.bytes", ConfigType.Int, o => I(o.MessageMaxBytes), "The largest record batch size allowed."),
        new("min.insync.replicas", ConfigType.Int, o => I(o.MinInsyncReplicas), "The default number of in-sync replicas an acks=all produce needs."),
        new("log.segment.bytes", ConfigType.Int, o => I(o.LogSegmentBytes), "The maximum size of a single log file."),
        new("log.roll.ms", ConfigType.Long, o => I(o.LogSegmentMs), "The maximum time before a new log segment is rolled out."),
        new("log.retention.ms", ConfigType.Long, o => I(o.LogRetentionMs), "The number of milliseconds to keep a log file before deleting it; -1 for no limit."),
        new("log.retention.bytes", ConfigType.Long, o => I(o.LogRetentionBytes), "The maximum size of the log before deleting it; -1 for no limit."),
        new("log.retention.check.interval.ms", ConfigType.Long, o => I(o.LogRetentionCheckIntervalMs), "The frequency at which the log cleaner checks whether any log is eligible for deletion."),
        new("log.cleaner.enable", ConfigType.Boolean, o => B(o.LogCleanerEnable), "Enable the log cleaner process to run on the server."),
        new("log.cleaner.threads", ConfigType.Int, o => I(o.LogCleanerThreads), "The number of background threads to use for log cleaning."),
        new("log.cleaner.backoff.ms", ConfigType.Long, o => I(o.LogCleanerBackoffMs), "The amount of time to sleep when there are no logs to clean."),
        new("log.cleaner.dedupe.buffer.size", ConfigType.Long, o => I(o.LogCleanerDedupeBufferSize), "The total memory used for log deduplication across all cleaner threads."),
        new("log.cleaner.io.buffer.load.factor", ConfigType.Double, o => o.LogCleanerIoBufferLoadFactor.ToString(CultureInfo.InvariantCulture), "Log cleaner dedupe buffer load factor."),
        new("log.cleaner.io.max.bytes.per.second", ConfigType.Double, o => o.LogCleanerIoMaxBytesPerSecond.ToString("R", CultureInfo.InvariantCulture), "The log cleaner will be throttled so that the sum of its read and write i/o will be less than this value on average."),
        new("log.flush.interval.messages", ConfigType.Long, o => I(o.LogFlushIntervalMessages), "The number of messages accumulated on a log partition before messages are flushed to disk."),
        new("log.flush.interval.ms", ConfigType.Long, o => I(o.LogFlushIntervalMs), "The maximum time a message in any topic is kept in memory before being flushed to disk."),
        new("fetch.max.bytes", ConfigType.Int, o => I(o.FetchMaxBytes), "The maximum number of bytes returned for a fetch request."),
        new("max.incremental.fetch.session.cache.slots", ConfigType.Int, o => I(o.MaxIncrementalFetchSessionCacheSlots), "The maximum number of incremental fetch sessions maintained."),
        new("min.incremental.fetch.session.eviction.ms", ConfigType.Int, o => I(o.MinIncrementalFetchSessionEvictionMs), "The minimum time an incremental fetch session stays unused before a new session may evict it."),
        new("producer.id.expiration.ms", ConfigType.Int, o => I(o.ProducerIdExpirationMs), "The time in ms that a topic partition leader will wait before expiring producer IDs."),
        new("producer.id.expiration.check.interval.ms", ConfigType.Int, o => I(o.ProducerIdExpirationCheckIntervalMs), "The interval at which to remove producer IDs that have expired due to producer.id.expiration.ms passing."),
    ];

    public static IReadOnlyList<BrokerConfigDefinition> All { get; } = Settings
        .Concat(TopicConfigs.All
            .Where(d => d.BrokerSynonym is not null)
            .Select(d => new BrokerConfigDefinition(d.BrokerSynonym!, d.Type, o => d.Default(o), d.Documentation)))
        .Concat(ReplicationConfigs.DynamicBrokerConfigs.Select(d => new BrokerConfigDefinition(d.Name, d.Type, o => d.Default(o), d.Documentation)))
        .DistinctBy(d => d.Name, StringComparer.Ordinal)
        .ToArray();

    public static FrozenDictionary<string, BrokerConfigDefinition> ByName { get; } = All.ToFrozenDictionary(d => d.Name, StringComparer.Ordinal);
}
