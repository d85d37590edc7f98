using System.Buffers.Binary;
using Kora.Protocol.Records;
using Kora.Storage.Log;

namespace Kora.Storage.Tests.Log;

public sealed class AppendReadTests : LogTestBase
{
    [Fact]
    public void Append_AssignsOffsetsInPlace()
    {
        var log = Open();
        var batches = TestBatch.Concat(TestBatch.Create(records: 3), TestBatch.Create(records: 2));

        var result = log.Append(batches, 0, leaderEpoch: 7);

        Assert.Equal(0, result.BaseOffset);
        Assert.Equal(4, result.LastOffset);
        Assert.Equal(-1, result.LogAppendTime);
        var first = new RecordBatch(batches);
        var second = new RecordBatch(batches.AsSpan(first.SizeInBytes));
        Assert.Equal(0, first.BaseOffset);
        Assert.Equal(7, first.PartitionLeaderEpoch);
        Assert.Equal(3, second.BaseOffset);
        Assert.True(second.IsCrcValid);
        Assert.Equal(5, log.LogEndOffset);

        var next = log.Append(TestBatch.Create(records: 4), 0, 7);
        Assert.Equal(5, next.BaseOffset);
        Assert.Equal(8, next.LastOffset);
    }

    [Fact]
    public void Append_ThenRead_ReturnsIdenticalBytes()
    {
        var log = Open();
        var stored = new List<byte>();
        for (var i = 0; i < 20; i++)
        {
            stored.AddRange(Append(log, TestBatch.Create(records: 1 + (i % 4), valueSize: 10 + i)).Stored);
        }

        var read = log.Read(0, int.MaxValue, log.LogEndOffset, minOneMessage: false);

        Assert.Equal(ReadStatus.Ok, read.Status);
        Assert.Equal(stored.ToArray(), Bytes(read.Records));
        var stream = File.ReadAllBytes(SegmentFile(0, ".log"));
        Assert.Equal(stored.ToArray(), stream);
    }

    [Fact]
    public void Append_LogAppendTime_StampsBatchAndKeepsCrcValid()
    {
        var log = Open(new LogConfig { MessageTimestampType = MessageTimestampType.LogAppendTime });

        var (result, stored) = Append(log, TestBatch.Create(records: 2, timestamp: 5), nowMs: 123_456);

        Assert.Equal(123_456, result.LogAppendTime);
        var batch = new RecordBatch(stored);
        Assert.True(batch.IsLogAppendTime);
        Assert.Equal(123_456, batch.MaxTimestamp);
        Assert.True(batch.IsCrcValid);
        Assert.Equal(stored, ReadAll(log));
    }

    [Fact]
    public void Append_MalformedBatch_Throws()
    {
        var log = Open();
        var truncated = TestBatch.Create(records: 2)[..40];

        Assert.Throws<ArgumentException>(() => log.Append(truncated, 0, 0));
        Assert.Throws<ArgumentException>(() => log.Append(Array.Empty<byte>(), 0, 0));
        Assert.Equal(0, log.LogEndOffset);
    }

    [Fact]
    public void Read_MaxBytes_ReturnsOnlyWholeBatches()
    {
        var log = Open();
        var size = TestBatch.Create(records: 2).Length;
        for (var i = 0; i < 5; i++)
        {
            Append(log, TestBatch.Create(records: 2));
        }

        var read = log.Read(0, (size * 2) + (size / 2), long.MaxValue, minOneMessage: true);

        var headers = TestBatch.Headers(Bytes(read.Records));
        Assert.Equal([0L, 2L], headers.Select(h => h.BaseOffset));
    }

    [Fact]
    public void Read_MinOneMessage_ReturnsFirstBatchEvenIfLargerThanMaxBytes()
    {
        var log = Open();
        var size = TestBatch.Create(valueSize: 500).Length;
        Append(log, TestBatch.Create(valueSize: 500));
        Append(log, TestBatch.Create(valueSize: 500));

        var withMin = log.Read(0, size / 2, long.MaxValue, minOneMessage: true);
        var withoutMin = log.Read(0, size / 2, long.MaxValue, minOneMessage: false);
        var zeroBudget = log.Read(1, 0, long.MaxValue, minOneMessage: true);

        Assert.Equal(size, withMin.Records.Length);
        Assert.Equal(ReadStatus.Ok, withoutMin.Status);
        Assert.Equal(0, withoutMin.Records.Length);
        Assert.Equal([1L], TestBatch.Headers(Bytes(zeroBudget.Records)).Select(h => h.BaseOffset));
    }

    [Fact]
    public void Read_MaxOffset_ExcludesBatchesAtOrBeyondIt()
    {
        var log = Open();
        for (var i = 0; i < 4; i++)
        {
            Append(log, TestBatch.Create(records: 3));
        }

        var belowSecondBatchEnd = log.Read(0, int.MaxValue, 5, minOneMessage: true);
        var atBoundary = log.Read(0, int.MaxValue, 6, minOneMessage: true);
        var fetchAtMax = log.Read(6, int.MaxValue, 6, minOneMessage: true);

        Assert.Equal([0L], TestBatch.Headers(Bytes(belowSecondBatchEnd.Records)).Select(h => h.BaseOffset));
        Assert.Equal([0L, 3L], TestBatch.Headers(Bytes(atBoundary.Records)).Select(h => h.BaseOffset));
        Assert.Equal(ReadStatus.Ok, fetchAtMax.Status);
        Assert.Equal(0, fetchAtMax.Records.Length);
    }

