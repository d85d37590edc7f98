using Kora.Protocol.Primitives;
using Kora.Storage.Log;

namespace Kora.Storage.Tests.Producers;

public sealed class ProducerRecoveryTests : ProducerLogTestBase
{
    private static readonly LogConfig SmallSegments = new() { SegmentBytes = 400, IndexIntervalBytes = 10 };

    [Fact]
    public void CleanClose_WritesASnapshotAtTheLogEnd_WhichTheNextOpenLoadsWithoutReplaying()
    {
        var log = Open();
        for (var i = 0; i < 4; i++)
        {
            Produce(log, 7, 0, i * 2, records: 2);
        }
        log.Close();
        Assert.True(File.Exists(SnapshotFile(8)));

        var reopened = Open();

        Assert.Equal(new Kora.Storage.Producers.ProducerStateLoad(8, 8, 8, 0), reopened.LastProducerStateLoad);
        var retry = Produce(reopened, 7, 0, 6, records: 2);
        Assert.True(retry.IsDuplicate);
        Assert.Equal(6, retry.BaseOffset);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Produce(reopened, 7, 0, 9).Error);
        Assert.Equal(ErrorCode.None, Produce(reopened, 7, 0, 8).Error);
    }

    [Fact]
    public async Task Roll_WritesASnapshotAtTheNewSegment_AndACrashReplaysOnlyTheActiveSegment()
    {
        var log = Open(SmallSegments);
        var sequence = 0;
        while (log.SegmentCount < 3)
        {
            Produce(log, 7, 0, sequence, records: 2);
            sequence += 2;
        }
        var activeBase = log.ClosedSegments[^1].NextOffset;
        await WaitForAsync(() => File.Exists(SnapshotFile(activeBase)));
        Produce(log, 7, 0, sequence, records: 2);
        var last = Produce(log, 8, 0, 0);
        await log.FlushAsync(long.MaxValue);
        log.Abandon();

        var reopened = Open(SmallSegments);

        var load = reopened.LastProducerStateLoad;
        Assert.Equal(activeBase, load.SnapshotOffset);
        Assert.Equal(activeBase, load.ReplayedFrom);
        Assert.Equal(reopened.LogEndOffset, load.ReplayedTo);
        Assert.Equal((int)(last.BaseOffset - activeBase) / 2 + 1, load.ReplayedBatches);
        Assert.True(Produce(reopened, 7, 0, sequence, records: 2).IsDuplicate);
        Assert.True(Produce(reopened, 8, 0, 0).IsDuplicate);
        Assert.Equal(ErrorCode.None, Produce(reopened, 7, 0, sequence + 2).Error);
    }

    [Fact]
    public async Task CrashWithoutSnapshot_ReplaysTheWholeLog()
    {
        var log = Open();
        Produce(log, 7, 0, 0, records: 3);
        Produce(log, 7, 0, 3, records: 3);
        await log.FlushAsync(long.MaxValue);
        log.Abandon();

        var reopened = Open();

        Assert.Equal(new Kora.Storage.Producers.ProducerStateLoad(-1, 0, 6, 2), reopened.LastProducerStateLoad);
        Assert.Equal(5, reopened.GetProducerState(7)!.LastSequence);
        Assert.True(Produce(reopened, 7, 0, 0, records: 3).IsDuplicate);
    }

    [Fact]
    public void CorruptSnapshot_IsDeleted_AndTheLogReplayedInstead()
    {
        var log = Open();
        Produce(log, 7, 0, 0, records: 3);
        log.Close();
        var bytes = File.ReadAllBytes(SnapshotFile(3));
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(SnapshotFile(3), bytes);

        var reopened = Open();

        Assert.False(File.Exists(SnapshotFile(3)));
        Assert.Equal(-1, reopened.LastProducerStateLoad.SnapshotOffset);
        Assert.Equal(2, reopened.GetProducerState(7)!.LastSequence);
    }

    [Fact]
    public async Task SnapshotAboveTheRecoveredLogEnd_IsIgnoredAndDeleted()
    {
        var log = Open();
        Produce(log, 7, 0, 0, records: 3);
        log.Close();
        var reopened = Open();
        Produce(reopened, 7, 0, 3, records: 3);
        await reopened.FlushAsync(long.MaxValue);
        reopened.Abandon();
        // A stray snapshot that claims more than the log holds (as if the log lost its tail).
        File.Copy(SnapshotFile(3), SnapshotFile(50));

        var third = Open();

        Assert.False(File.Exists(SnapshotFile(50)));
        Assert.Equal(new Kora.Storage.Producers.ProducerStateLoad(3, 3, 6, 1), third.LastProducerStateLoad);
        Assert.Equal(5, third.GetProducerState(7)!.LastSequence);
    }

    [Fact]
    public async Task Truncate_RebuildsTheStateFromTheNearestSnapshotBelow()
    {
        var log = Open(SmallSegments);
        var offsets = new List<long>();
        for (var s = 0; s < 40; s += 2)
        {
            offsets.Add(Produce(log, 7, 0, s, records: 2).BaseOffset);
        }
        var bases = log.ClosedSegments.Select(s => s.NextOffset).ToList();
        await WaitForAsync(() => bases.All(b => File.Exists(SnapshotFile(b))));
        var cut = offsets[13];

        log.Truncate(cut);

        Assert.Equal(cut, log.LogEndOffset);
        Assert.All(bases.Where(b => b > cut), b => Assert.False(File.Exists(SnapshotFile(b))));
        var load = log.LastProducerStateLoad;
        Assert.Equal(bases.Last(b => b <= cut), load.SnapshotOffset);
        Assert.Equal(25, log.GetProducerState(7)!.LastSequence);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Produce(log, 7, 0, 28, records: 2).Error);
        Assert.Equal(ErrorCode.None, Produce(log, 7, 0, 26, records: 2).Error);
    }

    [Fact]
    public void Truncate_DropsAbortedTransactionsAndTransactionsPastThePoint()
    {
        var log = Open();
        Produce(log, 2, 0, 0, transactional: true);
        Marker(log, 2, 0, commit: false);
        Produce(log, 3, 0, 0, transactional: true);
        Marker(log, 3, 0, commit: false);

        log.Truncate(2);

        Assert.Equal(new AbortedTxn(2, 0, 1, 2), Assert.Single(log.CollectAbortedTransactions(0, 10)!));
        Assert.Null(log.GetProducerState(3));
        Assert.Equal(2, log.LastStableOffset);
        log.Truncate(1);
        Assert.Null(log.CollectAbortedTransactions(0, 10));
        Assert.Equal(0, log.GetProducerState(2)!.CurrentTxnFirstOffset);
        Assert.Equal(0, log.LastStableOffset);
    }

    [Fact]
    public async Task Retention_DeletesTheSnapshotsOfDeletedSegments_AndKeepsTheProducers()
    {
        var log = Open(SmallSegments with { RetentionBytes = 450 });
        for (var s = 0; s < 30; s += 2)
        {
            Produce(log, 7, 0, s, records: 2);
        }
        var bases = log.ClosedSegments.Select(s => s.NextOffset).ToList();
        await WaitForAsync(() => bases.All(b => File.Exists(SnapshotFile(b))));

        Assert.True(log.ApplyRetention(Time.NowMs) > 0);

        var first = log.ClosedSegments.Count > 0 ? log.ClosedSegments[0].BaseOffset : log.LogStartOffset;
        Assert.All(bases.Where(b => b < first), b => Assert.False(File.Exists(SnapshotFile(b))));
        Assert.All(bases.Where(b => b >= first), b => Assert.True(File.Exists(SnapshotFile(b))));
        Assert.Equal(29, log.GetProducerState(7)!.LastSequence);
    }

    [Fact]
    public async Task AbortedIndex_AndOngoingTransaction_SurviveACrash()
    {
        var log = Open();
        Produce(log, 2, 0, 0, records: 2, transactional: true);
        Marker(log, 2, 0, commit: false);
        Produce(log, 3, 0, 0, transactional: true);
        await log.FlushAsync(long.MaxValue);
        log.Abandon();
        File.Delete(SegmentFile(0, ".txnindex"));

        var reopened = Open();

        Assert.Equal(new AbortedTxn(2, 0, 2, 3), Assert.Single(reopened.CollectAbortedTransactions(0, 4)!));
        Assert.Equal(3, reopened.LastStableOffset);
        Assert.Equal(ErrorCode.None, Marker(reopened, 3, 0, commit: true).Error);
        Assert.Equal(5, reopened.LastStableOffset);
    }

    [Fact]
    public void OngoingTransaction_SurvivesACleanRestart()
    {
        var log = Open();
        Produce(log, 1, 0, 0);
        Produce(log, 3, 0, 0, transactional: true);
        log.Close();

        var reopened = Open();

        Assert.Equal(0, reopened.LastProducerStateLoad.ReplayedBatches);
        Assert.Equal(1, reopened.LastStableOffset);
        Assert.Equal(1, reopened.GetProducerState(3)!.CurrentTxnFirstOffset);
    }

    [Fact]
    public void ExpiredProducers_AreNotLoadedFromASnapshot()
    {
        var config = new LogConfig { ProducerIdExpirationMs = 1000 };
        var log = Open(config);
        Produce(log, 1, 0, 0);
        log.Close();
        Time.Advance(1000);

        var reopened = Open(config);

        Assert.Equal(0, reopened.ProducerCount);
    }
}
