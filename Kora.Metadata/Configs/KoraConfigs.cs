namespace Kora.Metadata.Configs;

/// <summary>
/// Kora's own config names, beside Kafka's. A broker's cell is a dynamic per-broker config (set with
/// IncrementalAlterConfigs on resource BROKER "&lt;id&gt;", stored as a ConfigRecord), because Kafka's
/// BrokerRegistration has no field for it; a topic confined to one cell says so in a topic config.
/// </summary>
public static class KoraConfigs
{
    /// <summary>Per-broker config: the cell (a group of brokers that tenants are placed on) this broker belongs to.</summary>
    public const string BrokerCell = "kora.broker.cell";

    /// <summary>Topic config: place every replica of the topic on brokers of this cell; empty means any broker.</summary>
    public const string PlacementCell = "kora.placement.cell";
}
