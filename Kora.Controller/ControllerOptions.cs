using Kora.Metadata.Configs;

namespace Kora.Controller;

/// <summary>
/// Controller settings, bound from the <c>Kora:Controller</c> configuration section (command line
/// <c>--Kora:Controller:NodeId=2</c>, environment <c>Kora__Controller__NodeId=2</c>, appsettings). Names
/// follow Kafka's controller settings; defaults are Kafka's.
/// </summary>
public sealed class ControllerOptions : ITopicConfigDefaults
{
    public const string SectionName = "Kora:Controller";

    /// <summary>Kafka's <c>node.id</c>: this controller's id in <see cref="QuorumVoters"/>.</summary>
    public int NodeId { get; set; } = 1;

    /// <summary>Where the metadata log (<c>__cluster_metadata-0</c>) and the quorum state live.</summary>
    public string DataDir { get; set; } = ".data/controller";

    /// <summary>The Kafka listener (host:port; port 0 picks a free one) for Raft RPCs, brokers and admin tools.</summary>
    public string Listener { get; set; } = "127.0.0.1:9093";

    /// <summary>Health, metrics and the debug view of the metadata image.</summary>
    public string HttpListener { get; set; } = "127.0.0.1:0";

    /// <summary>Kafka's <c>controller.quorum.voters</c>: <c>id@host:port</c> entries separated by commas.</summary>
    public string QuorumVoters { get; set; } = "1@127.0.0.1:9093";

    /// <summary>Checked on every Raft request and broker registration when set (Kafka's <c>cluster.id</c>).</summary>
    public string? ClusterId { get; set; }

    /// <summary><c>controller.quorum.election.timeout.ms</c>.</summary>
    public int ElectionTimeoutMs { get; set; } = 1000;

    /// <summary><c>controller.quorum.fetch.timeout.ms</c>.</summary>
    public int FetchTimeoutMs { get; set; } = 2000;

    /// <summary>
    /// Kora's fast failover: when the leader's connection is refused or reset, a voter stands for election (with
    /// pre-vote) after this delay plus up to as much again, instead of waiting out the fetch timeout. 0 is Kafka's behaviour.
    /// </summary>
    public int UnreachableLeaderTimeoutMs { get; set; } = 250;

    /// <summary><c>controller.quorum.election.backoff.max.ms</c>.</summary>
    public int ElectionBackoffMaxMs { get; set; } = 1000;

    /// <summary><c>controller.quorum.request.timeout.ms</c>.</summary>
    public int RequestTimeoutMs { get; set; } = 2000;

    /// <summary><c>controller.quorum.retry.backoff.ms</c>.</summary>
    public int RetryBackoffMs { get; set; } = 20;

    /// <summary><c>controller.quorum.append.linger.ms</c>: how long appended records wait to share an fsync.</summary>
    public int AppendLingerMs { get; set; } = 25;

    /// <summary><c>broker.session.timeout.ms</c>: a broker that has not heartbeated for this long is fenced.</summary>
    public int BrokerSessionTimeoutMs { get; set; } = 9000;

    /// <summary>
    /// Kora's fast fencing: when the connection that carried a broker's heartbeats closes (a killed process's
    /// sockets close at once) and no heartbeat arrives on another connection within this grace, the broker is
    /// fenced as if its session expired. 0 turns it off: only <see cref="BrokerSessionTimeoutMs"/> fences.
    /// </summary>
    public int BrokerConnectionCloseGraceMs { get; set; } = 500;

    /// <summary><c>broker.heartbeat.interval.ms</c>, told to brokers for reference; they heartbeat on their own schedule.</summary>
    public int BrokerHeartbeatIntervalMs { get; set; } = 2000;

    /// <summary><c>auto.leader.rebalance.enable</c>: periodically move leadership back to each partition's preferred replica.</summary>
    public bool AutoLeaderRebalanceEnable { get; set; } = true;

    /// <summary><c>leader.imbalance.check.interval.seconds</c>: how often leadership balance (and leaderless partitions of topics allowing unclean election) are checked.</summary>
    public int LeaderImbalanceCheckIntervalSeconds { get; set; } = 300;

    /// <summary><c>leader.imbalance.per.broker.percentage</c>: the share of a broker's preferred partitions led elsewhere above which they are rebalanced.</summary>
    public int LeaderImbalancePerBrokerPercentage { get; set; } = 10;

    /// <summary><c>metadata.log.max.record.bytes.between.snapshots</c>: committed record bytes after which the image is snapshotted.</summary>
    public long MetadataLogMaxRecordBytesBetweenSnapshots { get; set; } = 20L * 1024 * 1024;

    /// <summary>Kafka's <c>socket.request.max.bytes</c>.</summary>
    public int SocketRequestMaxBytes { get; set; } = 100 * 1024 * 1024;

    public long MaxInFlightBytesPerConnection { get; set; } = 64 * 1024 * 1024;

    // Defaults of topics created through this controller (Kafka's num.partitions, default.replication.factor, log.*).
    public int NumPartitions { get; set; } = 1;
    public short DefaultReplicationFactor { get; set; } = 1;
    public long LogSegmentBytes { get; set; } = 1L << 30;
    public long LogRetentionMs { get; set; } = 7L * 24 * 3600 * 1000;
    public long LogRetentionBytes { get; set; } = -1;
    public long LogSegmentMs { get; set; } = 7L * 24 * 3600 * 1000;
    public long LogFlushIntervalMessages { get; set; } = long.MaxValue;
    public long LogFlushIntervalMs { get; set; } = long.MaxValue;
    public int MessageMaxBytes { get; set; } = 1048588;

    /// <summary>min.insync.replicas: the default for topics that do not set it (Kafka's default is 1).</summary>
    public int MinInsyncReplicas { get; set; } = 1;
}
