using Kora.Storage.Log;

namespace Kora.Storage.Tests.Log;

public sealed class ConcurrencyTests : LogTestBase
{
    [Fact]
    public async Task Read_WhileAppendingAndRolling_SeesOnlyWholeValidBatches()
    {
        var log = Open(new LogConfig { SegmentBytes = 4096, IndexIntervalBytes = 128 });
        const int appends = 2_000;
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < appends; i++)
            {
                log.Append(TestBatch.Create(records: 1 + (i % 4), valueSize: 20 + (i % 50)), 0, 0);
                log.UpdateHighWatermark(log.LogEndOffset);
            }
        });
        var reads = 0;
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var random = new Random(r);
            // On a loaded machine the writer may finish before a reader is scheduled: read a few times regardless.
            while (!writer.IsCompleted || Volatile.Read(ref reads) < 100)
            {
                var end = log.HighWatermark;
                if (end == 0)
                {
                    continue;
                }
                var from = random.NextInt64(end);
                var read = log.Read(from, random.Next(1, 20_000), end, minOneMessage: true);
                Assert.Equal(ReadStatus.Ok, read.Status);
                var headers = TestBatch.Headers(Bytes(read.Records));
                Assert.NotEmpty(headers);
                Assert.InRange(from, headers[0].BaseOffset, headers[0].LastOffset);
                for (var i = 1; i < headers.Count; i++)
                {
                    Assert.Equal(headers[i - 1].LastOffset + 1, headers[i].BaseOffset);
                }
                Assert.True(headers[^1].LastOffset < end);
                Interlocked.Increment(ref reads);
            }
        })).ToArray();

        await Task.WhenAll([writer, .. readers]).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(log.SegmentCount > 10);
        Assert.True(reads > 0);
    }

    [Fact]
    public async Task DeletedSegment_HandlesCloseOnlyAfterGracePeriod()
    {
        var log = Open(new LogConfig { SegmentBytes = 1 });
        Append(log, TestBatch.Create());
        Append(log, TestBatch.Create());
        // The roll's background fsync of the first segment must be over: while it runs it holds a reference on the
        // handle, and disposing a referenced SafeHandle closes it only when that reference is released.
        await log.FlushAsync(0);
        log.UpdateHighWatermark(log.LogEndOffset);
        var read = log.Read(0, 10_000, 1, minOneMessage: true);
        log.DeleteRecordsBefore(1);

        Time.Advance(59_000);
        log.MaybeFlush(Time.NowMs);
        Assert.Equal(TestBatch.Create().Length, Bytes(read.Records).Length);

        Time.Advance(2_000);
        log.MaybeFlush(Time.NowMs);
        Assert.Throws<ObjectDisposedException>(() => Bytes(read.Records));
    }

    [Fact]
    public void UpdateConfig_AppliesToLaterAppends()
    {
        var log = Open();
        Append(log, TestBatch.Create());
        Append(log, TestBatch.Create());
        Assert.Equal(1, log.SegmentCount);

        log.UpdateConfig(new LogConfig { SegmentBytes = 1, MessageTimestampType = MessageTimestampType.LogAppendTime });
        var (result, _) = Append(log, TestBatch.Create(), nowMs: 77);

        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(77, result.LogAppendTime);
        Assert.Equal(1, log.Config.SegmentBytes);
    }
}
