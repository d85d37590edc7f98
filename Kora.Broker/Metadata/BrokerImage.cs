namespace Kora.Broker.Metadata;

/// <summary>A registered broker and where clients reach it.</summary>
public sealed record BrokerImage(int Id, string Host, int Port, string? Rack, bool Fenced, long Epoch);
