using Kora.Broker.Cluster;
using Kora.Broker.Tenancy;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>
/// ElectLeaders v0-2 (flexible from v2; v0 is a preferred election), forwarded to the active controller as
/// Kafka's brokers do. Topic names pass through the tenant mapping both ways; when the client named no
/// partitions the controller answers for every topic, and topics the caller cannot see are left out.
/// </summary>
public sealed class ElectLeadersHandler(ForwardingAdmin admin, IResourceNames names) : ApiHandler<ElectLeadersRequest, ElectLeadersResponse>
{
    public override short ApiKey => ElectLeadersRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;
    protected override short FirstFlexibleVersion => ElectLeadersRequest.LowestFlexibleVersion;

    protected override async ValueTask<ElectLeadersResponse?> HandleAsync(RequestContext context, ElectLeadersRequest request)
    {
        var forwarded = new ElectLeadersRequest
        {
            ElectionType = context.Version == 0 ? (sbyte)0 : request.ElectionType,
            TimeoutMs = request.TimeoutMs,
            TopicPartitions = request.TopicPartitions?.Select(t => new ElectLeadersRequest.TopicPartitionsData
            {
                Topic = names.ToInternal(context.Connection, ResourceKind.Topic, t.Topic),
                Partitions = t.Partitions,
            }).ToList(),
        };
        ElectLeadersResponse response;
        try
        {
            response = await admin.ForwardAsync<ElectLeadersResponse>(ElectLeadersRequest.ApiKey, 2, flexible: true, forwarded,
                r => r.ErrorCode == (short)ErrorCode.NotController || r.ReplicaElectionResults.Any(t => t.PartitionResult.Any(p => p.ErrorCode == (short)ErrorCode.NotController)),
                r => r.ReplicaElectionResults.Any(t => t.PartitionResult.Any(p => p.ErrorCode == (short)ErrorCode.None)),
                context.Aborted).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            return Failed(request, ErrorCode.RequestTimedOut, e.Message);
        }
        response.ReplicaElectionResults = VisibleTopics.Keep(names, context.Connection, response.ReplicaElectionResults, t => t.Topic, (t, name) => t.Topic = name);
        return response;
    }

    protected override void SetError(ElectLeadersResponse response, ErrorCode error) => response.ErrorCode = (short)error;

    private static ElectLeadersResponse Failed(ElectLeadersRequest request, ErrorCode error, string message) => new()
    {
        ErrorCode = (short)error,
        ReplicaElectionResults = (request.TopicPartitions ?? []).Select(t => new ElectLeadersResponse.ReplicaElectionResult
        {
            Topic = t.Topic,
            PartitionResult = t.Partitions.Select(p => new ElectLeadersResponse.PartitionResult { PartitionId = p, ErrorCode = (short)error, ErrorMessage = message }).ToList(),
        }).ToList(),
    };
}
