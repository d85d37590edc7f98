using Kora.Broker.Groups;
using Kora.Broker.Transactions;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Tests.Transactions;

public class TransactionCoordinatorEndTxnTests
{
    private static readonly TopicPartitionKey P0 = new("out", 0);
    private static readonly TopicPartitionKey P1 = new("out", 1);
    private static readonly TopicPartitionKey Offsets = new("__consumer_offsets", 7);

    private static async Task<(CoordinatorHarness H, InitProducerIdResult P)> OngoingAsync(params TopicPartitionKey[] partitions)
    {
        var h = new CoordinatorHarness();
        var p = await h.InitAsync();
        Assert.Equal(ErrorCode.None, await h.Coordinator.AddPartitionsAsync("t", p.ProducerId, p.ProducerEpoch, partitions));
        return (h, p);
    }

    [Fact]
    public async Task AddPartitions_StartsTheTransaction_AndAddingKnownPartitionsWritesNothing()
    {
        var (h, p) = await OngoingAsync(P0);
        using var _ = h;
        var state = h.Coordinator.Get("t")!;
        Assert.Equal(TransactionState.Ongoing, state.State);
        Assert.Equal(h.Time.NowMs, state.StartTimestampMs);
        var records = h.Log.Records.Count;
        h.Time.Advance(500);
        Assert.Equal(ErrorCode.None, await h.Coordinator.AddPartitionsAsync("t", p.ProducerId, 0, [P0]));
        Assert.Equal(records, h.Log.Records.Count);
        Assert.Equal(ErrorCode.None, await h.Coordinator.AddPartitionsAsync("t", p.ProducerId, 0, [P1, Offsets]));
        state = h.Coordinator.Get("t")!;
        Assert.Equal(new HashSet<TopicPartitionKey> { P0, P1, Offsets }, state.Partitions);
        Assert.Equal(h.Time.NowMs - 500, state.StartTimestampMs);
    }

