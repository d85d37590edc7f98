using Kora.Broker.Partitions;
using Kora.Broker.Replication.Throttling;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;
using Kora.Storage.Log;

namespace Kora.Broker.Replication;

/// <summary>
/// The leader's answer to one partition of a follower's fetch, as Kafka's ReplicaManager reads it: the
/// current-leader-epoch check, the divergence check on the follower's last fetched epoch (KIP-320), the fetch
/// offset recorded as the follower's log end (which may move the high watermark and propose an ISR
/// expansion), then the log read up to the leader's log end, not its high watermark.
/// </summary>
internal static class LeaderReplicaRead
{
    /// <summary>
    /// Kafka's fetch-side epoch check: UNKNOWN_LEADER_EPOCH for a fetcher ahead of this broker's epoch,
    /// FENCED_LEADER_EPOCH for one behind it, None when they match or the fetcher names none (-1).
    /// </summary>
    public static ErrorCode CheckLeaderEpoch(Partition partition, int currentLeaderEpoch)
    {
        var epoch = partition.LeaderEpoch;
        if (currentLeaderEpoch > epoch)
        {
            return ErrorCode.UnknownLeaderEpoch;
        }
        return currentLeaderEpoch >= 0 && currentLeaderEpoch < epoch ? ErrorCode.FencedLeaderEpoch : ErrorCode.None;
    }

    /// <summary>
    /// Not-leader and unknown-replica refusals, the divergence check, the fetch recorded as the follower's log
    /// end, then the read. Fills <paramref name="data"/> (whose high watermark and log start the caller has
    /// set from the log); returns the bytes read, and in <paramref name="expansion"/> the ISR change the
    /// caller sends to the controller when the follower has caught up.
    /// </summary>
    public static int Read(Partition partition, long fetchOffset, int lastFetchedEpoch, int partitionMaxBytes, int replicaId, long brokerEpoch,
        FetchResponse.PartitionData data, int remaining, bool first, long nowMs, ReplicationQuota? quota, out IsrChange? expansion)
    {
        expansion = null;
        var log = partition.Log;
        if (!partition.IsLeader)
        {
            data.ErrorCode = (short)ErrorCode.NotLeaderOrFollower;
            return 0;
        }
        if (lastFetchedEpoch >= 0)
        {
            var end = log.EndOffsetForEpoch(lastFetchedEpoch);
            if (end.Epoch < lastFetchedEpoch || end.EndOffset < fetchOffset)
            {
                data.DivergingEpoch = new FetchResponse.EpochEndOffset { Epoch = end.Epoch, EndOffset = end.EndOffset };
                return 0;
            }
        }
        var leaderEnd = log.LogEndOffset;
        if (fetchOffset > leaderEnd || fetchOffset < log.LogStartOffset)
        {
            data.ErrorCode = (short)ErrorCode.OffsetOutOfRange;
            return 0;
        }
        var recorded = partition.RecordFollowerFetch(replicaId, brokerEpoch, fetchOffset, leaderEnd, nowMs, out expansion);
        if (recorded != ErrorCode.None)
        {
            data.ErrorCode = (short)recorded;
            return 0;
        }
        data.HighWatermark = log.HighWatermark;
        data.LastStableOffset = Math.Min(log.LastStableOffset, data.HighWatermark);
        var budget = Math.Min(partitionMaxBytes, remaining);
        if (budget <= 0 && !first)
        {
            return 0;
        }
        // Kafka's shouldLeaderThrottle: an out-of-sync throttled follower gets its partition back empty while
        // the leader is over quota; the rest of the fetch is not held back.
        if (quota is not null && quota.ShouldThrottle(partition.Topic, partition.Index, partition.Isr.AsSpan().Contains(replicaId), nowMs))
        {
            return 0;
        }
        var read = log.Read(fetchOffset, Math.Max(budget, 0), leaderEnd, minOneMessage: first);
        if (read.Status == ReadStatus.OffsetOutOfRange)
        {
            data.ErrorCode = (short)ErrorCode.OffsetOutOfRange;
            return 0;
        }
        if (read.Records is { Length: > 0 } source)
        {
            data.Records = new RecordsData(source);
            quota?.RecordIfThrottled(partition.Topic, partition.Index, source.Length, nowMs);
            return source.Length;
        }
        return 0;
    }
}
