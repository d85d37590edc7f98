using Kora.Metadata.Configs;

namespace Kora.Broker;

/// <summary>
/// Broker settings, bound from the <c>Kora:Broker</c> configuration section (appsettings, environment
/// variables such as <c>Kora__Broker__DataDir</c>, or <c>--Kora:Broker:DataDir=...</c> on the command line).
/// Topic-level defaults use Kafka's names and meanings.
/// </summary>
public sealed class BrokerOptions : ITopicConfigDefaults
{
    public const string SectionName = "Kora:Broker";

    public int NodeId { get; set; } = 1;

    /// <summary>Kafka listener, host:port. Port 0 picks a free port, reported on the ready line.</summary>
    public string Listener { get; set; } = "127.0.0.1:9092";

    /// <summary>Host:port that clients are told to connect to; defaults to the bound listener.</summary>
    public string? AdvertisedListener { get; set; }

    /// <summary>HTTP listener for /health, /alive and /metrics.</summary>
    public string HttpListener { get; set; } = "127.0.0.1:0";

    public string DataDir { get; set; } = ".data/broker-1";

    public string ClusterId { get; set; } = "";

    public string? Rack { get; set; }

    /// <summary>
    /// Kafka's <c>controller.quorum.voters</c> (<c>id@host:port,...</c>). When set the broker joins that
    /// controller quorum (cluster mode): it follows the metadata log as an observer and sends every
    /// metadata change to the active controller. When empty it is a single-node cluster of its own.
    /// </summary>
    public string? ControllerQuorumVoters { get; set; }

    /// <summary>The cell this broker belongs to, registered as its <c>kora.broker.cell</c> config in cluster mode.</summary>
    public string? Cell { get; set; }

    /// <summary>broker.heartbeat.interval.ms: how often a registered broker renews its lease with the controller.</summary>
    public int BrokerHeartbeatIntervalMs { get; set; } = 2000;

    /// <summary>How long a stopping broker waits for the controller to move its leaderships away (controlled shutdown).</summary>
    public int ControlledShutdownTimeoutMs { get; set; } = 10_000;

    /// <summary>How long a request forwarded to the controller may take, retries at a new leader included.</summary>
    public int ControllerRequestTimeoutMs { get; set; } = 30_000;

    /// <summary>metadata.log.max.record.bytes.between.snapshots: how often an observer snapshots its image.</summary>
    public long MetadataLogMaxRecordBytesBetweenSnapshots { get; set; } = 20L * 1024 * 1024;

    /// <summary>replica.lag.time.max.ms: a follower that has not caught up with the leader for this long leaves the ISR.</summary>
    public int ReplicaLagTimeMaxMs { get; set; } = 30_000;

    /// <summary>replica.fetch.wait.max.ms: how long a follower's fetch waits at the leader for new data.</summary>
    public int ReplicaFetchWaitMaxMs { get; set; } = 500;

    /// <summary>replica.fetch.max.bytes: bytes a follower asks for per partition in one fetch.</summary>
    public int ReplicaFetchMaxBytes { get; set; } = 1024 * 1024;

    /// <summary>replica.fetch.response.max.bytes: bytes a follower asks for per fetch.</summary>
    public int ReplicaFetchResponseMaxBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>replica.high.watermark.checkpoint.interval.ms: how often the hosted partitions' high watermarks are written to disk.</summary>
    public int ReplicaHighWatermarkCheckpointIntervalMs { get; set; } = 5000;

    /// <summary>replica.fetch.backoff.ms: the pause after a fetch from a leader failed.</summary>
    public int ReplicaFetchBackoffMs { get; set; } = 1000;

    /// <summary>
    /// Kafka's replica.selector.class: empty reads from the leader only; <c>rack-aware</c> (Kafka's
    /// RackAwareReplicaSelector) points a consumer that names its rack at an in-sync replica in that rack (KIP-392).
    /// </summary>
    public string ReplicaSelector { get; set; } = "";

    public bool IsClusterMode => !string.IsNullOrWhiteSpace(ControllerQuorumVoters);

    public bool AutoCreateTopicsEnable { get; set; } = true;

    public int NumPartitions { get; set; } = 1;

    public short DefaultReplicationFactor { get; set; } = 1;

    public int SocketRequestMaxBytes { get; set; } = 100 * 1024 * 1024;

    /// <summary>Bytes of requests read but not yet answered per connection before reading pauses.</summary>
    public int MaxInFlightBytesPerConnection { get; set; } = 64 * 1024 * 1024;

    public long LogSegmentBytes { get; set; } = 1L << 30;

    public long LogRetentionMs { get; set; } = 7L * 24 * 3600 * 1000;

    public long LogRetentionBytes { get; set; } = -1;

    public long LogSegmentMs { get; set; } = 7L * 24 * 3600 * 1000;

    public long LogFlushIntervalMessages { get; set; } = long.MaxValue;

    public long LogFlushIntervalMs { get; set; } = long.MaxValue;

    public int MessageMaxBytes { get; set; } = 1048588;

    /// <summary>min.insync.replicas: the default for topics that do not set it (Kafka's default is 1).</summary>
    public int MinInsyncReplicas { get; set; } = 1;

    public long LogRetentionCheckIntervalMs { get; set; } = 5 * 60 * 1000;

    /// <summary>log.cleaner.enable: run the log cleaner for topics with cleanup.policy=compact.</summary>
    public bool LogCleanerEnable { get; set; } = true;

