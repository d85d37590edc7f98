using Kora.Metadata;

namespace Kora.Controller.Quorum;

/// <summary>What a BrokerRegistration request asks for, independent of its wire version.</summary>
public sealed record BrokerRegistrationRequestData(
    int BrokerId,
    string? ClusterId,
    Guid IncarnationId,
    IReadOnlyList<BrokerEndpoint> Listeners,
    string? Rack,
    long PreviousBrokerEpoch);
