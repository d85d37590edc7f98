using Kora.Storage.Log;

namespace Kora.Storage.Tests.Log;

public sealed class RetentionTests : LogTestBase
{
    private static readonly int BatchSize = TestBatch.Create(valueSize: 100).Length;

    /// <summary>Three closed segments of two batches each, plus an active one; batch i has timestamp 1000 * (i + 1).</summary>
    private PartitionLog OpenWithSegments(LogConfig config)
    {
        var log = Open(config with { SegmentBytes = (BatchSize * 2) + 1 });
        for (var i = 0; i < 7; i++)
        {
            Append(log, TestBatch.Create(valueSize: 100, timestamp: 1000 * (i + 1)));
        }
        log.UpdateHighWatermark(log.LogEndOffset);
        Assert.Equal(4, log.SegmentCount);
        return log;
    }

    [Fact]
    public void ApplyRetention_ByTime_DeletesExpiredSegmentsAndAdvancesStart()
    {
        var log = OpenWithSegments(new LogConfig { RetentionMs = 10_000 });

        // Segment 0 ends at 2000 and segment 1 at 4000: both more than 10 s old at 14_500; segment 2 (6000) is not.
        var deleted = log.ApplyRetention(14_500);

        Assert.Equal(2, deleted);
        Assert.Equal(4, log.LogStartOffset);
        Assert.Equal(2, log.SegmentCount);
        Assert.False(File.Exists(SegmentFile(0, ".log")));
        Assert.False(File.Exists(SegmentFile(2, ".index")));
        Assert.True(File.Exists(SegmentFile(4, ".log")));
        Assert.Equal(ReadStatus.OffsetOutOfRange, log.Read(3, 1000, long.MaxValue, true).Status);
        Assert.Equal(4, TestBatch.Headers(ReadAll(log))[0].BaseOffset);
        Assert.Equal(0, log.ApplyRetention(14_500));
    }

    [Fact]
    public void ApplyRetention_BySize_KeepsPartitionUnderLimit()
    {
        var log = OpenWithSegments(new LogConfig { RetentionMs = -1, RetentionBytes = BatchSize * 3 });

        var deleted = log.ApplyRetention(long.MaxValue);

        // 7 batches over a limit of 3: whole segments go only while the rest stays at or above the limit, as in Kafka.
        Assert.Equal(2, deleted);
        Assert.Equal(BatchSize * 3, log.Size);
        Assert.Equal(4, log.LogStartOffset);
    }

    [Fact]
    public void ApplyRetention_WhenEverythingExpired_RollsAndKeepsLogEnd()
    {
        var log = OpenWithSegments(new LogConfig { RetentionMs = 1 });

        var deleted = log.ApplyRetention(100_000);

        Assert.Equal(4, deleted);
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(7, log.LogStartOffset);
        Assert.Equal(7, log.LogEndOffset);
        Assert.Equal(0, log.Size);
        Assert.Equal(7, log.Append(TestBatch.Create(), 0, 0).BaseOffset);
    }

    [Fact]
    public void ApplyRetention_NeverDeletesDataAboveHighWatermark()
    {
        var log = Open(new LogConfig { RetentionMs = 1, SegmentBytes = (BatchSize * 2) + 1 });
        for (var i = 0; i < 7; i++)
        {
            Append(log, TestBatch.Create(valueSize: 100, timestamp: 1000));
        }
        log.UpdateHighWatermark(3);

        var deleted = log.ApplyRetention(100_000);

        Assert.Equal(1, deleted);
        Assert.Equal(2, log.LogStartOffset);
    }

    [Fact]
    public void ApplyRetention_InfiniteRetention_DeletesNothing()
    {
        var log = OpenWithSegments(new LogConfig { RetentionMs = -1 });

        Assert.Equal(0, log.ApplyRetention(long.MaxValue / 2));
        Assert.Equal(4, log.SegmentCount);
    }

    [Fact]
    public void DeleteRecordsBefore_RaisesStartAndSurvivesRestart()
    {
        var config = new LogConfig { SegmentBytes = (BatchSize * 2) + 1 };
        var log = OpenWithSegments(config);

        var start = log.DeleteRecordsBefore(5);

        Assert.Equal(5, start);
        Assert.Equal(5, log.LogStartOffset);
        // Segments [0,2) and [2,4) are wholly below 5; [4,6) holds offset 5 and stays.
        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(ReadStatus.OffsetOutOfRange, log.Read(4, 1000, long.MaxValue, true).Status);
        Assert.Equal(ReadStatus.Ok, log.Read(5, 1000, long.MaxValue, true).Status);
        Assert.Equal(5, log.DeleteRecordsBefore(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.DeleteRecordsBefore(8));
        log.Close();

        var reopened = Open(config);

        Assert.Equal(5, reopened.LogStartOffset);
        Assert.Equal(7, reopened.LogEndOffset);
        Assert.Equal(ReadStatus.OffsetOutOfRange, reopened.Read(4, 1000, long.MaxValue, true).Status);
    }

    [Fact]
    public void Truncate_RemovesBatchesFromOffsetAndAllowsAppends()
    {
        var config = new LogConfig { SegmentBytes = (BatchSize * 2) + 1 };
        var log = OpenWithSegments(config);
        var kept = TestBatch.Headers(ReadAll(log)).Take(3).Sum(h => h.Size);

        log.Truncate(3);

        Assert.Equal(3, log.LogEndOffset);
        Assert.Equal(3, log.HighWatermark);
        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(kept, log.Size);
        Assert.False(File.Exists(SegmentFile(4, ".log")));
        Assert.Equal(3, log.Append(TestBatch.Create(), 0, 0).BaseOffset);
        Assert.Equal([0L, 1L, 2L, 3L], TestBatch.Headers(ReadAll(log)).Select(h => h.BaseOffset));
        log.Close();
        Assert.Equal(4, Open(config).LogEndOffset);
    }

    [Fact]
    public void Truncate_BelowFirstSegment_StartsOver()
    {
        var log = OpenWithSegments(new LogConfig { SegmentBytes = (BatchSize * 2) + 1 });
        log.DeleteRecordsBefore(4);

        log.Truncate(2);

        Assert.Equal(2, log.LogStartOffset);
        Assert.Equal(2, log.LogEndOffset);
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(2, log.Append(TestBatch.Create(), 0, 0).BaseOffset);
    }
}
