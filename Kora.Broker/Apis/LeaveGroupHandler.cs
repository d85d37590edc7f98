using Kora.Broker.Groups;
using Kora.Broker.Tenancy;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>LeaveGroup v0-5: removes members (one before v3, a batch with instance ids from v3) and rebalances the rest.</summary>
public sealed class LeaveGroupHandler(GroupCoordinator coordinator, ConsumerOffsetsLog offsetsLog, IResourceNames names) : ApiHandler<LeaveGroupRequest, LeaveGroupResponse>
{
    public override short ApiKey => LeaveGroupRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;
    protected override short FirstFlexibleVersion => LeaveGroupRequest.LowestFlexibleVersion;

    protected override ValueTask<LeaveGroupResponse?> HandleAsync(RequestContext context, LeaveGroupRequest request)
    {
        var leaving = context.Version >= 3
            ? request.Members.Select(m => (m.MemberId, m.GroupInstanceId)).ToList()
            : [(request.MemberId, (string?)null)];
        var groupId = names.ToInternal(context.Connection, ResourceKind.Group, request.GroupId);
        if (offsetsLog.CoordinatorError(groupId) is not ErrorCode.None and var notCoordinator)
        {
            return ValueTask.FromResult<LeaveGroupResponse?>(new LeaveGroupResponse { ErrorCode = (short)notCoordinator });
        }
        var (error, perMember) = coordinator.Leave(groupId, leaving);
        var response = new LeaveGroupResponse { ErrorCode = (short)(context.Version >= 3 && perMember.Count > 0 && error is ErrorCode.None or ErrorCode.UnknownMemberId or ErrorCode.FencedInstanceId ? ErrorCode.None : error) };
        if (context.Version >= 3)
        {
            for (var i = 0; i < leaving.Count; i++)
            {
                response.Members.Add(new LeaveGroupResponse.MemberResponse
                {
                    MemberId = leaving[i].MemberId,
                    GroupInstanceId = leaving[i].Item2,
                    ErrorCode = (short)perMember[i],
                });
            }
        }
        return ValueTask.FromResult<LeaveGroupResponse?>(response);
    }

    protected override void SetError(LeaveGroupResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
