namespace Kora.Metadata;

/// <summary>Kafka's config resource types, as used in ConfigRecord and the config APIs.</summary>
public enum ConfigResourceType : sbyte
{
    Unknown = 0,
    Topic = 2,
    Broker = 4,
    BrokerLogger = 8,
}
