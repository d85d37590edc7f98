using Kora.Broker.Replication;
using Kora.Metadata;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Partitions;

/// <summary>
/// Kafka's Partition replication state. As leader: each follower's log end and catch-up time, the ISR (the
/// committed one from the metadata image or AlterPartition, and the "maximal" one that counts a pending
/// expansion at once), the high watermark as the smallest log end across the maximal ISR, and the acks=all
/// produces waiting for it. As follower: only the leader and epoch the fetcher follows.
/// <para>
/// All of it is guarded by one lock that is never held across I/O; the log has its own.
/// </para>
/// </summary>
public sealed partial class Partition
{
    private readonly Lock _replicaLock = new();
    private readonly Dictionary<int, FollowerReplica> _followers = [];
    private readonly List<ReplicationWaiter> _waiters = [];
    private int[] _replicas = [localBrokerId];
    private int[] _isr = [localBrokerId];
    private int[] _maximalIsr = [localBrokerId];
    private IsrChange? _pendingIsr;
    private int _partitionEpoch;
    private int _leaderEpoch;
    private int _leaderId = localBrokerId;
    private long _leaderEpochStartOffset;
    private bool _isLeader = true;
    private int _waiterCount;

    /// <summary>Whether this broker leads the partition and serves clients for it (always on a single node).</summary>
    public bool IsLeader => Volatile.Read(ref _isLeader);

    public int LeaderEpoch => Volatile.Read(ref _leaderEpoch);

    public int LeaderId => Volatile.Read(ref _leaderId);

    public int PartitionEpoch => Volatile.Read(ref _partitionEpoch);

    /// <summary>The committed ISR: what min.insync.replicas is judged against.</summary>
    public int[] Isr => Volatile.Read(ref _isr);

    public int[] Replicas => Volatile.Read(ref _replicas);

    /// <summary>The ISR change sent to the controller and not yet answered, if any.</summary>
    public IsrChange? PendingIsrChange
    {
        get
        {
            lock (_replicaLock)
            {
                return _pendingIsr;
            }
        }
    }

    /// <summary>
    /// Kafka's makeLeader: starts serving with the image's epoch. Followers' log ends are unknown until they
    /// fetch, so the high watermark holds (it never goes back); ISR members count as caught up now.
    /// </summary>
    public void MakeLeader(PartitionImage image, long nowMs)
    {
        // The new epoch starts at the log end, whether or not this leader ever writes in it.
        Log.AssignLeaderEpoch(image.LeaderEpoch);
        lock (_replicaLock)
        {
            _leaderEpochStartOffset = Log.LogEndOffset;
            _followers.Clear();
            foreach (var replica in image.Replicas)
            {
                if (replica != LocalBrokerId)
                {
                    _followers[replica] = new FollowerReplica(replica, image.Isr.Contains(replica) ? nowMs : 0);
                }
            }
            _replicas = image.Replicas;
            _isr = image.Isr.Length == 0 ? [LocalBrokerId] : image.Isr;
            _maximalIsr = _isr;
            _pendingIsr = null;
            _partitionEpoch = image.PartitionEpoch;
            Volatile.Write(ref _leaderEpoch, image.LeaderEpoch);
            Volatile.Write(ref _leaderId, LocalBrokerId);
            Volatile.Write(ref _isLeader, true);
        }
        MaybeAdvanceHighWatermark();
    }

    /// <summary>
    /// Kafka's makeFollower: stops serving clients; produces waiting for replication get NOT_LEADER_OR_FOLLOWER
    /// (the client retries at the new leader) and long-polling fetches return.
    /// </summary>
    public void MakeFollower(PartitionImage image)
    {
        ReplicationWaiter[] failed;
        lock (_replicaLock)
        {
            Volatile.Write(ref _isLeader, false);
            Volatile.Write(ref _leaderEpoch, image.LeaderEpoch);
            Volatile.Write(ref _leaderId, image.Leader);
            _partitionEpoch = image.PartitionEpoch;
            _replicas = image.Replicas;
            _isr = image.Isr;
            _maximalIsr = image.Isr;
            _pendingIsr = null;
            _followers.Clear();
            failed = [.. _waiters];
            _waiters.Clear();
        }
        foreach (var waiter in failed)
        {
            waiter.TrySetResult(ErrorCode.NotLeaderOrFollower);
        }
        Wake();
    }

