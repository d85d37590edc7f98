using System.Net;
using Kora.Broker.Groups;
using Kora.Broker.Tenancy;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>
/// JoinGroup v0-9: answers when the join phase of the rebalance completes (or at once for MEMBER_ID_REQUIRED,
/// v4+, and for static members rejoining a stable group). The leader gets every member's metadata; v9 tells
/// a rejoining static leader to skip assignment. v0 has no rebalance timeout: the session timeout stands in.
/// </summary>
public sealed class JoinGroupHandler(GroupCoordinator coordinator, ConsumerOffsetsLog offsetsLog, IResourceNames names)
    : ApiHandler<JoinGroupRequest, JoinGroupResponse>
{
    public override short ApiKey => JoinGroupRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 9;
    protected override short FirstFlexibleVersion => JoinGroupRequest.LowestFlexibleVersion;

    protected override async ValueTask<JoinGroupResponse?> HandleAsync(RequestContext context, JoinGroupRequest request)
    {
        if (!await offsetsLog.EnsureTopicAsync(context.Aborted).ConfigureAwait(false))
        {
            return new JoinGroupResponse { ErrorCode = (short)ErrorCode.CoordinatorNotAvailable, MemberId = request.MemberId, Leader = "" };
        }
        if (offsetsLog.CoordinatorError(names.ToInternal(context.Connection, ResourceKind.Group, request.GroupId)) is not ErrorCode.None and var notCoordinator)
        {
            return new JoinGroupResponse { ErrorCode = (short)notCoordinator, MemberId = request.MemberId, Leader = "" };
        }
        var args = new JoinRequestArgs(
            names.ToInternal(context.Connection, ResourceKind.Group, request.GroupId),
            request.MemberId,
            request.GroupInstanceId,
            context.Header.ClientId ?? "",
            ClientHost(context.Connection),
            request.SessionTimeoutMs,
            context.Version >= 1 && request.RebalanceTimeoutMs > 0 ? request.RebalanceTimeoutMs : request.SessionTimeoutMs,
            request.ProtocolType,
            [.. request.Protocols.Select(p => new MemberProtocol(p.Name, p.Metadata.ToArray()))],
            context.Version);
        var result = await coordinator.JoinAsync(args).WaitAsync(context.Aborted).ConfigureAwait(false);
        return new JoinGroupResponse
        {
            ErrorCode = (short)result.Error,
            GenerationId = result.GenerationId,
            ProtocolType = result.ProtocolType,
            ProtocolName = result.ProtocolName ?? (context.Version >= 7 ? null : ""),
            Leader = result.LeaderId,
            SkipAssignment = result.SkipAssignment,
            MemberId = result.MemberId,
            Members = [.. (result.Members ?? []).Select(m => new JoinGroupResponse.JoinGroupResponseMember
            {
                MemberId = m.MemberId,
                GroupInstanceId = m.GroupInstanceId,
                Metadata = m.Metadata,
            })],
        };
    }

    internal static string ClientHost(ClientConnection connection) =>
        connection.Remote is IPEndPoint ip ? "/" + ip.Address : connection.Remote?.ToString() ?? "";

    protected override void SetError(JoinGroupResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
