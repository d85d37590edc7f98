using Kora.Storage.Log;

namespace Kora.Storage.Tests.Log;

public sealed class FlushTests : LogTestBase
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task FlushAsync_ConcurrentCallers_ShareFsyncs()
    {
        var log = Open();
        var rounds = 0;
        var observed = 0;
        using var inFirstFsync = new ManualResetEventSlim();
        using var releaseFirstFsync = new ManualResetEventSlim();
        log.BeforeFsync = () =>
        {
            if (Interlocked.Increment(ref rounds) == 1)
            {
                inFirstFsync.Set();
                releaseFirstFsync.Wait(Timeout);
            }
        };
        log.FlushObserver = _ => Interlocked.Increment(ref observed);
        var first = log.Append(TestBatch.Create(), 0, 0);
        var firstFlush = log.FlushAsync(first.LastOffset).AsTask();
        Assert.True(inFirstFsync.Wait(Timeout));

        // Arriving during the first fsync: offset 0 is covered by it, the new appends join one next fsync.
        var coveredByRunning = log.FlushAsync(first.LastOffset).AsTask();
        var waiters = new List<Task>();
        for (var i = 0; i < 10; i++)
        {
            var appended = log.Append(TestBatch.Create(), 0, 0);
            waiters.Add(log.FlushAsync(appended.LastOffset).AsTask());
        }
        Assert.All(waiters, w => Assert.False(w.IsCompleted));
        Assert.False(firstFlush.IsCompleted);
        releaseFirstFsync.Set();
        await Task.WhenAll([firstFlush, coveredByRunning, .. waiters]).WaitAsync(Timeout);

        Assert.Equal(2, Volatile.Read(ref rounds));
        Assert.Equal(2, Volatile.Read(ref observed));
        Assert.Equal(11, log.RecoveryPoint);
    }

    [Fact]
    public async Task FlushAsync_ManyThreads_UseFewerFsyncsThanCallers()
    {
        var log = Open();
        var rounds = 0;
        log.BeforeFsync = () =>
        {
            Interlocked.Increment(ref rounds);
            Thread.Sleep(5);
        };
        var producers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 5; i++)
            {
                var appended = log.Append(TestBatch.Create(), 0, 0);
                await log.FlushAsync(appended.LastOffset);
                Assert.True(log.RecoveryPoint > appended.LastOffset);
            }
        }));

        await Task.WhenAll(producers).WaitAsync(Timeout * 2);

        Assert.True(rounds < 80, $"{rounds} fsyncs for 80 flush calls");
        Assert.Equal(80, log.RecoveryPoint);
    }

    [Fact]
    public async Task FlushAsync_AlreadyDurable_CompletesSynchronously()
    {
        var log = Open();
        Assert.True(log.FlushAsync(0).IsCompletedSuccessfully);
        Append(log, TestBatch.Create());
        await log.FlushAsync(0).AsTask().WaitAsync(Timeout);

        Assert.True(log.FlushAsync(0).IsCompletedSuccessfully);
        Assert.Equal(1, log.RecoveryPoint);
    }

    [Fact]
    public async Task FlushAsync_Cancelled_StopsWaitingButFlushStillCompletes()
    {
        var log = Open();
        using var release = new ManualResetEventSlim();
        log.BeforeFsync = () => release.Wait(Timeout);
        Append(log, TestBatch.Create());
        using var cancellation = new CancellationTokenSource();

        var flush = log.FlushAsync(0, cancellation.Token).AsTask();
        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flush);
        release.Set();
        await log.FlushAsync(0).AsTask().WaitAsync(Timeout);
        Assert.Equal(1, log.RecoveryPoint);
    }

    [Fact]
    public void FlushMessages_StartsBackgroundFlush()
    {
        var log = Open(new LogConfig { FlushMessages = 5 });

        Append(log, TestBatch.Create(records: 4));
        Assert.Equal(0, log.RecoveryPoint);
        Append(log, TestBatch.Create(records: 1));

        Assert.True(SpinWait.SpinUntil(() => log.RecoveryPoint == 5, Timeout));
    }

    [Fact]
    public async Task MaybeFlush_FlushesOnceFlushMsHasPassed()
    {
        var log = Open(new LogConfig { FlushMs = 1_000 });
        var start = Time.NowMs;
        Append(log, TestBatch.Create());

        Assert.False(log.MaybeFlush(start + 999));
        Assert.True(log.MaybeFlush(start + 1_000));
        await log.FlushAsync(0).AsTask().WaitAsync(Timeout);
        Assert.Equal(1, log.RecoveryPoint);
        Assert.False(log.MaybeFlush(start + 100_000));
    }

    [Fact]
    public void Roll_FlushesTheSealedSegment()
    {
        var log = Open(new LogConfig { SegmentBytes = 1 });

        Append(log, TestBatch.Create(records: 3));
        Append(log, TestBatch.Create(records: 3));

        Assert.True(SpinWait.SpinUntil(() => log.RecoveryPoint >= 3, Timeout));
    }

    [Fact]
    public void Close_FlushesEverything()
    {
        var log = Open();
        Append(log, TestBatch.Create(records: 7));

        log.Close();

        Assert.Equal(7, log.RecoveryPoint);
        Assert.Throws<ObjectDisposedException>(() => log.Append(TestBatch.Create(), 0, 0));
        Assert.Throws<ObjectDisposedException>(() => log.Read(0, 100, long.MaxValue, true));
    }
}
