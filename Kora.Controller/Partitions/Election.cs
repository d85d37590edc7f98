namespace Kora.Controller.Partitions;

/// <summary>Kafka's PartitionChangeBuilder.Election: how a new leader may be chosen when one is needed.</summary>
public enum Election
{
    /// <summary>From the ISR only, keeping a leader that is still in the ISR and active.</summary>
    Online,

    /// <summary>Prefer the first replica in assignment order when it is in the ISR and active.</summary>
    Preferred,

    /// <summary>Like <see cref="Online"/>, but with no eligible ISR member any active replica may lead (data may be lost).</summary>
    Unclean,
}
