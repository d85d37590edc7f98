namespace Kora.Metadata;

/// <summary>A broker replicas may be placed on, with its rack (availability zone) when it has one.</summary>
public readonly record struct PlacementBroker(int Id, string? Rack);
