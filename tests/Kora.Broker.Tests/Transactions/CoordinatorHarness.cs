using Kora.Broker.Transactions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kora.Broker.Tests.Transactions;

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
