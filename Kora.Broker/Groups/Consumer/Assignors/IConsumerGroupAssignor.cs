namespace Kora.Broker.Groups.Consumer.Assignors;

/// <summary>A server-side assignor, chosen by the members' ServerAssignor (Kafka's ConsumerGroupPartitionAssignor).</summary>
public interface IConsumerGroupAssignor
{
    string Name { get; }

    /// <summary>The target assignment of every member in <paramref name="spec"/>; a member may get nothing.</summary>
    IReadOnlyDictionary<string, Assignment> Assign(AssignmentSpec spec);
}
