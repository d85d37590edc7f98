using Kora.Broker.Groups;
using Kora.Broker.Transactions;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Tests.Transactions;

public class TransactionCoordinatorInitTests
{
    private static readonly TopicPartitionKey P0 = new("out", 0);

    [Fact]
    public async Task NewTransactionalId_GetsFreshProducerIdAtEpochZero_WrittenAsEmpty()
    {
        using var h = new CoordinatorHarness();
        var result = await h.InitAsync();
        Assert.Equal(new InitProducerIdResult(ErrorCode.None, 1000, 0), result);
        var written = Assert.Single(h.Log.ValuesOf("t"));
        Assert.Equal(TransactionState.Empty, written.State);
        Assert.Equal(60_000, written.TimeoutMs);
        Assert.Equal(TransactionState.Empty, h.Coordinator.Get("t")!.State);
    }

    [Fact]
    public async Task SecondInit_BumpsTheEpoch_AndFencesTheFirstProducer()
    {
        using var h = new CoordinatorHarness();
        var first = await h.InitAsync();
        var second = await h.InitAsync();
        Assert.Equal(first.ProducerId, second.ProducerId);
        Assert.Equal(1, second.ProducerEpoch);
        Assert.Equal(ErrorCode.ProducerFenced, await h.Coordinator.AddPartitionsAsync("t", first.ProducerId, first.ProducerEpoch, [P0]));
        Assert.Equal(ErrorCode.ProducerFenced, await h.Coordinator.EndTransactionAsync("t", first.ProducerId, first.ProducerEpoch, commit: true));
    }

    [Theory]
    [InlineData("", 1000, ErrorCode.InvalidRequest)]
    [InlineData("t", 0, ErrorCode.InvalidTransactionTimeout)]
    [InlineData("t", -5, ErrorCode.InvalidTransactionTimeout)]
    [InlineData("t", 900_001, ErrorCode.InvalidTransactionTimeout)]
    public async Task InvalidRequests_GetKafkasErrors(string id, int timeoutMs, ErrorCode expected)
    {
        using var h = new CoordinatorHarness();
        var result = await h.InitAsync(id, timeoutMs);
        Assert.Equal(InitProducerIdResult.Failed(expected), result);
        Assert.Empty(h.Log.Records);
    }

    [Fact]
    public async Task MaxTimeout_IsAccepted()
    {
        using var h = new CoordinatorHarness();
        Assert.Equal(ErrorCode.None, (await h.InitAsync(timeoutMs: 900_000)).Error);
    }

    [Fact]
    public async Task WithoutTheStateTopic_AnswersNotCoordinator()
    {
        using var h = new CoordinatorHarness();
        h.Log.IsReady = false;
        Assert.Equal(ErrorCode.NotCoordinator, (await h.InitAsync()).Error);
        Assert.Equal(ErrorCode.NotCoordinator, await h.Coordinator.AddPartitionsAsync("t", 1, 0, [P0]));
        Assert.Equal(ErrorCode.NotCoordinator, await h.Coordinator.EndTransactionAsync("t", 1, 0, commit: true));
    }

    [Fact]
    public async Task InitDuringOngoingTransaction_AbortsItUnderABumpedEpoch_ThenRetryGetsTheNextEpoch()
    {
        using var h = new CoordinatorHarness();
        var first = await h.InitAsync();
        Assert.Equal(ErrorCode.None, await h.Coordinator.AddPartitionsAsync("t", first.ProducerId, 0, [P0]));

        var fenced = await h.InitAsync();
        Assert.Equal(InitProducerIdResult.Failed(ErrorCode.ConcurrentTransactions), fenced);
        await h.Coordinator.WhenBackgroundIdleAsync();

        var marker = Assert.Single(h.Markers.Snapshot());
        Assert.Equal((P0, first.ProducerId, (short)1, 3, false), marker);
        var state = h.Coordinator.Get("t")!;
        Assert.Equal(TransactionState.CompleteAbort, state.State);
        Assert.Equal(1, state.ProducerEpoch);
        Assert.Equal([TransactionState.Empty, TransactionState.Ongoing, TransactionState.PrepareAbort, TransactionState.CompleteAbort],
            h.Log.ValuesOf("t").Select(v => v.State));

        var retried = await h.InitAsync();
        Assert.Equal(new InitProducerIdResult(ErrorCode.None, first.ProducerId, 2), retried);
        Assert.Equal(ErrorCode.ProducerFenced, await h.Coordinator.EndTransactionAsync("t", first.ProducerId, 0, commit: true));
    }

