namespace Kora.Broker.Groups;

/// <summary>A group as ListGroups reports it: its state as Kafka names it, protocol type and type ("classic" or "consumer").</summary>
public sealed record ListedGroup(string GroupId, string State, string ProtocolType, string GroupType);
