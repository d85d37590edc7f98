using Kora.Storage.Log;

namespace Kora.Storage.Tests.Log;

public sealed class TimestampTests : LogTestBase
{
    [Fact]
    public void OffsetForTimestamp_FindsFirstBatchAtOrAfterTimestamp()
    {
        var config = new LogConfig { SegmentBytes = 2000, IndexIntervalBytes = 64 };
        var log = Open(config);
        for (var i = 0; i < 100; i++)
        {
            // Batch i covers offsets [2i, 2i+1] with timestamps 10_000 + 100i and +10.
            Append(log, TestBatch.Create(records: 2, timestamp: 10_000 + (100 * i), timestampStep: 10));
        }
        Assert.True(log.SegmentCount > 2);

        Assert.Equal(new TimestampAndOffset(10_010, 0), log.OffsetForTimestamp(0));
        Assert.Equal(new TimestampAndOffset(14_210, 84), log.OffsetForTimestamp(14_205));
        Assert.Equal(new TimestampAndOffset(14_210, 84), log.OffsetForTimestamp(14_210));
        Assert.Equal(new TimestampAndOffset(14_310, 86), log.OffsetForTimestamp(14_211));
        Assert.Null(log.OffsetForTimestamp(20_000));

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(2L * i, log.OffsetForTimestamp(10_000 + (100 * i))?.Offset);
        }
        log.Close();
        Assert.Equal(new TimestampAndOffset(14_310, 86), Open(config).OffsetForTimestamp(14_211));
    }

    [Fact]
    public void OffsetForTimestamp_NeverAnswersBelowLogStart()
    {
        var log = Open();
        Append(log, TestBatch.Create(records: 5, timestamp: 100));
        Append(log, TestBatch.Create(records: 5, timestamp: 200));
        log.UpdateHighWatermark(10);
        log.DeleteRecordsBefore(3);

        Assert.Equal(new TimestampAndOffset(100, 3), log.OffsetForTimestamp(50));
    }

    [Fact]
    public void MaxTimestamp_ReturnsFirstBatchWithLargestTimestamp()
    {
        var log = Open(new LogConfig { SegmentBytes = 300 });
        Assert.Null(log.MaxTimestamp());

        Append(log, TestBatch.Create(records: 2, timestamp: 500));
        Append(log, TestBatch.Create(records: 2, timestamp: 900));
        Append(log, TestBatch.Create(records: 2, timestamp: 700));
        Append(log, TestBatch.Create(records: 2, timestamp: 900));

        Assert.Equal(new TimestampAndOffset(900, 2), log.MaxTimestamp());
    }

    [Fact]
    public void MaxTimestamp_WithLogAppendTime_UsesBrokerTime()
    {
        var log = Open(new LogConfig { MessageTimestampType = MessageTimestampType.LogAppendTime });
        Append(log, TestBatch.Create(timestamp: 5), nowMs: 1_000);
        Append(log, TestBatch.Create(timestamp: 9_999_999), nowMs: 2_000);

        Assert.Equal(new TimestampAndOffset(2_000, 1), log.MaxTimestamp());
        Assert.Equal(new TimestampAndOffset(1_000, 0), log.OffsetForTimestamp(6));
    }
}
