using Kora.Broker.Cluster;
using Kora.Broker.Tenancy;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>AlterPartitionReassignments v0, forwarded to the active controller; answered once this broker's image has the change.</summary>
public sealed class AlterPartitionReassignmentsHandler(ForwardingAdmin admin, IResourceNames names) : ApiHandler<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>
{
    public override short ApiKey => AlterPartitionReassignmentsRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;
    protected override short FirstFlexibleVersion => AlterPartitionReassignmentsRequest.LowestFlexibleVersion;

    protected override async ValueTask<AlterPartitionReassignmentsResponse?> HandleAsync(RequestContext context, AlterPartitionReassignmentsRequest request)
    {
        var external = request.Topics.Select(t => t.Name).ToList();
        foreach (var topic in request.Topics)
        {
            topic.Name = names.ToInternal(context.Connection, ResourceKind.Topic, topic.Name);
        }
        AlterPartitionReassignmentsResponse response;
        try
        {
            response = await admin.ForwardAsync<AlterPartitionReassignmentsResponse>(AlterPartitionReassignmentsRequest.ApiKey, 0, flexible: true, request,
                r => r.ErrorCode == (short)ErrorCode.NotController,
                r => r.ErrorCode == 0 && r.Responses.Any(t => t.Partitions.Any(p => p.ErrorCode == (short)ErrorCode.None)),
                context.Aborted).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            return new AlterPartitionReassignmentsResponse { ErrorCode = (short)ErrorCode.RequestTimedOut, ErrorMessage = e.Message };
        }
        // The controller answers topic by topic in request order.
        for (var i = 0; i < response.Responses.Count && i < external.Count; i++)
        {
            response.Responses[i].Name = external[i];
        }
        return response;
    }

    protected override void SetError(AlterPartitionReassignmentsResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
