using Kora.Broker.Cluster;
using Kora.Broker.Tenancy;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>ListPartitionReassignments v0, forwarded to the active controller; topics the caller cannot see are left out.</summary>
public sealed class ListPartitionReassignmentsHandler(ForwardingAdmin admin, IResourceNames names) : ApiHandler<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>
{
    public override short ApiKey => ListPartitionReassignmentsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;
    protected override short FirstFlexibleVersion => ListPartitionReassignmentsRequest.LowestFlexibleVersion;

    protected override async ValueTask<ListPartitionReassignmentsResponse?> HandleAsync(RequestContext context, ListPartitionReassignmentsRequest request)
    {
        foreach (var topic in request.Topics ?? [])
        {
            topic.Name = names.ToInternal(context.Connection, ResourceKind.Topic, topic.Name);
        }
        ListPartitionReassignmentsResponse response;
        try
        {
            response = await admin.ForwardAsync<ListPartitionReassignmentsResponse>(ListPartitionReassignmentsRequest.ApiKey, 0, flexible: true, request,
                r => r.ErrorCode == (short)ErrorCode.NotController, _ => false, context.Aborted).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            return new ListPartitionReassignmentsResponse { ErrorCode = (short)ErrorCode.RequestTimedOut, ErrorMessage = e.Message };
        }
        response.Topics = VisibleTopics.Keep(names, context.Connection, response.Topics, t => t.Name, (t, name) => t.Name = name);
        return response;
    }

    protected override void SetError(ListPartitionReassignmentsResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
