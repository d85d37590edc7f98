namespace Kora.Broker.Groups;

/// <summary>A topic partition (internal topic name) as a dictionary key.</summary>
public readonly record struct TopicPartitionKey(string Topic, int Partition);
