using Kora.Broker.Groups;
using Kora.Broker.Transactions;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kora.Broker.Tests.Transactions;

internal sealed class ManualTime : TimeProvider
{
    public DateTimeOffset Now { get; set; } = DateTimeOffset.FromUnixTimeMilliseconds(1_000_000);
    public long NowMs => Now.ToUnixTimeMilliseconds();
    public override DateTimeOffset GetUtcNow() => Now;
    public void Advance(long ms) => Now = Now.AddMilliseconds(ms);
}

/// <summary>An in-memory transaction log: records in order, an optional failure, and an optional gate that holds appends.</summary>
internal sealed class MemoryTransactionLog : ITransactionLog
{
    private readonly Lock _lock = new();
    private TaskCompletionSource? _gate;

    public List<(string Id, byte[] Key, byte[]? Value)> Records { get; } = [];
    public bool IsReady { get; set; } = true;
    public ErrorCode FailWith { get; set; } = ErrorCode.None;

    public int CoordinatorEpoch(string transactionalId) => 3;

    /// <summary>Holds every following append until <see cref="Release"/>.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => Interlocked.Exchange(ref _gate, null)?.TrySetResult();

    public async ValueTask<ErrorCode> AppendAsync(string transactionalId, byte[] key, byte[]? value, CancellationToken cancellationToken)
    {
        if (_gate is { } gate)
        {
            await gate.Task.ConfigureAwait(false);
        }
        if (FailWith != ErrorCode.None)
        {
            return FailWith;
        }
        lock (_lock)
        {
            Records.Add((transactionalId, key, value));
        }
        return ErrorCode.None;
    }

    public List<TxnTransit> ValuesOf(string transactionalId)
    {
        lock (_lock)
        {
            return [.. Records.Where(r => r.Id == transactionalId && r.Value is not null).Select(r => TransactionLogCodec.ReadValue(r.Value!))];
        }
    }
}

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

internal sealed class SequentialProducerIds(long first = 1000) : IProducerIdSource
{
    private long _next = first;

    public ValueTask<long> NextAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Interlocked.Increment(ref _next) - 1);
}

/// <summary>A coordinator over fakes.</summary>
internal sealed class CoordinatorHarness : IDisposable
{
    public ManualTime Time { get; } = new();
    public MemoryTransactionLog Log { get; } = new();
    public RecordingMarkerWriter Markers { get; } = new();
    public SequentialProducerIds ProducerIds { get; } = new();
    public TransactionCoordinator Coordinator { get; }

    public CoordinatorHarness(TransactionSettings? settings = null)
    {
        Coordinator = new TransactionCoordinator(Log, Markers, ProducerIds, Time, settings ?? new TransactionSettings { RetryBackoffMs = 1, EndTxnCompletionWaitMs = 0 },
            NullLogger<TransactionCoordinator>.Instance);
    }

    /// <summary>A fresh coordinator over the same log, as after a restart.</summary>
    public TransactionCoordinator Restarted(RecordingMarkerWriter markers)
    {
        var restarted = new TransactionCoordinator(Log, markers, ProducerIds, Time, new TransactionSettings { RetryBackoffMs = 1, EndTxnCompletionWaitMs = 0 }, NullLogger<TransactionCoordinator>.Instance);
        foreach (var (_, key, value) in Log.Records)
        {
            restarted.Replay(key, value);
        }
        return restarted;
    }

    public async Task<InitProducerIdResult> InitAsync(string id = "t", int timeoutMs = 60_000, (long, short)? expected = null) =>
        await Coordinator.InitProducerIdAsync(id, timeoutMs, expected, CancellationToken.None);

    public void Dispose() => Coordinator.Dispose();
}
