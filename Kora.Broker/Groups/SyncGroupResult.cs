using Kora.Protocol.Primitives;

namespace Kora.Broker.Groups;

/// <summary>The outcome of SyncGroup: the member's assignment from the leader.</summary>
public sealed record SyncGroupResult(ErrorCode Error, string? ProtocolType = null, string? ProtocolName = null, byte[]? Assignment = null)
{
    public static SyncGroupResult Failed(ErrorCode error) => new(error, Assignment: []);
}
