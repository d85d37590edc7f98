using Kora.Storage.Log;
using Kora.Storage.Tests.Log;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kora.Storage.Tests.Descriptors;

[Collection(NoParallelCollection.Name)]
public sealed class IdleDescriptorTests : LogTestBase
{
    private const int Partitions = 2_000;
    private static readonly long IdleMs = (long)PartitionLog.HandleIdleTime.TotalMilliseconds;

    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    private LogManager NewManager() => new(Path.Combine(Root, "data"), Time, NullLogger.Instance);

    /// <summary>Two sweeps a full idle period apart: the first starts the count, the second closes.</summary>
    private void SweepIdle(LogManager manager)
    {
        manager.RunMaintenance(Time.NowMs);
        Time.Advance(IdleMs + 1);
        manager.RunMaintenance(Time.NowMs);
    }

    /// <summary>A crash stand-in for every log: closes without the fsyncs of a clean close, which thousands of logs would spend seconds on.</summary>
    private static void Abandon(LogManager manager)
    {
        foreach (var (_, _, log) in manager.Logs)
        {
            log.Abandon();
        }
    }

    [Fact]
    public void ManyIdlePartitionsWithData_HoldNoDescriptors_AndStillServeReads()
    {
        var baseline = OpenDescriptors();
        var manager = NewManager();
        for (var p = 0; p < Partitions; p++)
        {
            var log = manager.GetOrCreate("idle", p, LogConfig.Default);
            for (var i = 0; i < 3; i++)
            {
                log.Append(TestBatch.Create(records: 2, valueSize: 64), Time.NowMs, leaderEpoch: 0);
            }
        }
        var afterWrites = OpenDescriptors() - baseline;
        Assert.True(afterWrites <= Partitions + 50, $"{afterWrites} descriptors for {Partitions} written partitions: more than the active .log each");

        SweepIdle(manager);
        var idle = OpenDescriptors() - baseline;
        Assert.True(idle < 50, $"{idle} descriptors still open for {Partitions} idle partitions");

        // Every partition reopens on demand and reads back what it stored; idle again, it lets go again.
        for (var p = 0; p < Partitions; p += 7)
        {
            var read = manager.Get("idle", p)!.Read(0, int.MaxValue, long.MaxValue, minOneMessage: true);
            Assert.Equal(3, TestBatch.Headers(Bytes(read.Records)).Count);
        }
        SweepIdle(manager);
        Assert.True(OpenDescriptors() - baseline < 50);
        Abandon(manager);
    }

    [Fact]
    public void RestartedLogsWithData_HoldNoDescriptors()
    {
        const int partitions = 300;
        var config = LogConfig.Default with { SegmentBytes = 600 };
        var manager = NewManager();
        for (var p = 0; p < partitions; p++)
        {
            var log = manager.GetOrCreate("restart", p, config);
            log.Append(TestBatch.Create(records: 2, valueSize: 200), Time.NowMs, leaderEpoch: 0);
            log.Append(TestBatch.Create(records: 2, valueSize: 200), Time.NowMs, leaderEpoch: 0);
        }
        manager.CloseAll();
        var baseline = OpenDescriptors();

        var reloaded = NewManager();
        Assert.Equal(partitions, reloaded.LoadAll(_ => config));
        Assert.Equal(2, reloaded.Get("restart", 7)!.SegmentCount);
        var loaded = OpenDescriptors() - baseline;
        Assert.True(loaded < 20, $"{loaded} descriptors open right after loading {partitions} partitions");
        var appended = reloaded.Get("restart", 7)!.Append(TestBatch.Create(), Time.NowMs, leaderEpoch: 0);
        Assert.Equal(4, appended.BaseOffset);
        Abandon(reloaded);
    }

    [Fact]
    public void NewEmptyPartitions_OpenNoDescriptors()
    {
        var baseline = OpenDescriptors();
        var manager = NewManager();
        for (var p = 0; p < Partitions; p++)
        {
            manager.GetOrCreate("empty", p, LogConfig.Default);
        }
        var open = OpenDescriptors() - baseline;
        Assert.True(open < 50, $"{open} descriptors open for {Partitions} empty partitions");
        Abandon(manager);
    }

