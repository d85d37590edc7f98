using Kora.Broker.Groups;
using Kora.Broker.Tenancy;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>
/// ListGroups v0-5: classic and consumer-protocol groups with their state and type, filtered by state (v4+) and
/// type (v5+), both case-insensitive. Consumer groups report protocol type "consumer" and states Empty, Assigning,
/// Reconciling or Stable.
/// </summary>
public sealed class ListGroupsHandler(GroupCoordinator coordinator, IResourceNames names) : ApiHandler<ListGroupsRequest, ListGroupsResponse>
{
    public override short ApiKey => ListGroupsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;
    protected override short FirstFlexibleVersion => ListGroupsRequest.LowestFlexibleVersion;

    protected override ValueTask<ListGroupsResponse?> HandleAsync(RequestContext context, ListGroupsRequest request)
    {
        var response = new ListGroupsResponse();
        var states = context.Version >= 4 ? request.StatesFilter : [];
        var types = context.Version >= 5 ? request.TypesFilter : [];
        foreach (var g in coordinator.List().OrderBy(g => g.GroupId, StringComparer.Ordinal))
        {
            var state = g.State;
            if ((states.Count > 0 && !states.Any(s => string.Equals(s.Trim(), state, StringComparison.OrdinalIgnoreCase)))
                || (types.Count > 0 && !types.Contains(g.GroupType, StringComparer.OrdinalIgnoreCase)))
            {
                continue;
            }
            if (names.ToExternal(context.Connection, ResourceKind.Group, g.GroupId) is { } visible)
            {
                response.Groups.Add(new ListGroupsResponse.ListedGroup { GroupId = visible, ProtocolType = g.ProtocolType, GroupState = state, GroupType = g.GroupType });
            }
        }
        return ValueTask.FromResult<ListGroupsResponse?>(response);
    }

    protected override void SetError(ListGroupsResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
