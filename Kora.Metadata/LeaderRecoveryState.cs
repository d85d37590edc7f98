namespace Kora.Metadata;

/// <summary>
/// Kafka's LeaderRecoveryState (KIP-704): a leader chosen by unclean election is RECOVERING until it has
/// made its log consistent and told the controller so with AlterPartition; meanwhile its ISR stays itself alone.
/// </summary>
public enum LeaderRecoveryState : sbyte
{
    Recovered = 0,
    Recovering = 1,
}
