using Kora.Broker.Groups;
using Kora.Broker.Tenancy;
using Kora.Network;
using Kora.Network.Apis;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Apis;

/// <summary>
/// OffsetFetch v0-9: committed offsets, -1 where none. Null topics (v2+) means every committed partition.
/// v8+ asks for several groups at once; v9 members of consumer-protocol groups fetch at their member epoch
/// (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH). With RequireStable (v7+), a requested partition that an open
/// transaction commits an offset for gets UNSTABLE_OFFSET_COMMIT, so the consumer waits for the transaction to end.
/// </summary>
public sealed class OffsetFetchHandler(GroupCoordinator coordinator, ConsumerOffsetsLog offsetsLog, IResourceNames names) : ApiHandler<OffsetFetchRequest, OffsetFetchResponse>
{
    public override short ApiKey => OffsetFetchRequest.ApiKey;
    public override short MinVersion => 0;
    public override short MaxVersion => 9;
    protected override short FirstFlexibleVersion => OffsetFetchRequest.LowestFlexibleVersion;

    protected override ValueTask<OffsetFetchResponse?> HandleAsync(RequestContext context, OffsetFetchRequest request)
    {
        var response = new OffsetFetchResponse();
        if (context.Version >= 8)
        {
            foreach (var g in request.Groups)
            {
                var error = offsetsLog.CoordinatorError(names.ToInternal(context.Connection, ResourceKind.Group, g.GroupId));
                if (error == ErrorCode.None && context.Version >= 9)
                {
                    error = coordinator.ValidateOffsetFetch(names.ToInternal(context.Connection, ResourceKind.Group, g.GroupId), g.MemberId, g.MemberEpoch);
                }
                if (error != ErrorCode.None)
                {
                    response.Groups.Add(new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = g.GroupId, ErrorCode = (short)error });
                    continue;
                }
                var topics = Fetch(context, g.GroupId, g.Topics?.Select(t => (t.Name, t.PartitionIndexes)).ToList(), request.RequireStable);
                response.Groups.Add(new OffsetFetchResponse.OffsetFetchResponseGroup
                {
                    GroupId = g.GroupId,
                    Topics = [.. topics.Select(t => new OffsetFetchResponse.OffsetFetchResponseTopics
                    {
                        Name = t.Key,
                        Partitions = [.. t.Value.Select(p => new OffsetFetchResponse.OffsetFetchResponsePartitions
                        {
                            PartitionIndex = p.Partition,
                            CommittedOffset = p.Offset?.Offset ?? -1,
                            CommittedLeaderEpoch = p.Offset?.LeaderEpoch ?? -1,
                            Metadata = p.Offset?.Metadata ?? "",
                            ErrorCode = (short)p.Error,
                        })],
                    })],
                });
            }
            return ValueTask.FromResult<OffsetFetchResponse?>(response);
        }
        var requested = request.Topics?.Select(t => (t.Name, t.PartitionIndexes)).ToList();
        if (offsetsLog.CoordinatorError(names.ToInternal(context.Connection, ResourceKind.Group, request.GroupId)) is not ErrorCode.None and var notCoordinator)
        {
            // v0-1 have no top-level error: each requested partition carries it.
            response.ErrorCode = (short)notCoordinator;
            foreach (var (name, indexes) in requested ?? [])
            {
                response.Topics.Add(new OffsetFetchResponse.OffsetFetchResponseTopic
                {
                    Name = name,
                    Partitions = [.. indexes.Select(i => new OffsetFetchResponse.OffsetFetchResponsePartition { PartitionIndex = i, CommittedOffset = -1, CommittedLeaderEpoch = -1, Metadata = "", ErrorCode = (short)notCoordinator })],
                });
            }
            return ValueTask.FromResult<OffsetFetchResponse?>(response);
        }
        foreach (var t in Fetch(context, request.GroupId, context.Version < 2 ? requested ?? [] : requested, context.Version >= 7 && request.RequireStable))
        {
            response.Topics.Add(new OffsetFetchResponse.OffsetFetchResponseTopic
            {
                Name = t.Key,
                Partitions = [.. t.Value.Select(p => new OffsetFetchResponse.OffsetFetchResponsePartition
                {
                    PartitionIndex = p.Partition,
                    CommittedOffset = p.Offset?.Offset ?? -1,
                    CommittedLeaderEpoch = p.Offset?.LeaderEpoch ?? -1,
                    Metadata = p.Offset?.Metadata ?? "",
                    ErrorCode = (short)p.Error,
                })],
            });
        }
        return ValueTask.FromResult<OffsetFetchResponse?>(response);
    }

    private Dictionary<string, List<(int Partition, CommittedOffset? Offset, ErrorCode Error)>> Fetch(RequestContext context, string groupId,
        List<(string Name, List<int> Partitions)>? topics, bool requireStable)
    {
        var group = names.ToInternal(context.Connection, ResourceKind.Group, groupId);
        var byInternal = new Dictionary<string, string>(StringComparer.Ordinal);
        List<TopicPartitionKey>? keys = null;
        if (topics is not null)
        {
            keys = [];
            foreach (var (name, partitions) in topics)
            {
                var internalName = names.ToInternal(context.Connection, ResourceKind.Topic, name);
                byInternal[internalName] = name;
                keys.AddRange(partitions.Select(p => new TopicPartitionKey(internalName, p)));
            }
        }
        var result = new Dictionary<string, List<(int, CommittedOffset?, ErrorCode)>>(StringComparer.Ordinal);
        foreach (var (key, offset) in coordinator.Fetch(group, keys))
        {
            var external = byInternal.GetValueOrDefault(key.Topic) ?? names.ToExternal(context.Connection, ResourceKind.Topic, key.Topic);
            if (external is null)
            {
                continue;
            }
            if (!result.TryGetValue(external, out var list))
            {
                result[external] = list = [];
            }
            var unstable = requireStable && keys is not null && coordinator.HasPendingTransactionalOffset(group, key);
            list.Add(unstable ? (key.Partition, null, ErrorCode.UnstableOffsetCommit) : (key.Partition, offset, ErrorCode.None));
        }
        return result;
    }
}
