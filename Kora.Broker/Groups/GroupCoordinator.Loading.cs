using Kora.Protocol.Primitives;

namespace Kora.Broker.Groups;

public sealed partial class GroupCoordinator
{
    /// <summary>
    /// Kafka's onResignation: forgets every group of a <c>__consumer_offsets</c> partition this broker no
    /// longer leads. Members waiting in a join or sync are answered NOT_COORDINATOR so they find the new one.
    /// </summary>
    public int Unload(Func<string, bool> groupOnPartition)
    {
        lock (_lock)
        {
            var gone = _groups.Values.Where(g => groupOnPartition(g.Id)).ToList();
            foreach (var group in gone)
            {
                foreach (var member in group.Members)
                {
                    member.CompleteJoin(JoinGroupResult.Failed(ErrorCode.NotCoordinator, member.MemberId));
                    member.CompleteSync(SyncGroupResult.Failed(ErrorCode.NotCoordinator));
                }
                _groups.Remove(group.Id);
            }
            foreach (var groupId in _pendingTxnOffsets.Keys.Where(groupOnPartition).ToList())
            {
                _pendingTxnOffsets.Remove(groupId);
            }
            return gone.Count;
        }
    }
}
