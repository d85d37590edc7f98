namespace Kora.Broker.Groups.Consumer;

/// <summary>Partitions of one topic that a member reports it owns in a heartbeat.</summary>
public readonly record struct OwnedTopicPartitions(Guid TopicId, IReadOnlyList<int> Partitions);
