namespace Kora.Broker.Groups;

/// <summary>The classic group states, named as Kafka reports them in DescribeGroups and ListGroups.</summary>
public enum GroupState
{
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}
