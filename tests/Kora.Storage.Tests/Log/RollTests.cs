using Kora.Storage.Log;

namespace Kora.Storage.Tests.Log;

public sealed class RollTests : LogTestBase
{
    [Fact]
    public void Append_AfterRoll_ReadsAcrossSegments()
    {
        var batchSize = TestBatch.Create(valueSize: 100).Length;
        var log = Open(new LogConfig { SegmentBytes = (batchSize * 3) + 10 });
        var stored = new List<byte>();
        for (var i = 0; i < 10; i++)
        {
            stored.AddRange(Append(log, TestBatch.Create(valueSize: 100)).Stored);
        }

        Assert.Equal(4, log.SegmentCount);
        Assert.Equal([0L, 3L, 6L], log.ClosedSegments.Select(s => s.BaseOffset));
        Assert.Equal([3L, 6L, 9L], log.ClosedSegments.Select(s => s.NextOffset));
        Assert.All(log.ClosedSegments, s => Assert.Equal(batchSize * 3, s.Size));
        Assert.True(File.Exists(SegmentFile(9, ".log")));
        Assert.True(File.Exists(SegmentFile(9, ".index")));
        Assert.True(File.Exists(SegmentFile(9, ".timeindex")));
        Assert.Equal(stored.ToArray(), ReadAll(log));
        var fromMiddle = log.Read(4, batchSize * 4, long.MaxValue, true);
        Assert.Equal([4L, 5L, 6L, 7L], TestBatch.Headers(Bytes(fromMiddle.Records)).Select(h => h.BaseOffset));
    }

    [Fact]
    public void Append_OlderThanSegmentMs_RollsByTime()
    {
        var log = Open(new LogConfig { SegmentMs = 1_000 });

        Append(log, TestBatch.Create(), nowMs: 10_000);
        Append(log, TestBatch.Create(), nowMs: 10_900);
        Assert.Equal(1, log.SegmentCount);
        Append(log, TestBatch.Create(), nowMs: 11_001);

        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(2, log.ClosedSegments.Single().NextOffset);
        Append(log, TestBatch.Create(), nowMs: 11_500);
        Assert.Equal(2, log.SegmentCount);
    }

    [Fact]
    public void Append_BatchLargerThanSegment_GoesIntoItsOwnSegment()
    {
        var log = Open(new LogConfig { SegmentBytes = 100 });

        Append(log, TestBatch.Create(valueSize: 500));
        Append(log, TestBatch.Create(valueSize: 500));

        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(2, TestBatch.Headers(ReadAll(log)).Count);
    }

    [Fact]
    public void ClosedSegments_ReportMaxTimestampAndPaths()
    {
        var log = Open(new LogConfig { SegmentBytes = 1 });
        Append(log, TestBatch.Create(records: 3, timestamp: 500, timestampStep: 10));
        Append(log, TestBatch.Create(timestamp: 100));

        var closed = log.ClosedSegments.Single();

        Assert.Equal(520, closed.MaxTimestamp);
        Assert.Equal(SegmentFile(0, ".log"), closed.LogPath);
        Assert.Equal(SegmentFile(0, ".index"), closed.OffsetIndexPath);
        Assert.Equal(SegmentFile(0, ".timeindex"), closed.TimeIndexPath);
        Assert.Equal(new FileInfo(closed.LogPath).Length, closed.Size);
        // The roll wrote the segment's max timestamp into its time index: one 12-byte entry.
        Assert.Equal(12, new FileInfo(closed.TimeIndexPath).Length);
    }
}