    [Fact]
    public async Task WhileMarkersAreInFlight_InitAnswersConcurrentTransactions()
    {
        using var h = new CoordinatorHarness();
        var p = await h.InitAsync();
        await h.Coordinator.AddPartitionsAsync("t", p.ProducerId, 0, [P0]);
        h.Markers.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.Equal(ErrorCode.None, await h.Coordinator.EndTransactionAsync("t", p.ProducerId, 0, commit: true));
        Assert.Equal(TransactionState.CompleteCommit, h.Coordinator.PendingState("t"));
        Assert.Equal(ErrorCode.ConcurrentTransactions, (await h.InitAsync()).Error);
        h.Markers.Gate.SetResult();
        await h.Coordinator.WhenBackgroundIdleAsync();
        Assert.Equal(new InitProducerIdResult(ErrorCode.None, p.ProducerId, 1), await h.InitAsync());
    }

    [Fact]
    public async Task PendingWrite_AnswersConcurrentTransactions()
    {
        using var h = new CoordinatorHarness();
        await h.InitAsync();
        h.Log.Hold();
        var slow = h.InitAsync();
        Assert.False(slow.IsCompleted);
        Assert.Equal(ErrorCode.ConcurrentTransactions, (await h.InitAsync()).Error);
        h.Log.Release();
        Assert.Equal(1, (await slow).ProducerEpoch);
    }

    [Fact]
    public async Task FailedWrite_ReturnsTheError_AndLeavesNoPendingState()
    {
        using var h = new CoordinatorHarness();
        await h.InitAsync();
        h.Log.FailWith = ErrorCode.NotCoordinator;
        Assert.Equal(InitProducerIdResult.Failed(ErrorCode.NotCoordinator), await h.InitAsync());
        Assert.Null(h.Coordinator.PendingState("t"));
        h.Log.FailWith = ErrorCode.None;
        Assert.Equal(1, (await h.InitAsync()).ProducerEpoch);
    }

    [Fact]
    public async Task Kip360_ExpectedCurrentEpoch_Bumps_RetryOfThatCallKeepsTheEpoch_OthersAreFenced()
    {
        using var h = new CoordinatorHarness();
        var p = await h.InitAsync();
        var bumped = await h.InitAsync(expected: (p.ProducerId, 0));
        Assert.Equal(new InitProducerIdResult(ErrorCode.None, p.ProducerId, 1), bumped);
        // The producer never heard the answer and retries with the epoch it still holds: same epoch again.
        Assert.Equal(new InitProducerIdResult(ErrorCode.None, p.ProducerId, 1), await h.InitAsync(expected: (p.ProducerId, 0)));
        Assert.Equal(InitProducerIdResult.Failed(ErrorCode.ProducerFenced), await h.InitAsync(expected: (p.ProducerId, 7)));
        Assert.Equal(InitProducerIdResult.Failed(ErrorCode.ProducerFenced), await h.InitAsync(expected: (p.ProducerId + 50, 1)));
    }

    [Fact]
    public async Task Kip360_NewTransactionalId_AcceptsAnyExpectedProducer()
    {
        using var h = new CoordinatorHarness();
        var result = await h.InitAsync(expected: (77, 4));
        Assert.Equal(new InitProducerIdResult(ErrorCode.None, 1000, 0), result);
    }

    [Fact]
    public async Task ExhaustedEpoch_RotatesToANewProducerId()
    {
        using var h = new CoordinatorHarness();
        var exhausted = new TxnTransit(500, -1, short.MaxValue - 1, -1, 60_000, TransactionState.CompleteCommit, new HashSet<TopicPartitionKey>(), 10, 20);
        h.Coordinator.Replay(TransactionLogCodec.Key("t"), TransactionLogCodec.Value(exhausted));
        var rotated = await h.InitAsync();
        Assert.Equal(new InitProducerIdResult(ErrorCode.None, 1000, 0), rotated);
        var state = h.Coordinator.Get("t")!;
        Assert.Equal(500, state.LastProducerId);
        Assert.Equal(TransactionState.Empty, state.State);
    }

    [Fact]
    public async Task ExhaustedEpoch_RetryWithThePreviousProducerId_IsNotFenced()
    {
        using var h = new CoordinatorHarness();
        var exhausted = new TxnTransit(500, -1, short.MaxValue - 1, -1, 60_000, TransactionState.Empty, new HashSet<TopicPartitionKey>(), -1, 20);
        h.Coordinator.Replay(TransactionLogCodec.Key("t"), TransactionLogCodec.Value(exhausted));
        var rotated = await h.InitAsync(expected: (500, short.MaxValue - 1));
        Assert.Equal(new InitProducerIdResult(ErrorCode.None, 1000, 0), rotated);
        // The same call retried: the previous id with its exhausted epoch is recognized, and the new id continues.
        var retried = await h.InitAsync(expected: (500, short.MaxValue - 1));
        Assert.Equal(ErrorCode.None, retried.Error);
        Assert.Equal(1000, retried.ProducerId);
    }
}
