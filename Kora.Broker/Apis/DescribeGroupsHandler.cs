using Kora.Broker.Groups;
using Kora.Broker.Tenancy;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;

namespace Kora.Broker.Apis;

/// <summary>
/// DescribeGroups v0-5: state, protocol and members; unknown groups are reported Dead, and so are consumer-protocol
/// groups, as Kafka does (ConsumerGroupDescribe describes those). Metadata and assignments only when Stable.
/// </summary>
public sealed class DescribeGroupsHandler(GroupCoordinator coordinator, IResourceNames names) : ApiHandler<DescribeGroupsRequest, DescribeGroupsResponse>
{
    /// <summary>READ, DESCRIBE, DELETE as operation bits.</summary>
    private const int GroupOperations = (1 << 3) | (1 << 6) | (1 << 8);

    public override short ApiKey => DescribeGroupsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;
    protected override short FirstFlexibleVersion => DescribeGroupsRequest.LowestFlexibleVersion;

    protected override ValueTask<DescribeGroupsResponse?> HandleAsync(RequestContext context, DescribeGroupsRequest request)
    {
        var response = new DescribeGroupsResponse();
        foreach (var id in request.Groups)
        {
            var g = coordinator.Describe(names.ToInternal(context.Connection, ResourceKind.Group, id));
            response.Groups.Add(new DescribeGroupsResponse.DescribedGroup
            {
                GroupId = id,
                GroupState = g.State.ToString(),
                ProtocolType = g.ProtocolType,
                ProtocolData = g.ProtocolName,
                AuthorizedOperations = request.IncludeAuthorizedOperations ? GroupOperations : int.MinValue,
                Members = [.. g.Members.Select(m => new DescribeGroupsResponse.DescribedGroupMember
                {
                    MemberId = m.MemberId,
                    GroupInstanceId = m.GroupInstanceId,
                    ClientId = m.ClientId,
                    ClientHost = m.ClientHost,
                    MemberMetadata = m.Metadata,
                    MemberAssignment = m.Assignment,
                })],
            });
        }
        return ValueTask.FromResult<DescribeGroupsResponse?>(response);
    }
}