    [Fact]
    public async Task UnflushedData_ReleasedWhileIdle_IsMadeDurableByAnFsyncThroughTheReopenedFile()
    {
        var log = Open();
        var (first, stored) = Append(log, TestBatch.Create(records: 3));
        log.ReleaseIdleHandles(Time.NowMs);
        Time.Advance(IdleMs + 1);
        Assert.Equal(1, log.ReleaseIdleHandles(Time.NowMs));

        // The fsync reopens the file; so does the next append. A crash after the fsyncs loses nothing.
        await log.FlushAsync(first.LastOffset);
        Assert.Equal(first.LastOffset + 1, log.RecoveryPoint);
        var (second, more) = Append(log, TestBatch.Create(records: 2));
        await log.FlushAsync(second.LastOffset);
        log.Abandon();
        var reopened = PartitionLog.Open(Dir, LogConfig.Default, Time, NullLogger.Instance);
        Assert.Equal(TestBatch.Concat(stored, more), ReadAll(reopened));
        reopened.Close();
    }

    [Fact]
    public async Task DescriptorInUseWithinTheIdlePeriod_IsNotClosed()
    {
        var log = Open();
        var (_, stored) = Append(log, TestBatch.Create(records: 3));
        await log.FlushAsync(long.MaxValue);
        log.ReleaseIdleHandles(Time.NowMs);
        Time.Advance(IdleMs - 1000);
        // A fetch takes a region of the file just before the idle period would end.
        var fetched = log.Read(0, int.MaxValue, long.MaxValue, minOneMessage: true);
        Time.Advance(2000);
        log.ReleaseIdleHandles(Time.NowMs);
        Time.Advance(IdleMs - 1000);
        log.ReleaseIdleHandles(Time.NowMs);
        Assert.Equal(stored, Bytes(fetched.Records));
    }

    [Fact]
    public async Task SealedSegmentIndexes_ReleasedBeforeTheirFsync_AreStillSynced()
    {
        var config = LogConfig.Default with { SegmentBytes = 4096, IndexIntervalBytes = 100 };
        var log = Open(config);
        for (var i = 0; i < 40; i++)
        {
            Append(log, TestBatch.Create(records: 2, valueSize: 200, timestamp: 1_000 + i));
        }
        Assert.True(log.SegmentCount > 1);
        await log.FlushAsync(long.MaxValue);
        log.ReleaseIdleHandles(Time.NowMs);
        Time.Advance(IdleMs + 1);
        log.ReleaseIdleHandles(Time.NowMs);
        Append(log, TestBatch.Create(records: 2, valueSize: 200, timestamp: 5_000));
        log.Close();

        var reopened = PartitionLog.Open(Dir, config, Time, NullLogger.Instance);
        Assert.Equal(82, reopened.LogEndOffset);
        Assert.Equal(new TimestampAndOffset(1_020, 40), reopened.OffsetForTimestamp(1_020));
        reopened.Close();
    }

    [Fact]
    public void DeletedSegmentWhoseDescriptorWasReleased_NeverReopensANewFileOfTheSameName()
    {
        var log = Open();
        Append(log, TestBatch.Create(records: 3, fill: 0x61));
        var old = log.SegmentSnapshot[0];
        log.ReleaseIdleHandles(Time.NowMs);
        Time.Advance(IdleMs + 1);
        log.ReleaseIdleHandles(Time.NowMs);

        // Truncating everything starts a new segment under the same name (base offset 0).
        log.Truncate(0);
        var (_, fresh) = Append(log, TestBatch.Create(records: 1, fill: 0x70));
        Assert.Equal(old.LogPath, log.SegmentSnapshot[0].LogPath);

        Assert.False(old.TryGetHandle(out _));
        Assert.Equal(fresh, ReadAll(log));
    }
}