    /// <summary>log.cleaner.threads.</summary>
    public int LogCleanerThreads { get; set; } = 1;

    /// <summary>log.cleaner.backoff.ms: the pause after a pass that found no log to clean.</summary>
    public long LogCleanerBackoffMs { get; set; } = 15 * 1000;

    /// <summary>log.cleaner.dedupe.buffer.size: memory for the key-to-offset maps of all cleaner threads together.</summary>
    public long LogCleanerDedupeBufferSize { get; set; } = 128L * 1024 * 1024;

    /// <summary>log.cleaner.io.buffer.load.factor: how full a dedupe map may get.</summary>
    public double LogCleanerIoBufferLoadFactor { get; set; } = 0.9;

    /// <summary>log.cleaner.io.max.bytes.per.second: read and write budget of all cleaner threads together.</summary>
    public double LogCleanerIoMaxBytesPerSecond { get; set; } = double.MaxValue;

    public int FetchMaxBytes { get; set; } = 55 * 1024 * 1024;

    public int MaxIncrementalFetchSessionCacheSlots { get; set; } = 1000;

    /// <summary>
    /// min.incremental.fetch.session.eviction.ms: a fetch session unused this long may be evicted by any new one;
    /// before that only a follower's session may evict a consumer's.
    /// </summary>
    public int MinIncrementalFetchSessionEvictionMs { get; set; } = 120_000;

    /// <summary>group.initial.rebalance.delay.ms: how long the first rebalance of an empty group waits for more members.</summary>
    public int GroupInitialRebalanceDelayMs { get; set; } = 3000;

    public int GroupMinSessionTimeoutMs { get; set; } = 6000;

    public int GroupMaxSessionTimeoutMs { get; set; } = 1800000;

    /// <summary>group.consumer.heartbeat.interval.ms: how often members of consumer-protocol groups (KIP-848) heartbeat.</summary>
    public int GroupConsumerHeartbeatIntervalMs { get; set; } = 5000;

    /// <summary>group.consumer.session.timeout.ms: a consumer-protocol member silent this long is fenced.</summary>
    public int GroupConsumerSessionTimeoutMs { get; set; } = 45000;

    /// <summary>offsets.retention.minutes: offsets of an empty group expire this long after it became empty.</summary>
    public long OffsetsRetentionMinutes { get; set; } = 10080;

    /// <summary>offsets.retention.check.interval.ms.</summary>
    public long OffsetsRetentionCheckIntervalMs { get; set; } = 600000;

    /// <summary>offsets.topic.num.partitions: partitions of __consumer_offsets.</summary>
    public int OffsetsTopicNumPartitions { get; set; } = 50;

    /// <summary>
    /// offsets.topic.replication.factor: replicas of __consumer_offsets. As in Kafka the topic is not created
    /// (the coordinator is not available) until that many brokers are registered; a standalone broker uses
    /// at most the brokers it has.
    /// </summary>
    public short OffsetsTopicReplicationFactor { get; set; } = 3;

    /// <summary>min.insync.replicas set on __consumer_offsets when it is created with more than one replica.</summary>
    public int OffsetsTopicMinIsr { get; set; } = 2;

    /// <summary>offsets.commit.timeout.ms: how long an offset commit or group write waits for its replicas.</summary>
    public int OffsetsCommitTimeoutMs { get; set; } = 5000;

    /// <summary>transaction.state.log.num.partitions: partitions of __transaction_state.</summary>
    public int TransactionStateLogNumPartitions { get; set; } = 50;

    /// <summary>transaction.state.log.replication.factor: replicas of __transaction_state, as for the offsets topic.</summary>
    public short TransactionStateLogReplicationFactor { get; set; } = 3;

    /// <summary>transaction.state.log.min.isr: min.insync.replicas of __transaction_state.</summary>
    public int TransactionStateLogMinIsr { get; set; } = 2;

    /// <summary>
    /// request.timeout.ms as the transaction coordinator uses it: how long a transaction state write or a
    /// transaction marker waits for its replicas.
    /// </summary>
    public int TransactionStateWriteTimeoutMs { get; set; } = 30000;

    /// <summary>transaction.max.timeout.ms: the longest transaction timeout a producer may ask for.</summary>
    public int TransactionMaxTimeoutMs { get; set; } = 900000;

    /// <summary>transactional.id.expiration.ms: how long a transactional id without a transaction is remembered.</summary>
    public long TransactionalIdExpirationMs { get; set; } = 604800000;

    /// <summary>transaction.abort.timed.out.transaction.cleanup.interval.ms: how often transactions past their timeout are aborted.</summary>
    public int TransactionAbortTimedOutTransactionCleanupIntervalMs { get; set; } = 10000;

    /// <summary>transaction.remove.expired.transaction.cleanup.interval.ms: how often expired transactional ids are removed.</summary>
    public int TransactionRemoveExpiredTransactionCleanupIntervalMs { get; set; } = 3600000;

    /// <summary>producer.id.expiration.ms: a partition forgets a producer id whose last batch is older than this (never one mid-transaction).</summary>
    public long ProducerIdExpirationMs { get; set; } = 86400000;

    /// <summary>producer.id.expiration.check.interval.ms: how often idle producer ids are looked for.</summary>
    public long ProducerIdExpirationCheckIntervalMs { get; set; } = 600000;
}
