namespace Kora.Metadata;

/// <summary>One named listener of a broker, as BrokerRegistration and RegisterBrokerRecord carry it.</summary>
public sealed record BrokerEndpoint(string Name, string Host, int Port, short SecurityProtocol);