    [Fact]
    public void Read_OffsetOutsideLog_IsOutOfRange()
    {
        var log = Open();
        Append(log, TestBatch.Create(records: 2));

        Assert.Equal(ReadStatus.OffsetOutOfRange, log.Read(3, 1000, long.MaxValue, true).Status);
        Assert.Equal(ReadStatus.OffsetOutOfRange, log.Read(-1, 1000, long.MaxValue, true).Status);
        var atEnd = log.Read(2, 1000, long.MaxValue, true);
        Assert.Equal(ReadStatus.Ok, atEnd.Status);
        Assert.Equal(0, atEnd.Records.Length);
        Assert.Equal(2, atEnd.LogEndOffset);
    }

    [Fact]
    public void Read_MidBatchOffset_ReturnsWholeContainingBatch()
    {
        var log = Open();
        Append(log, TestBatch.Create(records: 5));
        Append(log, TestBatch.Create(records: 5));

        var read = log.Read(7, int.MaxValue, long.MaxValue, true);

        Assert.Equal([(5L, 9L)], TestBatch.Headers(Bytes(read.Records)).Select(h => (h.BaseOffset, h.LastOffset)));
    }

    [Fact]
    public void Read_IndexLookup_LandsOnContainingBatchForEveryOffset()
    {
        // A tiny index interval gives hundreds of entries: pending ones in memory, and a file big enough to binary-search.
        var config = new LogConfig { IndexIntervalBytes = 50, SegmentBytes = 64 * 1024 };
        var log = Open(config);
        var batches = new List<(long Base, long Last)>();
        for (var i = 0; i < 900; i++)
        {
            var result = log.Append(TestBatch.Create(records: 1 + (i % 3), valueSize: 8), 0, 0);
            batches.Add((result.BaseOffset, result.LastOffset));
        }
        Assert.True(log.SegmentCount > 1);

        void CheckAll(PartitionLog l)
        {
            foreach (var (b, last) in batches)
            {
                for (var offset = b; offset <= last; offset++)
                {
                    var first = TestBatch.Headers(Bytes(l.Read(offset, 1, long.MaxValue, minOneMessage: true).Records)).Single();
                    Assert.Equal((b, last), (first.BaseOffset, first.LastOffset));
                }
            }
        }

        CheckAll(log);
        log.Close();
        CheckAll(Open(config));
    }

    [Fact]
    public void Read_RegionsStayReadableAfterSegmentIsDeleted()
    {
        var log = Open(new LogConfig { SegmentBytes = 300 });
        var stored = new List<byte[]>();
        for (var i = 0; i < 6; i++)
        {
            stored.Add(Append(log, TestBatch.Create(valueSize: 100)).Stored);
        }
        log.UpdateHighWatermark(log.LogEndOffset);
        var read = log.Read(0, stored[0].Length, long.MaxValue, true);

        log.DeleteRecordsBefore(log.LogEndOffset);

        Assert.False(File.Exists(SegmentFile(0, ".log")));
        Assert.Equal(stored[0], Bytes(read.Records));
        Assert.Equal(ReadStatus.OffsetOutOfRange, log.Read(0, 100, long.MaxValue, true).Status);
    }

    [Fact]
    public void Append_ConcurrentThreads_KeepOffsetsContiguousAndUnique()
    {
        var log = Open(new LogConfig { SegmentBytes = 16 * 1024, IndexIntervalBytes = 256 });
        const int threads = 4;
        const int perThread = 250;
        var results = new List<AppendResult>[threads];
        var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            results[t] = [];
            start.SignalAndWait();
            for (var i = 0; i < perThread; i++)
            {
                var batch = TestBatch.Create(records: 1 + ((t + i) % 3), fill: (byte)('a' + t));
                results[t].Add(log.Append(batch, 0, 0));
                log.UpdateHighWatermark(log.LogEndOffset);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        var all = results.SelectMany(r => r).OrderBy(r => r.BaseOffset).ToList();
        var expected = 0L;
        foreach (var result in all)
        {
            Assert.Equal(expected, result.BaseOffset);
            expected = result.LastOffset + 1;
        }
        Assert.Equal(expected, log.LogEndOffset);
        Assert.Equal(expected, log.HighWatermark);
        var stored = TestBatch.Headers(ReadAll(log));
        Assert.Equal(all.Select(r => (r.BaseOffset, r.LastOffset)), stored.Select(h => (h.BaseOffset, h.LastOffset)));
    }

    [Fact]
    public void UpdateHighWatermark_NeverMovesBackOrPastLogEnd()
    {
        var log = Open();
        Append(log, TestBatch.Create(records: 5));

        Assert.Equal(0, log.HighWatermark);
        Assert.Equal(3, log.UpdateHighWatermark(3));
        Assert.Equal(3, log.UpdateHighWatermark(2));
        Assert.Equal(5, log.UpdateHighWatermark(50));
    }

    [Fact]
    public void StoredBatch_KeepsLeaderEpochAndLength()
    {
        var log = Open();
        var (_, stored) = Append(log, TestBatch.Create(records: 2));

        Assert.Equal(3, BinaryPrimitives.ReadInt32BigEndian(stored.AsSpan(RecordBatch.PartitionLeaderEpochOffset)));
        Assert.Equal(stored.Length, log.Size);
    }
}
