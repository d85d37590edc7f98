using Kora.Protocol.Primitives;

namespace Kora.Broker.Partitions;

/// <summary>
/// The broker's own writes (group and transaction coordinators, transaction markers) are appended as Kafka's
/// ReplicaManager appends them: with acks=-1, so a coordinator answers only once the write is fsynced here
/// and covered by the high watermark, that is held by every in-sync replica.
/// </summary>
public sealed partial class Partition
{
    /// <summary>Kafka's check before an acks=-1 append: the ISR has at least min.insync.replicas members.</summary>
    public bool HasEnoughInsyncReplicas => Isr.Length >= Config.MinInsyncReplicas;

    /// <summary>
    /// Waits until the records up to <paramref name="lastOffset"/> are fsynced here and the high watermark passes
    /// them. Returns None, NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR fell below min.insync.replicas,
    /// NOT_LEADER_OR_FOLLOWER when this broker stopped leading, REQUEST_TIMED_OUT after
    /// <paramref name="timeoutMs"/>, or KAFKA_STORAGE_ERROR when the disk fails. With a single replica the high
    /// watermark is already at the log end, so only the fsync is waited for.
    /// </summary>
    public async ValueTask<ErrorCode> AwaitCommittedAsync(long lastOffset, int timeoutMs, TimeProvider time, CancellationToken cancellation)
    {
        if (lastOffset < 0)
        {
            return ErrorCode.None;
        }
        var waiter = AwaitReplication(lastOffset + 1, out var decided);
        try
        {
            await Log.FlushAsync(lastOffset, cancellation).ConfigureAwait(false);
            if (waiter is null)
            {
                return decided;
            }
            if (!waiter.Task.IsCompleted)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                var delay = Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, timeoutMs)), time, timeout.Token);
                await Task.WhenAny(waiter.Task, delay).ConfigureAwait(false);
                await timeout.CancelAsync().ConfigureAwait(false);
            }
        }
        catch (ObjectDisposedException)
        {
            // Closed or deleted under the writer: the partition moved away.
            GiveUp(waiter);
            return ErrorCode.NotLeaderOrFollower;
        }
        catch (IOException)
        {
            GiveUp(waiter);
            return ErrorCode.KafkaStorageError;
        }
        catch (OperationCanceledException)
        {
            GiveUp(waiter);
            throw;
        }
        // Unfinished by the deadline: REQUEST_TIMED_OUT, unless it completed meanwhile.
        GiveUp(waiter);
        return waiter.Task.Result;
    }

    private void GiveUp(Replication.ReplicationWaiter? waiter)
    {
        if (waiter is { Task.IsCompleted: false })
        {
            CancelReplicationWait(waiter);
        }
    }
}