    /// <summary>
    /// A newer image of a partition this broker keeps leading in the same epoch: its ISR and replicas, when its
    /// partition epoch is at least ours (the AlterPartition answer may have brought us further already).
    /// </summary>
    public void ApplyLeaderImage(PartitionImage image, long nowMs)
    {
        lock (_replicaLock)
        {
            if (image.PartitionEpoch < _partitionEpoch)
            {
                return;
            }
            _partitionEpoch = image.PartitionEpoch;
            _replicas = image.Replicas;
            _isr = image.Isr.Length == 0 ? [LocalBrokerId] : image.Isr;
            if (_pendingIsr is { } pending && image.PartitionEpoch > pending.PartitionEpoch)
            {
                _pendingIsr = null;
            }
            _maximalIsr = _pendingIsr is { } still ? [.. _isr.Union(still.NewIsr)] : _isr;
            foreach (var replica in image.Replicas)
            {
                if (replica != LocalBrokerId && !_followers.ContainsKey(replica))
                {
                    _followers[replica] = new FollowerReplica(replica, nowMs);
                }
            }
            foreach (var gone in _followers.Keys.Where(id => !image.Replicas.Contains(id)).ToArray())
            {
                _followers.Remove(gone);
            }
        }
        // A smaller ISR may let the high watermark (and waiting produces) move on.
        MaybeAdvanceHighWatermark();
    }

    /// <summary>
    /// The leader's side of a follower's fetch at <paramref name="fetchOffset"/>: records it as the follower's
    /// log end, advances the high watermark, and returns an ISR expansion to send when the follower has caught
    /// up (its log end reached the high watermark and data of this leader epoch). NOT_LEADER_OR_FOLLOWER when
    /// this broker does not lead or <paramref name="replicaId"/> is not a replica.
    /// </summary>
    public ErrorCode RecordFollowerFetch(int replicaId, long brokerEpoch, long fetchOffset, long leaderEndOffset, long nowMs, out IsrChange? expansion)
    {
        expansion = null;
        lock (_replicaLock)
        {
            if (!_isLeader || !_followers.TryGetValue(replicaId, out var follower))
            {
                return ErrorCode.NotLeaderOrFollower;
            }
            follower.RecordFetch(fetchOffset, leaderEndOffset, brokerEpoch, nowMs);
            if (_pendingIsr is null && !_isr.Contains(replicaId) && fetchOffset >= Log.HighWatermark && fetchOffset >= _leaderEpochStartOffset)
            {
                int[] expanded = [.. _isr, replicaId];
                expansion = Propose(expanded);
                // Kafka's maximal ISR: the joining follower counts for the high watermark before the commit.
                _maximalIsr = expanded;
            }
        }
        MaybeAdvanceHighWatermark();
        return ErrorCode.None;
    }

    /// <summary>
    /// Kafka's maybeShrinkIsr: the ISR without the followers that have not caught up within
    /// <paramref name="maxLagMs"/> (a follower at the leader's log end is caught up), or null when all have or a
    /// change is already pending. The committed ISR keeps counting for the high watermark until the answer.
    /// </summary>
    public IsrChange? MaybeShrinkIsr(long nowMs, long maxLagMs)
    {
        lock (_replicaLock)
        {
            if (!_isLeader || _pendingIsr is not null)
            {
                return null;
            }
            var leaderEnd = Log.LogEndOffset;
            List<int>? kept = null;
            foreach (var id in _isr)
            {
                var inSync = id == LocalBrokerId
                    || (_followers.TryGetValue(id, out var follower) && (follower.LogEndOffset == leaderEnd || nowMs - follower.LastCaughtUpTimeMs <= maxLagMs));
                if (inSync)
                {
                    (kept ??= []).Add(id);
                }
            }
            if (kept is null || kept.Count == _isr.Length)
            {
                return null;
            }
            return Propose([.. kept]);
        }
    }

    /// <summary>Caller holds the replica lock.</summary>
    private IsrChange Propose(int[] newIsr)
    {
        var members = new (int, long)[newIsr.Length];
        for (var i = 0; i < newIsr.Length; i++)
        {
            members[i] = (newIsr[i], _followers.TryGetValue(newIsr[i], out var f) ? f.BrokerEpoch : -1);
        }
        var change = new IsrChange(_leaderEpoch, _partitionEpoch, newIsr, members);
        _pendingIsr = change;
        return change;
    }