    [Fact]
    public async Task AddPartitions_Errors()
    {
        var (h, p) = await OngoingAsync(P0);
        using var _ = h;
        Assert.Equal(ErrorCode.InvalidRequest, await h.Coordinator.AddPartitionsAsync("", p.ProducerId, 0, [P0]));
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, await h.Coordinator.AddPartitionsAsync("other", p.ProducerId, 0, [P0]));
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, await h.Coordinator.AddPartitionsAsync("t", p.ProducerId + 1, 0, [P0]));
        Assert.Equal(ErrorCode.ProducerFenced, await h.Coordinator.AddPartitionsAsync("t", p.ProducerId, 1, [P0]));
        h.Markers.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.Equal(ErrorCode.None, await h.Coordinator.EndTransactionAsync("t", p.ProducerId, 0, commit: true));
        Assert.Equal(ErrorCode.ConcurrentTransactions, await h.Coordinator.AddPartitionsAsync("t", p.ProducerId, 0, [P1]));
        h.Markers.Gate.SetResult();
        await h.Coordinator.WhenBackgroundIdleAsync();
        Assert.Equal(ErrorCode.None, await h.Coordinator.AddPartitionsAsync("t", p.ProducerId, 0, [P1]));
    }

    [Fact]
    public async Task Commit_WritesPrepareCommit_MarkersToEveryPartition_ThenCompleteCommit()
    {
        var (h, p) = await OngoingAsync(P0, P1, Offsets);
        using var _ = h;
        Assert.Equal(ErrorCode.None, await h.Coordinator.EndTransactionAsync("t", p.ProducerId, 0, commit: true));
        await h.Coordinator.WhenBackgroundIdleAsync();
        var markers = h.Markers.Snapshot().OrderBy(m => m.Partition.Topic).ThenBy(m => m.Partition.Partition).ToList();
        Assert.Equal([(Offsets, p.ProducerId, (short)0, 3, true), (P0, p.ProducerId, (short)0, 3, true), (P1, p.ProducerId, (short)0, 3, true)], markers);
        var values = h.Log.ValuesOf("t");
        Assert.Equal([TransactionState.Empty, TransactionState.Ongoing, TransactionState.PrepareCommit, TransactionState.CompleteCommit], values.Select(v => v.State));
        Assert.Equal(3, values[2].Partitions.Count);
        Assert.Empty(values[3].Partitions);
        var state = h.Coordinator.Get("t")!;
        Assert.Equal(TransactionState.CompleteCommit, state.State);
        Assert.Null(h.Coordinator.PendingState("t"));
        Assert.Equal(0, state.ProducerEpoch);
    }

    [Fact]
    public async Task Abort_WritesAbortMarkers()
    {
        var (h, p) = await OngoingAsync(P0);
        using var _ = h;
        Assert.Equal(ErrorCode.None, await h.Coordinator.EndTransactionAsync("t", p.ProducerId, 0, commit: false));
        await h.Coordinator.WhenBackgroundIdleAsync();
        Assert.False(Assert.Single(h.Markers.Snapshot()).Committed);
        Assert.Equal(TransactionState.CompleteAbort, h.Coordinator.Get("t")!.State);
    }

    [Fact]
    public async Task EndTxn_ErrorsAndRetries_ByState()
    {
        var (h, p) = await OngoingAsync(P0);
        using var _ = h;
        var id = p.ProducerId;
        Assert.Equal(ErrorCode.InvalidRequest, await h.Coordinator.EndTransactionAsync("", id, 0, commit: true));
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, await h.Coordinator.EndTransactionAsync("nope", id, 0, commit: true));
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, await h.Coordinator.EndTransactionAsync("t", id + 1, 0, commit: true));
        Assert.Equal(ErrorCode.ProducerFenced, await h.Coordinator.EndTransactionAsync("t", id, 1, commit: true));

        h.Markers.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.Equal(ErrorCode.None, await h.Coordinator.EndTransactionAsync("t", id, 0, commit: true));
        Assert.Equal(ErrorCode.ConcurrentTransactions, await h.Coordinator.EndTransactionAsync("t", id, 0, commit: true));
        Assert.Equal(ErrorCode.ConcurrentTransactions, await h.Coordinator.EndTransactionAsync("t", id, 0, commit: false));
        h.Markers.Gate.SetResult();
        await h.Coordinator.WhenBackgroundIdleAsync();

        // CompleteCommit: a retried commit succeeds, an abort is refused.
        Assert.Equal(ErrorCode.None, await h.Coordinator.EndTransactionAsync("t", id, 0, commit: true));
        Assert.Equal(ErrorCode.InvalidTxnState, await h.Coordinator.EndTransactionAsync("t", id, 0, commit: false));

        // Empty after a new epoch: nothing to end.
        var next = await h.InitAsync();
        Assert.Equal(ErrorCode.InvalidTxnState, await h.Coordinator.EndTransactionAsync("t", id, next.ProducerEpoch, commit: true));
        Assert.Equal(ErrorCode.InvalidTxnState, await h.Coordinator.EndTransactionAsync("t", id, next.ProducerEpoch, commit: false));
    }

    [Fact]
    public async Task PrepareStates_RefuseTheOppositeOutcome()
    {
        var (h, p) = await OngoingAsync(P0);
        using var _ = h;
        h.Markers.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.Equal(ErrorCode.None, await h.Coordinator.EndTransactionAsync("t", p.ProducerId, 0, commit: false));
        // Markers in flight: the completion is pending, so every request waits.
        Assert.Equal(ErrorCode.ConcurrentTransactions, await h.Coordinator.EndTransactionAsync("t", p.ProducerId, 0, commit: true));
        h.Markers.Gate.SetResult();
        await h.Coordinator.WhenBackgroundIdleAsync();
        Assert.Equal(ErrorCode.None, await h.Coordinator.EndTransactionAsync("t", p.ProducerId, 0, commit: false));
        Assert.Equal(ErrorCode.InvalidTxnState, await h.Coordinator.EndTransactionAsync("t", p.ProducerId, 0, commit: true));
    }

    [Fact]
    public async Task FailedMarkers_AreRetried_AndDeletedPartitionsSkipped()
    {
        var (h, p) = await OngoingAsync(P0, P1);
        using var _ = h;
        h.Markers.Failures[P0] = (ErrorCode.NotLeaderOrFollower, 3);
        h.Markers.Failures[P1] = (ErrorCode.UnknownTopicOrPartition, 1);
        Assert.Equal(ErrorCode.None, await h.Coordinator.EndTransactionAsync("t", p.ProducerId, 0, commit: true));
        await h.Coordinator.WhenBackgroundIdleAsync();
        Assert.Equal(P0, Assert.Single(h.Markers.Snapshot()).Partition);
        Assert.Equal(TransactionState.CompleteCommit, h.Coordinator.Get("t")!.State);
    }

    [Fact]
    public async Task FailedPrepareWrite_LeavesTheTransactionOngoing()
    {
        var (h, p) = await OngoingAsync(P0);
        using var _ = h;
        h.Log.FailWith = ErrorCode.NotCoordinator;
        Assert.Equal(ErrorCode.NotCoordinator, await h.Coordinator.EndTransactionAsync("t", p.ProducerId, 0, commit: true));
        Assert.Equal(TransactionState.Ongoing, h.Coordinator.Get("t")!.State);
        Assert.Null(h.Coordinator.PendingState("t"));
        Assert.Empty(h.Markers.Snapshot());
    }

    [Fact]
    public async Task NextTransaction_StartsFromComplete()
    {
        var (h, p) = await OngoingAsync(P0);
        using var _ = h;
        await h.Coordinator.EndTransactionAsync("t", p.ProducerId, 0, commit: true);
        await h.Coordinator.WhenBackgroundIdleAsync();
        h.Time.Advance(1000);
        Assert.Equal(ErrorCode.None, await h.Coordinator.AddPartitionsAsync("t", p.ProducerId, 0, [P1]));
        var state = h.Coordinator.Get("t")!;
        Assert.Equal(new HashSet<TopicPartitionKey> { P1 }, state.Partitions);
        Assert.Equal(h.Time.NowMs, state.StartTimestampMs);
    }

    [Fact]
    public async Task VerifyPartitions_ReportsMembershipOfTheOpenTransaction()
    {
        var (h, p) = await OngoingAsync(P0);
        using var _ = h;
        var (error, per) = h.Coordinator.VerifyPartitions("t", p.ProducerId, 0, [P0, P1], ErrorCode.TransactionAbortable);
        Assert.Equal(ErrorCode.None, error);
        Assert.Equal(ErrorCode.None, per[P0]);
        Assert.Equal(ErrorCode.TransactionAbortable, per[P1]);
        Assert.Equal(ErrorCode.ProducerFenced, h.Coordinator.VerifyPartitions("t", p.ProducerId, 3, [P0], ErrorCode.InvalidTxnState).Error);
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, h.Coordinator.VerifyPartitions("t", 1, 0, [P0], ErrorCode.InvalidTxnState).Error);
        Assert.Equal(ErrorCode.InvalidRequest, h.Coordinator.VerifyPartitions("", 1, 0, [P0], ErrorCode.InvalidTxnState).Error);
    }

    [Fact]
    public async Task ValidateOffsetCommit_NeedsTheCurrentProducerAndTheOffsetsPartitionInTheTransaction()
    {
        var (h, p) = await OngoingAsync(P0);
        using var _ = h;
        Assert.Equal(ErrorCode.InvalidTxnState, h.Coordinator.ValidateOffsetCommit("t", p.ProducerId, 0, Offsets));
        await h.Coordinator.AddPartitionsAsync("t", p.ProducerId, 0, [Offsets]);
        Assert.Equal(ErrorCode.None, h.Coordinator.ValidateOffsetCommit("t", p.ProducerId, 0, Offsets));
        Assert.Equal(ErrorCode.InvalidProducerEpoch, h.Coordinator.ValidateOffsetCommit("t", p.ProducerId, 5, Offsets));
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, h.Coordinator.ValidateOffsetCommit("t", p.ProducerId + 1, 0, Offsets));
        Assert.Equal(ErrorCode.InvalidRequest, h.Coordinator.ValidateOffsetCommit("", p.ProducerId, 0, Offsets));
    }

    [Fact]
    public async Task EndTxn_WaitsForTheMarkers_UpToItsBound()
    {
        using var h = new CoordinatorHarness(new TransactionSettings { RetryBackoffMs = 1, EndTxnCompletionWaitMs = 30_000 });
        var p = await h.InitAsync();
        await h.Coordinator.AddPartitionsAsync("t", p.ProducerId, 0, [P0]);
        h.Markers.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ending = h.Coordinator.EndTransactionAsync("t", p.ProducerId, 0, commit: true).AsTask();
        await Task.Delay(50);
        Assert.False(ending.IsCompleted);
        h.Markers.Gate.SetResult();
        Assert.Equal(ErrorCode.None, await ending);
        // Answered after completion: the next transaction starts at once, without CONCURRENT_TRANSACTIONS.
        Assert.Equal(TransactionState.CompleteCommit, h.Coordinator.Get("t")!.State);
        Assert.Equal(ErrorCode.None, await h.Coordinator.AddPartitionsAsync("t", p.ProducerId, 0, [P1]));

        using var bounded = new CoordinatorHarness(new TransactionSettings { RetryBackoffMs = 1, EndTxnCompletionWaitMs = 100 });
        var q = await bounded.InitAsync();
        await bounded.Coordinator.AddPartitionsAsync("t", q.ProducerId, 0, [P0]);
        bounded.Markers.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.Equal(ErrorCode.None, await bounded.Coordinator.EndTransactionAsync("t", q.ProducerId, 0, commit: true));
        Assert.Equal(TransactionState.CompleteCommit, bounded.Coordinator.PendingState("t"));
        bounded.Markers.Gate.SetResult();
        await bounded.Coordinator.WhenBackgroundIdleAsync();
    }
}
