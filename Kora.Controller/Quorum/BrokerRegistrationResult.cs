using Kora.Protocol.Primitives;

namespace Kora.Controller.Quorum;

/// <summary>The answer to a BrokerRegistration: the epoch the broker heartbeats with, or why it may not register.</summary>
public sealed record BrokerRegistrationResult(ErrorCode Error, long BrokerEpoch, string? Message = null);
