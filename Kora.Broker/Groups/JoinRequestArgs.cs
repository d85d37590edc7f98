namespace Kora.Broker.Groups;

/// <summary>A JoinGroup request as the coordinator needs it, names already internal.</summary>
public sealed record JoinRequestArgs(
    string GroupId,
    string MemberId,
    string? GroupInstanceId,
    string ClientId,
    string ClientHost,
    int SessionTimeoutMs,
    int RebalanceTimeoutMs,
    string ProtocolType,
    IReadOnlyList<MemberProtocol> Protocols,
    short Version);
