using System.Globalization;

namespace Kora.Metadata.Configs;

/// <summary>
/// Kafka's replication throttle configs, as <c>kafka-reassign-partitions --throttle</c> sets them: per-topic
/// lists of the replicas whose traffic is throttled on the leader or follower side, and per-broker (or
/// cluster-default) rates in bytes per second. The controller stores them; brokers enforce them.
/// </summary>
public static class ReplicationConfigs
{
    public const string LeaderThrottledReplicas = "leader.replication.throttled.replicas";
    public const string FollowerThrottledReplicas = "follower.replication.throttled.replicas";
    public const string LeaderThrottledRate = "leader.replication.throttled.rate";
    public const string FollowerThrottledRate = "follower.replication.throttled.rate";

    /// <summary>The default rate: no throttle.</summary>
    public static readonly string UnlimitedRate = long.MaxValue.ToString(CultureInfo.InvariantCulture);

    /// <summary>Broker configs that may be set dynamically, per broker or as the cluster default (beside Kora's cell).</summary>
    public static IReadOnlyList<ConfigDefinition> DynamicBrokerConfigs { get; } =
    [
        new(LeaderThrottledRate, ConfigType.Long, _ => UnlimitedRate, "Bytes per second this broker may send to followers of throttled replicas (leader side).", Min: 0),
        new(FollowerThrottledRate, ConfigType.Long, _ => UnlimitedRate, "Bytes per second this broker may fetch for throttled replicas (follower side).", Min: 0),
        new(TopicConfigs.UncleanLeaderElectionEnable, ConfigType.Boolean, _ => "false", "Allow out-of-sync replicas to become leader as a last resort, for topics without an override."),
    ];

    /// <summary>Kafka's ThrottledReplicaListValidator: the literal <c>*</c>, or <c>partition:broker</c> entries separated by commas.</summary>
    public static string? ValidateThrottledReplicas(string name, string value)
    {
        var entries = value.Split(',');
        if (value.Trim() == "*" || entries.All(e => e.Trim() is var t && (t.Length == 0 || IsReplica(t))))
        {
            return null;
        }
        return $"Invalid value {value} for configuration {name}: {name} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...";
    }

    private static bool IsReplica(string entry)
    {
        var colon = entry.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < entry.Length - 1
            && !entry.AsSpan(0, colon).ContainsAnyExceptInRange('0', '9') && !entry.AsSpan(colon + 1).ContainsAnyExceptInRange('0', '9');
    }
}
