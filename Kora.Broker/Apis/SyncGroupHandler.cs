using Kora.Broker.Coordinators;
using Kora.Broker.Groups;
using Kora.Broker.Tenancy;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>
/// SyncGroup v0-5: the leader hands in the assignments and everyone gets theirs; followers wait for the
/// leader. A stable group answers with the member's current assignment. v5 checks protocol type and name.
/// Answers wait for the group record's fsync, as Kafka waits for its append to be committed.
/// </summary>
public sealed class SyncGroupHandler(GroupCoordinator coordinator, ConsumerOffsetsLog offsetsLog, IResourceNames names) : ApiHandler<SyncGroupRequest, SyncGroupResponse>
{
    public override short ApiKey => SyncGroupRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;
    protected override short FirstFlexibleVersion => SyncGroupRequest.LowestFlexibleVersion;

    protected override async ValueTask<SyncGroupResponse?> HandleAsync(RequestContext context, SyncGroupRequest request)
    {
        var assignments = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var a in request.Assignments)
        {
            assignments[a.MemberId] = a.Assignment.ToArray();
        }
        var groupId = names.ToInternal(context.Connection, ResourceKind.Group, request.GroupId);
        if (offsetsLog.CoordinatorError(groupId) is not ErrorCode.None and var notCoordinator)
        {
            return new SyncGroupResponse { ErrorCode = (short)notCoordinator, Assignment = ReadOnlyMemory<byte>.Empty };
        }
        var result = await coordinator.SyncAsync(
            groupId,
            request.GenerationId, request.MemberId, request.GroupInstanceId,
            context.Version >= 5 ? request.ProtocolType : null, context.Version >= 5 ? request.ProtocolName : null,
            assignments).WaitAsync(context.Aborted).ConfigureAwait(false);
        var error = result.Error;
        if (error == ErrorCode.None)
        {
            // The group's assignment was written when the leader synced; hand it out only once every in-sync replica has it.
            error = CoordinatorWriteErrors.ForGroupWrite(await offsetsLog.AwaitWrittenAsync(groupId, context.Aborted).ConfigureAwait(false));
        }
        if (error != ErrorCode.None)
        {
            return new SyncGroupResponse { ErrorCode = (short)error, Assignment = ReadOnlyMemory<byte>.Empty };
        }
        return new SyncGroupResponse
        {
            ErrorCode = (short)result.Error,
            ProtocolType = result.ProtocolType,
            ProtocolName = result.ProtocolName,
            Assignment = result.Assignment ?? [],
        };
    }

    protected override void SetError(SyncGroupResponse response, ErrorCode error) => response.ErrorCode = (short)error;
}
