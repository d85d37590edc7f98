using Kora.Broker.Groups;
using Kora.Broker.Transactions;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Tests.Transactions;

public class TransactionReplayTests
{
    private static readonly TopicPartitionKey P0 = new("out", 0);
    private static readonly TopicPartitionKey P1 = new("out", 1);

    [Fact]
    public async Task Replay_RestoresTheLatestStateOfEachId_AndTombstonesForget()
    {
        using var h = new CoordinatorHarness();
        var a = await h.InitAsync("a");
        await h.InitAsync("gone");
        await h.Coordinator.AddPartitionsAsync("a", a.ProducerId, 0, [P0, P1]);
        h.Log.Records.Add(("gone", TransactionLogCodec.Key("gone"), null));

        using var restarted = h.Restarted(new RecordingMarkerWriter());
        var state = restarted.Get("a")!;
        Assert.Equal(TransactionState.Ongoing, state.State);
        Assert.Equal(new HashSet<TopicPartitionKey> { P0, P1 }, state.Partitions);
        Assert.Equal(a.ProducerId, state.ProducerId);
        Assert.Null(restarted.Get("gone"));
        Assert.Equal(0, restarted.ResumePreparedTransactions());

        // The open transaction carries on after the restart.
        Assert.Equal(ErrorCode.None, await restarted.EndTransactionAsync("a", a.ProducerId, 0, commit: true));
        await restarted.WhenBackgroundIdleAsync();
        Assert.Equal(TransactionState.CompleteCommit, restarted.Get("a")!.State);
    }

    [Fact]
    public async Task PreparedTransactions_AreCompletedAfterARestart_WithTheirMarkersSentAgain()
    {
        using var h = new CoordinatorHarness();
        var p = await h.InitAsync("c");
        var q = await h.InitAsync("d");
        await h.Coordinator.AddPartitionsAsync("c", p.ProducerId, 0, [P0, P1]);
        await h.Coordinator.AddPartitionsAsync("d", q.ProducerId, 0, [P1]);
        // The markers never get written before the "crash".
        h.Markers.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await h.Coordinator.EndTransactionAsync("c", p.ProducerId, 0, commit: true);
        await h.Coordinator.EndTransactionAsync("d", q.ProducerId, 0, commit: false);
        h.Coordinator.Dispose();

        var markers = new RecordingMarkerWriter();
        using var restarted = h.Restarted(markers);
        Assert.Equal(TransactionState.PrepareCommit, restarted.Get("c")!.State);
        Assert.Equal(2, restarted.ResumePreparedTransactions());
        await restarted.WhenBackgroundIdleAsync();

        var written = markers.Snapshot();
        Assert.Equal(3, written.Count);
        Assert.All(written.Where(m => m.ProducerId == p.ProducerId), m => Assert.True(m.Committed));
        Assert.Equal([P1], written.Where(m => m.ProducerId == q.ProducerId && !m.Committed).Select(m => m.Partition));
        Assert.Equal(TransactionState.CompleteCommit, restarted.Get("c")!.State);
        Assert.Equal(TransactionState.CompleteAbort, restarted.Get("d")!.State);
        Assert.Equal(TransactionState.CompleteCommit, h.Log.ValuesOf("c")[^1].State);
    }

    [Fact]
    public void UnreadableRecords_AreSkipped()
    {
        using var h = new CoordinatorHarness();
        h.Coordinator.Replay(TransactionLogCodec.Key("x"), Convert.FromHexString("0007"));
        h.Coordinator.Replay(Convert.FromHexString("0009"), Convert.FromHexString("0000"));
        Assert.Equal(0, h.Coordinator.Count);
    }
}
