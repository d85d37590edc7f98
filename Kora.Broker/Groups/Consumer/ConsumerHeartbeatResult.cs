using Kora.Protocol.Primitives;

namespace Kora.Broker.Groups.Consumer;

/// <summary>A ConsumerGroupHeartbeat answer; <see cref="Assignment"/> is null when the member's assignment did not change.</summary>
public sealed record ConsumerHeartbeatResult(
    ErrorCode Error, string? ErrorMessage, string? MemberId, int MemberEpoch, int HeartbeatIntervalMs, Assignment? Assignment)
{
    public static ConsumerHeartbeatResult Failed(ErrorCode error, string message) => new(error, message, null, 0, 0, null);
}