    /// <summary>
    /// The controller's answer to <paramref name="change"/>, as Kafka's handleAlterPartitionError judges it. On
    /// success: its ISR and partition epoch (unless the image is already newer). OPERATION_NOT_ATTEMPTED and
    /// INELIGIBLE_REPLICA say the change was not applied: back to the committed ISR, and the next fetch or lag
    /// check proposes again. Other refusals (a stale partition or leader epoch, an unknown partition, an invalid
    /// request, a new leader) leave it unknown whether a controller applied it, so it stays pending, its replicas
    /// still counting for the high watermark, until the newer metadata settles it. Any other error (a timeout, no
    /// answer) returns true: the caller sends the same change again. Answers to a change no longer pending are
    /// ignored.
    /// </summary>
    public bool CompleteIsrChange(IsrChange change, ErrorCode error, int[]? isr, int partitionEpoch, int leaderEpoch)
    {
        lock (_replicaLock)
        {
            if (!ReferenceEquals(_pendingIsr, change))
            {
                return false;
            }
            switch (error)
            {
                case ErrorCode.None:
                    if (isr is not null && leaderEpoch == _leaderEpoch && partitionEpoch > _partitionEpoch)
                    {
                        _isr = isr;
                        _partitionEpoch = partitionEpoch;
                    }
                    break;
                case ErrorCode.OperationNotAttempted or ErrorCode.IneligibleReplica:
                    break;
                case ErrorCode.UnknownTopicOrPartition or ErrorCode.UnknownTopicId or ErrorCode.FencedLeaderEpoch
                    or ErrorCode.InvalidUpdateVersion or ErrorCode.InvalidRequest or ErrorCode.NewLeaderElected:
                    // The controller may hold this ISR already (an earlier answer lost): reverting could let the high
                    // watermark pass a replica it can elect.
                    return false;
                default:
                    return true;
            }
            _pendingIsr = null;
            _maximalIsr = _isr;
        }
        MaybeAdvanceHighWatermark();
        return false;
    }

    /// <summary>
    /// Kafka's maybeIncrementLeaderHW: the smallest log end across the maximal ISR; followers not yet heard
    /// from in this epoch hold it where it is. Completes the acks=all produces it now covers.
    /// </summary>
    public void MaybeAdvanceHighWatermark()
    {
        if (!IsLeader)
        {
            return;
        }
        var before = Log.HighWatermark;
        long candidate = Log.LogEndOffset;
        lock (_replicaLock)
        {
            foreach (var id in _maximalIsr)
            {
                if (id != LocalBrokerId)
                {
                    candidate = Math.Min(candidate, _followers.TryGetValue(id, out var f) ? f.LogEndOffset : -1);
                }
            }
        }
        var after = candidate > before ? Log.UpdateHighWatermark(candidate) : before;
        if (after > before)
        {
            Interlocked.Exchange(ref _dataArrived, null)?.TrySetResult();
        }
        if (Volatile.Read(ref _waiterCount) > 0)
        {
            CompleteWaiters(after);
        }
    }

    private void CompleteWaiters(long highWatermark)
    {
        List<ReplicationWaiter>? done = null;
        ErrorCode outcome;
        lock (_replicaLock)
        {
            outcome = _isr.Length >= Config.MinInsyncReplicas ? ErrorCode.None : ErrorCode.NotEnoughReplicasAfterAppend;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].RequiredOffset <= highWatermark)
                {
                    (done ??= []).Add(_waiters[i]);
                    _waiters.RemoveAt(i);
                }
            }
            Volatile.Write(ref _waiterCount, _waiters.Count);
        }
        if (done is not null)
        {
            foreach (var waiter in done)
            {
                waiter.TrySetResult(outcome);
            }
        }
    }

    /// <summary>
    /// Kafka's checkEnoughReplicasReachOffset for an acks=all produce whose last offset is
    /// <paramref name="requiredOffset"/> - 1: null with <paramref name="error"/> set when it is decided already
    /// (None, NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below min.insync.replicas, or
    /// NOT_LEADER_OR_FOLLOWER), otherwise a waiter completed when the high watermark covers it.
    /// </summary>
    public ReplicationWaiter? AwaitReplication(long requiredOffset, out ErrorCode error)
    {
        lock (_replicaLock)
        {
            if (!_isLeader)
            {
                error = ErrorCode.NotLeaderOrFollower;
                return null;
            }
            if (Log.HighWatermark >= requiredOffset)
            {
                error = _isr.Length >= Config.MinInsyncReplicas ? ErrorCode.None : ErrorCode.NotEnoughReplicasAfterAppend;
                return null;
            }
            var waiter = new ReplicationWaiter(requiredOffset);
            _waiters.Add(waiter);
            Volatile.Write(ref _waiterCount, _waiters.Count);
            error = ErrorCode.None;
            return waiter;
        }
    }

    /// <summary>Gives up on a waiter (the produce timed out): it completes with REQUEST_TIMED_OUT unless already done.</summary>
    public void CancelReplicationWait(ReplicationWaiter waiter)
    {
        lock (_replicaLock)
        {
            _waiters.Remove(waiter);
            Volatile.Write(ref _waiterCount, _waiters.Count);
        }
        waiter.TrySetResult(ErrorCode.RequestTimedOut);
    }

    /// <summary>The follower's log end as the leader knows it, -1 when unknown; for tests and metrics.</summary>
    public long FollowerLogEndOffset(int replicaId)
    {
        lock (_replicaLock)
        {
            return _followers.TryGetValue(replicaId, out var f) ? f.LogEndOffset : -1;
        }
    }
}
