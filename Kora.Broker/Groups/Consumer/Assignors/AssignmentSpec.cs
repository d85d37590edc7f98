namespace Kora.Broker.Groups.Consumer.Assignors;

/// <summary>What an assignor works from: the members and the partition count of every topic any of them subscribes to.</summary>
public sealed record AssignmentSpec(IReadOnlyList<AssignmentMember> Members, IReadOnlyDictionary<Guid, int> PartitionCounts);
