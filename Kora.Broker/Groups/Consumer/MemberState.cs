namespace Kora.Broker.Groups.Consumer;

/// <summary>Where a member stands in reconciling its current assignment with its target (Kafka's MemberState).</summary>
public enum MemberState : sbyte
{
    /// <summary>Owns exactly what the target gives it at its epoch, or waits for nothing.</summary>
    Stable = 0,

    /// <summary>Must give up partitions first; keeps its epoch until its heartbeat no longer reports them.</summary>
    UnrevokedPartitions = 1,

    /// <summary>Moved to the target epoch but some of its target partitions are still owned by others.</summary>
    UnreleasedPartitions = 2,
}
