namespace Kora.Broker.Groups;

/// <summary>A group as ListGroups and DescribeGroups report it.</summary>
public sealed record GroupSummary(string GroupId, GroupState State, string ProtocolType, string ProtocolName, IReadOnlyList<MemberSummary> Members);

/// <summary>A member as DescribeGroups reports it (metadata and assignment only when the group is stable).</summary>
public sealed record MemberSummary(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost, byte[] Metadata, byte[] Assignment);
