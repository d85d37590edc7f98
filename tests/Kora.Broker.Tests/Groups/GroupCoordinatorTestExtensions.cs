using Kora.Broker.Groups;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Tests.Groups;

/// <summary>An offset commit as OffsetCommit makes it when the write reaches the in-sync replicas: written, then confirmed.</summary>
internal static class GroupCoordinatorTestExtensions
{
    public static ErrorCode CommitConfirmed(this GroupCoordinator coordinator, string groupId, int generationId, string memberId, string? instanceId,
        IReadOnlyList<(TopicPartitionKey Partition, CommittedOffset Offset)> offsets, short version = 8)
    {
        var error = coordinator.Commit(groupId, generationId, memberId, instanceId, offsets, version, out var write);
        if (error == ErrorCode.None)
        {
            coordinator.CompleteCommit(groupId, offsets, write, written: true);
        }
        return error;
    }
}
