using Kora.Storage.Log;

namespace Kora.Storage.Tests.Log;

public sealed class RecoveryTests : LogTestBase
{
    [Fact]
    public void Open_AfterCleanClose_KeepsEverything()
    {
        var config = new LogConfig { SegmentBytes = 500, IndexIntervalBytes = 10 };
        var log = Open(config);
        for (var i = 0; i < 12; i++)
        {
            Append(log, TestBatch.Create(records: 2, valueSize: 60));
        }
        var before = ReadAll(log);
        log.Close();
        Assert.True(File.Exists(Path.Combine(Dir, ".clean-shutdown")));

        var reopened = Open(config);

        Assert.False(File.Exists(Path.Combine(Dir, ".clean-shutdown")));
        Assert.Equal(24, reopened.LogEndOffset);
        Assert.Equal(24, reopened.HighWatermark);
        Assert.Equal(24, reopened.RecoveryPoint);
        Assert.Equal(before, ReadAll(reopened));
        Assert.Equal(24, reopened.Append(TestBatch.Create(), 0, 0).BaseOffset);
    }

    [Fact]
    public void Open_AfterTornTail_TruncatesToLastGoodBatch()
    {
        var log = Open();
        for (var i = 0; i < 10; i++)
        {
            Append(log, TestBatch.Create(records: 2));
        }
        var good = ReadAll(log);
        log.Abandon();
        var half = TestBatch.Create(records: 4, valueSize: 200);
        using (var stream = new FileStream(SegmentFile(0, ".log"), FileMode.Append))
        {
            stream.Write(half, 0, half.Length / 2);
        }

        var recovered = Open();

        Assert.Equal(20, recovered.LogEndOffset);
        Assert.Equal(good.Length, new FileInfo(SegmentFile(0, ".log")).Length);
        Assert.Equal(good, ReadAll(recovered));
        Assert.Equal(20, recovered.Append(TestBatch.Create(), 0, 0).BaseOffset);
    }

    [Fact]
    public void Open_AfterGarbageTail_TruncatesIt()
    {
        var log = Open();
        Append(log, TestBatch.Create(records: 3));
        var good = ReadAll(log);
        log.Close();
        File.AppendAllText(SegmentFile(0, ".log"), new string('x', 5000));

        var recovered = Open();

        Assert.Equal(3, recovered.LogEndOffset);
        Assert.Equal(good, ReadAll(recovered));
    }

    [Fact]
    public void Open_AfterCorruptBatch_TruncatesFromIt()
    {
        var log = Open();
        var positions = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            positions.Add(log.Size);
            Append(log, TestBatch.Create(records: 2, valueSize: 50));
        }
        log.Abandon();
        using (var stream = new FileStream(SegmentFile(0, ".log"), FileMode.Open))
        {
            stream.Position = positions[3] + 80;
            var b = stream.ReadByte();
            stream.Position--;
            stream.WriteByte((byte)(b ^ 0xFF));
        }

        var recovered = Open();

        Assert.Equal(6, recovered.LogEndOffset);
        Assert.Equal(positions[3], recovered.Size);
        Assert.Equal([0L, 2L, 4L], TestBatch.Headers(ReadAll(recovered)).Select(h => h.BaseOffset));
    }

    [Fact]
    public void Open_WithDeletedIndex_RebuildsIt()
    {
        var config = new LogConfig { SegmentBytes = 2000, IndexIntervalBytes = 100 };
        var log = Open(config);
        for (var i = 0; i < 40; i++)
        {
            Append(log, TestBatch.Create(records: 1 + (i % 2), valueSize: 50));
        }
        var all = ReadAll(log);
        var closed = log.ClosedSegments;
        Assert.True(closed.Count >= 2);
        var originalIndex = File.ReadAllBytes(closed[0].OffsetIndexPath);
        log.Close();
        File.Delete(closed[0].OffsetIndexPath);
        File.Delete(closed[1].TimeIndexPath);

        var reopened = Open(config);

        Assert.Equal(originalIndex, File.ReadAllBytes(closed[0].OffsetIndexPath));
        Assert.True(File.Exists(closed[1].TimeIndexPath));
        Assert.Equal(all, ReadAll(reopened));
        foreach (var (baseOffset, lastOffset, _, _) in TestBatch.Headers(all))
        {
            var first = TestBatch.Headers(Bytes(reopened.Read(lastOffset, 1, long.MaxValue, true).Records)).Single();
            Assert.Equal(baseOffset, first.BaseOffset);
        }
    }

    [Fact]
    public void Open_WithoutMarker_RebuildsActiveSegmentIndexes()
    {
        var config = new LogConfig { IndexIntervalBytes = 100 };
        var log = Open(config);
        for (var i = 0; i < 200; i++)
        {
            Append(log, TestBatch.Create(valueSize: 50, timestamp: 1000 + i));
        }
        log.Close();
        var index = File.ReadAllBytes(SegmentFile(0, ".index"));
        File.Delete(Path.Combine(Dir, ".clean-shutdown"));
        File.WriteAllBytes(SegmentFile(0, ".index"), new byte[80]);

        var reopened = Open(config);

        Assert.Equal(index, File.ReadAllBytes(SegmentFile(0, ".index")));
        Assert.Equal(200, reopened.LogEndOffset);
        Assert.Equal(new TimestampAndOffset(1150, 150), reopened.OffsetForTimestamp(1150));
    }

    [Fact]
    public void Open_TornClosedSegment_DropsLaterSegments()
    {
        var config = new LogConfig { SegmentBytes = 400 };
        var log = Open(config);
        for (var i = 0; i < 9; i++)
        {
            Append(log, TestBatch.Create(valueSize: 100));
        }
        var first = log.ClosedSegments[0];
        log.Abandon();
        using (var stream = new FileStream(first.LogPath, FileMode.Open))
        {
            stream.SetLength(first.Size - 10);
        }

        var recovered = Open(config);

        Assert.Equal(1, recovered.SegmentCount);
        Assert.Equal(first.NextOffset - 1, recovered.LogEndOffset);
        Assert.False(File.Exists(SegmentFile(first.NextOffset, ".log")));
        Assert.Equal(first.NextOffset - 1, recovered.Append(TestBatch.Create(), 0, 0).BaseOffset);
    }

    [Fact]
    public void Open_RemovesTemporaryAndOrphanFiles()
    {
        Directory.CreateDirectory(Dir);
        File.WriteAllText(Path.Combine(Dir, "00000000000000000000.log.deleted"), "x");
        File.WriteAllText(Path.Combine(Dir, "log-start-offset.checkpoint.tmp"), "x");
        File.WriteAllText(SegmentFile(42, ".index"), "");

        var log = Open();

        Assert.Equal(["00000000000000000000.index", "00000000000000000000.log", "00000000000000000000.timeindex"],
            Directory.EnumerateFiles(Dir).Select(Path.GetFileName).Order());
        Assert.Equal(0, log.LogEndOffset);
    }
}
