namespace Kora.Broker.Groups;

/// <summary>The coordinator's knobs, taken from <see cref="BrokerOptions"/> (Kafka's group.* and offsets.* settings).</summary>
public sealed record GroupSettings(
    int InitialRebalanceDelayMs = 3000,
    int MinSessionTimeoutMs = 6000,
    int MaxSessionTimeoutMs = 1800000,
    long OffsetsRetentionMs = 10080L * 60 * 1000,
    int MaxMetadataBytes = 4096,
    int ConsumerHeartbeatIntervalMs = 5000,
    int ConsumerSessionTimeoutMs = 45000)
{
    public static GroupSettings From(BrokerOptions options) => new(
        options.GroupInitialRebalanceDelayMs,
        options.GroupMinSessionTimeoutMs,
        options.GroupMaxSessionTimeoutMs,
        options.OffsetsRetentionMinutes * 60L * 1000,
        ConsumerHeartbeatIntervalMs: options.GroupConsumerHeartbeatIntervalMs,
        ConsumerSessionTimeoutMs: options.GroupConsumerSessionTimeoutMs);
}
