using Kora.Protocol.Primitives;
using Kora.Storage.Log;

namespace Kora.Broker.Partitions;

/// <summary>
/// A partition this broker hosts: its log, and the signal that wakes long-polling fetches when data
/// arrives or the high watermark moves. The signal is created only by a waiting fetch, so appends with no
/// waiter allocate nothing. Its replication state (leader or follower) is in the other part of this class.
/// </summary>
public sealed partial class Partition(string topic, Guid topicId, int index, PartitionLog log, LogConfig config, int localBrokerId = 0)
{
    private TaskCompletionSource? _dataArrived;

    public string Topic { get; } = topic;
    public Guid TopicId { get; } = topicId;
    public int Index { get; } = index;
    public PartitionLog Log { get; } = log;
    public LogConfig Config { get; private set; } = config;

    /// <summary>This broker's id: the leader's own replica.</summary>
    public int LocalBrokerId { get; } = localBrokerId;

    public void UpdateConfig(LogConfig config)
    {
        Config = config;
        Log.UpdateConfig(config);
    }

    /// <summary>Appends a client's batches; a refused or duplicate append changes nothing and wakes nobody.</summary>
    public AppendResult Append(Span<byte> batches, long nowMs)
    {
        var result = Log.Append(batches, nowMs, LeaderEpoch);
        if (result.Error == ErrorCode.None && !result.IsDuplicate)
        {
            Advance();
        }
        return result;
    }

    /// <summary>
    /// The transaction coordinator's call: writes the COMMIT or ABORT marker of <paramref name="producerId"/>'s
    /// transaction, which updates the producer state, the last stable offset and the aborted-transaction index,
    /// then waits, as an acks=-1 append, until it is fsynced and every in-sync replica holds it (at most
    /// <paramref name="timeoutMs"/>). Returns TRANSACTION_COORDINATOR_FENCED for a coordinator epoch below the
    /// producer's last one, INVALID_PRODUCER_EPOCH for a producer epoch below its current one, NOT_ENOUGH_REPLICAS
    /// when the ISR is below min.insync.replicas, NOT_ENOUGH_REPLICAS_AFTER_APPEND or REQUEST_TIMED_OUT when
    /// the replicas did not take it, NOT_LEADER_OR_FOLLOWER when the partition is gone or moved,
    /// KAFKA_STORAGE_ERROR when the disk fails; None on success. The coordinator retries on any error.
    /// </summary>
    public async ValueTask<ErrorCode> WriteTxnMarkerAsync(long producerId, short producerEpoch, int coordinatorEpoch, bool committed,
        int timeoutMs, TimeProvider time, CancellationToken cancellationToken)
    {
        if (producerId < 0)
        {
            return ErrorCode.InvalidRequest;
        }
        if (!HasEnoughInsyncReplicas)
        {
            return ErrorCode.NotEnoughReplicas;
        }
        AppendResult result;
        try
        {
            result = Log.AppendEndTxnMarker(producerId, producerEpoch, coordinatorEpoch, committed, LeaderEpoch);
            if (result.Error != ErrorCode.None)
            {
                return result.Error;
            }
            Advance();
        }
        catch (ObjectDisposedException)
        {
            // Closed or deleted under the coordinator: it retries against the current leader.
            return ErrorCode.NotLeaderOrFollower;
        }
        catch (IOException)
        {
            return ErrorCode.KafkaStorageError;
        }
        return await AwaitCommittedAsync(result.LastOffset, timeoutMs, time, cancellationToken).ConfigureAwait(false);
    }

    private void Advance()
    {
        // High watermark first: a woken consumer then finds the data readable when a lone replica is the whole ISR.
        MaybeAdvanceHighWatermark();
        Interlocked.Exchange(ref _dataArrived, null)?.TrySetResult();
    }

    /// <summary>A task that completes on the next append. Register before re-checking for data, so none is missed.</summary>
    public Task WaitForDataAsync()
    {
        var current = Volatile.Read(ref _dataArrived);
        if (current is not null)
        {
            return current.Task;
        }
        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (Interlocked.CompareExchange(ref _dataArrived, created, null) ?? created).Task;
    }

    /// <summary>Wakes waiters without data, for example when the partition is deleted.</summary>
    public void Wake() => Interlocked.Exchange(ref _dataArrived, null)?.TrySetResult();
}
