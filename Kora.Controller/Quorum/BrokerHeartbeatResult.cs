using Kora.Protocol.Primitives;

namespace Kora.Controller.Quorum;

/// <summary>The answer to a BrokerHeartbeat, field for field as BrokerHeartbeatResponse carries it.</summary>
public sealed record BrokerHeartbeatResult(ErrorCode Error, bool IsCaughtUp, bool IsFenced, bool ShouldShutDown);
