using System.Text;
using Kora.Protocol.Records;
using Kora.Storage.Log;
using Kora.Storage.Tests.Compaction;

namespace Kora.Storage.Tests.Log;

public class LogReplayTests : LogTestBase
{
    [Fact]
    public void Run_FeedsEveryRecordInOrder_DecompressingAndReportingMarkers()
    {
        var log = Open(new LogConfig { SegmentBytes = 200 });
        Append(log, KeyedBatch.Create([("a", "1"), ("b", "2")]));
        Append(log, KeyedBatch.Create([("c", "3"), ("a", null)], codec: CompressionCodec.Lz4));
        Append(log, KeyedBatch.Create([("d", "4")], producerId: 9, epoch: 0, baseSequence: 0, transactional: true));
        Append(log, EndTransactionMarker.BuildBatch(9, 0, coordinatorEpoch: 2, committed: true, timestamp: 1_700_000_000_000));
        Assert.True(log.SegmentCount > 1);

        var seen = new List<string>();
        var markers = new List<(long ProducerId, bool Commit)>();
        var count = LogReplay.Run(log,
            (batch, record) => seen.Add($"{Encoding.UTF8.GetString(record.Key)}={(record.ValueIsNull ? "null" : Encoding.UTF8.GetString(record.Value))}{(batch.IsTransactional ? "*" : "")}"),
            batch => markers.Add((batch.ProducerId, EndTransactionMarker.TryRead(batch, out var m) && m.IsCommit)));

        Assert.Equal(["a=1", "b=2", "c=3", "a=null", "d=4*"], seen);
        Assert.Equal([(9L, true)], markers);
        Assert.Equal(5, count);
    }

    [Fact]
    public void Run_SkipsRecordsBelowTheLogStartOffset()
    {
        var log = Open();
        Append(log, KeyedBatch.Create([("a", "1"), ("b", "2"), ("c", "3")]));
        log.UpdateHighWatermark(log.LogEndOffset);
        log.DeleteRecordsBefore(2);

        var seen = new List<string>();
        LogReplay.Run(log, (_, record) => seen.Add(Encoding.UTF8.GetString(record.Key)));

        Assert.Equal(["c"], seen);
    }
}
