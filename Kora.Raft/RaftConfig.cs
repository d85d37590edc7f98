namespace Kora.Raft;

/// <summary>
/// Static settings of one Raft replica of the <c>__cluster_metadata</c> partition. Timeouts follow
/// Kafka's <c>controller.quorum.*</c> settings; the defaults are Kafka's.
/// </summary>
public sealed class RaftConfig
{
    public const string MetadataTopicName = "__cluster_metadata";

    /// <summary>Kafka's fixed id of the metadata topic, Uuid(0, 1).</summary>
    public static readonly Guid MetadataTopicId = new([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], bigEndian: true);

    public required int NodeId { get; init; }

    /// <summary>The static voter set (controller.quorum.voters): 1, 3 or 5 node ids.</summary>
    public required IReadOnlyList<int> Voters { get; init; }

    /// <summary>Checked on every request when present, as Kafka does; null accepts any cluster.</summary>
    public string? ClusterId { get; init; }

    public int ElectionTimeoutMs { get; init; } = 1000;
    public int FetchTimeoutMs { get; init; } = 2000;
    public int ElectionBackoffMaxMs { get; init; } = 1000;

    /// <summary>The unit of the randomized exponential backoff after a lost election.</summary>
    public int ElectionBackoffBaseMs { get; init; } = 50;
    public int RetryBackoffMs { get; init; } = 20;

    /// <summary>
    /// Kora's fast failover: a voter whose connection to the leader is refused or reset (a leader process that
    /// died closes its sockets at once) starts a pre-vote after this delay, plus as much again at random, instead
    /// of waiting out the whole fetch timeout. Pre-vote keeps it harmless when only this voter lost the leader: the
    /// others still fetch from it and refuse. 0 turns it off (Kafka's behaviour).
    /// </summary>
    public int UnreachableLeaderTimeoutMs { get; init; } = 250;
    public int RequestTimeoutMs { get; init; } = 2000;

    /// <summary>How long the leader parks a fetch that has nothing new to return.</summary>
    public int FetchMaxWaitMs { get; init; } = 500;

    public int FetchMaxBytes { get; init; } = 8 * 1024 * 1024;
    public int FetchSnapshotMaxBytes { get; init; } = 1024 * 1024;

    /// <summary>How long appended data may wait for the leader's fsync; 0 flushes on the next poll.</summary>
    public int AppendLingerMs { get; init; }

    public bool IsVoter => Voters.Contains(NodeId);

    public int MajoritySize => Voters.Count / 2 + 1;

    /// <summary>Kafka resigns a leader that heard from no majority within 1.5 fetch timeouts.</summary>
    public int CheckQuorumTimeoutMs => (int)(FetchTimeoutMs * 1.5);

    /// <summary>The leader re-sends BeginQuorumEpoch to voters that have not fetched yet.</summary>
    public int BeginQuorumEpochTimeoutMs => Math.Max(1, FetchTimeoutMs / 2);

    public void Validate()
    {
        if (Voters.Count == 0 || Voters.Distinct().Count() != Voters.Count || Voters.Any(v => v < 0))
        {
            throw new ArgumentException("The voter set must hold distinct non-negative node ids.");
        }
        if (NodeId < 0)
        {
            throw new ArgumentException("The node id must not be negative.");
        }
        if (ElectionTimeoutMs <= 0 || FetchTimeoutMs <= 0 || RequestTimeoutMs <= 0 || FetchMaxWaitMs < 0)
        {
            throw new ArgumentException("Timeouts must be positive.");
        }
    }
}
