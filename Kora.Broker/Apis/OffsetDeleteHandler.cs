using Kora.Broker.Groups;
using Kora.Broker.Tenancy;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>OffsetDelete v0: deletes committed offsets of topics the group's members do not subscribe to.</summary>
public sealed class OffsetDeleteHandler(GroupCoordinator coordinator, IResourceNames names) : ApiHandler<OffsetDeleteRequest, OffsetDeleteResponse>
{
    public override short ApiKey => OffsetDeleteRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;
    protected override short FirstFlexibleVersion => short.MaxValue;

    protected override ValueTask<OffsetDeleteResponse?> HandleAsync(RequestContext context, OffsetDeleteRequest request)
    {
        var keys = request.Topics.SelectMany(t => t.Partitions.Select(p =>
            new TopicPartitionKey(names.ToInternal(context.Connection, ResourceKind.Topic, t.Name), p.PartitionIndex))).ToList();
        var (error, perPartition) = coordinator.DeleteOffsets(names.ToInternal(context.Connection, ResourceKind.Group, request.GroupId), keys);
        var response = new OffsetDeleteResponse { ErrorCode = (short)error };
        if (error != ErrorCode.None)
        {
            return ValueTask.FromResult<OffsetDeleteResponse?>(response);
        }
        var i = 0;
        foreach (var t in request.Topics)
        {
            var topic = new OffsetDeleteResponse.OffsetDeleteResponseTopic { Name = t.Name };
            foreach (var p in t.Partitions)
            {
                topic.Partitions.Add(new OffsetDeleteResponse.OffsetDeleteResponsePartition { PartitionIndex = p.PartitionIndex, ErrorCode = (short)perPartition[i++] });
            }
            response.Topics.Add(topic);
        }
        return ValueTask.FromResult<OffsetDeleteResponse?>(response);
    }

    protected override void SetError(OffsetDeleteResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
