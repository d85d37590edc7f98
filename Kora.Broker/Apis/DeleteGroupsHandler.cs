using Kora.Broker.Groups;
using Kora.Broker.Tenancy;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;

namespace Kora.Broker.Apis;

/// <summary>DeleteGroups v0-2: deletes empty groups and their offsets (tombstones); NON_EMPTY_GROUP or GROUP_ID_NOT_FOUND otherwise.</summary>
public sealed class DeleteGroupsHandler(GroupCoordinator coordinator, IResourceNames names) : ApiHandler<DeleteGroupsRequest, DeleteGroupsResponse>
{
    public override short ApiKey => DeleteGroupsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;
    protected override short FirstFlexibleVersion => DeleteGroupsRequest.LowestFlexibleVersion;

    protected override ValueTask<DeleteGroupsResponse?> HandleAsync(RequestContext context, DeleteGroupsRequest request)
    {
        var response = new DeleteGroupsResponse();
        foreach (var id in request.GroupsNames)
        {
            var error = coordinator.Delete(names.ToInternal(context.Connection, ResourceKind.Group, id));
            response.Results.Add(new DeleteGroupsResponse.DeletableGroupResult { GroupId = id, ErrorCode = (short)error });
        }
        return ValueTask.FromResult<DeleteGroupsResponse?>(response);
    }
}
