namespace Kora.Broker.Groups.Consumer;

/// <summary>The state of a consumer-protocol group, named as Kafka reports it in ListGroups and ConsumerGroupDescribe.</summary>
public enum ConsumerGroupState
{
    Empty,

    /// <summary>The group epoch moved past the target assignment epoch: a new target is due.</summary>
    Assigning,

    /// <summary>Some member has not yet converged to the target assignment.</summary>
    Reconciling,
    Stable,
    Dead,
}
