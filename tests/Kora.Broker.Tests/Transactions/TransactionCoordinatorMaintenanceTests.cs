using Kora.Broker.Groups;
using Kora.Broker.Transactions;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Tests.Transactions;

public class TransactionCoordinatorMaintenanceTests
{
    private static readonly TopicPartitionKey P0 = new("out", 0);

    [Fact]
    public async Task TimedOutTransaction_IsAbortedWithABumpedEpoch_FencingItsProducer()
    {
        using var h = new CoordinatorHarness();
        var p = await h.InitAsync(timeoutMs: 1000);
        await h.Coordinator.AddPartitionsAsync("t", p.ProducerId, 0, [P0]);
        h.Time.Advance(1000);
        Assert.Equal(0, await h.Coordinator.AbortTimedOutTransactionsAsync());
        h.Time.Advance(1);
        Assert.Equal(1, await h.Coordinator.AbortTimedOutTransactionsAsync());
        await h.Coordinator.WhenBackgroundIdleAsync();

        Assert.Equal((P0, p.ProducerId, (short)1, 3, false), Assert.Single(h.Markers.Snapshot()));
        var state = h.Coordinator.Get("t")!;
        Assert.Equal(TransactionState.CompleteAbort, state.State);
        Assert.Equal(1, state.ProducerEpoch);
        Assert.Equal(ErrorCode.ProducerFenced, await h.Coordinator.EndTransactionAsync("t", p.ProducerId, 0, commit: true));
        Assert.Equal(ErrorCode.ProducerFenced, await h.Coordinator.AddPartitionsAsync("t", p.ProducerId, 0, [P0]));
        // KIP-360: the zombie cannot resume with the epoch it holds either.
        Assert.Equal(ErrorCode.ProducerFenced, (await h.InitAsync(expected: (p.ProducerId, 0))).Error);
    }

    [Fact]
    public async Task TimeoutAbort_WhoseWriteFails_KeepsItsBumpedEpoch_AndIsRetried()
    {
        using var h = new CoordinatorHarness();
        var p = await h.InitAsync(timeoutMs: 1000);
        await h.Coordinator.AddPartitionsAsync("t", p.ProducerId, 0, [P0]);
        h.Time.Advance(5000);
        h.Log.FailWith = ErrorCode.NotCoordinator;
        Assert.Equal(0, await h.Coordinator.AbortTimedOutTransactionsAsync());
        Assert.Equal(1, h.Coordinator.Get("t")!.ProducerEpoch);
        Assert.Null(h.Coordinator.PendingState("t"));
        h.Log.FailWith = ErrorCode.None;
        Assert.Equal(1, await h.Coordinator.AbortTimedOutTransactionsAsync());
        await h.Coordinator.WhenBackgroundIdleAsync();
        var state = h.Coordinator.Get("t")!;
        Assert.Equal(TransactionState.CompleteAbort, state.State);
        Assert.Equal(1, state.ProducerEpoch);
    }

    [Fact]
    public async Task IdleTransactionalIds_Expire_WithATombstone()
    {
        using var h = new CoordinatorHarness(new TransactionSettings { TransactionalIdExpirationMs = 10_000, RetryBackoffMs = 1, EndTxnCompletionWaitMs = 0 });
        var idle = await h.InitAsync("idle");
        var busy = await h.InitAsync("busy", timeoutMs: 900_000);
        await h.Coordinator.AddPartitionsAsync("busy", busy.ProducerId, 0, [P0]);
        h.Time.Advance(9_999);
        Assert.Equal(0, await h.Coordinator.ExpireTransactionalIdsAsync());
        h.Time.Advance(1);
        Assert.Equal(1, await h.Coordinator.ExpireTransactionalIdsAsync());
        Assert.Null(h.Coordinator.Get("idle"));
        Assert.NotNull(h.Coordinator.Get("busy"));
        var tombstone = h.Log.Records[^1];
        Assert.Equal("idle", tombstone.Id);
        Assert.Null(tombstone.Value);
        Assert.Equal(ErrorCode.TransactionalIdNotFound, h.Coordinator.Describe("idle").Error);
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, await h.Coordinator.EndTransactionAsync("idle", idle.ProducerId, 0, commit: true));
        // The id starts over with a new producer id.
        var again = await h.InitAsync("idle");
        Assert.NotEqual(idle.ProducerId, again.ProducerId);
        Assert.Equal(0, again.ProducerEpoch);
    }

    [Fact]
    public async Task Describe_ReportsTheTransaction()
    {
        using var h = new CoordinatorHarness();
        var p = await h.InitAsync(timeoutMs: 5000);
        await h.Coordinator.AddPartitionsAsync("t", p.ProducerId, 0, [new("b", 1), new("a", 2), new("a", 0)]);
        var d = h.Coordinator.Describe("t");
        Assert.Equal(ErrorCode.None, d.Error);
        Assert.Equal(TransactionState.Ongoing, d.State);
        Assert.Equal(5000, d.TimeoutMs);
        Assert.Equal(h.Time.NowMs, d.StartTimestampMs);
        Assert.Equal(p.ProducerId, d.ProducerId);
        Assert.Equal([new("a", 0), new("a", 2), new("b", 1)], d.Partitions);
        Assert.Equal(ErrorCode.TransactionalIdNotFound, h.Coordinator.Describe("unknown").Error);
        Assert.Equal(ErrorCode.InvalidRequest, h.Coordinator.Describe("").Error);
        h.Log.IsReady = false;
        Assert.Equal(ErrorCode.NotCoordinator, h.Coordinator.Describe("t").Error);
    }

    [Fact]
    public async Task List_FiltersByStateProducerAndDuration()
    {
        using var h = new CoordinatorHarness();
        var a = await h.InitAsync("a");
        var b = await h.InitAsync("b");
        await h.InitAsync("c");
        await h.Coordinator.AddPartitionsAsync("a", a.ProducerId, 0, [P0]);
        h.Time.Advance(10_000);
        await h.Coordinator.AddPartitionsAsync("b", b.ProducerId, 0, [P0]);
        h.Time.Advance(1_000);

        var (unknown, all) = h.Coordinator.List([], [], -1);
        Assert.Empty(unknown);
        Assert.Equal(["a", "b", "c"], all.Select(t => t.TransactionalId));

        var (unknownStates, ongoing) = h.Coordinator.List(["Ongoing", "Bogus"], [], -1);
        Assert.Equal(["Bogus"], unknownStates);
        Assert.Equal(["a", "b"], ongoing.Select(t => t.TransactionalId));

        Assert.Equal(["b"], h.Coordinator.List([], [b.ProducerId], -1).Transactions.Select(t => t.TransactionalId));
        Assert.Equal(["a"], h.Coordinator.List(["Ongoing"], [], 5_000).Transactions.Select(t => t.TransactionalId));
        Assert.Equal(TransactionState.Empty, h.Coordinator.List(["Empty"], [], -1).Transactions.Single().State);
    }
}
