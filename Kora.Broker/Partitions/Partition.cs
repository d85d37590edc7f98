using Kora.Storage.Log;

namespace Kora.Broker.Partitions;

/// <summary>
/// A partition this broker hosts: its log, and the signal that wakes long-polling fetches when data
/// arrives. The signal is created only by a waiting fetch, so appends with no waiter allocate nothing.
/// </summary>
public sealed class Partition(string topic, Guid topicId, int index, PartitionLog log, LogConfig config)
{
    private TaskCompletionSource? _dataArrived;

    public string Topic { get; } = topic;
    public Guid TopicId { get; } = topicId;
    public int Index { get; } = index;
    public PartitionLog Log { get; } = log;
    public LogConfig Config { get; private set; } = config;
    public int LeaderEpoch { get; set; }

    public void UpdateConfig(LogConfig config)
    {
        Config = config;
        Log.UpdateConfig(config);
    }

    public AppendResult Append(Span<byte> batches, long nowMs)
    {
        var result = Log.Append(batches, nowMs, LeaderEpoch);
        // A single replica is the whole ISR, so the high watermark follows the log end at once.
        Log.UpdateHighWatermark(Log.LogEndOffset);
        Interlocked.Exchange(ref _dataArrived, null)?.TrySetResult();
        return result;
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
