using Kora.Protocol.Primitives;

namespace Kora.Broker.Groups;

/// <summary>A member's view of the group after JoinGroup: the leader also gets every member's metadata.</summary>
public sealed record JoinGroupResult(
    ErrorCode Error,
    string MemberId,
    int GenerationId = -1,
    string? ProtocolType = null,
    string? ProtocolName = null,
    string LeaderId = "",
    IReadOnlyList<JoinedMember>? Members = null,
    bool SkipAssignment = false)
{
    public static JoinGroupResult Failed(ErrorCode error, string memberId = "") => new(error, memberId);
}

/// <summary>One member as the leader sees it in the JoinGroup response.</summary>
public sealed record JoinedMember(string MemberId, string? GroupInstanceId, byte[] Metadata);
