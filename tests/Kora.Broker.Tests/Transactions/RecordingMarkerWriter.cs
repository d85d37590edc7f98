using Kora.Broker.Groups;
using Kora.Broker.Transactions;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Tests.Transactions;

/// <summary>Records every marker; can fail a partition a number of times first.</summary>
internal sealed class RecordingMarkerWriter : ITransactionMarkerWriter
{
    private readonly Lock _lock = new();

    public List<(TopicPartitionKey Partition, long ProducerId, short Epoch, int CoordinatorEpoch, bool Committed)> Markers { get; } = [];
    public Dictionary<TopicPartitionKey, (ErrorCode Error, int Times)> Failures { get; } = [];
    public TaskCompletionSource? Gate { get; set; }

    public async ValueTask<ErrorCode> WriteMarkerAsync(TopicPartitionKey partition, long producerId, short producerEpoch, int coordinatorEpoch, bool committed,
        CancellationToken cancellationToken)
    {
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        lock (_lock)
        {
            if (Failures.TryGetValue(partition, out var failure) && failure.Times > 0)
            {
                Failures[partition] = (failure.Error, failure.Times - 1);
                return failure.Error;
            }
            Markers.Add((partition, producerId, producerEpoch, coordinatorEpoch, committed));
        }
        return ErrorCode.None;
    }

    public List<(TopicPartitionKey Partition, long ProducerId, short Epoch, int CoordinatorEpoch, bool Committed)> Snapshot()
    {
        lock (_lock)
        {
            return [.. Markers];
        }
    }
}
